import { MlError } from '../ml.error';
import { createRng, permutation } from '../random/prng.util';
import { assertDataset, type Dataset, selectRows } from './dataset.types';

export interface DatasetSplit {
  train: Dataset;
  validation: Dataset;
}

/**
 * Out-of-time split: rows strictly before `cutoffMs` train, the rest validate. This is the split
 * that mirrors production (a model is always scored on data newer than what it learned from), so
 * it is the default for time-stamped training sets. Row order is preserved in both parts.
 */
export function timeSplit(dataset: Dataset, eventTimesMs: Float64Array, cutoffMs: number): DatasetSplit {
  assertDataset(dataset);
  if (eventTimesMs.length !== dataset.rowCount) {
    throw new MlError(
      'invalid_dataset',
      `eventTimesMs has ${eventTimesMs.length} values, expected rowCount ${dataset.rowCount}`,
    );
  }
  if (!Number.isFinite(cutoffMs)) throw new MlError('invalid_params', `cutoffMs must be finite, got ${cutoffMs}`);
  const train: number[] = [];
  const validation: number[] = [];
  for (let i = 0; i < eventTimesMs.length; i++) {
    const t = eventTimesMs[i];
    // A row without a time cannot be placed on either side of the cutoff; guessing would leak.
    if (Number.isNaN(t)) throw new MlError('invalid_dataset', `event time of row ${i} is missing`);
    (t < cutoffMs ? train : validation).push(i);
  }
  return { train: selectRows(dataset, train), validation: selectRows(dataset, validation) };
}

export interface RandomSplitOptions {
  /** Share of rows that go to validation, in (0, 1). */
  validationFraction: number;
  seed?: number;
}

/**
 * Seeded random split: exactly `round(rowCount * validationFraction)` rows validate. The same
 * seed always picks the same rows; each part keeps the original row order.
 */
export function randomSplit(dataset: Dataset, options: RandomSplitOptions): DatasetSplit {
  assertDataset(dataset);
  const { validationFraction, seed = 42 } = options;
  if (!(validationFraction > 0 && validationFraction < 1)) {
    throw new MlError('invalid_params', `validationFraction must be in (0, 1), got ${validationFraction}`);
  }
  const validationCount = Math.round(dataset.rowCount * validationFraction);
  const isValidation = new Uint8Array(dataset.rowCount);
  const order = permutation(dataset.rowCount, createRng(seed));
  for (let k = 0; k < validationCount; k++) isValidation[order[k]] = 1;

  const train: number[] = [];
  const validation: number[] = [];
  for (let i = 0; i < dataset.rowCount; i++) (isValidation[i] ? validation : train).push(i);
  return { train: selectRows(dataset, train), validation: selectRows(dataset, validation) };
}
