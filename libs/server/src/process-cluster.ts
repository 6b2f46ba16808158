import cluster, { type Worker } from 'node:cluster';

import type { LoggerService } from '@nestjs/common';
import { AggregatorRegistry, type Registry } from 'prom-client';

const METRICS_REQUEST = 'atelier:cluster-metrics';
const METRICS_REPLY = 'atelier:cluster-metrics-reply';

/** A worker that dies sooner than this after its start counts as crashing: wait longer each time. */
const CRASH_WINDOW_MS = 10_000;
const MAX_BACKOFF_MS = 30_000;
/** how long the workers get to stop after their drain (`SHUTDOWN_DRAIN_MS`) before SIGKILL */
const STOP_GRACE_MS = 10_000;

/** V8's flag that keeps a process's garbage collection on its own thread (SERVING_GC). */
export const SINGLE_THREADED_GC = '--single-threaded-gc';

/**
 * A child's Node.js flags from its parent's, with V8's collector as SERVING_GC says: the flag
 * added once for `single-threaded`, and taken out for `parallel` even when the operator started the
 * parent with it (the setting decides, as for the training workers).
 */
export function childExecArgv(parent: readonly string[], singleThreadedGc: boolean): string[] {
  const others = parent.filter((arg) => arg !== SINGLE_THREADED_GC);
  return singleThreadedGc ? [...others, SINGLE_THREADED_GC] : others;
}

/**
 * Runs `processes` copies of a service on one port (node:cluster; the primary hands connections
 * to the workers in turn), so one machine's cores all answer requests. Each worker gets
 * `ATELIER_PROCESS_INDEX` (0, 1, …): background roles (consumers, schedulers, training
 * supervisors) run in process 0 only. A worker that dies is started again, with a growing pause
 * if it keeps dying; SIGTERM/SIGINT stop them all. `singleThreadedGc` starts the workers with
 * V8's `--single-threaded-gc` (and without it when false: `childExecArgv`): with a process per
 * core, the helper threads of a parallel collection only take the cores the other processes
 * answer on. A stop forwards the signal to every worker and kills those still running `drainMs`
 * (their `SHUTDOWN_DRAIN_MS`) + 10 s later.
 */
export function runProcessCluster(processes: number, service: string, logger: LoggerService, singleThreadedGc: boolean, drainMs = 0): void {
  cluster.setupPrimary({ execArgv: childExecArgv(process.execArgv, singleThreadedGc) });
  const started = new Map<number, number>();
  const failures = new Map<number, number>();
  let stopping = false;

  const fork = (index: number): Worker => {
    const worker = cluster.fork({ ATELIER_PROCESS_INDEX: String(index) });
    started.set(index, Date.now());
    worker.on('exit', (code, signal) => {
      if (stopping) return;
      const quick = Date.now() - (started.get(index) ?? 0) < CRASH_WINDOW_MS;
      const count = quick ? (failures.get(index) ?? 0) + 1 : 0;
      failures.set(index, count);
      const delay = Math.min(MAX_BACKOFF_MS, count === 0 ? 0 : 500 * 2 ** (count - 1));
      logger.warn({ msg: 'process exited; starting it again', index, code, signal, inMs: delay }, 'cluster');
      setTimeout(() => fork(index), delay);
    });
    return worker;
  };

  // `/metrics` of any process answers for all of them: it asks here, and here asks every process
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker, message: { type?: string; id?: number }) => {
    if (message?.type !== METRICS_REQUEST) return;
    aggregator.clusterMetrics().then(
      (text) => worker.send({ type: METRICS_REPLY, id: message.id, text }),
      (error: unknown) => worker.send({ type: METRICS_REPLY, id: message.id, error: String(error) }),
    );
  });

  for (let i = 0; i < processes; i++) fork(i);
  logger.log({ msg: 'started processes', service, processes, gc: singleThreadedGc ? 'single-threaded' : 'parallel' }, 'cluster');

  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
    for (const w of workers) w.process.kill(signal);
    const force = setTimeout(() => workers.forEach((w) => w.process.kill('SIGKILL')), drainMs + STOP_GRACE_MS);
    force.unref();
    let alive = workers.length;
    if (alive === 0) process.exit(0);
    for (const w of workers) w.on('exit', () => --alive === 0 && process.exit(0));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

export const isClusterPrimary = (processes: number) => processes > 1 && cluster.isPrimary;

let metricsRequests = 0;

/** In a cluster worker: the metrics of every process of the cluster, summed by the primary. */
export function clusterMetrics(): Promise<string> {
  const id = ++metricsRequests;
  return new Promise((resolve, reject) => {
    const onMessage = (message: { type?: string; id?: number; text?: string; error?: string }) => {
      if (message?.type !== METRICS_REPLY || message.id !== id) return;
      process.off('message', onMessage);
      if (message.error !== undefined) reject(new Error(message.error));
      else resolve(message.text ?? '');
    };
    process.on('message', onMessage);
    process.send!({ type: METRICS_REQUEST, id });
  });
}

/** A cluster worker answers the primary's requests for its own metrics from `registry`. */
export function shareMetricsWithCluster(registry: Registry): void {
  if (!cluster.isWorker) return;
  new AggregatorRegistry(); // installs the worker's side of the exchange
  AggregatorRegistry.setRegistries(registry);
}
