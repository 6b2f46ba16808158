import { describe, expect, it } from 'vitest';

import { TrainingRequest, type TrainingSetResponse } from '@atelier/contracts';

import { buildDataset, planDataset } from './dataset.builder';

const request = TrainingRequest.parse({
  modelName: 'm',
  modelType: 'logistic_regression',
  source: { group: 'flights' },
  window: { start: '2001-01-01T00:00:00Z', validationStart: '2001-01-02T00:00:00Z', end: '2001-01-03T00:00:00Z' },
  joinKeys: { airport: 'origin' },
  features: ['stats:mean_delay'],
  requestFeatures: ['distance'],
  transforms: [{ name: 'log_distance', expression: 'log1p(distance)' }],
  label: 'delay > 15',
});

describe('planDataset', () => {
  it('asks the feature store for the joined features and exactly the source columns the model and label read', () => {
    const plan = planDataset(request, () => 'airport');
    expect(plan.query).toMatchObject({ features: ['stats:mean_delay'], joinKeys: { airport: 'origin' }, source: { group: 'flights' } });
    expect(plan.query.columns.sort()).toEqual(['delay', 'distance']);
    expect(plan.numeric).toEqual(['stats:mean_delay', 'distance', 'log_distance']);
    expect(plan.inputs).toEqual([
      { name: 'stats:mean_delay', source: 'feature', ref: 'stats:mean_delay', entity: 'airport' },
      { name: 'distance', source: 'request', dtype: 'float' },
      { name: 'log_distance', source: 'transform', expression: 'log1p(distance)' },
    ]);
  });
});

describe('buildDataset', () => {
  it('evaluates transforms and the label per row, keeps missing inputs as NaN and drops rows without a label', () => {
    const plan = planDataset(request, () => 'airport');
    const set: TrainingSetResponse = {
      rowCount: 3,
      eventTimes: [1, 2, 3],
      columns: { delay: [30, null, 0], distance: [100, 200, null], 'stats:mean_delay': [5, 6, null] },
      featureTimes: { 'stats:mean_delay': [0, 1, null] },
    };
    const { dataset, eventTimes, droppedRows } = buildDataset(request, plan, set);
    expect(droppedRows).toBe(1);
    expect(dataset.rowCount).toBe(2);
    expect(Array.from(eventTimes)).toEqual([1, 3]);
    expect(Array.from(dataset.label)).toEqual([1, 0]);
    expect(Array.from(dataset.columns[0]!)).toEqual([5, NaN]);
    expect(Array.from(dataset.columns[1]!)).toEqual([100, NaN]);
    expect(dataset.columns[2]![0]).toBeCloseTo(Math.log1p(100), 12);
    expect(dataset.columns[2]![1]).toBeNaN();
  });
});
