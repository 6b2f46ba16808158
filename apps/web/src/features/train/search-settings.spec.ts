import { describe, expect, it } from 'vitest';

import { type ModelType, TrainingRequest } from '@atelier/contracts';

import { searchableParams } from './search-params';
import { checkSearch, initialSearchSettings, searchIssueLines, searchReducer, type SearchSettings } from './search-settings';
import { MINIMAL_REQUEST } from './training-request.fixture';

const request = MINIMAL_REQUEST;

const param = (modelType: ModelType, name: string) => searchableParams(modelType).find((p) => p.name === name)!;

/** The search on, with these rows of the model type changed (and so on) */
function searching(modelType: ModelType, rows: Record<string, object>, settings: Partial<SearchSettings> = {}): SearchSettings {
  let state = searchReducer({ ...initialSearchSettings(), ...settings }, { type: 'on', on: true });
  for (const [name, change] of Object.entries(rows))
    state = searchReducer(state, { type: 'row', modelType, param: param(modelType, name), change: { on: true, ...change } });
  return state;
}

describe('the search section of the training form', () => {
  it('is off by default and sends no search', () => {
    expect(checkSearch(initialSearchSettings(), 'gbdt')).toEqual({ errors: {} });
    expect(initialSearchSettings()).toMatchObject({ on: false, strategy: 'random', trials: '10', seed: '42', maxSeconds: '' });
  });

  it('builds the search the contract takes from the rows that are on, a range per number and choices per enum', () => {
    const settings = searching(
      'neural_network',
      {
        learningRate: { min: '0.001', max: '0.1' },
        epochs: { min: '5', max: '20', log: false },
        activation: {},
        batchNorm: { values: 'true' },
      },
      { strategy: 'successive_halving', trials: '3', maxSeconds: '60', seed: '7' },
    );
    const { search, errors } = checkSearch(settings, 'neural_network');
    expect(errors).toEqual({});
    expect(search).toEqual({
      strategy: 'successive_halving',
      trials: 3,
      maxSeconds: 60,
      seed: 7,
      space: {
        activation: { type: 'choice', values: ['relu', 'tanh'] },
        batchNorm: { type: 'choice', values: [true] },
        epochs: { type: 'int', min: 5, max: 20, log: false },
        learningRate: { type: 'float', min: 0.001, max: 0.1, log: true },
      },
    });
    const parsed = TrainingRequest.parse({ ...request, modelType: 'neural_network', search });
    expect(parsed.search).toEqual(search);
    // blank budget fields: the contract's defaults
    const blank = checkSearch(searchReducer(settings, { type: 'set', field: 'trials', value: '' }), 'neural_network');
    expect(blank.search).not.toHaveProperty('trials');
    expect(TrainingRequest.parse({ ...request, modelType: 'neural_network', search: blank.search }).search?.trials).toBe(10);
  });

  it('refuses an empty range, a log scale from 0 and an end the parameter does not take, beside the row', () => {
    const check = (row: object) => checkSearch(searching('gbdt', { learningRate: row }), 'gbdt').errors;
    expect(check({ min: '0.5', max: '0.1' })).toEqual({ 'space.learningRate': 'max: the range is empty: min 0.5 is above max 0.1' });
    expect(check({ min: '0', max: '0.1', log: true })).toEqual({ 'space.learningRate': 'min: a log scale needs min > 0, got 0' });
    expect(check({ min: '0.1', max: '2' })).toEqual({ 'space.learningRate': 'max 2: Too big: expected number to be <=1' });
    expect(check({ min: '', max: '0.5' })).toEqual({ 'space.learningRate': 'enter a min and a max' });
    // a single value is a range too
    expect(check({ min: '0.2', max: '0.2', log: false })).toEqual({});
    // the contract's ParamSpace: an int range has whole ends
    const leaves = checkSearch(searching('gbdt', { maxLeaves: { min: '4.5', max: '8' } }), 'gbdt').errors;
    expect(leaves).toEqual({ 'space.maxLeaves': 'min: Invalid input: expected int, received number' });
    expect(searchIssueLines(leaves)).toEqual(['search.space.maxLeaves: min: Invalid input: expected int, received number']);
  });

  it('checks choices with the parameter: at least one, each an option it has', () => {
    const solver = (values: string) => checkSearch(searching('logistic_regression', { solver: { values } }), 'logistic_regression');
    expect(solver(' adam , lbfgs ').search?.space).toEqual({ solver: { type: 'choice', values: ['adam', 'lbfgs'] } });
    expect(solver('adam,sgd').errors['space.solver']).toMatch(/^"sgd": Invalid option: expected one of "lbfgs"\|"adam"$/);
    expect(solver(' , ').errors['space.solver']).toBe('name at least one of lbfgs, adam, comma-separated');
    const batchNorm = checkSearch(searching('neural_network', { batchNorm: { values: 'true,maybe' } }), 'neural_network');
    expect(batchNorm.errors['space.batchNorm']).toMatch(/^"maybe": Invalid input: expected boolean/);
  });

  it('names the budget and the space problems the contract finds, by field', () => {
    const none = checkSearch(searching('gbdt', {}, { trials: '0', maxSeconds: '-5', seed: '1.5' }), 'gbdt');
    expect(none.errors).toEqual({
      trials: 'Too small: expected number to be >=1',
      maxSeconds: 'Too small: expected number to be >0',
      seed: 'Invalid input: expected int, received number',
      space: 'name at least one parameter to search',
    });
    expect(checkSearch(searching('gbdt', { learningRate: {} }, { trials: '201' }), 'gbdt').errors).toEqual({
      trials: 'Too big: expected number to be <=200',
    });
  });

  it('keeps the rows of each model type apart: switching the type and back restores them', () => {
    const gbdt = searching('gbdt', { learningRate: { min: '0.05', max: '0.3' } });
    expect(checkSearch(gbdt, 'neural_network').errors).toEqual({ space: 'name at least one parameter to search' });
    expect(checkSearch(gbdt, 'gbdt').search?.space).toEqual({ learningRate: { type: 'float', min: 0.05, max: 0.3, log: true } });
    const off = searchReducer(gbdt, { type: 'row', modelType: 'gbdt', param: param('gbdt', 'learningRate'), change: { on: false } });
    expect(off.rows.gbdt?.learningRate).toMatchObject({ on: false, min: '0.05', max: '0.3' });
  });
});
