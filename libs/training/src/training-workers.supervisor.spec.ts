import { EventEmitter } from 'node:events';
import os from 'node:os';

import { Logger } from '@nestjs/common';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

import { type AtelierConfig, loadConfig } from '@atelier/config';

import type { TrainingRepository, WorkerIdentity } from './training.repository';
import { RESTART_POLICY, restartDelay, TrainingWorkersSupervisor, WORKER_READY, type WorkerProcess } from './training-workers.supervisor';

/** A child process that records the signals it gets; `exit` plays the process ending. */
class FakeWorker extends EventEmitter implements WorkerProcess {
  readonly signals: NodeJS.Signals[] = [];
  constructor(
    readonly pid: number,
    private readonly obeys: NodeJS.Signals[] = ['SIGTERM', 'SIGKILL'],
  ) {
    super();
  }
  kill(signal: NodeJS.Signals): boolean {
    this.signals.push(signal);
    if (this.obeys.includes(signal)) queueMicrotask(() => this.exit(null, signal));
    return true;
  }
  exit(code: number | null, signal: NodeJS.Signals | null = null): void {
    this.emit('exit', code, signal);
  }
}

function setup(workers: number, obeys?: NodeJS.Signals[], processIndex = 0) {
  const launched: FakeWorker[] = [];
  const failed: Array<{ worker: WorkerIdentity; error: string }> = [];
  const repository = {
    failRunningOn: (worker: WorkerIdentity, error: string) => {
      failed.push({ worker, error });
      return Promise.resolve(['job-1']);
    },
  } as unknown as TrainingRepository;
  const config: AtelierConfig = { ...loadConfig({}), trainingWorkers: workers, processIndex };
  const launch = () => {
    const worker = new FakeWorker(1000 + launched.length, obeys);
    launched.push(worker);
    return worker;
  };
  return { supervisor: new TrainingWorkersSupervisor(config, repository, launch), launched, failed };
}

describe('restartDelay', () => {
  it('doubles from one second and stops at thirty', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 20].map((n) => restartDelay(n))).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
  });
});

describe('TrainingWorkersSupervisor', () => {
  beforeAll(() => Logger.overrideLogger(false));
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('starts TRAINING_WORKERS workers, and none with 0', () => {
    const { supervisor, launched } = setup(3);
    supervisor.onApplicationBootstrap();
    expect(supervisor.pids()).toEqual([1000, 1001, 1002]);
    expect(launched).toHaveLength(3);

    const none = setup(0);
    none.supervisor.onApplicationBootstrap();
    expect(none.launched).toHaveLength(0);
    expect(none.supervisor.pids()).toEqual([]);
  });

  it('leaves the workers to process 0 when the platform runs as several processes', () => {
    const second = setup(2, undefined, 1);
    second.supervisor.onApplicationBootstrap();
    expect(second.launched).toHaveLength(0);
  });

  it('ignores what a worker says over IPC apart from being ready', () => {
    const { supervisor, launched } = setup(1);
    supervisor.onApplicationBootstrap();
    launched[0]!.emit('message', WORKER_READY);
    launched[0]!.emit('message', { something: 'else' });
    expect(supervisor.pids()).toEqual([1000]);
  });

  it('tells which workers said they take jobs, a replacement not before it says so itself', async () => {
    const { supervisor, launched } = setup(2);
    supervisor.onApplicationBootstrap();
    expect(supervisor.readyPids()).toEqual([]);
    launched[1]!.emit('message', { something: 'else' });
    launched[1]!.emit('message', WORKER_READY);
    expect(supervisor.readyPids()).toEqual([1001]);
    launched[0]!.emit('message', WORKER_READY);
    expect(supervisor.readyPids()).toEqual([1000, 1001]);

    launched[0]!.exit(null, 'SIGKILL');
    await vi.advanceTimersByTimeAsync(0);
    expect(supervisor.readyPids()).toEqual([1001]);
    launched[0]!.emit('message', WORKER_READY); // the dead one's last words count for nothing
    await vi.advanceTimersByTimeAsync(1_000);
    expect(launched).toHaveLength(3);
    expect(supervisor.pids()).toEqual([1002, 1001]);
    expect(supervisor.readyPids()).toEqual([1001]);
    launched[2]!.emit('message', WORKER_READY);
    expect(supervisor.readyPids()).toEqual([1002, 1001]);
  });

  it('restarts a worker that dies, backing off while it keeps dying, and fails the jobs it ran', async () => {
    const { supervisor, launched, failed } = setup(1);
    supervisor.onApplicationBootstrap();

    launched[0]!.exit(null, 'SIGKILL');
    await vi.advanceTimersByTimeAsync(0);
    expect(failed).toEqual([{ worker: { pid: 1000, host: os.hostname() }, error: 'training worker 1000 exited (signal SIGKILL) while running the job; start it again' }]);
    expect(supervisor.pids()).toEqual([]);
    await vi.advanceTimersByTimeAsync(999);
    expect(launched).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(supervisor.pids()).toEqual([1001]);

    launched[1]!.exit(1); // died again at once: twice the wait
    await vi.advanceTimersByTimeAsync(1_999);
    expect(launched).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(launched).toHaveLength(3);

    // a worker that ran past the stable mark starts the backoff over
    await vi.advanceTimersByTimeAsync(RESTART_POLICY.stableAfterMs);
    launched[2]!.exit(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(supervisor.pids()).toEqual([1003]);
  });

  it('stops every worker with SIGTERM on shutdown and does not restart them', async () => {
    const { supervisor, launched } = setup(2);
    supervisor.onApplicationBootstrap();
    await supervisor.onModuleDestroy();
    expect(launched.map((w) => w.signals)).toEqual([['SIGTERM'], ['SIGTERM']]);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(launched).toHaveLength(2);
    expect(supervisor.pids()).toEqual([]);
  });

  it('kills a worker that ignores SIGTERM once the grace period is over', async () => {
    const { supervisor, launched } = setup(1, ['SIGKILL']);
    supervisor.onApplicationBootstrap();
    let stopped = false;
    const stopping = supervisor.onModuleDestroy().then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(RESTART_POLICY.stopGraceMs - 1);
    expect(stopped).toBe(false);
    expect(launched[0]!.signals).toEqual(['SIGTERM']);
    await vi.advanceTimersByTimeAsync(1);
    await stopping;
    expect(launched[0]!.signals).toEqual(['SIGTERM', 'SIGKILL']);
  });

  it('does not restart a worker whose restart was pending when shutdown began', async () => {
    const { supervisor, launched } = setup(1);
    supervisor.onApplicationBootstrap();
    launched[0]!.exit(1);
    await vi.advanceTimersByTimeAsync(0);
    await supervisor.onModuleDestroy();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(launched).toHaveLength(1);
  });
});
