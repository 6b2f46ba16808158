import { type ChildProcess, fork } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';

import type { Type } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { TrainingJobResponse, TrainingRequestInput } from '@atelier/contracts';
import { FeatureStoreModule } from '@atelier/feature-store';
import { RegistryModule } from '@atelier/registry';
import { authHeaders, eventually, startTestApp, type TestApp, testNamespace, uniqueSuffix } from '@atelier/testing';
import { TRAINING_WORKER_ENTRY, TrainingApiModule, TrainingWorkersModule, TrainingWorkersSupervisor, WORKER_READY } from '@atelier/training';

/**
 * The platform's training as it runs by default: the API in this process (the test's), the
 * training in a worker process the supervisor forked (TRAINING_WORKERS=1), against the real
 * Postgres, Redis and Kafka. Proves where jobs run, that cancel reaches the other process, that a
 * dead worker is replaced and its job failed, and that no worker outlives its parent.
 */
const WINDOW = { start: '2001-01-01T00:00:00Z', validationStart: '2001-01-08T00:00:00Z', end: '2001-01-11T00:00:00Z' };
const ROWS = 2_000;
const RESOLUTION_MS = 5;

/** A test app with the platform's training module and a tiny feature group to train on. */
function trainingApp(workers: number, training: Type = TrainingWorkersModule, env: Record<string, string> = {}) {
  const s = uniqueSuffix();
  const group = `rows_${s}`;
  const h = {
    s,
    t: undefined as unknown as TestApp,
    async start(): Promise<void> {
      h.t = await startTestApp([FeatureStoreModule, RegistryModule, training], { TRAINING_WORKERS: String(workers), ...env });
      await h.t.client.createEntity({ name: `row_${s}`, joinKey: 'row', description: '' });
      await h.t.client.createFeatureGroup({
        name: group,
        entity: `row_${s}`,
        ttlSeconds: 86_400,
        description: '',
        features: [
          { name: 'x', dtype: 'float', description: '' },
          { name: 'y', dtype: 'int', description: '' },
          { name: 'side', dtype: 'string', description: '' },
        ],
      });
      // ten days of rows; y is mostly the sign of x
      const span = Date.parse(WINDOW.end) - Date.parse(WINDOW.start);
      const rows = Array.from({ length: ROWS }, (_, i) => {
        const x = Math.sin(i * 12.9898) * 2;
        const noise = Math.sin(i * 78.233) * 0.5;
        return { entityKey: `r${i}`, eventTime: new Date(Date.parse(WINDOW.start) + (i * span) / ROWS).toISOString(), values: { x, y: x + noise > 0 ? 1 : 0, side: 'abc'[i % 3]! } };
      });
      await h.t.client.ingestRows(group, rows);
    },
    /** Starts a hyper-parameter search of trees on the group: its trials are jobs on the trials queue. */
    search: (modelName: string): Promise<TrainingJobResponse> =>
      h.t.client.startTraining({
        modelName: `${modelName}_${s}`,
        source: { group },
        window: WINDOW,
        requestFeatures: ['x'],
        label: 'y > 0',
        modelType: 'gbdt',
        params: { numIterations: 15, minDataInLeaf: 5 },
        search: {
          strategy: 'random',
          trials: 6,
          seed: 9,
          space: { learningRate: { type: 'float', min: 0.02, max: 0.3, log: true }, maxLeaves: { type: 'int', min: 3, max: 31 } },
        },
      }),
    /** Starts trees partitioned by `side` (three values): each partition's model a job on the trials queue. */
    partitioned: (modelName: string): Promise<TrainingJobResponse> =>
      h.t.client.startTraining({
        modelName: `${modelName}_${s}`,
        source: { group },
        window: WINDOW,
        requestFeatures: ['x'],
        label: 'y > 0',
        modelType: 'gbdt',
        params: { numIterations: 10, minDataInLeaf: 5 },
        partition: { column: 'side', minRows: 100 },
      }),
    /** Starts a logistic regression on the group with Adam; 500 epochs of single-row steps take minutes. */
    train: (modelName: string, params: { epochs: number; batchSize: number }): Promise<TrainingJobResponse> => {
      const request: TrainingRequestInput = {
        modelName: `${modelName}_${s}`,
        source: { group },
        window: WINDOW,
        requestFeatures: ['x'],
        label: 'y > 0',
        modelType: 'logistic_regression',
        params: { ...params, solver: 'adam', learningRate: 0.05, seed: 3 },
      };
      return h.t.client.startTraining(request);
    },
    job: (id: string) => h.t.client.getTrainingJob(id),
    until: (id: string, done: (j: TrainingJobResponse) => boolean, timeoutMs = 120_000) =>
      eventually(async () => {
        const j = await h.job(id);
        return done(j) ? j : undefined;
      }, timeoutMs, 250),
    finished: (id: string) => h.until(id, (j) => ['succeeded', 'failed', 'cancelled'].includes(j.status)),
    /** once the job has reported an epoch */
    training: (id: string) => h.until(id, (j) => j.events.some((e) => e.epoch !== undefined)),
    cancel: async (id: string): Promise<TrainingJobResponse> => {
      const response = await fetch(`${h.t.baseUrl}/api/training-jobs/${id}/cancel`, { method: 'POST', headers: authHeaders(undefined, false) });
      expect(response.status).toBe(200);
      return (await response.json()) as TrainingJobResponse;
    },
    /** the worker that stopped the job on a cancel */
    stopped: (id: string) => h.until(id, (j) => j.events.some((e) => /stopped the job: cancelled by request$/.test(e.message)), 60_000),
  };
  return h;
}

/** A search's trials as the job keeps them, without their timings; and the workers that trained them. */
const trialsOf = (j: TrainingJobResponse) => j.trials.map(({ seconds: _seconds, ...trial }) => trial);
const trialWorkers = (j: TrainingJobResponse) => new Set(j.events.filter((e) => /^trial \d+ trained by worker/.test(e.message)).map((e) => e.worker!.pid));
/** the same search run here with TRAINING_WORKERS=0, to compare with two worker processes */
let searchedInProcess: TrainingJobResponse | undefined;

const workerOf = (j: TrainingJobResponse) => j.events.find((e) => e.worker && /started the job$/.test(e.message))?.worker;
const stopperOf = (j: TrainingJobResponse) => j.events.find((e) => e.worker && /stopped the job/.test(e.message))?.worker;

describe('training in worker processes (integration)', () => {
  const h = trainingApp(1);
  let supervisor: TrainingWorkersSupervisor;
  let closed = false;

  beforeAll(async () => {
    await h.start();
    supervisor = h.t.app.get(TrainingWorkersSupervisor);
  });

  afterAll(async () => {
    if (!closed) await h.t?.close();
  });

  it('trains a job in a worker process, not in the API process', async () => {
    const delay = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
    delay.enable();
    const done = await h.finished((await h.train('tiny', { epochs: 20, batchSize: 16 })).id);
    delay.disable();

    expect(done).toMatchObject({ status: 'succeeded', error: null, modelVersion: 1 });
    expect(done.metrics!.auc).toBeGreaterThan(0.8);
    const worker = workerOf(done)!;
    expect(worker.pid).not.toBe(process.pid);
    expect(supervisor.pids()).toEqual([worker.pid]);
    // the worker gives itself a lower priority (TRAINING_WORKER_NICE, default 10) than the API process's, never a higher one
    expect(os.getPriority(worker.pid)).toBe(Math.max(10, os.getPriority(process.pid)));
    // every thread of it, V8's and libuv's own included (started through nice, not lowered afterwards)
    const threads = readdirSync(`/proc/${worker.pid}/task`);
    expect(threads.length).toBeGreaterThan(1);
    for (const tid of threads) expect({ tid, nice: threadNice(worker.pid, tid) }).toEqual({ tid, nice: Math.max(10, os.getPriority(process.pid)) });
    // SERVING_GC's default: it collects garbage on its own thread, as the serving processes do
    expect(readFileSync(`/proc/${worker.pid}/cmdline`, 'utf8').split('\0')).toContain('--single-threaded-gc');
    expect((await h.t.client.getVersion(`tiny_${h.s}`, 1)).lineage.trainingJobId).toBe(done.id);
    report('a small job, start to success', delay);
  }, 180_000);

  it('cancels a running job in the worker and a queued one before it starts', async () => {
    const long = await h.train('long', { epochs: 500, batchSize: 1 });
    const queued = await h.train('queued', { epochs: 500, batchSize: 1 });
    const delay = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
    delay.enable();
    await h.training(long.id);
    await new Promise((r) => setTimeout(r, 2_000)); // the API process while the worker trains
    delay.disable();
    report('a long job training for 2 s', delay);
    expect((await h.job(queued.id)).status).toBe('queued'); // one worker, busy with the first

    expect((await h.cancel(queued.id)).status).toBe('cancelled');
    expect((await h.cancel(long.id)).status).toBe('cancelled');
    // the worker heard it and stopped training, in its own process
    const stopped = await h.stopped(long.id);
    expect(stopperOf(stopped)).toEqual(workerOf(stopped));
    expect(stopperOf(stopped)!.pid).not.toBe(process.pid);
    expect(stopped).toMatchObject({ status: 'cancelled', modelVersion: null });

    // the worker is free again: the next job behind them runs, the cancelled one never started
    const next = await h.finished((await h.train('next', { epochs: 2, batchSize: 64 })).id);
    expect(next.status).toBe('succeeded');
    const skipped = await h.job(queued.id);
    expect(skipped).toMatchObject({ status: 'cancelled', startedAt: null });
    expect(workerOf(skipped)).toBeUndefined();
  }, 180_000);

  it('replaces a worker that dies and fails the job it was running', async () => {
    const [pid] = supervisor.pids();
    const doomed = await h.train('doomed', { epochs: 500, batchSize: 1 });
    await h.training(doomed.id);
    process.kill(pid!, 'SIGKILL');

    const failed = await h.until(doomed.id, (j) => j.status === 'failed', 30_000);
    expect(failed.error).toBe(`training worker ${pid} exited (signal SIGKILL) while running the job; start it again`);
    const [replacement] = await eventually(async () => (supervisor.pids().length === 1 && supervisor.pids()[0] !== pid ? supervisor.pids() : undefined));
    expect(isAlive(replacement!)).toBe(true);
    const next = await h.finished((await h.train('after', { epochs: 2, batchSize: 64 })).id);
    expect(next).toMatchObject({ status: 'succeeded' });
    expect(workerOf(next)!.pid).toBe(replacement);
  }, 180_000);

  it('stops its workers when the app shuts down', async () => {
    const pids = supervisor.pids();
    expect(pids).toHaveLength(1);
    closed = true;
    await h.t.close();
    expect(pids.filter(isAlive)).toEqual([]);
  }, 60_000);

  it('a worker exits by itself when the IPC channel to its parent closes (the parent died)', async () => {
    // its own namespace: this worker must not take anyone's jobs
    const child = fork(TRAINING_WORKER_ENTRY, [], {
      execArgv: ['-r', '@swc-node/register'],
      env: { ...process.env, ATELIER_NAMESPACE: testNamespace('orphan') },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await new Promise<void>((resolve) => child.on('message', (m) => m === WORKER_READY && resolve()));
    // a moment for Bull to open its blocking connection: closing a queue in that instant makes
    // @nestjs/bull's unguarded `queue.process()` reject (exit 1), which is not what this is about
    await new Promise((r) => setTimeout(r, 1_000));
    child.disconnect();
    expect(await exited).toBe(0);
    expect(isAlive(child.pid!)).toBe(false);
  }, 60_000);
});

describe('training in the API process with TRAINING_WORKERS=0 (integration)', () => {
  const h = trainingApp(0);

  beforeAll(() => h.start());
  afterAll(() => h.t?.close());

  it('forks no worker and trains and cancels here, through the same queue and cancel channel', async () => {
    expect(h.t.app.get(TrainingWorkersSupervisor).pids()).toEqual([]);
    const done = await h.finished((await h.train('here', { epochs: 2, batchSize: 64 })).id);
    expect(done.status).toBe('succeeded');
    expect(workerOf(done)!.pid).toBe(process.pid);

    const long = await h.train('long', { epochs: 500, batchSize: 1 });
    await h.training(long.id);
    expect((await h.cancel(long.id)).status).toBe('cancelled');
    const stopped = await h.stopped(long.id);
    expect(stopperOf(stopped)!.pid).toBe(process.pid);
    expect(stopped).toMatchObject({ status: 'cancelled', modelVersion: null });
  }, 180_000);

  it('trains a search\'s trials here too, through the trials queue', async () => {
    searchedInProcess = await h.finished((await h.search('searched')).id);
    expect(searchedInProcess.status).toBe('succeeded');
    expect(searchedInProcess.trials).toHaveLength(6);
    expect([...trialWorkers(searchedInProcess)]).toEqual([process.pid]);
  }, 180_000);
});

describe('a search shared by two worker processes (integration)', () => {
  const h = trainingApp(2);

  beforeAll(() => h.start());
  afterAll(() => h.t?.close());

  it('trains its trials in both processes, with the same trials and winner as in one', async () => {
    // both workers taking jobs before the search starts: a worker still starting (slow on a busy
    // machine) would leave every trial to the other
    const supervisor = h.t.app.get(TrainingWorkersSupervisor);
    await eventually(async () => (supervisor.readyPids().length === 2 ? true : undefined), 120_000);
    const done = await h.finished((await h.search('searched')).id);
    expect(done.status, done.error ?? '').toBe('succeeded');
    const pids = supervisor.pids();
    expect(pids).toHaveLength(2);
    // each trial names the process that trained it: both took a share
    expect([...trialWorkers(done)].sort()).toEqual([...pids].sort());
    // the same seed on the same rows: the same trials, scores and registered winner as one process gave
    expect(searchedInProcess, 'the TRAINING_WORKERS=0 run of the same search').toBeDefined();
    expect(trialsOf(done)).toEqual(trialsOf(searchedInProcess!));
    expect(done.metrics!.auc).toBe(searchedInProcess!.metrics!.auc);

    // a partitioned model's partitions are shared the same way, and all three are registered
    const split = await h.finished((await h.partitioned('split')).id);
    expect(split.status, split.error ?? '').toBe('succeeded');
    const partitionWorkers = split.events.filter((e) => /^partition [abc] trained by worker/.test(e.message));
    expect(partitionWorkers).toHaveLength(3);
    expect(new Set(partitionWorkers.map((e) => e.worker!.pid)).size).toBe(2);
    const version = await h.t.client.getVersion(`split_${h.s}`, 1);
    expect(version.signature.partition).toEqual({ column: 'side', values: ['a', 'b', 'c'] });
  }, 240_000);
});

/** A thread's nice value: field 19 of /proc/<pid>/task/<tid>/stat (fields after the command's closing parenthesis start at 3). */
function threadNice(pid: number, tid: string): number {
  const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19 - 3]);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Event-loop delay of this (the API) process: printed, not asserted — timing goals live in bench/. */
function report(what: string, h: ReturnType<typeof monitorEventLoopDelay>): void {
  // the histogram holds whole timer intervals: the delay is what exceeds the resolution
  const ms = (ns: number) => Math.max(0, Math.round((ns / 1e6 - RESOLUTION_MS) * 100) / 100);
  console.log(`event-loop delay of the API process during ${what}: p50 ${ms(h.percentile(50))} ms, p99 ${ms(h.percentile(99))} ms, max ${ms(h.max)} ms (${h.count} samples)`);
}

describe('a job whose worker died with its process (integration)', () => {
  // the API alone here; the workers are forked by the test, in the app's namespace, with a short queue lock
  const h = trainingApp(0, TrainingApiModule, { TRAINING_JOB_LOCK_MS: '2000' });
  const workers: ChildProcess[] = [];
  const forkWorker = async (): Promise<ChildProcess> => {
    const child = fork(TRAINING_WORKER_ENTRY, [], { execArgv: ['-r', '@swc-node/register'], env: { ...process.env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    workers.push(child);
    await new Promise<void>((resolve) => child.on('message', (m) => m === WORKER_READY && resolve()));
    return child;
  };

  beforeAll(() => h.start());
  afterAll(async () => {
    for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
    await h.t?.close();
  });

  it('is taken over by another worker once its lock lapses, and registers one version', async () => {
    const first = await forkWorker();
    const job = await h.train('orphaned', { epochs: 60, batchSize: 4 });
    await h.training(job.id);
    first.kill('SIGKILL'); // no supervisor saw it: as when the whole platform process dies
    await new Promise((resolve) => first.once('exit', resolve));
    const second = await forkWorker();

    const done = await h.finished(job.id);
    expect(done.status).toBe('succeeded');
    const takeover = done.events.find((e) => /took the job over: the worker running it stopped \(attempt 2 of 2\)$/.test(e.message));
    expect(takeover?.worker?.pid).toBe(second.pid);
    const versions = await h.t.client.listVersions(`orphaned_${h.s}`);
    expect(versions.map((v) => v.version)).toEqual([1]);

    // the registration sent again with the job's key returns version 1 instead of adding a version 2
    const detail = await h.t.client.getVersion(`orphaned_${h.s}`, 1);
    const artifact = await fetch(`${h.t.baseUrl}/api/models/orphaned_${h.s}/versions/1/artifact`, { headers: authHeaders(undefined, false) }).then((r) => r.arrayBuffer());
    const again = await h.t.client.createVersion(`orphaned_${h.s}`, {
      modelType: detail.modelType,
      metrics: detail.metrics,
      signature: detail.signature,
      baseline: detail.baseline,
      lineage: detail.lineage,
      artifactBase64: Buffer.from(artifact).toString('base64'),
      idempotencyKey: `training-job:${job.id}`,
    });
    expect(again.version).toBe(1);
    expect((await h.t.client.listVersions(`orphaned_${h.s}`)).map((v) => v.version)).toEqual([1]);
  }, 180_000);
});
