import type { BinnedRows } from './bin-mapper.fit';
import { SLOT_WIDTH } from './histogram.kernel';

/**
 * The histogram kernel in WebAssembly with 128-bit SIMD: a row's (gradient, hessian) pair is one
 * vector, so each slot's update is one load, one `f64x2.add` and one store where the JavaScript
 * kernel (histogram.kernel.ts) does two of each, without bounds checks. Measured on 800,000 rows
 * × 23 features: 0.66 ns an update against 1.64 ns. The sums are the same, added in the same
 * order, so the histograms equal the JavaScript kernel's exactly.
 *
 * `hist(slots, featureCount, gh, rows, start, end, hist)` (byte addresses in the memory):
 *
 *     for k in [start, end): r = rows[k]; v = gh[r]            (two f64: gradient, hessian)
 *       for p in [slots + 2 r F, slots + 2 (r + 1) F): a = hist + 16 · u16[p]; f64x2[a] += v
 *
 * four rows at a time, feature by feature (as the JavaScript kernel): the loads of four rows'
 * pairs and slots overlap, which is what a leaf's scattered rows need (one row at a time, 1 row
 * in 8 of 800,000: 4.4 ns an update; four at a time: 3.0 ns; the JavaScript kernel: 4.0 ns).
 *
 * The module is written out here (a few dozen bytes) rather than built by a toolchain.
 */
function kernelBytes(): Uint8Array<ArrayBuffer> {
  const uleb = (n: number): number[] => {
    const out: number[] = [];
    do {
      let byte = n & 0x7f;
      n >>>= 7;
      if (n !== 0) byte |= 0x80;
      out.push(byte);
    } while (n !== 0);
    return out;
  };
  const section = (id: number, body: number[]) => [id, ...uleb(body.length), ...body];
  const vector = (items: number[][]) => [...uleb(items.length), ...items.flat()];
  const name = (text: string) => [...uleb(text.length), ...Array.from(text, (ch) => ch.charCodeAt(0))];
  const [I32, V128] = [0x7f, 0x7b];
  const get = (i: number) => [0x20, i];
  const set = (i: number) => [0x21, i];
  const tee = (i: number) => [0x22, i];
  const constant = (n: number) => [0x41, n]; // small non-negative constants only
  const [add, mul, shl, geU, ltU, brIf, end] = [0x6a, 0x6c, 0x74, 0x4f, 0x49, 0x0d, 0x0b];
  const loadI32 = [0x28, 2, 0];
  const loadU16 = [0x2f, 1, 0];
  const loadV128 = [0xfd, 0x00, 4, 0];
  const storeV128 = [0xfd, 0x0b, 4, 0];
  const addF64x2 = [0xfd, 0xf0, 0x01];
  // params 0 slots, 1 featureCount, 2 gh, 3 rows, 4 k (from start), 5 end, 6 hist; locals (i32)
  // 7 r, 8 p, 9 the row's last slot address, 10 a, 11–14 four rows' slot addresses, 15 byte offset
  // j of a feature's slot, 16 its end, 17 a; (v128) 18 v, 19–22 four rows' pairs
  // one instruction sequence per line: the kernel reads as its pseudocode above
  const code: number[] = [];
  const emit = (...line: number[]) => code.push(...line);
  // block: while k + 3 < end, four rows at a time (their loads overlap)
  emit(0x02, 0x40);
  emit(...get(4), ...constant(3), add, ...get(5), geU, brIf, 0);
  emit(...get(1), ...constant(1), shl, ...set(16));
  emit(0x03, 0x40);
  for (let i = 0; i < 4; i++) {
    emit(...get(3), ...get(4), ...constant(i), add, ...constant(2), shl, add, ...loadI32, ...set(7));
    emit(...get(2), ...get(7), ...constant(4), shl, add, ...loadV128, ...set(19 + i));
    emit(...get(0), ...get(7), ...get(1), mul, ...constant(1), shl, add, ...set(11 + i));
  }
  emit(...constant(0), ...set(15));
  emit(0x03, 0x40);
  // per feature, the four rows in their order: each slot's sums are added in row order, as one row at a time would
  for (let i = 0; i < 4; i++) {
    emit(...get(6), ...get(11 + i), ...get(15), add, ...loadU16, ...constant(4), shl, add, ...tee(17));
    emit(...get(17), ...loadV128, ...get(19 + i), ...addF64x2, ...storeV128);
  }
  emit(...get(15), ...constant(2), add, ...tee(15), ...get(16), ltU, brIf, 0, end);
  emit(...get(4), ...constant(4), add, ...tee(4), ...constant(3), add, ...get(5), ltU, brIf, 0, end, end);
  // block: the remaining rows one at a time
  emit(0x02, 0x40);
  emit(...get(4), ...get(5), geU, brIf, 0);
  emit(0x03, 0x40);
  emit(...get(3), ...get(4), ...constant(2), shl, add, ...loadI32, ...set(7));
  emit(...get(2), ...get(7), ...constant(4), shl, add, ...loadV128, ...set(18));
  emit(...get(0), ...get(7), ...get(1), mul, ...constant(1), shl, add, ...tee(8));
  emit(...get(1), ...constant(1), shl, add, ...set(9));
  emit(0x03, 0x40);
  emit(...get(6), ...get(8), ...loadU16, ...constant(4), shl, add, ...tee(10));
  emit(...get(10), ...loadV128, ...get(18), ...addF64x2, ...storeV128);
  emit(...get(8), ...constant(2), add, ...tee(8), ...get(9), ltU, brIf, 0, end);
  emit(...get(4), ...constant(1), add, ...tee(4), ...get(5), ltU, brIf, 0, end, end);
  emit(end);
  const body = [
    ...vector([
      [11, I32],
      [5, V128],
    ]),
    ...code,
  ];
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0],
    ...section(1, vector([[0x60, ...vector(Array.from({ length: 7 }, () => [I32])), 0]])),
    // a shared memory of at most 65,536 pages (4 GiB)
    ...section(2, vector([[...name('env'), ...name('memory'), 0x02, 0x03, ...uleb(1), ...uleb(65536)]])),
    ...section(3, vector([[0]])),
    ...section(7, vector([[...name('hist'), 0x00, 0]])),
    ...section(10, vector([[...uleb(body.length), ...body]])),
  ]);
}

let compiled: WebAssembly.Module | null | undefined;

/** The compiled kernel, or null where this runtime has no WebAssembly SIMD or shared memory. */
function kernelModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    try {
      const bytes = kernelBytes();
      compiled = WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

/**
 * One shared WebAssembly memory for a training run, as byte addresses: the slots (moved here
 * from the binned rows), the (gradient, hessian) pairs, the row buffer, and one histogram area per
 * thread. Worker threads instantiate the same module on the same memory.
 */
export interface WasmHistogramLayout {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  featureCount: number;
  slotsPtr: number;
  ghPtr: number;
  rowsPtr: number;
  /** thread t's histogram area starts at `areaPtr + t · areaBytes` */
  areaPtr: number;
  areaBytes: number;
}

/**
 * The layout for `threads` threads with `data.slots` moved into it (`data.slots` then views the
 * memory), or undefined where the JavaScript kernels must do: no WebAssembly SIMD here, slots
 * wider than 16 bits, or no rows.
 */
export function moveToWasmMemory(data: BinnedRows, threads: number): WasmHistogramLayout | undefined {
  const module = kernelModule();
  if (!module || !(data.slots instanceof Uint16Array) || data.rowCount === 0 || data.featureCount === 0) return undefined;
  const n = data.rowCount;
  const align = (bytes: number) => Math.ceil(bytes / 16) * 16;
  const slotsPtr = 0;
  const ghPtr = align(n * data.featureCount * 2);
  const rowsPtr = ghPtr + n * 16;
  const areaPtr = align(rowsPtr + n * 4);
  const areaBytes = align(data.totalBins * SLOT_WIDTH * 8);
  const pages = Math.ceil((areaPtr + threads * areaBytes) / 65536);
  if (pages > 65536) return undefined;
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  const slots = new Uint16Array(memory.buffer, slotsPtr, n * data.featureCount);
  slots.set(data.slots);
  data.slots = slots;
  return { module, memory, featureCount: data.featureCount, slotsPtr, ghPtr, rowsPtr, areaPtr, areaBytes };
}

/** The interleaved (gradient, hessian) pairs of a layout. */
export function wasmGradientPairs(layout: WasmHistogramLayout, rowCount: number): Float64Array {
  return new Float64Array(layout.memory.buffer, layout.ghPtr, 2 * rowCount);
}

/** The row buffer of a layout (a tree learner's `rows`). */
export function wasmRows(layout: WasmHistogramLayout, rowCount: number): Uint32Array {
  return new Uint32Array(layout.memory.buffer, layout.rowsPtr, rowCount);
}

/** `pairs[2 i] = grad[i]`, `pairs[2 i + 1] = hess[i]` for every row. */
export function interleaveGradients(grad: Float64Array, hess: Float64Array, pairs: Float64Array): void {
  for (let i = 0; i < grad.length; i++) {
    pairs[2 * i] = grad[i];
    pairs[2 * i + 1] = hess[i];
  }
}

/** Thread `thread`'s histogram area of a layout: its byte address and a view of it. */
export function wasmHistogramArea(layout: WasmHistogramLayout, thread: number): { ptr: number; view: Float64Array } {
  const ptr = layout.areaPtr + thread * layout.areaBytes;
  return { ptr, view: new Float64Array(layout.memory.buffer, ptr, layout.areaBytes / 8) };
}

/** The kernel as one thread runs it, into that thread's histogram area. */
export class WasmHistogramKernel {
  /** this thread's histogram area, as `buildHistogram` fills a histogram */
  readonly area: Float64Array;
  private readonly run: (...args: number[]) => void;
  private readonly ptr: number;

  constructor(
    private readonly layout: WasmHistogramLayout,
    thread: number,
  ) {
    const instance = new WebAssembly.Instance(layout.module, { env: { memory: layout.memory } });
    this.run = instance.exports.hist as (...args: number[]) => void;
    ({ ptr: this.ptr, view: this.area } = wasmHistogramArea(layout, thread));
  }

  /** Fills `area` with the histogram of `rows[start..end)` (over the layout's row buffer and pairs). */
  build(start: number, end: number): Float64Array {
    const { slotsPtr, featureCount, ghPtr, rowsPtr } = this.layout;
    this.area.fill(0);
    this.run(slotsPtr, featureCount, ghPtr, rowsPtr, start, end, this.ptr);
    return this.area;
  }
}
