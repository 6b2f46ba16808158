import { BullModule } from '@nestjs/bull';
import { Module } from '@nestjs/common';

import { ATELIER_CONFIG, type AtelierConfig } from '@atelier/config';

/** Starts of one job at most: a job whose worker died with its process is taken over once. */
export const MAX_JOB_ATTEMPTS = 2;

export const TRAINING_QUEUE = 'training';
/** A search's trials, trained by whichever worker process is free (`TrainingTrials`). */
export const TRAINING_TRIALS_QUEUE = 'training-trials';

/**
 * The Bull queue of training jobs: the API side adds to it, workers take from it. One module, so
 * a process with both sides holds one queue.
 */
@Module({
  imports: [
    BullModule.registerQueueAsync(
      ...[TRAINING_QUEUE, TRAINING_TRIALS_QUEUE].map((name) => ({
        name,
        inject: [ATELIER_CONFIG],
        // a worker renews its job's lock every lockDuration/2; a lock that lapsed (its process died)
        // puts the job back in the queue, up to MAX_JOB_ATTEMPTS times, and another worker takes it over
        useFactory: (config: AtelierConfig) => ({
          settings: { lockDuration: config.trainingJobLockMs, stalledInterval: config.trainingJobLockMs, maxStalledCount: MAX_JOB_ATTEMPTS },
        }),
      })),
    ),
  ],
  exports: [BullModule],
})
export class TrainingQueueModule {}

/** The Redis channel on which the API announces cancelled job ids to every worker process. */
export function trainingCancelChannel(namespace: string): string {
  return `${namespace}:training:cancel`;
}
