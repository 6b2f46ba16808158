/** A raw cell as it arrives from a feature store row or a JSON request; `null` (or undefined) = missing. */
export type RawValue = number | string | boolean | null | undefined;

/** Raw columns by name, all the same length. */
export type RawColumns = Record<string, readonly RawValue[]>;

export type TimestampPart = 'hour' | 'dayOfWeek' | 'month' | 'dayOfMonth';

/** A number passed through; booleans become 0/1, missing becomes NaN. Column: the source name. */
export interface NumericEncoding {
  kind: 'numeric';
  name: string;
}

/** true → 1, false → 0, missing → NaN. Column: the source name. */
export interface BooleanEncoding {
  kind: 'boolean';
  name: string;
}

/** Calendar parts of an epoch-milliseconds (or ISO string) time, in UTC. Columns: `name#part`. */
export interface TimestampEncoding {
  kind: 'timestamp';
  name: string;
  parts: TimestampPart[];
}

/**
 * One 0/1 column per category seen often enough at fit time (`name=CATEGORY`, sorted), plus
 * `name=__other__` for categories dropped at fit time or never seen. Missing values give all
 * zeros, or a 1 in `name#missing` when `missing` is `'indicator'`.
 */
export interface OneHotEncoding {
  kind: 'one_hot';
  name: string;
  categories: string[];
  missing: 'zeros' | 'indicator';
}

/** Index of the category in the sorted categories seen at fit time; unknown or missing → NaN. Column: `name#ordinal`. */
export interface OrdinalEncoding {
  kind: 'ordinal';
  name: string;
  categories: string[];
}

/**
 * The hashing trick: a 1 in column `name#hash{fnv1a32(utf8(value)) mod buckets}`. Stateless, so
 * unseen categories need no "other" bucket; missing → all zeros.
 */
export interface HashingEncoding {
  kind: 'hashing';
  name: string;
  buckets: number;
  hash: 'fnv1a32';
  /**
   * The distinct categories seen at fit time (sorted), recorded only when fitted with
   * `keepVocabulary: true`. The transform never reads it; the ONNX encoding graph needs it,
   * because ONNX has no string hash: it maps exactly these strings to their buckets.
   */
  vocabulary?: string[];
}

export type CategoricalEncoding = OneHotEncoding | OrdinalEncoding | HashingEncoding;

/** A fitted column encoding: plain JSON, enough for training, batch scoring and serving to agree. */
export type ColumnEncoding = NumericEncoding | BooleanEncoding | TimestampEncoding | CategoricalEncoding;

/** A fitted encoding with its transform. `JSON.stringify` of it gives its `spec`. */
export interface FittedEncoder<S extends ColumnEncoding = ColumnEncoding> {
  readonly spec: S;
  /** Names of the columns `transform` returns, in order. */
  readonly columnNames: string[];
  /** One Float64Array per output column, as long as `values`. */
  transform(values: readonly RawValue[]): Float64Array[];
  toJSON(): S;
}
