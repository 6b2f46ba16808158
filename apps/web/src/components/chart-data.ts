/** The numbers behind the charts: scales' extents, ticks and the data shapes Recharts draws. Pure, no React. */

export interface Point {
  x: number;
  y: number;
}

/** Pairs two parallel arrays into points, as far as both go. */
export function zipPoints(xs: readonly number[] | null | undefined, ys: readonly number[] | null | undefined): Point[] {
  const [x, y] = [xs ?? [], ys ?? []];
  return Array.from({ length: Math.min(x.length, y.length) }, (_, i) => ({ x: x[i]!, y: y[i]! }));
}

/** The points a chart can place: both coordinates finite. */
export function finitePoints<P extends Point>(points: readonly P[]): P[] {
  return points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
}

/** The smallest and largest value; a single value gets ±1 around it so a scale never has zero width. */
export function extent(values: readonly number[]): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return min === max ? [min - 1, max + 1] : [min, max];
}

/** Short tick labels: `0.5`, `12.3`, `1.2k`, `3e-4`. */
export function formatTick(value: number): string {
  const abs = Math.abs(value);
  if (abs === 0) return '0';
  if (abs >= 10_000) return `${+(value / 1000).toFixed(1)}k`;
  if (abs < 0.001) return value.toExponential(0);
  return String(+value.toPrecision(abs >= 100 ? 4 : 3));
}

/** A value in a tooltip: more digits than a tick, still short. */
export function formatValue(value: number): string {
  if (!Number.isFinite(value)) return '—';
  const abs = Math.abs(value);
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  if (abs !== 0 && (abs < 0.0001 || abs >= 1e7)) return value.toExponential(3);
  return String(+value.toPrecision(5));
}

/**
 * A time axis' tick in UTC, like every time shown: `13:05:30` on a span under half an hour,
 * `13:05` within a day, else `01-22 13:05`.
 */
export function formatClock(ms: number, spanMs: number): string {
  const iso = new Date(ms).toISOString();
  if (spanMs > 86_400_000) return `${iso.slice(5, 10)} ${iso.slice(11, 16)}`;
  return spanMs < 1_800_000 ? iso.slice(11, 19) : iso.slice(11, 16);
}

/** `count` evenly spaced ticks from `min` to `max`, both ends included; whole numbers only when `integer` (steps, trials). */
export function evenTicks(min: number, max: number, count: number, integer = false): number[] {
  if (count < 2 || min === max) return [min];
  const ticks = Array.from({ length: count }, (_, i) => min + ((max - min) * i) / (count - 1));
  return integer ? [...new Set(ticks.map(Math.round))] : ticks;
}

export interface HistogramBin {
  from: number;
  to: number;
  /** the bin's centre, where its column stands on a numeric axis */
  mid: number;
  count: number;
}

/**
 * The bins of a histogram with finite edges (`edges.length === counts.length + 1`), as far as both
 * go; none when an edge is not finite (an open outer bin cannot be drawn to scale).
 */
export function histogramBins(edges: readonly number[], counts: readonly number[]): HistogramBin[] {
  const bins = Math.min(counts.length, edges.length - 1);
  if (bins < 1 || !edges.slice(0, bins + 1).every(Number.isFinite)) return [];
  return Array.from({ length: bins }, (_, i) => ({ from: edges[i]!, to: edges[i + 1]!, mid: (edges[i]! + edges[i + 1]!) / 2, count: counts[i]! }));
}
