import { describe, expect, it } from 'vitest';

import { AsOfIndex, atPositions, cell } from './point-in-time';

const at = (iso: string) => Date.parse(iso);

describe('AsOfIndex', () => {
  // rows as the repository reads them: ordered by entity, then time
  const rows = {
    entityKeys: ['ORD', 'ORD', 'ORD', 'SFO'],
    times: Float64Array.from(['2001-01-01T10:00:00Z', '2001-01-01T12:00:00Z', '2001-01-01T12:00:00Z', '2001-01-01T09:00:00Z'], at),
  };
  const v = [1, 2, 3, 9];
  const index = new AsOfIndex(rows, 2 * 3600_000);
  const valueAt = (entity: string, iso: string) => v[index.position(entity, at(iso))] ?? null;

  it('returns the newest row at or before the instant, never a later one', () => {
    expect(valueAt('ORD', '2001-01-01T09:59:59Z')).toBeNull();
    expect(valueAt('ORD', '2001-01-01T10:00:00Z')).toBe(1);
    expect(valueAt('ORD', '2001-01-01T11:59:59.999Z')).toBe(1);
    // two rows at the same instant: the one ingested last wins
    expect(valueAt('ORD', '2001-01-01T12:00:00Z')).toBe(3);
  });

  it('treats values older than the TTL as missing', () => {
    expect(valueAt('SFO', '2001-01-01T10:59:59Z')).toBe(9);
    expect(valueAt('SFO', '2001-01-01T11:00:00Z')).toBeNull();
  });

  it('knows nothing of unknown entities', () => {
    expect(valueAt('JFK', '2001-01-01T12:00:00Z')).toBeNull();
  });

  it("gives label rows their rows' positions, -1 for none, and a column by them", () => {
    const positions = index.positions(['ORD', null, 'SFO', 'JFK', 'ORD'], Float64Array.from(['2001-01-01T10:30:00Z', '2001-01-01T10:30:00Z', '2001-01-01T10:30:00Z', '2001-01-01T10:30:00Z', '2001-01-01T13:00:00Z'], at));
    expect([...positions]).toEqual([0, -1, 3, -1, 2]);
    expect(atPositions(positions, v)).toEqual([1, null, 9, null, 3]);
  });
});

describe('cell', () => {
  it('keeps numbers and strings, turns booleans into 0/1 and absent values into null', () => {
    expect([cell(1.5), cell('ORD'), cell(true), cell(false), cell(null), cell(undefined)]).toEqual([1.5, 'ORD', 1, 0, null, null]);
  });
});
