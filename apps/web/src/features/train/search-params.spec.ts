import { describe, expect, it } from 'vitest';

import { GbdtParams, ModelType, ParamSpace, TrainingRequest } from '@atelier/contracts';

import { defaultRow, searchableParams } from './search-params';
import { MINIMAL_REQUEST } from './training-request.fixture';

const request = MINIMAL_REQUEST;

describe('the parameters a search may vary, read from the contract', () => {
  it('lists every scalar parameter of the model type with its kind and default, but not the seed or the task', () => {
    const gbdt = searchableParams('gbdt');
    expect(gbdt.map((p) => [p.name, p.type, p.default])).toEqual([
      ['numIterations', 'int', 100],
      ['learningRate', 'float', 0.1],
      ['maxLeaves', 'int', 31],
      ['minDataInLeaf', 'int', 20],
      ['lambdaL2', 'float', 0],
      ['maxBins', 'int', 255],
      ['featureFraction', 'float', 1],
      ['baggingFraction', 'float', 1],
      ['earlyStoppingRounds', 'int', 0],
    ]);
    // the network's hidden layers are a list, which a choice of single values cannot hold
    const network = searchableParams('neural_network');
    expect(network.map((p) => p.name)).toEqual(['activation', 'dropout', 'batchNorm', 'epochs', 'batchSize', 'learningRate', 'l2']);
    expect(network.find((p) => p.name === 'activation')).toMatchObject({ type: 'choice', default: 'relu', options: ['relu', 'tanh'] });
    expect(network.find((p) => p.name === 'batchNorm')).toMatchObject({ type: 'choice', default: false, options: [false, true] });
    expect(searchableParams('logistic_regression').map((p) => p.name)).toEqual([
      'solver',
      'maxIterations',
      'tolerance',
      'epochs',
      'learningRate',
      'batchSize',
      'l1',
      'l2',
    ]);
  });

  it('offers exactly what the contract lets a search vary: every one accepted, the seed and the task refused', () => {
    for (const modelType of ModelType.options) {
      const space = Object.fromEntries(
        searchableParams(modelType).map((p) => {
          const row = defaultRow(p);
          return [
            p.name,
            p.type === 'choice'
              ? { type: 'choice', values: p.options }
              : { type: p.type, min: Number(row.min), max: Number(row.max), log: row.log },
          ];
        }),
      );
      const parsed = TrainingRequest.safeParse({ ...request, modelType, search: { space } });
      expect(parsed.error?.issues ?? [], modelType).toEqual([]);
      for (const spec of Object.values(space)) expect(ParamSpace.safeParse(spec).success).toBe(true);
    }
    const seed = TrainingRequest.safeParse({ ...request, modelType: 'gbdt', search: { space: { seed: { type: 'int', min: 1, max: 5 } } } });
    expect(seed.error?.issues.map((i) => i.message)).toEqual([expect.stringContaining('gbdt has no searchable parameter "seed"')]);
  });

  it("checks a value with the parameter's own schema: its bounds and its options", () => {
    const [learningRate, solver] = [searchableParams('gbdt')[1]!, searchableParams('logistic_regression')[0]!];
    expect(learningRate.problem(0.5)).toBeUndefined();
    expect(learningRate.problem(2)).toBe(GbdtParams.shape.learningRate.safeParse(2).error!.issues[0]!.message);
    expect(learningRate.problem(0)).toMatch(/>0/);
    expect(solver.problem('adam')).toBeUndefined();
    expect(solver.problem('sgd')).toMatch(/lbfgs.*adam/);
  });

  it('starts a range a decade either side of the default, on a log scale, within the bounds', () => {
    const [numIterations, learningRate, maxLeaves, , lambdaL2, , featureFraction, , earlyStopping] = searchableParams('gbdt');
    expect(defaultRow(learningRate!)).toEqual({ on: false, min: '0.01', max: '1', log: true, values: '' });
    expect(defaultRow(numIterations!)).toMatchObject({ min: '10', max: '1000', log: true });
    // whole numbers inside the bounds: 3.1 → 4
    expect(defaultRow(maxLeaves!)).toMatchObject({ min: '4', max: '310', log: true });
    // at most 1: a decade below
    expect(defaultRow(featureFraction!)).toMatchObject({ min: '0.1', max: '1', log: true });
    // a default of 0: a linear range from 0
    expect(defaultRow(lambdaL2!)).toMatchObject({ min: '0', max: '1', log: false });
    expect(defaultRow(earlyStopping!)).toMatchObject({ min: '0', max: '10', log: false });
    expect(defaultRow(searchableParams('neural_network').find((p) => p.name === 'dropout')!)).toMatchObject({ min: '0', max: '0.9' });
    expect(defaultRow(searchableParams('neural_network')[0]!)).toMatchObject({ values: 'relu,tanh' });
  });
});
