import { describe, expect, it } from 'vitest';

import { MlError } from '../ml.error';
import { restoreEncoder } from './encoder.restore';
import { fnv1a32 } from './fnv1a.hash';
import { fitHashing, hashBucket } from './hashing.encoder';
import { fitOneHot } from './one-hot.encoder';
import { fitOrdinal } from './ordinal.encoder';

const columnsOf = (columns: Float64Array[]): number[][] => columns.map((c) => Array.from(c));

describe('fitOneHot', () => {
  const train = ['ORD', 'SFO', 'ORD', 'JFK', null, 'ORD', 'SFO', 'BOS'];

  it('learns categories from the rows it is given only; unknown → other, missing → all zeros', () => {
    const encoder = fitOneHot(train, { name: 'origin' });
    expect(encoder.columnNames).toEqual(['origin=BOS', 'origin=JFK', 'origin=ORD', 'origin=SFO', 'origin=__other__']);
    // LAX never appeared in training: it goes to the other column, whatever the new data says.
    expect(columnsOf(encoder.transform(['SFO', 'LAX', null, 'BOS', undefined]))).toEqual([
      [0, 0, 0, 1, 0],
      [0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0],
      [1, 0, 0, 0, 0],
      [0, 1, 0, 0, 0],
    ]);
  });

  it('sends rare and excess categories to other, and can flag missing values in their own column', () => {
    const rare = fitOneHot(train, { name: 'o', minFrequency: 2, missing: 'indicator' });
    expect(rare.columnNames).toEqual(['o=ORD', 'o=SFO', 'o=__other__', 'o#missing']);
    expect(columnsOf(rare.transform(['JFK', null, 'ORD']))).toEqual([
      [0, 0, 1],
      [0, 0, 0],
      [1, 0, 0],
      [0, 1, 0],
    ]);
    // The most frequent category survives maxCategories; ties break alphabetically (BOS < JFK).
    expect(fitOneHot(train, { name: 'o', maxCategories: 1 }).spec.categories).toEqual(['ORD']);
    expect(fitOneHot(train, { name: 'o', maxCategories: 3 }).spec.categories).toEqual(['ORD', 'SFO', 'BOS'].sort());
  });

  it('serialises to plain JSON that restores an identical encoder', () => {
    const encoder = fitOneHot([1, 2, true, 'x', 2], { name: 'v', missing: 'indicator' });
    const json = JSON.parse(JSON.stringify(encoder));
    expect(json).toEqual({ kind: 'one_hot', name: 'v', categories: ['1', '2', 'true', 'x'], missing: 'indicator' });
    const restored = restoreEncoder(json);
    const probe = [2, 'true', 'y', null];
    expect(restored.columnNames).toEqual(encoder.columnNames);
    expect(restored.transform(probe)).toEqual(encoder.transform(probe));
  });

  it('rejects bad options', () => {
    expect(() => fitOneHot(train, { maxCategories: 0 })).toThrow(/maxCategories/);
    expect(() => fitOneHot(train, { minFrequency: 0.5 })).toThrow(MlError);
  });
});

describe('fitOrdinal', () => {
  it('codes categories by sorted index; unknown and missing become NaN', () => {
    const encoder = fitOrdinal(['b', 'a', 'c', 'a', null], { name: 'carrier' });
    expect(encoder.spec).toEqual({ kind: 'ordinal', name: 'carrier', categories: ['a', 'b', 'c'] });
    expect(encoder.columnNames).toEqual(['carrier#ordinal']);
    expect(columnsOf(encoder.transform(['c', 'a', 'z', null, 'b']))).toEqual([[2, 0, NaN, NaN, 1]]);
    expect(restoreEncoder(JSON.parse(JSON.stringify(encoder))).transform(['c'])).toEqual([Float64Array.from([2])]);
  });
});

describe('fitHashing / fnv1a32', () => {
  it('matches the published FNV-1a 32-bit test vectors and hashes UTF-8 bytes', () => {
    expect(fnv1a32('')).toBe(2166136261);
    expect(fnv1a32('a')).toBe(3826002220);
    expect(fnv1a32('foobar')).toBe(3214735720);
    // Fixed values (from a Python reference over str.encode('utf-8')): stable across runs and machines.
    expect(fnv1a32('ORD')).toBe(3690463936);
    expect(fnv1a32('SFO')).toBe(1106848025);
    expect(fnv1a32('é')).toBe(513665217);
    expect(fnv1a32('東京')).toBe(1759422319);
    expect(fnv1a32('😀')).toBe(866293256);
  });

  it('puts each category in bucket hash mod buckets; missing → all zeros; no state learnt', () => {
    const encoder = fitHashing(['anything'], { name: 'origin', buckets: 8 });
    expect(encoder.columnNames).toEqual(Array.from({ length: 8 }, (_, b) => `origin#hash${b}`));
    expect(encoder.spec).toEqual({ kind: 'hashing', name: 'origin', buckets: 8, hash: 'fnv1a32' });
    expect(['ORD', 'SFO', 'é', '東京'].map((v) => hashBucket(v, 8))).toEqual([0, 1, 1, 7]);
    const columns = encoder.transform(['ORD', 'SFO', null, '東京']);
    expect(columnsOf(columns).map((c, b) => [b, c])).toEqual(
      Array.from({ length: 8 }, (_, b) => [b, [b === 0 ? 1 : 0, b === 1 ? 1 : 0, 0, b === 7 ? 1 : 0]]),
    );
    expect(() => fitHashing([], { buckets: 0 })).toThrow(/buckets/);
  });
});

describe('restoreEncoder', () => {
  it('refuses a stored spec whose columns could not line up', () => {
    expect(() => restoreEncoder({ kind: 'one_hot', name: 'o', categories: ['a', 'a'], missing: 'zeros' })).toThrow(/distinct/);
    expect(() => restoreEncoder({ kind: 'ordinal', name: 'o', categories: [1 as unknown as string] })).toThrow(/array of strings/);
    expect(() => restoreEncoder({ kind: 'one_hot', name: 'o', categories: [], missing: 'drop' as 'zeros' })).toThrow(/missing/);
    expect(() => restoreEncoder({ kind: 'pca' } as unknown as Parameters<typeof restoreEncoder>[0])).toThrow(/unknown column encoding/);
  });
});
