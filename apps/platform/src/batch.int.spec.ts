import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import type { BatchJobResponse, BatchPrediction } from '@atelier/contracts';
import { PrismaService } from '@atelier/db';
import { FeatureStoreModule, TrainingSetService } from '@atelier/feature-store';
import { MonitoringModule } from '@atelier/monitoring';
import { RegistryModule } from '@atelier/registry';
import { AtelierClient } from '@atelier/sdk';
import { BATCH_QUEUE, BatchShardScorer, ServingModule } from '@atelier/serving';
import {
  apiRefusal,
  eventually,
  peakHeapGrowth,
  postStreamedCsv,
  registerLogisticModel,
  startTestApp,
  type TestApp,
  testNamespace,
  uniqueSuffix,
} from '@atelier/testing';

import { IN_PROCESS_BATCH_ROWS } from './platform.module';

const T0 = Date.parse('2026-03-01T00:00:00Z');
const HOUR = 3600_000;
const at = (ms: number) => new Date(ms).toISOString();
/** P(delayed) of the model below: distance (mean 300, scale 100, weight 0.5), delay (mean 10, scale 10, weight 1), bias −0.2. */
const probability = (distance: number, delay: number) =>
  1 / (1 + Math.exp(-(0.5 * ((distance - 300) / 100) + 1 * ((delay - 10) / 10) - 0.2)));
/** Average delays by airport, as the offline store holds them: A changes at T0 + 2 h, C has none. */
const DELAYS = [
  { airport: 'A', at: T0, delay: 10 },
  { airport: 'A', at: T0 + 2 * HOUR, delay: 30 },
  { airport: 'B', at: T0, delay: 5 },
];
const delayAsOf = (airport: string, time: number) =>
  DELAYS.filter((d) => d.airport === airport && d.at <= time).sort((a, b) => b.at - a.at)[0]?.delay ?? null;
/** 250 flights over four hours, one a minute, from A, B and C in turn. */
const FLIGHTS = Array.from({ length: 250 }, (_, i) => ({
  id: `F${String(i).padStart(3, '0')}`,
  origin: ['A', 'B', 'C'][i % 3]!,
  distance: 100 + (i % 7) * 150,
  time: T0 + 30 * 60_000 + i * 60_000,
}));

/**
 * Batch scoring end to end against the real Postgres, Redis and Kafka: the feature store cuts the
 * window into shards and joins the model's features point-in-time, serving scores each shard off
 * the batch queue, the predictions land in Postgres tagged with the job and in a Parquet file,
 * and (asked to) on the prediction log for monitoring.
 */
describe('batch scoring jobs (integration)', () => {
  const s = uniqueSuffix();
  const airport = `airport-${s}`;
  const flight = `flight-${s}`;
  const delays = `delays-${s}`;
  const flights = `flights-${s}`;
  const model = `batch-${s}`;
  const window = { group: flights, start: at(T0), end: at(T0 + 6 * HOUR) };
  let t: TestApp;
  let prisma: PrismaService;
  /** where `t` keeps the model's ONNX file: apps of the restart test read it too */
  let artifacts: string;

  const finished = (id: string) =>
    eventually(async () => {
      const job = await t.client.getBatchJob(id);
      return job.status === 'queued' || job.status === 'running' ? undefined : job;
    }, 60_000);

  beforeAll(async () => {
    // as the platform composes it: the jobs read the feature store's rows in-process (the restart test below reads them over HTTP)
    t = await startTestApp([
      FeatureStoreModule,
      RegistryModule,
      ServingModule.register({ batchRows: IN_PROCESS_BATCH_ROWS, imports: [FeatureStoreModule] }),
      MonitoringModule,
    ]);
    artifacts = process.env.ATELIER_ARTIFACT_DIR!;
    prisma = t.app.get(PrismaService);
    await t.client.createEntity({ name: airport, joinKey: 'airport', description: '' });
    await t.client.createEntity({ name: flight, joinKey: 'flight', description: '' });
    await t.client.createFeatureGroup({
      name: delays,
      entity: airport,
      features: [{ name: 'avg_delay', dtype: 'float', description: '' }],
      ttlSeconds: 86_400,
      description: '',
    });
    await t.client.createFeatureGroup({
      name: flights,
      entity: flight,
      features: [
        { name: 'origin', dtype: 'string', description: '' },
        { name: 'distance', dtype: 'float', description: '' },
        { name: 'flight_no', dtype: 'string', description: '' },
      ],
      ttlSeconds: 86_400,
      description: '',
    });
    await t.client.ingestRows(
      delays,
      DELAYS.map((d) => ({ entityKey: d.airport, eventTime: at(d.at), values: { avg_delay: d.delay } })),
    );
    await t.client.ingestRows(
      flights,
      FLIGHTS.map((f) => ({ entityKey: f.id, eventTime: at(f.time), values: { origin: f.origin, distance: f.distance, flight_no: f.id } })),
    );
    await registerLogisticModel(
      t.client,
      model,
      {
        kind: 'logistic_regression',
        features: ['distance', 'avg_delay'],
        means: [300, 10],
        scales: [100, 10],
        weights: [0.5, 1],
        bias: -0.2,
        backend: 'cpu',
      },
      [
        { name: 'distance', source: 'request', dtype: 'float' },
        { name: 'avg_delay', source: 'feature', ref: `${delays}:avg_delay`, entity: airport },
      ],
    );
    await t.client.setAlias(model, 'production', 1);
  }, 120_000);

  afterAll(async () => {
    await t?.close();
    rmSync(temp, { recursive: true, force: true });
  });

  // uploads copied to disk go to a directory of this file's own, so other processes' copies are not counted
  const temp = mkdtempSync(path.join(tmpdir(), 'batch-spec-'));
  const uploadsLeft = () => readdirSync(temp).filter((name) => name.startsWith('atelier-upload-')).length;
  /** A CSV row of the streamed uploads: every input of the model in the file, one flight a second from T0. */
  const FILE_HEADER = 'flight_no,origin,distance,avg_delay,at';
  const fileRow = (i: number) => `F${i},${['A', 'B', 'C'][i % 3]},${100 + (i % 7) * 150},${i % 40},${at(T0 + i * 1000)}`;
  /**
   * Posts a CSV file to `POST /api/batch-jobs/upload` as multipart/form-data generated while it is
   * sent (never whole in memory): the fields, then the file (`FILE_HEADER`, then `rows` rows), or
   * the file first when `fileFirst`.
   */
  const postFile = (fields: Record<string, string>, rows: number, row: (i: number) => string, fileFirst = false) =>
    postStreamedCsv(`${t.baseUrl}/api/batch-jobs/upload`, t.adminKey, {
      header: FILE_HEADER,
      rows,
      row,
      ...(fileFirst ? { after: fields } : { before: fields }),
    });
  /** Input rows stored without their job: what a file refused halfway through would leave behind. */
  const orphanInputs = async () =>
    (
      await prisma.pool.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM batch_inputs i WHERE NOT EXISTS (SELECT 1 FROM batch_jobs j WHERE j.id = i.job_id)',
      )
    ).rows[0]!.n;

  it('refuses a job it cannot run, naming what is wrong, and stores nothing', async () => {
    const before = await prisma.client.batchJob.count();
    const base = { model, source: window, joinKeys: { [airport]: 'origin' } };
    expect(await apiRefusal(t.client.createBatchJob({ ...base, source: { ...window, end: window.start } }))).toEqual({
      status: 400,
      message: 'source.start must be before source.end',
    });
    expect(await apiRefusal(t.client.createBatchJob({ ...base, joinKeys: {} }))).toEqual({
      status: 400,
      message: `model ${model} reads features keyed by entity "${airport}": name its column of group "${flights}" in joinKeys`,
    });
    expect(await apiRefusal(t.client.createBatchJob({ ...base, joinKeys: { [airport]: 'dest' } }))).toEqual({
      status: 400,
      message: `join key column "dest" of entity "${airport}" is not a column of group "${flights}"`,
    });
    expect(await apiRefusal(t.client.createBatchJob({ ...base, passthrough: ['tail'] }))).toEqual({
      status: 400,
      message: `passthrough column "tail" is not a column of group "${flights}"`,
    });
    expect(
      (await apiRefusal(t.client.createBatchJob({ ...base, source: { ...window, group: delays }, joinKeys: { [airport]: 'avg_delay' } })))
        .message,
    ).toBe(`model ${model} v1 takes "distance" with the request, and group "${delays}" has no column "distance"`);
    expect(await apiRefusal(t.client.createBatchJob({ ...base, model: `nope-${s}` }))).toEqual({
      status: 404,
      message: `model "nope-${s}" does not exist`,
    });
    expect((await apiRefusal(t.client.createBatchJob({ ...base, source: { ...window, group: `nope-${s}` } }))).status).toBe(404);
    expect((await apiRefusal(t.client.createBatchJob({ ...base, shardRows: 5 }))).status).toBe(400);
    expect(await prisma.client.batchJob.count()).toBe(before);
  });

  it('scores every row of the window in shards, features as of each row, into Postgres, a Parquet file and monitoring', async () => {
    // the shards' rows come from the feature store's service in this process, not over HTTP
    const build = vi.spyOn(t.app.get(TrainingSetService), 'build');
    const overHttp = vi.spyOn(AtelierClient.prototype, 'trainingSet');
    const created = await t.client.createBatchJob({
      model,
      source: window,
      joinKeys: { [airport]: 'origin' },
      passthrough: ['flight_no'],
      shardRows: 100,
      publish: true,
    });
    expect(created).toMatchObject({
      model,
      version: 1,
      alias: 'production',
      status: 'queued',
      shards: { total: 3, done: 0 },
      rows: { total: 250, scored: 0 },
    });
    const job = await finished(created.id);
    expect(build).toHaveBeenCalled();
    expect(overHttp).not.toHaveBeenCalled();
    build.mockRestore();
    overHttp.mockRestore();
    expect(job).toMatchObject({ status: 'succeeded', shards: { total: 3, done: 3 }, rows: { total: 250, scored: 250 }, error: null });
    expect(job.outputUrl).toBe(`/api/batch-jobs/${job.id}/output.parquet`);
    expect((await t.client.listBatchJobs({ model })).map((j) => j.id)).toContain(job.id);

    const page = await t.client.batchPredictions(job.id, { limit: 1000 });
    expect(page).toMatchObject({ jobId: job.id, model, version: 1, alias: 'production', total: 250, offset: 0 });
    const byFlight = new Map(page.predictions.map((p) => [p.columns['flight_no'] as string, p]));
    expect(byFlight.size).toBe(250);
    for (const f of FLIGHTS) {
      const p = byFlight.get(f.id)!;
      const delay = delayAsOf(f.origin, f.time);
      expect(p.eventTime).toBe(at(f.time));
      expect(p.entities).toEqual({ [airport]: f.origin });
      // a missing delay is imputed by its mean (10), which adds nothing
      expect(p.prediction).toBeCloseTo(probability(f.distance, delay ?? 10), 6);
      expect(p.missing).toEqual(delay === null ? ['avg_delay'] : []);
      // the class as online prediction answers it: a number for this model
      expect(p.label).toBe(p.prediction! >= 0.5 ? 1 : 0);
    }
    // A's delay changed at T0 + 2 h: rows before and after were joined with different values
    expect(new Set(FLIGHTS.filter((f) => f.origin === 'A').map((f) => delayAsOf('A', f.time)))).toEqual(new Set([10, 30]));

    const file = await t.client.batchOutput(job.id);
    const rows = (await parquetReadObjects({
      file: file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength) as ArrayBuffer,
    })) as Array<Record<string, unknown>>;
    expect(rows).toHaveLength(250);
    expect(Object.keys(rows[0]!)).toEqual([
      'prediction_id',
      'event_time',
      'model',
      'version',
      'alias',
      airport,
      'prediction',
      'label',
      'probabilities',
      'missing',
      'flight_no',
    ]);
    const fromApi = new Map(page.predictions.map((p) => [p.predictionId, p]));
    for (const row of rows) {
      const p = fromApi.get(row['prediction_id'] as string) as BatchPrediction;
      expect(row).toMatchObject({
        model,
        version: 1,
        alias: 'production',
        [airport]: p.entities[airport],
        flight_no: p.columns['flight_no'],
      });
      expect(row['prediction']).toBeCloseTo(p.prediction!, 12);
      expect(row['label']).toBe(BigInt(p.label!)); // an int64 label output: a whole-number column
      expect((row['event_time'] as Date).toISOString()).toBe(p.eventTime);
    }
    // the file is the shards' row groups, encoded as they were scored
    expect(parquetMetadata(file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength) as ArrayBuffer).row_groups).toHaveLength(
      3,
    );
    // a job scored before shards kept them (its request has no output layout): the file is written
    // from its rows, its labels as text (as such jobs' files always had them)
    await prisma.pool.query(`UPDATE batch_jobs SET request = request - 'output' WHERE id = $1`, [job.id]);
    const fromRows = await t.client.batchOutput(job.id);
    expect(
      await parquetReadObjects({
        file: fromRows.buffer.slice(fromRows.byteOffset, fromRows.byteOffset + fromRows.byteLength) as ArrayBuffer,
      }),
    ).toEqual(rows.map((row) => ({ ...row, label: String(row['label']) })));

    // published: monitoring takes each batch prediction once, as the model's traffic
    await eventually(async () => ((await t.client.modelStats(model, 3600)).predictions === 250 ? true : undefined), 60_000);
    expect(
      await prisma.client.monitoredPrediction.count({ where: { predictionId: { in: page.predictions.map((p) => p.predictionId) } } }),
    ).toBe(250);

    // a shard delivered again (a retry, a worker that took it over) scores nothing twice
    await t.app.get(BatchShardScorer).score(job.id, 1);
    expect(await prisma.client.batchPrediction.count({ where: { jobId: job.id } })).toBe(250);
    expect(await t.client.getBatchJob(job.id)).toMatchObject({ shards: { done: 3 }, rows: { scored: 250 } });

    // deleted: the job, its shards (with the output's parts), its predictions and the queue's
    // records of its shards (one stands here for a failed shard's, kept for inspection);
    // monitoring keeps what it took
    const queue = t.app.get<Queue>(getQueueToken(BATCH_QUEUE));
    await queue.pause(true);
    try {
      await queue.add({ jobId: job.id, shard: 1 }, { jobId: `${job.id}:1` });
      await t.client.deleteBatchJob(job.id);
      expect(await queue.getJob(`${job.id}:1`)).toBeNull();
    } finally {
      await queue.resume(true);
    }
    expect(await apiRefusal(t.client.getBatchJob(job.id))).toEqual({ status: 404, message: `batch job ${job.id} does not exist` });
    expect(await prisma.client.batchPrediction.count({ where: { jobId: job.id } })).toBe(0);
    expect(await prisma.client.batchShard.count({ where: { jobId: job.id } })).toBe(0);
    expect((await apiRefusal(t.client.deleteBatchJob(job.id))).status).toBe(404);
    expect((await t.client.modelStats(model, 3600)).predictions).toBe(250);
  });

  it('cancels a job whose shards wait: none is scored, its output is refused', async () => {
    const queue = t.app.get<Queue>(getQueueToken(BATCH_QUEUE));
    await queue.pause(true); // this process takes no shard until resumed
    let job: BatchJobResponse;
    try {
      job = await t.client.createBatchJob({ model, version: 1, source: window, joinKeys: { [airport]: 'origin' }, shardRows: 100 });
      expect(job).toMatchObject({ alias: null, status: 'queued' });
      expect(await apiRefusal(t.client.deleteBatchJob(job.id))).toEqual({
        status: 409,
        message: `batch job ${job.id} is queued: cancel it before deleting it (POST /api/batch-jobs/${job.id}/cancel)`,
      });
      expect(await t.client.cancelBatchJob(job.id)).toMatchObject({ status: 'cancelled', shards: { done: 0 } });
      expect(await t.client.cancelBatchJob(job.id)).toMatchObject({ status: 'cancelled' }); // twice: nothing changes
    } finally {
      await queue.resume(true);
    }
    expect(await apiRefusal(t.client.batchOutput(job.id))).toEqual({
      status: 409,
      message: `batch job ${job.id} is cancelled: it has no output (submit the job again to score the rows)`,
    });
    // a shard that was taken already commits nothing for a cancelled job
    await t.app.get(BatchShardScorer).score(job.id, 0);
    expect(await prisma.client.batchPrediction.count({ where: { jobId: job.id } })).toBe(0);
    expect((await apiRefusal(t.client.getBatchJob('00000000-0000-4000-8000-000000000000'))).status).toBe(404);
    // a cancelled job deletes, also while a shard taken before the cancel is still committing: the
    // deletion waits for that shard's row, whose commit then finds the job ended and writes nothing
    const committing = await prisma.pool.connect();
    try {
      await committing.query('BEGIN');
      await committing.query(`UPDATE batch_shards SET status = 'done' WHERE job_id = $1 AND shard = 0`, [job.id]);
      let deleted = false;
      const deletion = t.client.deleteBatchJob(job.id).then(() => (deleted = true));
      await new Promise((r) => setTimeout(r, 300));
      expect(deleted).toBe(false); // waiting for the shard's row
      const progressed = await committing.query(
        `UPDATE batch_jobs SET shards_done = shards_done + 1 WHERE id = $1 AND status = 'running'`,
        [job.id],
      );
      expect(progressed.rowCount).toBe(0);
      await committing.query('ROLLBACK');
      await deletion;
    } finally {
      committing.release();
    }
    expect((await apiRefusal(t.client.getBatchJob(job.id))).status).toBe(404);
    await t.app.get(BatchShardScorer).score(job.id, 1);
    expect(await prisma.client.batchShard.count({ where: { jobId: job.id } })).toBe(0);
  });

  it('resumes a job after its process stopped: the shards it left are scored by the next one, none twice', async () => {
    // a process of its own (its own namespace: the job's shards wait in its queue in Redis)
    const env = { ATELIER_NAMESPACE: testNamespace('batch-restart'), ATELIER_ARTIFACT_DIR: artifacts };
    const first = await startTestApp([FeatureStoreModule, RegistryModule, ServingModule], env);
    let job: BatchJobResponse;
    let scoredBefore: string[];
    try {
      await first.app.get<Queue>(getQueueToken(BATCH_QUEUE)).pause(true); // it takes no shard by itself
      job = await first.client.createBatchJob({ model, version: 1, source: window, joinKeys: { [airport]: 'origin' }, shardRows: 100 });
      expect(job.shards.total).toBeGreaterThanOrEqual(2);
      // it scores one shard, then stops with the others still queued
      await first.app.get(BatchShardScorer).score(job.id, 0);
      scoredBefore = (await prisma.client.batchPrediction.findMany({ where: { jobId: job.id }, select: { predictionId: true } })).map(
        (p) => p.predictionId,
      );
      expect(scoredBefore.length).toBeGreaterThan(0);
      expect(await first.client.getBatchJob(job.id)).toMatchObject({ status: 'running', shards: { done: 1 } });
    } finally {
      await first.close();
    }

    const second = await startTestApp([FeatureStoreModule, RegistryModule, ServingModule], env);
    try {
      const done = await finished(job.id);
      expect(done).toMatchObject({
        status: 'succeeded',
        shards: { done: job.shards.total },
        rows: { total: FLIGHTS.length, scored: FLIGHTS.length },
      });
      // every flight once; the first process's shard kept as it was committed
      const stored = await prisma.client.batchPrediction.findMany({
        where: { jobId: job.id },
        select: { predictionId: true, shard: true, row: true },
      });
      expect(stored).toHaveLength(FLIGHTS.length);
      expect(new Set(stored.map((p) => `${p.shard}:${p.row}`)).size).toBe(FLIGHTS.length);
      expect(
        stored
          .filter((p) => p.shard === 0)
          .map((p) => p.predictionId)
          .sort(),
      ).toEqual([...scoredBefore].sort());
      const output = await second.client.batchOutput(job.id);
      expect(output.byteLength).toBeGreaterThan(0);
    } finally {
      await second.close();
    }
  }, 120_000);

  it("scores a CSV file, joining the features it lacks as of each row's time; refuses a file it cannot score, naming the column", async () => {
    const rows = FLIGHTS.slice(0, 150);
    const csv = (header: string, line: (f: (typeof FLIGHTS)[number], i: number) => string) =>
      new Blob([[header, ...rows.map(line)].join('\n')], { type: 'text/csv' });
    const good = csv('flight_no,origin,distance,at', (f) => `${f.id},${f.origin},${f.distance},${at(f.time)}`);
    const fields = { model, timeColumn: 'at', joinKeys: { [airport]: 'origin' }, passthrough: ['flight_no'], shardRows: 100 };

    const before = { jobs: await prisma.client.batchJob.count(), inputs: await prisma.client.batchInput.count() };
    const refusals = await Promise.all([
      apiRefusal(
        t.client.uploadBatchJob(
          csv('flight_no,origin,at', (f) => `${f.id},${f.origin},${at(f.time)}`),
          'f.csv',
          fields,
        ),
      ),
      apiRefusal(
        t.client.uploadBatchJob(
          csv('flight_no,origin,distance,at', (f, i) => `${f.id},${f.origin},${i === 2 ? 'far' : f.distance},${at(f.time)}`),
          'f.csv',
          fields,
        ),
      ),
      apiRefusal(
        t.client.uploadBatchJob(
          csv('flight_no,origin,distance,at', (f, i) => `${f.id},${f.origin},${f.distance},${i === 4 ? 'soon' : at(f.time)}`),
          'f.csv',
          fields,
        ),
      ),
      apiRefusal(t.client.uploadBatchJob(good, 'f.csv', { ...fields, timeColumn: undefined })),
      apiRefusal(t.client.uploadBatchJob(good, 'f.csv', { ...fields, passthrough: ['tail'] })),
      apiRefusal(t.client.uploadBatchJob(new Blob(['a,b\n1,2,3\n']), 'f.csv', fields)),
    ]);
    expect(refusals).toEqual([
      { status: 400, message: `the file has no column "distance": model ${model} v1 takes it with the request` },
      { status: 400, message: 'column "distance", row 3: "far" is not a number' },
      { status: 400, message: 'column "at", row 5: "soon" is not a time (ISO 8601 or epoch milliseconds)' },
      {
        status: 400,
        message: `model ${model} v1 reads "avg_delay" from the online store: give it as a column of the file, or a timeColumn (and the "${airport}" key column) to join it as of each row's time`,
      },
      { status: 400, message: 'the file has no column "tail": it is a passthrough column' },
      { status: 400, message: expect.stringMatching(/^the CSV file could not be read: /) as unknown as string },
    ]);
    expect({ jobs: await prisma.client.batchJob.count(), inputs: await prisma.client.batchInput.count() }).toEqual(before);

    const created = await t.client.uploadBatchJob(good, 'flights.csv', fields);
    expect(created).toMatchObject({
      source: { file: 'flights.csv', format: 'csv', rows: 150, timeColumn: 'at' },
      shards: { total: 2 },
      rows: { total: 150 },
    });
    const job = await finished(created.id);
    expect(job).toMatchObject({ status: 'succeeded', rows: { scored: 150 } });
    const page = await t.client.batchPredictions(job.id, { limit: 1000 });
    for (const p of page.predictions) {
      const f = FLIGHTS.find((x) => x.id === p.columns['flight_no'])!;
      expect(p.eventTime).toBe(at(f.time));
      expect(p.entities).toEqual({ [airport]: f.origin });
      expect(p.prediction).toBeCloseTo(probability(f.distance, delayAsOf(f.origin, f.time) ?? 10), 6);
    }
    expect(await prisma.client.batchInput.count({ where: { jobId: job.id } })).toBe(0); // scored shards keep no input rows
  });

  it('scores a Parquet file that carries the features itself, with no time column', async () => {
    const bytes = parquetWriteBuffer({
      columnData: [
        { name: 'distance', data: [300, 500, 700], type: 'DOUBLE' },
        { name: 'avg_delay', data: [10, 20, null], type: 'DOUBLE' },
        { name: 'note', data: ['tab\there', 'line\nbreak, \\N and "quotes" é', null], type: 'STRING' },
      ],
    });
    const created = await t.client.uploadBatchJob(new Blob([bytes]), 'rows.parquet', { model, version: 1, passthrough: ['note'] });
    expect(created).toMatchObject({ alias: null, source: { format: 'parquet', rows: 3, timeColumn: null } });
    const job = await finished(created.id);
    expect(job.status).toBe('succeeded');
    const { predictions } = await t.client.batchPredictions(job.id);
    expect(predictions.map((p) => p.prediction)).toEqual([
      expect.closeTo(probability(300, 10), 6),
      expect.closeTo(probability(500, 20), 6),
      expect.closeTo(probability(700, 10), 6),
    ]);
    expect(predictions.map((p) => p.missing)).toEqual([[], [], ['avg_delay']]);
    // stored and read back as given: the characters PostgreSQL's COPY escapes among them
    expect(predictions.map((p) => p.columns)).toEqual([{ note: 'tab\there' }, { note: 'line\nbreak, \\N and "quotes" é' }, { note: null }]);
  });

  it('refuses a file whose last row is bad, naming its column and row: no job, no input rows, no temp file', async () => {
    const rows = 20_000;
    const badLast = (i: number) => (i === rows - 1 ? fileRow(i).replace(/,\d+,(\d+),/, ',far,$1,') : fileRow(i));
    const fields = { model, version: '1', timeColumn: 'at', passthrough: '["flight_no"]', shardRows: '1000' };
    const message = `column "distance", row ${rows}: "far" is not a number`;
    const jobsBefore = (await t.client.listBatchJobs({ model, limit: 500 })).map((j) => j.id);
    vi.stubEnv('TMPDIR', temp);
    try {
      // read as it arrives (the fields first), and copied to disk first (the file first)
      expect(await postFile(fields, rows, badLast)).toMatchObject({ status: 400, body: { message } });
      expect(await postFile(fields, rows, badLast, true)).toMatchObject({ status: 400, body: { message } });
      // as the SDK sends it
      const lines = [FILE_HEADER, ...Array.from({ length: rows }, (_, i) => badLast(i))].join('\n');
      expect(
        await apiRefusal(
          t.client.uploadBatchJob(new Blob([lines]), 'rows.csv', {
            model,
            version: 1,
            timeColumn: 'at',
            passthrough: ['flight_no'],
            shardRows: 1000,
          }),
        ),
      ).toEqual({ status: 400, message });
      expect(uploadsLeft()).toBe(0);
    } finally {
      vi.unstubAllEnvs();
    }
    expect((await t.client.listBatchJobs({ model, limit: 500 })).map((j) => j.id)).toEqual(jobsBefore);
    expect(await orphanInputs()).toBe(0);
  }, 120_000);

  it('streams a file of 300,000 rows into its shards, holding a small part of it at a time', async () => {
    const rows = 300_000;
    const fileBytes = FILE_HEADER.length + 1 + Array.from({ length: rows }, (_, i) => fileRow(i).length + 1).reduce((a, b) => a + b, 0);
    const queue = t.app.get<Queue>(getQueueToken(BATCH_QUEUE));
    await queue.pause(true); // the rows are stored, not scored: this process takes no shard until resumed
    let job: BatchJobResponse | undefined;
    try {
      // the live heap (after a full collection) sampled while the file streams through
      const fields = { model, version: '1', timeColumn: 'at', passthrough: '["flight_no","origin"]', shardRows: '50000' };
      const { result: created, grownBytes } = await peakHeapGrowth(() => postFile(fields, rows, fileRow));
      console.info(
        `streamed batch upload: ${rows} rows, ${(fileBytes / 2 ** 20).toFixed(1)} MiB; live heap grew ${(grownBytes / 2 ** 20).toFixed(1)} MiB at most`,
      );
      expect(created).toMatchObject({
        status: 202,
        body: {
          status: 'queued',
          source: { file: 'rows.csv', format: 'csv', rows, timeColumn: 'at' },
          shards: { total: 6, done: 0 },
          rows: { total: rows, scored: 0 },
        },
      });
      job = created.body as unknown as BatchJobResponse;
      expect(grownBytes).toBeLessThan(fileBytes / 2);

      // every row in its shard, in file order, as read
      const perShard = await prisma.client.batchInput.groupBy({
        by: ['shard'],
        where: { jobId: job.id },
        _count: true,
        orderBy: { shard: 'asc' },
      });
      expect(perShard.map((g) => [g.shard, g._count])).toEqual([0, 1, 2, 3, 4, 5].map((shard) => [shard, 50_000]));
      const last = await prisma.client.batchInput.findUnique({ where: { jobId_shard_row: { jobId: job.id, shard: 5, row: 49_999 } } });
      expect(last?.value).toEqual({
        inputs: { distance: 100 + (299_999 % 7) * 150, avg_delay: 299_999 % 40 },
        entities: {},
        time: T0 + 299_999 * 1000,
        columns: { flight_no: 'F299999', origin: ['A', 'B', 'C'][299_999 % 3] },
      });
    } finally {
      if (job) await t.client.cancelBatchJob(job.id);
      await queue.resume(true);
    }
    expect(await prisma.client.batchInput.count({ where: { jobId: job.id } })).toBe(0); // a cancelled job's rows go
  }, 180_000);

  it('completes a job over an empty window, or a file without rows, at once, with an empty Parquet file', async () => {
    const job = await t.client.createBatchJob({
      model,
      source: { ...window, start: at(T0 - 10 * HOUR), end: at(T0 - 9 * HOUR) },
      joinKeys: { [airport]: 'origin' },
    });
    expect(job).toMatchObject({ status: 'succeeded', shards: { total: 0, done: 0 }, rows: { total: 0, scored: 0 } });
    const file = await t.client.batchOutput(job.id);
    expect(
      await parquetReadObjects({ file: file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength) as ArrayBuffer }),
    ).toEqual([]);

    const fromFile = await t.client.uploadBatchJob(new Blob([`${FILE_HEADER}\n`]), 'empty.csv', { model, timeColumn: 'at' });
    expect(fromFile).toMatchObject({
      status: 'succeeded',
      source: { file: 'empty.csv', format: 'csv', rows: 0, timeColumn: 'at' },
      shards: { total: 0, done: 0 },
      rows: { total: 0, scored: 0 },
      outputUrl: `/api/batch-jobs/${fromFile.id}/output.parquet`,
    });
    expect(fromFile.finishedAt).not.toBeNull();
    expect((await t.client.batchOutput(fromFile.id)).byteLength).toBeGreaterThan(0);
  });
});
