import { describe, expect, it } from 'vitest';

import { createRng, normal, permutation } from './prng.util';

describe('createRng', () => {
  it('repeats its sequence for a seed, stays in [0, 1) and is roughly uniform', () => {
    const a = createRng(42);
    const b = createRng(42);
    const draws = Array.from({ length: 10_000 }, () => a());
    expect(draws.slice(0, 5)).toEqual(Array.from({ length: 5 }, () => b()));
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThan(1);
    const mean = draws.reduce((s, x) => s + x, 0) / draws.length;
    expect(mean).toBeGreaterThan(0.49);
    expect(mean).toBeLessThan(0.51);
  });

  it('normal() has mean ≈ 0 and variance ≈ 1', () => {
    const rng = createRng(3);
    const draws = Array.from({ length: 20_000 }, () => normal(rng));
    const mean = draws.reduce((s, x) => s + x, 0) / draws.length;
    const variance = draws.reduce((s, x) => s + (x - mean) ** 2, 0) / draws.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
  });

  it('permutation() holds every index once', () => {
    const order = permutation(100, createRng(9));
    expect([...order].sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect([...order]).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
  });
});
