import { describe, expect, it } from 'vitest';

import { AUTOML_MODEL_TYPES, type SearchTrialResult, TrainingRequest, type TrainingRequestInput } from '@atelier/contracts';
import { createRng, type Dataset, normal, rmse, rocAuc } from '@atelier/ml';

import { autoMlAndTrain, autoMlSpace, candidateOf } from './automl';

/** A label that depends on x non-linearly (|x| > 1) and on y linearly; `noise` carries nothing. */
function rows(rowCount: number, seed: number, regression = false): Dataset {
  const rng = createRng(seed);
  const x = Float64Array.from({ length: rowCount }, () => normal(rng));
  const y = Float64Array.from({ length: rowCount }, () => normal(rng));
  const noise = Float64Array.from({ length: rowCount }, () => normal(rng));
  const label = x.map((v, i) => {
    const signal = (Math.abs(v) > 1 ? 1.5 : -0.5) + 0.8 * y[i]!;
    return regression ? signal + 0.3 * normal(rng) : Number(signal + 0.7 * normal(rng) > 0);
  });
  return { features: ['x', 'y', 'noise'], columns: [x, y, noise], label, rowCount };
}

function request(model: Pick<TrainingRequestInput, 'modelType' | 'params' | 'automl' | 'search'>): TrainingRequest {
  return TrainingRequest.parse({
    modelName: 'auto',
    source: { group: 'rows' },
    window: { start: '2001-01-01T00:00:00Z', validationStart: '2001-01-02T00:00:00Z', end: '2001-01-03T00:00:00Z' },
    requestFeatures: ['x', 'y', 'noise'],
    label: 'label',
    ...model,
  } as TrainingRequestInput);
}

const run = (r: TrainingRequest, train: Dataset, validation: Dataset, seen: SearchTrialResult[] = []) =>
  autoMlAndTrain(
    r,
    train,
    validation,
    r.modelType === 'linear_regression' ? 'regression' : 'binary_classification',
    { numClass: 2 },
    {
      signal: new AbortController().signal,
      onTrial: async (trial) => void seen.push(trial),
    },
  );

describe('AutoML', () => {
  const train = rows(1500, 1);
  const validation = rows(600, 2);

  it('searches across model types by successive halving, the same for a seed, and registers the best of the last rung', async () => {
    const automl = request({ modelType: 'logistic_regression', automl: { trials: 9, seed: 7 } });
    const seen: SearchTrialResult[] = [];
    const first = await run(automl, train, validation, seen);
    const again = await run(automl, train, validation);

    // 9 candidates on the first rung, 3 on the second, 1 with the whole budget
    expect(first.trials.map((t) => t.rung)).toEqual([...Array<number>(9).fill(0), 1, 1, 1, 2]);
    expect(seen).toHaveLength(first.trials.length);
    expect(first.trials.every((t) => AUTOML_MODEL_TYPES.binary_classification.includes(t.modelType!))).toBe(true);
    expect(new Set(first.trials.map((t) => t.modelType)).size).toBeGreaterThan(1);
    // each trial carries its own type's parameters only, its budget, its metrics and seconds
    for (const t of first.trials.filter((trial) => trial.status !== 'failed')) {
      const own = t.modelType === 'gbdt' ? 'numIterations' : t.modelType === 'neural_network' ? 'epochs' : 'maxIterations';
      expect(Object.keys(t.params)).toContain(own);
      expect(Object.keys(t.params).every((k) => !k.includes('.'))).toBe(true);
      expect(t.metrics!.auc).toBe(t.score);
      expect(Object.keys(t.metrics!).sort()).toEqual(['accuracy', 'auc', 'log_loss']);
      expect(t.seconds).toBeGreaterThanOrEqual(0);
    }
    const last = first.trials.filter((t) => t.rung === 2 && t.status === 'ok');
    expect(first.score).toBe(Math.max(...last.map((t) => t.score!)));
    expect(first.modelType).toBe(last.find((t) => t.score === first.score)!.modelType);
    // the registered model is the winner itself, with the whole budget of its type
    expect(rocAuc(validation.label, first.trained.predict(validation.columns))).toBeCloseTo(first.score, 12);
    expect(first.score).toBeGreaterThan(0.75);

    // the same seed: the same candidates, rungs and winner
    const strip = (ts: SearchTrialResult[]) => ts.map(({ seconds: _s, ...t }) => t);
    expect(strip(again.trials)).toEqual(strip(first.trials));
    expect([again.modelType, again.params]).toEqual([first.modelType, first.params]);
  }, 120_000);

  it('tries the regressors for a regression, scored by RMSE', async () => {
    const reg = request({ modelType: 'linear_regression', automl: { trials: 3, seed: 1, modelTypes: ['linear_regression', 'gbdt'] } });
    const outcome = await run(reg, rows(800, 3, true), rows(300, 4, true));
    expect(outcome.trials.every((t) => t.modelType === 'linear_regression' || t.modelType === 'gbdt')).toBe(true);
    expect(outcome.trials.every((t) => t.status === 'failed' || t.metrics!.rmse === t.score)).toBe(true);
    const valid = rows(300, 4, true);
    expect(rmse(valid.label, outcome.trained.predict(valid.columns))).toBeCloseTo(outcome.score, 9);
  }, 60_000);

  it('draws each type from its own part of one space, with the budget in shares of the type’s whole', () => {
    const space = autoMlSpace(['gbdt', 'neural_network']);
    expect(space.modelType).toEqual({ type: 'choice', values: ['gbdt', 'neural_network'] });
    expect(Object.keys(space).filter((k) => k.startsWith('gbdt.'))).toEqual([
      'gbdt.learningRate',
      'gbdt.maxLeaves',
      'gbdt.minDataInLeaf',
      'gbdt.featureFraction',
    ]);
    const sampled = {
      modelType: 'neural_network',
      'gbdt.learningRate': 0.1,
      'neural_network.hiddenLayers': '32,16',
      'neural_network.learningRate': 0.01,
    };
    expect(candidateOf(sampled, 'multiclass_classification', 3)).toEqual({
      modelType: 'neural_network',
      params: { task: 'multiclass', hiddenLayers: [32, 16], learningRate: 0.01, epochs: 7 },
    });
    expect(candidateOf(sampled, 'multiclass_classification', 9, false).params).toEqual({
      hiddenLayers: '32,16',
      learningRate: 0.01,
      epochs: 20,
    });
  });

  it('is refused with a search or a partition, and with a model type that does not learn the task', () => {
    const bad = (automl: object, extra: object = {}) =>
      TrainingRequest.safeParse({
        modelName: 'auto',
        source: { group: 'rows' },
        window: { start: '2001-01-01T00:00:00Z', validationStart: '2001-01-02T00:00:00Z', end: '2001-01-03T00:00:00Z' },
        requestFeatures: ['x'],
        label: 'label',
        modelType: 'gbdt',
        automl,
        ...extra,
      }).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(bad({}, { search: { space: { learningRate: { type: 'float', min: 0.01, max: 0.3 } } } })).toEqual([
      'automl: AutoML runs its own search across model types: drop "search" or "automl"',
    ]);
    expect(bad({}, { partition: { column: 'origin' } })).toEqual([
      'partition: a partitioned model is trained with fixed parameters: drop "automl" or "partition"',
    ]);
    expect(bad({ modelTypes: ['gbdt', 'linear_regression'] })).toEqual([
      'automl.modelTypes.1: linear_regression does not learn binary classification; AutoML can try logistic_regression, gbdt, neural_network',
    ]);
    expect(bad({ trials: 2 })?.[0]).toMatch(/^automl.trials/);
  });
});
