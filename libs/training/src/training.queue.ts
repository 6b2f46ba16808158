import { BullModule } from '@nestjs/bull';
import { Module } from '@nestjs/common';

import { ATELIER_CONFIG, type AtelierConfig } from '@atelier/config';

/** Starts of one job at most: a job whose worker died with its process is taken over once. */
export const MAX_JOB_ATTEMPTS = 2;

export const TRAINING_QUEUE = 'training';

/**
 * The Bull queue of training jobs: the API side adds to it, workers take from it. One module, so
 * a process with both sides holds one queue.
 */
@Module({
  imports: [
    BullModule.registerQueueAsync({
      name: TRAINING_QUEUE,
      inject: [ATELIER_CONFIG],
      // a worker renews its job's lock every lockDuration/2; a lock that lapsed (its process died)
      // puts the job back in the queue, up to MAX_JOB_ATTEMPTS times, and the executor takes it over
      useFactory: (config: AtelierConfig) => ({
        settings: { lockDuration: config.trainingJobLockMs, stalledInterval: config.trainingJobLockMs, maxStalledCount: MAX_JOB_ATTEMPTS },
      }),
    }),
  ],
  exports: [BullModule],
})
export class TrainingQueueModule {}

/** The Redis channel on which the API announces cancelled job ids to every worker process. */
export function trainingCancelChannel(namespace: string): string {
  return `${namespace}:training:cancel`;
}
