import { describe, expect, it } from 'vitest';

import { MlError } from '../ml.error';
import { createRng } from '../random/prng.util';
import type { SearchSpace } from './search.types';
import { sampleSpace } from './search-space.sampler';

const space: SearchSpace = {
  learningRate: { type: 'float', min: 1e-4, max: 1, log: true },
  dropout: { type: 'float', min: 0, max: 0.5 },
  depth: { type: 'int', min: 2, max: 4 },
  leaves: { type: 'int', min: 1, max: 1000, log: true },
  loss: { type: 'choice', values: ['logloss', 'focal', true, 3] },
};

describe('sampleSpace', () => {
  const draws = Array.from(
    { length: 4000 },
    (
      (rng) => () =>
        sampleSpace(space, rng)
    )(createRng(5)),
  );

  it('keeps every parameter within its declaration', () => {
    for (const p of draws) {
      expect(p.learningRate).toBeGreaterThanOrEqual(1e-4);
      expect(p.learningRate).toBeLessThanOrEqual(1);
      expect(p.dropout).toBeGreaterThanOrEqual(0);
      expect(p.dropout).toBeLessThan(0.5);
      expect([2, 3, 4]).toContain(p.depth);
      expect(Number.isInteger(p.leaves) && (p.leaves as number) >= 1 && (p.leaves as number) <= 1000).toBe(true);
    }
    // Every int and choice value shows up, the ends as often as the middle.
    for (const depth of [2, 3, 4]) {
      const share = draws.filter((p) => p.depth === depth).length / draws.length;
      expect(share).toBeGreaterThan(0.3);
      expect(share).toBeLessThan(0.37);
    }
    expect(new Set(draws.map((p) => p.loss))).toEqual(new Set(['logloss', 'focal', true, 3]));
  });

  it('samples log-scale parameters uniformly in log space', () => {
    // Half of a log-uniform draw on [1e-4, 1] lies below the geometric midpoint 1e-2.
    const below = draws.filter((p) => (p.learningRate as number) < 1e-2).length / draws.length;
    expect(below).toBeGreaterThan(0.47);
    expect(below).toBeLessThan(0.53);
    const smallLeaves = draws.filter((p) => (p.leaves as number) < 32).length / draws.length;
    expect(smallLeaves).toBeGreaterThan(0.45);
  });

  it('is reproducible for a seed, whatever order the space was declared in', () => {
    const reversed = Object.fromEntries(Object.entries(space).reverse());
    expect(sampleSpace(reversed, createRng(9))).toEqual(sampleSpace(space, createRng(9)));
    expect(sampleSpace(space, createRng(10))).not.toEqual(sampleSpace(space, createRng(9)));
  });

  it('rejects declarations it cannot sample, naming the parameter', () => {
    const rng = createRng(1);
    expect(() => sampleSpace({ lr: { type: 'float', min: 0, max: 1, log: true } }, rng)).toThrow(/"lr".*min > 0/);
    expect(() => sampleSpace({ depth: { type: 'int', min: 1.5, max: 3 } }, rng)).toThrow(/"depth".*integers/);
    expect(() => sampleSpace({ x: { type: 'float', min: 2, max: 1 } }, rng)).toThrow(/"x"/);
    expect(() => sampleSpace({ kind: { type: 'choice', values: [] } }, rng)).toThrow(MlError);
    expect(() => sampleSpace({}, rng)).toThrow(/no parameters/);
  });
});
