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
