import { describe, expect, it } from 'vitest';

import { apiError, fakePlatform, runCli, trainingJob } from '../cli.test-helpers';

const at = '2001-01-31T23:59:30.000Z';
const job = trainingJob({
  status: 'succeeded',
  progress: 1,
  modelVersion: 3,
  metrics: { auc: 0.75 },
  startedAt: at,
  finishedAt: at,
  events: Array.from({ length: 12 }, (_, i) => ({ at, message: `event ${i + 1}` })),
});

describe('atelier jobs', () => {
  it('lists jobs by default', async () => {
    const api = fakePlatform({ 'GET /api/training-jobs': [job, trainingJob({ id: 'e0f1', status: 'running', progress: 0.333 })] });
    for (const argv of [['jobs'], ['jobs', 'list']]) {
      const result = await runCli(argv, { fetch: api.fetch });
      expect(result.stdout.split('\n')).toEqual([
        'ID                                    MODEL   TYPE                 STATUS     PROGRESS  VERSION  CREATED',
        `${job.id}  delays  logistic_regression  succeeded  100%      v3       2001-01-31 23:59Z`,
        'e0f1                                  delays  logistic_regression  running    33%       -        2001-01-31 23:59Z',
        '',
      ]);
    }
    expect(JSON.parse((await runCli(['jobs', '--json'], { fetch: api.fetch })).stdout)).toHaveLength(2);
  });

  it('shows a job with its latest ten events', async () => {
    const api = fakePlatform({ [`GET /api/training-jobs/${job.id}`]: job });
    const lines = (await runCli(['jobs', 'show', job.id], { fetch: api.fetch })).stdout.split('\n');
    expect(lines.slice(0, 4)).toEqual([
      `id        ${job.id}`,
      'model     delays v3',
      'type      logistic_regression',
      'status    succeeded (100%)',
    ]);
    expect(lines).toContain('events (last 10 of 12):');
    expect(lines).toContain('  2001-01-31 23:59Z  event 12');
    expect(lines).not.toContain('  2001-01-31 23:59Z  event 2');
  });

  it('watches a job it is shown, with the exit code of its end', async () => {
    const failed = trainingJob({ status: 'failed', error: 'out of memory' });
    const api = fakePlatform({ [`GET /api/training-jobs/${failed.id}`]: failed });
    const result = await runCli(['jobs', 'show', failed.id, '--watch'], { fetch: api.fetch });
    expect(result).toEqual({ code: 1, stdout: '  0%  failed\n', stderr: `error: training job ${failed.id} failed: out of memory\n` });
  });

  it('cancels a job, and says why it could not', async () => {
    const api = fakePlatform({
      [`POST /api/training-jobs/${job.id}/cancel`]: { ...job, status: 'cancelled' },
      'POST /api/training-jobs/e0f1/cancel': () => apiError(409, 'CONFLICT', 'job e0f1 has already finished'),
    });
    expect(await runCli(['jobs', 'cancel', job.id], { fetch: api.fetch })).toEqual({
      code: 0,
      stdout: `training job ${job.id}: cancelled\n`,
      stderr: '',
    });
    expect(await runCli(['jobs', 'cancel', 'e0f1'], { fetch: api.fetch })).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: job e0f1 has already finished (409 CONFLICT)\n',
    });
  });
});
