import { describe, expect, it } from 'vitest';

import { taskOf, TrainingRequest } from '@atelier/contracts';

import { initialModelSettings, modelChoice, modelReducer } from './model-settings';
import { MINIMAL_REQUEST } from './training-request.fixture';

const request = MINIMAL_REQUEST;

describe('the model settings of the training form', () => {
  it('asks GBDT and the neural network for the chosen task, in the contract their own way', () => {
    const gbdt = modelReducer(initialModelSettings(), { type: 'modelType', modelType: 'gbdt' });
    const multiclass = modelReducer(gbdt, { type: 'set', field: 'task', value: 'multiclass' });
    expect(modelChoice(multiclass)).toEqual({
      modelType: 'gbdt',
      params: { objective: 'multiclass', numIterations: 100, learningRate: 0.1 },
    });
    expect(taskOf(TrainingRequest.parse({ ...request, ...modelChoice(multiclass) }))).toBe('multiclass_classification');

    // the task stays when the next model type can learn it; the tuning defaults are the type's own
    const network = modelReducer(multiclass, { type: 'modelType', modelType: 'neural_network' });
    expect(modelChoice(network)).toEqual({
      modelType: 'neural_network',
      params: { task: 'multiclass', epochs: 20, learningRate: 0.01, hiddenLayers: [32, 16] },
    });
    expect(taskOf(TrainingRequest.parse({ ...request, ...modelChoice(network) }))).toBe('multiclass_classification');
  });

  it('asks logistic regression for binary or multi-class classification through its `task`', () => {
    const logistic = initialModelSettings();
    expect(logistic.task).toBe('binary');
    expect(modelChoice(logistic)).toEqual({ modelType: 'logistic_regression', params: { task: 'binary', maxIterations: 1000 } });
    const multiclass = modelReducer(logistic, { type: 'set', field: 'task', value: 'multiclass' });
    expect(modelChoice(multiclass)).toEqual({ modelType: 'logistic_regression', params: { task: 'multiclass', maxIterations: 1000 } });
    expect(taskOf(TrainingRequest.parse({ ...request, ...modelChoice(multiclass) }))).toBe('multiclass_classification');
  });

  it('keeps the task for a model type that can learn it, else falls back to its first', () => {
    const multiclass = modelReducer(modelReducer(initialModelSettings(), { type: 'modelType', modelType: 'gbdt' }), {
      type: 'set',
      field: 'task',
      value: 'multiclass',
    });
    expect(modelReducer(multiclass, { type: 'modelType', modelType: 'logistic_regression' }).task).toBe('multiclass');
    expect(modelReducer(multiclass, { type: 'modelType', modelType: 'linear_regression' }).task).toBe('regression');
    const regression = modelReducer(multiclass, { type: 'set', field: 'task', value: 'regression' });
    expect(modelReducer(regression, { type: 'modelType', modelType: 'logistic_regression' }).task).toBe('binary');
    expect(modelChoice(modelReducer(regression, { type: 'modelType', modelType: 'logistic_regression' }))).toEqual({
      modelType: 'logistic_regression',
      params: { task: 'binary', maxIterations: 1000 },
    });
  });

  it('asks the linear models for an iteration cap, not epochs and a learning rate: their default solver is L-BFGS', () => {
    const linear = modelReducer(initialModelSettings(), { type: 'modelType', modelType: 'linear_regression' });
    expect(linear.learningRate).toBe('');
    const parsed = TrainingRequest.parse({
      ...request,
      ...modelChoice(modelReducer(linear, { type: 'set', field: 'rounds', value: '50' })),
    });
    expect(parsed.params).toMatchObject({ solver: 'lbfgs', maxIterations: 50, tolerance: 1e-4 });
    // back to a model type with a learning rate: its default comes back
    expect(modelReducer(linear, { type: 'modelType', modelType: 'gbdt' }).learningRate).toBe('0.1');
  });
});
