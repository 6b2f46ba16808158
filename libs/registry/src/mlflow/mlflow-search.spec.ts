import { describe, expect, it } from 'vitest';

import { refusalOf } from '@atelier/testing';

import {
  decodePageToken,
  encodePageToken,
  MODEL_VERSION_ORDER,
  pageOf,
  parseOrderBy,
  REGISTERED_MODEL_ORDER,
  sortBy,
} from './mlflow-search';


describe('parseOrderBy', () => {
  it('orders registered models by name when nothing else is asked, and breaks ties by name', () => {
    expect(parseOrderBy([], REGISTERED_MODEL_ORDER)).toEqual([{ key: 'name', ascending: true }]);
    expect(parseOrderBy(['timestamp DESC'], REGISTERED_MODEL_ORDER)).toEqual([
      { key: 'last_updated_timestamp', ascending: false },
      { key: 'name', ascending: true },
    ]);
    expect(parseOrderBy(['name desc'], REGISTERED_MODEL_ORDER)).toEqual([{ key: 'name', ascending: false }]);
    expect(parseOrderBy(['`creation_timestamp` ASC'], REGISTERED_MODEL_ORDER)).toEqual([
      { key: 'creation_timestamp', ascending: true },
      { key: 'name', ascending: true },
    ]);
  });

  it("orders versions as MLflow's SQL store: newest change first, then name, then newest version", () => {
    expect(parseOrderBy([], MODEL_VERSION_ORDER)).toEqual([
      { key: 'last_updated_timestamp', ascending: false },
      { key: 'name', ascending: true },
      { key: 'version_number', ascending: false },
    ]);
    expect(parseOrderBy(['version_number ASC'], MODEL_VERSION_ORDER)).toEqual([
      { key: 'version_number', ascending: true },
      { key: 'name', ascending: true },
    ]);
  });

  it('refuses unknown keys, directions and repeated keys', () => {
    expect(refusalOf(() => parseOrderBy(['description'], REGISTERED_MODEL_ORDER))).toBe(
      "Invalid order by key 'description' specified. Valid keys are name, timestamp, last_updated_timestamp, creation_timestamp",
    );
    expect(refusalOf(() => parseOrderBy(['name up'], REGISTERED_MODEL_ORDER))).toBe(
      "Invalid ordering key in order_by clause 'name up': use ASC or DESC",
    );
    expect(refusalOf(() => parseOrderBy(['name ASC extra'], REGISTERED_MODEL_ORDER))).toBe(
      "Invalid order_by clause 'name ASC extra'. Could not be parsed.",
    );
    expect(refusalOf(() => parseOrderBy(['timestamp', 'last_updated_timestamp DESC'], REGISTERED_MODEL_ORDER))).toBe(
      'order_by contains duplicate fields: timestamp, last_updated_timestamp DESC',
    );
  });
});

describe('sortBy', () => {
  const rows = [
    { name: 'b', t: 1 },
    { name: 'a', t: 2 },
    { name: 'c', t: 1 },
  ];
  const valueOf = (row: { name: string; t: number }, key: string) => (key === 't' ? row.t : row.name);

  it('sorts by each clause in turn', () => {
    const sorted = sortBy(
      rows,
      [
        { key: 't', ascending: false },
        { key: 'name', ascending: true },
      ],
      valueOf,
    );
    expect(sorted.map((r) => r.name)).toEqual(['a', 'b', 'c']);
    expect(sortBy(rows, [{ key: 'name', ascending: false }], valueOf).map((r) => r.name)).toEqual(['c', 'b', 'a']);
    expect(rows.map((r) => r.name)).toEqual(['b', 'a', 'c']);
  });
});

describe('pages', () => {
  it('gives a next page token exactly when more results follow', () => {
    const items = ['a', 'b', 'c', 'd', 'e'];
    const first = pageOf(items, 0, 2);
    expect(first).toEqual({ page: ['a', 'b'], nextPageToken: encodePageToken(2) });
    const second = pageOf(items, decodePageToken(first.nextPageToken), 2);
    expect(second.page).toEqual(['c', 'd']);
    expect(pageOf(items, decodePageToken(second.nextPageToken), 2)).toEqual({ page: ['e'] });
    expect(pageOf(items, 0, 5)).toEqual({ page: items });
    expect(pageOf(items, 7, 5)).toEqual({ page: [] });
  });

  it("encodes the offset as MLflow's server does, and reads MLflow's tokens", () => {
    expect(encodePageToken(2)).toBe('eyJvZmZzZXQiOiAyfQ=='); // base64 of {"offset": 2}
    expect(decodePageToken('eyJvZmZzZXQiOiAyfQ==')).toBe(2);
    expect(decodePageToken(undefined)).toBe(0);
    expect(decodePageToken('')).toBe(0);
  });

  it('refuses a token it did not make', () => {
    for (const token of [
      'not a token',
      Buffer.from('{"offset": -1}').toString('base64'),
      Buffer.from('[]').toString('base64'),
      Buffer.from('{').toString('base64'),
    ]) {
      expect(refusalOf(() => decodePageToken(token))).toMatch(/^Invalid page token/);
    }
  });
});
