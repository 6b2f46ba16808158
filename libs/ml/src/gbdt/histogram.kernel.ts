import type { BinnedRows } from './bin-mapper.fit';

/** Histogram slots are pairs (gradient sum, hessian sum): slot s lives at `hist[2 s]`, `hist[2 s + 1]`. */
export const SLOT_WIDTH = 2;

/**
 * Sums gradients and hessians per slot over `rows[start..end)` — the hot loop of training.
 * Row-major slots mean one row's bins sit in one cache line and each row's gradient pair is read
 * once for all features. Four rows go through the feature loop together: their updates are
 * independent, which keeps the CPU busy (measured ~2.5× faster than one row at a time in V8).
 *
 * Self-contained on purpose: worker threads run this function's source (histogram-worker.pool.ts).
 */
export function buildHistogram(
  hist: Float64Array,
  data: Pick<BinnedRows, 'slots' | 'featureCount'>,
  grad: Float64Array,
  hess: Float64Array,
  rows: Uint32Array,
  start: number,
  end: number,
): void {
  hist.fill(0);
  const { slots, featureCount } = data;
  let k = start;
  for (; k + 3 < end; k += 4) {
    const r0 = rows[k];
    const r1 = rows[k + 1];
    const r2 = rows[k + 2];
    const r3 = rows[k + 3];
    const g0 = grad[r0];
    const h0 = hess[r0];
    const g1 = grad[r1];
    const h1 = hess[r1];
    const g2 = grad[r2];
    const h2 = hess[r2];
    const g3 = grad[r3];
    const h3 = hess[r3];
    const b0 = r0 * featureCount;
    const b1 = r1 * featureCount;
    const b2 = r2 * featureCount;
    const b3 = r3 * featureCount;
    for (let j = 0; j < featureCount; j++) {
      const s0 = slots[b0 + j] << 1;
      hist[s0] += g0;
      hist[s0 + 1] += h0;
      const s1 = slots[b1 + j] << 1;
      hist[s1] += g1;
      hist[s1 + 1] += h1;
      const s2 = slots[b2 + j] << 1;
      hist[s2] += g2;
      hist[s2 + 1] += h2;
      const s3 = slots[b3 + j] << 1;
      hist[s3] += g3;
      hist[s3 + 1] += h3;
    }
  }
  for (; k < end; k++) {
    const row = rows[k];
    const g = grad[row];
    const h = hess[row];
    const base = row * featureCount;
    for (let j = 0; j < featureCount; j++) {
      const s = slots[base + j] << 1;
      hist[s] += g;
      hist[s + 1] += h;
    }
  }
}

/** `parent -= child`, in place: the larger child's histogram without another pass over its rows. */
export function subtractHistogram(parent: Float64Array, child: Float64Array): void {
  for (let s = 0; s < parent.length; s++) parent[s] -= child[s];
}
