import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';

import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { ByteWriter, ParquetWriter, schemaFromColumnData } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';

import { outputColumns, type OutputLayout, predictionsParquet, type ShardOutput, shardOutput, stitchParquet } from './batch.output';
import type { StoredPrediction } from './batch.repository';
import { type PredictionColumns, predictionColumnsOf } from './prediction-columns';

const layout: OutputLayout = {
  entities: ['airport'],
  passthrough: [
    { name: 'destination', dtype: 'string' },
    { name: 'distance', dtype: 'float' },
  ],
};

const columnsOf = (rows: StoredPrediction[]): PredictionColumns =>
  predictionColumnsOf(rows, { entities: layout.entities, passthrough: layout.passthrough.map((c) => c.name) });

/** A shard's predictions: some without a score, an alias, a label or a column. */
function shard(index: number, rows: number): StoredPrediction[] {
  return Array.from({ length: rows }, (_, row): StoredPrediction => {
    const scored = (row + index) % 11 !== 0;
    return {
      predictionId: randomUUID(),
      shard: index,
      row,
      eventTime: new Date(Date.UTC(2001, 0, 1) + (index * 1_000_000 + row) * 60_000),
      entities: row % 13 === 0 ? {} : { airport: ['LAS', 'ATL', 'ORD', 'SFO'][row % 4]! },
      prediction: scored ? ((row * 7919) % 1000) / 1000 : null,
      label: scored ? (row % 3 === 0 ? 1 : 0) : null,
      probabilities: scored && row % 5 === 0 ? { '0': 0.25, '1': 0.75 } : null,
      missing: scored ? [] : ['airport_delay_stats:mean_delay_24h', 'distance'],
      columns: { destination: row % 17 === 0 ? null : `D${row % 50}`, distance: row % 19 === 0 ? null : 100 + (row % 900) },
      model: 'flight-delay',
      version: 3,
      alias: index === 1 ? null : 'production',
    };
  });
}

async function bytesOf(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function arrayBuffer(bytes: Buffer): ArrayBuffer {
  return new Uint8Array(bytes).buffer;
}

async function* each(outputs: ShardOutput[]): AsyncGenerator<ShardOutput> {
  for (const output of outputs) yield await Promise.resolve(output);
}

describe('the output file stitched from its shards', () => {
  // shards bigger than a page (1 MB of a column) to have page indexes, one without rows
  const shards = [shard(0, 60_000), shard(1, 0), shard(2, 1_234), shard(3, 45_000)];

  it('is, byte for byte, the file one writer makes of the same rows in the same row groups', async () => {
    const outputs = shards.map((rows) => shardOutput(layout, columnsOf(rows)));
    // every shard encoded on its own (as in the scoring processes), its metadata through JSON
    const stitched = await bytesOf(stitchParquet(layout, each(outputs)));

    const writer = new ByteWriter();
    const parquet = new ParquetWriter({
      writer,
      schema: schemaFromColumnData({ columnData: outputColumns(layout, columnsOf([])) }),
      createdBy: 'atelier',
    });
    for (const rows of shards.filter((r) => r.length > 0))
      void parquet.write({ columnData: outputColumns(layout, columnsOf(rows)), rowGroupSize: rows.length });
    void parquet.finish();
    expect(stitched.equals(Buffer.from(writer.getBuffer()))).toBe(true);

    const metadata = parquetMetadata(arrayBuffer(stitched));
    expect(metadata.row_groups.map((g) => Number(g.num_rows))).toEqual([60_000, 1_234, 45_000]);
    expect(metadata.row_groups[0]!.columns.some((c) => c.offset_index_offset !== undefined)).toBe(true);
  });

  it('reads back as the rows it was made of', async () => {
    const small = [shard(0, 40), shard(1, 0), shard(2, 25)];
    const stitched = await bytesOf(stitchParquet(layout, each(small.map((rows) => shardOutput(layout, columnsOf(rows))))));
    const read = await parquetReadObjects({ file: arrayBuffer(stitched) });
    const rows = small.flat();
    expect(read).toHaveLength(65);
    expect(read.map((r) => r['prediction_id'])).toEqual(rows.map((r) => r.predictionId));
    expect(read.map((r) => r['prediction'])).toEqual(rows.map((r) => r.prediction));
    expect(read.map((r) => r['airport'])).toEqual(rows.map((r) => r.entities['airport'] ?? null));
    expect(read.map((r) => r['distance'])).toEqual(rows.map((r) => r.columns['distance']));
    expect(read.map((r) => r['missing'])).toEqual(rows.map((r) => r.missing.join(',')));
    expect(read.map((r) => r['event_time'])).toEqual(rows.map((r) => r.eventTime));
    expect(read.map((r) => r['alias'])).toEqual(rows.map((r) => r.alias));
    expect(read.map((r) => r['label'])).toEqual(rows.map((r) => (r.label === null ? null : String(r.label))));
    expect(read.map((r) => r['probabilities'])).toEqual(rows.map((r) => (r.probabilities ? JSON.stringify(r.probabilities) : null)));
    expect(read.map((r) => r['destination'])).toEqual(rows.map((r) => r.columns['destination']));
  });

  it('writes numeric labels as the layout types them, from scored labels and from stored text alike; text otherwise', async () => {
    const rows = shard(0, 30);
    const stored = rows.map((r) => ({ ...r, label: r.label === null ? null : String(r.label) })); // as PostgreSQL gives them back
    const labelsOf = async (of: OutputLayout, from: StoredPrediction[]) => {
      const file = await bytesOf(stitchParquet(of, each([shardOutput(of, columnsOf(from))])));
      return (await parquetReadObjects({ file: arrayBuffer(file) })).map((r) => r['label']);
    };
    const whole = rows.map((r) => r.label);
    expect(await labelsOf({ ...layout, labelColumn: 'INT64' }, rows)).toEqual(whole.map((l) => (l === null ? null : BigInt(l))));
    expect(await labelsOf({ ...layout, labelColumn: 'INT64' }, stored)).toEqual(whole.map((l) => (l === null ? null : BigInt(l))));
    expect(await labelsOf({ ...layout, labelColumn: 'DOUBLE' }, stored)).toEqual(whole);
    expect(await labelsOf(layout, rows)).toEqual(whole.map((l) => (l === null ? null : String(l))));
  });

  it('is the file written from the stored rows when a job is one page', async () => {
    // a job's rows read back in one page are one row group: the same bytes as its one shard's
    const rows = shard(0, 500);
    const stitched = await bytesOf(stitchParquet(layout, each([shardOutput(layout, columnsOf(rows))])));
    const whole = await bytesOf(predictionsParquet(layout, (after) => Promise.resolve(after ? [] : rows)));
    expect(stitched.equals(whole)).toBe(true);
  });

  it('of a job without rows is a file without row groups, as when written from the rows', async () => {
    const stitched = await bytesOf(stitchParquet(layout, each([shardOutput(layout, columnsOf([]))])));
    const whole = await bytesOf(predictionsParquet(layout, () => Promise.resolve([])));
    expect(stitched.equals(whole)).toBe(true);
  });
});
