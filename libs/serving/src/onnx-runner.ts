import { Worker } from 'node:worker_threads';

import { InferenceSession, Tensor } from 'onnxruntime-node';

/** A tensor as it crosses a thread boundary: plain data, no native handle. */
export interface PlainTensor {
  type: Tensor.Type;
  data: Tensor.DataType;
  dims: readonly number[];
}

/** Tensors as they cross to a worker thread (the pool's runs, the load-time probe). */
function plainTensors(feeds: Record<string, Tensor>): Record<string, PlainTensor> {
  const plain: Record<string, PlainTensor> = {};
  for (const [name, t] of Object.entries(feeds)) plain[name] = { type: t.type, data: t.data, dims: t.dims };
  return plain;
}

/** Runs a loaded model: inline on the event loop, or on worker threads. */
export interface OnnxRunner {
  readonly kind: 'inline' | 'pool';
  run(feeds: Record<string, Tensor>): Promise<Record<string, PlainTensor>>;
  close(): Promise<void>;
}

/** Every session: one intra-op thread — a prediction is a few rows, and spare cores serve other requests. */
export const SESSION_OPTIONS: InferenceSession.SessionOptions = { executionProviders: ['cpu'], graphOptimizationLevel: 'all', intraOpNumThreads: 1, interOpNumThreads: 1 };

export class InlineRunner implements OnnxRunner {
  readonly kind = 'inline';
  constructor(readonly session: InferenceSession) {}

  run(feeds: Record<string, Tensor>): Promise<Record<string, PlainTensor>> {
    return this.session.run(feeds);
  }

  close(): Promise<void> {
    return this.session.release();
  }
}

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const ort = require(workerData.ort);
const ready = ort.InferenceSession.create(workerData.model, workerData.options);
// told once the session exists (or failed): the pool never ends a thread inside that native call
ready.then(() => parentPort.postMessage({ ready: true }), () => parentPort.postMessage({ ready: true }));
parentPort.on('message', async ({ id, feeds }) => {
  try {
    const session = await ready;
    const tensors = {};
    for (const [name, f] of Object.entries(feeds)) tensors[name] = new ort.Tensor(f.type, f.data, f.dims);
    const out = await session.run(tensors);
    const result = {};
    const transfer = [];
    for (const [name, t] of Object.entries(out)) {
      result[name] = { type: t.type, data: t.data, dims: t.dims };
      if (ArrayBuffer.isView(t.data)) transfer.push(t.data.buffer);
    }
    parentPort.postMessage({ id, result }, transfer);
  } catch (error) {
    parentPort.postMessage({ id, error: String(error && error.message || error) });
  }
});
`;

interface PoolWorker {
  worker: Worker;
  pending: Map<number, { resolve: (r: Record<string, PlainTensor>) => void; reject: (e: Error) => void }>;
  /** settles when the thread's session is created (or failed), or the thread ended */
  loaded: Promise<void>;
  /** settles when no run is in flight */
  idle: () => Promise<void>;
}

/** How long `close` waits for a thread to finish loading and running before ending it anyway. */
const CLOSE_WAIT_MS = 10_000;

/**
 * Sessions of one model on worker threads, for models whose run would stall the event loop
 * (every other request waits while a synchronous `session.run` computes). A run goes to the
 * worker with the fewest runs waiting.
 */
export class WorkerPoolRunner implements OnnxRunner {
  readonly kind = 'pool';
  private readonly workers: PoolWorker[] = [];
  private sequence = 0;

  constructor(model: Uint8Array, threads: number) {
    for (let i = 0; i < threads; i++) {
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { ort: require.resolve('onnxruntime-node'), model, options: SESSION_OPTIONS },
      });
      let markLoaded!: () => void;
      const loaded = new Promise<void>((resolve) => (markLoaded = resolve));
      const drained: Array<() => void> = [];
      const pending: PoolWorker['pending'] = new Map();
      const settled = () => {
        if (pending.size === 0) drained.splice(0).forEach((done) => done());
      };
      const idle = () => (pending.size === 0 ? Promise.resolve() : new Promise<void>((resolve) => drained.push(resolve)));
      const entry: PoolWorker = { worker, pending, loaded, idle };
      worker.on('message', (m: { ready?: true; id: number; result?: Record<string, PlainTensor>; error?: string }) => {
        if (m.ready) return markLoaded();
        const call = pending.get(m.id);
        pending.delete(m.id);
        if (m.error !== undefined) call?.reject(new Error(m.error));
        else call?.resolve(m.result!);
        settled();
      });
      worker.on('error', (error) => {
        for (const call of pending.values()) call.reject(error);
        pending.clear();
        settled();
        markLoaded();
      });
      worker.on('exit', () => markLoaded());
      worker.unref();
      this.workers.push(entry);
    }
  }

  run(feeds: Record<string, Tensor>): Promise<Record<string, PlainTensor>> {
    const entry = this.workers.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
    const id = ++this.sequence;
    return new Promise((resolve, reject) => {
      entry.pending.set(id, { resolve, reject });
      entry.worker.postMessage({ id, feeds: plainTensors(feeds) });
    });
  }

  /**
   * Ends the threads once each has loaded its session and finished its runs: ONNX Runtime aborts
   * the whole process when a thread ends inside one of its native calls.
   */
  async close(): Promise<void> {
    await Promise.all(
      this.workers.map(async (w) => {
        const calm = Promise.all([w.loaded, w.idle()]);
        await Promise.race([calm, new Promise((resolve) => setTimeout(resolve, CLOSE_WAIT_MS).unref())]);
        await w.worker.terminate();
      }),
    );
  }
}

export interface RunnerChoice {
  /** the fastest of several single-row runs, measured when the model loads */
  probeMs: number;
  runner: OnnxRunner;
}

/** Single-row runs the probe times (after one that allocates), and how long it may keep timing a slow model. */
const PROBE_RUNS = 15;
const PROBE_BUDGET_MS = 2_000;

const PROBE_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const ort = require(workerData.ort);
(async () => {
  const session = await ort.InferenceSession.create(workerData.model, workerData.options);
  try {
    const feeds = {};
    for (const [name, f] of Object.entries(workerData.feeds)) feeds[name] = new ort.Tensor(f.type, f.data, f.dims);
    await session.run(feeds); // the first run allocates
    let fastest = Infinity;
    const started = performance.now();
    for (let i = 0; i < workerData.runs && (i < 3 || performance.now() - started < workerData.budgetMs); i++) {
      const at = performance.now();
      await session.run(feeds);
      fastest = Math.min(fastest, performance.now() - at);
    }
    parentPort.postMessage({ fastest });
  } finally {
    await session.release();
  }
})().catch((error) => parentPort.postMessage({ error: String((error && error.message) || error) }));
`;

/**
 * The fastest of a model's single-row runs, timed on a thread of its own that does nothing else.
 * Timed on the event loop, a run also counted the wait for its turn — ONNX Runtime for Node starts
 * each run from `setImmediate` — so a model that loaded while the process was busy (its first
 * requests, a new version under traffic) measured milliseconds for a 35 µs run and went to the
 * pool for good. The thread ends by itself once its session is released.
 */
async function probeRunMs(model: Uint8Array, feeds: Record<string, Tensor>): Promise<number> {
  const worker = new Worker(PROBE_SOURCE, {
    eval: true,
    workerData: {
      ort: require.resolve('onnxruntime-node'),
      model,
      feeds: plainTensors(feeds),
      options: SESSION_OPTIONS,
      runs: PROBE_RUNS,
      budgetMs: PROBE_BUDGET_MS,
    },
  });
  // answered once the thread has ended: its session released, no native call left running
  const answer = await new Promise<{ fastest?: number; error?: string }>((resolve, reject) => {
    let said: { fastest?: number; error?: string } | undefined;
    worker.once('message', (m: typeof said) => (said = m));
    worker.once('error', reject);
    worker.once('exit', (code) =>
      said ? resolve(said) : reject(new Error(`the model's probe ended without an answer (exit code ${code})`)),
    );
  });
  if (answer.error !== undefined) throw new Error(answer.error);
  return answer.fastest!;
}

/**
 * The rule, measured per model when it loads: time single-row runs on a thread of their own; a
 * model whose fastest run stays under `inlineMaxMs` runs inline (a thread hop costs more than it
 * saves — about 50–100 µs against a 35 µs run for the demo's models); a slower one moves to
 * `threads` worker threads, so the event loop never waits for it. The fastest run, not the
 * median: other work on the machine only ever adds time, and a median taken while the cores were
 * busy sent small models to the pool, where every run paid the thread hop.
 */
export async function chooseRunner(model: Uint8Array, probeFeeds: Record<string, Tensor>, options: { inlineMaxMs: number; threads: number }): Promise<RunnerChoice> {
  const probeMs = await probeRunMs(model, probeFeeds);
  if (probeMs > options.inlineMaxMs) return { probeMs, runner: new WorkerPoolRunner(model, Math.max(1, options.threads)) };
  return { probeMs, runner: new InlineRunner(await InferenceSession.create(model, SESSION_OPTIONS)) };
}
