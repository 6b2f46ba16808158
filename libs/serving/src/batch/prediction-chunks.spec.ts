import { describe, expect, it } from 'vitest';

import { copyFields as fields } from '@atelier/db';

import { predictionChunks } from './batch.repository';
import { predictionColumnsOf } from './prediction-columns';

describe('a shard in COPY binary', () => {
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
