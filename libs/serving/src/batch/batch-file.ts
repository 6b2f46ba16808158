import { parse } from 'csv-parse/sync';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';

import { badRequest } from '@atelier/server';

import type { InferencePlan } from '../inference-plan';

/** A file to score, read whole: its column names and rows (values as the format holds them). */
export interface BatchFile {
  format: 'csv' | 'parquet';
  columns: string[];
  rows: Array<Record<string, unknown>>;
}

/** One row of a file as a shard scores it: what the upload read and checked. */
export interface FileRow {
  /** model inputs found in the file, by input name */
  inputs: Record<string, number | string | null>;
  /** entity name → key, for the features joined as of `time` */
  entities: Record<string, string | null>;
  /** epoch ms of the row's time column, or null */
  time: number | null;
  /** passthrough columns */
  columns: Record<string, number | string | null>;
}

/** How a file's columns feed a model: checked against its header before anything is stored. */
export interface FileLayout {
  /** feature inputs (by name) read from a column of the same name */
  featureColumns: Set<string>;
  /** feature inputs joined from the offline store as of the row's time */
  joined: InferencePlan['features'];
  timeColumn: string | null;
  /** entity name → key column, for the joined features */
  joinKeys: Record<string, string>;
  passthrough: string[];
}

const PARQUET_MAGIC = 'PAR1';

/** CSV with a header row (a UTF-8 BOM is skipped), or Parquet (by its magic bytes). */
export async function readBatchFile(bytes: Buffer): Promise<BatchFile> {
  if (bytes.subarray(0, 4).toString('latin1') === PARQUET_MAGIC) {
    const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    try {
      const metadata = parquetMetadata(file);
      const columns = metadata.schema.slice(1).map((s) => s.name);
      const rows = (await parquetReadObjects({ file, metadata, compressors })) as Array<Record<string, unknown>>;
      return { format: 'parquet', columns, rows };
    } catch (error) {
      throw badRequest(`the Parquet file could not be read: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  let columns: string[] = [];
  try {
    const rows = parse(bytes, {
      bom: true,
      skip_empty_lines: true,
      columns: (header: string[]) => (columns = header.map((h) => h.trim())),
    }) as Array<Record<string, string>>;
    if (columns.length === 0) throw badRequest('the CSV file has no header row: its first line names the columns');
    return { format: 'csv', columns, rows };
  } catch (error) {
    if (error instanceof Error && error.name === 'DomainError') throw error;
    throw badRequest(`the CSV file could not be read: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * Reads every row's model inputs, entity keys, time and passthrough columns, refusing (400,
 * naming the column and row) a value of the wrong type: all of it before any work starts.
 */
export function fileRows(file: BatchFile, plan: InferencePlan, layout: FileLayout): FileRow[] {
  return file.rows.map((raw, r) => {
    const at = (column: string) => `column "${column}", row ${r + 1}`;
    const inputs: FileRow['inputs'] = {};
    for (const input of plan.requestInputs) {
      inputs[input.name] = input.dtype === 'string' ? text(raw[input.name]) : number(raw[input.name], at(input.name));
    }
    for (const name of layout.featureColumns) inputs[name] = number(raw[name], at(name));
    const entities: FileRow['entities'] = {};
    for (const [entity, column] of Object.entries(layout.joinKeys)) entities[entity] = text(raw[column]);
    const columns: FileRow['columns'] = {};
    for (const column of layout.passthrough) {
      const value = raw[column];
      columns[column] =
        typeof value === 'number' || typeof value === 'string' ? value : value === null || value === undefined ? null : String(value);
    }
    const time = layout.timeColumn === null ? null : instant(raw[layout.timeColumn], at(layout.timeColumn));
    return { inputs, entities, time, columns };
  });
}

function text(value: unknown): string | null {
  if (value === null || value === undefined || value === '') return null;
  return String(value);
}

function number(value: unknown, where: string): number | null {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'boolean') return value ? 1 : 0;
  const parsed = typeof value === 'string' ? Number(value.trim()) : NaN;
  if (!Number.isFinite(parsed)) throw badRequest(`${where}: ${JSON.stringify(value)} is not a number`);
  return parsed;
}

/** An ISO 8601 time or epoch milliseconds; a missing time is refused (the features would have no instant). */
function instant(value: unknown, where: string): number {
  if (value instanceof Date && Number.isFinite(value.getTime())) return value.getTime();
  if (typeof value === 'number' || typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' && value.trim() !== '') {
    const trimmed = value.trim();
    const ms = /^-?\d+$/.test(trimmed) ? Number(trimmed) : Date.parse(trimmed);
    if (Number.isFinite(ms)) return ms;
  }
  throw badRequest(`${where}: ${JSON.stringify(value ?? null)} is not a time (ISO 8601 or epoch milliseconds)`);
}
