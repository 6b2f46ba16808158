import { MlError } from '../ml.error';
import type { TfBackendName } from '../tf/tf-backend.loader';
import { standardize } from './standardizer.fit';

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
  /** The TensorFlow.js backend that trained it. */
  backend: TfBackendName;
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
  if (columns.length !== model.features.length) {
    throw new MlError('invalid_dataset', `model expects ${model.features.length} columns, got ${columns.length}`);
  }
  const rowCount = columns.length > 0 ? columns[0].length : 0;
  columns.forEach((column, j) => {
    if (column.length !== rowCount) {
      throw new MlError('invalid_dataset', `column "${model.features[j]}" has ${column.length} rows, expected ${rowCount}`);
    }
  });

  const logits = new Float64Array(rowCount).fill(model.bias);
  // Column-major accumulation: one pass per feature keeps memory access sequential.
  columns.forEach((column, j) => {
    const mean = model.means[j];
    const scale = model.scales[j];
    const weight = model.weights[j];
    for (let i = 0; i < rowCount; i++) logits[i] += weight * standardize(column[i], mean, scale);
  });
  return logits.map(sigmoid);
}

export function assertModel(model: LogisticRegressionModel): void {
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
