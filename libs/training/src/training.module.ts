import { Module } from '@nestjs/common';

import { TrainingApiModule } from './training-api.module';
import { TrainingWorkerModule } from './training-worker.module';

/** The API and a worker in one process: the standalone training service, and tests. */
@Module({ imports: [TrainingApiModule, TrainingWorkerModule.register()] })
export class TrainingModule {}
