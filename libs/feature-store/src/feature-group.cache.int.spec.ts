import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { eventually, startTestApp, type TestApp, uniqueSuffix } from '@atelier/testing';

import { FeatureGroupCache } from './feature-group.cache';
import { FeatureStoreModule } from './feature-store.module';
import { FeatureStoreRepository } from './feature-store.repository';

/**
 * Two feature-store processes of one namespace (two apps here, each with its own cache and its own
 * subscription to the group-change channel on the real Redis): definitions are read from
 * PostgreSQL once and then from memory, and a change made in one process reaches the other's cache.
 */
describe('feature-group definitions cached in every process (integration)', () => {
  const s = uniqueSuffix();
  const entity = `airport_${s}`;
  const flight = `flight_${s}`;
  const stats = `delay_stats_${s}`;
  const source = `departures_${s}`;
  const windows = `origin_windows_${s}`;
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    a = await startTestApp([FeatureStoreModule]);
    b = await startTestApp([FeatureStoreModule], { ATELIER_NAMESPACE: a.namespace });
    await a.client.createEntity({ name: entity, joinKey: 'airport', description: '' });
    await a.client.createEntity({ name: flight, joinKey: 'flight_id', description: '' });
    await a.client.createFeatureGroup({
      name: stats,
      entity,
      ttlSeconds: 3 * 3600,
      description: '',
      features: [{ name: 'mean_delay', dtype: 'float', description: '' }],
    });
    await a.client.createFeatureGroup({
      name: source,
      entity: flight,
      description: '',
      features: [
        { name: 'origin', dtype: 'string', description: '' },
        { name: 'delay', dtype: 'float', description: '' },
      ],
    });
  });

  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('reads online features with one query for the definitions, the first time only', async () => {
    await a.client.ingestRows(
      stats,
      [{ entityKey: 'ORD', eventTime: new Date(Date.now() - 60_000).toISOString(), values: { mean_delay: 12.5 } }],
      true,
    );
    const findGroups = vi.spyOn(b.app.get(FeatureStoreRepository), 'findGroups');
    const read = () => b.client.onlineFeatures({ features: [`${stats}:mean_delay`], entities: { [entity]: ['ORD'] } });
    for (let i = 0; i < 20; i++) expect((await read()).rows[0]!.values).toEqual({ [`${stats}:mean_delay`]: 12.5 });
    expect(findGroups).toHaveBeenCalledTimes(1);
    findGroups.mockRestore();
  });

  it('looks a group up once for all the requests that miss it at the same time, and keeps no lookup a change overtook', async () => {
    const cache = b.app.get(FeatureGroupCache);
    const findGroups = vi.spyOn(b.app.get(FeatureStoreRepository), 'findGroups');
    const fresh = `cold_${s}`;
    await a.client.createFeatureGroup({ name: fresh, entity, description: '', features: [{ name: 'x', dtype: 'float', description: '' }] });
    const answers = await Promise.all(Array.from({ length: 30 }, () => cache.get([fresh, `${fresh}_unknown`])));
    expect(answers.map((m) => [...m.keys()])).toEqual(Array(30).fill([fresh]));
    expect(findGroups).toHaveBeenCalledTimes(1);

    // a lookup under way when the group changes answers its callers, but the next request asks again
    // (the drop as a change announced on Redis makes it, called here so that it lands mid-lookup)
    cache['drop'](stats);
    const during = cache.get([stats]);
    cache['drop'](stats);
    expect((await during).get(stats)?.name).toBe(stats);
    expect((await cache.get([stats])).get(stats)?.name).toBe(stats);
    expect(findGroups).toHaveBeenCalledTimes(3);
    expect((await cache.get([stats])).get(stats)?.name).toBe(stats);
    expect(findGroups).toHaveBeenCalledTimes(3);
    findGroups.mockRestore();
  });

  it('computes an aggregation that another process defined, from the next row: the change reached its cache', async () => {
    const now = Date.now();
    const departure = (id: string, minutesAgo: number, delay: number) => ({
      entityKey: id,
      eventTime: new Date(now - minutesAgo * 60_000).toISOString(),
      values: { origin: 'SFO', delay },
    });
    // b learns that no aggregation reads the source (and keeps that)
    await b.client.ingestRows(source, [departure('F1', 50, 10)]);
    const findAggregations = vi.spyOn(b.app.get(FeatureStoreRepository), 'findAggregationsOf');
    await b.client.ingestRows(source, [departure('F2', 40, 20)]);
    expect(findAggregations).not.toHaveBeenCalled();

    // a defines one over it; the announcement drops b's copy
    await a.client.createFeatureGroup({
      name: windows,
      entity,
      aggregation: {
        source,
        keyColumn: 'origin',
        windows: [{ name: 'departures_1h', fn: 'count', seconds: 3600, kind: 'sliding', description: '' }],
      },
    });
    const count = () => b.client.onlineFeatures({ features: [`${windows}:departures_1h`], entities: { [entity]: ['SFO'] } });
    // each try a departure of its own, ingested by b: once b knows of the aggregation, what it ingests updates it
    // (creating the group computes nothing by itself)
    let sent = 2;
    const counted = await eventually(
      async () => {
        sent++;
        await b.client.ingestRows(source, [departure(`F${sent}`, 30 - sent, 5)]);
        const value = (await count()).rows[0]!.values[`${windows}:departures_1h`];
        return typeof value === 'number' ? value : undefined;
      },
      10_000,
      100,
    );
    expect(findAggregations).toHaveBeenCalled();
    findAggregations.mockRestore();
    // recomputed over the offline store: every departure of the hour, those from before the aggregation too
    expect(counted).toBe(sent);
  });
});
