import type { Command } from 'commander';

import { AtelierClient } from '@atelier/sdk';

import { configPath, readLogin } from './config-file';
import { UsageError } from './errors';
import { Output } from './output';

export const DEFAULT_URL = 'http://127.0.0.1:3000';

/** A request the platform has not answered after this long is given up (a large upload fits well within). */
const REQUEST_TIMEOUT_MS = 120_000;

export interface Stream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** Everything the CLI touches outside itself; `main.ts` passes the process's, tests their own. */
export interface CliIo {
  stdout: Stream;
  stderr: Stream;
  env: Readonly<Record<string, string | undefined>>;
  fetch?: typeof fetch;
  /** the wait between two polls of a watched job */
  sleep?: (ms: number) => Promise<void>;
  /** all of standard input, for `atelier login` when no key is given otherwise */
  readStdin?: () => Promise<string>;
}

/** Options every command takes, before or after its name. */
export interface GlobalOptions {
  url?: string;
  apiKey?: string;
  json?: boolean;
}

/** What a command's action works with. */
export interface Context {
  client: AtelierClient;
  out: Output;
  io: CliIo;
  url: string;
  json: boolean;
  /** the key given by `--api-key` or `ATELIER_API_KEY`, not the saved one */
  givenKey?: string;
}

/**
 * The URL and key come from the flags, else the environment, else `atelier login`'s saved file,
 * else the local platform with no key. The saved key goes only to the URL it was saved for: a
 * `--url` elsewhere never receives it.
 */
export function contextOf(command: Command, io: CliIo): Context {
  const options = command.optsWithGlobals<GlobalOptions>();
  const saved = readLogin(configPath(io.env));
  // an empty variable counts as unset, as in `ATELIER_URL= atelier …`
  const url = platformUrl(options.url ?? (io.env['ATELIER_URL'] || saved?.url || DEFAULT_URL));
  const savedKey = saved && platformUrl(saved.url) === url ? saved.apiKey : undefined;
  const givenKey = options.apiKey ?? (io.env['ATELIER_API_KEY'] || undefined);
  const client = clientFor(url, givenKey ?? savedKey ?? '', io);
  const json = options.json === true;
  return { client, out: new Output(io.stdout, json), io, url, json, givenKey };
}

/** A client of the platform at `url` sending `apiKey` ('' sends none). */
export function clientFor(url: string, apiKey: string, io: CliIo): AtelierClient {
  const fetchImpl = io.fetch ?? globalThis.fetch.bind(globalThis);
  return new AtelierClient({
    baseUrl: url,
    // '' sends no key and keeps the SDK from reading this process's environment itself: `io.env` stands for it
    apiKey,
    fetch: (input, init) => fetchImpl(input, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) }),
  });
}

export function platformUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--url: "${value}" is not a URL (e.g. ${DEFAULT_URL})`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--url: "${value}" is not an http(s) URL`);
  return value.replace(/\/+$/, '');
}
