import type { Dataset } from '../dataset/dataset.types';
import { selectTfBackend } from '../tf/tf-backend.loader';
import { DEFAULT_LINEAR_MODEL_PARAMS, fitLinearWeights, type LinearModelParams, resolveLinearParams } from './linear-model.fit';
import type { LogisticRegressionModel } from './logistic-regression.model';
import { fitStandardizer } from './standardizer.fit';
import { assertBinaryLabel, assertTrainableFeatures, baseRateLogit, type TrainingHooks } from './training-input.util';

export type { TrainingHooks, TrainingProgress } from './training-input.util';

/** `l2` weighs Σw², `l1` weighs Σ|w| (both: elastic net); the bias is never penalised. */
export type LogisticRegressionParams = LinearModelParams;

export const DEFAULT_LOGISTIC_REGRESSION_PARAMS: Readonly<LogisticRegressionParams> = DEFAULT_LINEAR_MODEL_PARAMS;

/**
 * Binary logistic regression trained with (proximal) Adam on mini-batches, on the fastest
 * TensorFlow.js backend available. Features are standardised with statistics of this training
 * data only and missing values imputed with the training mean, so the returned model carries its
 * own preprocessing. Given the same data and seed, weight initialisation and batch order are
 * identical; on deterministic backends (cpu, wasm) so are the weights.
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

  const { backend } = await selectTfBackend();
  const standardizer = fitStandardizer(dataset.columns);
  // Starting the bias at the log-odds of the base rate skips the epochs an imbalanced label
  // would otherwise spend finding it.
  const { weights, bias } = await fitLinearWeights(
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
