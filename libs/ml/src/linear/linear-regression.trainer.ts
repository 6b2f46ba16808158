import type { Dataset } from '../dataset/dataset.types';
import { selectTfBackend } from '../tf/tf-backend.loader';
import { DEFAULT_LINEAR_MODEL_PARAMS, fitLinearWeights, type LinearModelParams, resolveLinearParams } from './linear-model.fit';
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
 * Least-squares linear regression (ridge / lasso / elastic net with `l2`, `l1`) trained with
 * proximal Adam on mini-batches. Features and label are standardised with this training data's
 * statistics, missing features imputed with the training mean; the returned model folds the label
 * scaling back in, so it predicts in the label's units. Seeded like `trainLogisticRegression`.
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

  const { backend } = await selectTfBackend();
  const standardizer = fitStandardizer(dataset.columns);
  const {
    means: [labelMean],
    scales: [labelScale],
  } = fitStandardizer([dataset.label]);
  const target = dataset.label.map((y) => (y - labelMean) / labelScale);
  const fitted = await fitLinearWeights({ dataset, standardizer, target, loss: 'squared', initialBias: 0 }, resolved, hooks);
  return {
    kind: 'linear_regression',
    features: [...dataset.features],
    means: standardizer.means,
    scales: standardizer.scales,
    weights: fitted.weights.map((w) => w * labelScale),
    bias: fitted.bias * labelScale + labelMean,
    backend,
  };
}
