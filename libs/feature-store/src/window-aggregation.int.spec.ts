import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { AggregationWindow, ConsumerLagResponse, FeatureAggregation, FeatureRowEvent, FeatureRowInput } from '@atelier/contracts';
import { PrismaService } from '@atelier/db';
import { KafkaService } from '@atelier/kafka';
import { createRng } from '@atelier/ml';
import type { AtelierApiError } from '@atelier/sdk';
import { authHeaders, eventually, startTestApp, type TestApp, uniqueSuffix } from '@atelier/testing';

import { FeatureRowsConsumer } from './feature-rows.consumer';
import { FeatureStoreModule } from './feature-store.module';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const KEYS = ['ORD', 'SFO', 'BOS', 'JFK', 'DEN'];

/** A departure: the source row of the aggregations (delay null now and then). */
interface Departure {
  flight: string;
  time: number;
  origin: string;
  delay: number | null;
}

/** `count` departures over the three days before `end`, a few at the same instant as another of their origin. */
function departures(count: number, end: number, next: () => number): Departure[] {
  const start = end - 3 * 24 * HOUR;
  const out: Departure[] = [];
  for (let i = 0; i < count; i++) {
    const origin = KEYS[Math.floor(next() * KEYS.length)]!;
    const twin = next() < 0.05 ? out.findLast((d) => d.origin === origin) : undefined;
    const time = twin?.time ?? start + Math.floor((next() * (end - start)) / 1000) * 1000;
    out.push({ flight: `F${i}`, time, origin, delay: next() < 0.08 ? null : Math.round((next() * 120 - 15) * 100) / 100 });
  }
  return out;
}

/** A window's value at t by its definition, row by row (what both computations must equal). */
function byDefinition(window: AggregationWindow, rows: Departure[], t: number): number | null {
  const w = window.seconds * 1000;
  const inside = rows.filter((r) => (window.kind === 'sliding' ? r.time > t - w : r.time >= Math.floor(t / w) * w) && r.time <= t);
  const values = window.column ? inside.map((r) => r.delay).filter((v): v is number => v !== null) : inside.map(() => 0);
  if (window.fn === 'count') return values.length;
  if (values.length === 0) return null;
  const sum = values.reduce((a, b) => a + b, 0);
  return { sum, mean: sum / values.length, min: Math.min(...values), max: Math.max(...values) }[window.fn];
}

/** Per key, per distinct event time, every window's value by definition: the rows both groups must hold. */
function expectedRows(aggregation: FeatureAggregation, all: Departure[]): Map<string, Record<string, number | null>> {
  const expected = new Map<string, Record<string, number | null>>();
  for (const key of KEYS) {
    const rows = all.filter((d) => d.origin === key);
    for (const t of new Set(rows.map((r) => r.time))) {
      expected.set(`${key}@${t}`, Object.fromEntries(aggregation.windows.map((w) => [w.name, byDefinition(w, rows, t)])));
    }
  }
  return expected;
}

const agree = (a: number | null, b: number | null) =>
  a === null || b === null ? a === b : Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));

/** The (key, time) → values of two tables that differ, at most 5 of them. */
function differences(got: Map<string, Record<string, number | null>>, want: Map<string, Record<string, number | null>>): string[] {
  const out: string[] = [];
  for (const key of new Set([...got.keys(), ...want.keys()])) {
    const [g, w] = [got.get(key), want.get(key)];
    if (!g || !w || Object.keys(w).some((name) => !agree(g[name] ?? null, w[name] ?? null)))
      out.push(`${key}: ${JSON.stringify(g)} ≠ ${JSON.stringify(w)}`);
  }
  return out.slice(0, 5);
}

// Against the real Postgres (offline store), Redis (online store) and Kafka (the feature-rows stream).
describe('streaming window aggregations (integration)', () => {
  let t: TestApp;
  const s = uniqueSuffix();
  const airport = `airport_${s}`;
  const flight = `flight_${s}`;
  const source = `departures_${s}`;
  const streamed = `origin_windows_${s}`;
  const backfilled = `origin_windows_backfilled_${s}`;
  const aggregation: FeatureAggregation = {
    source,
    keyColumn: 'origin',
    windows: [
      { name: 'mean_delay_1h', fn: 'mean', column: 'delay', seconds: 3600, kind: 'sliding', description: '' },
      { name: 'mean_delay_24h', fn: 'mean', column: 'delay', seconds: 24 * 3600, kind: 'sliding', description: '' },
      { name: 'departures_1h', fn: 'count', seconds: 3600, kind: 'sliding', description: '' },
      { name: 'delay_sum_this_hour', fn: 'sum', column: 'delay', seconds: 3600, kind: 'tumbling', description: '' },
      { name: 'min_delay_1h', fn: 'min', column: 'delay', seconds: 3600, kind: 'sliding', description: '' },
      { name: 'max_delay_today', fn: 'max', column: 'delay', seconds: 24 * 3600, kind: 'tumbling', description: '' },
    ],
  };
  const toRow = (d: Departure): FeatureRowInput => ({
    entityKey: d.flight,
    eventTime: new Date(d.time).toISOString(),
    values: { origin: d.origin, delay: d.delay },
  });
  /** A group's offline rows as (key@time) → values. */
  const offline = async (group: string) => {
    const rows = await t.app.get(PrismaService).client.featureRow.findMany({ where: { groupName: group } });
    return new Map(rows.map((r) => [`${r.entityKey}@${r.eventTime.getTime()}`, r.values as Record<string, number | null>]));
  };
  const refused = (call: Promise<unknown>) =>
    call.then(
      () => ({ status: 200, message: '' }),
      (e: AtelierApiError) => ({ status: e.status, message: e.body.message }),
    );

  beforeAll(async () => {
    t = await startTestApp([FeatureStoreModule]);
    await t.client.createEntity({ name: airport, joinKey: 'airport', description: '' });
    await t.client.createEntity({ name: flight, joinKey: 'flight_id', description: '' });
    await t.client.createFeatureGroup({
      name: source,
      entity: flight,
      features: [
        { name: 'origin', dtype: 'string', description: '' },
        { name: 'delay', dtype: 'float', description: '' },
        { name: 'gate', dtype: 'string', description: '' },
      ],
    });
  });

  afterAll(async () => {
    await t?.close();
  });

  it('computes the same values from the Kafka stream (batches shuffled, some again, some late) as a backfill, equal to the definition at every event time', async () => {
    const group = await t.client.createFeatureGroup({ name: streamed, entity: airport, aggregation });
    expect(group).toMatchObject({ ttlSeconds: 24 * 3600, aggregation: { source, keyColumn: 'origin' } });
    expect(group.features.map((f) => [f.name, f.dtype])).toEqual([
      ['mean_delay_1h', 'float'],
      ['mean_delay_24h', 'float'],
      ['departures_1h', 'int'],
      ['delay_sum_this_hour', 'float'],
      ['min_delay_1h', 'float'],
      ['max_delay_today', 'float'],
    ]);

    const next = createRng(11);
    const now = Date.now();
    const events = departures(3000, now - MINUTE, next).sort((a, b) => a.time - b.time);
    // in time order, cut into batches of 40–160 whose order is shuffled a little; a twentieth held
    // back to arrive after all the others (late, by up to three days), a few at a time; some sent twice
    const late = events.filter(() => next() < 0.05);
    const onTime = events.filter((e) => !late.includes(e));
    const batches: Departure[][] = [];
    for (let i = 0; i < onTime.length;) {
      const size = 40 + Math.floor(next() * 120);
      batches.push(onTime.slice(i, i + size));
      i += size;
    }
    for (let i = batches.length - 1; i > 0; i--) {
      if (next() < 0.3) [batches[i], batches[i - 1]] = [batches[i - 1]!, batches[i]!];
    }
    const kafka = t.app.get(KafkaService);
    const publish = (batch: Departure[]) =>
      kafka.publish(
        'featureRows',
        batch.map((d) => ({
          key: `${source}:${d.flight}`,
          value: { type: 'feature-row', schemaVersion: 1, group: source, ...toRow(d) } satisfies FeatureRowEvent,
        })),
      );
    const prisma = t.app.get(PrismaService).client;
    const stored = (rows: number) =>
      eventually(async () => ((await prisma.featureRow.count({ where: { groupName: source } })) === rows ? true : undefined), 120_000, 50);
    await t.app.get(FeatureRowsConsumer).whenRunning();
    for (const batch of batches) await publish(batch);
    await stored(onTime.length);
    // each late batch handled before the next is sent: its recomputation alone corrects what follows it
    const lateBatches = KEYS.flatMap((key) => late.filter((e) => e.origin === key)).flatMap((e, i, all) =>
      i % 4 === 0 ? [all.slice(i, i + 4)] : [],
    );
    for (const [i, batch] of lateBatches.entries()) {
      await publish(batch);
      await stored(onTime.length + lateBatches.slice(0, i + 1).flat().length);
    }
    // every message handled (the aggregation recomputed before its batch is committed)
    const caughtUp = () =>
      eventually(
        async () => {
          const lag = (await (
            await fetch(`${t.baseUrl}/api/feature-rows/consumer`, { headers: authHeaders() })
          ).json()) as ConsumerLagResponse;
          return lag.lag === 0 && lag.partitions.some((p) => p.committed !== null) ? true : undefined;
        },
        120_000,
        200,
      );
    const lastWrite = async () =>
      (await prisma.featureRow.aggregate({ where: { groupName: streamed }, _max: { ingestedAt: true } }))._max.ingestedAt;
    await caughtUp();
    const before = await lastWrite();
    // delivered again: computed again, the same values, nothing written
    await publish(events.filter(() => next() < 0.05));
    await caughtUp();
    expect(await lastWrite()).toEqual(before);

    // the same definition, computed over the offline store
    await t.client.createFeatureGroup({ name: backfilled, entity: airport, aggregation, description: 'the same windows, backfilled' });
    const expected = expectedRows(aggregation, events);
    const done = await t.client.backfillFeatureGroup(backfilled);
    expect(done).toEqual({
      group: backfilled,
      source,
      keys: KEYS.length,
      computed: expected.size,
      written: expected.size,
      online: KEYS.length,
    });

    const [fromStream, fromBackfill] = [await offline(streamed), await offline(backfilled)];
    expect(fromStream.size).toBe(expected.size);
    expect(differences(fromStream, expected)).toEqual([]);
    expect(differences(fromBackfill, expected)).toEqual([]);
    expect(differences(fromStream, fromBackfill)).toEqual([]);

    // online: each airport's values at its newest departure, in both groups
    const features = aggregation.windows.flatMap((w) => [`${streamed}:${w.name}`, `${backfilled}:${w.name}`]);
    const online = await t.client.onlineFeatures({ features, entities: { [airport]: KEYS } });
    online.rows.forEach((row, i) => {
      const newest = Math.max(...events.filter((e) => e.origin === KEYS[i]).map((e) => e.time));
      const want = expected.get(`${KEYS[i]}@${newest}`)!;
      for (const w of aggregation.windows) {
        expect(agree(row.values[`${streamed}:${w.name}`] as number | null, want[w.name]!), `${KEYS[i]} ${w.name} streamed`).toBe(true);
        expect(agree(row.values[`${backfilled}:${w.name}`] as number | null, want[w.name]!), `${KEYS[i]} ${w.name} backfilled`).toBe(true);
      }
      expect(row.eventTimes[`${streamed}:mean_delay_1h`]).toBe(new Date(newest).toISOString());
    });

    // a backfill again writes nothing: every value is already what it computes
    expect(await t.client.backfillFeatureGroup(backfilled)).toMatchObject({ computed: expected.size, written: 0 });
    // a window of event times: only those rows
    const from = now - 2 * 24 * HOUR;
    const within = [...expected.keys()].filter((k) => Number(k.split('@')[1]) >= from).length;
    expect(await t.client.backfillFeatureGroup(backfilled, { start: new Date(from).toISOString() })).toMatchObject({
      computed: within,
      written: 0,
    });
  });

  it('recomputes after rows arrive through the API and a file import too: a late row corrects the values after it', async () => {
    const group = `origin_windows_api_${s}`;
    await t.client.createFeatureGroup({
      name: group,
      entity: airport,
      aggregation: { ...aggregation, windows: aggregation.windows.slice(0, 3) },
    });
    const base = Date.now() - 3 * HOUR;
    const rows: Departure[] = [
      { flight: `api-1-${s}`, time: base, origin: 'LAX', delay: 10 },
      { flight: `api-2-${s}`, time: base + 30 * MINUTE, origin: 'LAX', delay: 20 },
      { flight: `api-3-${s}`, time: base + 2 * HOUR, origin: 'LAX', delay: 30 },
    ];
    await t.client.ingestRows(source, rows.map(toRow));
    const values = async () =>
      [...(await offline(group)).entries()]
        .filter(([k]) => k.startsWith('LAX@'))
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([, v]) => v);
    expect(await values()).toEqual([
      { mean_delay_1h: 10, mean_delay_24h: 10, departures_1h: 1 },
      { mean_delay_1h: 15, mean_delay_24h: 15, departures_1h: 2 },
      { mean_delay_1h: 30, mean_delay_24h: 20, departures_1h: 1 },
    ]);
    // a departure at base + 15 min, imported late from a file: its row and both after it change
    const csv = `flight_id,at,origin,delay\napi-4-${s},${new Date(base + 15 * MINUTE).toISOString()},LAX,40\n`;
    await t.client.importRowsFile(source, new Blob([csv]), 'late.csv', { timeColumn: 'at' });
    expect(await values()).toEqual([
      { mean_delay_1h: 10, mean_delay_24h: 10, departures_1h: 1 },
      { mean_delay_1h: 25, mean_delay_24h: 25, departures_1h: 2 },
      { mean_delay_1h: 70 / 3, mean_delay_24h: 70 / 3, departures_1h: 3 },
      { mean_delay_1h: 30, mean_delay_24h: 25, departures_1h: 1 },
    ]);
    const online = await t.client.onlineFeatures({ features: [`${group}:mean_delay_24h`], entities: { [airport]: ['LAX'] } });
    expect(online.rows[0]!.values).toEqual({ [`${group}:mean_delay_24h`]: 25 });
  });

  it('refuses an aggregation it cannot compute, and rows or a backfill where they do not belong, with a 400 naming what is wrong', async () => {
    const define = (name: string, change: Partial<FeatureAggregation>, windows = aggregation.windows) =>
      refused(t.client.createFeatureGroup({ name: `${name}_${s}`, entity: airport, aggregation: { ...aggregation, windows, ...change } }));
    expect(
      await define('no_column', {}, [{ name: 'mean_gates', fn: 'mean', column: 'gates', seconds: 3600, kind: 'sliding', description: '' }]),
    ).toEqual({
      status: 400,
      message: `aggregation.windows.0.column: "gates" is not a float or int column of "${source}" (its columns: origin (string), delay (float), gate (string))`,
    });
    expect(
      await define('text_column', {}, [{ name: 'max_gate', fn: 'max', column: 'gate', seconds: 3600, kind: 'sliding', description: '' }]),
    ).toMatchObject({
      status: 400,
      message: expect.stringMatching(/^aggregation\.windows\.0\.column: "gate" is not a float or int column/),
    });
    expect(await define('no_key', { keyColumn: 'destination' })).toMatchObject({
      status: 400,
      message: expect.stringMatching(/^aggregation\.keyColumn: "destination" is not a string or int column/),
    });
    expect(await define('no_source', { source: `nothing_${s}` })).toEqual({
      status: 400,
      message: `aggregation.source: feature group "nothing_${s}" does not exist`,
    });
    expect(await define('of_aggregation', { source: streamed })).toMatchObject({
      status: 400,
      message: expect.stringMatching(/^aggregation\.source: .* is itself an aggregation/),
    });
    expect(await define('no_seconds', {}, [{ name: 'n', fn: 'count', seconds: 0, kind: 'sliding', description: '' }])).toMatchObject({
      status: 400,
      message: expect.stringMatching(/^invalid aggregation\.windows\.0\.seconds: /),
    });
    expect(await define('mean_of_nothing', {}, [{ name: 'm', fn: 'mean', seconds: 60, kind: 'sliding', description: '' }])).toEqual({
      status: 400,
      message: 'invalid aggregation.windows.0.column: a window other than count needs a column',
    });
    expect(await refused(t.client.backfillFeatureGroup(source))).toEqual({
      status: 400,
      message: `feature group "${source}" is not an aggregation: its rows are ingested; a backfill computes an aggregation group's rows from its source`,
    });
    expect(
      await refused(
        t.client.ingestRows(streamed, [{ entityKey: 'ORD', eventTime: new Date().toISOString(), values: { mean_delay_1h: 1 } }]),
      ),
    ).toEqual({
      status: 400,
      message: `feature group "${streamed}" is computed from "${source}" (an aggregation): ingest rows into "${source}"`,
    });
  });
});
