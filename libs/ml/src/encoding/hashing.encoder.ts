import { MlError } from '../ml.error';
import type { FittedEncoder, HashingEncoding, RawValue } from './encoding.types';
import { fnv1a32 } from './fnv1a.hash';
import { assertCategories, compareStrings } from './one-hot.encoder';
import { assertColumnName, categoryOf, fittedEncoder } from './raw-value.util';

/**
 * The hashing trick for high-cardinality categories: value → column `fnv1a32(utf8(value)) mod
 * buckets`, so the column count is fixed and no vocabulary is stored. "Fitting" only records the
 * settings (nothing is learnt from `values`; they are accepted so every encoder fits the same way).
 * Collisions are the price: pick `buckets` well above the number of frequent categories.
 */
export function fitHashing(
  values: readonly RawValue[],
  options: { buckets: number; name?: string; keepVocabulary?: boolean },
): FittedEncoder<HashingEncoding> {
  const { buckets, name = 'value', keepVocabulary = false } = options;
  if (!keepVocabulary) return hashingEncoder({ kind: 'hashing', name, buckets, hash: 'fnv1a32' });
  // Opt-in: the training vocabulary, so the ONNX encoding graph can map these strings to buckets.
  const seen = new Set<string>();
  for (const value of values) {
    const category = categoryOf(value);
    if (category !== null) seen.add(category);
  }
  return hashingEncoder({ kind: 'hashing', name, buckets, hash: 'fnv1a32', vocabulary: [...seen].sort(compareStrings) });
}

/** The bucket a category hashes to. */
export function hashBucket(category: string, buckets: number): number {
  return fnv1a32(category) % buckets;
}

/** The encoder for an already fitted (e.g. deserialised) hashing encoding. */
export function hashingEncoder(spec: HashingEncoding): FittedEncoder<HashingEncoding> {
  const { name, buckets, hash } = spec;
  assertColumnName(name);
  if (!(Number.isInteger(buckets) && buckets >= 1)) {
    throw new MlError('invalid_params', `buckets must be a positive integer, got ${buckets}`);
  }
  if (hash !== 'fnv1a32') throw new MlError('invalid_params', `unknown hash "${String(hash)}"`);
  if (spec.vocabulary !== undefined) assertCategories(name, spec.vocabulary);
  const columnNames = Array.from({ length: buckets }, (_, b) => `${name}#hash${b}`);
  return fittedEncoder(spec, columnNames, (values) => {
    const columns = columnNames.map(() => new Float64Array(values.length));
    for (let i = 0; i < values.length; i++) {
      const category = categoryOf(values[i]);
      if (category !== null) columns[hashBucket(category, buckets)][i] = 1;
    }
    return columns;
  });
}
