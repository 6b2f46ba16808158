import { describe, expect, it } from 'vitest';

import { createRng } from '../random/prng.util';
import { restoreEncoder } from './encoder.restore';
import { encodeBoolean } from './scalar.encoder';
import { timestampFeatures } from './timestamp.features';

describe('timestampFeatures', () => {
  it('extracts UTC calendar parts', () => {
    // 2001-01-01T23:30Z was a Monday; 2000-02-29T00:00Z a Tuesday; 1969-12-31T12:00Z a Wednesday.
    const times = Float64Array.from([Date.UTC(2001, 0, 1, 23, 30), Date.UTC(2000, 1, 29, 0, 0), Date.UTC(1969, 11, 31, 12, 0), NaN]);
    const [hour, dayOfWeek, month, dayOfMonth] = timestampFeatures(times, ['hour', 'dayOfWeek', 'month', 'dayOfMonth']);
    expect(Array.from(hour)).toEqual([23, 0, 12, NaN]);
    expect(Array.from(dayOfWeek)).toEqual([1, 2, 3, NaN]);
    expect(Array.from(month)).toEqual([1, 2, 12, NaN]);
    expect(Array.from(dayOfMonth)).toEqual([1, 29, 31, NaN]);
  });

  it('agrees with Date#getUTC* on random times from 1900 to 2100', () => {
    const rng = createRng(3);
    const lo = Date.UTC(1900, 0, 1);
    const hi = Date.UTC(2100, 0, 1);
    const times = Float64Array.from({ length: 5000 }, () => Math.floor(lo + (hi - lo) * rng()));
    const [hour, dayOfWeek, month, dayOfMonth] = timestampFeatures(times, ['hour', 'dayOfWeek', 'month', 'dayOfMonth']);
    times.forEach((t, i) => {
      const d = new Date(t);
      expect([hour[i], dayOfWeek[i], month[i], dayOfMonth[i]]).toEqual([
        d.getUTCHours(),
        d.getUTCDay(),
        d.getUTCMonth() + 1,
        d.getUTCDate(),
      ]);
    });
  });

  it('as an encoder: accepts epoch ms or ISO strings, names columns name#part, rejects unknown parts', () => {
    const encoder = restoreEncoder({ kind: 'timestamp', name: 'date', parts: ['month', 'hour'] });
    expect(encoder.columnNames).toEqual(['date#month', 'date#hour']);
    const [month, hour] = encoder.transform(['2001-06-30T17:05:00Z', Date.UTC(2001, 2, 3, 4), null]);
    expect(Array.from(month)).toEqual([6, 3, NaN]);
    expect(Array.from(hour)).toEqual([17, 4, NaN]);
    expect(() => encoder.transform(['not a date'])).toThrow(/"date" row 0/);
    expect(() => timestampFeatures(new Float64Array(1), ['minute' as 'hour'])).toThrow(/unknown timestamp part/);
  });
});

describe('encodeBoolean', () => {
  it('maps true/false to 1/0 and missing to NaN', () => {
    expect(Array.from(encodeBoolean([true, false, null, undefined]))).toEqual([1, 0, NaN, NaN]);
  });
});
