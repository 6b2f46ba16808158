import { parse } from 'csv-parse/sync';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';

import { badRequest, DomainError } from './domain-error';

/** An uploaded table read whole: its column names and rows (values as the format holds them). */
export interface TabularFile {
  format: 'csv' | 'parquet' | 'jsonl';
  columns: string[];
  rows: Array<Record<string, unknown>>;
}

const PARQUET_MAGIC = 'PAR1';

/**
 * Parquet (by its magic bytes), JSON Lines (a first line that is a JSON object), else CSV with a
 * header row (a UTF-8 BOM is skipped). A file none of them can read is a 400 saying why.
 */
export async function readTabularFile(bytes: Buffer): Promise<TabularFile> {
  if (bytes.subarray(0, 4).toString('latin1') === PARQUET_MAGIC) return readParquet(bytes);
  if (bytes.subarray(0, 1).toString('latin1') === '{') return readJsonLines(bytes);
  return readCsv(bytes);
}

async function readParquet(bytes: Buffer): Promise<TabularFile> {
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

function readJsonLines(bytes: Buffer): TabularFile {
  const columns = new Set<string>();
  const rows = bytes
    .toString('utf8')
    .split('\n')
    .map((line, i) => [line.trim(), i + 1] as const)
    .filter(([line]) => line !== '')
    .map(([line, number]) => {
      let row: unknown;
      try {
        row = JSON.parse(line);
      } catch {
        throw badRequest(`line ${number} of the JSON Lines file is not JSON`);
      }
      if (typeof row !== 'object' || row === null || Array.isArray(row))
        throw badRequest(`line ${number} of the JSON Lines file is not a JSON object`);
      for (const key of Object.keys(row)) columns.add(key);
      return row as Record<string, unknown>;
    });
  return { format: 'jsonl', columns: [...columns], rows };
}

function readCsv(bytes: Buffer): TabularFile {
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
    if (error instanceof DomainError) throw error;
    throw badRequest(`the CSV file could not be read: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** A cell as a number: empty is null; a numeric string is read; anything else is a 400 at `where`. */
export function numberCell(value: unknown, where: string): number | null {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'boolean') return value ? 1 : 0;
  const parsed = typeof value === 'string' ? Number(value.trim()) : NaN;
  if (!Number.isFinite(parsed)) throw badRequest(`${where}: ${JSON.stringify(value)} is not a number`);
  return parsed;
}

/** A cell as text: empty is null. */
export function textCell(value: unknown): string | null {
  if (value === null || value === undefined || value === '') return null;
  return value instanceof Date ? value.toISOString() : String(value);
}

/** A cell as an instant (epoch ms): a Date, epoch milliseconds or ISO 8601; anything else is a 400 at `where`. */
export function instantCell(value: unknown, where: string): number {
  if (value instanceof Date && Number.isFinite(value.getTime())) return value.getTime();
  if (typeof value === 'number' || typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' && value.trim() !== '') {
    const trimmed = value.trim();
    const ms = /^-?\d+$/.test(trimmed) ? Number(trimmed) : Date.parse(trimmed);
    if (Number.isFinite(ms)) return ms;
  }
  throw badRequest(`${where}: ${JSON.stringify(value ?? null)} is not a time (ISO 8601 or epoch milliseconds)`);
}
