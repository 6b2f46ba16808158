import { MlError } from '../ml.error';
import { assertPairedInput, numpySum, type Values } from './metric-input.util';

/**
 * Regression metrics, equal to sklearn's root_mean_squared_error, mean_absolute_error, r2_score and
 * mean_absolute_percentage_error.
 */

export function rmse(y: Values, prediction: Values): number {
  assertPairedInput(y, prediction);
  let sum = 0;
  for (let i = 0; i < y.length; i++) sum += (y[i] - prediction[i]) ** 2;
  return Math.sqrt(sum / y.length);
}

export function mae(y: Values, prediction: Values): number {
  assertPairedInput(y, prediction);
  let sum = 0;
  for (let i = 0; i < y.length; i++) sum += Math.abs(y[i] - prediction[i]);
  return sum / y.length;
}

/**
 * Coefficient of determination. For a constant y, sklearn's force_finite rule: 1 for a perfect
 * prediction, otherwise 0 (instead of ±Infinity or NaN, which would break dashboards and alerts).
 */
export function r2(y: Values, prediction: Values): number {
  assertPairedInput(y, prediction);
  let yMean = 0;
  for (let i = 0; i < y.length; i++) yMean += y[i];
  yMean /= y.length;
  let residual = 0;
  let total = 0;
  for (let i = 0; i < y.length; i++) {
    residual += (y[i] - prediction[i]) ** 2;
    total += (y[i] - yMean) ** 2;
  }
  if (total === 0) return residual === 0 ? 1 : 0;
  return 1 - residual / total;
}

/**
 * Mean absolute percentage error as a fraction (0.1 = 10 %), sklearn's
 * mean_absolute_percentage_error: mean of |y − prediction| / max(|y|, ε), ε the float64 machine
 * epsilon — a zero target with a wrong prediction gives a huge but finite error (about 4.5e15 per
 * unit of error), an exact one 0. Summed in numpy's order so even such values match sklearn exactly.
 */
export function mape(y: Values, prediction: Values): number {
  assertPairedInput(y, prediction);
  const terms = new Float64Array(y.length);
  for (let i = 0; i < y.length; i++) {
    if (Number.isNaN(y[i]) || Number.isNaN(prediction[i])) {
      throw new MlError('invalid_metric_input', `NaN at ${i}`);
    }
    terms[i] = Math.abs(prediction[i] - y[i]) / Math.max(Math.abs(y[i]), Number.EPSILON);
  }
  return numpySum(terms) / y.length;
}
