/**
 * A lookup table over ascending values `sorted[0..count)` in `cells` equal cells:
 * cell(x) = min(cells − 1, ⌊(x − first) · scale⌋) for first ≤ x ≤ last. The rounding keeps it
 * non-decreasing in x, so every value of an earlier cell than x's is < x and every one of a later
 * cell is > x; `cellStart[c]` is the first index whose cell is ≥ c. The number of values below x
 * is then `cellStart[cell(x)]` plus a few comparisons within the cell: LOOKUP_STEPS of them that
 * do not wait for each other on an array padded with +∞ past `count`, or a binary search over a
 * fuller cell (a heavy tail). Drift placement and GBDT binning both place values this way; each
 * keeps the per-value steps in its own loop (a call per value would cost them their speed).
 * Fewer than two distinct values: one cell, scale 0.
 */
export interface LookupTable {
  first: number;
  last: number;
  cells: number;
  scale: number;
  cellStart: Int32Array;
}

/** Comparisons within a cell, from its start, before a binary search is cheaper. */
export const LOOKUP_STEPS = 4;

export function lookupTable(sorted: ArrayLike<number>, count: number, cells: number): LookupTable {
  const first = count > 0 ? sorted[0]! : 0;
  const last = count > 0 ? sorted[count - 1]! : 0;
  if (!(count > 1 && last > first)) cells = 1;
  const scale = cells > 1 ? cells / (last - first) : 0;
  const cellStart = new Int32Array(cells + 1);
  for (let c = 0, index = 0; c <= cells; c++) {
    while (index < count && Math.min(cells - 1, ((sorted[index]! - first) * scale) | 0) < c) index++;
    cellStart[c] = index;
  }
  return { first, last, cells, scale, cellStart };
}

/** `values[0..count)` followed by LOOKUP_STEPS times +∞. */
export function paddedForLookup(values: ArrayLike<number>, count: number): Float64Array {
  const padded = new Float64Array(count + LOOKUP_STEPS).fill(Infinity);
  for (let i = 0; i < count; i++) padded[i] = values[i]!;
  return padded;
}
