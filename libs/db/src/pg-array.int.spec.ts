import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { pgArray } from './pg-array';

// Against the real PostgreSQL: each literal read back through its cast, as the ingest's parameters are.
describe('pgArray', () => {
  const client = new Client({ connectionString: process.env.DATABASE_URL ?? 'postgresql://atelier:atelier@127.0.0.1:5432/atelier' });
  beforeAll(() => client.connect());
  afterAll(() => client.end());
  const roundTrip = async (values: Array<string | number | null>, type: string) =>
    (await client.query<{ v: unknown[] }>(`SELECT $1::${type}[] AS v`, [pgArray(values)])).rows[0]!.v;

  it('reads back text with quotes, backslashes, commas, braces, spaces, NULL-looking words and unicode unchanged', async () => {
    const values = ['plain', 'a "quoted" word', 'back\\slash\\', 'comma, {brace}', '  spaced  ', 'NULL', '', 'é ✓ 😀', null];
    expect(await roundTrip(values, 'text')).toEqual(values);
  });

  it('reads back numbers as float8 (NaN and infinities included) and as int', async () => {
    expect(await roundTrip([0, -1.5, 1e21, 5e-324, 0.1 + 0.2, Number.NaN, Infinity, -Infinity, null], 'float8')).toEqual([
      0,
      -1.5,
      1e21,
      5e-324,
      0.1 + 0.2,
      Number.NaN,
      Infinity,
      -Infinity,
      null,
    ]);
    expect(await roundTrip([1, 2147483647, null], 'int')).toEqual([1, 2147483647, null]);
  });

  it('reads back uuids and ISO timestamps; an empty array is empty', async () => {
    const ids = ['01a229f1-2801-7000-9001-5e6124e0936d', null];
    expect(await roundTrip(ids, 'uuid')).toEqual(ids);
    const [at] = (await roundTrip(['2026-12-06T15:00:00.123Z'], 'timestamptz')) as Date[];
    expect(at!.toISOString()).toBe('2026-12-06T15:00:00.123Z');
    expect(await roundTrip([], 'text')).toEqual([]);
  });
});
