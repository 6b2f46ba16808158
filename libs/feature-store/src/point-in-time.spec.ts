import { describe, expect, it } from 'vitest';

import { AsOfIndex, cell } from './point-in-time';

const row = (entityKey: string, iso: string, v: number) => ({ entityKey, eventTime: new Date(iso), values: { v } });
const at = (iso: string) => Date.parse(iso);

describe('AsOfIndex', () => {
  const index = new AsOfIndex(
    [row('ORD', '2001-01-01T10:00:00Z', 1), row('ORD', '2001-01-01T12:00:00Z', 2), row('ORD', '2001-01-01T12:00:00Z', 3), row('SFO', '2001-01-01T09:00:00Z', 9)],
    2 * 3600_000,
  );

  it('returns the newest row at or before the instant, never a later one', () => {
    expect(index.lookup('ORD', at('2001-01-01T09:59:59Z'))).toBeNull();
    expect(index.lookup('ORD', at('2001-01-01T10:00:00Z'))?.values.v).toBe(1);
    expect(index.lookup('ORD', at('2001-01-01T11:59:59.999Z'))?.values.v).toBe(1);
    // two rows at the same instant: the one ingested last wins
    expect(index.lookup('ORD', at('2001-01-01T12:00:00Z'))?.values.v).toBe(3);
  });

  it('treats values older than the TTL as missing', () => {
    expect(index.lookup('SFO', at('2001-01-01T10:59:59Z'))?.values.v).toBe(9);
    expect(index.lookup('SFO', at('2001-01-01T11:00:00Z'))).toBeNull();
  });

  it('knows nothing of unknown entities', () => {
    expect(index.lookup('JFK', at('2001-01-01T12:00:00Z'))).toBeNull();
  });
});

describe('cell', () => {
  it('keeps numbers and strings, turns booleans into 0/1 and absent values into null', () => {
    expect([cell(1.5), cell('ORD'), cell(true), cell(false), cell(null), cell(undefined)]).toEqual([1.5, 'ORD', 1, 0, null, null]);
  });
});
