/**
 * Stable partition of `rows[start..end)` by one feature's bins: the rows whose bin goes left
 * (`goesLeft[bin - offset] = 1`) move to `rows[start..start + L)` in their order, the others to
 * `scratch[start..start + R)` in theirs; returns L. A per-bin side table and unconditional writes:
 * no branch for the CPU to mispredict on what is, for a good split, a coin flip per row. The bin
 * of row r is `source[r · stride + shift]` (a column of bins, or the row-major slots).
 *
 * Self-contained on purpose: worker threads run this function's source (histogram-worker.pool.ts).
 */
export function partitionRows(
  rows: Uint32Array,
  scratch: Uint32Array,
  source: Uint8Array | Uint16Array | Uint32Array,
  stride: number,
  shift: number,
  offset: number,
  goesLeft: Uint8Array,
  start: number,
  end: number,
): number {
  let l = start;
  let r = start;
  for (let k = start; k < end; k++) {
    const row = rows[k];
    const left = goesLeft[source[row * stride + shift] - offset];
    rows[l] = row;
    scratch[r] = row;
    l += left;
    r += 1 - left;
  }
  return l - start;
}
