import type { FeatureValue } from '@atelier/contracts';

import type { OfflineRow } from './feature-store.repository';

/**
 * An as-of index over one feature group's offline rows: for an entity and an instant t it
 * returns the newest row with t - ttl < event time <= t — never a value from the future.
 */
export class AsOfIndex {
  private readonly byEntity = new Map<string, { times: Float64Array; rows: OfflineRow[] }>();

  /** `rows` must be ordered by entity key, then event time (as the repository returns them). */
  constructor(
    rows: OfflineRow[],
    private readonly ttlMs: number,
  ) {
    let start = 0;
    for (let i = 1; i <= rows.length; i++) {
      if (i === rows.length || rows[i]!.entityKey !== rows[start]!.entityKey) {
        const slice = rows.slice(start, i);
        this.byEntity.set(rows[start]!.entityKey, { times: Float64Array.from(slice, (r) => r.eventTime.getTime()), rows: slice });
        start = i;
      }
    }
  }

  lookup(entityKey: string, atMs: number): OfflineRow | null {
    const entry = this.byEntity.get(entityKey);
    if (!entry) return null;
    // last index with time <= atMs
    let lo = 0;
    let hi = entry.times.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (entry.times[mid]! <= atMs) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (found < 0 || entry.times[found]! <= atMs - this.ttlMs) return null;
    return entry.rows[found]!;
  }
}

/** Numbers stay numbers, booleans become 0/1, strings stay strings, anything else is null. */
export function cell(value: FeatureValue | undefined): number | string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  return value;
}
