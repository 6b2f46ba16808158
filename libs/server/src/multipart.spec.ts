import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';

import Fastify from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';

import { DomainError, httpStatusOf } from './domain-error';
import { enableMultipart, streamUpload } from './multipart';
import { type TableRow, withTabularStream } from './tabular-stream';

describe('streamUpload', () => {
  const maxFileBytes = 1000;

  /** A route that reads the upload's file whole through `streamUpload` (answering its errors with their status). */
  const upload = async (parts: Array<[name: string, value: string, filename?: string]>, end = true) => {
    const app = Fastify();
    await enableMultipart(app);
    app.post('/upload', async (request, reply) => {
      try {
        return await streamUpload(request, maxFileBytes, async ({ file, fields }) => {
          const mode = file instanceof Readable ? 'streamed' : 'spooled';
          const rows = await withTabularStream(file, async (table) => {
            const read: TableRow[] = [];
            for await (const row of table.rows) read.push(row);
            return read;
          });
          return { mode, fields, rows };
        });
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        return reply.code(httpStatusOf(error.code)).send({ message: error.message });
      }
    });
    const boundary = 'test-boundary';
    const body = parts
      .map(
        ([name, value, filename]) =>
          `--${boundary}\r\ncontent-disposition: form-data; name="${name}"${filename ? `; filename="${filename}"` : ''}\r\n\r\n${value}\r\n`,
      )
      .join('');
    const response = await app.inject({
      method: 'POST',
      url: '/upload',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload: end ? `${body}--${boundary}--\r\n` : body.slice(0, -10),
    });
    await app.close();
    return { status: response.statusCode, body: response.json<Record<string, unknown>>() };
  };
  const csv = 'a,b\n1,2\n';
  // temp copies go to a directory of this file's own, checked empty after each test
  let temp: string;
  beforeAll(() => {
    temp = mkdtempSync(path.join(tmpdir(), 'multipart-spec-'));
    vi.stubEnv('TMPDIR', temp);
  });
  afterEach(() => expect(readdirSync(temp)).toEqual([]));
  afterAll(() => {
    vi.unstubAllEnvs();
    rmSync(temp, { recursive: true, force: true });
  });

  it('streams the file when fields come first, and copies it to a temp file when it comes first', async () => {
    expect(
      await upload([
        ['x', '1'],
        ['file', csv, 'rows.csv'],
      ]),
    ).toEqual({ status: 200, body: { mode: 'streamed', fields: { x: '1' }, rows: [{ a: '1', b: '2' }] } });
    expect(
      await upload([
        ['file', csv, 'rows.csv'],
        ['x', '1'],
        ['y', '2'],
      ]),
    ).toEqual({
      status: 200,
      body: { mode: 'spooled', fields: { x: '1', y: '2' }, rows: [{ a: '1', b: '2' }] },
    });
  });

  it('answers 413 for a file over the limit, 400 for an empty one, a field after a streamed file, or no file', async () => {
    const large = `a\n${'1\n'.repeat(maxFileBytes)}`;
    const tooLarge = { status: 413, body: { message: `the file is larger than ${maxFileBytes} bytes` } };
    expect(
      await upload([
        ['x', '1'],
        ['file', large, 'rows.csv'],
      ]),
    ).toEqual(tooLarge);
    expect(await upload([['file', large, 'rows.csv']])).toEqual(tooLarge);
    expect(
      await upload([
        ['x', '1'],
        ['file', '', 'rows.csv'],
      ]),
    ).toEqual({ status: 400, body: { message: 'the file in "file" is empty' } });
    expect(await upload([['file', '', 'rows.csv']])).toEqual({ status: 400, body: { message: 'the file in "file" is empty' } });
    expect(
      await upload([
        ['x', '1'],
        ['file', csv, 'rows.csv'],
        ['y', '2'],
      ]),
    ).toEqual({
      status: 400,
      body: { message: 'the field "y" came after the file: send every field before the file, or all of them after it' },
    });
    expect(await upload([['x', '1']])).toEqual({ status: 400, body: { message: 'no file: send it in a multipart part named "file"' } });
    // a body cut off within the file
    const cut = { status: 400, body: { message: 'malformed multipart/form-data body: Unexpected end of multipart data' } };
    expect(
      await upload(
        [
          ['x', '1'],
          ['file', `${csv}${csv}`, 'rows.csv'],
        ],
        false,
      ),
    ).toEqual(cut);
    expect(await upload([['file', `${csv}${csv}`, 'rows.csv']], false)).toEqual(cut);
  });
});
