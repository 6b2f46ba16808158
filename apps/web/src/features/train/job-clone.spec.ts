import { describe, expect, it } from 'vitest';

import { TrainingRequest } from '@atelier/contracts';

import { cloneRequest } from './job-clone';
import { modelChoice } from './model-settings';

const WINDOW = { start: '2001-01-01T00:00:00Z', validationStart: '2001-01-22T00:00:00Z', end: '2001-02-01T00:00:00Z' };
const base = {
  modelName: 'delays',
  source: { group: 'flights' },
  window: WINDOW,
  joinKeys: { airport: 'origin' },
  features: ['airport_delay_stats:mean_delay_24h'],
  requestFeatures: ['distance', 'hour'],
  label: 'delay > 15',
};

describe('cloneRequest (a past job into the training form)', () => {
  it('fills every field the form has, and the form sends the same model choice back', () => {
    const request = TrainingRequest.parse({
      ...base,
      modelType: 'gbdt',
      params: { objective: 'binary', numIterations: 40, learningRate: 0.05 },
    });
    const form = cloneRequest(request);
    expect(form).toMatchObject({
      modelName: 'delays',
      source: 'flights',
      features: ['airport_delay_stats:mean_delay_24h'],
      requestFeatures: 'distance,hour',
      joinKeys: [{ entity: 'airport', column: 'origin' }],
      label: 'delay > 15',
      ...WINDOW,
      model: { modelType: 'gbdt', task: 'binary', rounds: '40', learningRate: '0.05' },
      left: [],
    });
    expect(modelChoice(form.model)).toEqual({ modelType: 'gbdt', params: { objective: 'binary', numIterations: 40, learningRate: 0.05 } });
    const network = cloneRequest(
      TrainingRequest.parse({
        ...base,
        modelType: 'neural_network',
        params: { task: 'regression', epochs: 5, hiddenLayers: [8], learningRate: 0.02 },
      }),
    );
    expect(network.model).toEqual({
      modelType: 'neural_network',
      task: 'regression',
      rounds: '5',
      learningRate: '0.02',
      hiddenLayers: '8',
    });
  });

  it('clones the task of a logistic regression, binary when a stored request has none', () => {
    const multiclass = cloneRequest(
      TrainingRequest.parse({ ...base, modelType: 'logistic_regression', params: { task: 'multiclass', maxIterations: 200 } }),
    );
    expect(multiclass.model).toMatchObject({ modelType: 'logistic_regression', task: 'multiclass', rounds: '200' });
    expect(multiclass.left).toEqual([]);
    expect(modelChoice(multiclass.model)).toEqual({ modelType: 'logistic_regression', params: { task: 'multiclass', maxIterations: 200 } });
    // requests stored before `task` had a default are returned as stored
    const stored = TrainingRequest.parse({ ...base, modelType: 'logistic_regression', params: {} });
    const { task: _, ...params } = stored.params as { task: string };
    expect(cloneRequest({ ...stored, params } as TrainingRequest).model.task).toBe('binary');
  });

  it('names what the form cannot hold instead of dropping it silently', () => {
    const request = TrainingRequest.parse({
      ...base,
      modelType: 'logistic_regression',
      params: { solver: 'adam', epochs: 4, l2: 0.5 },
      transforms: [{ name: 'log_distance', expression: 'log1p(distance)' }],
      categoricalFeatures: [{ column: 'destination', encoding: 'hashing' }],
      search: { strategy: 'random', trials: 6, space: { l2: { type: 'float', min: 0.01, max: 1 } } },
    });
    const form = cloneRequest(request);
    expect(form.categoricalFeatures).toBe('destination');
    expect(form.left).toEqual([
      'transforms (log_distance)',
      'the hyper-parameter search (6 trials)',
      'destination (hashing) encoded one-hot instead',
      'parameters l2=0.5',
      'the adam solver (4 epochs): the form trains with L-BFGS',
    ]);
  });
});
