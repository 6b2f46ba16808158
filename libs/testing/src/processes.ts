import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { testDatabaseUrl } from './test-env';

/** How a program ended: its exit code (-1 when it could not run or timed out) and its output. */
export interface ProgramRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a program to its end, never throwing. Outside the repository (the working directory of the
 * tests) it runs without the repository's npm settings — npm passes them down as `npm_config_*` to
 * what `npm test` starts — as on a machine of its own.
 */
export function runProgram(
  file: string,
  args: string[],
  options: { cwd: string; env?: Record<string, string>; timeoutMs?: number },
): Promise<ProgramRun> {
  const inRepo = path.resolve(options.cwd) === process.cwd();
  const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => inRepo || !name.toLowerCase().startsWith('npm_')));
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { cwd: options.cwd, env: { ...base, ...options.env }, timeout: options.timeoutMs ?? 120_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
      },
    );
  });
}

/** Runs a setup step with `runProgram`, failing with its output when it fails; answers its stdout. */
export async function runStep(file: string, args: string[], cwd: string, timeoutMs?: number): Promise<string> {
  const result = await runProgram(file, args, { cwd, timeoutMs });
  if (result.code !== 0)
    throw new Error(`${path.basename(file)} ${args.join(' ')} exited ${result.code}:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

/**
 * Waits until `url` answers with a status `ready` accepts, while `server` (started with piped
 * output) runs; fails with the server's output when it exits or `timeoutMs` passes.
 */
export async function waitForHttp(
  url: string,
  server: ChildProcess,
  { timeoutMs = 60_000, ready = (status: number) => status < 500 }: { timeoutMs?: number; ready?: (status: number) => boolean } = {},
): Promise<void> {
  let output = '';
  server.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  server.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`${server.spawnargs.join(' ')} exited (${server.exitCode}): ${output}`);
    try {
      if (ready((await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(5_000) })).status)) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms: ${output}`);
}

/**
 * The environment of a platform a test starts as a program (`apps/platform/src/main.ts`) on
 * `port`: the test database, a namespace of its own, artifacts and spool under `dir`, `key` as
 * its admin key, every service URL pointing at itself, training in-process, no timers, no model
 * loaded ahead; `env` over it.
 */
export function spawnedPlatformEnv(
  port: number,
  dir: string,
  key: string,
  namespace: string,
  env: Record<string, string>,
): NodeJS.ProcessEnv {
  const url = `http://127.0.0.1:${port}`;
  return {
    ...process.env,
    NODE_ENV: 'test',
    PORT: String(port),
    DATABASE_URL: testDatabaseUrl(),
    ATELIER_NAMESPACE: namespace,
    ATELIER_ARTIFACT_DIR: path.join(dir, 'artifacts'),
    PREDICTION_LOG_SPOOL_DIR: path.join(dir, 'spool'),
    ATELIER_ADMIN_KEY: key,
    ...Object.fromEntries(['FEATURE_STORE_URL', 'TRAINING_URL', 'REGISTRY_URL', 'SERVING_URL', 'MONITORING_URL'].map((v) => [v, url])),
    TRAINING_WORKERS: '0',
    MONITOR_INTERVAL_SECONDS: '0',
    // the test database holds other tests' feature groups: not this platform's to re-materialize
    ONLINE_STORE_CHECK_SECONDS: '0',
    // nor its models to load at start (their artifacts are in other directories)
    SERVING_PRELOAD: 'none',
    ...env,
  };
}

/** A serving service started as a user would (apps/serving/src/main.ts), and what it printed so far. */
export interface ServingProcess {
  child: ChildProcess;
  url: string;
  output(): string;
}

/**
 * Starts serving on `port` with the test app's environment (namespace, database, artifacts, the
 * registry's URL) and `env` over it, and waits until its readiness answers 200 (killing it when
 * it never does).
 */
export async function startServingProcess(port: number, env: Record<string, string>): Promise<ServingProcess> {
  const url = `http://127.0.0.1:${port}`;
  const child = spawn('node', ['-r', '@swc-node/register', 'apps/serving/src/main.ts'], {
    env: { ...process.env, PORT: String(port), SERVING_URL: url, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  try {
    await waitForHttp(`${url}/health/ready`, child, { timeoutMs: 120_000, ready: (status) => status === 200 });
  } catch (error) {
    child.kill('SIGKILL'); // the test that asked has nothing to stop yet
    throw error;
  }
  return { child, url, output: () => output };
}

/** The children of a process, from /proc (Linux). */
export function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // pid (comm) state ppid …: comm may hold spaces, so read after its closing parenthesis
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) children.push(Number(entry));
    } catch {
      // ended meanwhile
    }
  }
  return children.sort((a, b) => a - b);
}

/** Whether a process still runs (signal 0). */
export function existsProcess(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
