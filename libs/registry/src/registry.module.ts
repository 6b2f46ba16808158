import { Module } from '@nestjs/common';

import { ArtifactStore } from './artifact-store';
import { ModelInspector } from './model-inspector';
import { RegistryController } from './registry.controller';
import { RegistryRepository } from './registry.repository';
import { RegistryService } from './registry.service';

@Module({
  controllers: [RegistryController],
  providers: [ArtifactStore, ModelInspector, RegistryRepository, RegistryService],
})
export class RegistryModule {}
