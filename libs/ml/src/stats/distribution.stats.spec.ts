import { describe, expect, it } from 'vitest';

import type { Dataset } from '../dataset/dataset.types';
import fixtureJson from '../fixtures/metrics.sklearn.json';
import { categoryCounts, type DistributionStats, featureStats, histogramBin, orderStatistics, predictionStats } from './distribution.stats';

interface DistributionCase extends Omit<DistributionStats, 'histogram' | 'sample'> {
  values: (number | null)[];
  histogram: { edges: (number | string)[]; counts: number[] };
}

const fixture = fixtureJson as unknown as { numpyVersion: string; distributions: DistributionCase[] };

describe(`featureStats matches numpy ${fixture.numpyVersion}`, () => {
  it.each(fixture.distributions.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const column = Float64Array.from(c.values, (v) => v ?? NaN);
    const dataset: Dataset = { features: [c.name], columns: [column], label: new Float64Array(column.length), rowCount: column.length };
    const [stats] = featureStats(dataset);

    expect(stats.name).toBe(c.name);
    expect(stats.count).toBe(c.count);
    expect(stats.missing).toBe(c.missing);
    for (const key of ['mean', 'std', 'min', 'max'] as const) expect(stats[key]).toBeCloseTo(c[key], 9);
    for (const [level, value] of Object.entries(c.quantiles)) {
      expect(stats.quantiles[level as keyof typeof c.quantiles]).toBeCloseTo(value, 9);
    }
    expect(stats.histogram.edges).toEqual(c.histogram.edges.map(Number));
    expect(stats.histogram.counts).toEqual(c.histogram.counts);
    expect(stats.histogram.counts.reduce((a, b) => a + b, 0)).toBe(stats.count);
  });
});

describe('histogram', () => {
  const values = Float64Array.from({ length: 1001 }, (_, i) => i / 10);
  const { histogram, quantiles } = predictionStats(values);

  it('has 10 equal bins between p01 and p99 plus two open outer bins', () => {
    expect(histogram.edges).toHaveLength(13);
    expect(histogram.edges[0]).toBe(-Infinity);
    expect(histogram.edges[12]).toBe(Infinity);
    expect(histogram.edges[1]).toBe(quantiles.p01);
    expect(histogram.edges[11]).toBe(quantiles.p99);
    expect(histogram.counts).toHaveLength(12);
    // 1 % of values below p01 and about 1 % at or above p99.
    expect(histogram.counts[0]).toBe(10);
    expect(histogram.counts[11]).toBe(11);
  });

  it('bins live values with the baseline edges, far outliers included', () => {
    expect(histogramBin(histogram.edges, -1e9)).toBe(0);
    expect(histogramBin(histogram.edges, quantiles.p01)).toBe(1);
    expect(histogramBin(histogram.edges, quantiles.p50)).toBe(6);
    expect(histogramBin(histogram.edges, 1e9)).toBe(11);
    expect(histogramBin(histogram.edges, NaN)).toBe(-1);
  });

  it('summarises predictions under the name "prediction" and counts missing ones apart', () => {
    const stats = predictionStats(Float64Array.from([0.1, NaN, 0.3]));
    expect(stats).toMatchObject({ name: 'prediction', count: 2, missing: 1, min: 0.1, max: 0.3 });
    expect(stats.mean).toBeCloseTo(0.2, 15);
  });

  it('an all-missing column has NaN statistics and one open bin', () => {
    const stats = predictionStats(Float64Array.from([NaN, NaN]));
    expect(stats).toMatchObject({ count: 0, missing: 2 });
    expect(stats.mean).toBeNaN();
    expect(stats.quantiles.p50).toBeNaN();
    expect(stats.histogram).toEqual({ edges: [-Infinity, Infinity], counts: [0] });
  });
});

describe('orderStatistics', () => {
  it('keeps every value up to the size, then the values at ranks ⌊(i + ½)·n / size⌋', () => {
    expect(orderStatistics([1, 2, 3], 5)).toEqual([1, 2, 3]);
    const sorted = Array.from({ length: 10 }, (_, i) => i * 10);
    expect(orderStatistics(sorted, 4)).toEqual([10, 30, 60, 80]);
  });

  it('is what distributionStats keeps as the sample, missing values left out', () => {
    const stats = predictionStats(Float64Array.of(3, NaN, 1, 2));
    expect(stats.sample).toEqual([1, 2, 3]);
  });
});

describe('categoryCounts', () => {
  it('counts rows per category, most frequent first, the rest summed as __other__, null and empty as missing', () => {
    const values = ['ORD', 'SFO', 'ORD', null, 'BOS', '', 'SFO', 'ORD', 'ATL'];
    const counts = categoryCounts('origin', values, 2);
    expect(counts).toEqual({ name: 'origin', count: 7, missing: 2, categories: { ORD: 3, SFO: 2, __other__: 2 } });
    expect(Object.keys(counts.categories)).toEqual(['ORD', 'SFO', '__other__']);
    // ties break by name; nothing is summed when every category fits
    expect(categoryCounts('o', ['b', 'a'], 5).categories).toEqual({ a: 1, b: 1 });
    expect(Object.keys(categoryCounts('o', ['b', 'a'], 5).categories)).toEqual(['a', 'b']);
  });
});
