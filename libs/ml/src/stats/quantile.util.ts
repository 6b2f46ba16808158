/**
 * Quantile of ascending-sorted values by linear interpolation between closest ranks — numpy's
 * default ('linear', Hyndman & Fan type 7), so baselines match what a notebook shows.
 */
export function quantileOfSorted(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return NaN;
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  const t = h - lo;
  const a = sorted[lo];
  const b = sorted[hi];
  // numpy's lerp: interpolate from the nearer end, which keeps the result within [a, b] in floats.
  return t < 0.5 ? a + (b - a) * t : b - (b - a) * (1 - t);
}
