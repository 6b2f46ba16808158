import { BullModule } from '@nestjs/bull';
import { Module } from '@nestjs/common';
import type { JobOptions } from 'bull';

export const BATCH_QUEUE = 'batch-scoring';

/** Starts of one shard at most: a failure is retried after 2 s, then 4 s. */
export const MAX_SHARD_ATTEMPTS = 3;

/** One queue job per shard, named after it, so a shard is never queued twice. */
export function shardJobOptions(jobId: string, shard: number): JobOptions {
  return {
    jobId: `${jobId}:${shard}`,
    attempts: MAX_SHARD_ATTEMPTS,
    backoff: { type: 'exponential', delay: 2_000 },
    removeOnComplete: true,
    removeOnFail: 1_000,
  };
}

/** The Bull queue of batch scoring shards: the API adds to it, every serving process takes from it. */
@Module({
  imports: [BullModule.registerQueue({ name: BATCH_QUEUE })],
  exports: [BullModule],
})
export class BatchQueueModule {}
