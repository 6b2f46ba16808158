import { describe, expect, it } from 'vitest';

import { ModelSignature } from '@atelier/contracts';

import { numeric, planInference, requestValue } from './inference-plan';

const signature = ModelSignature.parse({
  inputs: [
    { name: 'stats:mean', source: 'feature', ref: 'stats:mean', entity: 'airport' },
    { name: 'route:count', source: 'feature', ref: 'route:count', entity: 'route' },
    { name: 'stats:share', source: 'feature', ref: 'stats:share', entity: 'airport' },
    { name: 'distance', source: 'request' },
    { name: 'destination', source: 'request', dtype: 'string' },
    { name: 'log_distance', source: 'transform', expression: 'log1p(distance)' },
  ],
  onnxInputs: ['stats:mean', 'route:count', 'stats:share', 'destination', 'log_distance'],
  outputs: ['probability', 'label'],
  task: 'binary_classification',
});

describe('planInference', () => {
  it('reads each (group, entity) once per row and knows which inputs each read fills', () => {
    const plan = planInference(signature);
    expect(plan.lookups).toEqual([
      { group: 'stats', entity: 'airport', slots: [0, 2] },
      { group: 'route', entity: 'route', slots: [1] },
    ]);
    expect(plan.features.map((f) => [f.input, f.feature])).toEqual([
      ['stats:mean', 'mean'],
      ['route:count', 'count'],
      ['stats:share', 'share'],
    ]);
  });

  it('types the graph inputs (strings for categorical request values) and defaults to imputing', () => {
    const plan = planInference(signature);
    expect(plan.feeds.map((f) => `${f.name}:${f.elementType}:${f.columns.join(',')}:${f.rank}`)).toEqual([
      'stats:mean:float:stats:mean:2',
      'route:count:float:route:count:2',
      'stats:share:float:stats:share:2',
      'destination:string:destination:2',
      'log_distance:float:log_distance:2',
    ]);
    expect(plan.outputs).toEqual({
      task: 'binary_classification',
      label: 'label',
      probabilities: 'probability',
      value: null,
      classes: [0, 1],
    });
    expect(plan.missingFeatures).toBe('impute');
    expect(planInference({ ...signature, missingFeatures: 'refuse' }).missingFeatures).toBe('refuse');
  });

  it('compiles transforms once: the same expression training used, non-finite results as missing', () => {
    const [logDistance] = planInference(signature).transforms;
    expect(logDistance!.name).toBe('log_distance');
    expect(logDistance!.evaluate({ distance: 337 })).toBeCloseTo(Math.log1p(337), 12);
    expect(logDistance!.evaluate({ distance: null })).toBeNull();
    expect(logDistance!.evaluate({ distance: -1 })).toBeNull(); // log1p(-1) = -∞
  });

  it('refuses a feature reference that is not group:feature', () => {
    const bad = { ...signature, inputs: [{ name: 'x', source: 'feature' as const, ref: 'nogroup', entity: 'airport' }] };
    expect(() => planInference(bad)).toThrow(/not "group:feature"/);
  });
});

describe('request values', () => {
  it('are numbers (booleans as 0/1) for float inputs and text for string inputs; anything else is missing', () => {
    expect(numeric(3.5)).toBe(3.5);
    expect(numeric(true)).toBe(1);
    expect(numeric(Number.NaN)).toBeNull();
    expect(numeric('3')).toBeNull();
    expect(requestValue('SFO', 'string')).toBe('SFO');
    expect(requestValue(42, 'string')).toBe('42');
    expect(requestValue('', 'string')).toBeNull();
    expect(requestValue(undefined, 'float')).toBeNull();
  });
});
