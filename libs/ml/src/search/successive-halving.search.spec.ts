import { describe, expect, it } from 'vitest';

import { MlError } from '../ml.error';
import type { SearchParams, SearchSpace, SearchTrial } from './search.types';
import { planSuccessiveHalving, successiveHalving } from './successive-halving.search';

const space: SearchSpace = { x: { type: 'float', min: -1, max: 1 }, kind: { type: 'choice', values: ['a', 'b'] } };

/** Quality of a configuration (optimum x = 0.3, kind 'b'), seen through a resource-dependent penalty. */
function quality(p: SearchParams): number {
  return -(((p.x as number) - 0.3) ** 2) + (p.kind === 'b' ? 0.1 : 0);
}

describe('planSuccessiveHalving', () => {
  it('divides configurations and multiplies resource by eta each rung, ending at maxResource', () => {
    expect(planSuccessiveHalving(27, 1, 27, 3)).toEqual([
      { rung: 0, configs: 27, resource: 1 },
      { rung: 1, configs: 9, resource: 3 },
      { rung: 2, configs: 3, resource: 9 },
      { rung: 3, configs: 1, resource: 27 },
    ]);
    // Few configurations: the survivor jumps to maxResource.
    expect(planSuccessiveHalving(9, 1, 100, 3).map((r) => [r.configs, r.resource])).toEqual([
      [9, 1],
      [3, 3],
      [1, 100],
    ]);
    // Little resource: the last rung still holds several configurations.
    expect(planSuccessiveHalving(16, 0.5, 2, 2).map((r) => [r.configs, r.resource])).toEqual([
      [16, 0.5],
      [8, 1],
      [4, 2],
    ]);
    expect(() => planSuccessiveHalving(9, 1, 10, 1)).toThrow(/eta/);
    expect(() => planSuccessiveHalving(9, 5, 1)).toThrow(MlError);
  });
});

describe('successiveHalving', () => {
  it('keeps the best 1/eta each rung, records every evaluation with its rung, and finds the best config', async () => {
    const calls: Array<{ configKey: string; resource: number | undefined }> = [];
    const reported: SearchTrial[] = [];
    const result = await successiveHalving({
      space,
      n: 27,
      minResource: 1,
      maxResource: 27,
      seed: 4,
      direction: 'maximize',
      objective: async (p, { resource }) => {
        calls.push({ configKey: JSON.stringify(p), resource });
        return quality(p) - 1 / resource!;
      },
      onTrial: (t) => void reported.push({ ...t }),
    });

    expect(result.stopReason).toBe('completed');
    expect(result.trials).toHaveLength(27 + 9 + 3 + 1);
    expect(reported).toEqual(result.trials);
    const byRung = (rung: number) => result.trials.filter((t) => t.rung === rung);
    expect([0, 1, 2, 3].map((r) => byRung(r).length)).toEqual([27, 9, 3, 1]);
    expect([0, 1, 2, 3].map((r) => byRung(r)[0].resource)).toEqual([1, 3, 9, 27]);
    expect(calls.map((c) => c.resource)).toEqual(result.trials.map((t) => t.resource));
    expect(byRung(0).filter((t) => t.status === 'pruned')).toHaveLength(18);
    expect(byRung(0).filter((t) => t.status === 'ok')).toHaveLength(9);
    expect(byRung(3)[0].status).toBe('ok');

    // The ranking does not change with resource here, so the winner is the best of the first rung.
    const bestOfFirstRung = byRung(0).reduce((a, b) => (b.score! > a.score! ? b : a));
    expect(result.best!.params).toEqual(bestOfFirstRung.params);
    expect(result.best!.trialId).toBe(byRung(3)[0].id);
    expect(result.best!.score).toBeCloseTo(quality(bestOfFirstRung.params) - 1 / 27, 12);
    // Promoted configurations are the top of their rung and keep their configId.
    const promoted = new Set(byRung(1).map((t) => t.configId));
    const top9 = [...byRung(0)].sort((a, b) => b.score! - a.score!).slice(0, 9);
    expect(new Set(top9.map((t) => t.configId))).toEqual(promoted);
    for (const t of byRung(1)) expect(t.params).toEqual(byRung(0).find((u) => u.configId === t.configId)!.params);
  });

  it('never promotes a failed trial and survives failures', async () => {
    const result = await successiveHalving({
      space,
      n: 9,
      minResource: 1,
      maxResource: 9,
      direction: 'minimize',
      objective: async (p, { trialId, resource }) => {
        if (trialId % 2 === 0) throw new Error(`boom ${trialId}`);
        return -quality(p) + 1 / resource!;
      },
    });
    const failedConfigs = new Set(result.trials.filter((t) => t.status === 'failed').map((t) => t.configId));
    for (const t of result.trials.filter((u) => (u.rung ?? 0) > 0)) {
      const earlier = result.trials.find((u) => u.configId === t.configId && u.rung === t.rung! - 1)!;
      expect(earlier.status).toBe('ok');
    }
    expect(failedConfigs.size).toBeGreaterThan(0);
    expect(result.best).not.toBeNull();
  });

  it('stops when aborted and returns the trials so far', async () => {
    const controller = new AbortController();
    const result = await successiveHalving({
      space,
      n: 9,
      minResource: 1,
      maxResource: 9,
      direction: 'maximize',
      signal: controller.signal,
      objective: async (p, { trialId }) => {
        if (trialId === 4) controller.abort();
        return quality(p);
      },
    });
    expect(result.stopReason).toBe('aborted');
    expect(result.trials).toHaveLength(5);
    expect(result.trials.every((t) => t.rung === 0 && t.status === 'ok')).toBe(true);
    expect(result.best).not.toBeNull();
  });
});
