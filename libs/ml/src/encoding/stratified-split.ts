import type { DatasetSplit } from '../dataset/dataset.split';
import { assertDataset, type Dataset, selectRows } from '../dataset/dataset.types';
import { MlError } from '../ml.error';
import { createRng, shuffleInPlace } from '../random/prng.util';

export interface StratifiedSplitOptions {
  /** Share of each label class that goes to validation, in (0, 1). */
  validationFraction: number;
  seed?: number;
}

export interface RowSplit {
  train: number[];
  validation: number[];
}

/**
 * Seeded stratified split of row indices: each distinct label value (a missing label is a class
 * of its own) sends `round(classCount × validationFraction)` of its rows to validation, so a rare
 * positive class keeps its rate on both sides. Both parts list rows in increasing order.
 * Works on raw label values, so raw columns can be split *before* encoders are fitted.
 */
export function stratifiedSplitRows(label: ArrayLike<number>, options: StratifiedSplitOptions): RowSplit {
  const { validationFraction, seed = 42 } = options;
  if (!(validationFraction > 0 && validationFraction < 1)) {
    throw new MlError('invalid_params', `validationFraction must be in (0, 1), got ${validationFraction}`);
  }
  const classes = new Map<number, number[]>();
  for (let i = 0; i < label.length; i++) {
    // NaN is not equal to itself, so it gets a stable key of its own.
    const key = Number.isNaN(label[i]) ? NaN : label[i];
    const rows = classes.get(key) ?? [];
    rows.push(i);
    classes.set(key, rows);
  }
  const rng = createRng(seed);
  const isValidation = new Uint8Array(label.length);
  // Classes in sorted order, so the split does not depend on which class appears first.
  for (const key of [...classes.keys()].sort((a, b) => (Number.isNaN(a) ? 1 : Number.isNaN(b) ? -1 : a - b))) {
    const rows = shuffleInPlace(Uint32Array.from(classes.get(key) as number[]), rng);
    const count = Math.round(rows.length * validationFraction);
    for (let k = 0; k < count; k++) isValidation[rows[k]] = 1;
  }
  const split: RowSplit = { train: [], validation: [] };
  for (let i = 0; i < label.length; i++) (isValidation[i] ? split.validation : split.train).push(i);
  return split;
}

/** `stratifiedSplitRows` applied to a dataset's label: the dataset counterpart of `randomSplit`. */
export function stratifiedSplit(dataset: Dataset, options: StratifiedSplitOptions): DatasetSplit {
  assertDataset(dataset);
  const { train, validation } = stratifiedSplitRows(dataset.label, options);
  return { train: selectRows(dataset, train), validation: selectRows(dataset, validation) };
}
