import type { Dataset } from '../dataset/dataset.types';
import { assertDataset } from '../dataset/dataset.types';
import { quantileOfSorted } from './quantile.util';

export interface Quantiles {
  p01: number;
  p05: number;
  p25: number;
  p50: number;
  p75: number;
  p95: number;
  p99: number;
}

/**
 * Bin `i` holds values in [edges[i], edges[i + 1]). The outer edges are −Infinity and +Infinity
 * so live values outside the training range still land in a bin (PSI needs every value counted).
 * Note: JSON has no Infinity, so a JSON encoder must map the outer edges explicitly.
 */
export interface Histogram {
  edges: number[];
  counts: number[];
}

/**
 * Summary of one numeric distribution — a training feature or the model's predictions. It is the
 * baseline that monitoring compares live traffic against, so live values must be binned with
 * `histogramBin` on these same edges.
 */
export interface DistributionStats {
  name: string;
  /** Non-missing values. */
  count: number;
  /** NaN values. */
  missing: number;
  mean: number;
  /** Population standard deviation (ddof 0). */
  std: number;
  min: number;
  max: number;
  quantiles: Quantiles;
  histogram: Histogram;
  /** Evenly spaced order statistics of the values (see `orderStatistics`), for two-sample tests. */
  sample: number[];
}

const QUANTILE_LEVELS: Record<keyof Quantiles, number> = {
  p01: 0.01,
  p05: 0.05,
  p25: 0.25,
  p50: 0.5,
  p75: 0.75,
  p95: 0.95,
  p99: 0.99,
};

/** Inner bins between p01 and p99: robust to outliers, fine enough for PSI. */
const INNER_BINS = 10;

export function featureStats(dataset: Dataset): DistributionStats[] {
  assertDataset(dataset);
  return dataset.features.map((name, j) => distributionStats(name, dataset.columns[j]));
}

export function predictionStats(predictions: Float64Array, name = 'prediction'): DistributionStats {
  return distributionStats(name, predictions);
}

/** Statistics of `values`, NaN counted as missing and left out of everything else. */
export function distributionStats(name: string, values: Float64Array, sampleSize = DEFAULT_SAMPLE_SIZE): DistributionStats {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort();
  const count = sorted.length;
  let sum = 0;
  for (const v of sorted) sum += v;
  const mean = count > 0 ? sum / count : NaN;
  let squares = 0;
  for (const v of sorted) squares += (v - mean) ** 2;

  const quantiles = Object.fromEntries(
    Object.entries(QUANTILE_LEVELS).map(([key, q]) => [key, quantileOfSorted(sorted, q)]),
  ) as unknown as Quantiles;
  const edges = histogramEdges(quantiles.p01, quantiles.p99);
  const counts = new Array<number>(edges.length - 1).fill(0);
  for (const v of sorted) counts[histogramBin(edges, v)]++;

  return {
    name,
    count,
    missing: values.length - count,
    mean,
    std: count > 0 ? Math.sqrt(squares / count) : NaN,
    min: count > 0 ? sorted[0] : NaN,
    max: count > 0 ? sorted[count - 1] : NaN,
    quantiles,
    histogram: { edges, counts },
    sample: orderStatistics(sorted, sampleSize),
  };
}

const DEFAULT_SAMPLE_SIZE = 2000;

/**
 * `size` evenly spaced order statistics of ascending `sorted` — the values at ranks
 * ⌊(i + ½)·n / size⌋ — or all of them when there are no more. A KS statistic or Wasserstein
 * distance against this sample differs from the one against all values by at most 1 / size
 * (KS) and by the spread within one of its slices (Wasserstein).
 */
export function orderStatistics(sorted: ArrayLike<number>, size: number): number[] {
  const n = sorted.length;
  if (n <= size) return Array.from(sorted);
  return Array.from({ length: size }, (_, i) => sorted[Math.floor(((i + 0.5) * n) / size)]);
}

/** Rows per category of a string column: the most frequent kept by name, the rest summed. */
export interface CategoryCounts {
  name: string;
  /** Non-missing values. */
  count: number;
  /** null (or empty) values. */
  missing: number;
  /** category → rows for the `maxCategories` most frequent (ties by name); `other` sums the rest. */
  categories: Record<string, number>;
}

export function categoryCounts(name: string, values: ReadonlyArray<string | null>, maxCategories: number, other = '__other__'): CategoryCounts {
  const counts = new Map<string, number>();
  let missing = 0;
  for (const v of values) {
    if (v === null || v === '') missing++;
    else counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  const ranked = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const categories: Record<string, number> = Object.fromEntries(ranked.slice(0, maxCategories));
  const rest = ranked.slice(maxCategories).reduce((sum, [, c]) => sum + c, 0);
  if (rest > 0) categories[other] = (categories[other] ?? 0) + rest;
  return { name, count: values.length - missing, missing, categories };
}

/**
 * [−∞, p01, …(10 equal-width bins)…, p99, +∞]. Without any values there is nothing to place the
 * inner edges on, so the histogram is a single (−∞, +∞) bin.
 */
function histogramEdges(low: number, high: number): number[] {
  if (Number.isNaN(low) || Number.isNaN(high)) return [-Infinity, Infinity];
  const width = (high - low) / INNER_BINS;
  const inner = Array.from({ length: INNER_BINS + 1 }, (_, k) => (k === INNER_BINS ? high : low + k * width));
  return [-Infinity, ...inner, Infinity];
}

/**
 * Index of the bin holding `value`: the last edge ≤ value (binary search), or −1 for NaN, which
 * is counted as missing rather than binned. Equal inner edges (a constant feature) leave the
 * zero-width bins empty and put the constant in the bin that starts at it.
 */
export function histogramBin(edges: readonly number[], value: number): number {
  if (Number.isNaN(value)) return -1;
  let lo = 0;
  let hi = edges.length - 2;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (edges[mid] <= value) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
