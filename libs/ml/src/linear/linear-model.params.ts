import type { Dataset } from '../dataset/dataset.types';
import type { Standardizer } from './standardizer.fit';
import { assertOptimizerParams, assertPenalty, invalidParam, type OptimizerParams, withDefaults } from './training-input.util';

/**
 * `lbfgs`: deterministic full-batch solvers on Float64Array — L-BFGS, OWL-QN with `l1`, and for
 * least squares the exact normal equations (OWL-QN on the Gram matrix with `l1`). `adam`:
 * TensorFlow.js Adam on seeded mini-batches (proximal with `l1`), the solver of earlier releases.
 */
export type LinearSolver = 'lbfgs' | 'adam';

export const LINEAR_SOLVERS: readonly LinearSolver[] = ['lbfgs', 'adam'];

export interface LinearModelParams extends OptimizerParams {
  /**
   * Weight of `sum(|w|)` added to the mean loss (with `l2`: elastic net); the bias is not
   * penalised. Useless features end at exactly 0 with either solver.
   */
  l1: number;
  /** `epochs`, `learningRate`, `batchSize` and `seed` apply to `adam` only; `maxIterations` and `tolerance` to `lbfgs`. */
  solver: LinearSolver;
  /** Most L-BFGS / OWL-QN iterations (the exact least-squares solve needs none). */
  maxIterations: number;
  /**
   * Converged once every partial derivative of the objective (for `l1`, its smallest
   * subgradient) is at most this in absolute value — scikit-learn's `tol` for lbfgs.
   */
  tolerance: number;
}

/** The defaults of both linear trainers (logistic and least-squares). */
export const DEFAULT_LINEAR_MODEL_PARAMS: Readonly<LinearModelParams> = Object.freeze({
  solver: 'lbfgs',
  maxIterations: 1000,
  tolerance: 1e-4,
  epochs: 20,
  learningRate: 0.05,
  batchSize: 1024,
  l2: 0,
  l1: 0,
  seed: 42,
});

/** Defaults filled in and every parameter checked; throws an `invalid_params` MlError. */
export function resolveLinearParams(defaults: Readonly<LinearModelParams>, params: Partial<LinearModelParams>): LinearModelParams {
  const resolved = withDefaults(defaults, params);
  assertOptimizerParams(resolved);
  assertPenalty('l1', resolved.l1);
  if (!LINEAR_SOLVERS.includes(resolved.solver)) throw invalidParam('solver', resolved.solver, `one of ${LINEAR_SOLVERS.join(', ')}`);
  if (!Number.isInteger(resolved.maxIterations) || resolved.maxIterations < 1) {
    throw invalidParam('maxIterations', resolved.maxIterations, 'a positive integer');
  }
  if (!(resolved.tolerance > 0 && Number.isFinite(resolved.tolerance)))
    throw invalidParam('tolerance', resolved.tolerance, 'a positive number');
  return resolved;
}

export type LinearLoss = 'logistic' | 'squared';

export interface FitLinearInput {
  dataset: Dataset;
  standardizer: Standardizer;
  /** What the linear score is fitted to: 0/1 labels (logistic) or a standardised target (squared). */
  target: Float64Array;
  loss: LinearLoss;
  initialBias: number;
}
