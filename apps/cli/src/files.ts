import { openAsBlob } from 'node:fs';
import { open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { extname } from 'node:path';

import { parse as parseYaml } from 'yaml';

import { CliError } from './errors';

/** The bytes of a file the command names; `what` says which file in the error. */
export async function readBytes(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new CliError(`cannot read ${what} "${path}": ${reason(error)}`);
  }
}

/** A file the command names as a Blob that reads it from disk as it is sent: never held whole. */
export async function openBlob(path: string, what: string): Promise<Blob> {
  try {
    // opened once first: openAsBlob says no more than "Unable to open file" of a missing one
    const handle = await open(path, 'r');
    const isDirectory = await handle
      .stat()
      .then((s) => s.isDirectory())
      .finally(() => handle.close());
    if (isDirectory) throw Object.assign(new Error('it is a directory'), { code: 'EISDIR' });
    return await openAsBlob(path);
  } catch (error) {
    throw new CliError(`cannot read ${what} "${path}": ${reason(error)}`);
  }
}

/** A JSON file, parsed. */
export async function readJson(path: string, what: string): Promise<unknown> {
  const text = (await readBytes(path, what)).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new CliError(`${what} "${path}" is not valid JSON: ${(error as Error).message}`);
  }
}

/** A JSON or YAML file (by its extension: `.yaml`, `.yml`), parsed. */
export async function readJsonOrYaml(path: string, what: string): Promise<unknown> {
  if (!['.yaml', '.yml'].includes(extname(path).toLowerCase())) return readJson(path, what);
  const text = (await readBytes(path, what)).toString('utf8');
  try {
    return parseYaml(text) as unknown;
  } catch (error) {
    throw new CliError(`${what} "${path}" is not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
}

/**
 * Writes `bytes` to the file the command names, whole or not at all: into a file beside it, then
 * renamed into place, so an interrupted write never leaves half a file under the name asked for.
 */
export async function writeBytesAtomically(path: string, bytes: Uint8Array, what: string): Promise<void> {
  const partial = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(partial, bytes);
    await rename(partial, path);
  } catch (error) {
    await rm(partial, { force: true });
    // writing, a missing file is a missing directory
    const why = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such directory' : reason(error);
    throw new CliError(`cannot write ${what} "${path}": ${why}`);
  }
}

function reason(error: unknown): string {
  switch ((error as NodeJS.ErrnoException).code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a directory';
    default:
      return (error as Error).message;
  }
}
