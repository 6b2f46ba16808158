import { PassThrough, type Readable } from 'node:stream';

import { type BasicType, ByteWriter, type ColumnSource, ParquetWriter, schemaFromColumnData } from 'hyparquet-writer';

import type { FeatureDtype } from '@atelier/contracts';

import type { StoredPrediction, StoredRequest } from './batch.repository';
import type { BatchRows } from './batch-rows';
import { predictionAt, type PredictionColumns, predictionColumnsOf } from './prediction-columns';

/** Rows per row group: one page of predictions read, encoded and sent at a time. */
const ROW_GROUP_ROWS = 50_000;
const CREATED_BY = 'atelier';

export interface OutputLayout {
  /** entity names, one string column each (the key the row was scored with) */
  entities: string[];
  /** passthrough columns and their feature-store types */
  passthrough: Array<{ name: string; dtype: FeatureDtype }>;
  /**
   * a classifier's labels: numbers or names (stored as text either way; the predictions page
   * answers numbers as numbers, as online prediction does). Absent for regressors, and for jobs
   * created before it was kept.
   */
  labels?: 'number' | 'string';
  /**
   * the Parquet file's `label` column for numeric labels: whole numbers or not. Absent: a text
   * column (names, regressors, and jobs created before it was kept, whose row groups were
   * encoded with text labels).
   */
  labelColumn?: 'INT64' | 'DOUBLE';
}

/** The output's columns of a job: its entities, and its passthrough columns typed as its group types them. */
export async function outputLayout(request: StoredRequest, rows: BatchRows): Promise<OutputLayout> {
  if (request.output) return request.output;
  // a group's columns have types; a file's passthrough columns are written as text
  const group = 'group' in request.source && request.passthrough.length > 0 ? await rows.group(request.source.group) : null;
  return {
    entities: Object.keys(request.joinKeys),
    passthrough: request.passthrough.map((name) => ({ name, dtype: group?.features.find((f) => f.name === name)?.dtype ?? 'string' })),
  };
}

const namesOf = (layout: OutputLayout) => ({ entities: layout.entities, passthrough: layout.passthrough.map((c) => c.name) });

type Page = (after: { shard: number; row: number } | null, limit: number) => Promise<StoredPrediction[]>;

/**
 * A batch job's predictions as a Parquet file, streamed: each page of rows read from the database
 * becomes one row group sent at once, so memory holds one page whatever the job's size. Columns:
 * prediction_id, event_time, model, version, alias, one per entity, prediction, label,
 * probabilities (JSON), missing (comma-separated inputs), then the passthrough columns.
 */
export function predictionsParquet(layout: OutputLayout, page: Page): Readable {
  const out = new PassThrough();
  void (async () => {
    const writer = new ByteWriter(1 << 20);
    let parquet: ParquetWriter | null = null;
    let after: { shard: number; row: number } | null = null;
    for (;;) {
      const rows = await page(after, ROW_GROUP_ROWS);
      if (rows.length === 0 && parquet) break;
      const columnData = outputColumns(layout, predictionColumnsOf(rows, namesOf(layout)));
      parquet ??= new ParquetWriter({ writer, schema: schemaFromColumnData({ columnData }), createdBy: CREATED_BY });
      if (rows.length > 0) await parquet.write({ columnData, rowGroupSize: rows.length });
      await send(out, writer);
      if (rows.length < ROW_GROUP_ROWS) break;
      const last = rows.at(-1)!;
      after = { shard: last.shard, row: last.row };
    }
    await parquet!.finish();
    await send(out, writer);
    out.end();
  })().catch((error: unknown) => out.destroy(error instanceof Error ? error : new Error(String(error))));
  return out;
}

/**
 * A shard's predictions as one Parquet row group, encoded while the shard is scored (in parallel
 * with the other shards) and committed with its rows: `bytes` are its column chunks as they will
 * sit in the file, `meta` what the file's footer says of them, with offsets as if the chunks began
 * right after the file's magic number — stitchParquet moves them to where they land.
 */
export interface ShardOutput {
  bytes: Buffer;
  meta: string;
}

type PageIndexes = ParquetWriter['pendingIndexes'][number];

interface ShardMeta {
  /** null for a shard without rows */
  rowGroup: ParquetWriter['row_groups'][number] | null;
  /** per column chunk, its page indexes */
  indexes: Array<Omit<PageIndexes, 'chunk'>>;
}

/** Where a Parquet file's first column chunk starts: after the magic number `PAR1`. */
const FIRST_CHUNK = 4;

/** A shard's row group, in the schema its job's layout gives (the same for each shard of the job). */
export function shardOutput(layout: OutputLayout, predictions: PredictionColumns): ShardOutput {
  const columnData = outputColumns(layout, predictions);
  const writer = new ByteWriter(1 << 20);
  const parquet = new ParquetWriter({ writer, schema: schemaFromColumnData({ columnData }), createdBy: CREATED_BY });
  // written at once: a ByteWriter has no flush to wait for
  if (predictions.length > 0) void parquet.write({ columnData, rowGroupSize: predictions.length });
  const meta: ShardMeta = {
    rowGroup: parquet.row_groups[0] ?? null,
    indexes: parquet.pendingIndexes.map(({ chunk: _, ...indexes }) => indexes),
  };
  return { bytes: Buffer.from(writer.buffer.slice(FIRST_CHUNK, writer.index)), meta: JSON.stringify(meta, tagged) };
}

/**
 * A job's Parquet file from its shards' row groups, in shard order: each shard's chunks are sent as
 * they were encoded, its offsets moved to where they land; then the footer. Memory holds one
 * shard's chunks.
 */
export function stitchParquet(layout: OutputLayout, shards: AsyncIterable<ShardOutput>): Readable {
  const out = new PassThrough();
  void (async () => {
    const writer = new ByteWriter(1 << 16);
    const schema = schemaFromColumnData({ columnData: outputColumns(layout, predictionColumnsOf([], namesOf(layout))) });
    const parquet = new ParquetWriter({ writer, schema, createdBy: CREATED_BY });
    await send(out, writer);
    for await (const shard of shards) {
      const { rowGroup, indexes } = JSON.parse(shard.meta, untagged) as ShardMeta;
      if (!rowGroup) continue;
      const shift = BigInt(writer.offset - FIRST_CHUNK);
      rowGroup.columns.forEach((chunk, i) => {
        moveChunk(chunk, shift);
        const pages = indexes[i] ?? {};
        for (const page of pages.offsetIndex?.page_locations ?? []) page.offset += shift;
        parquet.pendingIndexes.push({ chunk, ...pages });
      });
      parquet.row_groups.push(rowGroup);
      parquet.num_rows += rowGroup.num_rows;
      writer.offset += shard.bytes.length; // the footer's own offsets count from the file's start
      if (!out.write(shard.bytes)) await new Promise((resolve) => out.once('drain', resolve).once('close', resolve));
      if (out.destroyed) throw new Error('the download was closed');
    }
    await parquet.finish();
    await send(out, writer);
    out.end();
  })().catch((error: unknown) => out.destroy(error instanceof Error ? error : new Error(String(error))));
  return out;
}

function moveChunk(chunk: ParquetWriter['row_groups'][number]['columns'][number], shift: bigint): void {
  if (chunk.file_offset !== undefined) chunk.file_offset += shift;
  const meta = chunk.meta_data;
  if (!meta) return;
  meta.data_page_offset += shift;
  if (meta.dictionary_page_offset !== undefined) meta.dictionary_page_offset += shift;
  if (meta.index_page_offset !== undefined) meta.index_page_offset += shift;
}

/** JSON for Parquet's metadata: its 64-bit integers, byte arrays and non-finite numbers kept as they are. */
function tagged(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return { $bigint: value.toString() };
  if (typeof value === 'number' && (!Number.isFinite(value) || Object.is(value, -0)))
    return { $number: Object.is(value, -0) ? '-0' : String(value) };
  if (value instanceof Uint8Array) return { $bytes: Buffer.from(value).toString('base64') };
  return value;
}

function untagged(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const v = value as Record<string, unknown>;
  if (typeof v['$bigint'] === 'string') return BigInt(v['$bigint']);
  if (typeof v['$number'] === 'string') return Number(v['$number']);
  if (typeof v['$bytes'] === 'string') return new Uint8Array(Buffer.from(v['$bytes'], 'base64'));
  return value;
}

/** The output file's columns of some predictions, in the file's order and types. */
export function outputColumns(layout: OutputLayout, p: PredictionColumns): ColumnSource[] {
  const column = (name: string, type: BasicType, data: unknown[]): ColumnSource => ({ name, type, data: data as ColumnSource['data'] });
  const each = <T>(value: (row: number) => T): T[] => {
    // a loop: Array.from with a map function took most of this function's time
    const values = new Array<T>(p.length);
    for (let row = 0; row < p.length; row++) values[row] = value(row);
    return values;
  };
  const taken = new Set(['prediction_id', 'event_time', 'model', 'version', 'alias', 'prediction', 'label', 'probabilities', 'missing']);
  const columns = [
    column('prediction_id', 'STRING', p.predictionIds as string[]),
    column(
      'event_time',
      'TIMESTAMP',
      each((row) => new Date(p.eventTimes[row]!)),
    ),
    column('model', 'STRING', new Array(p.length).fill(p.model)),
    column('version', 'INT32', new Array(p.length).fill(p.version)),
    column('alias', 'STRING', new Array(p.length).fill(p.alias)),
  ];
  const keys = new Map(p.entities);
  for (const entity of layout.entities.filter((e) => !taken.has(e))) {
    taken.add(entity);
    const values = keys.get(entity);
    columns.push(
      column(
        entity,
        'STRING',
        each((row) => values?.[row] ?? null),
      ),
    );
  }
  columns.push(
    column(
      'prediction',
      'DOUBLE',
      each((row) => predictionAt(p, row)),
    ),
    labelColumn(layout.labelColumn, p),
    column(
      'probabilities',
      'STRING',
      each((row) => {
        const probabilities = p.probabilities[row] ?? null;
        return probabilities ? JSON.stringify(probabilities) : null;
      }),
    ),
    column(
      'missing',
      'STRING',
      each((row) => p.missing[row]!.join(',')),
    ),
  );
  const passthrough = new Map(p.columns);
  for (const { name, dtype } of layout.passthrough.filter((c) => !taken.has(c.name))) {
    const values = passthrough.get(name);
    columns.push(
      dtype === 'string'
        ? column(
            name,
            'STRING',
            each((row) => {
              const v = values?.[row] ?? null;
              return v === null ? null : String(v);
            }),
          )
        : column(
            name,
            'DOUBLE',
            each((row) => {
              const v = values?.[row];
              return typeof v === 'number' ? v : null;
            }),
          ),
    );
  }
  return columns;
}

/** The `label` column: numbers as the layout types them (a stored label is text), else text. */
function labelColumn(type: OutputLayout['labelColumn'], p: PredictionColumns): ColumnSource {
  const data = new Array<bigint | number | string | null>(p.length);
  const value = type === 'INT64' ? BigInt : type === 'DOUBLE' ? Number : String;
  for (let row = 0; row < p.length; row++) {
    const label = p.label[row] ?? null;
    data[row] = label === null ? null : value(label);
  }
  return { name: 'label', type: type ?? 'STRING', data };
}

/** What the writer holds goes out; the writer starts over (its offset keeps counting). */
async function send(out: PassThrough, writer: ByteWriter): Promise<void> {
  if (writer.index === 0) return;
  const chunk = Buffer.from(writer.buffer.slice(0, writer.index));
  writer.index = 0;
  if (!out.write(chunk)) await new Promise((resolve) => out.once('drain', resolve).once('close', resolve));
  if (out.destroyed) throw new Error('the download was closed');
}
