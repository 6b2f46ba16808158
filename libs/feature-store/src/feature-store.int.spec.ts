import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { parquetMetadata } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';

import { loadConfig } from '@atelier/config';
import type { ConsumerLagResponse, FeatureDtype, FeatureRowEvent, FeatureValue } from '@atelier/contracts';
import { PrismaService } from '@atelier/db';
import { type DeadLetter, KafkaService } from '@atelier/kafka';
import { onlineStoreMarkerKey } from '@atelier/online-store';
import type { AtelierApiError } from '@atelier/sdk';
import { authHeaders, createMigratedDatabase, eventually, peakHeapGrowth, postStreamedCsv, startTestApp, type TestApp, testDatabaseUrl, uniqueSuffix } from '@atelier/testing';

import { FeatureRowsConsumer } from './feature-rows.consumer';
import { FeatureStoreModule } from './feature-store.module';

// Against the real Postgres (offline store), Redis (online store) and Redis-backed Bull queue.
describe('feature store (integration)', () => {
  let t: TestApp;
  const s = uniqueSuffix();
  const entity = `airport_${s}`;
  const stats = `delay_stats_${s}`;
  const flights = `flights_${s}`;
  // uploads copied to disk go to a directory of this file's own (the app runs in this process), so
  // another test process's copies are not counted as left behind
  const temp = mkdtempSync(path.join(tmpdir(), 'feature-store-spec-'));

  beforeAll(async () => {
    vi.stubEnv('TMPDIR', temp);
    t = await startTestApp([FeatureStoreModule]);
    await t.client.createEntity({ name: entity, joinKey: 'airport', description: '' });
    await t.client.createEntity({ name: `flight_${s}`, joinKey: 'flight_id', description: '' });
    await t.client.createFeatureGroup({
      name: stats,
      entity,
      ttlSeconds: 3 * 3600,
      description: '',
      features: [
        { name: 'mean_delay', dtype: 'float', description: '' },
        { name: 'flights', dtype: 'int', description: '' },
      ],
    });
    await t.client.createFeatureGroup({
      name: flights,
      entity: `flight_${s}`,
      ttlSeconds: 3600,
      description: '',
      features: [
        { name: 'origin', dtype: 'string', description: '' },
        { name: 'delay', dtype: 'int', description: '' },
      ],
    });
  });

  afterAll(async () => {
    await t?.close();
    vi.unstubAllEnvs();
    rmSync(temp, { recursive: true, force: true });
  });

  /** A group of the test's entity with these features (name → dtype), kept an hour. */
  const createGroup = (name: string, features: Record<string, FeatureDtype>) =>
    t.client.createFeatureGroup({ name, entity, ttlSeconds: 3600, description: '', features: Object.entries(features).map(([f, dtype]) => ({ name: f, dtype, description: '' })) });

  it('imports a file of rows (CSV, JSON Lines, Parquet) whole, or refuses it naming the column and row and stores nothing', async () => {
    const group = `imported_${s}`;
    await createGroup(group, { mean_delay: 'float', flights: 'int', busy: 'bool', city: 'string' });
    const csv = (lines: string[]) => new Blob([['airport,at,mean_delay,flights,busy,city,ignored', ...lines].join('\n')]);
    const refused = async (file: Blob, fields: { timeColumn: string; entityColumn?: string } = { timeColumn: 'at' }) => {
      const error = (await t.client.importRowsFile(group, file, 'rows.csv', fields).catch((e: unknown) => e)) as AtelierApiError;
      return { status: error.status, message: error.body.message };
    };
    expect(await refused(csv(['ORD,2001-01-01T10:00:00Z,5.5,3,true,Chicago,x', 'SFO,2001-01-01T10:00:00Z,late,2,false,,x']))).toEqual({
      status: 400,
      message: 'column "mean_delay", row 2: "late" is not a number',
    });
    expect(await refused(csv(['ORD,2001-01-01T10:00:00Z,5.5,3.5,true,Chicago,x']))).toEqual({ status: 400, message: 'column "flights", row 1: "3.5" is not an integer' });
    expect(await refused(csv(['ORD,2001-01-01T10:00:00Z,5.5,1e300,true,Chicago,x']))).toEqual({
      status: 400,
      message: 'column "flights", row 1: "1e300" is beyond an integer feature\'s range (±2^53 − 1)',
    });
    expect(await refused(csv(['ORD,2001-01-01T10:00:00Z,5.5,3,maybe,Chicago,x']))).toEqual({ status: 400, message: 'column "busy", row 1: "maybe" is not true or false' });
    expect(await refused(csv(['ORD,2001-01-01T10:00:00Z,5.5,3,true,Chi\u0000cago,x']))).toEqual({
      status: 400,
      message: 'column "city", row 1: "Chi\\u0000cago" holds a NUL character, which cannot be stored',
    });
    expect(await refused(csv(['ORD,yesterday,5.5,3,true,Chicago,x']))).toEqual({
      status: 400,
      message: 'column "at", row 1: "yesterday" is not a time (ISO 8601 or epoch milliseconds)',
    });
    expect(await refused(csv(['ORD,2001-01-01T10:00:00Z,5.5,3,true,Chicago,x']), { timeColumn: 'when' })).toEqual({
      status: 400,
      message: 'the file has no column "when": it is the time column',
    });
    expect(await refused(csv(['ORD,2001-01-01T10:00:00Z,5.5,3,true,Chicago,x']), { timeColumn: 'at', entityColumn: 'origin' })).toEqual({
      status: 400,
      message: 'the file has no column "origin": it is the entity key column',
    });
    expect((await t.client.getFeatureGroup(group)).rowCount).toBe(0);

    const imported = await t.client.importRowsFile(group, csv(['ORD,2001-01-01T10:00:00Z,5.5,3,true,Chicago,x', 'SFO,978343200000,,2,0,,x']), 'rows.csv', {
      timeColumn: 'at',
      entityColumn: 'airport',
    });
    expect(imported).toEqual({ group, accepted: 2, inserted: 2, replaced: 0 });
    const lines = [{ airport: 'ORD', at: '2001-01-01T12:00:00Z', mean_delay: 7, flights: 4, busy: false, city: 'Chicago' }].map((r) => JSON.stringify(r));
    expect(await t.client.importRowsFile(group, new Blob([lines.join('\n')]), 'rows.jsonl', { timeColumn: 'at', entityColumn: 'airport' })).toMatchObject({ inserted: 1 });
    const parquet = parquetWriteBuffer({
      columnData: [
        { name: 'airport', data: ['DEN'], type: 'STRING' },
        { name: 'at', data: [new Date('2001-01-01T09:00:00Z')], type: 'TIMESTAMP' },
        { name: 'flights', data: [9], type: 'INT32' },
      ],
    });
    expect(await t.client.importRowsFile(group, new Blob([parquet]), 'rows.parquet', { timeColumn: 'at', entityColumn: 'airport' })).toMatchObject({ inserted: 1 });

    const set = await t.client.trainingSet({
      source: { group, start: '2001-01-01T00:00:00Z', end: '2001-01-02T00:00:00Z' },
      joinKeys: {},
      features: [],
      columns: ['mean_delay', 'flights', 'busy', 'city'],
    });
    expect(set.eventTimes.map((ms) => new Date(ms).toISOString())).toEqual(['2001-01-01T09:00:00.000Z', '2001-01-01T10:00:00.000Z', '2001-01-01T10:00:00.000Z', '2001-01-01T12:00:00.000Z']);
    expect(set.columns).toEqual({ mean_delay: [null, 5.5, null, 7], flights: [9, 3, 2, 4], busy: [null, 1, 0, 0], city: [null, 'Chicago', null, 'Chicago'] });
  });

  /** A CSV row of the streamed imports: entities A0..A499, one second apart from `start` (2001-01-01). */
  const streamedRow = (i: number, start = Date.UTC(2001, 0, 1)) =>
    `A${i % 500},${new Date(start + i * 1000).toISOString()},${(i % 97) / 4},${i % 13},${i % 2 === 0},city${i % 7}`;
  const uploadsLeft = () => readdirSync(temp).filter((name) => name.startsWith('atelier-upload-')).length;

  /**
   * Posts a CSV file as multipart/form-data generated while it is sent (never whole in memory):
   * `before` fields, the file (a header, then `rows` rows), `after` fields.
   */
  const postStreamed = (group: string, rows: number, row: (i: number) => string, before: Record<string, string>, after: Record<string, string> = {}) =>
    postStreamedCsv(`${t.baseUrl}/api/feature-groups/${group}/rows/upload`, t.adminKey, { header: 'airport,at,mean_delay,flights,busy,city', rows, row, before, after });

  it('streams a file of 300,000 rows in, holding a small part of it at a time', async () => {
    const group = `large_file_${s}`;
    await createGroup(group, { mean_delay: 'float', flights: 'int', busy: 'bool', city: 'string' });
    const rows = 300_000;
    const fileBytes = Array.from({ length: rows }, (_, i) => streamedRow(i).length + 1).reduce((a, b) => a + b, 0);
    // the live heap (after a full collection) sampled while the file streams through
    const { result: imported, grownBytes } = await peakHeapGrowth(() => postStreamed(group, rows, streamedRow, { timeColumn: 'at', entityColumn: 'airport' }));
    expect(imported).toEqual({ status: 201, body: { group, accepted: rows, inserted: rows, replaced: 0 } });
    expect((await t.client.getFeatureGroup(group)).rowCount).toBe(rows);
    console.info(`streamed import: ${rows} rows, ${(fileBytes / 2 ** 20).toFixed(1)} MiB; live heap grew ${(grownBytes / 2 ** 20).toFixed(1)} MiB at most`);
    // read whole, the file's rows alone take 3.5 times its size (48 MiB of rows for its 13.8 MiB)
    expect(grownBytes).toBeLessThan(fileBytes / 2);
    const stats = await t.client.featureGroupStats(group);
    expect(stats).toMatchObject({ rows, entities: 500, oldestEventTime: '2001-01-01T00:00:00.000Z', newestEventTime: new Date(Date.UTC(2001, 0, 1) + (rows - 1) * 1000).toISOString() });
    expect(stats.features.find((f) => f.name === 'flights')).toMatchObject({ count: rows, min: 0, max: 12 });
    expect(uploadsLeft()).toBe(0);
  }, 180_000);

  it('refuses a large file whose last row is bad naming its column and row, storing nothing offline or online, and leaves no temp file', async () => {
    const group = `bad_last_${s}`;
    await createGroup(group, { mean_delay: 'float', flights: 'int', busy: 'bool', city: 'string' });
    const rows = 100_000;
    // recent rows: each entity's newest within the TTL, so an online write would show
    const start = Date.now() - rows * 1000;
    const badLast = (i: number) => (i === rows - 1 ? streamedRow(i, start).replace(/,\d+,(true|false),/, ',many,$1,') : streamedRow(i, start));
    const message = `column "flights", row ${rows}: "many" is not a number`;
    // streamed as it arrives (the fields first), and copied to disk first (the file first, as the SDK sends it)
    expect(await postStreamed(group, rows, badLast, { timeColumn: 'at', entityColumn: 'airport', writeOnline: 'true' })).toMatchObject({ status: 400, body: { message } });
    const lines = ['airport,at,mean_delay,flights,busy,city', ...Array.from({ length: rows }, (_, i) => badLast(i))];
    const error = (await t.client
      .importRowsFile(group, new Blob([lines.join('\n')]), 'rows.csv', { timeColumn: 'at', entityColumn: 'airport', writeOnline: true })
      .catch((e: unknown) => e)) as AtelierApiError;
    expect({ status: error.status, message: error.body.message }).toEqual({ status: 400, message });
    expect((await t.client.getFeatureGroup(group)).rowCount).toBe(0);
    const online = await t.client.onlineFeatures({ features: [`${group}:flights`], entities: { [entity]: ['A0', 'A499'] } });
    expect(online.rows.map((r) => r.values)).toEqual([{ [`${group}:flights`]: null }, { [`${group}:flights`]: null }]);
    // a bad second row answers while the rest is still on its way; a field after a streamed file is refused
    expect(await postStreamed(group, rows, (i) => (i === 1 ? 'SFO,soon,1,1,true,x' : streamedRow(i)), { timeColumn: 'at' })).toMatchObject({
      status: 400,
      body: { message: 'column "at", row 2: "soon" is not a time (ISO 8601 or epoch milliseconds)' },
    });
    expect(await postStreamed(group, 10, streamedRow, { timeColumn: 'at' }, { writeOnline: 'true' })).toMatchObject({
      status: 400,
      body: { message: 'the field "writeOnline" came after the file: send every field before the file, or all of them after it' },
    });
    expect((await t.client.getFeatureGroup(group)).rowCount).toBe(0);
    expect(uploadsLeft()).toBe(0);
  }, 120_000);

  it('imports Parquet row group by row group, and the same file again replaces what it stored (inserted 0)', async () => {
    const group = `row_groups_${s}`;
    await createGroup(group, { mean_delay: 'float', flights: 'int' });
    const rows = 5500;
    // recent rows: each entity's newest is within the TTL, so it is written online
    const start = Date.now() - rows * 1000;
    const parquet = parquetWriteBuffer({
      columnData: [
        { name: 'airport', data: Array.from({ length: rows }, (_, i) => `P${i % 50}`), type: 'STRING' },
        { name: 'at', data: Array.from({ length: rows }, (_, i) => new Date(start + i * 1000)), type: 'TIMESTAMP' },
        { name: 'mean_delay', data: Array.from({ length: rows }, (_, i) => i / 2), type: 'DOUBLE' },
        { name: 'flights', data: Array.from({ length: rows }, (_, i) => i), type: 'INT32' },
      ],
      rowGroupSize: 1000,
    });
    expect(parquetMetadata(parquet).row_groups.map((g) => Number(g.num_rows))).toEqual([1000, 1000, 1000, 1000, 1000, 500]);
    const form = { timeColumn: 'at', entityColumn: 'airport', writeOnline: true };
    expect(await t.client.importRowsFile(group, new Blob([parquet]), 'rows.parquet', form)).toEqual({ group, accepted: rows, inserted: rows, replaced: 0 });
    expect(await t.client.importRowsFile(group, new Blob([parquet]), 'rows.parquet', form)).toEqual({ group, accepted: rows, inserted: 0, replaced: rows });
    expect((await t.client.getFeatureGroup(group)).rowCount).toBe(rows);
    const set = await t.client.trainingSet({
      source: { group, start: new Date(start).toISOString(), end: new Date().toISOString() },
      joinKeys: {},
      features: [],
      columns: ['mean_delay', 'flights'],
    });
    expect(set.columns.flights).toEqual(Array.from({ length: rows }, (_, i) => i));
    expect(set.columns.mean_delay).toEqual(Array.from({ length: rows }, (_, i) => i / 2));
    // online: each entity's newest row of the file (P0's is row 5450)
    const online = await t.client.onlineFeatures({ features: [`${group}:flights`], entities: { [entity]: ['P0', 'P49'] } });
    expect(online.rows.map((r) => r.values[`${group}:flights`])).toEqual([5450, 5499]);
    expect(uploadsLeft()).toBe(0);
  });

  it("describes a group's rows: counts, freshness and each feature's statistics, as computed by hand", async () => {
    const group = `described_${s}`;
    await createGroup(group, { delay: 'float', busy: 'bool', city: 'string' });
    const empty = await t.client.featureGroupStats(group);
    expect(empty).toMatchObject({ rows: 0, entities: 0, newestEventTime: null, lastMaterialization: null });
    expect(empty.features[0]).toMatchObject({ name: 'delay', count: 0, missingShare: null, mean: null });
    await t.client.ingestRows(group, [
      { entityKey: 'ORD', eventTime: '2001-01-01T00:00:00Z', values: { delay: 10, busy: true, city: 'Chicago' } },
      { entityKey: 'ORD', eventTime: '2001-01-02T00:00:00Z', values: { delay: -2, busy: false, city: 'Chicago' } },
      { entityKey: 'SFO', eventTime: '2001-01-03T00:00:00Z', values: { delay: null, busy: true, city: 'San Francisco' } },
      { entityKey: 'BOS', eventTime: '2001-01-02T12:00:00Z', values: { delay: 4, busy: null, city: null } },
    ]);
    const stats = await t.client.featureGroupStats(group);
    expect(stats).toMatchObject({ group, rows: 4, entities: 3, oldestEventTime: '2001-01-01T00:00:00.000Z', newestEventTime: '2001-01-03T00:00:00.000Z' });
    expect(Date.parse(stats.lastIngestedAt!)).toBeGreaterThan(Date.now() - 60_000);
    expect(stats.features).toEqual([
      { name: 'delay', dtype: 'float', count: 3, missingShare: 0.25, mean: 4, min: -2, max: 10, distinct: null },
      { name: 'busy', dtype: 'bool', count: 3, missingShare: 0.25, mean: 2 / 3, min: 0, max: 1, distinct: null },
      { name: 'city', dtype: 'string', count: 3, missingShare: 0.25, mean: null, min: null, max: null, distinct: 2 },
    ]);
    expect((await fetch(`${t.baseUrl}/api/feature-groups/nope_${s}/stats`, { headers: authHeaders() })).status).toBe(404);
  });

  it('describes numbers near the ends of float8 without an error, and refuses an int beyond 2^53', async () => {
    const group = `extreme_${s}`;
    await createGroup(group, { delay: 'float', flights: 'int' });
    await t.client.ingestRows(group, [
      { entityKey: 'ORD', eventTime: '2001-01-01T00:00:00Z', values: { delay: 1e300, flights: 1 } },
      { entityKey: 'SFO', eventTime: '2001-01-01T00:00:00Z', values: { delay: -1e300, flights: 3 } },
      { entityKey: 'BOS', eventTime: '2001-01-01T00:00:00Z', values: { delay: 1e300, flights: 2 } },
    ]);
    // float8's avg sums the squares too (1e600: an overflow error, a 500 before)
    const stats = await t.client.featureGroupStats(group);
    expect(stats.features[0]).toMatchObject({ name: 'delay', count: 3, min: -1e300, max: 1e300 });
    expect(stats.features[0]!.mean).toBeCloseTo(1e300 / 3, -290);
    const refused = (await t.client
      .ingestRows(group, [{ entityKey: 'ORD', eventTime: '2001-01-02T00:00:00Z', values: { flights: 1e300 } }])
      .catch((e: unknown) => e)) as AtelierApiError;
    expect(refused).toMatchObject({ status: 400, message: expect.stringContaining('feature "flights" is int, got 1e+300') });
  });

  it('ingests rows streamed on Kafka into both stores; a message again or late changes nothing; a bad one is set aside with its reason', async () => {
    const group = `streamed_${s}`;
    await createGroup(group, { mean_delay: 'float', flights: 'int' });
    const kafka = t.app.get(KafkaService);
    await t.app.get(FeatureRowsConsumer).whenRunning();
    const letters: DeadLetter[] = [];
    await kafka.subscribe({ group: `test-stream-dead-letters-${s}`, topics: ['deadLetters'], schema: z.custom<DeadLetter>(), handle: async (e) => void letters.push(...e) });
    const now = Date.now();
    const row = (entityKey: string, minutesAgo: number, values: Record<string, unknown>, to = group) =>
      ({ type: 'feature-row', schemaVersion: 1, group: to, entityKey, eventTime: new Date(now - minutesAgo * 60_000).toISOString(), values }) as FeatureRowEvent;
    const send = (events: unknown[]) =>
      kafka.publish('featureRows', events.map((e) => ({ key: `${(e as FeatureRowEvent).group}:${(e as FeatureRowEvent).entityKey}`, value: e })));
    const prisma = t.app.get(PrismaService).client;
    const offline = () => prisma.featureRow.count({ where: { groupName: group } });
    const onlineValues = async () =>
      (await t.client.onlineFeatures({ features: [`${group}:mean_delay`, `${group}:flights`], entities: { [entity]: ['ORD', 'SFO', 'BOS', 'JFK'] } })).rows.map((r) => r.values);

    await send([row('ORD', 30, { mean_delay: 10.5, flights: 3 }), row('ORD', 10, { mean_delay: 12.5, flights: 4 }), row('SFO', 20, { mean_delay: 7, flights: 2 })]);
    // a bad message of each kind among good ones: each set aside, the others stored
    await send([
      row('JFK', 5, { mean_delay: 'late', flights: 1 }),
      row('JFK', 5, { mean_delay: 1, flights: 1 }, `no_such_group_${s}`),
      row('JFK', 5, { mean_delay: 1, gates: 1 }),
      { type: 'feature-row', group, entityKey: 'JFK' },
      row('BOS', 5, { mean_delay: 3.5, flights: 1 }),
    ]);
    await eventually(async () => ((await offline()) === 4 && letters.length === 4 ? true : undefined), 30_000);
    const value = (mean: number | null, flights: number | null) => ({ [`${group}:mean_delay`]: mean, [`${group}:flights`]: flights });
    expect(await onlineValues()).toEqual([value(12.5, 4), value(7, 2), value(3.5, 1), value(null, null)]);
    expect(letters.map((l) => [l.group, l.reason.replace(/:.*/s, '')])).toEqual(Array(4).fill(['feature-store', expect.any(String)]));
    expect(letters.map((l) => l.reason).sort()).toEqual(
      [
        expect.stringMatching(/^does not match its contract: schemaVersion/),
        `refused by its consumer: feature group "no_such_group_${s}" does not exist`,
        `refused by its consumer: row does not match feature group "${group}": feature "mean_delay" is float, got "late"`,
        `refused by its consumer: row does not match feature group "${group}": unknown feature "gates"`,
      ].sort(),
    );

    // delivered again, and a late row older than the one online: one more offline row, online unchanged
    await send([row('ORD', 30, { mean_delay: 10.5, flights: 3 }), row('ORD', 60, { mean_delay: 99, flights: 9 })]);
    await eventually(async () => ((await offline()) === 5 ? true : undefined), 30_000);
    expect(await onlineValues()).toEqual([value(12.5, 4), value(7, 2), value(3.5, 1), value(null, null)]);

    // how far the consumer group is behind, as the broker has it: caught up
    const lag = await eventually(async () => {
      const response = await fetch(`${t.baseUrl}/api/feature-rows/consumer`, { headers: authHeaders() });
      const body = (await response.json()) as ConsumerLagResponse;
      return response.status === 200 && body.lag === 0 && body.partitions.some((p) => p.committed !== null) ? body : undefined;
    }, 30_000);
    expect(lag.group).toMatch(/\.feature-store$/);
    expect(lag.partitions.every((p) => p.topic.endsWith('.feature-rows.v1') && p.lag === 0)).toBe(true);
  });

  it('rejects a batch with one bad row and stores none of it', async () => {
    const error = await t.client
      .ingestRows(stats, [
        { entityKey: 'ORD', eventTime: '2001-01-01T10:00:00Z', values: { mean_delay: 5, flights: 3 } },
        { entityKey: 'ORD', eventTime: '2001-01-01T11:00:00Z', values: { mean_delay: 'late', flights: 3 } },
      ])
      .catch((e: AtelierApiError) => e);
    expect((error as AtelierApiError).status).toBe(400);
    expect((error as AtelierApiError).body.message).toMatch(/mean_delay/);
    expect((await t.client.getFeatureGroup(stats)).rowCount).toBe(0);
  });

  it('ingests idempotently: a batch sent again stores nothing twice, and a repeated entity and event time takes the last values', async () => {
    const retried = `retried_${s}`;
    await t.client.createFeatureGroup({ name: retried, entity, ttlSeconds: 3600, description: '', features: [{ name: 'mean_delay', dtype: 'float', description: '' }] });
    const batch = Array.from({ length: 300 }, (_, i) => ({
      entityKey: `A${i % 30}`,
      eventTime: new Date(Date.parse('2001-01-01T00:00:00Z') + Math.floor(i / 30) * 60_000).toISOString(),
      values: { mean_delay: i },
    }));
    expect(await t.client.ingestRows(retried, batch)).toEqual({ group: retried, accepted: 300, inserted: 300, replaced: 0 });
    // a client retrying after a timeout sends the same batch twice more
    for (let attempt = 0; attempt < 2; attempt++) expect(await t.client.ingestRows(retried, batch)).toEqual({ group: retried, accepted: 300, inserted: 0, replaced: 300 });
    expect((await t.client.getFeatureGroup(retried)).rowCount).toBe(300);
    // the same entity and instant twice in a batch, written with another precision: the last one wins
    const again = await t.client.ingestRows(retried, [
      { entityKey: 'A0', eventTime: '2001-01-01T00:00:00.000+00:00', values: { mean_delay: -1 } },
      { entityKey: 'A0', eventTime: '2001-01-01T01:00:00+01:00', values: { mean_delay: -2 } },
      { entityKey: 'A0', eventTime: '2001-01-01T00:10:00Z', values: { mean_delay: 7 } },
    ]);
    expect(again).toEqual({ group: retried, accepted: 3, inserted: 1, replaced: 2 });
    expect((await t.client.getFeatureGroup(retried)).rowCount).toBe(301);
    const set = await t.client.trainingSet({
      source: { group: retried, start: '2001-01-01T00:00:00Z', end: '2001-01-01T00:00:01Z' },
      joinKeys: {},
      features: [],
      columns: ['mean_delay'],
    });
    expect(set.rowCount).toBe(30);
    expect(set.columns.mean_delay![0]).toBe(-2);
  });

  it('cuts a window into consecutive time ranges of about the rows asked, each counted exactly', async () => {
    const cut = `cut_${s}`;
    await createGroup(cut, { v: 'int' });
    // 23 event times a minute apart, holding 1, 2, 3, 1, 2, 3, … rows (one entity each)
    const rows = Array.from({ length: 23 }, (_, m) =>
      Array.from({ length: (m % 3) + 1 }, (_, k) => ({
        entityKey: `E${k}`,
        eventTime: new Date(Date.UTC(2001, 0, 5, 8, m)).toISOString(),
        values: { v: m },
      })),
    ).flat();
    await t.client.ingestRows(cut, rows);
    const window = { start: '2001-01-05T08:00:00.000Z', end: '2001-01-05T09:00:00.000Z' };
    const { parts, rows: total } = await t.client.partitionRows(cut, { ...window, rowsPerPart: 4 });
    expect(total).toBe(rows.length);
    expect(parts[0]!.start).toBe(window.start);
    expect(parts.at(-1)!.end).toBe(window.end);
    parts.forEach((part, i) => {
      if (i > 0) expect(part.start).toBe(parts[i - 1]!.end);
      // each part's count is exactly the rows of its range
      expect(part.rows).toBe(rows.filter((r) => r.eventTime >= part.start && r.eventTime < part.end).length);
    });
    expect(parts.reduce((n, p) => n + p.rows, 0)).toBe(rows.length);
  });

  it('answers 404 with the error shape for an unknown group', async () => {
    const response = await fetch(`${t.baseUrl}/api/feature-groups/nope_${s}`, { headers: authHeaders() });
    const body = (await response.json()) as Record<string, unknown>;
    expect(response.status).toBe(404);
    expect(body).toMatchObject({ code: 'NOT_FOUND' });
    expect(body.requestId).toBe(response.headers.get('x-request-id'));
  });

  it('joins features point-in-time: never a value from after the label row, none older than the TTL', async () => {
    await t.client.ingestRows(stats, [
      { entityKey: 'ORD', eventTime: '2001-01-01T10:00:00Z', values: { mean_delay: 10, flights: 1 } },
      { entityKey: 'ORD', eventTime: '2001-01-01T12:00:00Z', values: { mean_delay: 20, flights: 2 } },
      { entityKey: 'SFO', eventTime: '2001-01-01T09:00:00Z', values: { mean_delay: 30, flights: 3 } },
    ]);
    await t.client.ingestRows(flights, [
      { entityKey: 'f1', eventTime: '2001-01-01T09:30:00Z', values: { origin: 'ORD', delay: 1 } }, // before any ORD value
      { entityKey: 'f2', eventTime: '2001-01-01T11:59:59Z', values: { origin: 'ORD', delay: 2 } }, // sees 10, not 20
      { entityKey: 'f3', eventTime: '2001-01-01T12:00:00Z', values: { origin: 'ORD', delay: 3 } }, // exactly at 12:00 → 20
      { entityKey: 'f4', eventTime: '2001-01-01T12:30:00Z', values: { origin: 'SFO', delay: 4 } }, // 3.5 h old > TTL → null
      { entityKey: 'f5', eventTime: '2001-01-01T11:00:00Z', values: { origin: 'SFO', delay: 5 } }, // 2 h old → 30
    ]);
    const set = await t.client.trainingSet({
      source: { group: flights, start: '2001-01-01T00:00:00Z', end: '2001-01-02T00:00:00Z' },
      joinKeys: { [entity]: 'origin' },
      features: [`${stats}:mean_delay`],
      columns: ['delay'],
    });
    expect(set.rowCount).toBe(5);
    expect(set.columns.delay).toEqual([1, 5, 2, 3, 4]);
    expect(set.columns[`${stats}:mean_delay`]).toEqual([null, 30, 10, 20, null]);
    set.featureTimes[`${stats}:mean_delay`]!.forEach((time, i) => {
      if (time !== null) expect(time).toBeLessThanOrEqual(set.eventTimes[i]!);
    });
  });

  it("joins rows from before the window: each entity's newest of the look-back, while within the TTL of the label row", async () => {
    // groups of its own: other tests read the shared ones' newest rows
    const stats = `lookback_stats_${s}`;
    const flights = `lookback_flights_${s}`;
    await t.client.createFeatureGroup({ name: stats, entity, ttlSeconds: 3 * 3600, description: '', features: [{ name: 'mean_delay', dtype: 'float', description: '' }, { name: 'flights', dtype: 'int', description: '' }] });
    await t.client.createFeatureGroup({ name: flights, entity: `flight_${s}`, ttlSeconds: 3600, description: '', features: [{ name: 'origin', dtype: 'string', description: '' }, { name: 'delay', dtype: 'int', description: '' }] });
    const at = (time: string) => `2001-01-05T${time}:00Z`;
    const stat = (entityKey: string, time: string, mean_delay: number) => ({ entityKey, eventTime: at(time), values: { mean_delay, flights: 1 } });
    await t.client.ingestRows(stats, [
      stat('ORD', '06:00', 10),
      stat('ORD', '07:00', 11),
      stat('ORD', '08:30', 12),
      stat('ORD', '09:00', 13), // at the window's start
      stat('ORD', '10:00', 14),
      stat('SFO', '05:00', 20),
      stat('SFO', '06:30', 21),
      stat('LAX', '05:30', 30), // more than a TTL before the window
      stat('DEN', '07:00', 40),
    ]);
    const flight = (entityKey: string, time: string, origin: string, delay: number) => ({ entityKey, eventTime: at(time), values: { origin, delay } });
    await t.client.ingestRows(flights, [
      flight('g1', '09:00', 'ORD', 1), // 13, the row at the start
      flight('g2', '09:30', 'ORD', 2), // 13
      flight('g3', '10:00', 'ORD', 3), // 14
      flight('g4', '09:15', 'SFO', 4), // 21, 2 h 45 min old (not 20, older)
      flight('g5', '09:45', 'SFO', 5), // 21 is 3 h 15 min old > TTL → null
      flight('g6', '09:10', 'LAX', 6), // null
      flight('g7', '09:59', 'DEN', 7), // 40, 2 h 59 min old
      flight('g8', '10:01', 'DEN', 8), // 3 h 1 min old → null
    ]);
    const set = await t.client.trainingSet({
      source: { group: flights, start: at('09:00'), end: at('12:00') },
      joinKeys: { [entity]: 'origin' },
      features: [`${stats}:mean_delay`],
      columns: ['delay'],
    });
    expect(set.columns.delay).toEqual([1, 6, 4, 2, 5, 7, 3, 8]);
    expect(set.columns[`${stats}:mean_delay`]).toEqual([13, null, 21, 13, null, 40, 14, null]);
    expect(set.featureTimes[`${stats}:mean_delay`]).toEqual([at('09:00'), null, at('06:30'), at('09:00'), null, at('07:00'), at('10:00'), null].map((v) => (v === null ? null : Date.parse(v))));

    const looked = await t.client.featureLookup({
      features: [`${stats}:mean_delay`],
      entities: { [entity]: ['ORD', 'SFO', 'ORD', 'DEN', 'LAX'] },
      times: [at('09:20'), at('09:20'), at('10:30'), at('09:59'), at('09:20')],
    });
    expect(looked.columns[`${stats}:mean_delay`]).toEqual([13, 21, 14, 40, null]);
  });

  it('gives back every type of value as it was ingested (booleans as 1 and 0): numbers, text with quotes and escapes, nulls, absent keys', async () => {
    const typed = `typed_flights_${s}`;
    const typedStats = `typed_stats_${s}`;
    const dtypes = { origin: 'string', note: 'string', delay: 'int', share: 'float', late: 'bool' } as const;
    await t.client.createFeatureGroup({
      name: typed,
      entity: `flight_${s}`,
      ttlSeconds: 3600,
      description: '',
      features: Object.entries(dtypes).map(([name, dtype]) => ({ name, dtype, description: '' })),
    });
    await createGroup(typedStats, { mean_delay: 'float', busy: 'bool', label: 'string', flights: 'int' });
    const stats = { mean_delay: -0.125, busy: false, label: 'say "hi"\\ \u00e9\n', flights: 2 ** 40 };
    await t.client.ingestRows(typedStats, [{ entityKey: 'ORD', eventTime: '2001-01-06T08:30:00Z', values: stats }]);
    const rows: Array<Record<string, FeatureValue>> = [
      { origin: 'ORD', note: '{"json": [1, 2]}', delay: -3, share: 1e-7, late: true },
      { origin: 'SFO', note: '', delay: 0, share: 12345678.875, late: false },
      { origin: 'ORD', note: null, delay: null, share: null, late: null },
      { origin: 'ORD' },
    ];
    await t.client.ingestRows(
      typed,
      rows.map((values, i) => ({ entityKey: `t${i}`, eventTime: `2001-01-06T09:0${i}:00.123Z`, values })),
    );
    const set = await t.client.trainingSet({
      source: { group: typed, start: '2001-01-06T00:00:00Z', end: '2001-01-07T00:00:00Z' },
      joinKeys: { [entity]: 'origin' },
      features: Object.keys(stats).map((f) => `${typedStats}:${f}`),
      columns: [...Object.keys(dtypes), 'not_a_feature'],
    });
    expect(set.eventTimes).toEqual(rows.map((_, i) => Date.parse(`2001-01-06T09:0${i}:00.123Z`)));
    const cell = (v: unknown) => (typeof v === 'boolean' ? Number(v) : (v ?? null));
    for (const name of Object.keys(dtypes)) expect(set.columns[name]).toEqual(rows.map((r) => cell(r[name])));
    expect(set.columns.not_a_feature).toEqual([null, null, null, null]);
    for (const [name, value] of Object.entries(stats))
      expect(set.columns[`${typedStats}:${name}`]).toEqual([cell(value), null, cell(value), cell(value)]);
  });

  it('reads any number of columns and features at once (PostgreSQL functions take at most 100 arguments)', async () => {
    // what the API fuzzer sent: one feature asked for 120 times, with columns as many
    const many = Array.from({ length: 120 }, () => `${stats}:mean_delay`);
    const set = await t.client.trainingSet({
      source: { group: flights, start: '2001-01-01T00:00:00Z', end: '2001-01-02T00:00:00Z' },
      joinKeys: { [entity]: 'origin' },
      features: many,
      columns: Array.from({ length: 120 }, (_, i) => (i % 2 === 0 ? 'delay' : `absent_${i}`)),
    });
    expect(set.columns[`${stats}:mean_delay`]).toEqual([null, 30, 10, 20, null]);
    expect(set.columns.delay).toEqual([1, 5, 2, 3, 4]);
    expect(set.columns.absent_1).toEqual([null, null, null, null, null]);
    const looked = await t.client.featureLookup({ features: many, entities: { [entity]: ['ORD', 'SFO'] }, times: ['2001-01-01T11:00:00Z', '2001-01-01T11:00:00Z'] });
    expect(looked.columns[`${stats}:mean_delay`]).toEqual([10, 30]);
  });

  it('materializes the newest values as of an instant (within the TTL) to Redis and reads them back (Atelier and Feast shapes)', async () => {
    const run = await t.client.materialize(stats, '2001-01-01T11:30:00Z');
    const done = await eventually(async () => {
      const r = await t.client.getMaterialization(run.id);
      return r.status === 'succeeded' ? r : undefined;
    });
    expect(done.entityCount).toBe(2);
    const online = await t.client.onlineFeatures({ features: [`${stats}:mean_delay`, `${stats}:flights`], entities: { [entity]: ['ORD', 'SFO', 'JFK'] } });
    expect(online.rows.map((r) => r.values)).toEqual([
      { [`${stats}:mean_delay`]: 10, [`${stats}:flights`]: 1 },
      { [`${stats}:mean_delay`]: 30, [`${stats}:flights`]: 3 },
      { [`${stats}:mean_delay`]: null, [`${stats}:flights`]: null },
    ]);
    const feast = await fetch(`${t.baseUrl}/get-online-features`, {
      method: 'POST',
      headers: authHeaders(),
      body: JSON.stringify({ features: [`${stats}:mean_delay`], entities: { [entity]: ['ORD', 'JFK'] } }),
    }).then((r) => r.json());
    expect(feast).toMatchObject({
      metadata: { feature_names: [entity, 'mean_delay'] },
      results: [{ values: ['ORD', 'JFK'] }, { values: [10, null], statuses: ['PRESENT', 'NOT_FOUND'] }],
    });
    expect(done).toMatchObject({ asOf: '2001-01-01T11:30:00.000Z', message: `wrote the newest row of 2 entities within the TTL (10800 s) before 2001-01-01T11:30:00.000Z` });
  });

  it('says why a materialization wrote nothing', async () => {
    const finished = async (asOf: string) => {
      const run = await t.client.materialize(stats, asOf);
      return eventually(async () => {
        const r = await t.client.getMaterialization(run.id);
        return r.status === 'succeeded' ? r : undefined;
      });
    };
    expect(await finished('2001-03-01T00:00:00Z')).toMatchObject({
      entityCount: 0,
      message: `nothing written: the newest row of "${stats}" at or before asOf 2001-03-01T00:00:00.000Z is from 2001-01-01T12:00:00.000Z, 5054400 s earlier, older than the group's TTL (10800 s); materialize with an asOf within the TTL after it`,
    });
    expect(await finished('2000-01-01T00:00:00Z')).toMatchObject({
      entityCount: 0,
      message: `nothing written: every row of "${stats}" is after asOf 2000-01-01T00:00:00.000Z (the first at 2001-01-01T09:00:00.000Z); materialize with a later asOf`,
    });
    // an asOf within one TTL of year 1: the look-back stops at year 1 instead of failing the run
    expect(await finished('0001-01-01T01:00:00Z')).toMatchObject({ entityCount: 0, message: expect.stringContaining('is after asOf 0001-01-01T01:00:00.000Z') });
  });
});

describe('feature store: an emptied online store (integration, a database of its own)', () => {
  it('notices that Redis lost its data and materializes every group again as of its last run', async () => {
    const database = await createMigratedDatabase(testDatabaseUrl());
    const t = await startTestApp([FeatureStoreModule], { DATABASE_URL: database.url, ONLINE_STORE_CHECK_SECONDS: '1' });
    const redis = new Redis(loadConfig().redisUrl);
    try {
      const s = uniqueSuffix();
      await t.client.createEntity({ name: `airport_${s}`, joinKey: 'airport', description: '' });
      await t.client.createFeatureGroup({ name: `stats_${s}`, entity: `airport_${s}`, ttlSeconds: 3600, description: '', features: [{ name: 'mean', dtype: 'float', description: '' }] });
      await t.client.ingestRows(`stats_${s}`, [
        { entityKey: 'ORD', eventTime: '2001-01-01T10:15:00Z', values: { mean: 0.25 } },
        { entityKey: 'SFO', eventTime: '2001-01-01T10:30:00Z', values: { mean: 0.75 } },
      ]);
      const run = await t.client.materialize(`stats_${s}`, '2001-01-01T11:00:00Z');
      await eventually(async () => ((await t.client.getMaterialization(run.id)).status === 'succeeded' ? true : undefined));
      const read = async () => (await t.client.onlineFeatures({ features: [`stats_${s}:mean`], entities: { [`airport_${s}`]: ['ORD', 'SFO'] } })).rows.map((r) => r.values[`stats_${s}:mean`]);
      expect(await read()).toEqual([0.25, 0.75]);
      await eventually(async () => ((await redis.exists(onlineStoreMarkerKey(t.namespace))) === 1 ? true : undefined), 10_000);

      // what a Redis restart without its data looks like to this namespace: every key gone
      const keys = await redis.keys(`${t.namespace}:online*`);
      expect(keys.length).toBeGreaterThanOrEqual(3);
      await redis.del(...keys);

      expect(await eventually(async () => ((await read()).every((v) => v !== null) ? read() : undefined), 20_000, 250)).toEqual([0.25, 0.75]);
      const prisma = t.app.get(PrismaService).client;
      const recovered = await prisma.materializationRun.findFirst({ where: { groupName: `stats_${s}`, message: { startsWith: 'the online store was found empty' } } });
      expect(recovered).toMatchObject({ status: 'succeeded', entityCount: 2, asOf: new Date('2001-01-01T11:00:00Z') });
      const metrics = await fetch(`${t.baseUrl}/metrics`).then((r) => r.text());
      expect(metrics).toMatch(/^atelier_online_store_recoveries_total [1-9]/m);
    } finally {
      redis.disconnect();
      await t.close();
      await database.drop();
    }
  });
});
