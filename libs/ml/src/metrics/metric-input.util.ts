import { MlError } from '../ml.error';

export type Values = ArrayLike<number>;

/** Labels must be 0/1 and scores real numbers; a NaN here is a bug upstream, not a missing value. */
export function assertBinaryInput(y: Values, p: Values): void {
  assertPairedInput(y, p);
  for (let i = 0; i < y.length; i++) {
    if (y[i] !== 0 && y[i] !== 1) throw new MlError('invalid_metric_input', `label must be 0 or 1, got ${y[i]} at ${i}`);
    if (Number.isNaN(p[i])) throw new MlError('invalid_metric_input', `score is NaN at ${i}`);
  }
}

export function assertProbabilities(p: Values): void {
  for (let i = 0; i < p.length; i++) {
    if (!(p[i] >= 0 && p[i] <= 1)) {
      throw new MlError('invalid_metric_input', `probability must be in [0, 1], got ${p[i]} at ${i}`);
    }
  }
}

export function assertPairedInput(y: Values, p: Values): void {
  if (y.length !== p.length) {
    throw new MlError('invalid_metric_input', `y has ${y.length} values but predictions have ${p.length}`);
  }
  if (y.length === 0) throw new MlError('invalid_metric_input', 'metrics need at least one row');
}

export function mean(values: Values): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return sum / values.length;
}

/**
 * Sum in numpy's order (pairwise summation, 8-way unrolled blocks of up to 128 values), so a mean
 * over terms of very different sizes (MAPE with zero targets) rounds exactly as numpy's does.
 */
export function numpySum(values: Values, start = 0, length = values.length - start): number {
  if (length < 8) {
    let sum = 0;
    for (let i = start; i < start + length; i++) sum += values[i];
    return sum;
  }
  if (length <= 128) {
    const r = [0, 1, 2, 3, 4, 5, 6, 7].map((j) => values[start + j]);
    let i = 8;
    for (; i < length - (length % 8); i += 8) {
      for (let j = 0; j < 8; j++) r[j] += values[start + i + j];
    }
    let sum = r[0] + r[1] + (r[2] + r[3]) + (r[4] + r[5] + (r[6] + r[7]));
    for (; i < length; i++) sum += values[start + i];
    return sum;
  }
  let half = Math.floor(length / 2);
  half -= half % 8;
  return numpySum(values, start, half) + numpySum(values, start + half, length - half);
}
