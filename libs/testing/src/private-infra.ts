import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { freePort } from './test-env';

/**
 * Redis and Kafka of one test file's own, on free loopback ports, for fault tests that stop and
 * restart them: the shared servers on 6379 and 9092 serve every other spec running in parallel
 * and must never go down. Each process is watched by a small shell loop that kills it if this
 * test process dies without cleaning up (a crashed or killed vitest worker).
 */

export interface PrivateRedis {
  /** redis://127.0.0.1:<port> */
  url: string;
  /** Stops the server: a clean shutdown (the AOF is flushed), or with `crash` a SIGKILL. */
  stop(options?: { crash?: boolean }): Promise<void>;
  /** Starts it again on the same port and directory; resolves once it answers PING. */
  start(): Promise<void>;
  /** Stops it if it runs and removes its directory. */
  close(): Promise<void>;
}

export interface PrivateRedisOptions {
  /** keep the data across a stop/start in an append-only file (default true) */
  appendOnly?: boolean;
  /** longest wait for PING after a start */
  startTimeoutMs?: number;
}

export interface PrivateKafka {
  /** 127.0.0.1:<port>, for KAFKA_BROKERS */
  brokers: string;
  /** Stops the broker (SIGTERM, waits for the process to exit; SIGKILL after `stopTimeoutMs`). */
  stop(): Promise<void>;
  /** Starts it again on the same ports and data directory; resolves once it logged "Kafka Server started" and accepts connections. */
  start(): Promise<void>;
  /** Stops it if it runs and removes its directory. */
  close(): Promise<void>;
}

export interface PrivateKafkaOptions {
  /** longest wait for the broker to be up after a start */
  startTimeoutMs?: number;
  stopTimeoutMs?: number;
  /** JVM options (heap and more), in place of the defaults */
  jvm?: string;
}

const LOOPBACK = '127.0.0.1';

/**
 * A `redis-server` on a free loopback port with a temporary directory of its own, no RDB
 * snapshots and, by default, an append-only file so that the data survives `stop()`/`start()`
 * (like a durable online store), even a crash: Redis writes each command to the AOF before it
 * answers, and a killed process leaves that in the page cache.
 */
export async function startPrivateRedis(options: PrivateRedisOptions = {}): Promise<PrivateRedis> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'atelier-redis-'));
  const log = path.join(dir, 'redis.log');
  const args = ['--bind', LOOPBACK, '--port', String(port), '--save', '', '--appendonly', options.appendOnly === false ? 'no' : 'yes'];
  args.push('--dir', dir, '--logfile', log, '--daemonize', 'no');
  const startTimeoutMs = options.startTimeoutMs ?? 15_000;
  let server: Watched | undefined;

  const start = async (): Promise<void> => {
    if (server) return;
    const started = watched(spawn('redis-server', args, { stdio: 'ignore' }));
    server = started;
    const up = await poll(() => (started.exited ? Promise.resolve(false) : redisPing(port)), startTimeoutMs);
    if (!up) {
      server = undefined;
      await started.terminate('SIGKILL', 5_000);
      throw new Error(`private redis-server on ${LOOPBACK}:${port} did not answer PING within ${startTimeoutMs} ms: ${tail(log)}`);
    }
  };
  const stop = async ({ crash = false }: { crash?: boolean } = {}): Promise<void> => {
    const running = server;
    server = undefined;
    // SIGTERM is Redis's SHUTDOWN: the append-only file is flushed before it exits
    await running?.terminate(crash ? 'SIGKILL' : 'SIGTERM', 10_000);
  };
  const close = async (): Promise<void> => {
    await stop();
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    await start();
  } catch (error) {
    await close();
    throw error;
  }
  return { url: `redis://${LOOPBACK}:${port}`, stop, start, close };
}

/**
 * A second single-node KRaft broker (broker + controller), started by deploy/local/kafka.sh with
 * an ATELIER_HOME of its own in a temporary directory: the same configuration as the shared
 * broker, on free loopback ports, from the jars deploy/local already resolved (symlinked, not
 * copied). kafka.sh only ever stops the broker of the pid file in its ATELIER_HOME, so `stop()`
 * cannot touch the shared one.
 */
export async function startPrivateKafka(options: PrivateKafkaOptions = {}): Promise<PrivateKafka> {
  const libs = path.join(process.env.ATELIER_HOME ?? path.join(os.homedir(), '.atelier'), 'kafka', 'libs');
  if (!existsSync(path.join(libs, '.atelier-stamp'))) {
    throw new Error(`no Kafka jars in ${libs}: run deploy/local/up.sh once (it resolves them)`);
  }
  const script = path.resolve('deploy/local/kafka.sh');
  const [port, controllerPort] = await twoFreePorts();
  const home = mkdtempSync(path.join(os.tmpdir(), 'atelier-kafka-'));
  mkdirSync(path.join(home, 'kafka'));
  symlinkSync(libs, path.join(home, 'kafka', 'libs'));
  const startTimeoutMs = options.startTimeoutMs ?? 90_000;
  const stopTimeoutMs = options.stopTimeoutMs ?? 30_000;
  const env = {
    ...process.env,
    ATELIER_HOME: home,
    KAFKA_BROKERS: `${LOOPBACK}:${port}`,
    KAFKA_CONTROLLER_PORT: String(controllerPort),
    // kafka.sh passes these words to java: a small heap, and the JIT and GC sized for one core
    // (a test broker needs little, and the tests around it measure latencies on the same machine)
    KAFKA_HEAP_OPTS: options.jvm ?? '-Xmx256m -Xms128m -XX:ActiveProcessorCount=1 -XX:TieredStopAtLevel=1',
    KAFKA_START_TIMEOUT: String(Math.ceil(startTimeoutMs / 1000)),
  };
  const pidFile = path.join(home, 'kafka', 'kafka.pid');
  let broker: Watched | undefined;

  const readPid = (): number | undefined => {
    try {
      const pid = Number(readFileSync(pidFile, 'utf8').trim());
      return Number.isInteger(pid) && pid > 0 ? pid : undefined;
    } catch {
      return undefined;
    }
  };
  const start = async (): Promise<void> => {
    if (broker) return;
    const result = await runScript(script, ['up'], env, startTimeoutMs + 15_000);
    const pid = readPid();
    if (pid !== undefined) broker = watchedPid(pid);
    if (result.code !== 0) {
      await stop();
      throw new Error(
        `private Kafka on ${LOOPBACK}:${port} did not start (kafka.sh up: ${result.code ?? 'timed out'}): ${result.output.slice(-2000)}`,
      );
    }
  };
  const stop = async (): Promise<void> => {
    const running = broker;
    broker = undefined;
    // what kafka.sh down does (SIGTERM to the pid of this home's pid file, wait for the exit),
    // polled ten times as often
    await running?.terminate('SIGTERM', stopTimeoutMs);
    rmSync(pidFile, { force: true });
  };
  const close = async (): Promise<void> => {
    await stop();
    rmSync(home, { recursive: true, force: true });
  };

  try {
    await start();
  } catch (error) {
    await close();
    throw error;
  }
  return { brokers: `${LOOPBACK}:${port}`, stop, start, close };
}

interface Watched {
  readonly exited: boolean;
  /** Sends `signal`, waits up to `timeoutMs` for the exit (then SIGKILL), stops the watchdog. */
  terminate(signal: NodeJS.Signals, timeoutMs: number): Promise<void>;
}

/** A child of this process, with a watchdog that kills it should this process die first. */
function watched(child: ChildProcess): Watched {
  let exited = false;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  }).then(() => void (exited = true));
  const dog = child.pid === undefined ? undefined : watchdog(child.pid);
  const disarm = () => killGroup(dog);
  return {
    get exited() {
      return exited;
    },
    async terminate(signal, timeoutMs) {
      disarm();
      if (exited) return;
      child.kill(signal);
      if (!(await within(exit, timeoutMs))) {
        child.kill('SIGKILL');
        await within(exit, 5_000);
      }
    },
  };
}

/** A process this one did not spawn itself (kafka.sh starts the JVM under setsid), watched by pid. */
function watchedPid(pid: number): Watched {
  const dog = watchdog(pid);
  const disarm = () => killGroup(dog);
  const kill = (signal: NodeJS.Signals) => {
    try {
      process.kill(pid, signal);
    } catch {
      // exited meanwhile
    }
  };
  return {
    get exited() {
      return !pidAlive(pid);
    },
    async terminate(signal, timeoutMs) {
      disarm();
      if (!pidAlive(pid)) return;
      kill(signal);
      if (await poll(async () => !pidAlive(pid), timeoutMs, 100)) return;
      kill('SIGKILL');
      await poll(async () => !pidAlive(pid), 5_000, 100);
    },
  };
}

/** `sh` polling this process once a second; when it is gone, SIGKILL to `pid`. */
function watchdog(pid: number): ChildProcess {
  const dog = spawn(
    'sh',
    [
      '-c',
      'while kill -0 "$1" 2>/dev/null; do sleep 1; done; kill -9 "$2" 2>/dev/null',
      'atelier-watchdog',
      String(process.pid),
      String(pid),
    ],
    {
      detached: true,
      stdio: 'ignore',
    },
  );
  dog.unref();
  return dog;
}

/** SIGKILL to a detached child's process group (the shell and its `sleep`). */
function killGroup(child: ChildProcess | undefined): void {
  if (child?.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** True if the process exists and is not a zombie. */
function pidAlive(pid: number): boolean {
  try {
    return !/^State:\s*Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

/** Runs a script in a process group of its own; on timeout the whole group is killed. */
async function runScript(
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<{ code: number | null; output: string }> {
  const child = spawn('bash', [script, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const done = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.once('error', (error) => {
      output += String(error);
      resolve(-1);
    });
  });
  if (await within(done, timeoutMs)) return { code: await done, output };
  killGroup(child);
  await within(done, 5_000);
  return { code: null, output };
}

async function twoFreePorts(): Promise<[number, number]> {
  const first = await freePort();
  for (let attempt = 0; attempt < 10; attempt++) {
    const second = await freePort();
    if (second !== first) return [first, second];
  }
  throw new Error('no second free port');
}

/** One PING over RESP on a fresh connection; false on any error or after 500 ms. */
function redisPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, LOOPBACK);
    const finish = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => finish(false));
    socket.once('error', () => finish(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data: Buffer) => finish(data.toString().startsWith('+PONG')));
  });
}

/** Calls `probe` every `everyMs` until it is true; false once `timeoutMs` passed. */
async function poll(probe: () => Promise<boolean>, timeoutMs: number, everyMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** Whether `promise` settled within `ms`. */
async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').slice(-1000);
  } catch {
    return '(no log)';
  }
}
