import { describe, expect, it } from 'vitest';

import { populationStabilityIndex } from './drift';

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

  it('has no value without live traffic or without a baseline', () => {
    expect(populationStabilityIndex(baseline, [])).toBeNull();
    expect(populationStabilityIndex({ edges: [null, null], counts: [0] }, [0.5])).toBeNull();
  });
});
