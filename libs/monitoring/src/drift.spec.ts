import { describe, expect, it } from 'vitest';

import type { FeatureBaseline } from '@atelier/contracts';
import { histogramBin } from '@atelier/ml';

import { featureDrift, populationStabilityIndex } from './drift';

const baseline = { edges: [null, 0.2, 0.4, 0.6, 0.8, null], counts: [20, 20, 20, 20, 20] };

describe('populationStabilityIndex', () => {
  it('is 0 when live traffic has the baseline distribution', () => {
    const live = [0.1, 0.3, 0.5, 0.7, 0.9];
    expect(populationStabilityIndex(baseline, live)).toBeCloseTo(0, 12);
  });

  it('grows when the distribution shifts, and matches the formula', () => {
    const live = [0.9, 0.9, 0.9, 0.7];
    const shares = [1e-4, 1e-4, 1e-4, 0.25, 0.75];
    const expected = shares.reduce((sum, a) => sum + (a - 0.2) * Math.log(a / 0.2), 0);
    expect(populationStabilityIndex(baseline, live)).toBeCloseTo(expected, 12);
    expect(populationStabilityIndex(baseline, live)!).toBeGreaterThan(0.25);
  });

  it('bins values beyond the outer edges into the open-ended bins', () => {
    expect(populationStabilityIndex(baseline, [-5, 0.3, 0.5, 0.7, 50])).toBeCloseTo(0, 12);
  });

  it('smooths as Evidently does on request: only empty bins change, to 1e-4 or the least share / 1e6', () => {
    // a baseline share below 1e-4 (kept by 'zeros', floored by 'floor') and an empty live bin
    const rare = { edges: [null, 0, 1, null], counts: [1, 99_999, 100_000] };
    const e = [1 / 200_000, 99_999 / 200_000, 0.5];
    const term = (a: number, b: number) => (a - b) * Math.log(a / b);
    const live = [0.5, 1.5];
    expect(populationStabilityIndex(rare, live, 'zeros')).toBeCloseTo(term(1e-4, e[0]!) + term(0.5, e[1]!) + term(0.5, e[2]!), 15);
    expect(populationStabilityIndex(rare, live, 'floor')).toBeCloseTo(term(1e-4, 1e-4) + term(0.5, e[1]!) + term(0.5, e[2]!), 15);
    // a live share at most 1e-4 makes the fill the least share / 1e6
    const many = Array.from({ length: 20_000 }, (_, i) => (i === 0 ? 1.5 : 0.5));
    const least = 1 / 20_000;
    const a = [least / 1e6, 19_999 / 20_000, least];
    const expected = a.reduce((sum, share, k) => sum + term(share, e[k]!), 0);
    expect(populationStabilityIndex(rare, many, 'zeros')).toBeCloseTo(expected, 12);
  });

  it('has no value without live traffic or without a baseline', () => {
    expect(populationStabilityIndex(baseline, [])).toBeNull();
    expect(populationStabilityIndex({ edges: [null, null], counts: [0] }, [0.5])).toBeNull();
  });
});

describe('featureDrift', () => {
  const base = { mean: null, std: null, min: null, max: null, quantiles: {} };

  it('compares a numeric input with its baseline: histogram bins for PSI and JS, the order statistics for KS and Wasserstein', () => {
    const baseline: FeatureBaseline = {
      ...base,
      name: 'distance',
      count: 4,
      missing: 1,
      histogram: { edges: [null, 150, 250, null], counts: [1, 2, 1] },
      sample: [100, 200, 200, 300],
    };
    // a string is not a number: missing, as serving would have fed NaN
    const drift = featureDrift(baseline, [100, 300, 300, null, 'x']);
    expect(drift).toMatchObject({
      name: 'distance',
      kind: 'numeric',
      samples: 3,
      missingRate: 2 / 5,
      baselineMissingRate: 1 / 5,
      chiSquare: null,
    });
    // empirical CDFs: sample ¼, ¾, 1 at 100, 200, 300; live ⅓, ⅓, 1
    expect(drift.ks).toBeCloseTo(3 / 4 - 1 / 3, 12);
    expect(drift.wasserstein).toBeCloseTo((1 / 3 - 1 / 4) * 100 + (3 / 4 - 1 / 3) * 100, 9);
    // live bins [1, 0, 2] against [1, 2, 1]; the empty bin is smoothed to 1e-4 for PSI
    const e = [1 / 4, 1 / 2, 1 / 4];
    const a = [1 / 3, 1e-4, 2 / 3];
    expect(drift.psi).toBeCloseTo(
      e.reduce((sum, ek, k) => sum + (a[k]! - ek) * Math.log(a[k]! / ek), 0),
      12,
    );
    const q = [1 / 3, 0, 2 / 3];
    const m = e.map((ek, k) => (ek + q[k]!) / 2);
    const kl = (p: number[]) => p.reduce((sum, pk, k) => (pk > 0 ? sum + pk * Math.log(pk / m[k]!) : sum), 0);
    expect(drift.js).toBeCloseTo(Math.sqrt((kl(e) + kl(q)) / 2), 12);
    expect(drift.bins).toEqual([
      { label: '[−∞, 150)', baseline: 0.25, live: 1 / 3 },
      { label: '[150, 250)', baseline: 0.5, live: 0 },
      { label: '[250, ∞)', baseline: 0.25, live: 2 / 3 },
    ]);
  });

  it('compares a categorical input by category, an unseen one counted as __other__, chi-square on a smoothed baseline', () => {
    const baseline: FeatureBaseline = {
      ...base,
      name: 'origin',
      count: 4,
      missing: 0,
      histogram: { edges: [null, null], counts: [4] },
      categories: { ORD: 3, SFO: 1 },
    };
    const drift = featureDrift(baseline, ['ORD', 'LAX', 'LAX', null]);
    expect(drift).toMatchObject({
      kind: 'categorical',
      samples: 3,
      missingRate: 1 / 4,
      baselineMissingRate: 0,
      ks: null,
      wasserstein: null,
    });
    expect(drift.bins.map((b) => [b.label, b.live])).toEqual([
      ['ORD', 1 / 3],
      ['SFO', 0],
      ['__other__', 2 / 3],
    ]);
    // live [1, 0, 2] against the baseline [3, 1, 0] plus one per category: expected 3 · [4, 2, 1] / 7
    const statistic = (1 - 12 / 7) ** 2 / (12 / 7) + (0 - 6 / 7) ** 2 / (6 / 7) + (2 - 3 / 7) ** 2 / (3 / 7);
    expect(drift.chiSquare).toBeCloseTo(statistic, 12);
    expect(drift.chiSquarePValue).toBeCloseTo(Math.exp(-statistic / 2), 12); // χ² with 2 degrees of freedom
  });

  it('has no statistics without live values, and says so', () => {
    const baseline: FeatureBaseline = {
      ...base,
      name: 'hour',
      count: 2,
      missing: 0,
      histogram: { edges: [null, 5, null], counts: [1, 1] },
      sample: [1, 9],
    };
    expect(featureDrift(baseline, [])).toMatchObject({ samples: 0, missingRate: null, psi: null, js: null, ks: null, wasserstein: null });
  });
});

describe('featureDrift bins live values exactly as histogramBin does', () => {
  let seed = 11;
  const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const live = Array.from({ length: 5000 }, () => (random() < 0.1 ? Math.round(random() * 10) : random() * 12 - 1));
  it.each([
    ['12 bins, open ends', [null, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, null]],
    ['uneven bins with repeated edges', [null, 0.5, 0.5, 2, 2.25, 7, null]],
    ['finite outer edges', [0, 2, 4, 6, 8, 10]],
    ['two bins', [null, 5, null]],
    ['one bin', [null, null]],
  ] as Array<[string, Array<number | null>]>)('%s', (_, edges) => {
    const counts = edges.slice(1).map((_e, i) => i + 1);
    const baseline: FeatureBaseline = {
      name: 'x',
      count: 10,
      missing: 0,
      mean: null,
      std: null,
      min: null,
      max: null,
      quantiles: {},
      histogram: { edges, counts },
      sample: [0, 5, 10],
    };
    const drift = featureDrift(baseline, live);
    expect(drift.psi).toBeCloseTo(populationStabilityIndex({ edges, counts }, live)!, 12);
    const open = edges.map((e, i) => (e === null ? (i === 0 ? -Infinity : Infinity) : e));
    const expected = new Array<number>(counts.length).fill(0);
    for (const v of live) expected[histogramBin(open, v)]!++;
    expect(drift.bins.map((b) => Math.round(b.live * live.length))).toEqual(expected);
  });
});
