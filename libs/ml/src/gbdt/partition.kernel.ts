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

/**
 * `partitionRows` by one feature of binned rows: its column of bins where kept (ascending rows make
 * that a forward scan of one array), else its slots. Self-contained but for `partitionRows`, which
 * worker threads define beside it.
 */
export function partitionByFeature(
  data: { slots: Uint16Array | Uint32Array; featureCount: number; offsets: Int32Array; columnBins?: (Uint8Array | Uint16Array)[] },
  rows: Uint32Array,
  scratch: Uint32Array,
  goesLeft: Uint8Array,
  feature: number,
  start: number,
  end: number,
): number {
  const column = data.columnBins ? data.columnBins[feature] : undefined;
  return column
    ? partitionRows(rows, scratch, column, 1, 0, 0, goesLeft, start, end)
    : partitionRows(rows, scratch, data.slots, data.featureCount, feature, data.offsets[feature], goesLeft, start, end);
}

/** `partitionByFeature` on this thread, the right rows then put after the left ones; returns where they start. */
export function partitionInPlace(
  data: Parameters<typeof partitionByFeature>[0],
  rows: Uint32Array,
  scratch: Uint32Array,
  goesLeft: Uint8Array,
  feature: number,
  start: number,
  end: number,
): number {
  const left = partitionByFeature(data, rows, scratch, goesLeft, feature, start, end);
  rows.set(scratch.subarray(start, end - left), start + left);
  return start + left;
}
