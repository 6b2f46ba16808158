import { MlError } from '../ml.error';
import { assertBinaryInput, assertProbabilities, mean, type Values } from './metric-input.util';

/**
 * Threshold metrics for binary classifiers. A row is predicted positive when its probability is
 * strictly greater than the threshold — the same rule as the ONNX `label` output (Greater).
 */

export interface ConfusionMatrix {
  tn: number;
  fp: number;
  fn: number;
  tp: number;
}

export interface PrecisionRecallF1 {
  precision: number;
  recall: number;
  f1: number;
}

export function confusionMatrix(y: Values, p: Values, threshold = 0.5): ConfusionMatrix {
  assertBinaryInput(y, p);
  const matrix: ConfusionMatrix = { tn: 0, fp: 0, fn: 0, tp: 0 };
  for (let i = 0; i < y.length; i++) {
    const predicted = p[i] > threshold;
    if (y[i] === 1) {
      if (predicted) matrix.tp++;
      else matrix.fn++;
    } else if (predicted) matrix.fp++;
    else matrix.tn++;
  }
  return matrix;
}

export function accuracy(y: Values, p: Values, threshold = 0.5): number {
  const { tn, fp, fn, tp } = confusionMatrix(y, p, threshold);
  return (tp + tn) / (tn + fp + fn + tp);
}

/** Like sklearn with zero_division=0: an undefined ratio (nothing predicted / no positives) is 0. */
export function precisionRecallF1(y: Values, p: Values, threshold = 0.5): PrecisionRecallF1 {
  const { fp, fn, tp } = confusionMatrix(y, p, threshold);
  return {
    precision: tp + fp > 0 ? tp / (tp + fp) : 0,
    recall: tp + fn > 0 ? tp / (tp + fn) : 0,
    // 2tp / (2tp + fp + fn) equals 2PR / (P + R) and stays exact in integers.
    f1: tp > 0 ? (2 * tp) / (2 * tp + fp + fn) : 0,
  };
}

/**
 * Mean binary cross-entropy, sklearn.metrics.log_loss: probabilities are clipped to
 * [ε, 1 − ε] with ε the float64 machine epsilon (scikit-learn ≥ 1.5), so a confident miss costs
 * about 36 nats instead of infinity.
 */
export function logLoss(y: Values, p: Values): number {
  assertBinaryInput(y, p);
  assertProbabilities(p);
  const eps = Number.EPSILON;
  const clip = (v: number): number => Math.min(Math.max(v, eps), 1 - eps);
  // sklearn clips the probability of the true class, i.e. p for y = 1 and (1 − p) for y = 0.
  const losses = Array.from(y, (label, i) => -Math.log(clip(label === 1 ? p[i] : 1 - p[i])));
  return mean(losses);
}

export interface CalibrationBin {
  /** Mean predicted probability of the rows in the bin. */
  meanPredicted: number;
  /** Observed share of positives in the bin. */
  fractionPositive: number;
  count: number;
}

/**
 * Reliability curve, sklearn.calibration.calibration_curve(strategy='uniform'): `bins` equal-width
 * bins over [0, 1] (a probability on an inner edge falls in the lower bin); empty bins are left out.
 */
export function calibrationCurve(y: Values, p: Values, bins = 10): CalibrationBin[] {
  assertBinaryInput(y, p);
  assertProbabilities(p);
  if (!Number.isInteger(bins) || bins < 1) {
    throw new MlError('invalid_metric_input', `bins must be a positive integer, got ${bins}`);
  }
  const sums = new Float64Array(bins);
  const positives = new Float64Array(bins);
  const counts = new Float64Array(bins);
  // k * (1 / bins), not k / bins: the same floats as numpy.linspace, so edge cases bin alike.
  const innerEdges = Array.from({ length: bins - 1 }, (_, k) => (k + 1) * (1 / bins));
  for (let i = 0; i < p.length; i++) {
    // Index of the first inner edge >= p (numpy.searchsorted, side='left').
    let bin = 0;
    while (bin < innerEdges.length && innerEdges[bin] < p[i]) bin++;
    sums[bin] += p[i];
    positives[bin] += y[i];
    counts[bin]++;
  }
  const curve: CalibrationBin[] = [];
  for (let b = 0; b < bins; b++) {
    if (counts[b] > 0) {
      curve.push({ meanPredicted: sums[b] / counts[b], fractionPositive: positives[b] / counts[b], count: counts[b] });
    }
  }
  return curve;
}
