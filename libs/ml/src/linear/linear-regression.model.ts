import { assertLinearParts, type LinearModelBackend, linearScores } from './linear-model.util';

/**
 * A trained linear regression, self-contained like `LogisticRegressionModel`: preprocessing
 * (means, scales) and weights in standardised feature space, predicting in the label's own units.
 */
export interface LinearRegressionModel {
  kind: 'linear_regression';
  features: string[];
  means: number[];
  scales: number[];
  weights: number[];
  bias: number;
  /** What trained it: `typescript` (solver `lbfgs`) or the TensorFlow.js backend (solver `adam`). */
  backend: LinearModelBackend;
}

/**
 * The trainer's own predictions, in float64, for each row of `columns` (one column per model
 * feature, in `model.features` order, NaN = missing). The ONNX export computes the same in float32.
 */
export function predictLinear(model: LinearRegressionModel, columns: Float64Array[]): Float64Array {
  assertLinearRegressionModel(model);
  return linearScores(model, columns);
}

export function assertLinearRegressionModel(model: LinearRegressionModel): void {
  assertLinearParts(model);
}
