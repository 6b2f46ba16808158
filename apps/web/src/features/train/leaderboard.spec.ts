import { describe, expect, it } from 'vitest';

import { type SearchTrialResult, TrainingRequest } from '@atelier/contracts';

import { autoMlOutcome, autoMlTypes, formatParams, scoreSeries, trialColumns } from './leaderboard';
import { nextSort, searchWinner, sortTrials } from './search-trials';
import { MINIMAL_REQUEST } from './training-request.fixture';

const automl = TrainingRequest.parse({
  ...MINIMAL_REQUEST,
  modelType: 'logistic_regression',
  automl: { trials: 3, modelTypes: ['logistic_regression', 'gbdt'] },
});
const searched = TrainingRequest.parse({
  ...MINIMAL_REQUEST,
  modelType: 'gbdt',
  search: { strategy: 'successive_halving', trials: 3, space: { learningRate: { type: 'float', min: 0.05, max: 0.5 } } },
});

/** A candidate of a binary AutoML run: its AUC is its score */
const candidate = (
  id: number,
  modelType: 'logistic_regression' | 'gbdt',
  auc: number,
  extra: Partial<SearchTrialResult> = {},
): SearchTrialResult => ({
  id,
  modelType,
  params: modelType === 'gbdt' ? { learningRate: 0.0712345, maxLeaves: 23, numIterations: 11 } : { l2: 0.001, maxIterations: 33 },
  score: auc,
  metrics: { auc, log_loss: 1 - auc, accuracy: auc - 0.1 },
  seconds: 0.5,
  rung: 0,
  resource: 1,
  status: 'ok',
  ...extra,
});

// 3 candidates on a ninth of their budget, the best one promoted to all of it
const leaderboard = [
  candidate(0, 'gbdt', 0.81, { status: 'pruned' }),
  candidate(1, 'logistic_regression', 0.84),
  candidate(2, 'logistic_regression', 0.79, { status: 'pruned' }),
  candidate(3, 'logistic_regression', 0.83, { rung: 1, resource: 9 }),
];

describe("AutoML's leaderboard", () => {
  it('has a model-type column, the parameters in one cell and a column per validation metric besides the score', () => {
    expect(trialColumns({ request: automl, trials: leaderboard }, ['l2'])).toEqual({
      autoMl: true,
      params: [],
      metrics: ['accuracy', 'log_loss'],
      halving: true,
    });
    // a search keeps a column per searched parameter and no metrics
    expect(trialColumns({ request: searched, trials: [] }, ['learningRate'])).toEqual({
      autoMl: false,
      params: ['learningRate'],
      metrics: [],
      halving: true,
    });
    expect(formatParams(leaderboard[0]!.params)).toBe('learningRate=0.07123 maxLeaves=23 numIterations=11');
  });

  it('sorts by model type and by any metric, a metric best first: higher accuracy, lower log loss', () => {
    const ids = (column: Parameters<typeof sortTrials>[1]['column'], descending: boolean) =>
      sortTrials(leaderboard, { column, descending }).map((t) => t.id);
    expect(ids('modelType', false)).toEqual([0, 1, 2, 3]);
    expect(ids('modelType', true)).toEqual([1, 2, 3, 0]);
    const byId = { column: 'id', descending: false } as const;
    const accuracy = nextSort(byId, 'metric:accuracy', 'minimize');
    expect(accuracy).toEqual({ column: 'metric:accuracy', descending: true });
    expect(sortTrials(leaderboard, accuracy).map((t) => t.id)).toEqual([1, 3, 0, 2]);
    const logLoss = nextSort(byId, 'metric:log_loss', 'maximize');
    expect(logLoss).toEqual({ column: 'metric:log_loss', descending: false });
    expect(sortTrials(leaderboard, logLoss).map((t) => t.id)).toEqual([1, 3, 0, 2]);
    // a failed candidate has no metrics: last either way
    const failed = [...leaderboard, { ...candidate(4, 'gbdt', 0), score: null, metrics: undefined, status: 'failed' as const }];
    expect(sortTrials(failed, { column: 'metric:auc', descending: true }).at(-1)?.id).toBe(4);
    expect(sortTrials(failed, { column: 'metric:auc', descending: false }).at(-1)?.id).toBe(4);
  });

  it("draws the score by trial in a tone per model type, in the job's order, the winner apart", () => {
    expect(autoMlTypes(automl)).toEqual(['logistic_regression', 'gbdt']);
    expect(autoMlTypes({ ...automl, automl: { trials: 3, seed: 1 } })).toEqual(['logistic_regression', 'gbdt', 'neural_network']);
    const winner = searchWinner(leaderboard, 'maximize');
    // the best of the highest rung, not the better score earned on a ninth of the budget
    expect(winner?.id).toBe(3);
    expect(scoreSeries(leaderboard, winner, 'winner', autoMlTypes(automl))).toEqual([
      {
        label: 'logistic regression',
        points: [
          { x: 1, y: 0.84 },
          { x: 2, y: 0.79 },
        ],
        mark: 'dots',
        tone: 'a',
      },
      { label: 'gradient-boosted trees', points: [{ x: 0, y: 0.81 }], mark: 'dots', tone: 'b' },
      { label: 'winner: logistic regression', points: [{ x: 3, y: 0.83 }], mark: 'dots', tone: 'd' },
    ]);
    // a search: finished and pruned trials apart
    expect(scoreSeries(leaderboard, winner, 'winner').map((s) => [s.label, s.points.map((p) => p.x), s.tone])).toEqual([
      ['trial', [1], 'a'],
      ['pruned', [0, 2], 'c'],
      ['winner', [3], 'b'],
    ]);
  });

  it('says which type won and what was registered; while it runs, which leads', () => {
    const winner = searchWinner(leaderboard, 'maximize');
    const job = { request: automl, modelName: 'shots', modelVersion: 4, status: 'succeeded' as const };
    expect(autoMlOutcome(job, winner)).toBe(
      'Logistic regression won (trial 3, validation AUC 0.8300): registered as shots v4, a logistic_regression model.',
    );
    expect(autoMlOutcome({ ...job, status: 'running', modelVersion: null }, winner)).toBe(
      'Best so far: logistic regression (trial 3, validation AUC 0.8300).',
    );
    expect(autoMlOutcome({ ...job, status: 'failed', modelVersion: null }, winner)).toBeUndefined();
    expect(autoMlOutcome(job, undefined)).toBeUndefined();
  });
});
