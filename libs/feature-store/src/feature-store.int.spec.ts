import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { AtelierApiError } from '@atelier/sdk';
import { authHeaders, eventually, startTestApp, type TestApp, uniqueSuffix } from '@atelier/testing';

import { FeatureStoreModule } from './feature-store.module';

// Against the real Postgres (offline store), Redis (online store) and Redis-backed Bull queue.
describe('feature store (integration)', () => {
  let t: TestApp;
  const s = uniqueSuffix();
  const entity = `airport_${s}`;
  const stats = `delay_stats_${s}`;
  const flights = `flights_${s}`;

  beforeAll(async () => {
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
  });
});
