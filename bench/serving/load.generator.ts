import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';

import { Pool } from 'undici';

import { groupCpuSeconds } from '../process.cpu';
import { type LoadMode, type PhaseResult, printResult, summarise } from './load-result';

/**
 * A bounded HTTP load generator, in its own process so it does not share an event loop with
 * what it measures:
 *   node -r @swc-node/register bench/serving/load.generator.ts --url http://127.0.0.1:3100/api/predict \
 *     --bodies bodies.json [--modes closed,open] [--connections 10] [--rate 1000] [--duration 15] [--warmup 3]
 * The first phase is preceded by a warm-up of its kind whose numbers are dropped (the phases run
 * back to back, so the first warms the server for the next). Prints one `BENCH_RESULT {json}`
 * line. Loopback only; every phase stops after --duration seconds (at most 10 minutes; closed
 * loop: plus at most one request timeout; open loop: plus --grace seconds, then cuts off).
 */
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
const MAX_SECONDS = 600;
/** every server gets the same headers; Atelier needs its API key (ATELIER_API_KEY), the others ignore it */
const HEADERS: Record<string, string> = {
  'content-type': 'application/json',
  ...(process.env.ATELIER_API_KEY ? { authorization: `Bearer ${process.env.ATELIER_API_KEY}` } : {}),
};

interface Options {
  url: URL;
  bodies: string[];
  modes: LoadMode[];
  connections: number;
  openConnections: number;
  rate: number;
  seconds: number;
  warmupSeconds: number;
  count: number;
  timeoutMs: number;
  graceMs: number;
  /** process group of the server under test, for its CPU use */
  serverPgid?: number;
}

/** One request's fate: its HTTP status, 0 for a socket error or timeout, -1 when cut off. */
type Outcome = { status: number; error?: string };

function options(): Options {
  const { values } = parseArgs({
    options: {
      url: { type: 'string' },
      bodies: { type: 'string' },
      modes: { type: 'string', default: 'closed,open' },
      connections: { type: 'string', default: '10' },
      'open-connections': { type: 'string', default: '100' },
      rate: { type: 'string', default: '1000' },
      duration: { type: 'string', default: '15' },
      warmup: { type: 'string', default: '3' },
      count: { type: 'string', default: String(Number.MAX_SAFE_INTEGER) },
      timeout: { type: 'string', default: '10' },
      grace: { type: 'string', default: '5' },
      'server-pgid': { type: 'string' },
    },
  });
  if (!values.url || !values.bodies) throw new Error('usage: load.generator.ts --url <loopback url> --bodies <file.json> [options]');
  const url = new URL(values.url);
  if (!LOOPBACK.has(url.hostname)) throw new Error(`refusing ${url.host}: the load generator targets loopback addresses only`);
  const bodies = (JSON.parse(readFileSync(values.bodies, 'utf8')) as unknown[]).map((b) => JSON.stringify(b));
  if (bodies.length === 0) throw new Error(`${values.bodies} holds no request bodies`);
  return {
    url,
    bodies,
    modes: values.modes.split(',').map((m) => (m === 'closed' || m === 'open' ? m : fail(`unknown mode ${m}`))),
    connections: positive(values.connections, 'connections'),
    openConnections: positive(values['open-connections'], 'open-connections'),
    rate: positive(values.rate, 'rate'),
    seconds: Math.min(MAX_SECONDS, positive(values.duration, 'duration')),
    warmupSeconds: Math.min(MAX_SECONDS, Number(values.warmup)),
    count: positive(values.count, 'count'),
    timeoutMs: positive(values.timeout, 'timeout') * 1000,
    graceMs: positive(values.grace, 'grace') * 1000,
    serverPgid: values['server-pgid'] ? positive(values['server-pgid'], 'server-pgid') : undefined,
  };
}

async function main(): Promise<void> {
  const o = options();
  const phases: PhaseResult[] = [];
  if (o.warmupSeconds > 0) await phase(o, o.modes[0]!, o.warmupSeconds);
  for (const mode of o.modes) phases.push(await phase(o, mode, o.seconds));
  printResult({ url: o.url.href, bodies: o.bodies.length, warmupSeconds: o.warmupSeconds, phases });
}

async function phase(o: Options, mode: LoadMode, seconds: number): Promise<PhaseResult> {
  const connections = mode === 'closed' ? o.connections : o.openConnections;
  // keep-alive, one request per connection at a time (no pipelining), as a typical client
  const pool = new Pool(o.url.origin, {
    connections,
    pipelining: 1,
    keepAliveTimeout: 60_000,
    headersTimeout: o.timeoutMs,
    bodyTimeout: o.timeoutMs,
  });
  const wall = performance.now();
  const cpu = process.cpuUsage();
  const server = o.serverPgid ? groupCpuSeconds(o.serverPgid) : undefined;
  try {
    const result = mode === 'closed' ? await closedLoop(o, pool, seconds) : await openLoop(o, pool, seconds);
    const elapsed = (performance.now() - wall) / 1000;
    const used = process.cpuUsage(cpu);
    result.cpu = { generator: (used.user + used.system) / 1e6 / elapsed };
    if (server !== undefined) result.cpu.server = (groupCpuSeconds(o.serverPgid!) - server) / elapsed;
    return result;
  } finally {
    if (!pool.destroyed) await pool.destroy();
  }
}

/** Each connection sends its next request when the previous one is answered. */
async function closedLoop(o: Options, pool: Pool, seconds: number): Promise<PhaseResult> {
  const tally = new Tally();
  const started = performance.now();
  const end = started + seconds * 1000;
  let next = 0;
  const connection = async () => {
    while (performance.now() < end && next < o.count) {
      const body = o.bodies[next++ % o.bodies.length]!;
      const sent = performance.now();
      const outcome = await send(pool, o.url, body);
      tally.add(performance.now() - sent, outcome);
    }
  };
  await Promise.all(Array.from({ length: o.connections }, connection));
  const elapsed = (performance.now() - started) / 1000;
  return tally.result('closed', o.connections, elapsed, next);
}

/**
 * Requests leave at fixed intents (i / rate) whatever the server does, and each latency runs from
 * its intent: a server that stalls is charged for every request that waited, not just the one it
 * held (no coordinated omission). Whatever is unanswered `graceMs` after the last intent is cut
 * off and counted as an error at its age then.
 */
async function openLoop(o: Options, pool: Pool, seconds: number): Promise<PhaseResult> {
  const tally = new Tally();
  const total = Math.max(1, Math.round(o.rate * seconds));
  const interval = 1000 / o.rate;
  const pending: Array<Promise<void>> = [];
  let started = 0;
  let lastAnswer = 0;
  let fired = 0;
  let cut = false;
  await ticks(interval, total, (at) => {
    started = at;
    const due = Math.min(total, Math.floor((now() - started) / interval) + 1);
    for (; fired < due; fired++) {
      const intent = started + fired * interval;
      tally.lag(now() - intent);
      const body = o.bodies[fired % o.bodies.length]!;
      pending.push(
        send(pool, o.url, body).then((outcome) => {
          const at = now();
          if (cut && outcome.status === 0)
            return tally.add(at - intent, { status: -1, error: `cut off ${o.graceMs} ms after the last intent` });
          lastAnswer = at;
          tally.add(at - intent, outcome);
        }),
      );
    }
    return fired >= total;
  });
  // destroying the pool fails every request still queued or in flight
  const cutOff = setTimeout(() => ((cut = true), void pool.destroy()), o.graceMs);
  await Promise.all(pending);
  clearTimeout(cutOff);
  // the phase lasts until the last answer, and at least as long as the schedule
  const result = tally.result('open', o.openConnections, (Math.max(lastAnswer, started + total * interval) - started) / 1000, total);
  return { ...result, rate: o.rate };
}

/**
 * Calls `onTick` at (or just after) each intent `started + i * interval` until it returns true.
 * Node's timers fire up to 1–2 ms late, which at 1000 req/s would add about half a millisecond
 * to every latency measured from its intent; a worker thread sleeping in `Atomics.wait`
 * (sub-millisecond) and posting a message per intent is late by ~0.1 ms instead. The worker is
 * started before the first intent is fixed, so its start-up does not count as lateness.
 */
async function ticks(interval: number, total: number, onTick: (started: number) => boolean): Promise<void> {
  const source = `
    const { parentPort } = require('node:worker_threads');
    const { performance } = require('node:perf_hooks');
    const cell = new Int32Array(new SharedArrayBuffer(4));
    parentPort.once('message', ({ started, interval, total }) => {
      for (let i = 0; i < total; i++) {
        const wait = started + i * interval - (performance.timeOrigin + performance.now());
        if (wait > 0) Atomics.wait(cell, 0, 0, wait);
        parentPort.postMessage(i);
      }
    });`;
  const worker = new Worker(source, { eval: true });
  await once(worker, 'online');
  const started = now() + 5;
  return new Promise((resolve, reject) => {
    worker.on('message', () => {
      if (onTick(started)) void worker.terminate().then(() => resolve());
    });
    worker.on('error', reject);
    worker.postMessage({ started, interval, total });
  });
}

async function send(pool: Pool, url: URL, body: string): Promise<Outcome> {
  try {
    const response = await pool.request({ method: 'POST', path: url.pathname, headers: HEADERS, body });
    const text = await response.body.text();
    return response.statusCode < 300
      ? { status: response.statusCode }
      : { status: response.statusCode, error: `${response.statusCode} ${text.slice(0, 300)}` };
  } catch (error) {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return { status: 0, error: message };
  }
}

/** Latencies and outcomes of one phase. */
class Tally {
  private readonly latencies: number[] = [];
  private readonly lags: number[] = [];
  private readonly statuses: Record<string, number> = {};
  private ok = 0;
  private firstError?: string;

  add(latencyMs: number, outcome: Outcome): void {
    this.latencies.push(latencyMs);
    this.statuses[outcome.status] = (this.statuses[outcome.status] ?? 0) + 1;
    if (outcome.status >= 200 && outcome.status < 300) this.ok++;
    else if (outcome.status !== -1) this.firstError ??= outcome.error;
  }

  /** open loop: how late the generator itself sent a request after its intent */
  lag(ms: number): void {
    this.lags.push(ms);
  }

  result(mode: LoadMode, connections: number, seconds: number, requests: number): PhaseResult {
    const answered = this.latencies.length;
    return {
      mode,
      connections,
      seconds,
      requests,
      ok: this.ok,
      errors: answered - this.ok,
      cutOff: this.statuses['-1'] ?? 0,
      statuses: this.statuses,
      okPerSecond: this.ok / seconds,
      cpu: { generator: 0 },
      latencyMs: summarise(Float64Array.from(this.latencies)),
      ...(this.lags.length > 0 ? { sendLagMs: summarise(Float64Array.from(this.lags)) } : {}),
      ...(this.firstError ? { firstError: this.firstError } : {}),
    };
  }
}

/** Milliseconds on a clock that worker threads share (performance.now() is per thread). */
function now(): number {
  return performance.timeOrigin + performance.now();
}

function positive(value: string, name: string): number {
  const n = Number(value);
  if (!(n > 0)) throw new Error(`--${name} must be a positive number, got "${value}"`);
  return n;
}

function fail(message: string): never {
  throw new Error(message);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
