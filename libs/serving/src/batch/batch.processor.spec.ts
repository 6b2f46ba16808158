import type { Job } from 'bull';
import { describe, expect, it } from 'vitest';

import { badRequest, dependencyUnavailable } from '@atelier/server';

import { BatchProcessor } from './batch.processor';
import type { BatchRepository } from './batch.repository';
import type { BatchShardScorer } from './batch.scorer';

/** A processor whose scorer throws `error`, recording what it did to the repository and the queue job. */
function processorFailingWith(error: unknown, attemptsMade: number) {
  const failed: Array<{ jobId: string; shard: number; error: string }> = [];
  let discarded = false;
  const scorer = { score: () => Promise.reject(error) } as unknown as BatchShardScorer;
  const repository = {
    failShard: (jobId: string, shard: number, message: string) => {
      failed.push({ jobId, shard, error: message });
      return Promise.resolve();
    },
  } as unknown as BatchRepository;
  const job = {
    data: { jobId: 'job-1', shard: 2 },
    attemptsMade,
    opts: { attempts: 3 },
    discard: () => {
      discarded = true;
    },
  } as unknown as Job<unknown>;
  return { run: () => new BatchProcessor(scorer, repository).run(job), failed, discarded: () => discarded };
}

describe('the batch shard processor', () => {
  it('leaves a transient failure to the queue while attempts remain: the job is not failed', async () => {
    const p = processorFailingWith(dependencyUnavailable('the feature store could not be reached'), 0);
    await expect(p.run()).rejects.toThrow('the feature store could not be reached');
    expect(p.failed).toEqual([]);
    expect(p.discarded()).toBe(false);
  });

  it('fails the job with the shard named when the last attempt fails', async () => {
    const p = processorFailingWith(new Error('connection reset'), 2);
    await expect(p.run()).rejects.toThrow('connection reset');
    expect(p.failed).toEqual([{ jobId: 'job-1', shard: 2, error: 'connection reset' }]);
    expect(p.discarded()).toBe(true);
  });

  it('fails the job at once on a failure a retry cannot mend: a 4xx, or data PostgreSQL refused', async () => {
    const refused = processorFailingWith(badRequest('row 3: model m takes "n" as an integer and needs a value for it'), 0);
    await expect(refused.run()).rejects.toThrow('row 3');
    expect(refused.failed).toHaveLength(1);
    expect(refused.discarded()).toBe(true);

    const data = processorFailingWith(Object.assign(new Error('value too long'), { code: '22001' }), 0);
    await expect(data.run()).rejects.toThrow('value too long');
    expect(data.failed).toEqual([{ jobId: 'job-1', shard: 2, error: 'value too long' }]);
  });

  it('refuses a queue job that is not a shard', async () => {
    const job = { data: { jobId: 'job-1' }, attemptsMade: 0, opts: {} } as unknown as Job<unknown>;
    await expect(new BatchProcessor({} as BatchShardScorer, {} as BatchRepository).run(job)).rejects.toThrow();
  });
});
