import { Module } from '@nestjs/common';

import { ArtifactStore } from './artifact-store';
import { DeploymentController } from './deployment.controller';
import { DeploymentService } from './deployment.service';
import { MlflowAjaxRegistryController, MlflowRegistryController } from './mlflow/mlflow-registry.controller';
import { MlflowRegistryService } from './mlflow/mlflow-registry.service';
import { ModelInspector } from './model-inspector';
import { RegistryController } from './registry.controller';
import { RegistryRepository } from './registry.repository';
import { RegistryService } from './registry.service';

@Module({
  controllers: [RegistryController, DeploymentController, MlflowRegistryController, MlflowAjaxRegistryController],
  providers: [ArtifactStore, DeploymentService, ModelInspector, RegistryRepository, RegistryService, MlflowRegistryService],
})
export class RegistryModule {}
