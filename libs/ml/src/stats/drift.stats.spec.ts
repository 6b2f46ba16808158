import { describe, expect, it } from 'vitest';

import fixtureJson from '../fixtures/drift.scipy.json';
import { chiSquareSurvival, chiSquareTest, jensenShannonDistance, ksStatistic, wassersteinDistance } from './drift.stats';

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
