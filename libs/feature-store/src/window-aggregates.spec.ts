import { describe, expect, it } from 'vitest';

import type { AggregationFn, AggregationWindow, WindowKind } from '@atelier/contracts';
import { createRng } from '@atelier/ml';

import { aggregateAt, distinctTimesWithin, type KeySeries } from './window-aggregates';

const HOUR = 3600_000;
/** A window over `delay`; `column` null: a count of rows. */
const window = (fn: AggregationFn, seconds: number, kind: WindowKind = 'sliding', column: string | null = 'delay'): AggregationWindow => ({
  name: `${fn}_${kind}_${seconds}${column ? '' : '_rows'}`,
  fn,
  column: column ?? undefined,
  seconds,
  kind,
  description: '',
});

/** The definition, row by row: the rows in t's window, then the function of their non-null values. */
function bruteForce(w: AggregationWindow, series: KeySeries, t: number): number | null {
  const length = w.seconds * 1000;
  const values: Array<number | null> = [];
  for (let i = 0; i < series.times.length; i++) {
    const time = series.times[i]!;
    const inside = w.kind === 'sliding' ? time > t - length && time <= t : time >= Math.floor(t / length) * length && time <= t;
    if (inside) values.push(w.column ? (series.columns.get(w.column)![i] ?? null) : 0);
  }
  const numbers = values.filter((v): v is number => v !== null);
  if (w.fn === 'count') return numbers.length;
  if (numbers.length === 0) return null;
  const sum = numbers.reduce((a, b) => a + b, 0);
  if (w.fn === 'sum') return sum;
  if (w.fn === 'mean') return sum / numbers.length;
  return w.fn === 'min' ? Math.min(...numbers) : Math.max(...numbers);
}

/** Rows spread over a few days, some at the same instant, some delays null, some negative. */
function series(seed: number, rows: number): KeySeries {
  const next = createRng(seed);
  const times: number[] = [];
  let t = Date.UTC(2001, 0, 1) - 7 * 60_000;
  for (let i = 0; i < rows; i++) {
    if (next() > 0.15) t += Math.floor(next() * 40 * 60_000);
    times.push(t);
  }
  const delay = times.map(() => (next() < 0.1 ? null : Math.round((next() * 200 - 30) * 100) / 100 + next() * 1e-6));
  return { times, columns: new Map([['delay', delay]]) };
}

const WINDOWS = (['count', 'sum', 'mean', 'min', 'max'] as const).flatMap((fn) =>
  (['sliding', 'tumbling'] as const).flatMap((kind) => [window(fn, 3600, kind), window(fn, 24 * 3600, kind), window(fn, 600, kind)]),
);

describe('aggregateAt', () => {
  it('equals the definition computed row by row at every event time, on random data', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const s = series(seed, 1500);
      const at = distinctTimesWithin(s.times, -Infinity, Infinity);
      const windows = [...WINDOWS, window('count', 3600, 'sliding', null), window('count', 3600, 'tumbling', null)];
      const values = aggregateAt(windows, s, at);
      const wrong: string[] = [];
      windows.forEach((w, k) =>
        at.forEach((t, i) => {
          const [expected, got] = [bruteForce(w, s, t), values[k]![i]!];
          const agree =
            expected === null || got === null ? expected === got : Math.abs(got - expected) <= 1e-9 * Math.max(1, Math.abs(expected));
          if (!agree) wrong.push(`seed ${seed}, ${w.name} at ${new Date(t).toISOString()}: ${got}, not ${expected}`);
        }),
      );
      expect(wrong).toEqual([]);
      expect(values.flat().filter((v) => v !== null).length).toBeGreaterThan(at.length * windows.length * 0.9);
    }
  });

  it('gives the same values from any starting row that holds every window: what the stream computes is what a backfill computes', () => {
    const s = series(7, 3000);
    const all = distinctTimesWithin(s.times, -Infinity, Infinity);
    const from = all[2000]!;
    const full = aggregateAt(
      WINDOWS,
      s,
      all.filter((t) => t >= from),
    );
    // only the rows after from − the longest window, as the stream reads them
    const first = Array.from(s.times).findIndex((t) => t > from - 24 * HOUR);
    const tail: KeySeries = {
      times: Array.from(s.times).slice(first),
      columns: new Map([['delay', Array.from(s.columns.get('delay')!).slice(first)]]),
    };
    const partial = aggregateAt(
      WINDOWS,
      tail,
      all.filter((t) => t >= from),
    );
    full.forEach((values, k) =>
      values.forEach((v, i) =>
        expect(Math.abs((v ?? 0) - (partial[k]![i] ?? 0))).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(v ?? 0))),
      ),
    );
    full.forEach((values, k) => expect(values.map((v) => v === null)).toEqual(partial[k]!.map((v) => v === null)));
  });

  it('counts the rows at the instant itself and the bucket so far, never a row after it', () => {
    const at = (iso: string) => Date.parse(iso);
    const s: KeySeries = {
      times: [
        at('2001-01-01T09:30:00Z'),
        at('2001-01-01T10:00:00Z'),
        at('2001-01-01T10:00:00Z'),
        at('2001-01-01T10:30:00Z'),
        at('2001-01-01T11:00:00Z'),
      ],
      columns: new Map([['delay', [5, 10, null, 20, 40]]]),
    };
    const windows = [
      window('count', 3600, 'sliding', null),
      window('mean', 3600),
      window('sum', 3600, 'tumbling'),
      window('max', 3600, 'tumbling'),
    ];
    const times = distinctTimesWithin(s.times, -Infinity, Infinity);
    expect(times).toEqual([at('2001-01-01T09:30:00Z'), at('2001-01-01T10:00:00Z'), at('2001-01-01T10:30:00Z'), at('2001-01-01T11:00:00Z')]);
    expect(aggregateAt(windows, s, times)).toEqual([
      // the sliding hour ending at 10:30 holds 09:30 no more (t − w < time)
      [1, 3, 3, 2],
      [5, 7.5, 15, 30],
      // a new bucket at 10:00 and at 11:00
      [5, 10, 30, 40],
      [5, 10, 20, 40],
    ]);
  });

  it('gives null, not 0, for a sum, mean, min or max of no value, and 0 for their count', () => {
    const s: KeySeries = { times: [0, 1000], columns: new Map([['delay', [null, null]]]) };
    expect(
      aggregateAt([window('sum', 60), window('mean', 60), window('min', 60), window('max', 60), window('count', 60)], s, [0, 1000]),
    ).toEqual([
      [null, null],
      [null, null],
      [null, null],
      [null, null],
      [0, 0],
    ]);
  });
});

describe('distinctTimesWithin', () => {
  it('keeps each time once, from ≤ time < to', () => {
    expect(distinctTimesWithin([1, 2, 2, 3, 5, 5, 8], 2, 8)).toEqual([2, 3, 5]);
  });
});
