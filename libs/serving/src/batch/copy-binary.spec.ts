import { describe, expect, it } from 'vitest';

import { predictionChunks } from './batch.repository';
import { BinaryCopyWriter } from './copy-binary';
import { predictionColumnsOf } from './prediction-columns';

/** Reads fields back as the format lays them out: a 32-bit length (-1: null), then the bytes. */
function fields(bytes: Buffer, at: number, count: number): Array<Buffer | null> {
  const out: Array<Buffer | null> = [];
  for (let f = 0; f < count; f++) {
    const length = bytes.readInt32BE(at);
    at += 4;
    out.push(length < 0 ? null : bytes.subarray(at, (at += length)));
  }
  return out;
}

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

  it('writes each prediction as a row of fourteen fields, in chunks, the trailer after the last', () => {
    const prediction = {
      predictionId: '6cb094cb-87c6-4c27-9b1b-32266ff86ea7',
      shard: 2,
      row: 0,
      eventTime: new Date('2001-01-01T00:01:00.000Z'),
      entities: { airport: 'LAS' },
      prediction: 0.125,
      label: 0,
      probabilities: null,
      missing: ['airport_delay_stats:mean_delay_24h'],
      columns: { note: 'tab\there', gate: null },
      model: 'flight-delay',
      version: 3,
      alias: null,
    };
    const rows = Array.from({ length: 5_001 }, (_, row) => ({ ...prediction, row }));
    const chunks = [...predictionChunks('0cceb534-1b04-4e96-847e-53e0f778f8a9', 2, predictionColumnsOf(rows))];
    expect(chunks).toHaveLength(2);
    expect(chunks[0]!.readInt16BE(19)).toBe(14); // after the 19-byte header
    const first = fields(chunks[0]!, 21, 14);
    expect(first[0]!.toString('hex')).toBe('0cceb5341b044e96847e53e0f778f8a9');
    expect([first[1]!.readInt32BE(0), first[2]!.readInt32BE(0), first[5]!.readInt32BE(0)]).toEqual([2, 0, 3]);
    expect(first[4]!.toString()).toBe('flight-delay');
    expect([first[6], first[11]]).toEqual([null, null]); // alias, probabilities
    expect(first[10]!.toString()).toBe('0');
    expect(JSON.parse(first[8]!.subarray(1).toString())).toEqual({ airport: 'LAS' });
    expect(JSON.parse(first[13]!.subarray(1).toString())).toEqual({ note: 'tab\there', gate: null });
    const last = fields(chunks[1]!, 2, 14);
    expect(last[2]!.readInt32BE(0)).toBe(5_000); // a row's number is its place in the shard
    expect(chunks[1]!.readInt16BE(chunks[1]!.length - 2)).toBe(-1);
    expect(chunks[0]!.readInt16BE(chunks[0]!.length - 2)).not.toBe(-1);

    // ids given as bytes too (a shard's own): the same fields
    const columns = predictionColumnsOf(rows);
    const ids = Buffer.concat(rows.map((r) => Buffer.from(r.predictionId.replaceAll('-', ''), 'hex')));
    expect(Buffer.concat([...predictionChunks('0cceb534-1b04-4e96-847e-53e0f778f8a9', 2, { ...columns, predictionIdBytes: ids })])).toEqual(
      Buffer.concat(chunks),
    );

    // no rows: the header and the trailer
    expect([...predictionChunks('j', 0, predictionColumnsOf([]))].map((c) => c.length)).toEqual([21]);
  });
});
