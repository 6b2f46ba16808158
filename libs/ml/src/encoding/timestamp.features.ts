import { MlError } from '../ml.error';
import type { FittedEncoder, RawValue, TimestampEncoding, TimestampPart } from './encoding.types';
import { assertColumnName, fittedEncoder } from './raw-value.util';

const MS_PER_DAY = 86_400_000;
const MS_PER_HOUR = 3_600_000;
export const TIMESTAMP_PARTS: readonly TimestampPart[] = ['hour', 'dayOfWeek', 'month', 'dayOfMonth'];

/**
 * Calendar parts of epoch-millisecond times, always in UTC (never the machine's zone, so training
 * and serving agree): `hour` 0–23, `dayOfWeek` 0–6 with 0 = Sunday (as `Date#getUTCDay`), `month`
 * 1–12, `dayOfMonth` 1–31. One column per requested part, in order; a missing (NaN) or infinite
 * time gives NaN in every part.
 */
export function timestampFeatures(epochMs: Float64Array, parts: readonly TimestampPart[]): Float64Array[] {
  assertParts(parts);
  const columns = parts.map(() => new Float64Array(epochMs.length));
  const needsDate = parts.includes('month') || parts.includes('dayOfMonth');
  for (let i = 0; i < epochMs.length; i++) {
    const ms = epochMs[i];
    if (!Number.isFinite(ms)) {
      for (const column of columns) column[i] = NaN;
      continue;
    }
    const days = Math.floor(ms / MS_PER_DAY);
    const civil = needsDate ? civilFromDays(days) : undefined;
    for (let p = 0; p < parts.length; p++) {
      const part = parts[p];
      switch (part) {
        case 'hour':
          columns[p][i] = Math.floor((ms - days * MS_PER_DAY) / MS_PER_HOUR);
          break;
        case 'dayOfWeek':
          // 1970-01-01 was a Thursday (4).
          columns[p][i] = (((days + 4) % 7) + 7) % 7;
          break;
        case 'month':
          columns[p][i] = (civil as Civil).month;
          break;
        case 'dayOfMonth':
          columns[p][i] = (civil as Civil).day;
          break;
      }
    }
  }
  return columns;
}

/** Encoder form of `timestampFeatures` (columns `name#hour`, …); cells are epoch ms or ISO-8601 strings. */
export function timestampEncoder(spec: TimestampEncoding): FittedEncoder<TimestampEncoding> {
  assertColumnName(spec.name);
  assertParts(spec.parts);
  const columnNames = spec.parts.map((part) => `${spec.name}#${part}`);
  return fittedEncoder(spec, columnNames, (values) => timestampFeatures(epochMsOf(values, spec.name), spec.parts));
}

function epochMsOf(values: readonly RawValue[], name: string): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (value === null || value === undefined) out[i] = NaN;
    else if (typeof value === 'number') out[i] = value;
    else if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) out[i] = Date.parse(value);
    else {
      throw new MlError('invalid_dataset', `column "${name}" row ${i}: expected a time, got ${JSON.stringify(value)}`);
    }
  }
  return out;
}

function assertParts(parts: readonly TimestampPart[]): void {
  if (parts.length === 0) throw new MlError('invalid_params', 'timestamp features need at least one part');
  for (const part of parts) {
    if (!TIMESTAMP_PARTS.includes(part)) {
      throw new MlError('invalid_params', `unknown timestamp part "${String(part)}"; use ${TIMESTAMP_PARTS.join(', ')}`);
    }
  }
}

interface Civil {
  month: number;
  day: number;
}

/** Proleptic Gregorian month and day of a day count since 1970-01-01 (H. Hinnant's civil_from_days). */
function civilFromDays(days: number): Civil {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  return { day: doy - Math.floor((153 * mp + 2) / 5) + 1, month: mp < 10 ? mp + 3 : mp - 9 };
}
