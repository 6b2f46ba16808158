import { describe, expect, it } from 'vitest';

import {
  GbdtParams,
  LinearRegressionParams,
  LogisticRegressionParams,
  NeuralNetworkParams,
  taskOf,
  TrainingRequest,
} from '@atelier/contracts';

import {
  checkModel,
  initialModelSettings,
  type ModelAction,
  modelChoice,
  modelParams,
  modelReducer,
  type ModelSettings,
  modelSettingsOf,
  rangeOf,
} from './model-settings';
import { MINIMAL_REQUEST } from './training-request.fixture';

const request = MINIMAL_REQUEST;
const apply = (actions: ModelAction[], from: ModelSettings = initialModelSettings()) => actions.reduce(modelReducer, from);

describe('the model settings of the training form', () => {
  it('lists every parameter of every model type but its task, with the contract’s default, a hint, and basic or advanced', () => {
    const schemas = {
      logistic_regression: LogisticRegressionParams,
      linear_regression: LinearRegressionParams,
      gbdt: GbdtParams,
      neural_network: NeuralNetworkParams,
    };
    for (const [type, schema] of Object.entries(schemas)) {
      const params = modelParams(type as keyof typeof schemas);
      expect(params.map((p) => p.name)).toEqual(Object.keys(schema.shape).filter((name) => name !== 'task' && name !== 'objective'));
      const defaults = schema.parse({}) as Record<string, unknown>;
      for (const param of params) {
        expect(param.default).toEqual(defaults[param.name]);
        expect(param.hint).not.toBe('');
      }
    }
    const gbdt = modelParams('gbdt');
    expect(gbdt.filter((p) => p.basic).map((p) => p.name)).toEqual(['numIterations', 'learningRate', 'maxLeaves']);
    expect(modelParams('neural_network').find((p) => p.name === 'hiddenLayers')).toMatchObject({
      type: 'list',
      default: [32, 16],
      basic: true,
    });
    // bounds read from the schema, an excluded end marked
    expect(rangeOf(gbdt.find((p) => p.name === 'maxLeaves')!)).toBe('2 to 4096');
    expect(rangeOf(gbdt.find((p) => p.name === 'learningRate')!)).toBe('> 0 to 1');
    expect(rangeOf(gbdt.find((p) => p.name === 'seed')!)).toBe('0 to 2147483647');
  });

  it('sends only what differs from the contract’s defaults, the default task included', () => {
    expect(modelChoice(initialModelSettings())).toEqual({ modelType: 'logistic_regression', params: {} });
    const gbdt = apply([
      { type: 'modelType', modelType: 'gbdt' },
      { type: 'param', name: 'numIterations', value: '100' },
      { type: 'param', name: 'maxBins', value: '63' },
      { type: 'param', name: 'learningRate', value: '' },
    ]);
    expect(checkModel(gbdt)).toEqual({ choice: { modelType: 'gbdt', params: { maxBins: 63 } }, errors: {} });
    const network = apply([
      { type: 'modelType', modelType: 'neural_network' },
      { type: 'param', name: 'hiddenLayers', value: '64, 8' },
      { type: 'param', name: 'batchNorm', value: 'true' },
      { type: 'param', name: 'activation', value: 'tanh' },
    ]);
    expect(modelChoice(network)).toEqual({
      modelType: 'neural_network',
      params: { hiddenLayers: [64, 8], batchNorm: true, activation: 'tanh' },
    });
    expect(TrainingRequest.parse({ ...request, ...modelChoice(network) }).params).toMatchObject({
      hiddenLayers: [64, 8],
      dropout: 0,
      epochs: 20,
    });
  });

  it('checks each value with the model type’s schema: the contract’s message by parameter, the value left out', () => {
    const gbdt = apply([
      { type: 'modelType', modelType: 'gbdt' },
      { type: 'param', name: 'featureFraction', value: '0' },
      { type: 'param', name: 'maxLeaves', value: 'many' },
      { type: 'param', name: 'lambdaL2', value: '0.5' },
    ]);
    expect(checkModel(gbdt)).toEqual({
      choice: { modelType: 'gbdt', params: { lambdaL2: 0.5 } },
      errors: { featureFraction: 'Too small: expected number to be >0', maxLeaves: 'enter a number' },
    });
    const network = apply([
      { type: 'modelType', modelType: 'neural_network' },
      { type: 'param', name: 'hiddenLayers', value: '8,x' },
    ]);
    expect(checkModel(network).errors).toEqual({ hiddenLayers: 'enter whole numbers, comma-separated' });
    // the contract's rule across parameters: multi-class logistic regression trains with lbfgs only
    const adam = apply([
      { type: 'task', task: 'multiclass' },
      { type: 'param', name: 'solver', value: 'adam' },
    ]);
    expect(checkModel(adam).errors.solver).toMatch(/multi-class logistic regression trains with solver "lbfgs" only/);
  });

  it('asks GBDT and the neural network for the chosen task, in the contract their own way', () => {
    const multiclass = apply([
      { type: 'modelType', modelType: 'gbdt' },
      { type: 'task', task: 'multiclass' },
    ]);
    expect(modelChoice(multiclass)).toEqual({ modelType: 'gbdt', params: { objective: 'multiclass' } });
    expect(taskOf(TrainingRequest.parse({ ...request, ...modelChoice(multiclass) }))).toBe('multiclass_classification');
    const network = modelReducer(multiclass, { type: 'modelType', modelType: 'neural_network' });
    expect(modelChoice(network)).toEqual({ modelType: 'neural_network', params: { task: 'multiclass' } });
    const logistic = modelReducer(multiclass, { type: 'modelType', modelType: 'logistic_regression' });
    expect(modelChoice(logistic)).toEqual({ modelType: 'logistic_regression', params: { task: 'multiclass' } });
  });

  it('keeps the task for a model type that can learn it, else falls back to its first; typed values stay with their type', () => {
    const multiclass = apply([
      { type: 'modelType', modelType: 'gbdt' },
      { type: 'task', task: 'multiclass' },
      { type: 'param', name: 'maxLeaves', value: '7' },
    ]);
    expect(modelReducer(multiclass, { type: 'modelType', modelType: 'logistic_regression' }).task).toBe('multiclass');
    expect(modelReducer(multiclass, { type: 'modelType', modelType: 'linear_regression' }).task).toBe('regression');
    const regression = modelReducer(multiclass, { type: 'task', task: 'regression' });
    const back = apply(
      [
        { type: 'modelType', modelType: 'logistic_regression' },
        { type: 'modelType', modelType: 'gbdt' },
      ],
      regression,
    );
    // logistic regression cannot learn a regression: binary, its first, and so GBDT's default again
    expect(modelChoice(back)).toEqual({ modelType: 'gbdt', params: { maxLeaves: 7 } });
  });

  it('reads a stored request back: the task, and as text every parameter that is not its default', () => {
    const stored = TrainingRequest.parse({
      ...request,
      modelType: 'neural_network',
      params: { task: 'regression', hiddenLayers: [8], l2: 0.1 },
    });
    const settings = modelSettingsOf(stored.modelType, stored.params as Record<string, unknown>);
    expect(settings).toEqual({
      modelType: 'neural_network',
      task: 'regression',
      params: { neural_network: { hiddenLayers: '8', l2: '0.1' } },
    });
    expect(modelChoice(settings)).toEqual({ modelType: 'neural_network', params: { task: 'regression', hiddenLayers: [8], l2: 0.1 } });
  });
});
