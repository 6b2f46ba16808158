import type { FittedEncoder, OrdinalEncoding, RawValue } from './encoding.types';
import { assertCategories, compareStrings } from './one-hot.encoder';
import { assertColumnName, categoryOf, fittedEncoder } from './raw-value.util';

/**
 * Fits an ordinal encoding on `values` (training rows only): each category seen becomes its index
 * in code-unit sorted order (0, 1, …). Unknown categories and missing values become NaN, which
 * trees and the linear models' imputation already treat as missing.
 */
export function fitOrdinal(values: readonly RawValue[], options: { name?: string } = {}): FittedEncoder<OrdinalEncoding> {
  const { name = 'value' } = options;
  assertColumnName(name);
  const seen = new Set<string>();
  for (const value of values) {
    const category = categoryOf(value);
    if (category !== null) seen.add(category);
  }
  return ordinalEncoder({ kind: 'ordinal', name, categories: [...seen].sort(compareStrings) });
}

/** The encoder for an already fitted (e.g. deserialised) ordinal encoding. */
export function ordinalEncoder(spec: OrdinalEncoding): FittedEncoder<OrdinalEncoding> {
  assertColumnName(spec.name);
  assertCategories(spec.name, spec.categories);
  const index = new Map(spec.categories.map((category, k) => [category, k]));
  return fittedEncoder(spec, [`${spec.name}#ordinal`], (values) => {
    const column = new Float64Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const category = categoryOf(values[i]);
      column[i] = category === null ? NaN : (index.get(category) ?? NaN);
    }
    return [column];
  });
}
