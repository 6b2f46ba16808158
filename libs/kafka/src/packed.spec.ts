import { describe, expect, it } from 'vitest';

import { packed } from './kafka.service';

const record = (i: number, size = 10) => ({ key: `k${i}`, value: JSON.stringify({ i, pad: 'x'.repeat(size) }) });

describe('packed', () => {
  it('sends consecutive events as JSON arrays of up to the given count, keyed by the first', () => {
    const records = Array.from({ length: 7 }, (_, i) => record(i));
    const messages = packed(records, 3);
    expect(messages.map((m) => m.key)).toEqual(['k0', 'k3', 'k6']);
    expect(messages.map((m) => (JSON.parse(m.value) as Array<{ i: number }>).map((e) => e.i))).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
  });

  it('keeps a message well under the broker limit whatever the count', () => {
    const records = Array.from({ length: 40 }, (_, i) => record(i, 20_000));
    const messages = packed(records, 100);
    expect(messages.length).toBeGreaterThan(1);
    for (const m of messages) expect(m.value.length).toBeLessThan(300 * 1024);
    expect(messages.flatMap((m) => JSON.parse(m.value) as unknown[])).toHaveLength(40);
  });

  it('sends nothing for nothing', () => {
    expect(packed([], 100)).toEqual([]);
  });
});
