import { MlError } from '../ml.error';
import type { FittedEncoder, OneHotEncoding, RawValue } from './encoding.types';
import { assertColumnName, categoryOf, fittedEncoder } from './raw-value.util';

export const OTHER_CATEGORY = '__other__';

export interface OneHotOptions {
  /** Source column name, the prefix of every output column (`origin=ORD`). */
  name?: string;
  /** Keep at most this many categories, the most frequent (ties: alphabetical). */
  maxCategories?: number;
  /** Categories seen fewer times than this at fit time go to `name=__other__`. */
  minFrequency?: number;
  /** Missing values: all zeros (default), or a 1 in an extra `name#missing` column. */
  missing?: 'zeros' | 'indicator';
}

/**
 * Fits a one-hot encoding on `values` — the training rows only, so validation and serving never
 * influence which columns exist. Rare (`< minFrequency`) and excess (beyond `maxCategories`)
 * categories, and at transform time any category not kept, land in `name=__other__`.
 */
export function fitOneHot(values: readonly RawValue[], options: OneHotOptions = {}): FittedEncoder<OneHotEncoding> {
  const { name = 'value', maxCategories = 50, minFrequency = 1, missing = 'zeros' } = options;
  assertColumnName(name);
  if (!(Number.isInteger(maxCategories) && maxCategories >= 1)) {
    throw new MlError('invalid_params', `maxCategories must be a positive integer, got ${maxCategories}`);
  }
  if (!(Number.isInteger(minFrequency) && minFrequency >= 1)) {
    throw new MlError('invalid_params', `minFrequency must be a positive integer, got ${minFrequency}`);
  }
  const counts = new Map<string, number>();
  for (const value of values) {
    const category = categoryOf(value);
    if (category !== null) counts.set(category, (counts.get(category) ?? 0) + 1);
  }
  const categories = [...counts]
    .filter(([, count]) => count >= minFrequency)
    .sort(([a, ca], [b, cb]) => cb - ca || compareStrings(a, b))
    .slice(0, maxCategories)
    .map(([category]) => category)
    .sort(compareStrings);
  return oneHotEncoder({ kind: 'one_hot', name, categories, missing });
}

/** The encoder for an already fitted (e.g. deserialised) one-hot encoding. */
export function oneHotEncoder(spec: OneHotEncoding): FittedEncoder<OneHotEncoding> {
  const { name, categories, missing } = spec;
  assertColumnName(name);
  assertCategories(name, categories);
  if (missing !== 'zeros' && missing !== 'indicator') {
    throw new MlError('invalid_params', `missing must be "zeros" or "indicator", got ${String(missing)}`);
  }
  const index = new Map(categories.map((category, k) => [category, k]));
  const otherColumn = categories.length;
  const missingColumn = missing === 'indicator' ? categories.length + 1 : -1;
  const columnNames = [
    ...categories.map((category) => `${name}=${category}`),
    `${name}=${OTHER_CATEGORY}`,
    ...(missing === 'indicator' ? [`${name}#missing`] : []),
  ];
  return fittedEncoder(spec, columnNames, (values) => {
    const columns = columnNames.map(() => new Float64Array(values.length));
    for (let i = 0; i < values.length; i++) {
      const category = categoryOf(values[i]);
      if (category === null) {
        if (missingColumn >= 0) columns[missingColumn][i] = 1;
        continue;
      }
      columns[index.get(category) ?? otherColumn][i] = 1;
    }
    return columns;
  });
}

/** A stored category list must be distinct strings, or the columns would not line up. */
export function assertCategories(name: string, categories: unknown): void {
  if (!Array.isArray(categories) || !categories.every((c) => typeof c === 'string')) {
    throw new MlError('invalid_params', `encoding "${name}": categories must be an array of strings`);
  }
  if (new Set(categories).size !== categories.length) {
    throw new MlError('invalid_params', `encoding "${name}": categories must be distinct`);
  }
}

/** Code-unit order: the same in every locale and runtime. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
