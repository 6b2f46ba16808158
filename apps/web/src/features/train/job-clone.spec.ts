import { describe, expect, it } from 'vitest';

import { TrainingRequest } from '@atelier/contracts';

import { checkAutoMl, initialAutoMlSettings } from './automl-settings';
import { checkInputs } from './input-settings';
import { cloneRequest } from './job-clone';
import { modelChoice } from './model-settings';
import { checkSearch, initialSearchSettings } from './search-settings';

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
      inputs: { requestFeatures: 'distance,hour', categoricalFeatures: '', transforms: [] },
      joinKeys: [{ entity: 'airport', column: 'origin' }],
      label: 'delay > 15',
      ...WINDOW,
      model: { modelType: 'gbdt', task: 'binary', params: { gbdt: { numIterations: '40', learningRate: '0.05' } } },
      left: [],
    });
    // the defaults are not sent again: the API fills them in as it did the first time
    expect(modelChoice(form.model)).toEqual({ modelType: 'gbdt', params: { numIterations: 40, learningRate: 0.05 } });
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
      params: { neural_network: { epochs: '5', learningRate: '0.02', hiddenLayers: '8' } },
    });
  });

  it('clones the task of a logistic regression, binary when a stored request has none', () => {
    const multiclass = cloneRequest(
      TrainingRequest.parse({ ...base, modelType: 'logistic_regression', params: { task: 'multiclass', maxIterations: 200 } }),
    );
    expect(multiclass.model).toMatchObject({ modelType: 'logistic_regression', task: 'multiclass', params: { logistic_regression: { maxIterations: '200' } } });
    expect(multiclass.left).toEqual([]);
    expect(modelChoice(multiclass.model)).toEqual({ modelType: 'logistic_regression', params: { task: 'multiclass', maxIterations: 200 } });
    // requests stored before `task` had a default are returned as stored
    const stored = TrainingRequest.parse({ ...base, modelType: 'logistic_regression', params: {} });
    const { task: _, ...params } = stored.params as { task: string };
    expect(cloneRequest({ ...stored, params } as TrainingRequest).model.task).toBe('binary');
  });

  it('holds every parameter, transform and encoding, and sends the same request back', () => {
    const request = TrainingRequest.parse({
      ...base,
      modelType: 'logistic_regression',
      params: { solver: 'adam', epochs: 4, l2: 0.5 },
      transforms: [{ name: 'log_distance', expression: 'log1p(distance)' }],
      categoricalFeatures: [{ column: 'destination', encoding: 'hashing', buckets: 64 }, { column: 'carrier' }],
      search: { strategy: 'random', trials: 6, space: { l2: { type: 'float', min: 0.01, max: 1 } } },
    });
    const form = cloneRequest(request);
    expect(form.left).toEqual([]);
    expect(form.inputs.categoricalFeatures).toBe('destination,carrier');
    expect(form.inputs.categoricalOptions.destination).toEqual({ encoding: 'hashing', maxCategories: '50', buckets: '64' });
    expect(form.inputs.transforms).toEqual([{ name: 'log_distance', expression: 'log1p(distance)' }]);
    expect(modelChoice(form.model)).toEqual({ modelType: 'logistic_regression', params: { solver: 'adam', epochs: 4, l2: 0.5 } });
    expect(checkInputs(form.inputs)).toMatchObject({
      requestFeatures: ['distance', 'hour'],
      categoricalFeatures: [{ column: 'destination', encoding: 'hashing', buckets: 64 }, { column: 'carrier' }],
      transforms: request.transforms,
      issues: [],
    });
  });

  it('carries the search back into the search section, and the form sends the same search again', () => {
    const search = {
      strategy: 'successive_halving' as const,
      trials: 6,
      maxSeconds: 90,
      seed: 3,
      space: {
        learningRate: { type: 'float' as const, min: 0.05, max: 0.3, log: true },
        maxLeaves: { type: 'int' as const, min: 4, max: 31 },
      },
    };
    const request = TrainingRequest.parse({ ...base, modelType: 'gbdt', params: { numIterations: 18 }, search });
    const form = cloneRequest(request);
    expect(form.left).toEqual([]);
    expect(form.search).toMatchObject({ on: true, strategy: 'successive_halving', trials: '6', maxSeconds: '90', seed: '3' });
    expect(form.search.rows.gbdt).toEqual({
      learningRate: { on: true, min: '0.05', max: '0.3', log: true, values: '' },
      maxLeaves: { on: true, min: '4', max: '31', log: false, values: '' },
    });
    expect(checkSearch(form.search, form.model.modelType)).toEqual({ search: request.search, errors: {} });

    // choices, and a job without a search: the section off
    const network = TrainingRequest.parse({
      ...base,
      modelType: 'neural_network',
      search: { space: { activation: { type: 'choice', values: ['tanh'] }, batchNorm: { type: 'choice', values: [true, false] } } },
    });
    const cloned = cloneRequest(network);
    expect(cloned.search.rows.neural_network).toMatchObject({
      activation: { on: true, values: 'tanh' },
      batchNorm: { on: true, values: 'true,false' },
    });
    expect(checkSearch(cloned.search, 'neural_network').search).toEqual(network.search);
    expect(cloneRequest(TrainingRequest.parse({ ...base, modelType: 'gbdt' })).search).toEqual(initialSearchSettings());
  });

  it('names a search the form cannot show: numbers from a list, a float range over whole numbers', () => {
    const request = TrainingRequest.parse({
      ...base,
      modelType: 'gbdt',
      search: {
        trials: 4,
        space: {
          maxLeaves: { type: 'choice', values: [15, 31] },
          maxBins: { type: 'float', min: 16, max: 64 },
          learningRate: { type: 'float', min: 0.05, max: 0.2 },
        },
      },
    });
    const form = cloneRequest(request);
    expect(form.left).toEqual([
      'the search of maxLeaves over {"type":"choice","values":[15,31]}',
      'the search of maxBins over {"type":"float","min":16,"max":64,"log":false}',
    ]);
    expect(Object.keys(form.search.rows.gbdt ?? {})).toEqual(['learningRate']);
  });

  it('carries AutoML back into its section, and the form sends the same AutoML again', () => {
    const automl = { trials: 3, seed: 5, maxSeconds: 60, modelTypes: ['gbdt' as const, 'logistic_regression' as const] };
    const request = TrainingRequest.parse({ ...base, modelType: 'logistic_regression', automl });
    const form = cloneRequest(request);
    expect(form.left).toEqual([]);
    expect(form.automl).toEqual({ on: true, trials: '3', maxSeconds: '60', seed: '5', modelTypes: ['gbdt', 'logistic_regression'] });
    expect(form.search).toEqual(initialSearchSettings());
    expect(form.partitionColumn).toBe('');
    expect(checkAutoMl(form.automl, 'binary_classification')).toEqual({ automl, errors: {} });
    // without modelTypes: every type of the task, sent without a list again; a job without AutoML: the section off
    const every = cloneRequest(
      TrainingRequest.parse({ ...base, modelType: 'gbdt', params: { objective: 'multiclass' }, automl: { trials: 4 } }),
    );
    expect(checkAutoMl(every.automl, 'multiclass_classification').automl).toEqual({ trials: 4, seed: 42 });
    expect(cloneRequest(TrainingRequest.parse({ ...base, modelType: 'gbdt' })).automl).toEqual(initialAutoMlSettings());
  });
});
