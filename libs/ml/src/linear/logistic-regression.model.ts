import { assertLinearParts, type LinearModelBackend, linearScores } from './linear-model.util';

/**
 * A trained logistic regression, self-contained: preprocessing (means, scales) and the weights in
 * standardised space. Plain JSON-serialisable data, so it can be stored next to its ONNX export.
 */
export interface LogisticRegressionModel {
  kind: 'logistic_regression';
  features: string[];
  means: number[];
  scales: number[];
  weights: number[];
  bias: number;
  /** What trained it: `typescript` (solver `lbfgs`) or the TensorFlow.js backend (solver `adam`). */
  backend: LinearModelBackend;
}

/** Logistic function without overflow for large |z|. */
export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/**
 * The trainer's own predictions, in float64: P(label = 1) for each row of `columns` (one column
 * per model feature, in `model.features` order, NaN = missing). The exported ONNX graph computes
 * the same function in float32, and tests hold the two together.
 */
export function predictProba(model: LogisticRegressionModel, columns: Float64Array[]): Float64Array {
  assertModel(model);
  return linearScores(model, columns).map(sigmoid);
}

export function assertModel(model: LogisticRegressionModel): void {
  assertLinearParts(model);
}
