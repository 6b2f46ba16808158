import { type Flight, readFlights } from '@atelier/demo';
import type { Dataset } from '@atelier/ml';

import { writeDataset } from './bench-data.io';

/**
 * Builds `bench/.data/flights-1m`: the first 1,000,000 flights of vega-datasets' flights-3m
 * (time order) with point-in-time honest features, label `delay > 15`, first 80 % train and
 * last 20 % test. Run by bench/run.sh once; both sides of every benchmark read the result.
 */
const ROWS = 1_000_000;
const TRAIN_SHARE = 0.8;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const DELAYED_MINUTES = 15;

async function main(): Promise<void> {
  const started = Date.now();
  // Jan–Mar holds ~1.5M flights; the reader stops at the first chunk past `to`.
  const all = await readFlights(new Date('2001-01-01T00:00:00Z'), new Date('2001-04-01T00:00:00Z'));
  if (all.length < ROWS) throw new Error(`only ${all.length} flights before April 2001, need ${ROWS}`);
  // Stable sort: the file is ordered by date; make the order within a day explicit too.
  const flights = all
    .map((f, i) => ({ f, i }))
    .sort((a, b) => a.f.time - b.f.time || a.i - b.i)
    .slice(0, ROWS)
    .map(({ f }) => f);
  const trainRows = Math.floor(ROWS * TRAIN_SHARE);
  const dataset = flightFeatures(flights, trainRows);
  const split = (from: number, to: number): Dataset => ({
    features: dataset.features,
    columns: dataset.columns.map((c) => c.slice(from, to)),
    label: dataset.label.slice(from, to),
    rowCount: to - from,
  });
  const dir = writeDataset(
    {
      name: 'flights-1m',
      label: `delay > ${DELAYED_MINUTES}`,
      description:
        `first ${ROWS} flights of vega-datasets flights-3m.parquet ` +
        `(${iso(flights[0].time)} to ${iso(flights.at(-1)!.time)}), time split at ${iso(flights[trainRows].time)}`,
    },
    { train: split(0, trainRows), test: split(trainRows, ROWS) },
  );
  const positives = dataset.label.reduce((s, v) => s + v, 0);
  console.log(
    `flights-1m: ${ROWS} rows × ${dataset.features.length} features, ${(positives / ROWS).toFixed(3)} positive, ` +
      `train ${trainRows} / test ${ROWS - trainRows} → ${dir} (${((Date.now() - started) / 1000).toFixed(1)} s)`,
  );
}

function iso(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16);
}

/** Row i describes flight i as it could be known just before its scheduled departure. */
export function flightFeatures(flights: Flight[], trainRows: number): Dataset {
  const n = flights.length;
  const origin = encodeByFrequency(
    flights.map((f) => f.origin),
    trainRows,
  );
  const destination = encodeByFrequency(
    flights.map((f) => f.destination),
    trainRows,
  );
  const route = encodeByFrequency(
    flights.map((f) => `${f.origin}>${f.destination}`),
    trainRows,
  );
  const windows = [
    { entity: 'origin', span: '24h', delays: new RollingDelays(flights, origin.keys, DAY) },
    { entity: 'origin', span: '7d', delays: new RollingDelays(flights, origin.keys, 7 * DAY) },
    { entity: 'destination', span: '24h', delays: new RollingDelays(flights, destination.keys, DAY) },
    { entity: 'destination', span: '7d', delays: new RollingDelays(flights, destination.keys, 7 * DAY) },
    { entity: 'route', span: '7d', delays: new RollingDelays(flights, route.keys, 7 * DAY) },
  ];

  const columns = new Map<string, Float64Array>();
  const column = (name: string): Float64Array => {
    let values = columns.get(name);
    if (!values) columns.set(name, (values = new Float64Array(n)));
    return values;
  };
  const label = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const f = flights[i];
    const at = new Date(f.time);
    column('distance')[i] = f.distance;
    column('log_distance')[i] = Math.log1p(f.distance);
    column('hour')[i] = at.getUTCHours();
    column('minute_of_day')[i] = at.getUTCHours() * 60 + at.getUTCMinutes();
    column('day_of_week')[i] = at.getUTCDay();
    column('day_of_month')[i] = at.getUTCDate();
    column('origin_code')[i] = origin.codes[i];
    column('destination_code')[i] = destination.codes[i];
    for (const { entity, span, delays } of windows) {
      delays.advanceTo(f.time);
      const stats = delays.stats(i);
      column(`${entity}_delay_mean_${span}`)[i] = stats.mean;
      column(`${entity}_delayed_share_${span}`)[i] = stats.delayedShare;
      column(`${entity}_flights_${span}`)[i] = stats.count;
    }
    label[i] = f.delay > DELAYED_MINUTES ? 1 : 0;
  }
  return { features: [...columns.keys()], columns: [...columns.values()], label, rowCount: n };
}

/**
 * Codes by frequency rank in the training rows only (0 = busiest), so the test rows do not
 * shape the encoding; a value never seen in training is missing (`NaN`). `keys` are dense ids
 * over all rows, for the rolling windows.
 */
function encodeByFrequency(values: string[], trainRows: number): { codes: Float64Array; keys: Int32Array } {
  const counts = new Map<string, number>();
  for (let i = 0; i < trainRows; i++) counts.set(values[i], (counts.get(values[i]) ?? 0) + 1);
  const rank = new Map([...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([v], r) => [v, r]));
  const ids = new Map<string, number>();
  const keys = new Int32Array(values.length);
  const codes = new Float64Array(values.length);
  values.forEach((v, i) => {
    if (!ids.has(v)) ids.set(v, ids.size);
    keys[i] = ids.get(v) ?? -1;
    codes[i] = rank.get(v) ?? NaN;
  });
  return { codes, keys };
}

/**
 * Delay statistics per key over a sliding window. A flight's delay becomes known at its actual
 * departure (scheduled time + max(delay, 0) minutes); the window at time t holds the delays known
 * in [t − width, t) — strictly before t, so a flight never sees its own delay or any later one.
 */
class RollingDelays {
  private readonly order: Uint32Array;
  private readonly known: Float64Array;
  private readonly sum: Float64Array;
  private readonly delayed: Float64Array;
  private readonly count: Float64Array;
  private added = 0;
  private removed = 0;

  constructor(
    private readonly flights: Flight[],
    private readonly keys: Int32Array,
    private readonly width: number,
  ) {
    this.known = Float64Array.from(flights, (f) => f.time + Math.max(f.delay, 0) * MINUTE);
    this.order = Uint32Array.from(flights.keys()).sort((a, b) => this.known[a] - this.known[b] || a - b);
    const keyCount = keys.reduce((m, k) => Math.max(m, k + 1), 0);
    this.sum = new Float64Array(keyCount);
    this.delayed = new Float64Array(keyCount);
    this.count = new Float64Array(keyCount);
  }

  /** Moves the window to end at `t`; times must not decrease between calls. */
  advanceTo(t: number): void {
    while (this.added < this.order.length && this.known[this.order[this.added]] < t) this.update(this.order[this.added++], 1);
    while (this.removed < this.added && this.known[this.order[this.removed]] < t - this.width) {
      this.update(this.order[this.removed++], -1);
    }
  }

  stats(row: number): { mean: number; delayedShare: number; count: number } {
    const key = this.keys[row];
    const count = this.count[key];
    if (count === 0) return { mean: NaN, delayedShare: NaN, count: 0 };
    return { mean: this.sum[key] / count, delayedShare: this.delayed[key] / count, count };
  }

  private update(row: number, sign: 1 | -1): void {
    const key = this.keys[row];
    const delay = this.flights[row].delay;
    this.sum[key] += sign * delay;
    this.delayed[key] += sign * (delay > DELAYED_MINUTES ? 1 : 0);
    this.count[key] += sign;
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
