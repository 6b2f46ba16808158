import { assertDataset, type Dataset } from '../dataset/dataset.types';
import { MlError } from '../ml.error';
import { createRng, permutation } from '../random/prng.util';
import { quantileOfSorted } from '../stats/quantile.util';
import type { BatchPredictFn } from './explain.types';

export interface PartialDependenceOptions {
  /** At most this many grid points; fewer when the feature has fewer distinct values. */
  gridSize?: number;
  /** Rows averaged over; a seeded sample when the dataset has more. */
  sampleRows?: number;
  seed?: number;
  /** Values `predict` returns per row: 1, or k for a multi-class model's n × k probabilities. */
  outputsPerRow?: number;
}

export interface PartialDependence {
  feature: string;
  /** Increasing feature values the model was evaluated at. */
  grid: number[];
  /** Mean prediction over the sampled rows with the feature set to each grid value (empty for k > 1 outputs). */
  average: number[];
  /** k > 1 outputs per row (multi-class): per class, its mean probability at each grid value. */
  byClass?: number[][];
}

/**
 * One-way partial dependence: for each grid value v, set the feature to v in every sampled row
 * and average the model's predictions. The grid is the feature's quantiles at evenly spaced
 * levels from 0 to 1 (numpy 'linear' interpolation), ignoring missing values and dropping
 * duplicates; a feature with at most `gridSize` distinct values uses exactly those values
 * (as scikit-learn does). All grid points are scored in a single `predict` call. A multi-class
 * model (`outputsPerRow` k > 1) gets one curve per class, the mean probability of that class, as
 * scikit-learn's `partial_dependence` averages `predict_proba` per class.
 */
export function partialDependence(
  predict: BatchPredictFn,
  dataset: Dataset,
  feature: number | string,
  options: PartialDependenceOptions = {},
): PartialDependence {
  assertDataset(dataset);
  const { gridSize = 20, sampleRows = 1000, seed = 42, outputsPerRow = 1 } = options;
  const j = typeof feature === 'number' ? feature : dataset.features.indexOf(feature);
  if (!(Number.isInteger(j) && j >= 0 && j < dataset.features.length)) {
    throw new MlError('invalid_params', `feature ${JSON.stringify(feature)} is not a feature of the dataset`);
  }
  if (!(Number.isInteger(gridSize) && gridSize >= 2)) {
    throw new MlError('invalid_params', `gridSize must be an integer ≥ 2, got ${gridSize}`);
  }
  if (!(Number.isInteger(sampleRows) && sampleRows >= 1)) {
    throw new MlError('invalid_params', `sampleRows must be a positive integer, got ${sampleRows}`);
  }
  if (!(Number.isInteger(outputsPerRow) && outputsPerRow >= 1)) {
    throw new MlError('invalid_params', `outputsPerRow must be a positive integer, got ${outputsPerRow}`);
  }
  const name = dataset.features[j];
  const grid = quantileGrid(dataset.columns[j], gridSize);
  if (grid.length === 0) throw new MlError('invalid_dataset', `feature "${name}" has no non-missing values`);

  const rows = sampleRowIndices(dataset.rowCount, sampleRows, seed);
  const n = rows.length;
  // One batch of grid.length × n rows: the sampled rows repeated once per grid value.
  const columns = dataset.columns.map((source, k) => {
    const out = new Float64Array(grid.length * n);
    for (let g = 0; g < grid.length; g++) {
      const offset = g * n;
      if (k === j) out.fill(grid[g], offset, offset + n);
      else for (let i = 0; i < n; i++) out[offset + i] = source[rows[i]];
    }
    return out;
  });
  const prediction = predict(columns);
  const k = outputsPerRow;
  if (prediction.length !== grid.length * n * k) {
    throw new MlError('invalid_model', `predict returned ${prediction.length} values for ${grid.length * n} rows × ${k} outputs`);
  }
  // the mean of output c over the rows of grid value g
  const mean = (g: number, c: number) => {
    let sum = 0;
    for (let i = g * n; i < (g + 1) * n; i++) sum += prediction[i * k + c];
    return sum / n;
  };
  if (k === 1) return { feature: name, grid, average: grid.map((_, g) => mean(g, 0)) };
  const byClass = Array.from({ length: k }, (_, c) => grid.map((_, g) => mean(g, c)));
  return { feature: name, grid, average: [], byClass };
}

/** Distinct quantiles of the non-missing values, increasing. */
export function quantileGrid(column: Float64Array, gridSize: number): number[] {
  const sorted = column.filter((v) => !Number.isNaN(v)).sort();
  if (sorted.length === 0) return [];
  const distinct: number[] = [];
  for (let i = 0; i < sorted.length && distinct.length <= gridSize; i++) {
    if (i === 0 || sorted[i] !== sorted[i - 1]) distinct.push(sorted[i]);
  }
  if (distinct.length <= gridSize) return distinct;
  const grid: number[] = [];
  for (let g = 0; g < gridSize; g++) {
    const value = quantileOfSorted(sorted, g / (gridSize - 1));
    if (grid.length === 0 || value > grid[grid.length - 1]) grid.push(value);
  }
  return grid;
}

function sampleRowIndices(rowCount: number, sampleRows: number, seed: number): ArrayLike<number> {
  if (rowCount <= sampleRows) return Uint32Array.from({ length: rowCount }, (_, i) => i);
  // Sorted so the sampled rows keep the dataset's order (cache-friendly, easier to debug).
  return permutation(rowCount, createRng(seed)).slice(0, sampleRows).sort();
}
