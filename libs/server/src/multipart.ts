import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';

import { badRequest, DomainError, payloadTooLarge } from './domain-error';

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
    if (error instanceof DomainError) throw error;
    const { code, statusCode, message } = error as { code?: string; statusCode?: number; message?: string };
    if (code === 'FST_REQ_FILE_TOO_LARGE' || statusCode === 413) throw payloadTooLarge(`the file is larger than ${maxFileBytes} bytes`);
    if (typeof statusCode === 'number' && statusCode >= 500) throw error;
    // the parser's own errors (no boundary, a truncated part, too many parts) are the body's fault
    throw badRequest(`malformed multipart/form-data body: ${message ?? 'unreadable'}`);
  }
  if (!file) throw badRequest(`no file: send it in a multipart part named "${fileField}"`);
  if (file.bytes.length === 0) throw badRequest(`the file in "${fileField}" is empty`);
  return { ...file, fields };
}
