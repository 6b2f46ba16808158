import { describe, expect, it } from 'vitest';
import type { z } from 'zod';

import { isPlainPredictionEvent, PredictionEvent } from './events.contract';
import { isPlainPredictRequest, PredictRequest } from './serving.contract';

/**
 * The contracts' quick tests must be sound: whatever one takes, its schema takes too, and reads
 * as the very same value (the caller skips the schema for it).
 */
function expectTakenAsIs(quick: (value: unknown) => boolean, schema: z.ZodType, values: unknown[]): void {
  for (const value of values.map((v) => JSON.parse(JSON.stringify(v)) as unknown)) {
    expect(quick(value)).toBe(true);
    const checked = schema.safeParse(value);
    expect(checked.success).toBe(true);
    expect(checked.data).toEqual(value);
  }
}

/** Over many variants, right and wrong: never takes what the schema refuses or changes; returns how many it took. */
function expectSound(quick: (value: unknown) => boolean, schema: z.ZodType, variants: unknown[]): number {
  let taken = 0;
  for (const variant of variants) {
    if (!quick(variant)) continue;
    taken++;
    const checked = schema.safeParse(variant);
    expect(checked.success, JSON.stringify(variant)?.slice(0, 200)).toBe(true);
    expect(checked.data).toEqual(variant);
  }
  return taken;
}

/** Values of every kind a field could be sent with, right and wrong. */
const SAMPLES: unknown[] = [
  undefined,
  null,
  0,
  -1,
  1,
  1.5,
  2,
  Infinity,
  -Infinity,
  NaN,
  Number.MAX_SAFE_INTEGER + 2,
  '',
  'x',
  'x'.repeat(64),
  'x'.repeat(65),
  'x'.repeat(200),
  'x'.repeat(201),
  'prediction',
  'outcome',
  'primary',
  'shadow',
  'production',
  'flight-delay',
  'Bad Name!',
  '2026-12-05T09:41:07Z',
  '2026-12-05T09:41:07+01:00',
  '2026-02-30T00:00:00Z',
  '0000-01-01T00:00:00Z',
  '2026-12-05T09:41:07+16:00',
  '2026-12-05 09:41:07',
  '3f1c9a52-7d4e-4b8a-9c61-2e5f0a7b8d13',
  '3f1c9a52-7d4e-0b8a-9c61-2e5f0a7b8d13',
  '3F1C9A52-7D4E-4B8A-9C61-2E5F0A7B8D13',
  true,
  [],
  [1],
  {},
  { a: 1 },
  { a: 'x' },
  { a: '' },
  { a: null },
  { a: [] },
  { a: {} },
  { a: Infinity },
  { a: true },
  { a: 'x'.repeat(201) },
];

/** `base` with `key` set to every sample (and merged into it, for the objects), and without `key`. */
function variantsOf(base: Record<string, unknown>, key: string): unknown[] {
  const variants: unknown[] = [];
  for (const sample of SAMPLES) {
    variants.push({ ...base, [key]: sample });
    const current = base[key];
    if (typeof sample === 'object' && sample !== null && !Array.isArray(sample) && typeof current === 'object' && current !== null)
      variants.push({ ...base, [key]: { ...current, ...sample } });
  }
  const without = { ...base };
  delete without[key];
  variants.push(without);
  return variants;
}

describe('isPlainPredictionEvent', () => {
  const base = {
    type: 'prediction',
    schemaVersion: 1,
    predictionId: '3f1c9a52-7d4e-4b8a-9c61-2e5f0a7b8d13',
    model: 'flight-delay',
    version: 2,
    alias: 'production',
    prediction: 0.25,
    inputs: { distance: 733, hour: 17, destination: 'SFO', dep_delay_avg: null },
    entities: { airport: 'ORD' },
    at: '2026-12-05T09:41:07.123Z',
    latencyMs: 0.43,
  };

  it('takes the events serving logs, as the schema reads them', () => {
    expectTakenAsIs(isPlainPredictionEvent, PredictionEvent, [
      base,
      { ...base, alias: null, latencyMs: 0 },
      { ...base, label: 'setosa', probabilities: { setosa: 0.9, versicolor: 0.1 } },
      { ...base, label: 2, probabilities: { '0': 0.1, '1': 0.2, '2': 0.7 } },
      { ...base, arm: 'shadow', shadowOf: '9a0e7c1d-55b2-4f3e-8d2a-1b6c4e9f0a21' },
      { ...base, inputs: {}, entities: {} },
    ]);
  });

  it('never takes a value the schema refuses or would change (every field, every kind of value)', () => {
    const variants = [...Object.keys(PredictionEvent.shape), 'extra', '__proto__'].flatMap((key) => variantsOf(base, key));
    expect(variants.length).toBeGreaterThan(500);
    // not vacuous: many variants are right, and taken
    expect(expectSound(isPlainPredictionEvent, PredictionEvent, variants)).toBeGreaterThan(50);
  });

  it('leaves to the schema what is not a plain object', () => {
    for (const value of [null, undefined, 'x', 1, [], [base], Object.create(null) as object, new Map()])
      expect(isPlainPredictionEvent(value)).toBe(false);
  });
});

describe('isPlainPredictRequest', () => {
  const row = (airport: string, distance: number) => ({
    entities: { airport },
    features: { distance, hour: 17, destination: 'SFO', taxi: null },
  });
  const base = { model: 'flight-delay', rows: [row('ORD', 733), row('SFO', 1846)] };

  it('takes a batch as the schema reads it', () => {
    expectTakenAsIs(isPlainPredictRequest, PredictRequest, [
      base,
      { ...base, alias: 'staging' },
      { ...base, version: 3 },
      { model: 'request-only', rows: [{ entities: {}, features: { distance: 100, hour: 0 } }] },
    ]);
  });

  const single = { model: 'flight-delay', entities: { airport: 'ORD' }, features: { distance: 733, hour: 17, destination: 'SFO', taxi: null } };

  it('takes a single prediction as the schema reads it', () => {
    expectTakenAsIs(isPlainPredictRequest, PredictRequest, [
      single,
      { ...single, alias: 'staging' },
      { ...single, version: 3 },
      { model: 'request-only', features: { distance: 100, hour: 0 } },
      { model: 'flight-delay', entities: { airport: 'ORD' } },
      { model: 'request-only' },
    ]);
  });

  it('leaves rows without entities or features to the schema', () => {
    expect(isPlainPredictRequest({ model: 'request-only', rows: [{ features: { distance: 1 } }] })).toBe(false);
    expect(isPlainPredictRequest({ model: 'flight-delay', rows: [] })).toBe(false);
  });

  it('never takes a request the schema refuses or would change (every field, every row field, every kind of value)', () => {
    const variants = [...Object.keys(PredictRequest.shape), 'extra'].flatMap((key) => variantsOf(base, key));
    for (const key of ['entities', 'features', 'extra'])
      for (const changed of variantsOf(base.rows[1]!, key)) variants.push({ ...base, rows: [base.rows[0], changed] });
    for (const sample of SAMPLES) variants.push({ ...base, rows: [base.rows[0], sample] });
    variants.push({ ...base, alias: 'production', version: 2 });
    // single predictions: every field, and a request that mixes them with rows
    variants.push(...[...Object.keys(PredictRequest.shape), 'extra'].flatMap((key) => variantsOf(single, key)));
    for (const key of ['entities', 'features']) for (const changed of variantsOf(single[key as 'entities'], 'airport')) variants.push({ ...single, [key]: changed });
    variants.push({ ...single, alias: 'production', version: 2 }, { ...single, rows: base.rows }, { ...base, features: {} });
    expect(variants.length).toBeGreaterThan(400);
    expect(expectSound(isPlainPredictRequest, PredictRequest, variants)).toBeGreaterThan(40);
  });
});
