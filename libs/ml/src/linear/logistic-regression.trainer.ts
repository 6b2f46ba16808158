import type { Scalar } from '@tensorflow/tfjs';

import { assertDataset, type Dataset } from '../dataset/dataset.types';
import { MlError } from '../ml.error';
import { createRng, normal, permutation } from '../random/prng.util';
import { selectTfBackend, tfjs } from '../tf/tf-backend.loader';
import type { LogisticRegressionModel } from './logistic-regression.model';
import { fitStandardizer, standardize, type Standardizer } from './standardizer.fit';

export interface LogisticRegressionParams {
  epochs: number;
  learningRate: number;
  batchSize: number;
  /** Weight of `sum(w²)` added to the mean binary cross-entropy; the bias is not penalised. */
  l2: number;
  seed: number;
}

export const DEFAULT_LOGISTIC_REGRESSION_PARAMS: Readonly<LogisticRegressionParams> = Object.freeze({
  epochs: 20,
  learningRate: 0.05,
  batchSize: 1024,
  l2: 0,
  seed: 42,
});

export interface TrainingProgress {
  /** 1-based epoch that just finished. */
  epoch: number;
  epochs: number;
  /** Mean training loss over the epoch (cross-entropy plus the L2 term). */
  loss: number;
}

export interface TrainingHooks {
  onProgress?(progress: TrainingProgress): void;
  /** Aborting stops training between mini-batches; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * Binary logistic regression trained with Adam on mini-batches, on the fastest TensorFlow.js
 * backend available. Features are standardised with statistics of this training data only and
 * missing values imputed with the training mean, so the returned model carries its own
 * preprocessing. Given the same data and seed, weight initialisation and batch order are
 * identical; on deterministic backends (cpu, wasm) so are the weights.
 */
export async function trainLogisticRegression(
  dataset: Dataset,
  params: Partial<LogisticRegressionParams> = {},
  hooks: TrainingHooks = {},
): Promise<LogisticRegressionModel> {
  const resolved = resolveParams(params);
  assertTrainable(dataset);
  hooks.signal?.throwIfAborted();

  const { backend } = await selectTfBackend();
  const standardizer = fitStandardizer(dataset.columns);
  const { weights, bias } = await fitWeights(dataset, standardizer, resolved, hooks);
  return {
    kind: 'logistic_regression',
    features: [...dataset.features],
    means: standardizer.means,
    scales: standardizer.scales,
    weights,
    bias,
    backend,
  };
}

async function fitWeights(
  dataset: Dataset,
  standardizer: Standardizer,
  params: LogisticRegressionParams,
  hooks: TrainingHooks,
): Promise<{ weights: number[]; bias: number }> {
  const tf = tfjs();
  const featureCount = dataset.features.length;
  const rng = createRng(params.seed);

  // Small random weights break symmetry reproducibly; starting the bias at the log-odds of the
  // base rate skips the first epochs an imbalanced label would otherwise spend finding it.
  const initialWeights = Float32Array.from({ length: featureCount }, () => 0.01 * normal(rng));
  // tidy disposes the initial-value tensors; the variables keep their own copy of the data.
  const [w, b] = tf.tidy(() => [
    tf.variable(tf.tensor2d(initialWeights, [featureCount, 1])),
    tf.variable(tf.scalar(baseRateLogit(dataset.label))),
  ]);
  const optimizer = tf.train.adam(params.learningRate);
  try {
    for (let epoch = 1; epoch <= params.epochs; epoch++) {
      const order = permutation(dataset.rowCount, rng);
      let lossSum = 0;
      for (let start = 0; start < dataset.rowCount; start += params.batchSize) {
        hooks.signal?.throwIfAborted();
        const rows = order.subarray(start, Math.min(start + params.batchSize, dataset.rowCount));
        const { x, y } = batchArrays(dataset, standardizer, rows);
        const cost = tf.tidy(() => {
          const xs = tf.tensor2d(x, [rows.length, featureCount]);
          const ys = tf.tensor2d(y, [rows.length, 1]);
          const batchCost = optimizer.minimize(() => {
            // Mean cross-entropy over the batch: a rank-0 tensor, whatever its static type says.
            const crossEntropy = tf.losses.sigmoidCrossEntropy(ys, xs.matMul(w).add(b)) as Scalar;
            return params.l2 > 0 ? crossEntropy.add<Scalar>(w.square().sum().mul(params.l2)) : crossEntropy;
          }, true);
          if (batchCost === null) throw new Error('optimizer.minimize(returnCost = true) returned no cost');
          return batchCost;
        });
        // Awaiting the loss each batch also yields to the event loop, so an abort can land.
        const [batchLoss] = await cost.data();
        cost.dispose();
        lossSum += batchLoss * rows.length;
      }
      const loss = lossSum / dataset.rowCount;
      if (!Number.isFinite(loss)) {
        throw new MlError('invalid_params', `training diverged at epoch ${epoch} (loss ${loss}); lower learningRate`);
      }
      hooks.onProgress?.({ epoch, epochs: params.epochs, loss });
    }
    return { weights: Array.from(await w.data()), bias: (await b.data())[0] };
  } finally {
    w.dispose();
    b.dispose();
    optimizer.dispose();
  }
}

/** Row-major standardised features and labels for one mini-batch. */
function batchArrays(
  dataset: Dataset,
  { means, scales }: Standardizer,
  rows: Uint32Array,
): { x: Float32Array; y: Float32Array } {
  const featureCount = dataset.features.length;
  // Fresh arrays per batch: the cpu backend keeps a reference to the array it was given.
  const x = new Float32Array(rows.length * featureCount);
  const y = new Float32Array(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    y[r] = dataset.label[row];
    for (let j = 0; j < featureCount; j++) {
      x[r * featureCount + j] = standardize(dataset.columns[j][row], means[j], scales[j]);
    }
  }
  return { x, y };
}

function baseRateLogit(label: Float64Array): number {
  let positives = 0;
  for (const v of label) positives += v;
  // Clamped so a single-class training set starts from a finite bias.
  const rate = Math.min(Math.max(positives / label.length, 1e-6), 1 - 1e-6);
  return Math.log(rate / (1 - rate));
}

function resolveParams(params: Partial<LogisticRegressionParams>): LogisticRegressionParams {
  const resolved = { ...DEFAULT_LOGISTIC_REGRESSION_PARAMS, ...dropUndefined(params) };
  const { epochs, learningRate, batchSize, l2, seed } = resolved;
  if (!Number.isInteger(epochs) || epochs < 1) throw invalidParam('epochs', epochs, 'a positive integer');
  if (!(learningRate > 0 && Number.isFinite(learningRate))) {
    throw invalidParam('learningRate', learningRate, 'a positive number');
  }
  if (!Number.isInteger(batchSize) || batchSize < 1) throw invalidParam('batchSize', batchSize, 'a positive integer');
  if (!(l2 >= 0 && Number.isFinite(l2))) throw invalidParam('l2', l2, 'a non-negative number');
  if (!Number.isInteger(seed)) throw invalidParam('seed', seed, 'an integer');
  return resolved;
}

function dropUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function invalidParam(name: string, value: number, expected: string): MlError {
  return new MlError('invalid_params', `${name} must be ${expected}, got ${value}`);
}

function assertTrainable(dataset: Dataset): void {
  assertDataset(dataset);
  if (dataset.features.length === 0) throw new MlError('invalid_dataset', 'dataset has no features');
  if (dataset.rowCount === 0) throw new MlError('invalid_dataset', 'dataset has no rows');
  dataset.label.forEach((v, i) => {
    if (v !== 0 && v !== 1) throw new MlError('invalid_dataset', `label must be 0 or 1, got ${v} at row ${i}`);
  });
  dataset.columns.forEach((column, j) => {
    // NaN means missing and is imputed; an infinity would poison the fitted mean.
    const i = column.findIndex((v) => v === Infinity || v === -Infinity);
    if (i >= 0) throw new MlError('invalid_dataset', `feature "${dataset.features[j]}" is infinite at row ${i}`);
  });
}
