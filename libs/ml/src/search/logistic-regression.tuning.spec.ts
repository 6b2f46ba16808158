import { describe, expect, it } from 'vitest';

import { randomSplit } from '../dataset/dataset.split';
import { predictProba } from '../linear/logistic-regression.model';
import { trainLogisticRegression } from '../linear/logistic-regression.trainer';
import { rocAuc } from '../metrics/metrics';
import { syntheticLogisticDataset } from '../testing/synthetic-dataset.fixture';
import { randomSearch } from './random.search';
import type { SearchObjective, SearchSpace } from './search.types';
import { successiveHalving } from './successive-halving.search';

// The searches know nothing of the trainer: the objective is the only place the two meet.
const { train, validation } = randomSplit(syntheticLogisticDataset(1200, 11), { validationFraction: 0.25, seed: 3 });

const space: SearchSpace = {
  l2: { type: 'float', min: 1e-4, max: 10, log: true },
  learningRate: { type: 'float', min: 1e-3, max: 0.3, log: true },
};

const validationAuc: SearchObjective = async (params, { resource, signal }) => {
  const model = await trainLogisticRegression(
    train,
    { solver: 'adam', l2: params.l2 as number, learningRate: params.learningRate as number, epochs: resource ?? 5, batchSize: 128 },
    { signal },
  );
  return rocAuc(validation.label, predictProba(model, validation.columns));
};

describe('tuning trainLogisticRegression by validation AUC', () => {
  it('random search: every trial scored by AUC, best = the highest, and re-training it reproduces the score', async () => {
    const result = await randomSearch({ space, trials: 6, seed: 1, direction: 'maximize', objective: validationAuc });

    expect(result.trials).toHaveLength(6);
    expect(result.trials.every((t) => t.status === 'ok' && t.score! > 0.5 && t.score! <= 1)).toBe(true);
    const scores = result.trials.map((t) => t.score!);
    expect(result.best!.score).toBe(Math.max(...scores));
    expect(result.best!.score).toBeGreaterThan(0.78);
    // Re-training the best parameters reproduces its score: the search recorded what it ran.
    expect(await validationAuc(result.best!.params, { trialId: -1 })).toBeCloseTo(result.best!.score, 6);
  });

  it('successive halving over epochs: the winner is trained with maxResource epochs', async () => {
    const resources: number[] = [];
    const result = await successiveHalving({
      space,
      n: 6,
      minResource: 1,
      maxResource: 6,
      eta: 3,
      seed: 2,
      direction: 'maximize',
      objective: async (params, ctx) => {
        resources.push(ctx.resource!);
        return validationAuc(params, ctx);
      },
    });
    expect(resources).toEqual([1, 1, 1, 1, 1, 1, 6, 6]);
    const winner = result.trials[result.best!.trialId];
    expect(winner).toMatchObject({ rung: 1, resource: 6, status: 'ok' });
    expect(result.best!.score).toBeGreaterThan(0.78);
  });
});
