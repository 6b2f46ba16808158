import { finished, type Readable, Transform } from 'node:stream';

import multipart, { type Multipart, type MultipartFile } from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';

import { badRequest, DomainError, payloadTooLarge } from './domain-error';
import { withSpooledStream } from './tabular-stream';

/** One uploaded file and the text fields sent with it. */
export interface Upload {
  bytes: Buffer;
  filename: string;
  fields: Record<string, string>;
}

const MAX_FIELD_BYTES = 1024 * 1024;

/** multipart/form-data for the routes that take files (read with `readUpload`); other routes never see it. */
export async function enableMultipart(fastify: FastifyInstance): Promise<void> {
  await fastify.register(multipart, { limits: { files: 1, fields: 32, fieldSize: MAX_FIELD_BYTES, parts: 33 } });
}

/**
 * Reads a multipart/form-data request holding one file part named `fileField` and text fields.
 * A file over `maxFileBytes` answers 413; anything else malformed answers 400, naming the problem.
 */
export async function readUpload(request: FastifyRequest, maxFileBytes: number, fileField = 'file'): Promise<Upload> {
  if (!request.isMultipart()) throw badRequest(`send the file as multipart/form-data, in a part named "${fileField}"`);
  let file: { bytes: Buffer; filename: string } | undefined;
  const fields: Record<string, string> = {};
  try {
    for await (const part of request.parts({ limits: { fileSize: maxFileBytes } })) {
      if (part.type === 'field') {
        fields[part.fieldname] = String(part.value);
        continue;
      }
      if (part.fieldname !== fileField) {
        part.file.resume();
        throw badRequest(`unexpected file part "${part.fieldname}": send the file in a part named "${fileField}"`);
      }
      file = { bytes: await part.toBuffer(), filename: part.filename };
    }
  } catch (error) {
    throw uploadError(error, maxFileBytes);
  }
  if (!file) throw badRequest(`no file: send it in a multipart part named "${fileField}"`);
  if (file.bytes.length === 0) throw badRequest(`the file in "${fileField}" is empty`);
  return { ...file, fields };
}

/** One uploaded file, read as it arrives, and the text fields sent with it. */
export interface UploadStream {
  filename: string;
  fields: Record<string, string>;
  /** the file's bytes: straight off the request, or a temp copy on disk (see `streamUpload`) */
  file: Readable | { path: string };
}

type Parts = AsyncIterator<Multipart>;

/**
 * Reads a multipart/form-data request holding one file part named `fileField` and text fields,
 * and hands the file to `use` without ever holding it in memory. When fields come before the
 * file, `use` gets them and the file's bytes as they arrive; that stream ends only once the rest
 * of the body is read and sound, else it fails — so a field after the file, which `use` could not
 * have read the file with, is a 400 before `use` can finish. When the file comes first, it is
 * copied to a temp file as it arrives and `use` gets it with the fields that follow; the copy is
 * removed when `use` settles. A file over `maxFileBytes` answers 413; anything else malformed
 * answers 400, naming the problem. Settles only after `use` has.
 */
export async function streamUpload<T>(
  request: FastifyRequest,
  maxFileBytes: number,
  use: (upload: UploadStream) => Promise<T>,
  fileField = 'file',
): Promise<T> {
  if (!request.isMultipart()) throw badRequest(`send the file as multipart/form-data, in a part named "${fileField}"`);
  const parts: Parts = request.parts({ limits: { fileSize: maxFileBytes } })[Symbol.asyncIterator]();
  const reading = <R>(read: Promise<R>) =>
    read.catch((error: unknown): never => {
      throw uploadError(error, maxFileBytes);
    });
  const fields: Record<string, string> = {};
  try {
    const part = await reading(partsUntilFile(parts, fields, fileField));
    if (!part) throw badRequest(`no file: send it in a multipart part named "${fileField}"`);
    if (Object.keys(fields).length === 0) {
      return await withSpooledStream(fileBytes(part, Promise.resolve(), maxFileBytes, fileField), async (path) => {
        await reading(partsAfterFile(parts, fields, fileField));
        return use({ filename: part.filename, fields, file: { path } });
      });
    }
    let sound!: () => void;
    const file = fileBytes(part, new Promise<void>((resolve) => (sound = resolve)), maxFileBytes, fileField);
    const using = use({ filename: part.filename, fields, file });
    // a `use` that failed before reading the whole file lets go of it, so the parts below end
    const used = using.then(
      () => file.destroy(),
      () => file.destroy(),
    );
    try {
      const late: Record<string, string> = {};
      await reading(partsAfterFile(parts, late, fileField));
      const [name] = Object.keys(late);
      if (name !== undefined)
        throw badRequest(`the field "${name}" came after the file: send every field before the file, or all of them after it`);
      sound();
    } catch (error) {
      file.destroy(error as Error);
      await used;
      throw error;
    }
    return await using;
  } catch (error) {
    // what the client still sends is dropped, so the answer reaches it without waiting for the upload
    request.raw.unpipe();
    request.raw.resume();
    throw error;
  }
}

/** Reads the parts before the file, the fields into `fields`; the file part, or undefined when there is none. */
async function partsUntilFile(parts: Parts, fields: Record<string, string>, fileField: string): Promise<MultipartFile | undefined> {
  for (let next = await parts.next(); !next.done; next = await parts.next()) {
    const part = next.value;
    if (part.type === 'field') fields[part.fieldname] = String(part.value);
    else if (part.fieldname === fileField) return part;
    else {
      part.file.resume();
      throw badRequest(`unexpected file part "${part.fieldname}": send the file in a part named "${fileField}"`);
    }
  }
  return undefined;
}

/** Reads the parts after the file to the end of the body, the fields into `fields`; another file is a 400. */
async function partsAfterFile(parts: Parts, fields: Record<string, string>, fileField: string): Promise<void> {
  const again = await partsUntilFile(parts, fields, fileField);
  if (!again) return;
  again.file.resume();
  throw badRequest(`a second file in "${fileField}": send one file`);
}

/**
 * The file part's bytes, passed on as they arrive. The stream fails with the error to answer
 * when the body is at fault (413 past `maxFileBytes`, 400 malformed or empty), and ends only once
 * `sound` resolves. A reader that stops early lets go of the part, so the body's parts end.
 */
function fileBytes(part: MultipartFile, sound: Promise<void>, maxFileBytes: number, fileField: string): Readable {
  let size = 0;
  const bytes = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length;
      done(null, chunk);
    },
    flush(done) {
      sound.then(() => done(size === 0 ? badRequest(`the file in "${fileField}" is empty`) : null), done);
    },
  });
  // the reader gets the error reading; failed before anyone reads, the stream must not end the process
  bytes.on('error', () => undefined);
  part.file.on('limit', () => bytes.destroy(tooLarge(maxFileBytes)));
  // `finished` also reports a part the parser failed before this was called (a body cut off)
  finished(part.file, (error) => error && bytes.destroy(uploadError(error, maxFileBytes) as Error));
  bytes.on('close', () => part.file.destroy());
  part.file.pipe(bytes);
  return bytes;
}

/** What a multipart body at fault answers: 413 for a file over the limit, else a 400 naming the problem. */
function uploadError(error: unknown, maxFileBytes: number): unknown {
  if (error instanceof DomainError) return error;
  const { code, statusCode, message } = error as { code?: string; statusCode?: number; message?: string };
  if (code === 'FST_REQ_FILE_TOO_LARGE' || statusCode === 413) return tooLarge(maxFileBytes);
  if (typeof statusCode === 'number' && statusCode >= 500) return error;
  // the parser's own errors (no boundary, a truncated part, too many parts) are the body's fault
  return badRequest(`malformed multipart/form-data body: ${message ?? 'unreadable'}`);
}

const tooLarge = (maxFileBytes: number) => payloadTooLarge(`the file is larger than ${maxFileBytes} bytes`);
