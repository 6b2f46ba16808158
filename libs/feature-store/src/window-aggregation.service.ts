import { Injectable } from '@nestjs/common';

import type {
  AggregationWindow,
  BackfillRequest,
  BackfillResponse,
  FeatureAggregation,
  FeatureDefinition,
  FeatureRowInput,
  FeatureValue,
} from '@atelier/contracts';
import { badRequest, notFound } from '@atelier/server';

import { FeatureGroupCache } from './feature-group.cache';
import { FeatureStoreRepository, type OfflineRow, type StoredGroup } from './feature-store.repository';
import { OnlineStore } from './online-store';
import { lookBackFrom } from './time-bounds';
import { aggregateAt, distinctTimesWithin, type KeySeries } from './window-aggregates';

/** An aggregation group as stored: one whose `aggregation` is set. */
type AggregationGroup = StoredGroup & { aggregation: FeatureAggregation };

// Keys recomputed per transaction after rows land in a source; source rows (a key with more is
// read alone) and keys a backfill reads per transaction; computed rows held before they are
// written; entities per online write.
const KEYS_PER_TRANSACTION = 256;
const BACKFILL_ROWS_PER_TRANSACTION = 200_000;
const BACKFILL_KEYS_PER_TRANSACTION = 10_000;
const WRITE_CHUNK = 20_000;
const ONLINE_WRITE_CHUNK = 10_000;
/** after any time an `IsoTime` holds: a backfill without `end` */
const END_OF_TIME = Date.UTC(10_000, 0, 1);
const START_OF_TIME = Date.parse('0001-01-01T00:00:00Z');

type Counts = Omit<BackfillResponse, 'group' | 'source'>;

/**
 * What rows that landed in a source group touch, per aggregation over it: the keys (values of its
 * key column) and the span of the rows' event times.
 */
export class TouchedKeys {
  private readonly keys = new Map<string, Set<string>>();
  private first = Infinity;
  private last = -Infinity;

  constructor(readonly aggregations: readonly AggregationGroup[]) {
    for (const group of aggregations) this.keys.set(group.aggregation.keyColumn, new Set());
  }

  add(row: FeatureRowInput): void {
    const time = Date.parse(row.eventTime);
    this.first = Math.min(this.first, time);
    this.last = Math.max(this.last, time);
    for (const [column, keys] of this.keys) {
      const key = keyOf(row.values[column]);
      if (key !== null) keys.add(key);
    }
  }

  /**
   * The keys a group's values change for, and from when to when: [first row, last row + longest
   * window], a millisecond more as the database rounds a time finer than it to the nearest.
   */
  of(group: AggregationGroup): { keys: string[]; from: number; to: number } {
    return {
      keys: [...(this.keys.get(group.aggregation.keyColumn) ?? [])],
      from: this.first,
      to: this.last + longestWindowMs(group.aggregation) + 1,
    };
  }
}

/**
 * Window features defined once over a source group's rows (`FeatureAggregation`): recomputed
 * where new rows change them, whichever way they land (the Kafka stream, the API, a file), and
 * computed over the offline store by a backfill — both through `recomputeKeys`, so a value
 * streamed and one backfilled are the same computation over the same rows.
 */
@Injectable()
export class WindowAggregationService {
  constructor(
    private readonly repository: FeatureStoreRepository,
    private readonly online: OnlineStore,
    private readonly definitions: FeatureGroupCache,
  ) {}

  /**
   * The features and TTL of a group `aggregation` defines, checked against its source: a 400
   * naming the field for a source that does not exist or is an aggregation itself, a key column
   * that is not a string or int column of it, a window column that is not a number column.
   * Features: one per window (count: int, the others: float); TTL: the longest window unless given.
   */
  async define(
    aggregation: FeatureAggregation,
    ttlSeconds: number | undefined,
  ): Promise<{ features: FeatureDefinition[]; ttlSeconds: number }> {
    const source = await this.repository.findGroup(aggregation.source);
    if (!source) throw badRequest(`aggregation.source: feature group "${aggregation.source}" does not exist`);
    if (source.aggregation) {
      throw badRequest(
        `aggregation.source: "${source.name}" is itself an aggregation (of "${source.aggregation.source}"); aggregate "${source.aggregation.source}" instead`,
      );
    }
    const dtypes = new Map(source.features.map((f) => [f.name, f.dtype]));
    const columns = `its columns: ${source.features.map((f) => `${f.name} (${f.dtype})`).join(', ')}`;
    const key = dtypes.get(aggregation.keyColumn);
    if (key !== 'string' && key !== 'int') {
      throw badRequest(`aggregation.keyColumn: "${aggregation.keyColumn}" is not a string or int column of "${source.name}" (${columns})`);
    }
    aggregation.windows.forEach((window, i) => {
      if (window.column === undefined) return;
      const dtype = dtypes.get(window.column);
      if (dtype !== 'float' && dtype !== 'int') {
        throw badRequest(
          `aggregation.windows.${i}.column: "${window.column}" is not a float or int column of "${source.name}" (${columns})`,
        );
      }
    });
    return {
      features: aggregation.windows.map(featureOf),
      ttlSeconds: ttlSeconds ?? Math.max(...aggregation.windows.map((w) => w.seconds)),
    };
  }

  /** A record of what rows landing in `source` touch, or null when no aggregation reads it. */
  async tracker(source: string): Promise<TouchedKeys | null> {
    const groups = (await this.definitions.aggregationsOf(source)).filter(isAggregation);
    return groups.length > 0 ? new TouchedKeys(groups) : null;
  }

  /** `recompute` for rows that landed in `source` (committed). */
  async afterIngest(source: string, rows: readonly FeatureRowInput[]): Promise<void> {
    const touched = await this.tracker(source);
    if (!touched) return;
    for (const row of rows) touched.add(row);
    await this.recompute(touched);
  }

  /**
   * After rows landed in a source (committed): each aggregation over it recomputes the touched
   * keys' values at every source event time from the first new row to the last plus the longest
   * window — a row late or delivered again also corrects the values after it — and writes them
   * offline (a value unchanged is not written again) and each key's newest online.
   */
  async recompute(touched: TouchedKeys): Promise<void> {
    for (const group of touched.aggregations) {
      const { keys, from, to } = touched.of(group);
      for (let i = 0; i < keys.length; i += KEYS_PER_TRANSACTION)
        await this.recomputeKeys(group, keys.slice(i, i + KEYS_PER_TRANSACTION), from, to);
    }
  }

  /**
   * Computes an aggregation group's values at its source's event times in [start, end) (default:
   * all) from the source's offline rows, key by key in transactions of about
   * BACKFILL_ROWS_PER_TRANSACTION rows; writes them offline and each key's newest online.
   */
  async backfill(name: string, request: BackfillRequest): Promise<BackfillResponse> {
    const group = await this.repository.findGroup(name);
    if (!group) throw notFound(`feature group "${name}" does not exist`);
    if (!isAggregation(group)) {
      throw badRequest(
        `feature group "${name}" is not an aggregation: its rows are ingested; a backfill computes an aggregation group's rows from its source`,
      );
    }
    const from = request.start ? Date.parse(request.start) : START_OF_TIME;
    const to = request.end ? Date.parse(request.end) : END_OF_TIME;
    if (from >= to) throw badRequest(`start (${request.start}) must be before end (${request.end})`);
    const { source, keyColumn } = group.aggregation;
    const counts = await this.repository.sourceKeyCounts(
      source,
      keyColumn,
      lookBackFrom(new Date(from), longestWindowMs(group.aggregation)),
      new Date(to),
    );
    const total: Counts = { keys: 0, computed: 0, written: 0, online: 0 };
    for (const keys of chunksByRows(counts, BACKFILL_ROWS_PER_TRANSACTION)) {
      const done = await this.recomputeKeys(group, keys, from, to);
      for (const k of Object.keys(total) as Array<keyof Counts>) total[k] += done[k];
    }
    return { group: name, source, ...total };
  }

  /**
   * The values of `keys` at their source event times in [from, to), from the source rows since
   * from − the longest window, in one transaction holding the keys' locks: upserted offline, and
   * each key's newest written online unless the store holds a newer one — before the commit, under
   * the locks, so the last to compute a key is also the last to write it online.
   */
  private recomputeKeys(group: AggregationGroup, keys: string[], from: number, to: number): Promise<Counts> {
    const { source, keyColumn, windows } = group.aggregation;
    const columns = [...new Set(windows.flatMap((w) => (w.column === undefined ? [] : [w.column])))];
    const since = lookBackFrom(new Date(from), longestWindowMs(group.aggregation));
    return this.repository.withAggregationLocks(group.name, keys, async (tx) => {
      const counts: Counts = { keys: 0, computed: 0, written: 0, online: 0 };
      const newest: OfflineRow[] = [];
      let pending: OfflineRow[] = [];
      await this.repository.forEachSourceKey(tx, { group: source, keyColumn, columns }, keys, since, new Date(to), async (key, series) => {
        const rows = valuesAt(windows, key, series, from, to);
        if (rows.length === 0) return;
        counts.keys++;
        counts.computed += rows.length;
        newest.push(rows.at(-1)!);
        for (const row of rows) pending.push(row);
        if (pending.length < WRITE_CHUNK) return;
        counts.written += await this.repository.writeComputedRows(tx, group.name, pending);
        pending = [];
      });
      counts.written += await this.repository.writeComputedRows(tx, group.name, pending);
      for (let i = 0; i < newest.length; i += ONLINE_WRITE_CHUNK) {
        counts.online += await this.online.writeIfNewer(group.name, group.ttlSeconds, newest.slice(i, i + ONLINE_WRITE_CHUNK));
      }
      return counts;
    });
  }
}

/** One key's rows of an aggregation group: its windows' values at each distinct source time in [from, to). */
function valuesAt(windows: readonly AggregationWindow[], key: string, series: KeySeries, from: number, to: number): OfflineRow[] {
  const at = distinctTimesWithin(series.times, from, to);
  const values = aggregateAt(windows, series, at);
  return at.map((time, i) => {
    const row: Record<string, FeatureValue> = {};
    windows.forEach((w, k) => (row[w.name] = values[k]![i]!));
    return { entityKey: key, eventTime: new Date(time), values: row };
  });
}

/** Keys in consecutive chunks of at most `rows` source rows (a key with more alone). */
function* chunksByRows(counts: ReadonlyArray<{ key: string; rows: number }>, rows: number): Generator<string[]> {
  let chunk: string[] = [];
  let held = 0;
  for (const { key, rows: n } of counts) {
    if (chunk.length > 0 && (held + n > rows || chunk.length >= BACKFILL_KEYS_PER_TRANSACTION)) {
      yield chunk;
      chunk = [];
      held = 0;
    }
    chunk.push(key);
    held += n;
  }
  if (chunk.length > 0) yield chunk;
}

function featureOf(window: AggregationWindow): FeatureDefinition {
  const of = window.column === undefined ? 'rows' : `"${window.column}"`;
  const span = `${window.kind} ${describeSeconds(window.seconds)} window`;
  return {
    name: window.name,
    dtype: window.fn === 'count' ? 'int' : 'float',
    description: window.description || `${window.fn} of ${of} over a ${span}`,
  };
}

function describeSeconds(seconds: number): string {
  if (seconds % 86_400 === 0) return `${seconds / 86_400} d`;
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

function longestWindowMs(aggregation: FeatureAggregation): number {
  return Math.max(...aggregation.windows.map((w) => w.seconds)) * 1000;
}

/** A source row's key as the database reads it (`values->>column`): strings as they are, ints in decimal. */
function keyOf(value: FeatureValue | undefined): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return null;
}

function isAggregation(group: StoredGroup): group is AggregationGroup {
  return group.aggregation !== null;
}
