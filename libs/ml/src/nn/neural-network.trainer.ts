import type { Scalar, Tensor, Variable } from '@tensorflow/tfjs';

import type { Dataset } from '../dataset/dataset.types';
import { fitStandardizer, type Standardizer } from '../linear/standardizer.fit';
import {
  assertBinaryLabel,
  assertFiniteLabel,
  assertOptimizerParams,
  assertTrainableFeatures,
  baseRateLogit,
  divergedError,
  eventLoopYielder,
  invalidParam,
  type OptimizerParams,
  standardizedBatch,
  type TrainingHooks,
  withDefaults,
} from '../linear/training-input.util';
import { MlError } from '../ml.error';
import { createRng, permutation, type Rng } from '../random/prng.util';
import { selectTfBackend, tfjs } from '../tf/tf-backend.loader';
import { type DenseLayer, type HiddenActivation, type NeuralNetworkModel, type NeuralNetworkTask, OUTPUT_ACTIVATION } from './neural-network.model';

export interface NeuralNetworkParams extends OptimizerParams {
  task: NeuralNetworkTask;
  /** Number of classes; required for multiclass (labels are class indices 0..numClass-1). */
  numClass?: number;
  /** Units per hidden layer, input side first; `[]` is a linear / logistic model. */
  hiddenLayers: number[];
  activation: HiddenActivation;
  /** Fraction of each hidden layer's outputs dropped while training (0..0.9); never at prediction. */
  dropout: number;
  /** Batch-normalise each hidden layer's pre-activations. */
  batchNorm: boolean;
}

export const DEFAULT_NEURAL_NETWORK_PARAMS: Readonly<NeuralNetworkParams> = Object.freeze({
  task: 'binary',
  hiddenLayers: [32, 16],
  activation: 'relu',
  dropout: 0,
  batchNorm: false,
  epochs: 20,
  learningRate: 0.01,
  batchSize: 256,
  l2: 0,
  seed: 42,
});

// Keras' epsilon; a faster momentum than Keras' 0.99 so a few epochs settle the moving statistics.
const BATCH_NORM_EPSILON = 1e-3;
const BATCH_NORM_MOMENTUM = 0.9;

/**
 * A feed-forward network (dense → [batch norm] → relu|tanh → [dropout])* → dense, trained with
 * Adam on seeded mini-batches on the fastest TensorFlow.js backend: binary cross-entropy for
 * `binary`, softmax cross-entropy over `numClass` output units for `multiclass`, ½·mean squared
 * error of the standardised label for `regression`, plus l2·Σ‖kernel‖².
 * Preprocessing is the linear models' (standardise on this training data, NaN → mean) and travels
 * in the model. Initial weights, batch order and dropout masks come from `seed`; on deterministic
 * backends (cpu, wasm) the trained weights do too.
 */
export async function trainNeuralNetwork(
  dataset: Dataset,
  params: Partial<NeuralNetworkParams> = {},
  hooks: TrainingHooks = {},
): Promise<NeuralNetworkModel> {
  const resolved = resolveParams(params);
  assertTrainableFeatures(dataset);
  if (resolved.task === 'binary') assertBinaryLabel(dataset.label);
  else if (resolved.task === 'multiclass') assertClassLabel(dataset.label, resolved.numClass as number);
  else assertFiniteLabel(dataset.label);
  hooks.signal?.throwIfAborted();

  const { backend } = await selectTfBackend();
  const standardizer = fitStandardizer(dataset.columns);
  const labelScaler = resolved.task === 'regression' ? fitStandardizer([dataset.label]) : { means: [0], scales: [1] };
  const target = dataset.label.map((y) => (y - labelScaler.means[0]) / labelScaler.scales[0]);
  const layers = await fitLayers(dataset, standardizer, target, resolved, hooks);
  return {
    kind: 'neural_network',
    task: resolved.task,
    features: [...dataset.features],
    means: standardizer.means,
    scales: standardizer.scales,
    layers: unscaleOutput(layers, labelScaler.means[0], labelScaler.scales[0]),
    backend,
  };
}

/** The TensorFlow.js variables of one dense layer. */
interface LayerVariables {
  kernel: Variable;
  bias: Variable;
  norm?: { gamma: Variable; beta: Variable; movingMean: Variable; movingVariance: Variable };
}

async function fitLayers(
  dataset: Dataset,
  standardizer: Standardizer,
  target: Float64Array,
  params: NeuralNetworkParams,
  hooks: TrainingHooks,
): Promise<DenseLayer[]> {
  const tf = tfjs();
  const featureCount = dataset.features.length;
  const rng = createRng(params.seed);
  const network = createVariables(featureCount, params, outputBias(dataset.label, params), rng);
  const trainable = network.flatMap(({ kernel, bias, norm }) => [kernel, bias, ...(norm ? [norm.gamma, norm.beta] : [])]);
  const optimizer = tf.train.adam(params.learningRate);
  const yieldToEventLoop = eventLoopYielder();
  try {
    for (let epoch = 1; epoch <= params.epochs; epoch++) {
      const order = permutation(dataset.rowCount, rng);
      let lossSum = 0;
      for (let start = 0; start < dataset.rowCount; start += params.batchSize) {
        hooks.signal?.throwIfAborted();
        const rows = order.subarray(start, Math.min(start + params.batchSize, dataset.rowCount));
        const { x, y } = standardizedBatch(dataset, standardizer, target, rows);
        // Drawn outside the graph so each batch gets fresh, seeded dropout masks.
        const dropoutSeeds = network.map(() => Math.floor(rng() * 2 ** 31));
        const cost = tf.tidy(() => {
          const xs = tf.tensor2d(x, [rows.length, featureCount]);
          const ys =
            params.task === 'multiclass'
              ? tf.oneHot(tf.tensor1d(Int32Array.from(y), 'int32'), params.numClass as number).toFloat()
              : tf.tensor2d(y, [rows.length, 1]);
          const batchMoments: { mean: Tensor; variance: Tensor }[] = [];
          const batchCost = optimizer.minimize(
            () => {
              const output = forward(network, xs, params, dropoutSeeds, batchMoments);
              // Mean loss over the batch: a rank-0 tensor, whatever its static type says.
              const dataLoss: Scalar =
                params.task === 'binary'
                  ? (tf.losses.sigmoidCrossEntropy(ys, output) as Scalar)
                  : params.task === 'multiclass'
                    ? (tf.losses.softmaxCrossEntropy(ys, output) as Scalar)
                    : ys.sub(output).square().mean().mul<Scalar>(0.5);
              if (params.l2 === 0) return dataLoss;
              return dataLoss.add<Scalar>(tf.addN(network.map(({ kernel }) => kernel.square().sum())).mul(params.l2));
            },
            true,
            trainable,
          );
          updateMovingMoments(network, batchMoments);
          if (batchCost === null) throw new Error('optimizer.minimize(returnCost = true) returned no cost');
          return batchCost;
        });
        const [batchLoss] = await cost.data();
        cost.dispose();
        lossSum += batchLoss * rows.length;
        await yieldToEventLoop(); // so an abort (or anything else waiting) can land
      }
      const loss = lossSum / dataset.rowCount;
      if (!Number.isFinite(loss)) throw divergedError(epoch, loss);
      hooks.onProgress?.({ epoch, epochs: params.epochs, loss });
    }
    return await readLayers(network, params);
  } finally {
    for (const { kernel, bias, norm } of network) {
      [kernel, bias, ...(norm ? Object.values(norm) : [])].forEach((v) => v.dispose());
    }
    optimizer.dispose();
  }
}

/**
 * Training-mode forward pass to the output layer's pre-activation (logit or standardised value).
 * Batch moments of normalised layers are kept (they escape tidy) for the moving averages.
 */
function forward(
  network: LayerVariables[],
  xs: Tensor,
  params: NeuralNetworkParams,
  dropoutSeeds: number[],
  batchMoments: { mean: Tensor; variance: Tensor }[],
): Tensor {
  const tf = tfjs();
  let h = xs;
  network.forEach(({ kernel, bias, norm }, l) => {
    let z = h.matMul(kernel).add(bias);
    if (l === network.length - 1) {
      h = z;
      return;
    }
    if (norm) {
      const { mean, variance } = tf.moments(z, 0);
      batchMoments.push({ mean: tf.keep(mean), variance: tf.keep(variance) });
      z = z.sub(mean).div(variance.add(BATCH_NORM_EPSILON).sqrt()).mul(norm.gamma).add(norm.beta);
    }
    h = params.activation === 'relu' ? tf.relu(z) : tf.tanh(z);
    if (params.dropout > 0) h = tf.dropout(h, params.dropout, undefined, dropoutSeeds[l]);
  });
  return h;
}

/** Exponential moving averages of the batch moments, then the kept moments are released. */
function updateMovingMoments(network: LayerVariables[], batchMoments: { mean: Tensor; variance: Tensor }[]): void {
  const norms = network.flatMap(({ norm }) => (norm ? [norm] : []));
  norms.forEach((norm, i) => {
    const { mean, variance } = batchMoments[i];
    norm.movingMean.assign(norm.movingMean.mul(BATCH_NORM_MOMENTUM).add(mean.mul(1 - BATCH_NORM_MOMENTUM)));
    norm.movingVariance.assign(norm.movingVariance.mul(BATCH_NORM_MOMENTUM).add(variance.mul(1 - BATCH_NORM_MOMENTUM)));
  });
  batchMoments.forEach(({ mean, variance }) => {
    mean.dispose();
    variance.dispose();
  });
}

/**
 * The output layer's initial biases: the base-rate log-odds (binary), the log class shares
 * (multiclass: the softmax then starts at the class frequencies), 0 for a standardised label.
 */
function outputBias(label: Float64Array, params: NeuralNetworkParams): number[] {
  if (params.task === 'binary') return [baseRateLogit(label)];
  if (params.task === 'regression') return [0];
  const counts = new Float64Array(params.numClass as number);
  for (const y of label) counts[y]++;
  // a class without rows starts very unlikely, not at -Infinity
  return Array.from(counts, (count) => Math.log(Math.max(count / label.length, 1e-6)));
}

/**
 * Seeded initial variables: He-uniform kernels before relu, Glorot-uniform otherwise, zero
 * biases except the output's (`outputBias`, e.g. the base-rate log-odds).
 */
function createVariables(featureCount: number, params: NeuralNetworkParams, outputBias: number[], rng: Rng): LayerVariables[] {
  const tf = tfjs();
  const widths = [featureCount, ...params.hiddenLayers, outputBias.length];
  // The variables copy their initial values, which are released at once.
  const variable = (initial: () => Tensor, trainable = true): Variable => {
    const value = initial();
    const created = tf.variable(value, trainable);
    value.dispose();
    return created;
  };
  return widths.slice(1).map((units, l) => {
    const inputs = widths[l];
    const isOutput = l === widths.length - 2;
    const limit = !isOutput && params.activation === 'relu' ? Math.sqrt(6 / inputs) : Math.sqrt(6 / (inputs + units));
    const kernel = Float32Array.from({ length: inputs * units }, () => (2 * rng() - 1) * limit);
    const layer: LayerVariables = {
      kernel: variable(() => tf.tensor2d(kernel, [inputs, units])),
      bias: variable(() => (isOutput ? tf.tensor1d(outputBias) : tf.zeros([units]))),
    };
    if (params.batchNorm && !isOutput) {
      layer.norm = {
        gamma: variable(() => tf.ones([units])),
        beta: variable(() => tf.zeros([units])),
        movingMean: variable(() => tf.zeros([units]), false),
        movingVariance: variable(() => tf.ones([units]), false),
      };
    }
    return layer;
  });
}

async function readLayers(network: LayerVariables[], params: NeuralNetworkParams): Promise<DenseLayer[]> {
  const values = async (v: Variable): Promise<number[]> => Array.from(await v.data());
  return Promise.all(
    network.map(async ({ kernel, bias, norm }, l): Promise<DenseLayer> => {
      const [inputs, units] = kernel.shape;
      const flat = await values(kernel);
      const isOutput = l === network.length - 1;
      const layer: DenseLayer = {
        weights: Array.from({ length: inputs }, (_, j) => flat.slice(j * units, (j + 1) * units)),
        bias: await values(bias),
        activation: isOutput ? OUTPUT_ACTIVATION[params.task] : params.activation,
      };
      if (norm) {
        layer.batchNorm = {
          gamma: await values(norm.gamma),
          beta: await values(norm.beta),
          movingMean: await values(norm.movingMean),
          movingVariance: await values(norm.movingVariance),
          epsilon: BATCH_NORM_EPSILON,
        };
      }
      return layer;
    }),
  );
}

/** Folds the label standardisation into the output layer, so the model predicts in label units. */
function unscaleOutput(layers: DenseLayer[], labelMean: number, labelScale: number): DenseLayer[] {
  if (labelMean === 0 && labelScale === 1) return layers;
  const last = layers[layers.length - 1];
  return [
    ...layers.slice(0, -1),
    { ...last, weights: last.weights.map((row) => row.map((w) => w * labelScale)), bias: [last.bias[0] * labelScale + labelMean] },
  ];
}

function resolveParams(params: Partial<NeuralNetworkParams>): NeuralNetworkParams {
  const resolved = withDefaults(DEFAULT_NEURAL_NETWORK_PARAMS, params);
  assertOptimizerParams(resolved);
  const { task, numClass, hiddenLayers, activation, dropout, batchNorm } = resolved;
  if (task !== 'binary' && task !== 'multiclass' && task !== 'regression') {
    throw invalidParam('task', task, '"binary", "multiclass" or "regression"');
  }
  if (task === 'multiclass' && !(Number.isInteger(numClass) && (numClass as number) >= 2)) {
    throw invalidParam('numClass', numClass, 'an integer ≥ 2 for multiclass');
  }
  if (task !== 'multiclass' && numClass !== undefined && numClass !== 1) throw invalidParam('numClass', numClass, `1 or absent for ${task}`);
  if (!Array.isArray(hiddenLayers) || !hiddenLayers.every((units) => Number.isInteger(units) && units >= 1)) {
    throw invalidParam('hiddenLayers', hiddenLayers, 'an array of positive integers');
  }
  if (activation !== 'relu' && activation !== 'tanh') throw invalidParam('activation', activation, '"relu" or "tanh"');
  if (!(dropout >= 0 && dropout <= 0.9)) throw invalidParam('dropout', dropout, 'a number from 0 to 0.9');
  if (typeof batchNorm !== 'boolean') throw invalidParam('batchNorm', batchNorm, 'true or false');
  return { ...resolved, hiddenLayers: [...hiddenLayers] };
}

function assertClassLabel(label: Float64Array, numClass: number): void {
  label.forEach((v, i) => {
    if (!(Number.isInteger(v) && v >= 0 && v < numClass)) {
      throw new MlError('invalid_dataset', `label must be a class index in 0..${numClass - 1}, got ${v} at row ${i}`);
    }
  });
}
