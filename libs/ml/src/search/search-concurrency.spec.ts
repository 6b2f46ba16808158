import { describe, expect, it } from 'vitest';

import { randomSearch } from './random.search';
import type { SearchObjective, SearchSpace, SearchTrial } from './search.types';
import { successiveHalving } from './successive-halving.search';

const space: SearchSpace = { x: { type: 'float', min: -2, max: 2 }, k: { type: 'choice', values: ['a', 'b', 'c'] } };

/** A score of the point, reached after a delay that depends on it, so concurrent trials finish out of order. */
function objective(log: { running: number; most: number }): SearchObjective {
  return async ({ x, k }, { resource }) => {
    log.running++;
    log.most = Math.max(log.most, log.running);
    await new Promise((resolve) => setTimeout(resolve, 1 + Math.round(Math.abs(Number(x)) * 5)));
    log.running--;
    return -((Number(x) - 0.5) ** 2) + (k === 'b' ? 0.1 : 0) + (resource ?? 0) / 100;
  };
}

const strip = (trials: SearchTrial[]) => trials.map(({ seconds: _seconds, ...t }) => t);

describe('searches with concurrent evaluations', () => {
  it('random search: the same trials, numbered and recorded in the same order, up to `concurrency` at once', async () => {
    const one = { running: 0, most: 0 };
    const three = { running: 0, most: 0 };
    const sequential = await randomSearch({ space, trials: 10, seed: 5, direction: 'maximize', objective: objective(one) });
    const seen: number[] = [];
    const parallel = await randomSearch({
      space,
      trials: 10,
      seed: 5,
      direction: 'maximize',
      objective: objective(three),
      concurrency: 3,
      onTrial: (t) => void seen.push(t.id),
    });
    expect(strip(parallel.trials)).toEqual(strip(sequential.trials));
    expect(parallel.best).toEqual(sequential.best);
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect([one.most, three.most]).toEqual([1, 3]);
  });

  it('successive halving: the same rungs, promotions and winner at any concurrency', async () => {
    const run = (concurrency: number) =>
      successiveHalving({
        space,
        n: 9,
        minResource: 1,
        maxResource: 9,
        seed: 11,
        direction: 'maximize',
        objective: objective({ running: 0, most: 0 }),
        concurrency,
      });
    const [sequential, parallel] = [await run(1), await run(4)];
    expect(strip(parallel.trials)).toEqual(strip(sequential.trials));
    expect(parallel.best).toEqual(sequential.best);
    expect(parallel.trials.map((t) => t.rung)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 2]);
  });

  it('starts no trial once the search is aborted, and keeps the numbering a prefix', async () => {
    const controller = new AbortController();
    const result = await randomSearch({
      space,
      trials: 12,
      direction: 'maximize',
      concurrency: 2,
      signal: controller.signal,
      objective: async (params, ctx) => {
        if (ctx.trialId === 3) controller.abort();
        return Number(params.x);
      },
    });
    expect(result.stopReason).toBe('aborted');
    expect(result.trials.map((t) => t.id)).toEqual(result.trials.map((_, i) => i));
    expect(result.trials.length).toBeLessThan(12);
  });
});
