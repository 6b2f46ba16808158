import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { generateKey } from '@atelier/auth';
import type { ModelSignature } from '@atelier/contracts';
import { exportOnnx } from '@atelier/ml';
import { AtelierClient } from '@atelier/sdk';
import {
  createDatabase,
  DISTANCE_MODEL,
  eventually,
  freePort,
  runProgram,
  runStep,
  testDatabaseUrl,
  testNamespace,
  uniqueSuffix,
  waitForHttp,
} from '@atelier/testing';

const REPO = process.cwd();
const SERVICES = ['platform', 'feature-store', 'registry', 'serving', 'training', 'monitoring', 'training-worker'];
const MIGRATIONS = readdirSync(path.join(REPO, 'prisma/migrations'), { withFileTypes: true }).filter((e) => e.isDirectory()).length;
const SIGNATURE: ModelSignature = {
  inputs: [{ name: 'distance', source: 'request', dtype: 'float' }],
  onnxInputs: ['distance'],
  outputs: ['probability', 'label'],
  task: 'binary_classification',
  missingFeatures: 'impute',
};

/**
 * The services as deploy/Dockerfile ships them, step for step: `npm run build:services`; then
 * `dist/`, package.json, package-lock.json and .npmrc alone in a directory outside the repository,
 * `npm ci --omit=dev` there (no TypeScript, no register hook, no repository), and from it the
 * compiled migration runner on an empty database of its own and the compiled platform against the
 * real Postgres, Redis and Kafka (its own namespace): it forks its compiled training worker, loads
 * an uploaded ONNX model on ONNX Runtime worker threads and predicts with it.
 */
describe('compiled services without dev dependencies (integration)', () => {
  const s = uniqueSuffix();
  const key = generateKey();
  const work = mkdtempSync(path.join(tmpdir(), 'atelier-services-'));
  const app = path.join(work, 'app');
  let database: { url: string; drop: () => Promise<void> } | undefined;
  let platform: ChildProcess | undefined;
  let output = '';

  const node = (args: string[], env: Record<string, string>) => runProgram(process.execPath, args, { cwd: app, env, timeoutMs: 60_000 });

  beforeAll(async () => {
    await runStep('npm', ['run', '--silent', 'build:services'], REPO, 120_000);
    mkdirSync(app);
    for (const part of ['apps', 'libs', 'prisma']) cpSync(path.join(REPO, 'dist', part), path.join(app, 'dist', part), { recursive: true });
    for (const file of ['package.json', 'package-lock.json', '.npmrc']) copyFileSync(path.join(REPO, file), path.join(app, file));
    // the npm cache is warm from the repository's own `npm ci`
    await runStep('npm', ['ci', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund'], app, 150_000);
    database = await createDatabase(testDatabaseUrl());
  }, 300_000);

  afterAll(async () => {
    if (platform?.pid && platform.exitCode === null && platform.signalCode === null) {
      const exited = new Promise((resolve) => platform!.once('exit', resolve));
      signalGroup(platform.pid, 'SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 15_000))]);
      signalGroup(platform.pid, 'SIGKILL');
    }
    await database?.drop();
    rmSync(work, { recursive: true, force: true });
  }, 60_000);

  it('compiles every service and installs without dev dependencies', () => {
    for (const service of SERVICES) expect(existsSync(path.join(app, 'dist/apps', service, 'src/main.js')), service).toBe(true);
    // (typescript and the prisma CLI do come along: npm installs @prisma/client's optional peers)
    for (const dev of ['@swc-node/register', '@swc/core', 'vitest', 'vite', 'nx', 'eslint', 'playwright-core']) {
      expect(existsSync(path.join(app, 'node_modules', dev)), dev).toBe(false);
    }
    expect(existsSync(path.join(app, 'node_modules/@prisma/client'))).toBe(true);
  });

  it('applies every migration to an empty database with the compiled runner, and none twice', async () => {
    const env = { DATABASE_URL: database!.url };
    const first = await node(['dist/libs/db/src/cli/migrate.js'], env);
    expect(first, first.stderr).toMatchObject({ code: 0, stderr: '' });
    expect(first.stdout).toMatch(new RegExp(`applied ${MIGRATIONS} migration\\(s\\) \\(.+\\), 0 already applied`));
    const again = await node(['dist/libs/db/src/cli/migrate.js'], env);
    expect(again.stdout).toMatch(new RegExp(`applied 0 migration\\(s\\), ${MIGRATIONS} already applied`));
  });

  it('starts the compiled platform with its training worker, registers an uploaded ONNX model and predicts with it', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    platform = spawn(process.execPath, ['dist/apps/platform/src/main.js'], {
      cwd: app,
      env: {
        ...Object.fromEntries(
          Object.entries(process.env).filter(([name]) => !name.toLowerCase().startsWith('npm_') && name !== 'NODE_OPTIONS'),
        ),
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        PORT: String(port),
        DATABASE_URL: database!.url,
        ATELIER_NAMESPACE: testNamespace('build'),
        ATELIER_ARTIFACT_DIR: path.join(work, 'artifacts'),
        PREDICTION_LOG_SPOOL_DIR: path.join(work, 'spool'),
        ATELIER_ADMIN_KEY: key,
        SERVING_PROCESSES: '1',
        TRAINING_WORKERS: '1',
        // every model on ONNX Runtime worker threads (their code is compiled too), one thread
        ONNX_INLINE_MAX_MS: '0',
        ONNX_POOL_THREADS: '1',
        MONITOR_INTERVAL_SECONDS: '0',
        ONLINE_STORE_CHECK_SECONDS: '0',
        LOG_LEVEL: 'debug',
        ...Object.fromEntries(['FEATURE_STORE_URL', 'TRAINING_URL', 'REGISTRY_URL', 'SERVING_URL', 'MONITORING_URL'].map((v) => [v, url])),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    platform.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    platform.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    await waitForHttp(`${url}/health/ready`, platform, { timeoutMs: 90_000, ready: (status) => status === 200 });

    // the supervisor forked the compiled training worker, without a register hook, collecting
    // garbage on its own thread (SERVING_GC's default)
    const [worker] = await eventually(async () => {
      const children = childProcesses(platform!.pid!);
      return children.length > 0 ? children : undefined;
    }, 30_000);
    expect(worker!.command).toBe(`${process.execPath} --single-threaded-gc ${path.join(app, 'dist/apps/training-worker/src/main.js')}`);
    // and it takes jobs: the supervisor says so once the worker told it. The logs are written out
    // in blocks, so each probe, an authenticated call, makes the platform write a request line.
    const client = new AtelierClient({ baseUrl: url, apiKey: key });
    const ready = new RegExp(`"msg":"training worker ready","pid":${worker!.pid}\\b`);
    await eventually(
      async () => {
        await client.listModels();
        return ready.test(output) ? true : undefined;
      },
      30_000,
      100,
    );
    expect(await client.listModels()).toEqual([]); // a database of its own
    // Swagger UI: its page and assets come from packages of `dependencies`
    expect((await fetch(`${url}/docs/swagger-ui.css`)).status).toBe(200);

    const model = `compiled-${s}`;
    const bytes = exportOnnx(DISTANCE_MODEL, { name: model });
    const version = await client.uploadVersion(model, new Blob([new Uint8Array(bytes)]), {
      signature: SIGNATURE,
      modelType: 'logistic_regression',
    });
    // read with the onnx-ml.proto copied into dist/
    expect(version).toMatchObject({ model, version: 1, signature: SIGNATURE });
    expect(version.graph!.inputs.map((i) => i.name)).toEqual(['distance']);
    await client.setAlias(model, 'production', 1);

    const answer = await client.predict({ model, features: { distance: 500 } });
    expect(answer).toMatchObject({ model, version: 1, alias: 'production', inputs: { distance: 500 } });
    expect(answer.prediction).toBeCloseTo(1 / (1 + Math.exp(-(0.5 * 2 - 0.2))), 5);
    // the same worker all along: it did not die and get replaced
    expect(childProcesses(platform.pid!)).toEqual([worker]);
  }, 150_000);

  it('stops on SIGTERM, and its training worker with it', async () => {
    expect(platform?.exitCode).toBeNull();
    const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
      platform!.once('exit', (code, signal) => resolve(signal ?? code)),
    );
    platform!.kill('SIGTERM');
    expect(await Promise.race([exited, new Promise((resolve) => setTimeout(() => resolve('still running'), 30_000))])).toBe('SIGTERM');
    // what the worker wrote comes through the platform's stdout, written out when it ended
    await eventually(async () => (/"service":"training-worker".*"msg":"taking training jobs"/.test(output) ? true : undefined), 10_000);
    expect(output).toMatch(/"msg":"training worker stopped".*"reason":"exit code 0"/);
    expect(output).not.toMatch(/"level":"error"/);
  }, 60_000);
});

/** Signals the process group `pid` leads (the platform and its worker), if any of it is left. */
function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group has ended
  }
}

/** The child processes of `pid` with their command lines, from Linux's /proc. */
function childProcesses(pid: number): Array<{ pid: number; command: string }> {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((entry) => {
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        // "pid (name) state ppid …": the name may hold spaces, so read after its last ")"
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        if (ppid !== pid) return [];
        return [{ pid: Number(entry), command: readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ') }];
      } catch {
        return []; // ended meanwhile
      }
    });
}
