import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import type { TrainingJobResponse, TrainingPreviewResponse } from '@atelier/sdk';

import { apiError, fakePlatform, runCli, trainingJob } from '../cli.test-helpers';

const dir = mkdtempSync(path.join(tmpdir(), 'atelier-cli-train-'));
const at = '2001-01-31T23:59:30.000Z';
const spec = path.join(dir, 'request.yaml');
writeFileSync(
  spec,
  [
    'modelName: delays',
    'modelType: logistic_regression',
    'source: { group: flights }',
    'requestFeatures: [distance]',
    "label: 'delay > 15'",
    'params:',
    '  epochs: 2',
  ].join('\n'),
);

const queued = trainingJob();
const running = trainingJob({
  status: 'running',
  progress: 0.5,
  events: [
    { at, message: 'building the training set' },
    { at, message: 'epoch 1/2: loss 0.69' },
  ],
});
const succeeded = trainingJob({
  ...running,
  status: 'succeeded',
  progress: 1,
  modelVersion: 3,
  metrics: { auc: 0.75, logloss: 0.61 },
  backend: 'cpu',
});
const failed = trainingJob({ ...running, status: 'failed', error: 'the label reads "delay", which flights does not have' });

/** The training API: the POST answers `queued`, each poll the next of `polls` (the last one again after). */
function trainingApi(polls: Array<TrainingJobResponse | (() => Response)>) {
  let poll = 0;
  return fakePlatform({
    'POST /api/training-jobs': queued,
    [`GET /api/training-jobs/${queued.id}`]: () => {
      const next = polls[Math.min(poll++, polls.length - 1)]!;
      return typeof next === 'function' ? next() : next;
    },
  });
}

describe('atelier train', () => {
  it('posts the YAML request as JSON and says how to follow the job', async () => {
    const api = trainingApi([]);
    const result = await runCli(['train', spec], { fetch: api.fetch });
    expect(result.code).toBe(0);
    expect(api.calls[0]?.body).toEqual({
      modelName: 'delays',
      modelType: 'logistic_regression',
      source: { group: 'flights' },
      requestFeatures: ['distance'],
      label: 'delay > 15',
      params: { epochs: 2 },
    });
    expect(result.stdout).toBe(
      `started training job ${queued.id} for delays (queued)\nfollow it with: atelier jobs show ${queued.id} --watch\n`,
    );
  });

  it('with --watch prints progress lines off a terminal until the job succeeds, riding out a 503', async () => {
    const api = trainingApi([running, () => apiError(503, 'DEPENDENCY_UNAVAILABLE', 'the database is away'), succeeded]);
    const result = await runCli(['train', spec, '--watch', '--interval', '0.01'], { fetch: api.fetch });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      [
        `started training job ${queued.id} for delays`,
        '  0%  queued',
        ' 50%  running  building the training set',
        ' 50%  running  epoch 1/2: loss 0.69',
        '100%  succeeded',
        `training job ${queued.id} succeeded: delays version 3`,
        'metrics  auc=0.75 logloss=0.61',
        'backend  cpu',
        '',
      ].join('\n'),
    );
    expect(api.calls.filter((c) => c.method === 'GET')).toHaveLength(3);
  });

  it('draws a bar on a terminal', async () => {
    const result = await runCli(['train', spec, '--watch'], { fetch: trainingApi([running, succeeded]).fetch, tty: true, columns: 80 });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`\r\x1b[2K${'█'.repeat(15)}${'░'.repeat(15)}  50%  running  epoch 1/2: loss 0.69`);
    expect(result.stdout).toContain(`\r\x1b[2K${'█'.repeat(30)} 100%  succeeded  epoch 1/2: loss 0.69\n`);
  });

  it('exits 1 with the reason when the job fails', async () => {
    const result = await runCli(['train', spec, '--watch'], { fetch: trainingApi([running, failed]).fetch });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`error: training job ${queued.id} failed: the label reads "delay", which flights does not have\n`);
    expect(result.stdout).not.toContain('succeeded');
  });

  it('with --json keeps stdout to the final job and draws progress on stderr, also when the job fails', async () => {
    const ok = await runCli(['train', spec, '--watch', '--json'], { fetch: trainingApi([running, succeeded]).fetch });
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual(succeeded);
    expect(ok.stderr).toContain('100%  succeeded');
    const bad = await runCli(['train', spec, '--watch', '--json'], { fetch: trainingApi([failed]).fetch });
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout)).toEqual(failed);
    expect(bad.stderr).toContain(`error: training job ${queued.id} failed: `);
  });

  it('gives up watching on an error that is not passing', async () => {
    const result = await runCli(['train', spec, '--watch'], {
      fetch: trainingApi([() => apiError(401, 'UNAUTHENTICATED', 'the API key was revoked')]).fetch,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('error: the API key was revoked (401 UNAUTHENTICATED)\nhint: set ATELIER_API_KEY, pass --api-key, or run `atelier login`\n');
  });

  it('refuses a request file that is not an object, or not YAML, without calling the API (exit 1)', async () => {
    const api = trainingApi([]);
    const list = path.join(dir, 'list.yml');
    writeFileSync(list, '- a\n- b\n');
    expect(await runCli(['train', list], { fetch: api.fetch })).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('must be an object'),
    });
    const broken = path.join(dir, 'broken.yaml');
    writeFileSync(broken, 'modelName: [unclosed\n');
    expect(await runCli(['train', broken], { fetch: api.fetch })).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/is not valid YAML: /),
    });
    expect(api.calls).toEqual([]);
  });

  it('with --preview reads what the request would train on, starts no job, and fails on a problem', async () => {
    const slice = { start: '2001-01-01T00:00:00Z', end: '2001-01-22T00:00:00Z', sourceRows: 120_000, sampledRows: 5000, labelledShare: 0.98, estimatedLabelRows: 117_600 };
    const preview = (problems: string[]): TrainingPreviewResponse => ({
      slices: { training: slice, validation: { ...slice, sourceRows: 4000, sampledRows: 4000, labelledShare: 1, estimatedLabelRows: 4000 } },
      label: { task: 'binary_classification', classes: [{ value: 0, share: 0.8 }, { value: 1, share: 0.2 }] },
      inputs: [{ name: 'distance', source: 'request', missingShare: 0.015, min: 30, max: 2700 }],
      rows: [],
      problems,
      warnings: ['class 1 is rare'],
      ms: 40,
    });
    const ok = fakePlatform({ 'POST /api/training-jobs/preview': preview([]) });
    const result = await runCli(['train', spec, '--preview'], { fetch: ok.fetch });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      [
        'training   120000 rows, 98.0 % labelled, about 117600 label rows (sampled 5000)',
        'validation 4000 rows, 100.0 % labelled, about 4000 label rows',
        'label      0: 80.0 %, 1: 20.0 %',
        'input      distance (request): 1.5 % missing',
        'warning    class 1 is rare',
        '',
      ].join('\n'),
    );
    expect(ok.calls.map((c) => `${c.method} ${c.path}`)).toEqual(['POST /api/training-jobs/preview']);

    const bad = fakePlatform({ 'POST /api/training-jobs/preview': preview(['the label expression "delay * 0" gives 0 on every sampled row: there is nothing to learn']) });
    const refused = await runCli(['train', spec, '--preview'], { fetch: bad.fetch });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('problem    the label expression "delay * 0" gives 0 on every sampled row');
    expect(refused.stderr).toContain('error: the request would not train: the label expression "delay * 0"');
  });
});
