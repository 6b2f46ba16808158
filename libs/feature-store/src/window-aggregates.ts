import type { AggregationWindow } from '@atelier/contracts';

/**
 * One key's source rows in event-time order: their times (epoch ms) and, per column a window
 * reads, each row's number (null: no value).
 */
export interface KeySeries {
  times: ArrayLike<number>;
  columns: ReadonlyMap<string, ArrayLike<number | null>>;
}

/**
 * Each window's values (one array per window, in order) at the instants `at` (ascending), each
 * over the rows in its window ending there: sliding, t − w < time ≤ t; tumbling, the bucket so
 * far, floor(t / w)·w ≤ time ≤ t. Null values of the column are skipped; a sum, mean, min or max
 * of no value is null, a count 0. One pass per window: its edges only move forward, so every row
 * enters and leaves it once (min and max keep a monotonic deque).
 */
export function aggregateAt(windows: readonly AggregationWindow[], series: KeySeries, at: ArrayLike<number>): Array<Array<number | null>> {
  return windows.map((window) =>
    windowAt(window, series.times, window.column === undefined ? null : (series.columns.get(window.column) ?? null), at),
  );
}

/** The distinct times of `times` (ascending) with from ≤ time < to: where a key's values are defined. */
export function distinctTimesWithin(times: ArrayLike<number>, from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < times.length; i++) {
    const t = times[i]!;
    if (t >= from && t < to && t !== out.at(-1)) out.push(t);
  }
  return out;
}

function windowAt(
  window: AggregationWindow,
  times: ArrayLike<number>,
  column: ArrayLike<number | null> | null,
  at: ArrayLike<number>,
): Array<number | null> {
  const length = window.seconds * 1000;
  const sliding = window.kind === 'sliding';
  const state = accumulator(window, column);
  const out = new Array<number | null>(at.length);
  let entered = 0;
  let left = 0;
  for (let k = 0; k < at.length; k++) {
    const t = at[k]!;
    while (entered < times.length && times[entered]! <= t) state.add(entered++);
    // sliding: rows at or before t − w have left; tumbling: rows before t's bucket
    const edge = sliding ? t - length : Math.floor(t / length) * length;
    while (left < entered && (sliding ? times[left]! <= edge : times[left]! < edge)) state.remove(left++);
    out[k] = state.value();
  }
  return out;
}

interface Accumulator {
  add(row: number): void;
  remove(row: number): void;
  value(): number | null;
}

function accumulator(window: AggregationWindow, column: ArrayLike<number | null> | null): Accumulator {
  // a window without a column counts rows; with one, rows whose value is not null
  const valueOf = column ? (row: number) => column[row] ?? null : () => 0;
  switch (window.fn) {
    case 'count':
      return countOf(valueOf);
    case 'sum':
      return sumOf(valueOf, (sum) => sum);
    case 'mean':
      return sumOf(valueOf, (sum, n) => sum / n);
    case 'min':
      return extremeOf(valueOf, (a, b) => a <= b);
    case 'max':
      return extremeOf(valueOf, (a, b) => a >= b);
  }
}

function countOf(valueOf: (row: number) => number | null): Accumulator {
  let n = 0;
  return {
    add: (row) => void (valueOf(row) !== null && n++),
    remove: (row) => void (valueOf(row) !== null && n--),
    value: () => n,
  };
}

/**
 * A running sum, compensated (Neumaier): values enter and leave it for the whole history, and a
 * sum that went through large values keeps its small digits. Back to exactly 0 when empty.
 */
function sumOf(valueOf: (row: number) => number | null, result: (sum: number, n: number) => number): Accumulator {
  let n = 0;
  let sum = 0;
  let compensation = 0;
  const plus = (x: number) => {
    const t = sum + x;
    compensation += Math.abs(sum) >= Math.abs(x) ? sum - t + x : x - t + sum;
    sum = t;
  };
  return {
    add(row) {
      const v = valueOf(row);
      if (v === null) return;
      n++;
      plus(v);
    },
    remove(row) {
      const v = valueOf(row);
      if (v === null) return;
      if (--n === 0) sum = compensation = 0;
      else plus(-v);
    },
    value: () => (n === 0 ? null : result(sum + compensation, n)),
  };
}

/**
 * Min or max by a monotonic deque of rows: each row's value `keeps` over every row after it in the
 * deque, so the front is the window's extreme; a row behind a later one at least as extreme can
 * never be it again and is dropped.
 */
function extremeOf(valueOf: (row: number) => number | null, keeps: (a: number, b: number) => boolean): Accumulator {
  const rows: number[] = [];
  const values: number[] = [];
  let head = 0;
  return {
    add(row) {
      const v = valueOf(row);
      if (v === null) return;
      while (values.length > head && !keeps(values.at(-1)!, v)) {
        rows.pop();
        values.pop();
      }
      // dropped after a while, so the arrays do not grow with the history
      if (head > 1024 && head * 2 > rows.length) {
        rows.splice(0, head);
        values.splice(0, head);
        head = 0;
      }
      rows.push(row);
      values.push(v);
    },
    remove(row) {
      if (rows.length > head && rows[head] === row) head++;
    },
    value: () => (values.length > head ? values[head]! : null),
  };
}
