import { assertDataset, type Dataset } from '../dataset/dataset.types';
import { MlError } from '../ml.error';
import { standardize, type Standardizer } from './standardizer.fit';

export interface TrainingProgress {
  /** 1-based epoch (for the linear models' `lbfgs` solver: iteration) that just finished. */
  epoch: number;
  /** epochs, or the most iterations (`maxIterations`) */
  epochs: number;
  /** Mean training loss over the epoch, or the objective after the iteration (data loss plus the penalty terms). */
  loss: number;
  /** what one step is: an epoch (default), a solver iteration (`epochs` is then the cap), a boosting round */
  unit?: 'epoch' | 'iteration' | 'round';
}

export interface TrainingHooks {
  onProgress?(progress: TrainingProgress): void;
  /** Aborting stops training between mini-batches or iterations; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * Lets timers, I/O and signals run during a training loop, at most every `everyMs`. Awaiting
 * `tensor.data()` does not: on the CPU and WebAssembly backends it resolves as a microtask, so a
 * loop of mini-batches would hold the event loop until training ends (no abort, no progress
 * write, no shutdown could land).
 */
export function eventLoopYielder(everyMs = 20, now: () => number = Date.now): () => Promise<void> {
  let last = now();
  return async () => {
    if (now() - last < everyMs) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    last = now();
  };
}

/** The mini-batch optimiser settings every TensorFlow.js trainer here shares. */
export interface OptimizerParams {
  epochs: number;
  learningRate: number;
  batchSize: number;
  /** Weight of `sum(w²)` added to the mean loss; biases are not penalised. */
  l2: number;
  seed: number;
}

export function assertOptimizerParams({ epochs, learningRate, batchSize, l2, seed }: OptimizerParams): void {
  if (!Number.isInteger(epochs) || epochs < 1) throw invalidParam('epochs', epochs, 'a positive integer');
  if (!(learningRate > 0 && Number.isFinite(learningRate))) {
    throw invalidParam('learningRate', learningRate, 'a positive number');
  }
  if (!Number.isInteger(batchSize) || batchSize < 1) throw invalidParam('batchSize', batchSize, 'a positive integer');
  assertPenalty('l2', l2);
  if (!Number.isInteger(seed)) throw invalidParam('seed', seed, 'an integer');
}

export function assertPenalty(name: string, value: number): void {
  if (!(value >= 0 && Number.isFinite(value))) throw invalidParam(name, value, 'a non-negative number');
}

export function invalidParam(name: string, value: unknown, expected: string): MlError {
  return new MlError(
    'invalid_params',
    `${name} must be ${expected}, got ${typeof value === 'number' ? String(value) : JSON.stringify(value)}`,
  );
}

/** `{ ...defaults, ...params }` where an explicit `undefined` keeps the default. */
export function withDefaults<T extends object>(defaults: Readonly<T>, params: Partial<T>): T {
  const given = Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined)) as Partial<T>;
  return { ...defaults, ...given };
}

/** Features every trainer accepts: a consistent dataset with rows, features and no infinities. */
export function assertTrainableFeatures(dataset: Dataset): void {
  assertDataset(dataset);
  if (dataset.features.length === 0) throw new MlError('invalid_dataset', 'dataset has no features');
  if (dataset.rowCount === 0) throw new MlError('invalid_dataset', 'dataset has no rows');
  dataset.columns.forEach((column, j) => {
    // NaN means missing and is imputed; an infinity would poison the fitted mean.
    const i = column.findIndex((v) => v === Infinity || v === -Infinity);
    if (i >= 0) throw new MlError('invalid_dataset', `feature "${dataset.features[j]}" is infinite at row ${i}`);
  });
}

export function assertBinaryLabel(label: Float64Array): void {
  label.forEach((v, i) => {
    if (v !== 0 && v !== 1) throw new MlError('invalid_dataset', `label must be 0 or 1, got ${v} at row ${i}`);
  });
}

export function assertClassLabel(label: Float64Array, numClass: number): void {
  label.forEach((v, i) => {
    if (!(Number.isInteger(v) && v >= 0 && v < numClass)) {
      throw new MlError('invalid_dataset', `label must be a class index in 0..${numClass - 1}, got ${v} at row ${i}`);
    }
  });
}

export function assertFiniteLabel(label: Float64Array): void {
  label.forEach((v, i) => {
    if (!Number.isFinite(v)) throw new MlError('invalid_dataset', `label must be a finite number, got ${v} at row ${i}`);
  });
}

/** Row-major standardised features and targets for one mini-batch. */
export function standardizedBatch(
  dataset: Dataset,
  { means, scales }: Standardizer,
  target: Float64Array,
  rows: Uint32Array,
): { x: Float32Array; y: Float32Array } {
  const featureCount = dataset.features.length;
  // Fresh arrays per batch: the cpu backend keeps a reference to the array it was given.
  const x = new Float32Array(rows.length * featureCount);
  const y = new Float32Array(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    y[r] = target[row];
    for (let j = 0; j < featureCount; j++) {
      x[r * featureCount + j] = standardize(dataset.columns[j][row], means[j], scales[j]);
    }
  }
  return { x, y };
}

/** Log-odds of the base rate, clamped so a single-class training set starts from a finite bias. */
export function baseRateLogit(label: Float64Array): number {
  let positives = 0;
  for (const v of label) positives += v;
  const rate = Math.min(Math.max(positives / label.length, 1e-6), 1 - 1e-6);
  return Math.log(rate / (1 - rate));
}

export function divergedError(epoch: number, loss: number): MlError {
  return new MlError('invalid_params', `training diverged at epoch ${epoch} (loss ${loss}); lower learningRate`);
}
