import { MlError } from '../ml.error';
import type { TfBackendName } from '../tf/tf-backend.loader';
import { standardize } from './standardizer.fit';

/** What trained a linear model: `typescript` (the `lbfgs` solver) or the TensorFlow.js backend (`adam`). */
export type LinearModelBackend = TfBackendName | 'typescript';

/** The parts every linear model shares: preprocessing and weights in standardised space. */
export interface LinearParts {
  features: string[];
  means: number[];
  scales: number[];
  weights: number[];
  bias: number;
}

/** Throws an `invalid_dataset` MlError unless `columns` are one equal-length column per feature. */
export function assertColumns(features: string[], columns: Float64Array[]): number {
  if (columns.length !== features.length) {
    throw new MlError('invalid_dataset', `model expects ${features.length} columns, got ${columns.length}`);
  }
  const rowCount = columns.length > 0 ? columns[0].length : 0;
  columns.forEach((column, j) => {
    if (column.length !== rowCount) {
      throw new MlError('invalid_dataset', `column "${features[j]}" has ${column.length} rows, expected ${rowCount}`);
    }
  });
  return rowCount;
}

/** `bias + Σ w_j · standardize(x_j)` per row, in float64, missing values imputed with the mean. */
export function linearScores(model: LinearParts, columns: Float64Array[]): Float64Array {
  const rowCount = assertColumns(model.features, columns);
  const scores = new Float64Array(rowCount).fill(model.bias);
  // Column-major accumulation: one pass per feature keeps memory access sequential.
  columns.forEach((column, j) => {
    const mean = model.means[j];
    const scale = model.scales[j];
    const weight = model.weights[j];
    for (let i = 0; i < rowCount; i++) scores[i] += weight * standardize(column[i], mean, scale);
  });
  return scores;
}

export function assertLinearParts(model: LinearParts): void {
  const n = model.features.length;
  if (n === 0) throw new MlError('invalid_model', 'model has no features');
  for (const [name, values] of [
    ['means', model.means],
    ['scales', model.scales],
    ['weights', model.weights],
  ] as const) {
    if (values.length !== n) throw new MlError('invalid_model', `model has ${n} features but ${values.length} ${name}`);
    if (!values.every(Number.isFinite)) throw new MlError('invalid_model', `model ${name} must be finite numbers`);
  }
  if (!Number.isFinite(model.bias)) throw new MlError('invalid_model', 'model bias must be a finite number');
  if (!model.scales.every((s) => s > 0)) throw new MlError('invalid_model', 'model scales must be positive');
}
