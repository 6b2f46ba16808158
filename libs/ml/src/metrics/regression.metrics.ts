import { assertPairedInput, type Values } from './metric-input.util';

/** Regression metrics, equal to sklearn's root_mean_squared_error, mean_absolute_error and r2_score. */

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
