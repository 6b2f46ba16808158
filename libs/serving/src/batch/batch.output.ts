import { PassThrough, type Readable } from 'node:stream';

import { type BasicType, ByteWriter, type ColumnSource, ParquetWriter, schemaFromColumnData } from 'hyparquet-writer';

import type { FeatureDtype } from '@atelier/contracts';

import type { StoredPrediction } from './batch.repository';

/** Rows per row group: one page of predictions read, encoded and sent at a time. */
const ROW_GROUP_ROWS = 50_000;

export interface OutputLayout {
  /** entity names, one string column each (the key the row was scored with) */
  entities: string[];
  /** passthrough columns and their feature-store types */
  passthrough: Array<{ name: string; dtype: FeatureDtype }>;
}

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
      const columnData = columnsOf(layout, rows);
      parquet ??= new ParquetWriter({ writer, schema: schemaFromColumnData({ columnData }), createdBy: 'atelier' });
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

function columnsOf(layout: OutputLayout, rows: StoredPrediction[]): ColumnSource[] {
  const column = (name: string, type: BasicType, data: unknown[]): ColumnSource => ({ name, type, data: data as ColumnSource['data'] });
  const taken = new Set(['prediction_id', 'event_time', 'model', 'version', 'alias', 'prediction', 'label', 'probabilities', 'missing']);
  const columns = [
    column(
      'prediction_id',
      'STRING',
      rows.map((r) => r.predictionId),
    ),
    column(
      'event_time',
      'TIMESTAMP',
      rows.map((r) => r.eventTime),
    ),
    column(
      'model',
      'STRING',
      rows.map((r) => r.model),
    ),
    column(
      'version',
      'INT32',
      rows.map((r) => r.version),
    ),
    column(
      'alias',
      'STRING',
      rows.map((r) => r.alias),
    ),
  ];
  for (const entity of layout.entities.filter((e) => !taken.has(e))) {
    taken.add(entity);
    columns.push(
      column(
        entity,
        'STRING',
        rows.map((r) => r.entities[entity] ?? null),
      ),
    );
  }
  columns.push(
    column(
      'prediction',
      'DOUBLE',
      rows.map((r) => r.prediction),
    ),
    column(
      'label',
      'STRING',
      rows.map((r) => (r.label === null ? null : String(r.label))),
    ),
    column(
      'probabilities',
      'STRING',
      rows.map((r) => (r.probabilities ? JSON.stringify(r.probabilities) : null)),
    ),
    column(
      'missing',
      'STRING',
      rows.map((r) => r.missing.join(',')),
    ),
  );
  for (const { name, dtype } of layout.passthrough.filter((p) => !taken.has(p.name))) {
    const values = rows.map((r) => r.columns[name] ?? null);
    columns.push(
      dtype === 'string'
        ? column(
            name,
            'STRING',
            values.map((v) => (v === null ? null : String(v))),
          )
        : column(
            name,
            'DOUBLE',
            values.map((v) => (typeof v === 'number' ? v : null)),
          ),
    );
  }
  return columns;
}

/** What the writer holds goes out; the writer starts over (its offset keeps counting). */
async function send(out: PassThrough, writer: ByteWriter): Promise<void> {
  if (writer.index === 0) return;
  const chunk = Buffer.from(writer.buffer.slice(0, writer.index));
  writer.index = 0;
  if (!out.write(chunk)) await new Promise((resolve) => out.once('drain', resolve).once('close', resolve));
  if (out.destroyed) throw new Error('the download was closed');
}
