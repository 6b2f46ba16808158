import { Worker } from 'node:worker_threads';

import type { BinnedRows } from './bin-mapper.fit';
import { buildHistogram, SLOT_WIDTH } from './histogram.kernel';

/** Below this many rows a histogram is cheaper to build alone than to hand out in parts. */
const MIN_PARALLEL_ROWS = 1 << 15;
/** A worker that has not answered in this long is gone (it cannot hang on a bounded loop). */
const TASK_TIMEOUT_MS = 120_000;

// Control block, one Int32Array per worker: [task sequence, start, end, quit, done sequence, failed].
const SEQ = 0;
const START = 1;
const END = 2;
const QUIT = 3;
const DONE = 4;
const FAILED = 5;

/**
 * The worker runs the very same kernel (its source, so there is one implementation) over shared
 * memory, woken and joined with Atomics: a synchronous fork-join costs microseconds, where a
 * message round trip through the event loop would cost more than a small histogram.
 */
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const buildHistogram = (${buildHistogram.toString()});
const { control, data, grad, hess, rows, hist } = workerData;
let seen = 0;
for (;;) {
  Atomics.wait(control, ${SEQ}, seen);
  seen = Atomics.load(control, ${SEQ});
  if (control[${QUIT}] === 1) break;
  try {
    buildHistogram(hist, data, grad, hess, rows, control[${START}], control[${END}]);
  } catch (error) {
    control[${FAILED}] = 1;
  }
  Atomics.store(control, ${DONE}, seen);
  Atomics.notify(control, ${DONE});
}
`;

/** Shared-memory buffers the workers read: slots, gradients, hessians and the row buffer. */
export interface SharedTrainingBuffers {
  data: BinnedRows;
  grad: Float64Array;
  hess: Float64Array;
  rows: Uint32Array;
}

/**
 * Builds histograms with `threads` threads (this one plus `threads - 1` workers): each takes a
 * fixed share of the row range and the partial histograms are added in a fixed order, so results
 * depend on the thread count, never on timing.
 */
export class HistogramWorkerPool {
  private readonly workers: { worker: Worker; control: Int32Array; hist: Float64Array }[] = [];
  private sequence = 0;

  constructor(
    private readonly buffers: SharedTrainingBuffers,
    threads: number,
  ) {
    for (let t = 1; t < threads; t++) {
      const control = new Int32Array(new SharedArrayBuffer(6 * Int32Array.BYTES_PER_ELEMENT));
      const hist = new Float64Array(new SharedArrayBuffer(buffers.data.totalBins * SLOT_WIDTH * 8));
      const { data, grad, hess, rows } = buffers;
      const sharedData = { slots: data.slots, featureCount: data.featureCount };
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { control, data: sharedData, grad, hess, rows, hist },
      });
      // Training must not keep the process alive, and `close` ends the workers anyway.
      worker.unref();
      this.workers.push({ worker, control, hist });
    }
  }

  /** Same contract as `buildHistogram`, over the shared gradients and row buffer. */
  build(hist: Float64Array, start: number, end: number): void {
    const { data, grad, hess, rows } = this.buffers;
    const threads = this.workers.length + 1;
    if (end - start < MIN_PARALLEL_ROWS || threads === 1) {
      buildHistogram(hist, data, grad, hess, rows, start, end);
      return;
    }
    const share = Math.ceil((end - start) / threads);
    const seq = ++this.sequence;
    this.workers.forEach(({ control }, w) => {
      control[START] = Math.min(end, start + (w + 1) * share);
      control[END] = Math.min(end, start + (w + 2) * share);
      Atomics.store(control, SEQ, seq);
      Atomics.notify(control, SEQ);
    });
    buildHistogram(hist, data, grad, hess, rows, start, Math.min(end, start + share));
    for (const { control, hist: partial } of this.workers) {
      const deadline = Date.now() + TASK_TIMEOUT_MS;
      let done: number;
      while ((done = Atomics.load(control, DONE)) !== seq) {
        if (Date.now() > deadline) throw new Error('histogram worker stopped answering');
        Atomics.wait(control, DONE, done, 1000);
      }
      if (control[FAILED] === 1) throw new Error('histogram worker failed');
      for (let s = 0; s < hist.length; s++) hist[s] += partial[s];
    }
  }

  async close(): Promise<void> {
    for (const { control } of this.workers) {
      control[QUIT] = 1;
      Atomics.add(control, SEQ, 1);
      Atomics.notify(control, SEQ);
    }
    await Promise.all(this.workers.map(({ worker }) => worker.terminate()));
    this.workers.length = 0;
  }
}

/** A typed array of `length` elements on a SharedArrayBuffer (or a plain one when not shared). */
export function sharedFloat64(length: number, shared: boolean): Float64Array {
  return new Float64Array(shared ? new SharedArrayBuffer(length * 8) : new ArrayBuffer(length * 8));
}

export function sharedUint32(length: number, shared: boolean): Uint32Array {
  return new Uint32Array(shared ? new SharedArrayBuffer(length * 4) : new ArrayBuffer(length * 4));
}
