import { Module } from '@nestjs/common';

import { ArtifactStore } from './artifact-store';
import { RegistryController } from './registry.controller';
import { RegistryRepository } from './registry.repository';
import { RegistryService } from './registry.service';

@Module({
  controllers: [RegistryController],
  providers: [ArtifactStore, RegistryRepository, RegistryService],
})
export class RegistryModule {}
