import { describe, expect, it } from 'vitest';

import { PredictionIds } from './prediction-id';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('PredictionIds', () => {
  it('makes RFC 9562 version 7 ids that carry the millisecond they were made', () => {
    const at = Date.UTC(2026, 11, 6, 1, 2, 3, 456);
    const id = new PredictionIds(() => at).next();
    expect(id).toMatch(UUID_V7);
    expect(parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBe(at);
  });

  it('only grows within a process, within one millisecond and across them', () => {
    let now = Date.UTC(2026, 11, 6);
    const ids = new PredictionIds(() => now);
    const made: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      if (i % 5_000 === 4_999) now += 1;
      made.push(ids.next());
    }
    expect(made.every((id) => UUID_V7.test(id))).toBe(true);
    expect([...made].sort()).toEqual(made);
    expect(new Set(made).size).toBe(made.length);
  });

  it('still grows when the clock steps back', () => {
    let now = Date.UTC(2026, 11, 6, 12);
    const ids = new PredictionIds(() => now);
    const before = ids.next();
    now -= 60_000;
    const after = ids.next();
    expect(after > before).toBe(true);
    expect(after.slice(0, 13)).toBe(before.slice(0, 13));
  });

  it('keeps two sequences in the same millisecond apart', () => {
    const at = Date.UTC(2026, 11, 6);
    const a = new PredictionIds(() => at);
    const b = new PredictionIds(() => at);
    const made = new Set<string>();
    for (let i = 0; i < 10_000; i++) made.add(a.next()).add(b.next());
    expect(made.size).toBe(20_000);
  });

  it('makes a block of ids as the same calls of next would: text and bytes alike, growing on from the ids before', () => {
    let now = Date.UTC(2026, 11, 6);
    const ids = new PredictionIds(() => now);
    const before = ids.next();
    const block = ids.block(3_000);
    now += 1;
    const after = ids.next();
    expect(block.ids).toHaveLength(3_000);
    expect(block.bytes).toHaveLength(48_000);
    expect(block.ids.every((id) => UUID_V7.test(id))).toBe(true);
    block.ids.forEach((id, i) => expect(id.replaceAll('-', '')).toBe(block.bytes.subarray(i * 16, i * 16 + 16).toString('hex')));
    const made = [before, ...block.ids, after];
    expect([...made].sort()).toEqual(made);
    expect(new Set(made).size).toBe(made.length);
    expect(ids.block(0)).toEqual({ ids: [], bytes: Buffer.alloc(0) });
  });
});
