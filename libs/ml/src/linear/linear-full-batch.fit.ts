import { MlError } from '../ml.error';
import { minimizeLbfgs, type SmoothObjective } from './lbfgs.solver';
import { type DesignMatrix, designMatrix, linearObjective } from './linear.objective';
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
  const l1 = params.l1 > 0 ? new Float64Array(featureCount + 1).fill(params.l1).fill(0, featureCount) : undefined;
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
