import { MlError } from '../ml.error';

/**
 * A training or evaluation table, stored by column. Columnar Float64Arrays keep millions of rows
 * cheap (no per-row objects) and map directly onto tensors and ONNX inputs.
 */
export interface Dataset {
  /** Feature names, in model input order. */
  features: string[];
  /** One column per feature, `rowCount` long; `NaN` means missing. */
  columns: Float64Array[];
  label: Float64Array;
  rowCount: number;
}

/** Throws an `invalid_dataset` MlError unless the columns, label and names line up. */
export function assertDataset(dataset: Dataset): void {
  const { features, columns, label, rowCount } = dataset;
  if (!Number.isInteger(rowCount) || rowCount < 0) {
    throw new MlError('invalid_dataset', `rowCount must be a non-negative integer, got ${rowCount}`);
  }
  if (features.length !== columns.length) {
    throw new MlError('invalid_dataset', `${features.length} feature names but ${columns.length} columns`);
  }
  const seen = new Set<string>();
  for (const name of features) {
    if (seen.has(name)) throw new MlError('invalid_dataset', `feature "${name}" appears twice`);
    seen.add(name);
  }
  columns.forEach((column, j) => {
    if (column.length !== rowCount) {
      throw new MlError(
        'invalid_dataset',
        `column "${features[j]}" has ${column.length} values, expected rowCount ${rowCount}`,
      );
    }
  });
  if (label.length !== rowCount) {
    throw new MlError('invalid_dataset', `label has ${label.length} values, expected rowCount ${rowCount}`);
  }
}

/** A new dataset holding the given rows, in the given order. */
export function selectRows(dataset: Dataset, rows: ArrayLike<number>): Dataset {
  const pick = (source: Float64Array): Float64Array => {
    const out = new Float64Array(rows.length);
    for (let i = 0; i < rows.length; i++) out[i] = source[rows[i]];
    return out;
  };
  return {
    features: [...dataset.features],
    columns: dataset.columns.map(pick),
    label: pick(dataset.label),
    rowCount: rows.length,
  };
}
