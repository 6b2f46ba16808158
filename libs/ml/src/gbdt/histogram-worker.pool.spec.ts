import { describe, expect, it } from 'vitest';

import { binRows, fitBinEdges } from './bin-mapper.fit';
import { predictGbdt } from './gbdt.model';
import { binaryGradients } from './gbdt.objective';
import { trainGbdt } from './gbdt.trainer';
import { syntheticGbdtDataset } from './gbdt-synthetic.fixture';
import { buildHistogram } from './histogram.kernel';
import { HistogramWorkerPool, sharedFloat64, sharedUint32 } from './histogram-worker.pool';
import { partitionRows } from './partition.kernel';

describe('HistogramWorkerPool', () => {
  it('builds the same histogram as the single-threaded kernel, to float rounding', async () => {
    const n = 80_000;
    const data = syntheticGbdtDataset('binary', n, 1, { featureCount: 8 });
    const binned = binRows(data.columns, fitBinEdges(data.columns, 255, 1), { shared: true });
    const grad = sharedFloat64(n, true);
    const hess = sharedFloat64(n, true);
    const rows = sharedUint32(n, true);
    for (let i = 0; i < n; i++) {
      grad[i] = Math.sin(i);
      hess[i] = 1 + Math.cos(i) ** 2;
      rows[i] = i;
    }
    const pool = new HistogramWorkerPool({ data: binned, grad, hess, rows }, 3);
    try {
      const parallel = new Float64Array(binned.totalBins * 2);
      const single = new Float64Array(binned.totalBins * 2);
      // An odd range, so the shares are uneven and the 4-row loop has a remainder.
      pool.build(parallel, 7, n - 2);
      buildHistogram(single, binned, grad, hess, rows, 7, n - 2);
      for (let s = 0; s < single.length; s++) expect(parallel[s]).toBeCloseTo(single[s], 8);
      expect(single.some((v) => v !== 0)).toBe(true);
    } finally {
      await pool.close();
    }
  });

  it('computes binary gradients and partitions rows exactly as one thread does', async () => {
    const n = 90_001;
    const data = syntheticGbdtDataset('binary', n, 2, { featureCount: 5 });
    const binned = binRows(data.columns, fitBinEdges(data.columns, 255, 2), { shared: true, keepColumns: true });
    const grad = sharedFloat64(n, true);
    const hess = sharedFloat64(n, true);
    const rows = sharedUint32(n, true);
    const scratch = sharedUint32(n, true);
    const side = new Uint8Array(new SharedArrayBuffer(256));
    const label = sharedFloat64(n, true);
    const scores = sharedFloat64(n, true);
    label.set(data.label);
    for (let i = 0; i < n; i++) scores[i] = 3 * Math.sin(i);
    const pool = new HistogramWorkerPool({ data: binned, grad, hess, rows, label, scores, scratch, side }, 3);
    try {
      pool.binaryGradients();
      const g = new Float64Array(n);
      const h = new Float64Array(n);
      binaryGradients(data.label, scores, g, h, 0, n);
      expect(Array.from(grad)).toEqual(Array.from(g));
      expect(Array.from(hess)).toEqual(Array.from(h));

      // every other row, ascending (as a leaf holds them), partitioned by feature 3 at its middle bin
      const count = Math.ceil(n / 2);
      for (let k = 0; k < count; k++) rows[k] = 2 * k;
      const column = binned.columnBins![3]!;
      const middle = binned.binCounts[3]! >> 1;
      for (let b = 0; b < binned.binCounts[3]!; b++) side[b] = Number(b === 0 || b <= middle);
      const expectedLeft = Array.from(rows.subarray(0, count)).filter((r) => side[column[r]!] === 1);
      const expectedRight = Array.from(rows.subarray(0, count)).filter((r) => side[column[r]!] === 0);
      const mid = pool.partition(0, count, 3);
      expect(mid).toBe(expectedLeft.length);
      expect(Array.from(rows.subarray(0, count))).toEqual([...expectedLeft, ...expectedRight]);
      expect(expectedLeft.length > 0 && expectedRight.length > 0).toBe(true);
      // one thread's kernel on the same input agrees
      const single = Uint32Array.from({ length: count }, (_, k) => 2 * k);
      const left = partitionRows(single, new Uint32Array(count), column, 1, 0, 0, side, 0, count);
      expect(left).toBe(mid);
    } finally {
      await pool.close();
    }
  });

  it('adds leaf values to the scores of the rows each leaf holds, every row once', async () => {
    const n = 70_003;
    const data = syntheticGbdtDataset('binary', 1000, 4, { featureCount: 4 });
    const binned = binRows(data.columns, fitBinEdges(data.columns, 255, 4), { shared: true });
    const rows = sharedUint32(n, true);
    const scores = sharedFloat64(n, true);
    const leaves = sharedFloat64(3 * 8, true);
    // the row buffer as a tree leaves it: a permutation of the rows, cut into leaf ranges
    for (let k = 0; k < n; k++) rows[k] = (k * 7919) % n;
    const leafStart = Int32Array.of(0, 10, 30_000, 30_001, 65_000);
    const leafEnd = Int32Array.of(10, 30_000, 30_001, 65_000, n);
    const values = [0.5, -0.25, 3, 0.125, -1];
    const expected = new Float64Array(n).fill(1);
    scores.fill(1);
    for (let l = 0; l < values.length; l++) for (let k = leafStart[l]!; k < leafEnd[l]!; k++) expected[rows[k]!]! += values[l]!;
    const pool = new HistogramWorkerPool(
      { data: binned, grad: sharedFloat64(n, true), hess: sharedFloat64(n, true), rows, scores, leaves },
      2,
    );
    try {
      pool.addLeafValues(leafStart, leafEnd, values);
      expect(Array.from(scores)).toEqual(Array.from(expected));
    } finally {
      await pool.close();
    }
  });

  it('trains with worker threads: same model for the same seed, equivalent to one thread', async () => {
    const data = syntheticGbdtDataset('binary', 70_000, 4);
    const test = syntheticGbdtDataset('binary', 2000, 5);
    const params = { objective: 'binary' as const, numIterations: 5, numThreads: 2 };
    const a = await trainGbdt(data, params);
    const b = await trainGbdt(data, params);
    const single = await trainGbdt(data, { ...params, numThreads: 1 });
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    const pa = predictGbdt(a, test.columns);
    const ps = predictGbdt(single, test.columns);
    let worst = 0;
    for (let i = 0; i < pa.length; i++) worst = Math.max(worst, Math.abs(pa[i] - ps[i]));
    expect(worst).toBeLessThan(1e-6);
  });
});
