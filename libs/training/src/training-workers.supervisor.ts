import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';

import { ATELIER_CONFIG, type AtelierConfig } from '@atelier/config';
import { childExecArgv } from '@atelier/server';

import { TrainingRepository } from './training.repository';

// The worker app of the same tree as this file: from source (`npm start`, tests) its TypeScript
// through the same loader, compiled (`npm run build:services`, the image) its JavaScript in dist/.
const COMPILED = __filename.endsWith('.js');
const ROOT = path.resolve(__dirname, '../../..');
export const TRAINING_WORKER_ENTRY = path.join(ROOT, 'apps/training-worker/src', COMPILED ? 'main.js' : 'main.ts');

/** What a worker says over IPC once it takes jobs. */
export const WORKER_READY = 'training-worker-ready';

/** The parts of a child process the supervisor uses (a `ChildProcess`, or a fake in tests). */
export interface WorkerProcess {
  readonly pid?: number;
  kill(signal: NodeJS.Signals): boolean;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  once(event: 'exit', listener: (code: number | null, signal: NodeJS.Signals | null) => void): unknown;
  once(event: 'error', listener: (error: Error) => void): unknown;
}

/**
 * Starts a worker at scheduling priority `nice` (TRAINING_WORKER_NICE) or lower, collecting its
 * garbage on its own thread when `singleThreadedGc` (SERVING_GC).
 */
export type LaunchWorker = (nice?: number, singleThreadedGc?: boolean) => WorkerProcess;
export const TRAINING_WORKER_LAUNCHER = Symbol('TRAINING_WORKER_LAUNCHER');

/**
 * `node -r @swc-node/register apps/training-worker/src/main.ts` in the repository, or compiled
 * `node dist/apps/training-worker/src/main.js` with this process's Node options and working
 * directory (relative paths such as ATELIER_ARTIFACT_DIR mean the same); this process's environment.
 *
 * Started through `nice` at TRAINING_WORKER_NICE (never above this process's priority), so every
 * thread of the worker runs at the lower priority from its first instruction — V8's and libuv's
 * own threads too, which a process lowering its priority itself would leave where they were (on
 * Linux a thread's priority is its own). Where `nice` is missing the worker lowers its main
 * thread's priority itself, and the threads it starts afterwards inherit it.
 *
 * With `singleThreadedGc`, V8's `--single-threaded-gc`: the four helper threads of a parallel
 * collection would take the cores the serving processes answer on (docs/benchmarks.md).
 */
export const forkTrainingWorker: LaunchWorker = (nice = 0, singleThreadedGc = false) => {
  const nodeArgs = childExecArgv(COMPILED ? process.execArgv : ['-r', '@swc-node/register'], singleThreadedGc);
  const increment = nice - os.getPriority();
  const niced = increment > 0 && existsSync(NICE);
  return fork(TRAINING_WORKER_ENTRY, [], {
    ...(COMPILED ? {} : { cwd: ROOT }),
    ...(niced ? { execPath: NICE, execArgv: ['-n', String(increment), process.execPath, ...nodeArgs] } : { execArgv: nodeArgs }),
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
};

/** coreutils' `nice`, which runs a command at a lower scheduling priority */
const NICE = '/usr/bin/nice';

/**
 * Restarts back off 1 s, 2 s, 4 s … up to 30 s while a worker keeps dying; a worker that ran a
 * minute counts as healthy again. Stopping asks with SIGTERM and insists with SIGKILL after 10 s.
 */
export const RESTART_POLICY = { firstDelayMs: 1_000, maxDelayMs: 30_000, stableAfterMs: 60_000, stopGraceMs: 10_000 };

/** The delay before restarting a worker that died `failures` times in a row (1, 2, …). */
export function restartDelay(failures: number, policy = RESTART_POLICY): number {
  return Math.min(policy.maxDelayMs, policy.firstDelayMs * 2 ** Math.max(0, failures - 1));
}

interface Slot {
  index: number;
  child?: WorkerProcess;
  /** settles once the current child exited and its jobs were settled */
  exited: Promise<void>;
  startedAt: number;
  failures: number;
  restart?: NodeJS.Timeout;
  /** the current child said it takes jobs (WORKER_READY) */
  ready?: boolean;
}

/**
 * Keeps TRAINING_WORKERS training worker processes running beside this one (process 0 of the
 * machine's platform processes), so training never shares an event loop that answers requests. A worker that dies is restarted (with backoff) and
 * the jobs it was running are failed; on shutdown every worker is stopped. A worker also stops by
 * itself when this process is gone (see `watchParent`), so none is left behind.
 */
@Injectable()
export class TrainingWorkersSupervisor implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('training');
  private readonly slots: Slot[] = [];
  private stopping = false;

  constructor(
    @Inject(ATELIER_CONFIG) private readonly config: AtelierConfig,
    private readonly repository: TrainingRepository,
    @Inject(TRAINING_WORKER_LAUNCHER) private readonly launch: LaunchWorker,
  ) {}

  onApplicationBootstrap(): void {
    // several platform processes on one machine (SERVING_PROCESSES): process 0 runs the training
    if (this.config.processIndex > 0) return;
    const count = this.config.trainingWorkers;
    if (count === 0) {
      this.logger.log({ msg: 'training jobs run in this process (TRAINING_WORKERS=0)' });
      return;
    }
    for (let index = 0; index < count; index++) {
      const slot: Slot = { index, exited: Promise.resolve(), startedAt: 0, failures: 0 };
      this.slots.push(slot);
      this.start(slot);
    }
  }

  /** The process ids of the running workers. */
  pids(): number[] {
    return this.slots.flatMap((slot) => (slot.child?.pid === undefined ? [] : [slot.child.pid]));
  }

  /** The process ids of the running workers that said they take jobs. */
  readyPids(): number[] {
    return this.slots.flatMap((slot) => (slot.ready && slot.child?.pid !== undefined ? [slot.child.pid] : []));
  }

  private start(slot: Slot): void {
    slot.restart = undefined;
    const child = this.launch(this.config.trainingWorkerNice, this.config.serving.singleThreadedGc);
    slot.child = child;
    slot.ready = false;
    slot.startedAt = Date.now();
    const pid = child.pid;
    slot.exited = new Promise<void>((resolve) => {
      let ended = false;
      const end = (why: string) => {
        if (ended) return;
        ended = true;
        void this.ended(slot, pid, why).finally(resolve);
      };
      child.once('exit', (code, signal) => end(code === null ? `signal ${signal}` : `exit code ${code}`));
      child.once('error', (error) => {
        if (pid === undefined) end(`it could not start: ${error.message}`); // no process, so no 'exit'
        else this.logger.warn({ msg: 'training worker error', pid, error: error.message });
      });
    });
    child.on('message', (message) => {
      if (message !== WORKER_READY || slot.child !== child) return;
      slot.ready = true;
      this.logger.log({ msg: 'training worker ready', pid, worker: slot.index });
    });
    this.logger.log({ msg: 'training worker started', pid, worker: slot.index });
  }

  private async ended(slot: Slot, pid: number | undefined, why: string): Promise<void> {
    slot.child = undefined;
    const livedMs = Date.now() - slot.startedAt;
    if (pid !== undefined) await this.failJobsOf(pid, why);
    if (this.stopping) {
      this.logger.log({ msg: 'training worker stopped', pid, worker: slot.index, reason: why });
      return;
    }
    slot.failures = livedMs >= RESTART_POLICY.stableAfterMs ? 1 : slot.failures + 1;
    const restartInMs = restartDelay(slot.failures);
    this.logger.warn({ msg: 'training worker exited; restarting it', pid, worker: slot.index, reason: why, livedMs, restartInMs });
    slot.restart = setTimeout(() => this.start(slot), restartInMs);
  }

  /** A job a dead worker was running would otherwise stay "running" for ever. */
  private async failJobsOf(pid: number, why: string): Promise<void> {
    try {
      const ids = await this.repository.failRunningOn({ pid, host: os.hostname() }, `training worker ${pid} exited (${why}) while running the job; start it again`);
      if (ids.length > 0) this.logger.warn({ msg: 'failed the jobs of an exited training worker', pid, jobIds: ids });
    } catch (error) {
      this.logger.warn({ msg: 'could not fail the jobs of an exited training worker', pid, error: String(error) });
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.slots.map((slot) => this.stop(slot)));
  }

  private async stop(slot: Slot): Promise<void> {
    clearTimeout(slot.restart);
    const child = slot.child;
    child?.kill('SIGTERM');
    const insist = setTimeout(() => {
      this.logger.warn({ msg: 'training worker did not stop in time; killing it', pid: child?.pid, graceMs: RESTART_POLICY.stopGraceMs });
      child?.kill('SIGKILL');
    }, RESTART_POLICY.stopGraceMs);
    await slot.exited; // also when it had exited already: its jobs are being settled
    clearTimeout(insist);
  }
}
