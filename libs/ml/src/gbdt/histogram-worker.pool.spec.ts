import { describe, expect, it } from 'vitest';

import { binRows, fitBinEdges } from './bin-mapper.fit';
import { predictGbdt } from './gbdt.model';
import { trainGbdt } from './gbdt.trainer';
import { syntheticGbdtDataset } from './gbdt-synthetic.fixture';
import { buildHistogram } from './histogram.kernel';
import { HistogramWorkerPool, sharedFloat64, sharedUint32 } from './histogram-worker.pool';

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
