import { MlError } from '../ml.error';
import type { ColumnEncoding, FittedEncoder, RawValue } from './encoding.types';

/** A category as a string; numbers and booleans are categories too (`String(v)`), missing is null. */
export function categoryOf(value: RawValue): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' && Number.isNaN(value)) return null;
  return String(value);
}

/** A numeric cell: booleans as 0/1, missing as NaN; anything else is a caller's bug worth naming. */
export function numberOf(value: RawValue, name: string, row: number): number {
  if (value === null || value === undefined) return NaN;
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  throw new MlError('invalid_dataset', `column "${name}" row ${row}: expected a number, got ${JSON.stringify(value)}`);
}

export function assertColumnName(name: string): void {
  if (typeof name !== 'string' || name.length === 0) {
    throw new MlError('invalid_params', `encoder column name must be a non-empty string, got ${JSON.stringify(name)}`);
  }
}

/** Builds the fitted-encoder object around a plain spec. */
export function fittedEncoder<S extends ColumnEncoding>(
  spec: S,
  columnNames: string[],
  transform: (values: readonly RawValue[]) => Float64Array[],
): FittedEncoder<S> {
  return { spec, columnNames, transform, toJSON: () => spec };
}
