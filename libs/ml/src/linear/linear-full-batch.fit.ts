import { MlError } from '../ml.error';
import { minimizeLbfgs, type SmoothObjective } from './lbfgs.solver';
import { type DesignMatrix, designMatrix, linearObjective, softmaxObjective } from './linear.objective';
import type { FitLinearInput, LinearModelParams } from './linear-model.params';
import { gramObjective, gramSystem, solveRidge } from './normal-equations.solver';
import { eventLoopYielder, type TrainingHooks } from './training-input.util';

/**
 * Least squares uses the normal equations up to this many features: forming the Gram matrix
 * costs n·F²/2 products, one L-BFGS evaluation 2·n·F, so beyond it a few dozen iterations are cheaper.
 */
export const NORMAL_EQUATIONS_MAX_FEATURES = 256;

/**
 * The `lbfgs` solver: weights and bias of `score = x_std · w + b` minimising mean loss +
 * l2·Σw² + l1·Σ|w| (the bias never penalised) on the standardised training matrix, built once.
 * Logistic loss: L-BFGS, or OWL-QN with `l1`, from w = 0 and the given bias. Squared loss with up
 * to NORMAL_EQUATIONS_MAX_FEATURES features: one pass builds the Gram matrix, then the exact
 * normal equations (Cholesky), or with `l1` OWL-QN on the quadratic it defines, which touches no
 * rows; wider data go the L-BFGS way on the rows too. Deterministic.
 */
export async function fitLinearWeightsFullBatch(
  input: FitLinearInput,
  params: LinearModelParams,
  hooks: TrainingHooks,
): Promise<{ weights: number[]; bias: number }> {
  const design = designMatrix(input.dataset, input.standardizer);
  const theta =
    input.loss === 'squared' && design.featureCount <= NORMAL_EQUATIONS_MAX_FEATURES
      ? await leastSquaresOnGram(design, input.target, params, hooks)
      : await quasiNewton(design, input, params, hooks);
  if (!theta.every(Number.isFinite)) throw new MlError('invalid_params', 'training produced non-finite weights; add some l2');
  // `+ 0` turns a −0 into 0, so a zeroed weight reads as 0.
  return { weights: Array.from(theta.subarray(0, design.featureCount), (w) => w + 0), bias: theta[design.featureCount] };
}

/**
 * The `lbfgs` solver for multinomial logistic regression: K weight rows and K biases of the class
 * scores `z_k = x_std · w_k + b_k` minimising mean softmax cross-entropy + l2·ΣW² + l1·Σ|W| (the
 * biases never penalised) with L-BFGS, or OWL-QN with `l1`, from W = 0 and biases at the log class
 * frequencies. Deterministic.
 *
 * Adding one vector to every row of W, or one number to every bias, changes no probability, so the
 * result is put in one canonical form: biases centred on 0 and, without `l1` (with it, centring
 * could raise the penalty), each feature's weights too. With `l2` the optimum already is centred;
 * without a penalty it is the form scikit-learn's multinomial fit from 0 ends in too.
 */
export async function fitMultinomialWeightsFullBatch(
  { dataset, standardizer, target }: Pick<FitLinearInput, 'dataset' | 'standardizer' | 'target'>,
  numClass: number,
  params: LinearModelParams,
  hooks: TrainingHooks,
): Promise<{ weights: number[][]; biases: number[] }> {
  const design = designMatrix(dataset, standardizer);
  const weightCount = numClass * design.featureCount;
  const start = new Float64Array(weightCount + numClass);
  start.set(centred(logClassFrequencies(target, numClass)), weightCount);
  const theta = await lbfgsFrom(softmaxObjective(design, target, numClass, params.l2), start, weightCount, params, hooks);
  if (!theta.every(Number.isFinite)) throw new MlError('invalid_params', 'training produced non-finite weights; add some l2');
  const rows = Array.from({ length: numClass }, (_, k) => theta.subarray(k * design.featureCount, (k + 1) * design.featureCount));
  const weights = params.l1 > 0 ? rows.map((row) => Array.from(row)) : centredColumns(rows);
  // `+ 0` turns a −0 into 0, so a zeroed weight reads as 0.
  return { weights: weights.map((row) => row.map((w) => w + 0)), biases: centred(theta.subarray(weightCount)) };
}

/** Log of each class's share of the rows, floored so a class without rows starts from a finite bias. */
function logClassFrequencies(target: Float64Array, numClass: number): number[] {
  const counts = new Array<number>(numClass).fill(0);
  for (const y of target) counts[y]++;
  return counts.map((count) => Math.log(Math.max(count / target.length, 1e-6)));
}

function centred(values: ArrayLike<number>): number[] {
  const list = Array.from(values);
  const mean = list.reduce((sum, v) => sum + v, 0) / list.length;
  return list.map((v) => v - mean);
}

/** Each column of the K×F rows minus its mean over the classes. */
function centredColumns(rows: Float64Array[]): number[][] {
  const means = Array.from(rows[0], (_, j) => rows.reduce((sum, row) => sum + row[j], 0) / rows.length);
  return rows.map((row) => Array.from(row, (w, j) => w - means[j]));
}

async function quasiNewton(
  design: DesignMatrix,
  { target, loss, initialBias }: FitLinearInput,
  params: LinearModelParams,
  hooks: TrainingHooks,
): Promise<Float64Array> {
  return lbfgsFromZero(linearObjective(design, target, loss, params.l2), design.featureCount, initialBias, params, hooks);
}

/** L-BFGS (OWL-QN with `l1`) over θ = [w…, b] from w = 0; progress once per iteration. */
async function lbfgsFromZero(
  objective: SmoothObjective,
  featureCount: number,
  initialBias: number,
  params: LinearModelParams,
  hooks: TrainingHooks,
): Promise<Float64Array> {
  const start = new Float64Array(featureCount + 1);
  start[featureCount] = initialBias;
  return lbfgsFrom(objective, start, featureCount, params, hooks);
}

/** L-BFGS (OWL-QN with `l1` on the first `penalised` entries of θ, the weights) from `start`. */
async function lbfgsFrom(
  objective: SmoothObjective,
  start: Float64Array,
  penalised: number,
  params: LinearModelParams,
  hooks: TrainingHooks,
): Promise<Float64Array> {
  const l1 = params.l1 > 0 ? new Float64Array(start.length).fill(params.l1).fill(0, penalised) : undefined;
  const { x } = await minimizeLbfgs(
    objective,
    start,
    { maxIterations: params.maxIterations, tolerance: params.tolerance, l1 },
    { signal: hooks.signal, onIteration: (epoch, loss) => hooks.onProgress?.({ epoch, epochs: params.maxIterations, loss, unit: 'iteration' }) },
  );
  return x;
}

/** Least squares from the Gram matrix: one pass over the rows, then no more. */
async function leastSquaresOnGram(
  design: DesignMatrix,
  target: Float64Array,
  params: LinearModelParams,
  hooks: TrainingHooks,
): Promise<Float64Array> {
  const yieldToEventLoop = eventLoopYielder();
  const system = await gramSystem(design, target, async () => {
    hooks.signal?.throwIfAborted();
    await yieldToEventLoop();
  });
  hooks.signal?.throwIfAborted();
  if (params.l1 > 0) return lbfgsFromZero(gramObjective(system, params.l2), design.featureCount, 0, params, hooks);
  const theta = solveRidge(system, params.l2);
  hooks.onProgress?.({ epoch: 1, epochs: 1, loss: gramObjective(system, params.l2)(theta, new Float64Array(system.size)), unit: 'iteration' });
  return theta;
}
