import { MlError } from '../ml.error';
import type { BooleanEncoding, FittedEncoder, NumericEncoding, RawValue } from './encoding.types';
import { assertColumnName, fittedEncoder, numberOf } from './raw-value.util';

/** true → 1, false → 0, null → NaN (missing). */
export function encodeBoolean(values: readonly (boolean | null | undefined)[]): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    out[i] = value === null || value === undefined ? NaN : value ? 1 : 0;
  }
  return out;
}

/** Numbers as they are (booleans as 0/1, missing as NaN); a string is an error, not a silent NaN. */
export function numericEncoder(spec: NumericEncoding): FittedEncoder<NumericEncoding> {
  assertColumnName(spec.name);
  return fittedEncoder(spec, [spec.name], (values) => [Float64Array.from(values, (value, i) => numberOf(value, spec.name, i))]);
}

/** Booleans as 0/1 (also accepts 0 and 1), missing as NaN. */
export function booleanEncoder(spec: BooleanEncoding): FittedEncoder<BooleanEncoding> {
  assertColumnName(spec.name);
  return fittedEncoder(spec, [spec.name], (values) => [
    Float64Array.from(values, (value: RawValue, i) => {
      if (value === null || value === undefined || typeof value === 'boolean') return encodeBoolean([value])[0];
      if (value === 0 || value === 1) return value;
      throw new MlError('invalid_dataset', `column "${spec.name}" row ${i}: expected a boolean, got ${JSON.stringify(value)}`);
    }),
  ]);
}
