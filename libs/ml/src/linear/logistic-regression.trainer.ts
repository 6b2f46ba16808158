import type { Dataset } from '../dataset/dataset.types';
import { MlError } from '../ml.error';
import { fitMultinomialWeightsFullBatch } from './linear-full-batch.fit';
import { fitLinearWeights } from './linear-model.fit';
import { DEFAULT_LINEAR_MODEL_PARAMS, type LinearModelParams, resolveLinearParams } from './linear-model.params';
import type { LogisticRegressionModel, MultinomialLogisticRegressionModel } from './logistic-regression.model';
import { fitStandardizer } from './standardizer.fit';
import {
  assertBinaryLabel,
  assertClassLabel,
  assertTrainableFeatures,
  baseRateLogit,
  invalidParam,
  type TrainingHooks,
} from './training-input.util';

export type { TrainingHooks, TrainingProgress } from './training-input.util';

/** `l2` weighs Σw², `l1` weighs Σ|w| (both: elastic net); the bias is never penalised. */
export type LogisticRegressionParams = LinearModelParams;

export const DEFAULT_LOGISTIC_REGRESSION_PARAMS: Readonly<LogisticRegressionParams> = DEFAULT_LINEAR_MODEL_PARAMS;

/**
 * Binary logistic regression. Features are standardised with statistics of this training data
 * only and missing values imputed with the training mean, so the returned model carries its own
 * preprocessing. The default solver, `lbfgs`, minimises mean log loss + penalties with L-BFGS
 * (OWL-QN with `l1`) on the whole training set in float64: the same data give the same weights.
 * `adam` trains with (proximal) Adam on seeded mini-batches on the fastest TensorFlow.js backend,
 * as earlier releases did; on deterministic backends (cpu, wasm) it repeats for a seed.
 */
export async function trainLogisticRegression(
  dataset: Dataset,
  params: Partial<LogisticRegressionParams> = {},
  hooks: TrainingHooks = {},
): Promise<LogisticRegressionModel> {
  const resolved = resolveLinearParams(DEFAULT_LOGISTIC_REGRESSION_PARAMS, params);
  assertTrainableFeatures(dataset);
  assertBinaryLabel(dataset.label);
  hooks.signal?.throwIfAborted();

  const standardizer = fitStandardizer(dataset.columns);
  // Starting the bias at the log-odds of the base rate skips the iterations an imbalanced label
  // would otherwise spend finding it.
  const { weights, bias, backend } = await fitLinearWeights(
    { dataset, standardizer, target: dataset.label, loss: 'logistic', initialBias: baseRateLogit(dataset.label) },
    resolved,
    hooks,
  );
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

export interface MultinomialLogisticRegressionParams extends LogisticRegressionParams {
  /** Number of classes (at least 2); the labels are class indices 0..numClass-1. */
  numClass: number;
}

/**
 * Multinomial (softmax) logistic regression over the classes 0..numClass-1: one weight row and
 * bias per class, fitted together on mean cross-entropy + penalties with L-BFGS (OWL-QN with
 * `l1`) on the whole training set in float64, after the same preprocessing as the binary model
 * (standardise on this training data, missing values at the training mean). Deterministic. Only
 * the `lbfgs` solver: `adam` is refused. A class without training rows is allowed (a partition
 * may lack one); its probability tends to 0.
 */
export async function trainMultinomialLogisticRegression(
  dataset: Dataset,
  { numClass, ...params }: Partial<LogisticRegressionParams> & Pick<MultinomialLogisticRegressionParams, 'numClass'>,
  hooks: TrainingHooks = {},
): Promise<MultinomialLogisticRegressionModel> {
  const resolved = resolveLinearParams(DEFAULT_LOGISTIC_REGRESSION_PARAMS, params);
  if (!(Number.isInteger(numClass) && numClass >= 2)) throw invalidParam('numClass', numClass, 'an integer ≥ 2 for multi-class');
  if (resolved.solver !== 'lbfgs') {
    throw new MlError(
      'invalid_params',
      `multi-class logistic regression trains with solver "lbfgs" only (the default: deterministic, float64, to the optimum); "${resolved.solver}" fits binary logistic regression`,
    );
  }
  assertTrainableFeatures(dataset);
  assertClassLabel(dataset.label, numClass);
  hooks.signal?.throwIfAborted();

  const standardizer = fitStandardizer(dataset.columns);
  const { weights, biases } = await fitMultinomialWeightsFullBatch(
    { dataset, standardizer, target: dataset.label },
    numClass,
    resolved,
    hooks,
  );
  return {
    kind: 'logistic_regression',
    task: 'multiclass',
    features: [...dataset.features],
    means: standardizer.means,
    scales: standardizer.scales,
    weights,
    biases,
    backend: 'typescript',
  };
}
