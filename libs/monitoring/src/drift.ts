import { type FeatureBaseline, type FeatureDrift, OTHER_CATEGORY } from '@atelier/contracts';
import { chiSquareTest, histogramBin, jensenShannonDistance, sampleDistances } from '@atelier/ml';

/** A baseline histogram as the registry stores it: null outer edges stand for −∞ and +∞. */
export interface StoredHistogram {
  edges: Array<number | null>;
  counts: number[];
}

// Keeps an empty bin on either side from making the logarithm infinite (the usual PSI smoothing).
const EPSILON = 1e-4;

/**
 * How PSI keeps an empty bin from making its logarithm infinite. `floor`, the platform's: every
 * share below 10⁻⁴ counts as 10⁻⁴. `zeros`, Evidently's: only empty bins change, to 10⁻⁴, or to
 * the smallest non-empty share / 10⁶ when that is at most 10⁻⁴. The index is otherwise the same.
 */
export type PsiSmoothing = 'floor' | 'zeros';

/**
 * Population stability index of live values against a baseline histogram: live values are
 * binned on the baseline's own edges, then Σ (live − base) · ln(live / base) over the bins'
 * shares. Common reading: < 0.1 stable, 0.1–0.25 drifting, > 0.25 shifted.
 */
export function populationStabilityIndex(
  baseline: StoredHistogram,
  live: ArrayLike<number>,
  smoothing: PsiSmoothing = 'floor',
): number | null {
  const edges = baseline.edges.map((e, i) => (e === null ? (i === 0 ? -Infinity : Infinity) : e));
  const total = baseline.counts.reduce((a, b) => a + b, 0);
  if (total === 0 || live.length === 0 || edges.length !== baseline.counts.length + 1) return null;
  const counts = new Array<number>(baseline.counts.length).fill(0);
  for (let i = 0; i < live.length; i++) counts[histogramBin(edges, live[i]!)]!++;
  const expected = smoothed(
    baseline.counts.map((c) => c / total),
    smoothing,
  );
  const actual = smoothed(
    counts.map((c) => c / live.length),
    smoothing,
  );
  let psi = 0;
  expected.forEach((e, bin) => {
    const a = actual[bin]!;
    psi += (a - e) * Math.log(a / e);
  });
  return psi;
}

function smoothed(shares: number[], smoothing: PsiSmoothing): number[] {
  if (smoothing === 'floor') return shares.map((share) => Math.max(share, EPSILON));
  const least = Math.min(...shares.filter((share) => share > 0));
  const fill = least <= EPSILON ? least / 1e6 : EPSILON;
  return shares.map((share) => (share === 0 ? fill : share));
}

/** A categorical baseline's pseudo-count per category: keeps a category unseen in training from dividing by zero. */
const PSEUDO_COUNT = 1;

/**
 * One input's drift (see `FeatureDrift` in the contracts): live values against the version's
 * training baseline of that input. A categorical input counts every value by its text; a numeric
 * input takes numbers only (anything else is missing, as serving would have fed NaN).
 */
export function featureDrift(baseline: FeatureBaseline, live: readonly unknown[]): FeatureDrift {
  const baselineTotal = baseline.count + baseline.missing;
  const common = { name: baseline.name, baselineMissingRate: baselineTotal > 0 ? baseline.missing / baselineTotal : null };
  return baseline.categories ? categoricalDrift(baseline.categories, live, common) : numericDrift(baseline, live, common);
}

type Common = Pick<FeatureDrift, 'name' | 'baselineMissingRate'>;

function numericDrift(baseline: FeatureBaseline, live: readonly unknown[], common: Common): FeatureDrift {
  const edges = baseline.histogram.edges.map((e, i) => (e === null ? (i === 0 ? -Infinity : Infinity) : e));
  const bins = baseline.histogram.counts.length;
  const matched = edges.length === bins + 1;
  // the numbers (anything else is missing, as serving would have fed NaN)
  const values = new Float64Array(live.length);
  let count = 0;
  for (let i = 0; i < live.length; i++) {
    const v = live[i];
    if (typeof v === 'number' && v === v) values[count++] = v;
  }
  const numbers = values.subarray(0, count);
  // one pass places every live value among the baseline's order statistics (not sorting them):
  // KS, Wasserstein and the counts in the baseline's bins at once
  const placed = sampleDistances(baseline.sample ?? [], numbers, matched ? edges : undefined);
  const liveCounts = placed.counts ?? new Array<number>(bins).fill(0);
  return {
    ...common,
    kind: 'numeric',
    samples: count,
    missingRate: live.length > 0 ? (live.length - count) / live.length : null,
    psi: matched && count > 0 ? sharesPsi(baseline.histogram.counts, liveCounts) : null,
    js: jensenShannonDistance(baseline.histogram.counts, liveCounts),
    ks: placed.ks,
    wasserstein: placed.wasserstein,
    chiSquare: null,
    chiSquarePValue: null,
    bins: shares(
      baseline.histogram.counts,
      liveCounts,
      baseline.histogram.counts.map((_, i) => `[${bound(edges[i]!)}, ${bound(edges[i + 1]!)})`),
    ),
  };
}

function categoricalDrift(categories: Record<string, number>, live: readonly unknown[], common: Common): FeatureDrift {
  const labels = Object.keys(categories);
  if (!(OTHER_CATEGORY in categories)) labels.push(OTHER_CATEGORY);
  const index = new Map(labels.map((label, i) => [label, i]));
  const liveCounts = new Array<number>(labels.length).fill(0);
  let samples = 0;
  for (const v of live) {
    if (v === null || v === undefined || v === '' || (typeof v === 'number' && Number.isNaN(v))) continue;
    samples++;
    liveCounts[index.get(String(v)) ?? index.get(OTHER_CATEGORY)!]!++;
  }
  const baseCounts = labels.map((label) => categories[label] ?? 0);
  const smoothed = baseCounts.map((c) => c + PSEUDO_COUNT);
  const chi = chiSquareTest(liveCounts, smoothed);
  return {
    ...common,
    kind: 'categorical',
    samples,
    missingRate: live.length > 0 ? (live.length - samples) / live.length : null,
    psi: sharesPsi(smoothed, liveCounts),
    js: jensenShannonDistance(baseCounts, liveCounts),
    ks: null,
    wasserstein: null,
    chiSquare: chi?.statistic ?? null,
    chiSquarePValue: chi?.pValue ?? null,
    bins: shares(baseCounts, liveCounts, labels),
  };
}

/** PSI over matched counts, with the same smoothing as `populationStabilityIndex`. */
function sharesPsi(expected: number[], actual: number[]): number | null {
  const e = expected.reduce((a, b) => a + b, 0);
  const a = actual.reduce((x, y) => x + y, 0);
  if (e === 0 || a === 0) return null;
  let psi = 0;
  expected.forEach((count, k) => {
    const pe = Math.max(count / e, EPSILON);
    const pa = Math.max(actual[k]! / a, EPSILON);
    psi += (pa - pe) * Math.log(pa / pe);
  });
  return psi;
}

function shares(baseline: number[], live: number[], labels: string[]): FeatureDrift['bins'] {
  const b = baseline.reduce((x, y) => x + y, 0);
  const l = live.reduce((x, y) => x + y, 0);
  return labels.map((label, k) => ({ label, baseline: b > 0 ? baseline[k]! / b : 0, live: l > 0 ? live[k]! / l : 0 }));
}

const bound = (edge: number): string => (edge === -Infinity ? '−∞' : edge === Infinity ? '∞' : String(Number(edge.toPrecision(6))));
