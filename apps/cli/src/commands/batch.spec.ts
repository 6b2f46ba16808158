import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import type { BatchJobResponse, BatchPredictionsPage } from '@atelier/sdk';

import { apiError, batchJob, fakePlatform, runCli } from '../cli.test-helpers';

const dir = mkdtempSync(path.join(tmpdir(), 'atelier-cli-batch-'));
const at = '2001-01-31T23:59:30.000Z';

const queued = batchJob();
const running = (done: number, scored: number) =>
  batchJob({ status: 'running', startedAt: at, shards: { total: 4, done }, rows: { total: 10_000, scored } });
const succeeded = batchJob({
  status: 'succeeded',
  startedAt: at,
  finishedAt: at,
  shards: { total: 4, done: 4 },
  rows: { total: 10_000, scored: 10_000 },
  outputUrl: `/api/batch-jobs/${queued.id}/output.parquet`,
});
const failed = batchJob({ ...running(1, 2500), status: 'failed', error: 'the column "origin" is not in flights' });
const jobPath = `/api/batch-jobs/${queued.id}`;

/** The batch API: the POST answers `queued` (202), each poll the next of `polls` (the last one again after). */
function batchApi(polls: Array<BatchJobResponse | (() => Response)>) {
  let poll = 0;
  return fakePlatform({
    'POST /api/batch-jobs': () => Response.json(queued, { status: 202 }),
    [`GET ${jobPath}`]: () => {
      const next = polls[Math.min(poll++, polls.length - 1)]!;
      return typeof next === 'function' ? next() : next;
    },
  });
}

const WINDOW = ['--group', 'flights', '--start', '2001-01-01', '--end', '2001-02-01T02:00:00+02:00'];

describe('atelier batch', () => {
  it('submits a file as multipart, with the fields that say how the model reads it', async () => {
    const file = path.join(dir, 'flights.csv');
    writeFileSync(file, 'origin,distance,at\nSFO,337,2001-01-02T10:00:00Z\n');
    const fromFile = batchJob({ source: { file: 'flights.csv', format: 'csv', rows: 1, timeColumn: 'at' } });
    const api = fakePlatform({ 'POST /api/batch-jobs/upload': () => Response.json(fromFile, { status: 202 }) });
    const result = await runCli(
      [
        'batch',
        'submit',
        'delays',
        '--file',
        file,
        '--time-column',
        'at',
        '--join-key',
        'airport=origin',
        '--passthrough',
        'origin',
        '--publish',
      ],
      { fetch: api.fetch },
    );
    expect(api.calls[0]?.body).toEqual({
      file: { file: 'flights.csv', base64: Buffer.from(readFileSync(file)).toString('base64') },
      model: 'delays',
      timeColumn: 'at',
      joinKeys: '{"airport":"origin"}',
      passthrough: '["origin"]',
      publish: 'true',
    });
    expect(result.stdout).toContain('scores file flights.csv (csv, 1 rows, as of at)');
    expect((await runCli(['batch', 'submit', 'delays', ...WINDOW, '--time-column', 'at'], { fetch: api.fetch })).stderr).toContain(
      'error: --time-column goes with --file',
    );
    expect((await runCli(['batch', 'submit', 'delays', '--file', file, '--group', 'flights'], { fetch: api.fetch })).code).toBe(2);
  });

  it('submits a job from its options, times sent in UTC, and says how to follow it', async () => {
    const api = batchApi([]);
    const result = await runCli(
      [
        'batch',
        'submit',
        'delays',
        ...WINDOW,
        '--version',
        '2',
        '--join-key',
        'airport=origin',
        '--join-key',
        'carrier=airline',
        '--passthrough',
        'flight_id,tail',
        '--passthrough',
        'flight_id',
        '--shard-rows',
        '20000',
        '--publish',
      ],
      { fetch: api.fetch },
    );
    expect(api.calls[0]).toMatchObject({ method: 'POST', path: '/api/batch-jobs' });
    expect(api.calls[0]?.body).toEqual({
      model: 'delays',
      version: 2,
      source: { group: 'flights', start: '2001-01-01T00:00:00.000Z', end: '2001-02-01T00:00:00.000Z' },
      joinKeys: { airport: 'origin', carrier: 'airline' },
      passthrough: ['flight_id', 'tail'],
      shardRows: 20_000,
      publish: true,
    });
    expect(result).toEqual({
      code: 0,
      stdout:
        `submitted batch job ${queued.id}: delays v2 (production) scores flights from 2001-01-01 00:00Z to 2001-02-01 00:00Z (queued)\n` +
        `follow it with: atelier batch show ${queued.id} --watch\n`,
      stderr: '',
    });

    // what is not given is left to the platform's defaults
    await runCli(['batch', 'submit', 'delays', ...WINDOW, '--alias', 'candidate'], { fetch: api.fetch });
    expect(api.calls[1]?.body).toEqual({
      model: 'delays',
      alias: 'candidate',
      source: { group: 'flights', start: '2001-01-01T00:00:00.000Z', end: '2001-02-01T00:00:00.000Z' },
    });
  });

  it('with --watch prints shards and rows as they move off a terminal, riding out a 503, until the job succeeds', async () => {
    const api = batchApi([
      running(1, 2500),
      running(1, 2500),
      () => apiError(503, 'DEPENDENCY_UNAVAILABLE', 'the database is away'),
      running(3, 7500),
      succeeded,
    ]);
    const result = await runCli(['batch', 'submit', 'delays', ...WINDOW, '--watch', '--interval', '0.01'], { fetch: api.fetch });
    expect(result).toEqual({
      code: 0,
      stdout: [
        `submitted batch job ${queued.id}: delays v2 (production) scores flights from 2001-01-01 00:00Z to 2001-02-01 00:00Z`,
        '  0%  queued',
        ' 25%  running  1/4 shards, 2500/10000 rows',
        ' 75%  running  3/4 shards, 7500/10000 rows',
        '100%  succeeded  4/4 shards, 10000/10000 rows',
        `batch job ${queued.id} succeeded: 10000 predictions by delays v2 (production)`,
        `download them with: atelier batch download ${queued.id} --out predictions.parquet`,
        '',
      ].join('\n'),
      stderr: '',
    });
    expect(api.calls.filter((c) => c.method === 'GET')).toHaveLength(5);
  });

  it('draws a bar of the rows scored on a terminal', async () => {
    const result = await runCli(['batch', 'show', queued.id, '--watch'], {
      fetch: batchApi([running(1, 2500), succeeded]).fetch,
      tty: true,
      columns: 80,
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`\r\x1b[2K${'█'.repeat(7)}${'░'.repeat(23)}  25%  running  1/4 shards, 2500/10000 rows`);
    expect(result.stdout).toContain(`\r\x1b[2K${'█'.repeat(30)} 100%  succeeded  4/4 shards, 10000/10000 rows\n`);
  });

  it('exits 1 with the reason when a watched job fails or is cancelled; with --json stdout holds the final job only', async () => {
    const bad = await runCli(['batch', 'submit', 'delays', ...WINDOW, '--watch'], { fetch: batchApi([failed]).fetch });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe(`error: batch job ${queued.id} failed: the column "origin" is not in flights\n`);
    expect(bad.stdout).toContain(' 25%  failed  1/4 shards, 2500/10000 rows\n');

    const cancelled = batchJob({ ...running(2, 5000), status: 'cancelled' });
    const stopped = await runCli(['batch', 'show', queued.id, '--watch', '--json'], { fetch: batchApi([cancelled]).fetch });
    expect(stopped.code).toBe(1);
    expect(JSON.parse(stopped.stdout)).toEqual(cancelled);
    expect(stopped.stderr).toBe(` 50%  cancelled  2/4 shards, 5000/10000 rows\nerror: batch job ${queued.id} was cancelled\n`);

    const ok = await runCli(['batch', 'submit', 'delays', ...WINDOW, '--watch', '--json'], { fetch: batchApi([succeeded]).fetch });
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual(succeeded);
  });

  it('lists jobs by default, filtered by model and status', async () => {
    const api = fakePlatform({
      'GET /api/batch-jobs': [succeeded, batchJob({ id: 'b2', model: 'fares', version: 7, alias: null })],
      'GET /api/batch-jobs?model=delays&status=failed': [],
    });
    for (const argv of [['batch'], ['batch', 'list']]) {
      const result = await runCli(argv, { fetch: api.fetch });
      expect(result.stdout.split('\n')).toEqual([
        'ID                                    MODEL   VERSION  STATUS     SHARDS  ROWS         SOURCE   CREATED',
        `${queued.id}  delays  v2       succeeded  4/4     10000/10000  flights  2001-01-31 23:59Z`,
        'b2                                    fares   v7       queued     0/0     0/0          flights  2001-01-31 23:59Z',
        '',
      ]);
    }
    expect(JSON.parse((await runCli(['batch', '--json'], { fetch: api.fetch })).stdout)).toHaveLength(2);
    const none = await runCli(['batch', 'list', '--model', 'delays', '--status', 'failed'], { fetch: api.fetch });
    expect(none).toEqual({ code: 0, stdout: 'no batch jobs match\n', stderr: '' });
    expect(api.calls.at(-1)?.path).toBe('/api/batch-jobs?model=delays&status=failed');
  });

  it('shows a job: model version, window, shards, rows, error and output', async () => {
    const job = batchJob({
      ...failed,
      joinKeys: { carrier: 'airline', airport: 'origin' },
      passthrough: ['flight_id', 'tail'],
      publish: true,
      finishedAt: at,
    });
    const api = fakePlatform({ [`GET ${jobPath}`]: job, 'GET /api/batch-jobs/done': { ...succeeded, id: 'done' } });
    expect((await runCli(['batch', 'show', queued.id], { fetch: api.fetch })).stdout).toBe(
      [
        `id           ${queued.id}`,
        'model        delays v2 (production)',
        'status       failed (25%)',
        'source       flights from 2001-01-01 00:00Z to 2001-02-01 00:00Z',
        'join keys    airport=origin carrier=airline',
        'passthrough  flight_id, tail',
        'publish      to the prediction log',
        'shards       1/4 done',
        'rows         2500/10000 scored',
        'error        the column "origin" is not in flights',
        'created      2001-01-31 23:59Z',
        'started      2001-01-31 23:59Z',
        'finished     2001-01-31 23:59Z',
        '',
      ].join('\n'),
    );
    const done = (await runCli(['batch', 'show', 'done'], { fetch: api.fetch })).stdout;
    expect(done).toContain('status    succeeded (100%)\n');
    expect(done).toContain(`output    /api/batch-jobs/${queued.id}/output.parquet\n`);
    expect(JSON.parse((await runCli(['batch', 'show', queued.id, '--json'], { fetch: api.fetch })).stdout)).toEqual(job);
  });

  it('cancels a job, and says why it could not', async () => {
    const api = fakePlatform({
      [`POST ${jobPath}/cancel`]: { ...running(1, 2500), status: 'cancelled' },
      'POST /api/batch-jobs/done/cancel': () => apiError(409, 'CONFLICT', 'batch job done has already finished'),
    });
    expect(await runCli(['batch', 'cancel', queued.id], { fetch: api.fetch })).toEqual({
      code: 0,
      stdout: `batch job ${queued.id}: cancelled\n`,
      stderr: '',
    });
    expect(await runCli(['batch', 'cancel', 'done'], { fetch: api.fetch })).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: batch job done has already finished (409 CONFLICT)\n',
    });
  });

  it('deletes a job that has ended, and says why it could not', async () => {
    const api = fakePlatform({
      [`DELETE ${jobPath}`]: new Response(null, { status: 204 }),
      'DELETE /api/batch-jobs/busy': () => apiError(409, 'CONFLICT', 'batch job busy is running: cancel it before deleting it'),
    });
    expect(await runCli(['batch', 'delete', queued.id], { fetch: api.fetch })).toEqual({
      code: 0,
      stdout: `batch job ${queued.id}: deleted\n`,
      stderr: '',
    });
    expect(await runCli(['batch', 'delete', 'busy'], { fetch: api.fetch })).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: batch job busy is running: cancel it before deleting it (409 CONFLICT)\n',
    });
  });

  it('prints a page of predictions and where the next one starts', async () => {
    const page: BatchPredictionsPage = {
      jobId: queued.id,
      model: 'delays',
      version: 2,
      alias: 'production',
      total: 10_000,
      offset: 20,
      predictions: [
        {
          predictionId: 'p-21',
          shard: 0,
          row: 20,
          eventTime: '2001-01-01T06:30:00.000Z',
          entities: { carrier: 'UA', airport: 'SFO' },
          prediction: 0.123456,
          label: 0,
          probabilities: { '0': 0.876544, '1': 0.123456 },
          missing: [],
          columns: { flight_id: 'UA1' },
        },
        {
          predictionId: 'p-22',
          shard: 0,
          row: 21,
          eventTime: '2001-01-01T06:31:00.000Z',
          entities: {},
          prediction: null,
          label: null,
          probabilities: null,
          missing: ['distance', 'hour'],
          columns: { flight_id: null },
        },
      ],
    };
    const api = fakePlatform({
      [`GET ${jobPath}/predictions?offset=20&limit=2`]: page,
      [`GET ${jobPath}/predictions?offset=0&limit=100`]: { ...page, total: 2, offset: 0 },
      [`GET ${jobPath}/predictions?offset=10000&limit=100`]: { ...page, offset: 10_000, predictions: [] },
    });
    expect((await runCli(['batch', 'predictions', queued.id, '--offset', '20', '--limit', '2'], { fetch: api.fetch })).stdout).toBe(
      [
        'ID    EVENT TIME                ENTITIES                PREDICTION  LABEL  MISSING',
        'p-21  2001-01-01T06:30:00.000Z  airport=SFO carrier=UA  0.1235      0      -',
        'p-22  2001-01-01T06:31:00.000Z  -                       -           -      distance,hour',
        'predictions 21–22 of 10000 by delays v2 (production); next: --offset 22',
        '',
      ].join('\n'),
    );
    const all = await runCli(['batch', 'predictions', queued.id], { fetch: api.fetch });
    expect(all.stdout.split('\n').at(-2)).toBe('predictions 1–2 of 2 by delays v2 (production)');
    expect((await runCli(['batch', 'predictions', queued.id, '--offset', '10000'], { fetch: api.fetch })).stdout).toBe(
      'no predictions from offset 10000: the job has 10000\n',
    );
    expect(JSON.parse((await runCli(['batch', 'predictions', queued.id, '--json'], { fetch: api.fetch })).stdout)).toMatchObject({
      total: 2,
      offset: 0,
    });
  });

  it('downloads the Parquet file whole, leaving nothing else behind', async () => {
    const parquet = Uint8Array.from([0x50, 0x41, 0x52, 0x31, 1, 2, 3, 0x50, 0x41, 0x52, 0x31]);
    const api = fakePlatform({ [`GET ${jobPath}/output.parquet`]: new Response(parquet) });
    const downloads = mkdtempSync(path.join(dir, 'downloads-'));
    const file = path.join(downloads, 'predictions.parquet');
    writeFileSync(file, 'an older download');
    const result = await runCli(['batch', 'download', queued.id, '--out', file], { fetch: api.fetch });
    expect(result).toEqual({ code: 0, stdout: `wrote 11 bytes to ${file}\n`, stderr: '' });
    expect(new Uint8Array(readFileSync(file))).toEqual(parquet);
    expect(readdirSync(downloads)).toEqual(['predictions.parquet']);

    const json = await runCli(['batch', 'download', queued.id, '--out', file, '--json'], {
      fetch: fakePlatform({ [`GET ${jobPath}/output.parquet`]: new Response(parquet) }).fetch,
    });
    expect(JSON.parse(json.stdout)).toEqual({ id: queued.id, file, bytes: 11 });

    const nowhere = await runCli(['batch', 'download', queued.id, '--out', path.join(dir, 'no-such-dir', 'p.parquet')], {
      fetch: fakePlatform({ [`GET ${jobPath}/output.parquet`]: new Response(parquet) }).fetch,
    });
    expect(nowhere.code).toBe(1);
    expect(nowhere.stderr).toMatch(/^error: cannot write the Parquet file ".*no-such-dir\/p\.parquet": no such directory\n$/);
  });

  it('says what a job without output is doing when the platform refuses its download (409)', async () => {
    const refused = () => apiError(409, 'CONFLICT', 'the job has not succeeded');
    const file = path.join(dir, 'never.parquet');
    const cases: Array<[BatchJobResponse | undefined, string]> = [
      [
        running(1, 2500),
        `error: batch job ${queued.id} is running (1/4 shards done): its output can be downloaded once it has succeeded; ` +
          `follow it with: atelier batch show ${queued.id} --watch\n`,
      ],
      [failed, `error: batch job ${queued.id} failed, so it has no output: the column "origin" is not in flights\n`],
      [batchJob({ status: 'cancelled' }), `error: batch job ${queued.id} was cancelled, so it has no output\n`],
      [undefined, `error: batch job ${queued.id} has no output to download: the job has not succeeded\n`],
    ];
    for (const [job, message] of cases) {
      const api = fakePlatform({ [`GET ${jobPath}/output.parquet`]: refused, [`GET ${jobPath}`]: job });
      const result = await runCli(['batch', 'download', queued.id, '--out', file], { fetch: api.fetch });
      expect(result).toEqual({ code: 1, stdout: '', stderr: message });
    }
    expect(readdirSync(dir)).not.toContain('never.parquet');
  });

  it.each([
    [['batch', 'submit', 'delays', '--start', '2001-01-01', '--end', '2001-02-01'], 'error: give --group, --start and --end, or --file'],
    [['batch', 'submit', 'delays', '--group', 'flights', '--start', '2001-01-01T00:00:00', '--end', '2001-02-01'], 'expected a date'],
    [['batch', 'submit', 'delays', '--group', 'flights', '--start', '2001-02-30', '--end', '2001-03-01'], 'expected a date'],
    [['batch', 'submit', 'delays', '--group', 'flights', '--start', '2001-02-01', '--end', '2001-01-01'], '--end must come after --start'],
    [['batch', 'submit', 'delays', ...WINDOW, '--alias', 'production', '--version', '2'], 'cannot be used with option'],
    [['batch', 'submit', 'delays', ...WINDOW, '--join-key', 'airport'], 'expected entity=column'],
    [['batch', 'submit', 'delays', ...WINDOW, '--passthrough', 'a,,b'], 'separated by commas'],
    [['batch', 'submit', 'delays', ...WINDOW, '--shard-rows', '1e4'], 'expected a whole number, 1 or more'],
    [
      ['batch', 'list', '--status', 'done'],
      "argument 'done' is invalid. Allowed choices are queued, running, succeeded, failed, cancelled",
    ],
    [['batch', 'predictions', 'b2', '--limit', '0'], 'expected a whole number, 1 or more'],
    [['batch', 'predictions', 'b2', '--offset', '-1'], 'expected a whole number, 0 or more'],
    [['batch', 'download', 'b2'], "error: required option '--out <file>' not specified"],
  ])('exits 2 on a command it cannot send: %j', async (argv, message) => {
    const api = fakePlatform({});
    const result = await runCli(argv, { fetch: api.fetch });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(api.calls).toEqual([]);
  });
});
