import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';

import { JsonLogger } from './json-logger';

describe('JsonLogger', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'json-logger-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** A logger writing to a file as it writes to stdout: asynchronously, buffered up to 4 KB or a second. */
  async function logger(name: string) {
    const file = path.join(dir, `${name}.log`);
    const destination = pino.destination({ dest: file, sync: false, minLength: 4096, periodicFlush: 1_000 });
    await new Promise((resolve) => destination.once('ready', resolve));
    const lines = () =>
      readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    return { log: new JsonLogger('test', 'info', destination), lines };
  }
  const soon = (ms: number) => new Promise((r) => setTimeout(r, ms));
  /** Polls until the file holds `count` lines or `ms` pass; answers them. */
  async function linesWithin(lines: () => Array<Record<string, unknown>>, count: number, ms: number) {
    for (const deadline = Date.now() + ms; lines().length < count && Date.now() < deadline;) await soon(20);
    return lines();
  }

  it('writes a warning or an error out at once, not after 4 KB of lines', async () => {
    const { log, lines } = await logger('warn');
    log.warn({ msg: 'process exited; starting it again', index: 1 }, 'cluster');
    // well before the first periodic flush (a second after the destination opened)
    expect(await linesWithin(lines, 1, 500)).toEqual([
      expect.objectContaining({ level: 'warn', msg: 'process exited; starting it again' }),
    ]);
    // one more while that write may still be under way: at once, or with the next periodic flush
    log.error({ msg: 'the broker is gone' }, 'kafka');
    expect(await linesWithin(lines, 2, 3_000)).toEqual([
      expect.objectContaining({ level: 'warn', service: 'test', context: 'cluster', msg: 'process exited; starting it again', index: 1 }),
      expect.objectContaining({ level: 'error', context: 'kafka', msg: 'the broker is gone' }),
    ]);
  });

  it('holds other lines a second at most, and writes none below its level', async () => {
    const { log, lines } = await logger('info');
    log.log({ msg: 'started' }, 'bootstrap');
    log.debug({ msg: 'a request' }, 'http');
    await soon(100);
    expect(lines()).toEqual([]); // buffered: a busy process writes its lines 4 KB at a time
    expect(await linesWithin(lines, 1, 3_000)).toEqual([expect.objectContaining({ level: 'info', context: 'bootstrap', msg: 'started' })]);
  });
});
