import { Module } from '@nestjs/common';

import { TrainingCancellations } from './training.cancellation';
import { TrainingExecutor } from './training.executor';
import { TrainingProcessor } from './training.processor';
import { TrainingQueueModule } from './training.queue';
import { TrainingRepository } from './training.repository';
import { TrainingRunner } from './training.runner';

/** What trains: takes jobs off the queue and runs them (`apps/training-worker` is this alone). */
export const TRAINING_WORKER_PROVIDERS = [TrainingRepository, TrainingRunner, TrainingCancellations, TrainingExecutor];

@Module({
  imports: [TrainingQueueModule],
  providers: [...TRAINING_WORKER_PROVIDERS, TrainingProcessor],
})
export class TrainingWorkerModule {}
