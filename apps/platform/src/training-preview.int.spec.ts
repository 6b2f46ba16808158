import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { TrainingPreviewResponse, TrainingRequestInput } from '@atelier/contracts';
import { FeatureStoreModule } from '@atelier/feature-store';
import { AtelierApiError } from '@atelier/sdk';
import { startTestApp, type TestApp, uniqueSuffix } from '@atelier/testing';
import { TrainingModule } from '@atelier/training';

/**
 * The dataset preview (POST /api/training-jobs/preview) against the real Postgres: exact source
 * rows per slice, the labelled share, label balance, per-input coverage after the point-in-time
 * join and sample rows — every figure counted by hand from the rows ingested below — and the
 * problems that would make a job fail, reported before any job starts.
 */
const WINDOW = { start: '2001-03-01T00:00:00Z', validationStart: '2001-03-11T00:00:00Z', end: '2001-03-15T00:00:00Z' };
const TRAINING_ROWS = 100;
const VALIDATION_ROWS = 40;
const STATIONS = ['A', 'B', 'C', 'D']; // D has no stats: its rows miss the joined feature

describe('training dataset preview (integration)', () => {
  const s = uniqueSuffix();
  const trips = `trips_${s}`;
  const stats = `station_stats_${s}`;
  const empty = `station_empty_${s}`;
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp([FeatureStoreModule, TrainingModule]);
    await t.client.createEntity({ name: `station_${s}`, joinKey: 'station', description: '' });
    await t.client.createEntity({ name: `trip_${s}`, joinKey: 'trip', description: '' });
    const float = (name: string) => ({ name, dtype: 'float' as const, description: '' });
    await t.client.createFeatureGroup({
      name: trips,
      entity: `trip_${s}`,
      ttlSeconds: 86_400,
      description: '',
      features: [
        { name: 'station', dtype: 'string', description: '' },
        float('distance'),
        { name: 'delayed', dtype: 'int', description: '' },
      ],
    });
    await t.client.createFeatureGroup({
      name: stats,
      entity: `station_${s}`,
      ttlSeconds: 90 * 86_400,
      description: '',
      features: [float('load')],
    });
    await t.client.createFeatureGroup({
      name: empty,
      entity: `station_${s}`,
      ttlSeconds: 86_400,
      description: '',
      features: [float('load')],
    });
    await t.client.ingestRows(
      stats,
      STATIONS.slice(0, 3).map((station, i) => ({ entityKey: station, eventTime: '2001-02-01T00:00:00Z', values: { load: i + 1 } })),
    );
    // training slice: row i at start + i h; the last 10 have no label, rows 80–89 no distance
    // validation slice: row j at validationStart + j h, all labelled; every 5th row is delayed
    const at = (base: string, hours: number) => new Date(Date.parse(base) + hours * 3_600_000).toISOString();
    const rows = [
      ...Array.from({ length: TRAINING_ROWS }, (_, i) => ({
        entityKey: `t${i}`,
        eventTime: at(WINDOW.start, i),
        values: { station: STATIONS[i % 4]!, distance: i >= 80 && i < 90 ? null : 100 + i, delayed: i >= 90 ? null : i % 5 === 0 ? 1 : 0 },
      })),
      ...Array.from({ length: VALIDATION_ROWS }, (_, j) => ({
        entityKey: `v${j}`,
        eventTime: at(WINDOW.validationStart, j),
        values: { station: STATIONS[j % 4]!, distance: 300 + j, delayed: j % 5 === 0 ? 1 : 0 },
      })),
    ];
    await t.client.ingestRows(trips, rows);
  });

  afterAll(async () => {
    await t?.close();
  });

  const request = (extra: Partial<Omit<TrainingRequestInput, 'modelType' | 'params'>> = {}): TrainingRequestInput => ({
    modelName: `preview_${s}`,
    source: { group: trips },
    window: WINDOW,
    joinKeys: { [`station_${s}`]: 'station' },
    features: [`${stats}:load`],
    requestFeatures: ['distance'],
    transforms: [{ name: 'log_distance', expression: 'log1p(distance)' }],
    label: 'delayed',
    modelType: 'logistic_regression',
    ...extra,
  });
  const preview = (body: TrainingRequestInput) => t.client.previewTraining(body);
  const refusalOf = async (call: Promise<unknown>) => {
    const error = await call.then(
      () => undefined,
      (e: unknown) => e,
    );
    if (!(error instanceof AtelierApiError)) throw new Error(`expected a refusal, got ${String(error)}`);
    return { status: error.status, code: error.body.code, message: error.body.message };
  };

  it('counts the rows of each slice exactly and reads the label, its balance and every input as the job would', async () => {
    const p: TrainingPreviewResponse = await preview(request());
    expect(p.slices.training).toMatchObject({ sourceRows: 100, sampledRows: 100, labelledShare: 0.9, estimatedLabelRows: 90 });
    expect(p.slices.validation).toMatchObject({ sourceRows: 40, sampledRows: 40, labelledShare: 1, estimatedLabelRows: 40 });
    // labelled rows: training 0–89 (18 delayed), validation 0–39 (8 delayed) → 26 of 130
    expect(p.label.task).toBe('binary_classification');
    expect(p.label.classes).toEqual([
      { value: 0, share: 104 / 130 },
      { value: 1, share: 26 / 130 },
    ]);
    const input = (name: string) => p.inputs.find((i) => i.name === name);
    // station D (every 4th row) has no stats: 22 labelled training rows and 10 validation rows
    expect(input(`${stats}:load`)).toEqual({ name: `${stats}:load`, source: 'feature', missingShare: 32 / 130, min: 1, max: 3 });
    // distance is missing on training rows 80–89, and so is its transform
    expect(input('distance')).toMatchObject({ source: 'request', missingShare: 10 / 130, min: 100, max: 339 });
    expect(input('log_distance')).toMatchObject({ source: 'transform', missingShare: 10 / 130, min: Math.log1p(100) });
    expect(p.problems).toEqual([]);
    expect(p.warnings).toEqual([]);
    // sample rows from both slices, in event-time order, with the joined value as of each row
    expect(p.rows.map((r) => r.slice)).toEqual([...Array(5).fill('training'), ...Array(5).fill('validation')]);
    expect(p.rows[0]).toEqual({
      eventTime: WINDOW.start.replace('Z', '.000Z'),
      slice: 'training',
      label: 1,
      values: { [`${stats}:load`]: 1, distance: 100, log_distance: Math.log1p(100) },
    });
  });

  it('samples a large slice evenly and still counts its rows exactly', async () => {
    const set = await t.client.trainingSet({
      source: { group: trips, start: WINDOW.start, end: WINDOW.validationStart },
      joinKeys: {},
      features: [],
      columns: ['delayed'],
      sample: 10,
    });
    expect(set.sourceRows).toBe(100);
    expect(set.rowCount).toBe(10);
    // every 10th row: hours 0, 10, 20, …
    expect(set.eventTimes).toEqual(Array.from({ length: 10 }, (_, k) => Date.parse(WINDOW.start) + k * 10 * 3_600_000));
  });

  it('reports what would make the job fail, before any job starts', async () => {
    const constant = await preview(request({ label: 'delayed * 0' }));
    expect(constant.problems).toEqual(['the label expression "delayed * 0" gives 0 on every sampled row: there is nothing to learn']);

    const absent = await preview(request({ features: [`${empty}:load`] }));
    expect(absent.problems).toEqual([
      `feature "${empty}:load" has no value on any sampled row: check its join key and its group's rows and TTL in this window`,
    ]);

    const nothing = await preview(
      request({ window: { start: '1990-01-01T00:00:00Z', validationStart: '1990-01-02T00:00:00Z', end: '1990-01-03T00:00:00Z' } }),
    );
    expect(nothing.problems).toEqual([
      `the training slice [1990-01-01T00:00:00Z, 1990-01-02T00:00:00Z) holds no rows of "${trips}"`,
      `the validation slice [1990-01-02T00:00:00Z, 1990-01-03T00:00:00Z) holds no rows of "${trips}"`,
    ]);

    const notBinary = await preview(request({ label: 'distance' }));
    expect(notBinary.problems).toHaveLength(1);
    expect(notBinary.problems[0]).toMatch(/^binary classification needs a label of 0 or 1; the training rows have 100 \(row 0\)/);

    // training rows 80–99 remain: distance is missing on all labelled ones (80–89), present in validation
    const trainingOnly = await preview(request({ window: { ...WINDOW, start: '2001-03-04T08:00:00Z' } }));
    expect(trainingOnly.problems).toEqual([
      'request input "distance" has no value on any sampled row of the training slice',
      'transform input "log_distance" has no value on any sampled row of the training slice',
    ]);
  });

  it("judges a partitioned request by its column's values in the sample: enough rows, too few, or none in sight", async () => {
    // 90 labelled training rows, stations in turn: A and B 23 each, C and D 22; 10 each in validation
    const partitioned = (column: string, minRows: number) => preview(request({ partition: { column, minRows } }));
    const enough = await partitioned('station', 20);
    expect(enough.problems).toEqual([]);
    expect(enough.warnings).toEqual([]);
    expect(enough.inputs.find((i) => i.name === 'station')).toEqual({ name: 'station', source: 'request', missingShare: 0, distinct: 4 });

    const close = await partitioned('station', 40);
    expect(close.problems).toEqual([]);
    expect(close.warnings).toEqual([
      'no value of the partition column "station" has 40 training rows (partition.minRows) and a validation row in the sample\'s estimate (the most: "A" with about 23): the job may train no partition',
    ]);
    expect((await partitioned('station', 100)).problems).toEqual([
      'no value of the partition column "station" has 100 training rows (partition.minRows) and a validation row in the sample\'s estimate (the most: "A" with about 23): the job would have no partition to train',
    ]);
    // a number column partitions by each of its values: one row each
    expect((await partitioned('distance', 10)).problems).toEqual([
      'no value of the partition column "distance" has 10 training rows (partition.minRows) and a validation row in the sample\'s estimate (the most: "100" with about 1): the job would have no partition to train',
    ]);
  });

  it('refuses a request it cannot read with a 4xx naming the problem', async () => {
    const unknown = await refusalOf(preview(request({ features: [`nowhere_${s}:load`] })));
    expect(unknown).toMatchObject({ status: 404, code: 'NOT_FOUND', message: `feature group "nowhere_${s}" does not exist` });
    const syntax = await refusalOf(preview(request({ label: 'delayed >' })));
    expect(syntax).toMatchObject({ status: 400, code: 'BAD_REQUEST' });
    expect(syntax.message).toMatch(/^label: /);
    const noJoinKey = await refusalOf(preview(request({ joinKeys: {} })));
    expect(noJoinKey).toMatchObject({ status: 400, code: 'BAD_REQUEST' });
    expect(noJoinKey.message).toMatch(/map it to a source column in joinKeys/);
  });
});
