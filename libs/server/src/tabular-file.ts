import { badRequest } from './domain-error';
import { type TableRow, withTabularStream } from './tabular-stream';

/** An uploaded table read whole: its column names and rows (values as the format holds them). */
export interface TabularFile {
  format: 'csv' | 'parquet' | 'jsonl';
  columns: string[];
  rows: TableRow[];
}

/**
 * The formats of `withTabularStream`, read whole: every row in memory, and a JSON Lines file's
 * columns the keys of all its lines. A file none of them can read is a 400 saying why.
 */
export async function readTabularFile(bytes: Buffer): Promise<TabularFile> {
  return withTabularStream(bytes, async (table) => {
    const columns = new Set(table.columns);
    const rows: TableRow[] = [];
    for await (const row of table.rows) {
      rows.push(row);
      if (table.format === 'jsonl') for (const key of Object.keys(row)) columns.add(key);
    }
    return { format: table.format, columns: [...columns], rows };
  });
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
