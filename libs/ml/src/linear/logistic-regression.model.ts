import { MlError } from '../ml.error';
import { assertLinearParts, type LinearModelBackend, linearScores } from './linear-model.util';

/**
 * A trained logistic regression, self-contained: preprocessing (means, scales) and the weights in
 * standardised space. Plain JSON-serialisable data, so it can be stored next to its ONNX export.
 */
export interface LogisticRegressionModel {
  kind: 'logistic_regression';
  /** Absent or `binary`: one probability, of class 1. Multi-class models are `MultinomialLogisticRegressionModel`s. */
  task?: 'binary';
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
 * A trained multinomial (softmax) logistic regression over the classes 0..K−1: the binary model's
 * preprocessing, and per class a row of weights in standardised space and a bias. Class k's score
 * is `biases[k] + Σ_j weights[k][j] · standardize(x_j)`, its probability the softmax of the scores.
 */
export interface MultinomialLogisticRegressionModel {
  kind: 'logistic_regression';
  task: 'multiclass';
  features: string[];
  means: number[];
  scales: number[];
  /** K rows (one per class, K ≥ 2) of one weight per feature. */
  weights: number[][];
  /** One per class. */
  biases: number[];
  /** What trained it: always `typescript` (solver `lbfgs`). */
  backend: LinearModelBackend;
}

/**
 * The trainer's own predictions, in float64, for each row of `columns` (one column per model
 * feature, in `model.features` order, NaN = missing): P(label = 1) for a binary model, an n × K
 * row-major matrix of class probabilities for a multinomial one (as `predictGbdt`). The exported
 * ONNX graph computes the same function in float32, and tests hold the two together.
 */
export function predictProba(model: LogisticRegressionModel | MultinomialLogisticRegressionModel, columns: Float64Array[]): Float64Array {
  if (model.task === 'multiclass') return predictMultinomial(model, columns);
  assertModel(model);
  return linearScores(model, columns).map(sigmoid);
}

function predictMultinomial(model: MultinomialLogisticRegressionModel, columns: Float64Array[]): Float64Array {
  assertMultinomialModel(model);
  const k = model.biases.length;
  const classScores = model.biases.map((bias, c) => linearScores({ ...model, weights: model.weights[c], bias }, columns));
  const probabilities = new Float64Array(classScores[0].length * k);
  const row = new Float64Array(k);
  for (let i = 0, at = 0; i < classScores[0].length; i++, at += k) {
    // softmax around the largest score, so no e^z overflows
    let max = -Infinity;
    for (let c = 0; c < k; c++) max = Math.max(max, classScores[c][i]);
    let sum = 0;
    for (let c = 0; c < k; c++) {
      row[c] = Math.exp(classScores[c][i] - max);
      sum += row[c];
    }
    for (let c = 0; c < k; c++) probabilities[at + c] = row[c] / sum;
  }
  return probabilities;
}

export function assertModel(model: LogisticRegressionModel): void {
  assertLinearParts(model);
}

export function assertMultinomialModel(model: MultinomialLogisticRegressionModel): void {
  const { weights, biases } = model;
  if (!Array.isArray(weights) || !Array.isArray(biases) || weights.length < 2 || biases.length !== weights.length) {
    throw new MlError(
      'invalid_model',
      `a multinomial model needs a row of weights and a bias per class (at least 2), got ${weights?.length} and ${biases?.length}`,
    );
  }
  weights.forEach((row, c) => assertLinearParts({ ...model, weights: row, bias: biases[c] }));
}
