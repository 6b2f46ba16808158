import { describe, expect, it } from 'vitest';

import { BinaryCopyWriter, copyFields as fields, jsonRecords } from './copy-binary';

describe('COPY binary', () => {
  it('starts with the signature, flags and an empty extension, and ends with the trailer', () => {
    const bytes = new BinaryCopyWriter(4).header().trailer().take();
    expect(bytes.subarray(0, 11).toString('latin1')).toBe('PGCOPY\n\xff\r\n\0');
    expect([bytes.readInt32BE(11), bytes.readInt32BE(15), bytes.readInt16BE(19)]).toEqual([0, 0, -1]);
    expect(bytes).toHaveLength(21);
  });

  it('writes each type in its binary form, growing past its first buffer', () => {
    const long = 'é'.repeat(40); // 80 bytes of UTF-8 in a writer of 16
    const out = new BinaryCopyWriter(16)
      .row(9)
      .int4(-7)
      .float8(0.125)
      .float8(null)
      .uuid('6CB094CB-87c6-4c27-9b1b-32266ff86ea7')
      .timestamptz(Date.parse('1999-12-31T23:59:59.999Z'))
      .timestamptz(Date.parse('2001-01-01T00:01:00.000Z'))
      .text(long)
      .jsonb({ note: 'tab\there' })
      .textArray([]);
    const bytes = out.take();
    expect(bytes.readInt16BE(0)).toBe(9);
    const [int, float, none, uuid, before, after, text, json, empty] = fields(bytes, 2, 9);
    expect(int!.readInt32BE(0)).toBe(-7);
    expect(float!.readDoubleBE(0)).toBe(0.125);
    expect(none).toBeNull();
    expect(uuid!.toString('hex')).toBe('6cb094cb87c64c279b1b32266ff86ea7');
    expect(before!.readBigInt64BE(0)).toBe(-1000n); // microseconds before 2000-01-01
    expect(after!.readBigInt64BE(0)).toBe(BigInt(Date.parse('2001-01-01T00:01:00.000Z') - Date.parse('2000-01-01T00:00:00Z')) * 1000n);
    expect(text!.toString('utf8')).toBe(long);
    expect(json![0]).toBe(1);
    expect(JSON.parse(json!.subarray(1).toString('utf8'))).toEqual({ note: 'tab\there' });
    expect([empty!.readInt32BE(0), empty!.readInt32BE(4), empty!.readInt32BE(8)]).toEqual([0, 0, 25]);
    expect(empty).toHaveLength(12);
  });

  it('writes a text[] with its dimension, lower bound 1 and elements', () => {
    const [array] = fields(new BinaryCopyWriter().textArray(['a', 'say "é"']).take(), 0, 1);
    expect([array!.readInt32BE(0), array!.readInt32BE(4), array!.readInt32BE(8), array!.readInt32BE(12), array!.readInt32BE(16)]).toEqual([
      1, 0, 25, 2, 1,
    ]);
    expect(fields(array!, 20, 2).map((b) => b!.toString('utf8'))).toEqual(['a', 'say "é"']);
  });

  it('refuses a UUID that is not one', () => {
    for (const bad of [
      '6cb094cb-87c6-4c27-9b1b-32266ff86ea',
      '6cb094cb-87c6-4c27-9b1b-32266ff86ea7a',
      'zcb094cb-87c6-4c27-9b1b-32266ff86ea7',
      '',
    ]) {
      expect(() => new BinaryCopyWriter().uuid(bad)).toThrow(/not a UUID/);
    }
  });

  it('writes records of columns as JSON.stringify writes the same objects, nulls kept or left out', () => {
    const fields = [
      ['distance', [130, -0.5, null, Infinity]],
      ['origin "code"', ['ORD', 'Zürich\n', undefined, 'x']],
      ['delayed', [true, false, null, true]],
    ] as const;
    const kept = jsonRecords(fields, false);
    const skipped = jsonRecords(fields, true);
    for (let row = 0; row < 4; row++) {
      const record = Object.fromEntries(fields.map(([name, values]) => [name, values[row] ?? null]));
      expect(kept(row)).toBe(JSON.stringify(record));
      expect(skipped(row)).toBe(JSON.stringify(Object.fromEntries(Object.entries(record).filter(([, v]) => v !== null))));
    }
    expect(skipped(2)).toBe('{}');
    expect(jsonRecords([], false)(0)).toBe('{}');
  });
});
