import type { Dataset } from '../dataset/dataset.types';
import { fitLinearWeights } from './linear-model.fit';
import { DEFAULT_LINEAR_MODEL_PARAMS, type LinearModelParams, resolveLinearParams } from './linear-model.params';
import type { LinearRegressionModel } from './linear-regression.model';
import { fitStandardizer } from './standardizer.fit';
import { assertFiniteLabel, assertTrainableFeatures, type TrainingHooks } from './training-input.util';

/**
 * `l2` weighs Σw², `l1` weighs Σ|w| (both: elastic net). The loss is ½·mean squared error of the
 * *standardised* label, so penalties mean the same whatever the label's units (as in glmnet).
 */
export type LinearRegressionParams = LinearModelParams;

export const DEFAULT_LINEAR_REGRESSION_PARAMS: Readonly<LinearRegressionParams> = DEFAULT_LINEAR_MODEL_PARAMS;

/**
 * Least-squares linear regression (ridge / lasso / elastic net with `l2`, `l1`). Features and
 * label are standardised with this training data's statistics, missing features imputed with the
 * training mean; the returned model folds the label scaling back in, so it predicts in the label's
 * units. The default solver, `lbfgs`, solves the normal equations exactly (Cholesky) without
 * `l1`, and with it runs OWL-QN on the same Gram matrix (up to 256 features; wider data run
 * L-BFGS / OWL-QN over the rows). `adam` is (proximal) Adam on seeded mini-batches, like
 * `trainLogisticRegression`'s.
 */
export async function trainLinearRegression(
  dataset: Dataset,
  params: Partial<LinearRegressionParams> = {},
  hooks: TrainingHooks = {},
): Promise<LinearRegressionModel> {
  const resolved = resolveLinearParams(DEFAULT_LINEAR_REGRESSION_PARAMS, params);
  assertTrainableFeatures(dataset);
  assertFiniteLabel(dataset.label);
  hooks.signal?.throwIfAborted();

  const standardizer = fitStandardizer(dataset.columns);
  const {
    means: [labelMean],
    scales: [labelScale],
  } = fitStandardizer([dataset.label]);
  const target = dataset.label.map((y) => (y - labelMean) / labelScale);
  const { weights, bias, backend } = await fitLinearWeights(
    { dataset, standardizer, target, loss: 'squared', initialBias: 0 },
    resolved,
    hooks,
  );
  return {
    kind: 'linear_regression',
    features: [...dataset.features],
    means: standardizer.means,
    scales: standardizer.scales,
    weights: weights.map((w) => w * labelScale),
    bias: bias * labelScale + labelMean,
    backend,
  };
}
