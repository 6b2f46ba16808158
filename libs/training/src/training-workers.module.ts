import { Module } from '@nestjs/common';

import { ATELIER_CONFIG, type AtelierConfig } from '@atelier/config';

import { TrainingExecutor } from './training.executor';
import { TrainingProcessor } from './training.processor';
import { TrainingQueueModule } from './training.queue';
import { TrainingApiModule } from './training-api.module';
import { HTTP_TRAINING_DATA } from './training-data';
import { TrainingTrialProcessor, TrialWorker } from './training-trial.worker';
import { TRAINING_WORKER_PROVIDERS } from './training-worker.module';
import { forkTrainingWorker, TRAINING_WORKER_LAUNCHER, TrainingWorkersSupervisor } from './training-workers.supervisor';

/**
 * Training as the platform runs it: the API here, the training in TRAINING_WORKERS worker
 * processes this module forks and supervises. With TRAINING_WORKERS=0 this process takes the
 * jobs off the queue itself, as the standalone training service does. Either only in process 0
 * when the platform runs as several processes (SERVING_PROCESSES); the others serve the API.
 */
@Module({
  imports: [TrainingApiModule, TrainingQueueModule],
  providers: [
    TrainingWorkersSupervisor,
    { provide: TRAINING_WORKER_LAUNCHER, useValue: forkTrainingWorker },
    ...TRAINING_WORKER_PROVIDERS,
    HTTP_TRAINING_DATA,
    {
      // @nestjs/bull runs the processor a factory returns; with worker processes it returns none
      provide: TrainingProcessor,
      inject: [ATELIER_CONFIG, TrainingExecutor],
      useFactory: (config: AtelierConfig, executor: TrainingExecutor) =>
        config.trainingWorkers === 0 && config.processIndex === 0 ? new TrainingProcessor(executor) : null,
    },
    {
      provide: TrainingTrialProcessor,
      inject: [ATELIER_CONFIG, TrialWorker],
      useFactory: (config: AtelierConfig, worker: TrialWorker) =>
        config.trainingWorkers === 0 && config.processIndex === 0 ? new TrainingTrialProcessor(worker) : null,
    },
  ],
})
export class TrainingWorkersModule {}
