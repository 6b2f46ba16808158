import { describe, expect, it } from 'vitest';

import { MlError } from '../ml.error';
import { randomSearch } from './random.search';
import type { SearchParams, SearchSpace, SearchTrial } from './search.types';

const space: SearchSpace = {
  x: { type: 'float', min: -1, max: 1 },
  lr: { type: 'float', min: 1e-4, max: 1, log: true },
  kind: { type: 'choice', values: ['a', 'b'] },
};

/** Known optimum: x = 0.3, lr = 0.01, kind = 'b', where the score is 0.1. */
function synthetic(p: SearchParams): number {
  return -(((p.x as number) - 0.3) ** 2) - 0.1 * (Math.log10(p.lr as number) + 2) ** 2 + (p.kind === 'b' ? 0.1 : 0);
}

describe('randomSearch', () => {
  it('gets close to the known optimum and keeps every trial with its parameters and score', async () => {
    const seen: SearchTrial[] = [];
    const result = await randomSearch({
      space,
      trials: 300,
      seed: 3,
      direction: 'maximize',
      objective: async (p) => synthetic(p),
      onTrial: (t) => void seen.push(t),
    });

    expect(result.stopReason).toBe('completed');
    expect(result.trials).toHaveLength(300);
    expect(seen).toEqual(result.trials);
    expect(result.trials.map((t) => t.id)).toEqual(Array.from({ length: 300 }, (_, i) => i));
    for (const t of result.trials) {
      expect(t.status).toBe('ok');
      expect(t.score).toBe(synthetic(t.params));
      expect(t.seconds).toBeGreaterThanOrEqual(0);
    }
    const best = result.best!;
    expect(best.score).toBe(Math.max(...result.trials.map((t) => t.score!)));
    expect(best.params).toEqual(result.trials[best.trialId].params);
    expect(best.params.kind).toBe('b');
    expect(Math.abs((best.params.x as number) - 0.3)).toBeLessThan(0.1);
    expect(Math.abs(Math.log10(best.params.lr as number) + 2)).toBeLessThan(0.5);
    expect(best.score).toBeGreaterThan(0.08);
  });

  it('minimises when asked and is reproducible for a seed', async () => {
    const run = (seed: number) => randomSearch({ space, trials: 20, seed, direction: 'minimize', objective: async (p) => -synthetic(p) });
    const [first, again, other] = await Promise.all([run(1), run(1), run(2)]);
    expect(first.best!.score).toBe(Math.min(...first.trials.map((t) => t.score!)));
    expect(again.trials.map((t) => t.params)).toEqual(first.trials.map((t) => t.params));
    expect(other.trials.map((t) => t.params)).not.toEqual(first.trials.map((t) => t.params));
  });

  it('records a failing trial as failed and carries on', async () => {
    const result = await randomSearch({
      space,
      trials: 6,
      direction: 'maximize',
      objective: async (p, { trialId }) => {
        if (trialId === 1) throw new Error('out of memory');
        if (trialId === 4) return NaN;
        return synthetic(p);
      },
    });
    expect(result.trials.map((t) => t.status)).toEqual(['ok', 'failed', 'ok', 'ok', 'failed', 'ok']);
    expect(result.trials[1]).toMatchObject({ score: null, error: 'out of memory' });
    expect(result.trials[4].error).toMatch(/returned NaN/);
    expect(result.trials[1].params).toHaveProperty('x');
    expect(result.best!.trialId).not.toBe(1);
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });

  it('returns best = null when every trial fails', async () => {
    const result = await randomSearch({ space, trials: 2, direction: 'maximize', objective: () => Promise.reject(new Error('x')) });
    expect(result.best).toBeNull();
    expect(result.trials).toHaveLength(2);
  });

  it('stops at budget.maxTrials and budget.maxSeconds without cutting a trial short', async () => {
    const capped = await randomSearch({
      space,
      trials: 10,
      budget: { maxTrials: 4 },
      direction: 'maximize',
      objective: async (p) => synthetic(p),
    });
    expect(capped.trials).toHaveLength(4);
    expect(capped.stopReason).toBe('budget');

    // A fake clock: every trial takes exactly 1.5 s, the budget is 4 s → trials start at 0, 1.5, 3.
    let now = 0;
    const timed = await randomSearch({
      space,
      trials: 10,
      budget: { maxSeconds: 4 },
      clock: () => now,
      direction: 'maximize',
      objective: async (p) => {
        now += 1500;
        return synthetic(p);
      },
    });
    expect(timed.trials).toHaveLength(3);
    expect(timed.trials.map((t) => t.seconds)).toEqual([1.5, 1.5, 1.5]);
    expect(timed.stopReason).toBe('budget');
  });

  it('is cancelled by its AbortSignal, which the running objective also sees', async () => {
    const controller = new AbortController();
    const result = await randomSearch({
      space,
      trials: 10,
      direction: 'maximize',
      signal: controller.signal,
      objective: async (p, { trialId, signal }) => {
        expect(signal).toBe(controller.signal);
        if (trialId === 2) {
          controller.abort();
          signal?.throwIfAborted();
        }
        return synthetic(p);
      },
    });
    expect(result.stopReason).toBe('aborted');
    expect(result.trials.map((t) => t.status)).toEqual(['ok', 'ok', 'failed']);
    expect(result.best).not.toBeNull();
  });

  it('rejects a bad trial count or direction before running anything', async () => {
    const objective = async (): Promise<number> => 0;
    await expect(randomSearch({ space, trials: 0, direction: 'maximize', objective })).rejects.toThrow(MlError);
    await expect(randomSearch({ space, trials: 1, direction: 'up' as 'maximize', objective })).rejects.toThrow(/direction/);
  });
});
