import { MlError } from '../ml.error';
import type { ColumnEncoding, FittedEncoder } from './encoding.types';
import { hashingEncoder } from './hashing.encoder';
import { oneHotEncoder } from './one-hot.encoder';
import { ordinalEncoder } from './ordinal.encoder';
import { booleanEncoder, numericEncoder } from './scalar.encoder';
import { timestampEncoder } from './timestamp.features';

/** Rebuilds a working encoder from its plain-JSON spec (as stored next to a model). */
export function restoreEncoder(spec: ColumnEncoding): FittedEncoder {
  switch (spec.kind) {
    case 'numeric':
      return numericEncoder(spec);
    case 'boolean':
      return booleanEncoder(spec);
    case 'timestamp':
      return timestampEncoder(spec);
    case 'one_hot':
      return oneHotEncoder(spec);
    case 'ordinal':
      return ordinalEncoder(spec);
    case 'hashing':
      return hashingEncoder(spec);
    default:
      throw new MlError('invalid_params', `unknown column encoding "${String((spec as { kind: unknown }).kind)}"`);
  }
}
