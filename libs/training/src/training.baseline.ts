import { BASELINE_SAMPLE_SIZE, type FeatureBaseline, MAX_BASELINE_CATEGORIES, type ModelBaseline, OTHER_CATEGORY } from '@atelier/contracts';
import { categoryCounts, type DistributionStats, distributionStats, predictionStats } from '@atelier/ml';

import type { BuiltDataset } from './dataset.builder';

/**
 * A version's drift baseline: each model input as serving receives it (numbers, and the raw
 * strings of categorical inputs — not their encoded columns, which no request carries) over the
 * training rows, those before `cutoffMs`, and the predictions served for those rows.
 */
export function trainingBaseline(built: Pick<BuiltDataset, 'inputs' | 'eventTimes'>, cutoffMs: number, trainPredictions: Float64Array): ModelBaseline {
  const rows: number[] = [];
  built.eventTimes.forEach((t, i) => {
    if (t < cutoffMs) rows.push(i);
  });
  const { numeric, categorical } = built.inputs;
  const features: FeatureBaseline[] = numeric.features.map((name, j) => {
    const column = numeric.columns[j]!;
    return numericBaseline(name, Float64Array.from(rows, (i) => column[i]!));
  });
  for (const [name, values] of Object.entries(categorical)) {
    const counts = categoryCounts(
      name,
      rows.map((i) => values[i] ?? null),
      MAX_BASELINE_CATEGORIES,
      OTHER_CATEGORY,
    );
    features.push({
      name,
      count: counts.count,
      missing: counts.missing,
      mean: null,
      std: null,
      min: null,
      max: null,
      quantiles: {},
      histogram: { edges: [null, null], counts: [counts.count] },
      categories: counts.categories,
    });
  }
  return { features, prediction: toBaseline(predictionStats(trainPredictions)) };
}

/** One numeric input's baseline over its training values: statistics, histogram and order statistics. */
export function numericBaseline(name: string, values: Float64Array): FeatureBaseline {
  return toBaseline(distributionStats(name, values, BASELINE_SAMPLE_SIZE));
}

const finite = (v: number): number | null => (Number.isFinite(v) ? v : null);

/** JSON has no NaN or infinities: they become null. */
function toBaseline(stats: DistributionStats): FeatureBaseline {
  return {
    name: stats.name,
    count: stats.count,
    missing: stats.missing,
    mean: finite(stats.mean),
    std: finite(stats.std),
    min: finite(stats.min),
    max: finite(stats.max),
    quantiles: Object.fromEntries(Object.entries(stats.quantiles).filter(([, v]) => Number.isFinite(v))),
    histogram: { edges: stats.histogram.edges.map(finite), counts: [...stats.histogram.counts] },
    sample: stats.sample.filter(Number.isFinite),
  };
}
