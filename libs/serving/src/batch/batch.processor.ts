import { Process, Processor } from '@nestjs/bull';
import { Logger } from '@nestjs/common';
import type { Job } from 'bull';

import { BatchShardPayload } from '@atelier/contracts';
import { isDataError } from '@atelier/db';
import { DomainError, httpStatusOf } from '@atelier/server';

import { BATCH_QUEUE } from './batch.queue';
import { BatchRepository } from './batch.repository';
import { BatchShardScorer } from './batch.scorer';

/**
 * Takes batch shards off the queue, one at a time per process. A failure is retried by the queue
 * (a shard whose process died is taken over when its lock lapses); one that cannot pass on a retry
 * — bad data, a 4xx of a dependency — or is out of attempts fails its job.
 */
@Processor(BATCH_QUEUE)
export class BatchProcessor {
  private readonly logger = new Logger('batch');

  constructor(
    private readonly scorer: BatchShardScorer,
    private readonly repository: BatchRepository,
  ) {}

  @Process()
  async run(job: Job<unknown>): Promise<void> {
    const { jobId, shard } = BatchShardPayload.parse(job.data);
    try {
      await this.scorer.score(jobId, shard);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const permanent = (error instanceof DomainError && httpStatusOf(error.code) < 500) || isDataError(error);
      const last = permanent || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      this.logger.warn({
        msg: last ? 'batch shard failed' : 'batch shard failed; retrying',
        jobId,
        shard,
        attempt: job.attemptsMade + 1,
        error: message,
      });
      if (last) {
        await this.repository.failShard(jobId, shard, message);
        await job.discard();
      }
      throw error;
    }
  }
}
