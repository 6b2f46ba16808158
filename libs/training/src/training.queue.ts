import { BullModule } from '@nestjs/bull';
import { Module } from '@nestjs/common';

export const TRAINING_QUEUE = 'training';

/**
 * The Bull queue of training jobs: the API side adds to it, workers take from it. One module, so
 * a process with both sides holds one queue.
 */
@Module({
  imports: [BullModule.registerQueue({ name: TRAINING_QUEUE })],
  exports: [BullModule],
})
export class TrainingQueueModule {}

/** The Redis channel on which the API announces cancelled job ids to every worker process. */
export function trainingCancelChannel(namespace: string): string {
  return `${namespace}:training:cancel`;
}
