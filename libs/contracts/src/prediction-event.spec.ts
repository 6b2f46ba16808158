import { describe, expect, it } from 'vitest';

import { isPlainPredictionEvent, PredictionEvent } from './events.contract';

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

/** Values of every kind a field could be sent with, right and wrong. */
const SAMPLES: unknown[] = [
  undefined,
  null,
  0,
  -1,
  1.5,
  2,
  Infinity,
  -Infinity,
  NaN,
  Number.MAX_SAFE_INTEGER + 2,
  '',
  'x',
  'prediction',
  'outcome',
  'primary',
  'shadow',
  'nope',
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
  { a: null },
  { a: [] },
  { a: {} },
  { a: Infinity },
  { a: true },
];

const outcomeOf = (value: unknown) => ({ quick: isPlainPredictionEvent(value), checked: PredictionEvent.safeParse(value) });

describe('isPlainPredictionEvent', () => {
  it('takes the events serving logs, as the schema reads them', () => {
    const events = [
      base,
      { ...base, alias: null, latencyMs: 0 },
      { ...base, label: 'setosa', probabilities: { setosa: 0.9, versicolor: 0.1 } },
      { ...base, label: 2, probabilities: { '0': 0.1, '1': 0.2, '2': 0.7 } },
      { ...base, arm: 'shadow', shadowOf: '9a0e7c1d-55b2-4f3e-8d2a-1b6c4e9f0a21' },
      { ...base, inputs: {}, entities: {} },
    ].map((e) => JSON.parse(JSON.stringify(e)) as unknown);
    for (const event of events) {
      const { quick, checked } = outcomeOf(event);
      expect(quick).toBe(true);
      expect(checked.success).toBe(true);
      expect(checked.data).toEqual(event);
    }
  });

  it('never takes a value the schema refuses or would change (every field, every kind of value)', () => {
    let accepted = 0;
    let tried = 0;
    const keys = [...Object.keys(PredictionEvent.shape), 'extra', '__proto__'];
    for (const key of keys) {
      for (const sample of SAMPLES) {
        const variants: unknown[] = [{ ...base, [key]: sample }];
        if (typeof sample === 'object' && sample !== null && !Array.isArray(sample)) {
          // the sample as a map's values (inputs, entities, probabilities)
          variants.push({ ...base, [key]: { ...((base as Record<string, unknown>)[key] as object), ...sample } });
        }
        const without = { ...base } as Record<string, unknown>;
        delete without[key];
        variants.push(without);
        for (const variant of variants) {
          tried++;
          const { quick, checked } = outcomeOf(variant);
          if (!quick) continue;
          accepted++;
          expect(checked.success, `${key} = ${String(sample)}`).toBe(true);
          expect(checked.data).toEqual(variant);
        }
      }
    }
    expect(tried).toBeGreaterThan(500);
    // the test is not vacuous: many variants are right, and taken
    expect(accepted).toBeGreaterThan(50);
  });

  it('leaves to the schema what is not a plain object', () => {
    for (const value of [null, undefined, 'x', 1, [], [base], Object.create(null) as object, new Map()])
      expect(isPlainPredictionEvent(value)).toBe(false);
  });
});
