import { assertDataset, type Dataset } from '../dataset/dataset.types';
import { MlError } from '../ml.error';
import { createRng, type Rng } from '../random/prng.util';
import { type BinEdges, type BinnedRows, binRows, fitBinEdges } from './bin-mapper.fit';
import type { GbdtModel, GbdtObjective, GbdtTree } from './gbdt.model';
import { type BoostingObjective, boostingObjective } from './gbdt.objective';
import { interleaveGradients, moveToWasmMemory, wasmGradientPairs, WasmHistogramKernel, wasmRows } from './histogram.wasm';
import { HistogramWorkerPool, sharedFloat64, sharedUint32 } from './histogram-worker.pool';
import { addTreeByBins, addTreeByLeafRanges, type GrownTree, sideTableLength, TreeLearner, type TreeLearnerParams } from './tree.learner';

export interface GbdtParams {
  objective: GbdtObjective;
  /** Number of classes; required for multiclass (labels are class indices 0..numClass-1). */
  numClass?: number;
  numIterations: number;
  learningRate: number;
  /** Leaf cap per tree. Leaf-wise growth splits the best leaf first until it is reached. */
  maxLeaves: number;
  /** -1 = unlimited. */
  maxDepth: number;
  /** `depthwise` splits level by level (then `maxLeaves` defaults to 2^maxDepth). */
  growth: 'leafwise' | 'depthwise';
  /** Minimum hessian sum in a child. */
  minChildWeight: number;
  minDataInLeaf: number;
  lambdaL2: number;
  /** Real-valued bins per feature (missing values get one more); at most 65535. */
  maxBins: number;
  /** Share of features each tree may split on, drawn per tree. */
  featureFraction: number;
  /** Share of rows each tree learns from, redrawn every `baggingFreq` iterations (0 = never). */
  baggingFraction: number;
  baggingFreq: number;
  /** Stop when the validation metric has not improved for this many iterations. */
  earlyStoppingRounds?: number;
  /** Scored after every iteration (log loss, RMSE or multi-class log loss). */
  validation?: Dataset;
  seed: number;
  /**
   * Threads that build histograms, partition rows and compute binary gradients (this one plus
   * worker threads), used from 64k rows up. The model depends on it only through float rounding
   * of histogram sums, never on timing.
   */
  numThreads: number;
}

export const DEFAULT_GBDT_PARAMS: Readonly<Omit<GbdtParams, 'objective'>> = Object.freeze({
  numIterations: 100,
  learningRate: 0.1,
  maxLeaves: 31,
  maxDepth: -1,
  growth: 'leafwise',
  minChildWeight: 1e-3,
  minDataInLeaf: 20,
  lambdaL2: 0,
  maxBins: 255,
  featureFraction: 1,
  baggingFraction: 1,
  baggingFreq: 0,
  seed: 42,
  numThreads: 2,
});

export interface GbdtProgress {
  /** 1-based iteration that just finished. */
  iteration: number;
  iterations: number;
  /** Log loss (binary), RMSE (regression) or multi-class log loss on the training rows. */
  trainLoss: number;
  validLoss?: number;
}

export interface GbdtTrainingHooks {
  onProgress?(progress: GbdtProgress): void;
  /** Aborting stops training between iterations; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** Worker threads pay off only when histograms are large. */
const MIN_ROWS_FOR_WORKERS = 1 << 16;

/** Depth-wise growth without an explicit leaf cap still needs a bound on per-leaf buffers. */
const MAX_LEAVES_CAP = 1 << 17;

/**
 * Gradient-boosted decision trees with LightGBM's histogram algorithm: quantile bins fitted on
 * the training data (missing values in a bin of their own, with a learned default direction at
 * every split), gradient/hessian histograms per leaf with the subtraction trick, Newton leaf
 * values `-G/(H+λ)`. Deterministic: the same data, params and seed give the same model.
 */
export async function trainGbdt(
  dataset: Dataset,
  params: Partial<GbdtParams> & Pick<GbdtParams, 'objective'>,
  hooks: GbdtTrainingHooks = {},
): Promise<GbdtModel> {
  const p = resolveGbdtParams(params);
  const numClass = p.objective === 'multiclass' ? (p.numClass as number) : 1;
  assertTrainable(dataset, p.objective, numClass, 'dataset');
  if (p.validation) {
    assertTrainable(p.validation, p.objective, numClass, 'validation');
    if (p.validation.features.join('\u0000') !== dataset.features.join('\u0000')) {
      throw new MlError('invalid_dataset', 'validation must have the same features, in the same order, as the dataset');
    }
  }
  hooks.signal?.throwIfAborted();

  const edges = fitBinEdges(dataset.columns, p.maxBins, p.seed);
  const n = dataset.rowCount;
  const threaded = p.numThreads > 1 && n >= MIN_ROWS_FOR_WORKERS;
  const train = binRows(dataset.columns, edges, { keepColumns: true, shared: threaded });
  const threads = threaded ? p.numThreads : 1;
  // histograms by the WebAssembly kernel where this runtime has it (the slots move to its memory)
  const wasm = moveToWasmMemory(train, threads);
  const pairs = wasm ? wasmGradientPairs(wasm, n) : undefined;
  const grad = sharedFloat64(n, threaded);
  const hess = sharedFloat64(n, threaded);
  const rows = wasm ? wasmRows(wasm, n) : sharedUint32(n, threaded);
  const scratch = sharedUint32(n, threaded);
  const sideTable = new Uint8Array(threaded ? new SharedArrayBuffer(sideTableLength(train)) : new ArrayBuffer(sideTableLength(train)));
  const objective = boostingObjective(p.objective, numClass);
  const baseScores = objective.baseScores(dataset.label);
  const scores = filledScores(n, baseScores, threaded);
  // a binary model's gradients are computed on every thread: the labels and scores shared too
  const threadedGradients = threaded && p.objective === 'binary';
  const label = threadedGradients ? sharedFloat64(n, true) : undefined;
  label?.set(dataset.label);
  const pool = threaded
    ? new HistogramWorkerPool(
        {
          data: train,
          grad,
          hess,
          rows,
          label,
          scores: threadedGradients ? scores : undefined,
          scratch,
          side: sideTable,
          wasm,
          pairs,
          leaves: threadedGradients ? sharedFloat64(3 * p.maxLeaves, true) : undefined,
        },
        threads,
      )
    : undefined;
  try {
    const kernel = wasm && !pool ? new WasmHistogramKernel(wasm, 0) : undefined;
    const learner = new TreeLearner(train, edges, treeParams(p), { rows, scratch, sideTable, pool, kernel });
    const gradients = (c: number) => {
      if (threadedGradients) pool!.binaryGradients();
      else {
        objective.gradients(dataset.label, scores, c, grad, hess);
        if (pairs) interleaveGradients(grad, hess, pairs);
      }
    };
    // a binary model's leaf values are added to the scores on every thread too
    const addLeafValues = threadedGradients
      ? (grown: GrownTree) => pool!.addLeafValues(grown.leafStart, grown.leafEnd, grown.tree.leafValue)
      : undefined;
    return await boost(
      dataset,
      p,
      numClass,
      edges,
      learner,
      { train, grad, hess, objective, baseScores, scores, gradients, addLeafValues },
      hooks,
    );
  } finally {
    await pool?.close();
  }
}

function treeParams(p: GbdtParams): TreeLearnerParams {
  const { growth, maxLeaves, maxDepth, minChildWeight, minDataInLeaf, lambdaL2 } = p;
  return { growth, maxLeaves, maxDepth, minChildWeight, minDataInLeaf, lambdaL2 };
}

/**
 * The boosting loop: gradients, one tree per class, score updates, validation, early stopping.
 * `gradients(c)` fills the gradients (and hessians) of class c where the histogram kernel reads
 * them: the objective's, or the pool's threads'.
 */
async function boost(
  dataset: Dataset,
  p: GbdtParams,
  numClass: number,
  edges: BinEdges,
  learner: TreeLearner,
  state: {
    train: BinnedRows;
    grad: Float64Array;
    hess: Float64Array;
    objective: BoostingObjective;
    baseScores: number[];
    scores: Float64Array;
    gradients: (classIndex: number) => void;
    /** replaces `addTreeByLeafRanges` when every row is in the tree (no bagging) */
    addLeafValues?: (grown: GrownTree) => void;
  },
  hooks: GbdtTrainingHooks,
): Promise<GbdtModel> {
  const { train, grad, hess, objective, baseScores, scores } = state;
  const valid = p.validation ? binRows(p.validation.columns, edges) : undefined;
  const n = dataset.rowCount;
  const validScores = valid ? filledScores(valid.rowCount, baseScores) : undefined;
  const featureRng = createRng(p.seed ^ 0x5eed);
  const bagRng = createRng(p.seed ^ 0xba9);
  const bagging = p.baggingFraction < 1 && p.baggingFreq > 0;
  let bag = identityRows(n);

  const trees: GbdtTree[] = [];
  let bestIteration = 0;
  let bestValidLoss = Infinity;
  for (let iteration = 1; iteration <= p.numIterations; iteration++) {
    // Yielding each iteration lets an abort (or anything else on the event loop) land.
    await new Promise<void>((resolve) => setImmediate(resolve));
    hooks.signal?.throwIfAborted();
    if (bagging && (iteration - 1) % p.baggingFreq === 0) bag = drawBag(n, p.baggingFraction, bagRng);

    objective.prepare(scores);
    // Every class's tree of one iteration learns from the same scores (LightGBM does the same).
    const iterationTrees = [];
    for (let c = 0; c < numClass; c++) {
      state.gradients(c);
      learner.rows.set(bag);
      const mask = featureMask(dataset.features.length, p.featureFraction, featureRng);
      iterationTrees.push(learner.grow(grad, hess, bag.length, mask, p.learningRate, c));
      const grown = iterationTrees[c];
      if (bagging) addTreeByBins(grown, train, scores, numClass);
      else if (state.addLeafValues) state.addLeafValues(grown);
      else addTreeByLeafRanges(grown, learner.rows, scores, numClass);
      trees.push(grown.tree);
    }
    let validLoss: number | undefined;
    if (valid && validScores && p.validation) {
      for (const grown of iterationTrees) addTreeByBins(grown, valid, validScores, numClass);
      validLoss = objective.loss(p.validation.label, validScores);
    }
    if (hooks.onProgress) {
      const trainLoss = objective.loss(dataset.label, scores);
      if (!Number.isFinite(trainLoss)) {
        throw new MlError('invalid_params', `training diverged at iteration ${iteration}; lower learningRate`);
      }
      hooks.onProgress({ iteration, iterations: p.numIterations, trainLoss, validLoss });
    }
    if (p.earlyStoppingRounds === undefined || validLoss === undefined) {
      bestIteration = iteration;
    } else if (validLoss < bestValidLoss) {
      bestValidLoss = validLoss;
      bestIteration = iteration;
    } else if (iteration - bestIteration >= p.earlyStoppingRounds) {
      break;
    }
  }

  const kept = trees.slice(0, bestIteration * numClass);
  return {
    kind: 'gbdt',
    objective: p.objective,
    features: [...dataset.features],
    numClass,
    baseScores,
    trees: kept,
    bestIteration,
    featureImportance: featureImportance(kept, dataset.features.length),
  };
}

function filledScores(rowCount: number, baseScores: number[], shared = false): Float64Array {
  const k = baseScores.length;
  const scores = sharedFloat64(rowCount * k, shared);
  for (let i = 0; i < rowCount; i++) for (let c = 0; c < k; c++) scores[i * k + c] = baseScores[c];
  return scores;
}

function identityRows(n: number): Uint32Array {
  const rows = new Uint32Array(n);
  for (let i = 0; i < n; i++) rows[i] = i;
  return rows;
}

/** Each row in the bag with probability `fraction` (at least one row), in ascending order. */
function drawBag(n: number, fraction: number, rng: Rng): Uint32Array {
  const rows = new Uint32Array(n);
  let count = 0;
  for (let i = 0; i < n; i++) if (rng() < fraction) rows[count++] = i;
  if (count === 0) rows[count++] = Math.floor(rng() * n);
  return rows.slice(0, count);
}

/** `round(fraction · F)` features (at least one) drawn without replacement. */
function featureMask(featureCount: number, fraction: number, rng: Rng): Uint8Array {
  const mask = new Uint8Array(featureCount);
  if (fraction >= 1) return mask.fill(1);
  const picked = Math.max(1, Math.round(fraction * featureCount));
  const order = Array.from({ length: featureCount }, (_, j) => j);
  for (let k = 0; k < picked; k++) {
    const swap = k + Math.floor(rng() * (featureCount - k));
    [order[k], order[swap]] = [order[swap], order[k]];
    mask[order[k]] = 1;
  }
  return mask;
}

function featureImportance(trees: GbdtTree[], featureCount: number): GbdtModel['featureImportance'] {
  const gain = new Array<number>(featureCount).fill(0);
  const split = new Array<number>(featureCount).fill(0);
  for (const tree of trees) {
    tree.feature.forEach((f, node) => {
      gain[f] += tree.gain[node];
      split[f] += 1;
    });
  }
  return { gain, split };
}

/** Defaults filled in and every value checked, with a message a person can act on. */
export function resolveGbdtParams(params: Partial<GbdtParams> & Pick<GbdtParams, 'objective'>): GbdtParams & { maxLeaves: number } {
  const given = dropUndefined(params);
  const resolved: GbdtParams = { ...DEFAULT_GBDT_PARAMS, ...given, objective: params.objective };
  const { objective, numClass, growth, maxDepth } = resolved;
  if (!['binary', 'regression', 'multiclass'].includes(objective)) {
    throw new MlError('invalid_params', `objective must be binary, regression or multiclass, got ${String(objective)}`);
  }
  if (objective === 'multiclass') {
    if (!(Number.isInteger(numClass) && (numClass as number) >= 2)) {
      throw invalidParam('numClass', numClass, 'an integer ≥ 2 for multiclass');
    }
  } else if (numClass !== undefined && numClass !== 1) {
    throw invalidParam('numClass', numClass, `1 or absent for ${objective}`);
  }
  if (growth !== 'leafwise' && growth !== 'depthwise') {
    throw new MlError('invalid_params', `growth must be leafwise or depthwise, got ${String(growth)}`);
  }
  if (!(Number.isInteger(maxDepth) && (maxDepth === -1 || maxDepth >= 1))) {
    throw invalidParam('maxDepth', maxDepth, '-1 (unlimited) or a positive integer');
  }
  if (growth === 'depthwise' && given.maxLeaves === undefined && maxDepth > 0) {
    resolved.maxLeaves = Math.min(2 ** maxDepth, MAX_LEAVES_CAP);
  }
  checkInteger(resolved, 'numIterations', 1);
  checkInteger(resolved, 'maxLeaves', 2, MAX_LEAVES_CAP);
  checkInteger(resolved, 'minDataInLeaf', 1);
  checkInteger(resolved, 'maxBins', 2, 65535);
  checkInteger(resolved, 'baggingFreq', 0);
  checkInteger(resolved, 'seed', -(2 ** 31), 2 ** 32 - 1);
  checkInteger(resolved, 'numThreads', 1, 64);
  if (resolved.earlyStoppingRounds !== undefined) {
    checkInteger(resolved, 'earlyStoppingRounds', 1);
    if (!resolved.validation) throw new MlError('invalid_params', 'earlyStoppingRounds needs a validation dataset');
  }
  const { learningRate, minChildWeight, lambdaL2, featureFraction, baggingFraction } = resolved;
  if (!(learningRate > 0 && Number.isFinite(learningRate))) throw invalidParam('learningRate', learningRate, 'a positive number');
  if (!(minChildWeight >= 0 && Number.isFinite(minChildWeight))) {
    throw invalidParam('minChildWeight', minChildWeight, 'a non-negative number');
  }
  if (!(lambdaL2 >= 0 && Number.isFinite(lambdaL2))) throw invalidParam('lambdaL2', lambdaL2, 'a non-negative number');
  if (!(featureFraction > 0 && featureFraction <= 1)) throw invalidParam('featureFraction', featureFraction, 'in (0, 1]');
  if (!(baggingFraction > 0 && baggingFraction <= 1)) throw invalidParam('baggingFraction', baggingFraction, 'in (0, 1]');
  return resolved;
}

type IntegerParam =
  'numIterations' | 'maxLeaves' | 'minDataInLeaf' | 'maxBins' | 'baggingFreq' | 'seed' | 'earlyStoppingRounds' | 'numThreads';

function checkInteger(params: GbdtParams, name: IntegerParam, min: number, max = Number.MAX_SAFE_INTEGER): void {
  const value = params[name];
  if (!(Number.isInteger(value) && (value as number) >= min && (value as number) <= max)) {
    throw invalidParam(name, value, `an integer in [${min}, ${max}]`);
  }
}

function dropUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function invalidParam(name: string, value: unknown, expected: string): MlError {
  return new MlError('invalid_params', `${name} must be ${expected}, got ${String(value)}`);
}

function assertTrainable(dataset: Dataset, objective: GbdtObjective, numClass: number, what: string): void {
  assertDataset(dataset);
  if (dataset.features.length === 0) throw new MlError('invalid_dataset', `${what} has no features`);
  if (dataset.rowCount === 0) throw new MlError('invalid_dataset', `${what} has no rows`);
  dataset.label.forEach((y, i) => {
    const ok =
      objective === 'binary'
        ? y === 0 || y === 1
        : objective === 'multiclass'
          ? Number.isInteger(y) && y >= 0 && y < numClass
          : Number.isFinite(y);
    if (!ok) {
      const expected = objective === 'binary' ? '0 or 1' : objective === 'multiclass' ? `a class index in 0..${numClass - 1}` : 'finite';
      throw new MlError('invalid_dataset', `${what} label must be ${expected}, got ${y} at row ${i}`);
    }
  });
  dataset.columns.forEach((column, j) => {
    // NaN means missing; an infinity has no bin to fall in that float32 inference would agree on.
    const i = column.findIndex((v) => v === Infinity || v === -Infinity);
    if (i >= 0) throw new MlError('invalid_dataset', `${what} feature "${dataset.features[j]}" is infinite at row ${i}`);
  });
}
