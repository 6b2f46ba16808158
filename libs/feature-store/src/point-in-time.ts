import type { FeatureValue } from '@atelier/contracts';

import type { JoinRows } from './feature-store.repository';

/**
 * An as-of index over one feature group's offline rows: for an entity and an instant t it
 * gives the newest row with t - ttl < event time <= t — never a value from the future.
 */
export class AsOfIndex {
  /** per entity key, its rows' positions [from, to) */
  private readonly spans = new Map<string, { from: number; to: number }>();
  private readonly times: Float64Array;

  /** `rows` must be ordered by entity key, then event time (as the repository returns them). */
  constructor(
    rows: Pick<JoinRows, 'entityKeys' | 'times'>,
    private readonly ttlMs: number,
  ) {
    const keys = rows.entityKeys;
    this.times = rows.times;
    let start = 0;
    for (let i = 1; i <= keys.length; i++) {
      if (i === keys.length || keys[i] !== keys[start]) {
        this.spans.set(keys[start]!, { from: start, to: i });
        start = i;
      }
    }
  }

  /**
   * Per label row, given its entity key (none: null) and its time, the position in `rows` of its
   * as-of row, -1 for none: a join reads the rows' columns by position.
   */
  positions(keys: ArrayLike<FeatureValue | undefined>, times: Float64Array): Int32Array {
    const positions = new Int32Array(times.length);
    for (let i = 0; i < positions.length; i++) {
      const key = keys[i];
      positions[i] = key === null || key === undefined ? -1 : this.position(String(key), times[i]!);
    }
    return positions;
  }

  /** The position in the rows of the entity's as-of row at `atMs`, -1 for none. */
  position(entityKey: string, atMs: number): number {
    const span = this.spans.get(entityKey);
    if (!span) return -1;
    // last position with time <= atMs
    let lo = span.from;
    let hi = span.to - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.times[mid]! <= atMs) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found < 0 || this.times[found]! <= atMs - this.ttlMs ? -1 : found;
  }
}

/** `values[position]` for each position, null for -1: a column of the index's rows, label row by label row. */
export function atPositions<T>(positions: Int32Array, values: ArrayLike<T>): Array<T | null> {
  const out = new Array<T | null>(positions.length);
  for (let i = 0; i < positions.length; i++) out[i] = positions[i]! < 0 ? null : values[positions[i]!]!;
  return out;
}

/** Numbers stay numbers, booleans become 0/1, strings stay strings, anything else is null. */
export function cell(value: FeatureValue | undefined): number | string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  return value;
}
