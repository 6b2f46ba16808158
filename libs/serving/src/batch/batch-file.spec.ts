import { describe, expect, it } from 'vitest';

import type { InferencePlan } from '../inference-plan';
import { type FileLayout, fileRows } from './batch-file';

const plan = {
  requestInputs: [
    { name: 'distance', dtype: 'float' },
    { name: 'destination', dtype: 'string' },
  ],
} as InferencePlan;
const layout: FileLayout = {
  featureColumns: new Set(['avg_delay']),
  joined: [],
  timeColumn: 'at',
  joinKeys: { airport: 'origin' },
  passthrough: ['flight_no'],
};

/** The rows, handed out one at a time, counting how many were taken. */
function source(rows: Array<Record<string, unknown>>) {
  const read = { count: 0 };
  async function* each() {
    for (const row of rows) {
      read.count += 1;
      yield row;
    }
  }
  return { rows: each(), read };
}

const row = (overrides: Record<string, unknown> = {}) => ({
  distance: '337',
  destination: 'SFO',
  avg_delay: 12.5,
  at: '2001-01-02T10:00:00Z',
  origin: 'LAX',
  flight_no: 'F1',
  ...overrides,
});

describe('fileRows', () => {
  it('converts each row as it is read: inputs, entity keys, time and passthrough columns', async () => {
    const { rows } = source([row(), row({ distance: '', avg_delay: null, origin: '', flight_no: 7, at: '978343200000' })]);
    const converted = [];
    for await (const r of fileRows(rows, plan, layout)) converted.push(r);
    expect(converted).toEqual([
      {
        inputs: { distance: 337, destination: 'SFO', avg_delay: 12.5 },
        entities: { airport: 'LAX' },
        time: Date.parse('2001-01-02T10:00:00Z'),
        columns: { flight_no: 'F1' },
      },
      {
        inputs: { distance: null, destination: 'SFO', avg_delay: null },
        entities: { airport: null },
        time: 978343200000,
        columns: { flight_no: 7 },
      },
    ]);
  });

  it('refuses a bad value when its row is read, naming the column and row (from 1), the rows before it converted', async () => {
    const { rows, read } = source([row(), row(), row({ avg_delay: 'lots' }), row()]);
    const converted: unknown[] = [];
    await expect(
      (async () => {
        for await (const r of fileRows(rows, plan, layout)) converted.push(r);
      })(),
    ).rejects.toThrow('column "avg_delay", row 3: "lots" is not a number');
    expect(converted).toHaveLength(2);
    expect(read.count).toBe(3); // the row after it is never read
  });

  it('refuses text PostgreSQL cannot store (a NUL), and a time that is not one', async () => {
    const first = async (r: Record<string, unknown>) => {
      for await (const converted of fileRows(source([r]).rows, plan, layout)) return converted;
    };
    await expect(first(row({ flight_no: 'F\u00001' }))).rejects.toThrow('column "flight_no", row 1: "F\\u00001" holds a NUL character');
    await expect(first(row({ origin: 'L\u0000' }))).rejects.toThrow('column "origin", row 1');
    await expect(first(row({ at: 'soon' }))).rejects.toThrow('column "at", row 1: "soon" is not a time');
  });
});
