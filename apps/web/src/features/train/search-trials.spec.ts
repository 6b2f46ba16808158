import { describe, expect, it } from 'vitest';

import type { SearchTrialResult } from '@atelier/contracts';

import { describeScore, nextSort, SEARCH_SCORES, searchedParams, searchWinner, sortTrials } from './search-trials';

const trial = (id: number, score: number | null, extra: Partial<SearchTrialResult> = {}): SearchTrialResult => ({
  id,
  params: { learningRate: 0.1 * (id + 1) },
  score,
  seconds: 1 + (id % 2),
  status: score === null ? 'failed' : 'ok',
  ...extra,
});

describe('the winner of a search', () => {
  it('follows the task: the highest AUC of a binary classifier, the lowest log loss or RMSE', () => {
    expect(SEARCH_SCORES.binary_classification).toEqual({ metric: 'auc', label: 'AUC', direction: 'maximize' });
    expect(SEARCH_SCORES.multiclass_classification).toMatchObject({ metric: 'log_loss', direction: 'minimize' });
    expect(SEARCH_SCORES.regression).toMatchObject({ metric: 'rmse', direction: 'minimize' });
    expect(describeScore('regression')).toBe('validation RMSE (lower is better)');
    const trials = [trial(0, 0.7), trial(1, 0.9), trial(2, null), trial(3, 0.6)];
    expect(searchWinner(trials, 'maximize')?.id).toBe(1);
    expect(searchWinner(trials, 'minimize')?.id).toBe(3);
  });

  it('is a successful trial of the highest rung reached, the earlier one on a tie; none before a trial succeeded', () => {
    const halving = [
      trial(0, 0.95, { rung: 0, resource: 2, status: 'pruned' }),
      trial(1, 0.8, { rung: 0, resource: 2 }),
      trial(2, 0.85, { rung: 0, resource: 2 }),
      trial(3, 0.81, { rung: 1, resource: 18 }),
      trial(4, 0.81, { rung: 1, resource: 18 }),
    ];
    // the pruned trial's score was earned on a smaller budget: it never wins
    expect(searchWinner(halving, 'maximize')?.id).toBe(3);
    expect(searchWinner(halving.slice(0, 3), 'maximize')?.id).toBe(2);
    expect(searchWinner([trial(0, null)], 'maximize')).toBeUndefined();
    expect(searchWinner([], 'minimize')).toBeUndefined();
  });
});

describe('sorting the trials table', () => {
  const trials = [trial(0, 0.7), trial(1, null), trial(2, 0.9, { status: 'pruned' }), trial(3, 0.6, { params: {} })];

  it('sorts by any column; trials without a value there go last either way, ties in trial order', () => {
    const ids = (column: Parameters<typeof sortTrials>[1]['column'], descending = false) =>
      sortTrials(trials, { column, descending }).map((t) => t.id);
    expect(ids('score')).toEqual([3, 0, 2, 1]);
    expect(ids('score', true)).toEqual([2, 0, 3, 1]);
    expect(ids('param:learningRate', true)).toEqual([2, 1, 0, 3]);
    expect(ids('status')).toEqual([0, 3, 2, 1]);
    expect(ids('seconds')).toEqual([0, 2, 1, 3]);
    expect(ids('id', true)).toEqual([3, 2, 1, 0]);
    const rungs = [
      trial(0, 1, { rung: 1, resource: 9 }),
      trial(1, 1, { rung: 0, resource: 3 }),
      trial(2, 1),
      trial(3, 1, { rung: 1, resource: 3 }),
    ];
    expect(sortTrials(rungs, { column: 'rung', descending: true }).map((t) => t.id)).toEqual([0, 3, 1, 2]);
    // choices sort as text
    const choices = [trial(0, 1, { params: { solver: 'lbfgs' } }), trial(1, 1, { params: { solver: 'adam' } })];
    expect(sortTrials(choices, { column: 'param:solver', descending: false }).map((t) => t.id)).toEqual([1, 0]);
  });

  it('flips the column clicked again; a new column starts ascending, the score best first', () => {
    const byId = { column: 'id', descending: false } as const;
    expect(nextSort(byId, 'id', 'maximize')).toEqual({ column: 'id', descending: true });
    expect(nextSort(byId, 'seconds', 'maximize')).toEqual({ column: 'seconds', descending: false });
    expect(nextSort(byId, 'score', 'maximize')).toEqual({ column: 'score', descending: true });
    expect(nextSort(byId, 'score', 'minimize')).toEqual({ column: 'score', descending: false });
  });

  it('has a column per searched parameter: the space, else what the trials drew', () => {
    const search = {
      strategy: 'random' as const,
      trials: 2,
      seed: 1,
      space: { maxLeaves: { type: 'int' as const, min: 2, max: 8, log: false } },
    };
    const job = { request: { search } as never, trials: [trial(0, 1)] };
    expect(searchedParams(job)).toEqual(['maxLeaves']);
    expect(searchedParams({ request: {} as never, trials: [trial(0, 1), trial(1, 1, { params: { learningRate: 1, l2: 0 } })] })).toEqual([
      'learningRate',
      'l2',
    ]);
  });
});
