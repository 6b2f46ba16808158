import cluster, { type Worker } from 'node:cluster';

import type { LoggerService } from '@nestjs/common';
import { AggregatorRegistry, type Registry } from 'prom-client';

import type { HealthStatus } from '@atelier/contracts';

const METRICS_REQUEST = 'atelier:cluster-metrics';
const METRICS_REPLY = 'atelier:cluster-metrics-reply';
// a serving process asks the primary for the background process's readiness; the primary asks it
const HEALTH_REQUEST = 'atelier:background-health';
const HEALTH_REPLY = 'atelier:background-health-reply';
const HEALTH_RUN = 'atelier:background-health-run';
const HEALTH_RESULT = 'atelier:background-health-result';
const HEALTH_RELAY_MS = 5_000;

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
 *
 * With `background` (BACKGROUND_PROCESS), process 0 is one more process, started with
 * `ATELIER_PROCESS_ROLE=background`: it takes process 0's background roles, answers no request,
 * loads no model ahead and lowers its own priority to `background.nice`; the `processes` that
 * serve are 1, 2, …, and a burst of monitoring's ingestion or a monitor evaluation then waits for
 * a free core instead of holding up the answers queued behind it on one event loop.
 */
export function runProcessCluster(
  processes: number,
  service: string,
  logger: LoggerService,
  singleThreadedGc: boolean,
  drainMs = 0,
  background: { nice: number } | null = null,
): void {
  cluster.setupPrimary({ execArgv: childExecArgv(process.execArgv, singleThreadedGc) });
  const started = new Map<number, number>();
  const failures = new Map<number, number>();
  let stopping = false;

  const workers = new Map<number, Worker>();
  const forks = background ? processes + 1 : processes;
  const fork = (index: number): Worker => {
    const role =
      background && index === 0 ? { ATELIER_PROCESS_ROLE: 'background', SERVING_PRELOAD: 'none' } : { ATELIER_PROCESS_ROLE: 'serve' };
    const worker = cluster.fork({ ATELIER_PROCESS_INDEX: String(index), ATELIER_PROCESS_COUNT: String(forks), ...role });
    workers.set(index, worker);
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
  // a serving process's readiness includes the background process's (`backgroundReadiness`)
  const relayed = new Map<number, { worker: Worker; id: number }>();
  let relays = 0;
  cluster.on('message', (worker, message: { type?: string; id?: number; status?: HealthStatus }) => {
    if (message?.type === HEALTH_REQUEST) {
      const target = workers.get(0);
      if (!background || !target?.isConnected()) {
        worker.send({ type: HEALTH_REPLY, id: message.id, error: 'the background process is not running' });
        return;
      }
      const relay = ++relays;
      relayed.set(relay, { worker, id: message.id! });
      setTimeout(() => relayed.delete(relay), HEALTH_RELAY_MS).unref();
      target.send({ type: HEALTH_RUN, id: relay });
      return;
    }
    if (message?.type === HEALTH_RESULT) {
      const asker = relayed.get(message.id!);
      relayed.delete(message.id!);
      if (asker?.worker.isConnected()) asker.worker.send({ type: HEALTH_REPLY, id: asker.id, status: message.status });
      return;
    }
    if (message?.type !== METRICS_REQUEST) return;
    aggregator.clusterMetrics().then(
      (text) => worker.send({ type: METRICS_REPLY, id: message.id, text }),
      (error: unknown) => worker.send({ type: METRICS_REPLY, id: message.id, error: String(error) }),
    );
  });

  for (let i = 0; i < forks; i++) fork(i);
  logger.log(
    {
      msg: 'started processes',
      service,
      processes,
      background: background ? `process 0 at nice ${background.nice}` : 'shared with process 0',
      gc: singleThreadedGc ? 'single-threaded' : 'parallel',
    },
    'cluster',
  );

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

/** In a cluster worker: the metrics of every process of the cluster, summed by the primary. */
export async function clusterMetrics(): Promise<string> {
  return (await askPrimary<{ text?: string }>(METRICS_REQUEST, METRICS_REPLY)).text ?? '';
}

/** A cluster worker answers the primary's requests for its own metrics from `registry`. */
export function shareMetricsWithCluster(registry: Registry): void {
  if (!cluster.isWorker) return;
  new AggregatorRegistry(); // installs the worker's side of the exchange
  AggregatorRegistry.setRegistries(registry);
}

/**
 * In a serving process of a cluster with a background process: that process's readiness, through
 * the primary; fails naming its checks that are down (monitoring's consumer, say). The check's
 * own timeout (HealthRegistry.run) ends a wait that gets no answer.
 */
export async function backgroundReadiness(): Promise<void> {
  const { status } = await askPrimary<{ status?: HealthStatus }>(HEALTH_REQUEST, HEALTH_REPLY, HEALTH_RELAY_MS);
  if (status?.status === 'ok') return;
  const down = Object.entries(status?.checks ?? {}).filter(([, check]) => check.status !== 'up');
  throw new Error(`the background process is not ready: ${down.map(([name, check]) => `${name}: ${check.error ?? 'down'}`).join('; ')}`);
}

let asked = 0;

/**
 * Sends the primary a message of `type` with an id of its own and resolves with its reply of
 * `replyType` to that id, rejecting with the reply's `error`; stops listening after `timeoutMs`
 * when given.
 */
function askPrimary<T>(type: string, replyType: string, timeoutMs?: number): Promise<T> {
  const id = ++asked;
  return new Promise((resolve, reject) => {
    const onMessage = (message: T & { type?: string; id?: number; error?: string }) => {
      if (message?.type !== replyType || message.id !== id) return;
      process.off('message', onMessage);
      if (message.error !== undefined) reject(new Error(message.error));
      else resolve(message);
    };
    process.on('message', onMessage);
    if (timeoutMs !== undefined) setTimeout(() => process.off('message', onMessage), timeoutMs).unref();
    process.send!({ type, id });
  });
}

/** In the background process: answers the primary's readiness questions from `run`. */
export function answerReadinessInCluster(run: () => Promise<HealthStatus>): void {
  process.on('message', (message: { type?: string; id?: number }) => {
    if (message?.type !== HEALTH_RUN) return;
    void run().then((status) => process.connected && process.send!({ type: HEALTH_RESULT, id: message.id, status }));
  });
}
