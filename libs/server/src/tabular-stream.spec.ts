import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';

import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';

import { readTabularFile } from './tabular-file';
import { type TableRow, type TabularSource, withTabularStream } from './tabular-stream';

/** The bytes as a stream of `size`-byte chunks: every boundary a reader must cope with. */
const trickle = (bytes: Buffer, size: number) =>
  Readable.from(
    (function* () {
      for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
    })(),
    { objectMode: false },
  );

const read = (source: TabularSource) =>
  withTabularStream(source, async (table) => {
    const rows: TableRow[] = [];
    for await (const row of table.rows) rows.push(row);
    return { format: table.format, columns: table.columns, rows };
  });

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => 'resolved',
    (error: Error) => error.message,
  );

describe('withTabularStream', () => {
  // temp copies go to a directory of this file's own, checked empty after each test
  let temp: string;
  beforeAll(() => {
    temp = mkdtempSync(path.join(tmpdir(), 'tabular-stream-spec-'));
    vi.stubEnv('TMPDIR', temp);
  });
  afterEach(() => expect(readdirSync(temp)).toEqual([]));
  afterAll(() => {
    vi.unstubAllEnvs();
    rmSync(temp, { recursive: true, force: true });
  });

  it('reads CSV arriving a byte at a time as the whole file reads', async () => {
    const csv = Buffer.from('\ufeffairport, at ,note\nORD,2001-01-01T00:00:00Z,"a, quoted ""note"""\n\nSFO,2001-01-01T01:00:00Z,é\n');
    const whole = await readTabularFile(csv);
    expect(whole).toEqual({
      format: 'csv',
      columns: ['airport', 'at', 'note'],
      rows: [
        { airport: 'ORD', at: '2001-01-01T00:00:00Z', note: 'a, quoted "note"' },
        { airport: 'SFO', at: '2001-01-01T01:00:00Z', note: 'é' },
      ],
    });
    expect(await read(trickle(csv, 1))).toEqual(whole);
    expect(await failure(read(trickle(Buffer.from('a,b\n1,2\n3\n'), 2)))).toMatch(/^the CSV file could not be read: Invalid Record Length/);
    expect(await failure(read(Readable.from([], { objectMode: false })))).toBe(
      'the CSV file has no header row: its first line names the columns',
    );
  });

  it('reads JSON Lines as they arrive: the first line names the columns, errors name the line', async () => {
    const jsonl = Buffer.from('{"a":1,"b":"é"}\r\n\n{"a":2,"c":true}\n');
    expect(await read(trickle(jsonl, 3))).toEqual({
      format: 'jsonl',
      columns: ['a', 'b'],
      rows: [
        { a: 1, b: 'é' },
        { a: 2, c: true },
      ],
    });
    // read whole, the columns are every line's keys
    expect((await readTabularFile(jsonl)).columns).toEqual(['a', 'b', 'c']);
    expect(await failure(read(trickle(Buffer.from('{"a":1}\n\n{"a":\n'), 4)))).toBe('line 3 of the JSON Lines file is not JSON');
    expect(await failure(read(Buffer.from('{"a":1}\n[1]')))).toBe('line 2 of the JSON Lines file is not a JSON object');
  });

  it('reads Parquet a row group at a time, from memory, a file, or a stream copied to a temp file it removes', async () => {
    const rows = 2500;
    const parquet = Buffer.from(
      parquetWriteBuffer({
        columnData: [
          { name: 'id', data: Array.from({ length: rows }, (_, i) => i), type: 'INT32' },
          { name: 'at', data: Array.from({ length: rows }, (_, i) => new Date(Date.UTC(2001, 0, 1) + i * 1000)), type: 'TIMESTAMP' },
        ],
        rowGroupSize: 1000,
      }),
    );
    const expected = {
      format: 'parquet',
      columns: ['id', 'at'],
      rows: Array.from({ length: rows }, (_, i) => ({ id: i, at: new Date(Date.UTC(2001, 0, 1) + i * 1000) })),
    };
    const file = `${temp}.parquet`;
    writeFileSync(file, parquet);
    expect(await read({ path: file })).toEqual(expected);
    rmSync(file);
    expect(await read(parquet)).toEqual(expected);
    expect(await read(trickle(parquet, 4096))).toEqual(expected);
    // `use` failing halfway: the temp copy goes all the same
    const halfway = withTabularStream(trickle(parquet, 4096), async (table) => {
      for await (const row of table.rows) if (row['id'] === 1500) throw new Error('row 1501 is bad');
    });
    expect(await failure(halfway)).toBe('row 1501 is bad');
    expect(await failure(read(Buffer.concat([parquet.subarray(0, 100), Buffer.from('PAR1')])))).toMatch(
      /^the Parquet file could not be read: /,
    );
  });
});
