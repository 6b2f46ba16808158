import { softmaxRowsInPlace } from '../gbdt/gbdt.model';
import { assertColumns } from '../linear/linear-model.util';
import { sigmoid } from '../linear/logistic-regression.model';
import { standardize } from '../linear/standardizer.fit';
import { MlError } from '../ml.error';
import type { TfBackendName } from '../tf/tf-backend.loader';

export type NeuralNetworkTask = 'binary' | 'multiclass' | 'regression';
export type HiddenActivation = 'relu' | 'tanh';
/**
 * Hidden layers use a `HiddenActivation`; the output layer is `sigmoid` (binary), `softmax` over
 * its units (multiclass, one unit per class) or `linear` (regression).
 */
export type LayerActivation = HiddenActivation | 'sigmoid' | 'softmax' | 'linear';

/** The output layer's activation for each task. */
export const OUTPUT_ACTIVATION: Readonly<Record<NeuralNetworkTask, LayerActivation>> = Object.freeze({
  binary: 'sigmoid',
  multiclass: 'softmax',
  regression: 'linear',
});

/** Inference-time batch normalisation of a layer's pre-activations, as Keras stores it. */
export interface BatchNormParams {
  gamma: number[];
  beta: number[];
  movingMean: number[];
  movingVariance: number[];
  epsilon: number;
}

/**
 * One dense layer: `activation(batchNorm(x · weights + bias))`. `weights` is [inputs][units], so a
 * layer's `weights.length` is the previous layer's width.
 */
export interface DenseLayer {
  weights: number[][];
  bias: number[];
  activation: LayerActivation;
  batchNorm?: BatchNormParams;
}

/**
 * A trained feed-forward network, self-contained like the linear models: preprocessing (means,
 * scales: standardise, NaN → mean) then dense layers, the last with one unit (one per class for
 * multiclass, whose classes are the indices 0..units-1). A regression model
 * predicts in the label's units (the training-time label scaling is folded into its last layer).
 * Plain JSON-serialisable data; dropout is a training-only device and leaves no trace here.
 */
export interface NeuralNetworkModel {
  kind: 'neural_network';
  task: NeuralNetworkTask;
  features: string[];
  means: number[];
  scales: number[];
  layers: DenseLayer[];
  /** The TensorFlow.js backend that trained it. */
  backend: TfBackendName;
}

/**
 * The trainer's own predictions, in float64, for each row of `columns` (one column per model
 * feature, NaN = missing): P(label = 1) for a binary model, the predicted value for regression,
 * and for multiclass an n × classes row-major matrix of class probabilities (as `predictGbdt`).
 * The exported ONNX graph computes the same function in float32.
 */
export function predictNeuralNetwork(model: NeuralNetworkModel, columns: Float64Array[]): Float64Array {
  assertNeuralNetworkModel(model);
  const rowCount = assertColumns(model.features, columns);
  let width = model.features.length;
  let activations: Float64Array = new Float64Array(rowCount * width);
  columns.forEach((column, j) => {
    for (let i = 0; i < rowCount; i++) activations[i * width + j] = standardize(column[i], model.means[j], model.scales[j]);
  });
  for (const layer of model.layers) {
    activations = denseForward(layer, activations, rowCount, width);
    width = layer.bias.length;
  }
  return activations;
}

/** Row-major [rowCount × units] outputs of one layer for row-major [rowCount × width] inputs. */
function denseForward(layer: DenseLayer, input: Float64Array, rowCount: number, width: number): Float64Array {
  const units = layer.bias.length;
  const output = new Float64Array(rowCount * units);
  const activate = ACTIVATIONS[layer.activation];
  const norm = layer.batchNorm;
  for (let i = 0; i < rowCount; i++) {
    const out = output.subarray(i * units, (i + 1) * units);
    out.set(layer.bias);
    for (let j = 0; j < width; j++) {
      const x = input[i * width + j];
      const row = layer.weights[j];
      for (let k = 0; k < units; k++) out[k] += x * row[k];
    }
    for (let k = 0; k < units; k++) {
      const z = norm
        ? (norm.gamma[k] * (out[k] - norm.movingMean[k])) / Math.sqrt(norm.movingVariance[k] + norm.epsilon) + norm.beta[k]
        : out[k];
      out[k] = activate(z);
    }
  }
  if (layer.activation === 'softmax') softmaxRowsInPlace(output, units);
  return output;
}

// Softmax normalises a whole row, so it is applied after the per-unit pass (which leaves z as is).
const ACTIVATIONS: Record<LayerActivation, (z: number) => number> = {
  relu: (z) => (z > 0 ? z : 0),
  tanh: Math.tanh,
  sigmoid,
  softmax: (z) => z,
  linear: (z) => z,
};

/** Units of the output layer: 1, or the number of classes of a multiclass model. */
export function outputWidth(model: NeuralNetworkModel): number {
  return model.layers[model.layers.length - 1].bias.length;
}

/**
 * The same layer with its batch normalisation folded into weights and bias:
 * s = γ / √(σ² + ε), W' = W·s, b' = (b − μ)·s + β. What the ONNX export emits.
 */
export function foldBatchNorm(layer: DenseLayer): { weights: number[][]; bias: number[] } {
  const norm = layer.batchNorm;
  if (!norm) return { weights: layer.weights, bias: layer.bias };
  const scale = norm.gamma.map((g, k) => g / Math.sqrt(norm.movingVariance[k] + norm.epsilon));
  return {
    weights: layer.weights.map((row) => row.map((w, k) => w * scale[k])),
    bias: layer.bias.map((b, k) => (b - norm.movingMean[k]) * scale[k] + norm.beta[k]),
  };
}

export function assertNeuralNetworkModel(model: NeuralNetworkModel): void {
  const n = model.features.length;
  if (n === 0) throw invalid('model has no features');
  if (!Object.hasOwn(OUTPUT_ACTIVATION, model.task)) throw invalid(`unknown task ${String(model.task)}`);
  for (const [name, values] of [
    ['means', model.means],
    ['scales', model.scales],
  ] as const) {
    if (values.length !== n) throw invalid(`model has ${n} features but ${values.length} ${name}`);
    if (!values.every(Number.isFinite)) throw invalid(`model ${name} must be finite numbers`);
  }
  if (!model.scales.every((s) => s > 0)) throw invalid('model scales must be positive');
  if (model.layers.length === 0) throw invalid('model has no layers');
  let width = n;
  model.layers.forEach((layer, l) => {
    const isOutput = l === model.layers.length - 1;
    assertLayer(layer, l, width);
    const expected = isOutput ? [OUTPUT_ACTIVATION[model.task]] : ['relu', 'tanh'];
    if (!expected.includes(layer.activation)) {
      throw invalid(`layer ${l} activation must be ${expected.join(' or ')}, got ${String(layer.activation)}`);
    }
    width = layer.bias.length;
  });
  if (model.task === 'multiclass' ? width < 2 : width !== 1) {
    throw invalid(`the output layer must have ${model.task === 'multiclass' ? 'a unit per class (at least 2)' : '1 unit'}, got ${width}`);
  }
}

function assertLayer(layer: DenseLayer, l: number, inputs: number): void {
  const units = layer.bias.length;
  if (units === 0) throw invalid(`layer ${l} has no units`);
  if (layer.weights.length !== inputs) throw invalid(`layer ${l} has ${layer.weights.length} weight rows, expected ${inputs}`);
  const finite = (values: number[]): boolean => values.length === units && values.every(Number.isFinite);
  if (!layer.weights.every(finite) || !finite(layer.bias)) {
    throw invalid(`layer ${l} weights and bias must be finite numbers, ${units} per row`);
  }
  const norm = layer.batchNorm;
  if (norm) {
    if (![norm.gamma, norm.beta, norm.movingMean, norm.movingVariance].every(finite)) {
      throw invalid(`layer ${l} batch norm parameters must be ${units} finite numbers each`);
    }
    if (!(norm.epsilon > 0) || !norm.movingVariance.every((v) => v >= 0)) {
      throw invalid(`layer ${l} batch norm epsilon must be positive and variances non-negative`);
    }
  }
}

function invalid(message: string): MlError {
  return new MlError('invalid_model', message);
}
