import { describe, expect, it } from 'vitest';

import fixtureJson from '../fixtures/drift.scipy.json';
import { histogramBin } from './distribution.stats';
import { chiSquareSurvival, chiSquareTest, jensenShannonDistance, ksStatistic, sampleDistances, wassersteinDistance } from './drift.stats';

const fixture = fixtureJson as {
  scipy: string;
  twoSample: Array<{ name: string; a: number[]; b: number[]; ks: number; wasserstein: number }>;
  histograms: Array<{ name: string; p: number[]; q: number[]; js: number }>;
  chiSquare: Array<{ name: string; observed: number[]; expected: number[]; statistic: number; pValue: number }>;
  chiSquareSurvival: Array<{ x: number; dof: number; sf: number }>;
};

/** Equal to SciPy's value within 1e-9 (relative to the value where it is larger than 1). */
function expectSciPy(ours: number | null | undefined, reference: number): void {
  expect(ours).not.toBeNull();
  expect(Math.abs(ours! - reference)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(reference)));
}

describe(`drift statistics equal SciPy ${fixture.scipy}`, () => {
  it.each(fixture.twoSample.map((c) => [c.name, c] as const))('KS statistic and Wasserstein distance: %s', (_, c) => {
    expectSciPy(ksStatistic(c.a, c.b), c.ks);
    expectSciPy(ksStatistic(c.b, c.a), c.ks);
    expectSciPy(wassersteinDistance(c.a, c.b), c.wasserstein);
    expectSciPy(wassersteinDistance(Float64Array.from(c.b), c.a), c.wasserstein);
  });

  it.each(fixture.twoSample.map((c) => [c.name, c] as const))('KS and Wasserstein without sorting the live values: %s', (_, c) => {
    const both = sampleDistances(c.a, c.b);
    expectSciPy(both.ks, c.ks);
    expectSciPy(both.wasserstein, c.wasserstein);
  });

  it.each(fixture.histograms.map((c) => [c.name, c] as const))('Jensen–Shannon distance: %s', (_, c) => {
    expectSciPy(jensenShannonDistance(c.p, c.q), c.js);
  });

  it.each(fixture.chiSquare.map((c) => [c.name, c] as const))('chi-square test: %s', (_, c) => {
    const result = chiSquareTest(c.observed, c.expected);
    expectSciPy(result?.statistic, c.statistic);
    expectSciPy(result?.pValue, c.pValue);
    // p-values far below 1e-9 too: the same digits, not only both near 0
    if (c.pValue > 0) expect(Math.abs(result!.pValue / c.pValue - 1)).toBeLessThan(1e-9);
  });

  it('chi-square survival function', () => {
    for (const c of fixture.chiSquareSurvival) {
      expectSciPy(chiSquareSurvival(c.x, c.dof), c.sf);
      expect(Math.abs(chiSquareSurvival(c.x, c.dof) / c.sf - 1), `x ${c.x}, dof ${c.dof}`).toBeLessThan(1e-9);
    }
  });
});

describe('drift statistics without data', () => {
  it('have no value when a side is empty or all missing', () => {
    expect(ksStatistic([], [1])).toBeNull();
    expect(ksStatistic([NaN], [1])).toBeNull();
    expect(wassersteinDistance([1, 2], [])).toBeNull();
    expect(jensenShannonDistance([0, 0], [1, 2])).toBeNull();
    expect(chiSquareTest([0, 0], [1, 1])).toBeNull();
    expect(chiSquareTest([5], [1])).toBeNull();
  });

  it('leave missing values out of the samples', () => {
    expect(ksStatistic([1, NaN, 2], [1, 2])).toBe(0);
    expect(wassersteinDistance([NaN, 0, 1], [0, 1, NaN])).toBe(0);
  });

  it('refuse mismatched bins and an empty expected category', () => {
    expect(() => jensenShannonDistance([1, 2], [1])).toThrow(RangeError);
    expect(() => chiSquareTest([1, 2], [1, 0])).toThrow(/positive/);
  });
});

describe('sampleDistances: a sorted reference against many live values, without sorting them', () => {
  let seed = 7;
  const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const normal = () => Math.sqrt(-2 * Math.log(random())) * Math.cos(2 * Math.PI * random());
  const cases: Array<[string, number[], number[]]> = [
    ['continuous, shifted', Array.from({ length: 500 }, normal), Array.from({ length: 20_000 }, () => normal() + 0.3)],
    ['continuous, same distribution', Array.from({ length: 2000 }, normal), Array.from({ length: 5000 }, normal)],
    ['live wider than the reference (crossings inside intervals)', Array.from({ length: 50 }, normal), Array.from({ length: 5000 }, () => 3 * normal())],
    ['integers with ties, values the reference never saw', Array.from({ length: 300 }, () => 2 * Math.floor(random() * 12)), Array.from({ length: 4000 }, () => Math.floor(random() * 30))],
    ['a heavy tail (many reference values in one cell of the lookup table)', Array.from({ length: 2000 }, () => Math.exp(3 * normal())), Array.from({ length: 20_000 }, () => Math.exp(3 * normal() + 0.1))],
    ['a reference of one value repeated', [5, 5, 5], [1, 5, 5, 9, 9, 9]],
    ['NaN left out on both sides', [1, NaN, 2, 3], [NaN, 0.5, 2, 2.5, 4]],
    ['live values outside the reference only', [10, 11, 12], [1, 2, 3, 20, 21]],
    ['a sorted reference (as a baseline stores its order statistics)', Array.from({ length: 2000 }, normal).sort((a, b) => a - b), Array.from({ length: 30_000 }, () => 1.2 * normal())],
    ['far from zero, narrow spread (the sums keep their precision)', Array.from({ length: 1000 }, () => 1e6 + normal()), Array.from({ length: 30_000 }, () => 1e6 + 0.9 * normal() + 0.05)],
  ];

  it.each(cases)('equals ksStatistic (exactly) and wassersteinDistance (to rounding): %s', (_, reference, live) => {
    const both = sampleDistances(reference, live);
    expect(both.ks).toBe(ksStatistic(reference, live));
    const expected = wassersteinDistance(reference, live)!;
    expect(Math.abs(both.wasserstein! - expected)).toBeLessThanOrEqual(1e-12 * Math.max(1, expected));
  });

  it.each(cases)('with histogram edges, counts the live values per bin as histogramBin does: %s', (_, reference, live) => {
    const finite = reference.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
    const lo = finite[0]!;
    const hi = finite[finite.length - 1]!;
    const edgeSets = [
      // quantile edges that are reference values, outer ones open
      [-Infinity, ...[0.25, 0.5, 0.75].map((q) => finite[Math.floor(q * (finite.length - 1))]!), Infinity],
      // edges between and beyond the values, several inside one interval, one repeated
      [-Infinity, lo - 1, lo + (hi - lo) / 3, lo + (hi - lo) / 3 + 1e-9, lo + (hi - lo) / 3 + 2e-9, hi, hi, hi + 5, Infinity],
      // closed outer edges, no inner edge
      [lo, hi],
    ];
    for (const edges of edgeSets) {
      const expected = new Array<number>(edges.length - 1).fill(0);
      for (const v of live) if (!Number.isNaN(v)) expected[histogramBin(edges, v)]!++;
      const both = sampleDistances(reference, live, edges);
      expect(both.counts).toEqual(expected);
      expect(both.ks).toBe(sampleDistances(reference, live).ks);
    }
  });

  it('answers null for an empty side, and falls back to the sorted computation for ±∞', () => {
    expect(sampleDistances([], [1, 2])).toEqual({ ks: null, wasserstein: null });
    expect(sampleDistances([1, 2], [NaN])).toEqual({ ks: null, wasserstein: null });
    expect(sampleDistances([1, 2], [Infinity, 1])).toEqual({ ks: ksStatistic([1, 2], [Infinity, 1]), wasserstein: wassersteinDistance([1, 2], [Infinity, 1]) });
    expect(sampleDistances([1, 2], [2, -Infinity])).toEqual({ ks: ksStatistic([1, 2], [2, -Infinity]), wasserstein: wassersteinDistance([1, 2], [2, -Infinity]) });
    expect(sampleDistances([1, 2], [Infinity, 1, NaN, -Infinity], [-Infinity, 1.5, Infinity]).counts).toEqual([2, 1]);
    expect(sampleDistances([], [3, 1], [-Infinity, 2, Infinity]).counts).toEqual([1, 1]);
  });

  it('takes the KS gap exactly where ties pile up on interval edges (200 small random cases)', () => {
    for (let c = 0; c < 200; c++) {
      const reference = Array.from({ length: 1 + Math.floor(random() * 8) }, () => Math.floor(random() * 6));
      const live = Array.from({ length: 1 + Math.floor(random() * 12) }, () => Math.floor(random() * 8) - 1);
      const both = sampleDistances(reference, live);
      expect(both.ks).toBe(ksStatistic(reference, live));
      expect(Math.abs(both.wasserstein! - wassersteinDistance(reference, live)!)).toBeLessThanOrEqual(1e-12);
    }
  });
});
