import { createReadStream, createWriteStream } from 'node:fs';
import { type FileHandle, mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { StringDecoder } from 'node:string_decoder';

import { CsvError, parse } from 'csv-parse';
import { type AsyncBuffer, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';

import { badRequest } from './domain-error';

export type TableRow = Record<string, unknown>;

/** A table read as it arrives: its columns first, then its rows, never all of them at once. */
export interface TabularStream {
  format: 'csv' | 'parquet' | 'jsonl';
  /** the header (CSV), the schema (Parquet), the first line's keys (JSON Lines: later lines may hold others) */
  columns: string[];
  /** the rows in file order, read once; at most a Parquet row group is held at a time */
  rows: AsyncIterable<TableRow>;
}

/** A table's bytes: in memory, arriving on a stream, or in a file on disk. */
export type TabularSource = Buffer | Readable | { path: string };

const PARQUET_MAGIC = 'PAR1';
// A line longer than this is refused rather than gathered: a file without line breaks would fill memory.
const MAX_LINE_CHARS = 16 * 1024 * 1024;

/**
 * Reads Parquet (by its magic bytes), JSON Lines (a first line that is a JSON object), else CSV
 * with a header row (a UTF-8 BOM is skipped), and hands it to `use` to read its rows. A file
 * none of them can read is a 400 saying why. Parquet is read row group by row group at random
 * places, so a stream of it is first copied to a temp file. Whatever `use` does, the stream, the
 * file and any temp copy are closed and removed before this settles.
 */
export async function withTabularStream<T>(source: TabularSource, use: (table: TabularStream) => Promise<T>): Promise<T> {
  if (Buffer.isBuffer(source)) {
    if (!isParquet(source)) return withTextTable(source, Readable.from([source]), use);
    return use(await parquetTable(source.buffer.slice(source.byteOffset, source.byteOffset + source.byteLength) as ArrayBuffer));
  }
  if (source instanceof Readable) {
    try {
      const { head, whole } = await peek(source, PARQUET_MAGIC.length);
      if (!isParquet(head)) return await withTextTable(head, whole, use);
      return await withSpooledStream(whole, (file) => withTabularStream({ path: file }, use));
    } finally {
      source.destroy();
    }
  }
  const handle = await open(source.path);
  try {
    const { size } = await handle.stat();
    const file = fileBuffer(handle, size);
    const head = Buffer.from(await file.slice(0, Math.min(size, PARQUET_MAGIC.length)));
    if (!isParquet(head)) return await withTextTable(head, createReadStream(source.path), use);
    return await use(await parquetTable(file));
  } finally {
    await handle.close();
  }
}

/** Copies a stream to a temp file for `use`; the file is removed when `use` settles, whatever happened. */
export async function withSpooledStream<T>(bytes: Readable, use: (file: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(tmpdir(), 'atelier-upload-'));
  try {
    const file = path.join(dir, 'upload');
    await pipeline(bytes, createWriteStream(file));
    return await use(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function isParquet(head: Buffer): boolean {
  return head.subarray(0, PARQUET_MAGIC.length).toString('latin1') === PARQUET_MAGIC;
}

async function withTextTable<T>(head: Buffer, bytes: Readable, use: (table: TabularStream) => Promise<T>): Promise<T> {
  try {
    return await use(head.subarray(0, 1).toString('latin1') === '{' ? await jsonLinesTable(bytes) : await csvTable(bytes));
  } finally {
    bytes.destroy();
  }
}

/** The first `n` bytes of a stream (fewer if it is shorter), and the whole stream, them included. */
async function peek(stream: Readable, n: number): Promise<{ head: Buffer; whole: Readable }> {
  const chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const first: Buffer[] = [];
  let length = 0;
  while (length < n) {
    const next = await chunks.next();
    if (next.done) break;
    first.push(next.value);
    length += next.value.length;
  }
  async function* whole() {
    yield* first;
    for (let next = await chunks.next(); !next.done; next = await chunks.next()) yield next.value;
  }
  return { head: Buffer.concat(first), whole: Readable.from(whole(), { objectMode: false }) };
}

/** Starts reading the rows to learn the columns (the header, the first line), then goes on from there. */
async function startedTable(
  format: TabularStream['format'],
  rows: AsyncIterator<TableRow>,
  columns: () => string[],
): Promise<TabularStream> {
  const first = await rows.next();
  async function* all() {
    for (let next = first; !next.done; next = await rows.next()) yield next.value;
  }
  return { format, columns: columns(), rows: all() };
}

async function csvTable(bytes: Readable): Promise<TabularStream> {
  let columns: string[] = [];
  const parser = parse({
    bom: true,
    skip_empty_lines: true,
    max_record_size: MAX_LINE_CHARS,
    columns: (header: string[]) => (columns = header.map((h) => h.trim())),
  });
  // a failing source fails the parser, which is where the rows are read
  pipeline(bytes, parser).catch(() => undefined);
  async function* records() {
    try {
      yield* parser as AsyncIterable<TableRow>;
    } catch (error) {
      if (error instanceof CsvError) throw badRequest(`the CSV file could not be read: ${error.message}`);
      throw error;
    }
  }
  const table = await startedTable('csv', records(), () => columns);
  if (table.columns.length === 0) throw badRequest('the CSV file has no header row: its first line names the columns');
  return table;
}

async function jsonLinesTable(bytes: Readable): Promise<TabularStream> {
  let columns: string[] | undefined;
  async function* objects() {
    for await (const [line, number] of lines(bytes)) {
      const row = jsonLine(line, number);
      if (row === null) continue;
      columns ??= Object.keys(row);
      yield row;
    }
  }
  return startedTable('jsonl', objects(), () => columns ?? []);
}

/** The text's lines with their numbers (from 1), split as the bytes arrive. */
async function* lines(bytes: AsyncIterable<Buffer>): AsyncGenerator<[string, number]> {
  const decoder = new StringDecoder('utf8');
  let partial = '';
  let number = 0;
  for await (const chunk of bytes) {
    const text = decoder.write(chunk);
    if (!text.includes('\n')) {
      partial += text;
      if (partial.length > MAX_LINE_CHARS)
        throw badRequest(`line ${number + 1} of the JSON Lines file is longer than ${MAX_LINE_CHARS} characters`);
      continue;
    }
    const split = (partial + text).split('\n');
    partial = split.pop() ?? '';
    for (const line of split) yield [line, ++number];
  }
  yield [partial + decoder.end(), ++number];
}

/** A line of JSON Lines as a row; null for an empty line. */
function jsonLine(line: string, number: number): TableRow | null {
  const text = line.trim();
  if (text === '') return null;
  let row: unknown;
  try {
    row = JSON.parse(text);
  } catch {
    throw badRequest(`line ${number} of the JSON Lines file is not JSON`);
  }
  if (typeof row !== 'object' || row === null || Array.isArray(row))
    throw badRequest(`line ${number} of the JSON Lines file is not a JSON object`);
  return row as TableRow;
}

async function parquetTable(file: AsyncBuffer): Promise<TabularStream> {
  const metadata = await parquetRead(() => parquetMetadataAsync(file));
  async function* rows() {
    let rowStart = 0;
    for (const group of metadata.row_groups) {
      const rowEnd = rowStart + Number(group.num_rows);
      yield* await parquetRead(() => parquetReadObjects({ file, metadata, rowStart, rowEnd, compressors }) as Promise<TableRow[]>);
      rowStart = rowEnd;
    }
  }
  return { format: 'parquet', columns: metadata.schema.slice(1).map((s) => s.name), rows: rows() };
}

async function parquetRead<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    throw badRequest(`the Parquet file could not be read: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** A file on disk as hyparquet reads it: byte ranges at random places. */
function fileBuffer(handle: FileHandle, size: number): AsyncBuffer {
  return {
    byteLength: size,
    async slice(start, end = size) {
      const bytes = Buffer.alloc(Math.max(0, end - start));
      for (let at = 0; at < bytes.length;) {
        const { bytesRead } = await handle.read(bytes, at, bytes.length - at, start + at);
        if (bytesRead === 0) throw new Error(`the file ends at ${start + at} bytes, before ${end}`);
        at += bytesRead;
      }
      return bytes.buffer as ArrayBuffer;
    },
  };
}
