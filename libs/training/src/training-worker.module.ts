import { type DynamicModule, Module, type ModuleMetadata, type Provider } from '@nestjs/common';

import { TrainingCancellations } from './training.cancellation';
import { TrainingExecutor } from './training.executor';
import { TrainingProcessor } from './training.processor';
import { TrainingQueueModule } from './training.queue';
import { TrainingRepository } from './training.repository';
import { TrainingRunner } from './training.runner';
import { HTTP_TRAINING_DATA } from './training-data';
import { TrainingTrialProcessor, TrialWorker } from './training-trial.worker';
import { TrainingTrials } from './training-trials';

/** What trains: takes jobs off the queue and runs them (`apps/training-worker` is this alone). */
export const TRAINING_WORKER_PROVIDERS = [TrainingRepository, TrainingRunner, TrainingCancellations, TrainingExecutor, TrainingTrials, TrialWorker];

@Module({})
export class TrainingWorkerModule {
  /**
   * `trainingData`: where jobs read features and training sets (default: the feature store over
   * HTTP); `imports`: the modules that provider needs.
   */
  static register(options: { trainingData?: Provider; imports?: ModuleMetadata['imports'] } = {}): DynamicModule {
    return {
      module: TrainingWorkerModule,
      imports: [TrainingQueueModule, ...(options.imports ?? [])],
      providers: [...TRAINING_WORKER_PROVIDERS, options.trainingData ?? HTTP_TRAINING_DATA, TrainingProcessor, TrainingTrialProcessor],
    };
  }
}
