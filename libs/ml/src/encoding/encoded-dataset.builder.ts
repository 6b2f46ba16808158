import { assertDataset, type Dataset } from '../dataset/dataset.types';
import { MlError } from '../ml.error';
import { restoreEncoder } from './encoder.restore';
import type { ColumnEncoding, FittedEncoder, RawColumns, RawValue, TimestampPart } from './encoding.types';
import { fitHashing } from './hashing.encoder';
import { fitOneHot, type OneHotOptions } from './one-hot.encoder';
import { fitOrdinal } from './ordinal.encoder';
import { numberOf } from './raw-value.util';

/** How to turn one raw column into model features (before fitting). */
export type EncodedColumnSpec =
  | { type: 'numeric' }
  | { type: 'boolean' }
  | { type: 'timestamp'; parts: TimestampPart[] }
  | ({ type: 'one_hot' } & Omit<OneHotOptions, 'name'>)
  | { type: 'ordinal' }
  /** `keepVocabulary: true` records the training categories in the spec (needed for ONNX export). */
  | { type: 'hashing'; buckets: number; keepVocabulary?: boolean };

export interface EncodedDatasetOptions {
  /** Raw column name → how to encode it; features come out in this order. */
  columns: Record<string, EncodedColumnSpec>;
  /** Raw column holding the label (numbers or booleans); optional for serving-side encoding. */
  label?: string;
}

/**
 * The fitted encoding of a whole training set: plain JSON, stored with the model so batch scoring
 * and serving (or an ONNX pre-processing step) rebuild exactly the same feature columns.
 */
export interface DatasetEncoding {
  version: 1;
  label?: string;
  /** One fitted encoding per raw column, in feature order; `name` is the raw column. */
  columns: ColumnEncoding[];
  /** The encoded feature names, in `Dataset.features` order. */
  features: string[];
}

export interface EncodeOptions {
  /** Only these rows (indices into the raw columns), in this order; default all. */
  rows?: ArrayLike<number>;
}

/**
 * Turns raw columns (`{ name: (number|string|boolean|null)[] }`) into a numeric `Dataset`.
 * `fit` learns every encoder's state (categories…) from the rows it is given — pass the training
 * rows only (`rows`, e.g. from `stratifiedSplitRows` on the raw label) — and returns the encoded
 * training dataset plus the `DatasetEncoding`; `encodeDataset` applies that encoding to any other
 * rows (validation, batch scoring, serving).
 */
export class EncodedDatasetBuilder {
  constructor(private readonly options: EncodedDatasetOptions) {
    if (Object.keys(options.columns).length === 0) throw new MlError('invalid_params', 'no columns to encode');
  }

  fit(raw: RawColumns, options: EncodeOptions = {}): { dataset: Dataset; encoding: DatasetEncoding } {
    const rowCount = rawRowCount(raw);
    const rows = options.rows ?? allRows(rowCount);
    const columns = Object.entries(this.options.columns).map(
      ([name, spec]) => fitColumn(name, spec, pick(requireColumn(raw, name), rows)).spec,
    );
    const features = columns.flatMap((spec) => restoreEncoder(spec).columnNames);
    const encoding: DatasetEncoding = {
      version: 1,
      ...(this.options.label === undefined ? {} : { label: this.options.label }),
      columns,
      features,
    };
    if (this.options.label !== undefined) requireColumn(raw, this.options.label);
    return { dataset: encodeDataset(encoding, raw, { rows }), encoding };
  }
}

/**
 * Applies a fitted `DatasetEncoding` to raw columns. The label column is optional here: when it is
 * absent (serving) the dataset's label is all NaN.
 */
export function encodeDataset(encoding: DatasetEncoding, raw: RawColumns, options: EncodeOptions = {}): Dataset {
  if (encoding.version !== 1) throw new MlError('invalid_params', `unsupported encoding version ${encoding.version}`);
  const rowCount = rawRowCount(raw);
  const rows = options.rows ?? allRows(rowCount);
  const features: string[] = [];
  const columns: Float64Array[] = [];
  for (const spec of encoding.columns) {
    const encoder: FittedEncoder = restoreEncoder(spec);
    features.push(...encoder.columnNames);
    columns.push(...encoder.transform(pick(requireColumn(raw, spec.name), rows)));
  }
  const labelValues = encoding.label === undefined ? undefined : raw[encoding.label];
  const label =
    labelValues === undefined
      ? new Float64Array(rows.length).fill(NaN)
      : Float64Array.from(pick(labelValues, rows), (value, i) => numberOf(value, encoding.label as string, i));
  const dataset: Dataset = { features, columns, label, rowCount: rows.length };
  assertDataset(dataset);
  if (features.join('\u0000') !== encoding.features.join('\u0000')) {
    throw new MlError('invalid_params', 'encoding.features does not match the columns its encoders produce');
  }
  return dataset;
}

function fitColumn(name: string, spec: EncodedColumnSpec, values: readonly RawValue[]): FittedEncoder {
  switch (spec.type) {
    case 'numeric':
      return restoreEncoder({ kind: 'numeric', name });
    case 'boolean':
      return restoreEncoder({ kind: 'boolean', name });
    case 'timestamp':
      return restoreEncoder({ kind: 'timestamp', name, parts: [...spec.parts] });
    case 'one_hot': {
      const { type: _type, ...options } = spec;
      return fitOneHot(values, { ...options, name });
    }
    case 'ordinal':
      return fitOrdinal(values, { name });
    case 'hashing':
      return fitHashing(values, { buckets: spec.buckets, name, keepVocabulary: spec.keepVocabulary });
    default:
      throw new MlError('invalid_params', `column "${name}": unknown type "${String((spec as { type: unknown }).type)}"`);
  }
}

function requireColumn(raw: RawColumns, name: string): readonly RawValue[] {
  const column = raw[name];
  if (!Array.isArray(column)) throw new MlError('invalid_dataset', `raw column "${name}" is missing`);
  return column;
}

function rawRowCount(raw: RawColumns): number {
  const lengths = Object.entries(raw).map(([name, values]) => [name, values.length] as const);
  if (lengths.length === 0) throw new MlError('invalid_dataset', 'no raw columns');
  const [firstName, rowCount] = lengths[0];
  for (const [name, length] of lengths) {
    if (length !== rowCount) {
      throw new MlError('invalid_dataset', `raw column "${name}" has ${length} values but "${firstName}" has ${rowCount}`);
    }
  }
  return rowCount;
}

function allRows(rowCount: number): Uint32Array {
  return Uint32Array.from({ length: rowCount }, (_, i) => i);
}

function pick(values: readonly RawValue[], rows: ArrayLike<number>): RawValue[] {
  const out = new Array<RawValue>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    if (!(Number.isInteger(row) && row >= 0 && row < values.length)) {
      throw new MlError('invalid_params', `row ${row} is out of range (0–${values.length - 1})`);
    }
    out[i] = values[row];
  }
  return out;
}
