import { assertDataset, type Dataset } from '../dataset/dataset.types';
import { MlError } from '../ml.error';
import { createRng, shuffleInPlace } from '../random/prng.util';
import type { BatchPredictFn, LabelMetricFn } from './explain.types';

export interface PermutationImportanceOptions {
  /** Shuffles per feature; the importance is their mean. */
  repeats?: number;
  seed?: number;
  /** True for AUC or accuracy, false for log loss or RMSE: decides which way a drop points. */
  higherIsBetter: boolean;
  /** Values `predict` returns per row: 1, or k for a multiclass model's n × k probabilities. */
  outputsPerRow?: number;
}

export interface PermutationFeatureImportance {
  name: string;
  /** Mean loss of quality when the feature is shuffled; ≤ 0 means the model does not need it. */
  importance: number;
  /** Population standard deviation of the drop over repeats (numpy's default, as scikit-learn reports). */
  std: number;
}

export interface PermutationImportanceResult {
  /** The metric on the untouched dataset. */
  baseline: number;
  /** One entry per dataset feature, in dataset order. */
  features: PermutationFeatureImportance[];
}

/**
 * Permutation importance (Breiman; scikit-learn's `permutation_importance`): shuffle one feature's
 * column, breaking its link with the label while keeping its distribution, and measure how much
 * the metric gets worse. Model-agnostic — only `predict` is called, `repeats` times per feature.
 * Missing values are shuffled along with the rest. Use held-out data: on training rows it
 * measures what the model memorised.
 */
export function permutationImportance(
  predict: BatchPredictFn,
  dataset: Dataset,
  metric: LabelMetricFn,
  options: PermutationImportanceOptions,
): PermutationImportanceResult {
  assertDataset(dataset);
  const { repeats = 3, seed = 42, higherIsBetter, outputsPerRow = 1 } = options;
  if (!(Number.isInteger(repeats) && repeats >= 1)) {
    throw new MlError('invalid_params', `repeats must be a positive integer, got ${repeats}`);
  }
  if (!(Number.isInteger(outputsPerRow) && outputsPerRow >= 1)) {
    throw new MlError('invalid_params', `outputsPerRow must be a positive integer, got ${outputsPerRow}`);
  }
  if (dataset.rowCount < 2) throw new MlError('invalid_dataset', 'permutation importance needs at least two rows');
  const score = (columns: Float64Array[]): number => {
    const prediction = predict(columns);
    if (prediction.length !== dataset.rowCount * outputsPerRow) {
      throw new MlError(
        'invalid_model',
        `predict returned ${prediction.length} values for ${dataset.rowCount} rows of ${outputsPerRow} output${outputsPerRow === 1 ? '' : 's'}`,
      );
    }
    return metric(dataset.label, prediction);
  };
  const baseline = score(dataset.columns);
  const rng = createRng(seed);
  const features = dataset.features.map((name, j) => {
    const drops = new Float64Array(repeats);
    const columns = [...dataset.columns];
    for (let r = 0; r < repeats; r++) {
      columns[j] = shuffleInPlace(Float64Array.from(dataset.columns[j]), rng);
      const permuted = score(columns);
      drops[r] = higherIsBetter ? baseline - permuted : permuted - baseline;
    }
    const { mean, std } = meanAndStd(drops);
    return { name, importance: mean, std };
  });
  return { baseline, features };
}

function meanAndStd(values: Float64Array): { mean: number; std: number } {
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / values.length;
  let squares = 0;
  for (const v of values) squares += (v - mean) ** 2;
  return { mean, std: Math.sqrt(squares / values.length) };
}
