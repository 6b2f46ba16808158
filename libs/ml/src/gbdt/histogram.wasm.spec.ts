import { describe, expect, it } from 'vitest';

import { binRows, fitBinEdges } from './bin-mapper.fit';
import { syntheticGbdtDataset } from './gbdt-synthetic.fixture';
import { buildHistogram } from './histogram.kernel';
import { interleaveGradients, moveToWasmMemory, wasmGradientPairs, WasmHistogramKernel, wasmRows } from './histogram.wasm';
import { HistogramWorkerPool, sharedFloat64, sharedUint32 } from './histogram-worker.pool';

function fixture(n: number, threads: number) {
  const data = syntheticGbdtDataset('binary', n, 3, { featureCount: 7 });
  const binned = binRows(data.columns, fitBinEdges(data.columns, 255, 3), { shared: true });
  const before = binned.slots.slice();
  const layout = moveToWasmMemory(binned, threads);
  if (!layout) throw new Error('this runtime has WebAssembly SIMD and shared memory (Node 20): the layout must be made');
  const grad = sharedFloat64(n, true);
  const hess = sharedFloat64(n, true);
  for (let i = 0; i < n; i++) {
    grad[i] = Math.sin(i) * 1e3;
    hess[i] = 1 + Math.cos(i) ** 2 / 7;
  }
  const pairs = wasmGradientPairs(layout, n);
  interleaveGradients(grad, hess, pairs);
  return { binned, before, layout, grad, hess, pairs };
}

describe('the WebAssembly histogram kernel', () => {
  it('moves the slots into its memory unchanged', () => {
    const { binned, before, layout } = fixture(1000, 1);
    expect(binned.slots.buffer).toBe(layout.memory.buffer);
    expect(Array.from(binned.slots)).toEqual(Array.from(before));
  });

  it('builds exactly the JavaScript kernel’s histogram: scattered rows, four at a time and the rest one by one', () => {
    const n = 5003;
    const { binned, layout, grad, hess } = fixture(n, 1);
    const rows = wasmRows(layout, n);
    // a leaf's rows: ascending, scattered
    let count = 0;
    for (let i = 0; i < n; i++) if ((i * 7919) % 13 < 5) rows[count++] = i;
    const kernel = new WasmHistogramKernel(layout, 0);
    const js = new Float64Array(binned.totalBins * 2);
    for (const [start, end] of [
      [0, count],
      [3, count - 2], // a remainder after the groups of four
      [10, 13], // fewer than four rows
      [5, 5], // none
    ] as const) {
      buildHistogram(js, binned, grad, hess, rows, start, end);
      expect(Array.from(kernel.build(start, end))).toEqual(Array.from(js));
    }
    expect(js.every((v) => v === 0)).toBe(true); // the last range was empty
  });

  it('in the worker pool, gives the same histogram as the pool with the JavaScript kernel', async () => {
    const n = 70_001;
    const { binned, layout, grad, hess, pairs } = fixture(n, 2);
    const rows = wasmRows(layout, n);
    const jsRows = sharedUint32(n, true);
    for (let i = 0; i < n; i++) rows[i] = jsRows[i] = i;
    const wasmPool = new HistogramWorkerPool({ data: binned, grad, hess, rows, wasm: layout, pairs }, 2);
    const jsPool = new HistogramWorkerPool({ data: binned, grad, hess, rows: jsRows }, 2);
    try {
      const a = new Float64Array(binned.totalBins * 2);
      const b = new Float64Array(binned.totalBins * 2);
      wasmPool.build(a, 11, n - 4);
      jsPool.build(b, 11, n - 4);
      expect(Array.from(a)).toEqual(Array.from(b));
      expect(a.some((v) => v !== 0)).toBe(true);
    } finally {
      await wasmPool.close();
      await jsPool.close();
    }
  });
});
