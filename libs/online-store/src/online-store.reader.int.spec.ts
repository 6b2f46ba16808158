import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { loadConfig } from '@atelier/config';
import { uniqueSuffix } from '@atelier/testing';

import { distinctKeys, encodeOnlineRow, onlineKey, type OnlineRow, OnlineStoreReader } from './index';

describe('distinctKeys', () => {
  it('keeps the first-seen order and points every asked key at its distinct one', () => {
    expect(distinctKeys(['a', 'b', 'a', 'c', 'b'])).toEqual({ keys: ['a', 'b', 'c'], slotOf: [0, 1, 0, 2, 1] });
    expect(distinctKeys([])).toEqual({ keys: [], slotOf: [] });
  });
});

// Against the real Redis of the test run, in a namespace of this file's own.
describe('OnlineStoreReader', () => {
  const namespace = `reader_${uniqueSuffix()}`;
  const { redisUrl } = loadConfig();
  const redis = new Redis(redisUrl);
  const reader = new OnlineStoreReader({ redisUrl, namespace });
  const row = (delay: number): OnlineRow => ({ eventTime: '2001-01-10T07:00:00.000Z', values: { mean_delay: delay } });

  beforeAll(async () => {
    await redis.set(onlineKey(namespace, 'stats', 'ORD'), encodeOnlineRow(row(7.5)));
    await redis.set(onlineKey(namespace, 'stats', 'SFO'), encodeOnlineRow(row(3)));
    await redis.set(onlineKey(namespace, 'weather', 'ORD'), encodeOnlineRow(row(-1)));
  });

  afterAll(async () => {
    const keys = await redis.keys(`${namespace}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    await reader.close();
  });

  it('answers every asked pair in order, repeated keys and missing ones included', async () => {
    const asked = ['ORD', 'SFO', 'ORD', 'JFK', 'ORD'].map((entityKey) => ({ group: 'stats', entityKey }));
    asked.push({ group: 'weather', entityKey: 'ORD' }, { group: 'weather', entityKey: 'SFO' });
    const rows = await reader.read(asked);
    expect(rows.map((r) => r?.values.mean_delay ?? null)).toEqual([7.5, 3, 7.5, null, 7.5, -1, null]);
    expect(await reader.read([])).toEqual([]);
  });

  it('reads a batch of 1,000 rows over 50 entities as the keys one by one say', async () => {
    const asked = Array.from({ length: 1000 }, (_, i) => ({ group: 'stats', entityKey: i % 50 === 0 ? 'SFO' : `E${i % 50}` }));
    const rows = await reader.read(asked);
    expect(rows).toHaveLength(1000);
    for (const [i, r] of rows.entries()) expect(r?.values.mean_delay ?? null).toBe(i % 50 === 0 ? 3 : null);
  });
});
