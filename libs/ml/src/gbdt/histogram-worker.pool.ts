import { Worker } from 'node:worker_threads';

import type { BinnedRows } from './bin-mapper.fit';
import { binaryGradients } from './gbdt.objective';
import { buildHistogram, SLOT_WIDTH } from './histogram.kernel';
import { wasmHistogramArea, WasmHistogramKernel, type WasmHistogramLayout } from './histogram.wasm';
import { partitionByFeature, partitionInPlace, partitionRows } from './partition.kernel';

/**
 * Below this many rows a histogram is cheaper to build alone than to hand out in parts. Measured on
 * flights-1m (800,000 rows, 23 features, 2 threads): 2^15 took 12.2 s to train, 2^12 11.2–11.6 s,
 * 2^10 and 2^13 11.6–12.0 s.
 */
const MIN_PARALLEL_ROWS = 1 << 12;
/** Gradients of fewer rows are computed here alone. */
const MIN_PARALLEL_GRADIENT_ROWS = 1 << 14;
/** Fewer rows are partitioned here alone. */
const MIN_PARALLEL_PARTITION_ROWS = 1 << 14;
/** A worker that has not answered in this long is gone (it cannot hang on a bounded loop). */
const TASK_TIMEOUT_MS = 120_000;

// Control block, one Int32Array per worker: [task sequence, start, end, quit, done sequence, failed,
// task, feature (partition) or leaf count (leaf values), result (rows that went left)].
const SEQ = 0;
const START = 1;
const END = 2;
const QUIT = 3;
const DONE = 4;
const FAILED = 5;
const TASK = 6;
const FEATURE = 7;
const RESULT = 8;
const CONTROL_LENGTH = 9;
// What a worker runs on its share of rows.
const HISTOGRAM = 0;
const BINARY_GRADIENTS = 1;
const PARTITION = 2;
const ADD_LEAF_VALUES = 3;

/**
 * The worker runs the very same kernels (their source, so there is one implementation) over shared
 * memory, woken and joined with Atomics: a synchronous fork-join costs microseconds, where a
 * message round trip through the event loop would cost more than a small histogram.
 */
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const buildHistogram = (${buildHistogram.toString()});
const binaryGradients = (${binaryGradients.toString()});
const partitionRows = (${partitionRows.toString()});
const partitionByFeature = (${partitionByFeature.toString()});
const { control, data, grad, hess, rows, hist, label, scores, scratch, side, wasm, thread, pairs, leaves } = workerData;
const addLeafValues = (${addLeafValues.toString()});
// with a WebAssembly layout, histograms are built by its kernel into this thread's area (= hist)
const kernel = wasm ? new WebAssembly.Instance(wasm.module, { env: { memory: wasm.memory } }).exports.hist : undefined;
const areaPtr = wasm ? wasm.areaPtr + thread * wasm.areaBytes : 0;
let seen = 0;
for (;;) {
  Atomics.wait(control, ${SEQ}, seen);
  seen = Atomics.load(control, ${SEQ});
  if (control[${QUIT}] === 1) break;
  try {
    const task = control[${TASK}];
    if (task === ${BINARY_GRADIENTS}) binaryGradients(label, scores, grad, hess, control[${START}], control[${END}], pairs);
    else if (task === ${ADD_LEAF_VALUES}) addLeafValues(scores, rows, leaves, control[${FEATURE}], control[${START}], control[${END}]);
    else if (task === ${PARTITION}) control[${RESULT}] = partitionByFeature(data, rows, scratch, side, control[${FEATURE}], control[${START}], control[${END}]);
    else if (kernel) {
      hist.fill(0);
      kernel(wasm.slotsPtr, wasm.featureCount, wasm.ghPtr, wasm.rowsPtr, control[${START}], control[${END}], areaPtr);
    } else buildHistogram(hist, data, grad, hess, rows, control[${START}], control[${END}]);
  } catch (error) {
    control[${FAILED}] = 1;
  }
  Atomics.store(control, ${DONE}, seen);
  Atomics.notify(control, ${DONE});
}
`;

/**
 * Shared-memory buffers the workers read: slots, gradients, hessians and the row buffer; with the
 * labels and raw scores (one per row) they also compute binary gradients, and with a scratch row
 * buffer and the learner's side table (bin → goes left) they partition rows.
 */
export interface SharedTrainingBuffers {
  data: BinnedRows;
  grad: Float64Array;
  hess: Float64Array;
  rows: Uint32Array;
  label?: Float64Array;
  scores?: Float64Array;
  scratch?: Uint32Array;
  side?: Uint8Array;
  /**
   * Histograms by the WebAssembly kernel (`rows` must then be the layout's row buffer, and `pairs`
   * its gradient pairs, kept up to date with `grad` and `hess`).
   */
  wasm?: WasmHistogramLayout;
  pairs?: Float64Array;
  /** room for (start, end, value) of every leaf of a tree: with it and `scores`, trees' leaf values are added to the scores on every thread */
  leaves?: Float64Array;
}

/**
 * Builds histograms (and partitions rows, computes binary gradients and adds leaf values) with
 * `threads` threads (this one plus `threads - 1` workers): each takes a fixed share of the row
 * range and partial histograms are added in a fixed order, so results depend on the thread count,
 * never on timing.
 */
export class HistogramWorkerPool {
  private readonly workers: { worker: Worker; control: Int32Array; hist: Float64Array }[] = [];
  private sequence = 0;
  /** this thread's WebAssembly kernel, with a layout */
  private readonly kernel?: WasmHistogramKernel;

  constructor(
    private readonly buffers: SharedTrainingBuffers,
    threads: number,
  ) {
    const { wasm } = buffers;
    if (wasm) this.kernel = new WasmHistogramKernel(wasm, 0);
    for (let t = 1; t < threads; t++) {
      const control = new Int32Array(new SharedArrayBuffer(CONTROL_LENGTH * Int32Array.BYTES_PER_ELEMENT));
      const hist = wasm
        ? wasmHistogramArea(wasm, t).view
        : new Float64Array(new SharedArrayBuffer(buffers.data.totalBins * SLOT_WIDTH * 8));
      const { data, grad, hess, rows, label, scores, scratch, side, pairs, leaves } = buffers;
      const sharedData = { slots: data.slots, featureCount: data.featureCount, offsets: data.offsets, columnBins: data.columnBins };
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { control, data: sharedData, grad, hess, rows, hist, label, scores, scratch, side, wasm, thread: t, pairs, leaves },
      });
      // Training must not keep the process alive, and `close` ends the workers anyway.
      worker.unref();
      this.workers.push({ worker, control, hist });
    }
  }

  /** Same contract as `buildHistogram`, over the shared gradients and row buffer. */
  build(hist: Float64Array, start: number, end: number): void {
    const { data, grad, hess, rows } = this.buffers;
    const { kernel } = this;
    const own = (from: number, to: number) => {
      if (kernel) hist.set(kernel.build(from, to));
      else buildHistogram(hist, data, grad, hess, rows, from, to);
    };
    if (end - start < MIN_PARALLEL_ROWS || this.workers.length === 0) {
      own(start, end);
      return;
    }
    this.fanOut(HISTOGRAM, start, end, own);
    // the partial histograms added in a fixed order
    for (const { hist: partial } of this.workers) for (let s = 0; s < hist.length; s++) hist[s] += partial[s];
  }

  /** `binaryGradients` of every row into the shared gradients and hessians (the pool needs `label` and `scores`). */
  binaryGradients(): void {
    const { grad, hess, label, scores, pairs } = this.buffers;
    if (!label || !scores) throw new Error('binaryGradients needs the shared labels and scores');
    const n = label.length;
    if (n < MIN_PARALLEL_GRADIENT_ROWS || this.workers.length === 0) binaryGradients(label, scores, grad, hess, 0, n, pairs);
    else this.fanOut(BINARY_GRADIENTS, 0, n, (from, to) => binaryGradients(label, scores, grad, hess, from, to, pairs));
  }

  /**
   * A grown tree's leaf values added to the shared scores (one per row) of the rows each leaf holds
   * in the row buffer (leaf l: rows[leafStart[l]..leafEnd[l])), the row buffer shared out among
   * the threads: each row is updated once, by one thread, so the result is the same as one
   * thread's. Needs `scores` and `leaves`.
   */
  addLeafValues(leafStart: Int32Array, leafEnd: Int32Array, values: number[]): void {
    const { rows, scores, leaves } = this.buffers;
    if (!scores || !leaves) throw new Error('addLeafValues needs the shared scores and leaf table');
    const count = values.length;
    let end = 0;
    for (let l = 0; l < count; l++) {
      leaves[3 * l] = leafStart[l];
      leaves[3 * l + 1] = leafEnd[l];
      leaves[3 * l + 2] = values[l];
      end = Math.max(end, leafEnd[l]);
    }
    if (end < MIN_PARALLEL_GRADIENT_ROWS || this.workers.length === 0) addLeafValues(scores, rows, leaves, count, 0, end);
    else this.fanOut(ADD_LEAF_VALUES, 0, end, (from, to) => addLeafValues(scores, rows, leaves, count, from, to), count);
  }

  /**
   * `partitionRows` of rows[start..end) by `feature` with the shared side table, on every thread,
   * then the parts put together (each share's left rows, then each share's right rows): the same
   * stable partition one thread makes. Returns where the right rows start.
   */
  partition(start: number, end: number, feature: number): number {
    const { data, rows, scratch, side } = this.buffers;
    if (!scratch || !side) throw new Error('partition needs the shared scratch rows and side table');
    if (end - start < MIN_PARALLEL_PARTITION_ROWS || this.workers.length === 0) {
      return partitionInPlace(data, rows, scratch, side, feature, start, end);
    }
    let ownLeft = 0;
    const own = (from: number, to: number) => (ownLeft = partitionByFeature(data, rows, scratch, side, feature, from, to));
    const bounds = this.fanOut(PARTITION, start, end, own, feature);
    const lefts = [ownLeft, ...this.workers.map(({ control }) => control[RESULT])];
    let at = start + ownLeft;
    for (let t = 1; t < lefts.length; t++) {
      rows.copyWithin(at, bounds[t], bounds[t] + lefts[t]);
      at += lefts[t];
    }
    const mid = at;
    for (let t = 0; t < lefts.length; t++) {
      rows.set(scratch.subarray(bounds[t], bounds[t + 1] - lefts[t]), at);
      at += bounds[t + 1] - bounds[t] - lefts[t];
    }
    return mid;
  }

  /**
   * Runs `task` on shares of rows [start, end): the first here (`own`), one per worker; returns the
   * shares' bounds (share t is [bounds[t], bounds[t + 1])) when all are done.
   */
  private fanOut(task: number, start: number, end: number, own: (from: number, to: number) => void, feature = 0): Int32Array {
    const bounds = shareBounds(start, end, this.workers.length + 1);
    const seq = ++this.sequence;
    this.workers.forEach(({ control }, w) => {
      control[TASK] = task;
      control[FEATURE] = feature;
      control[START] = bounds[w + 1];
      control[END] = bounds[w + 2];
      Atomics.store(control, SEQ, seq);
      Atomics.notify(control, SEQ);
    });
    own(bounds[0], bounds[1]);
    for (const { control } of this.workers) {
      const deadline = Date.now() + TASK_TIMEOUT_MS;
      let done: number;
      while ((done = Atomics.load(control, DONE)) !== seq) {
        if (Date.now() > deadline) throw new Error('histogram worker stopped answering');
        Atomics.wait(control, DONE, done, 1000);
      }
      if (control[FAILED] === 1) throw new Error('histogram worker failed');
    }
    return bounds;
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

/**
 * `scores[rows[p]] += value` of the leaf holding position p, for positions [start, end) of the row
 * buffer; `leaves` holds (start, end, value) of `count` leaves. Self-contained on purpose: worker
 * threads run its source.
 */
export function addLeafValues(
  scores: Float64Array,
  rows: Uint32Array,
  leaves: Float64Array,
  count: number,
  start: number,
  end: number,
): void {
  for (let l = 0; l < count; l++) {
    const from = Math.max(start, leaves[3 * l]);
    const to = Math.min(end, leaves[3 * l + 1]);
    const value = leaves[3 * l + 2];
    for (let p = from; p < to; p++) scores[rows[p]] += value;
  }
}

/** Bounds of `threads` equal shares of [start, end): share t is [bounds[t], bounds[t + 1]). */
function shareBounds(start: number, end: number, threads: number): Int32Array {
  const share = Math.ceil((end - start) / threads);
  return Int32Array.from({ length: threads + 1 }, (_, t) => Math.min(end, start + t * share));
}

/** A typed array of `length` elements on a SharedArrayBuffer (or a plain one when not shared). */
export function sharedFloat64(length: number, shared: boolean): Float64Array {
  return new Float64Array(shared ? new SharedArrayBuffer(length * 8) : new ArrayBuffer(length * 8));
}

export function sharedUint32(length: number, shared: boolean): Uint32Array {
  return new Uint32Array(shared ? new SharedArrayBuffer(length * 4) : new ArrayBuffer(length * 4));
}
