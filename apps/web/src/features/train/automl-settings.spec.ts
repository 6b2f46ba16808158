import { describe, expect, it } from 'vitest';

import { TrainingRequest } from '@atelier/contracts';

import {
  type AutoMlAction,
  autoMlIssueLines,
  autoMlModelTypes,
  autoMlReducer,
  type AutoMlSettings,
  autoMlSettingsOf,
  checkAutoMl,
  initialAutoMlSettings,
  modelTypeName,
} from './automl-settings';
import { MINIMAL_REQUEST } from './training-request.fixture';

const on = (settings: Partial<AutoMlSettings> = {}, ...actions: AutoMlAction[]) =>
  actions.reduce(autoMlReducer, autoMlReducer({ ...initialAutoMlSettings(), ...settings }, { type: 'on', on: true }));

describe('the AutoML section of the training form', () => {
  it('is off by default and sends no automl; on, the contract defaults and every type of the task', () => {
    expect(initialAutoMlSettings()).toEqual({ on: false, trials: '12', maxSeconds: '', seed: '42', modelTypes: null });
    expect(checkAutoMl(initialAutoMlSettings(), 'binary_classification')).toEqual({ errors: {} });
    expect(checkAutoMl(on(), 'binary_classification')).toEqual({ automl: { trials: 12, seed: 42 }, errors: {} });
    expect(autoMlModelTypes(on(), 'regression')).toEqual([
      { modelType: 'linear_regression', on: true },
      { modelType: 'gbdt', on: true },
      { modelType: 'neural_network', on: true },
    ]);
  });

  it('builds the automl the contract takes, with the types checked in the contract order', () => {
    const task = 'binary_classification';
    const settings = on(
      { trials: '3', maxSeconds: '90', seed: '7' },
      { type: 'modelType', task, modelType: 'neural_network', on: false },
      { type: 'modelType', task, modelType: 'gbdt', on: false },
      { type: 'modelType', task, modelType: 'gbdt', on: true },
    );
    const { automl, errors } = checkAutoMl(settings, task);
    expect(errors).toEqual({});
    expect(automl).toEqual({ trials: 3, maxSeconds: 90, seed: 7, modelTypes: ['logistic_regression', 'gbdt'] });
    const parsed = TrainingRequest.parse({ ...MINIMAL_REQUEST, modelType: 'logistic_regression', automl });
    expect(parsed.automl).toEqual(automl);
    // every type checked again is the default again: no list sent
    const all = autoMlReducer(settings, { type: 'modelType', task, modelType: 'neural_network', on: true });
    expect(all.modelTypes).toBeNull();
    expect(checkAutoMl(all, task).automl).not.toHaveProperty('modelTypes');
    // blank fields: the contract's defaults
    const blank = checkAutoMl(on({ trials: '', seed: '' }), task).automl;
    expect(blank).toEqual({});
    expect(TrainingRequest.parse({ ...MINIMAL_REQUEST, modelType: 'gbdt', automl: blank }).automl).toEqual({ trials: 12, seed: 42 });
  });

  it('offers the types of the task the model settings give; a type of another task is not sent', () => {
    const noNetwork = on({}, { type: 'modelType', task: 'binary_classification', modelType: 'neural_network', on: false });
    expect(noNetwork.modelTypes).toEqual(['logistic_regression', 'gbdt']);
    // the task becomes regression: logistic regression is not offered, linear regression unchecked
    expect(autoMlModelTypes(noNetwork, 'regression')).toEqual([
      { modelType: 'linear_regression', on: false },
      { modelType: 'gbdt', on: true },
      { modelType: 'neural_network', on: false },
    ]);
    const regression = checkAutoMl(noNetwork, 'regression');
    expect(regression).toEqual({ automl: { trials: 12, seed: 42, modelTypes: ['gbdt'] }, errors: {} });
    expect(TrainingRequest.safeParse({ ...MINIMAL_REQUEST, modelType: 'linear_regression', automl: regression.automl }).success).toBe(true);
  });

  it('names the problems the contract finds, by field, and at least one model type', () => {
    const task = 'multiclass_classification';
    const bad = on({ trials: '2', maxSeconds: '0', seed: '1.5' });
    expect(checkAutoMl(bad, task).errors).toEqual({
      trials: 'Too small: expected number to be >=3',
      maxSeconds: 'Too small: expected number to be >0',
      seed: 'Invalid input: expected int, received number',
    });
    expect(checkAutoMl(on({ trials: '101', maxSeconds: '86401' }), task).errors).toEqual({
      trials: 'Too big: expected number to be <=100',
      maxSeconds: 'Too big: expected number to be <=86400',
    });
    const none = (['logistic_regression', 'gbdt', 'neural_network'] as const).reduce(
      (state, modelType) => autoMlReducer(state, { type: 'modelType', task, modelType, on: false }),
      on(),
    );
    const { automl, errors } = checkAutoMl(none, task);
    expect(automl?.modelTypes).toEqual([]);
    expect(errors).toEqual({ modelTypes: 'check at least one model type' });
    expect(autoMlIssueLines(errors)).toEqual(['automl.modelTypes: check at least one model type']);
  });

  it('comes back from a stored job as it was sent, the order of its model types kept', () => {
    const request = TrainingRequest.parse({
      ...MINIMAL_REQUEST,
      modelType: 'gbdt',
      params: { objective: 'regression' },
      automl: { trials: 5, seed: 3, maxSeconds: 120, modelTypes: ['neural_network', 'linear_regression'] },
    });
    const settings = autoMlSettingsOf(request);
    expect(settings).toEqual({ on: true, trials: '5', maxSeconds: '120', seed: '3', modelTypes: ['neural_network', 'linear_regression'] });
    // the types are drawn in this order, so the clone draws the same candidates
    expect(checkAutoMl(settings, 'regression')).toEqual({ automl: request.automl, errors: {} });
    expect(autoMlSettingsOf(TrainingRequest.parse({ ...MINIMAL_REQUEST, modelType: 'gbdt' }))).toEqual(initialAutoMlSettings());
  });

  it('names a model type in a sentence', () => {
    expect(modelTypeName('gbdt')).toBe('gradient-boosted trees');
    expect(modelTypeName('linear_regression')).toBe('linear regression');
  });
});
