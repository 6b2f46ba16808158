import { histogramBin } from '@atelier/ml';

/** A baseline histogram as the registry stores it: null outer edges stand for −∞ and +∞. */
export interface StoredHistogram {
  edges: Array<number | null>;
  counts: number[];
}

// Keeps an empty bin on either side from making the logarithm infinite (the usual PSI smoothing).
const EPSILON = 1e-4;

/**
 * Population stability index of live values against a baseline histogram: live values are
 * binned on the baseline's own edges, then Σ (live − base) · ln(live / base) over the bins'
 * shares. Common reading: < 0.1 stable, 0.1–0.25 drifting, > 0.25 shifted.
 */
export function populationStabilityIndex(baseline: StoredHistogram, live: ArrayLike<number>): number | null {
  const edges = baseline.edges.map((e, i) => (e === null ? (i === 0 ? -Infinity : Infinity) : e));
  const total = baseline.counts.reduce((a, b) => a + b, 0);
  if (total === 0 || live.length === 0 || edges.length !== baseline.counts.length + 1) return null;
  const counts = new Array<number>(baseline.counts.length).fill(0);
  for (let i = 0; i < live.length; i++) counts[histogramBin(edges, live[i]!)]!++;
  let psi = 0;
  baseline.counts.forEach((expected, bin) => {
    const e = Math.max(expected / total, EPSILON);
    const a = Math.max(counts[bin]! / live.length, EPSILON);
    psi += (a - e) * Math.log(a / e);
  });
  return psi;
}
