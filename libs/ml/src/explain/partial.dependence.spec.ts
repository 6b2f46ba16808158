import { describe, expect, it } from 'vitest';

import type { Dataset } from '../dataset/dataset.types';
import { MlError } from '../ml.error';
import { createRng, normal } from '../random/prng.util';
import { partialDependence, quantileGrid } from './partial.dependence';

/** x is standard normal with 10% missing, k takes the values 0, 1, 2 only. */
function dataset(rowCount: number): Dataset {
  const rng = createRng(4);
  const x = Float64Array.from({ length: rowCount }, () => (rng() < 0.1 ? NaN : normal(rng)));
  const k = Float64Array.from({ length: rowCount }, () => Math.floor(3 * rng()));
  return { features: ['x', 'k'], columns: [x, k], label: new Float64Array(rowCount), rowCount };
}

/** Monotone increasing in x (a sigmoid), shifted by k; a missing x counts as 0. */
const monotoneModel = ([x, k]: Float64Array[]): Float64Array =>
  x.map((v, i) => 1 / (1 + Math.exp(-2 * (Number.isNaN(v) ? 0 : v))) + 0.1 * k[i]);

describe('partialDependence', () => {
  it('is monotone for a monotone model, on a grid of quantiles that ignores missing values', () => {
    const data = dataset(5000);
    const pd = partialDependence(monotoneModel, data, 'x', { gridSize: 15, sampleRows: 800, seed: 1 });

    expect(pd.feature).toBe('x');
    expect(pd.grid).toHaveLength(15);
    expect(pd.grid.every(Number.isFinite)).toBe(true);
    const present = data.columns[0].filter((v) => !Number.isNaN(v));
    expect(pd.grid[0]).toBe(Math.min(...present));
    expect(pd.grid[14]).toBe(Math.max(...present));
    for (let g = 1; g < pd.grid.length; g++) {
      expect(pd.grid[g]).toBeGreaterThan(pd.grid[g - 1]);
      expect(pd.average[g]).toBeGreaterThan(pd.average[g - 1]);
    }
    // At x = median ≈ 0 the sigmoid is ½; k averages ≈ 1, adding ≈ 0.1.
    expect(pd.average[7]).toBeCloseTo(0.6, 1);
  });

  it('gives a multi-class model one curve per class: the mean probability of that class, summing to 1', () => {
    const data = dataset(40);
    // softmax over three scores that move with x differently; a missing x counts as 0
    const softmax = ([x, k]: Float64Array[]): Float64Array => {
      const out = new Float64Array(x.length * 3);
      x.forEach((v, i) => {
        const z = [0, 1.5 * (Number.isNaN(v) ? 0 : v), 0.3 * k[i]!];
        const e = z.map(Math.exp);
        const total = e[0]! + e[1]! + e[2]!;
        e.forEach((p, c) => (out[i * 3 + c] = p / total));
      });
      return out;
    };
    const pd = partialDependence(softmax, data, 'x', { gridSize: 5, sampleRows: 100, outputsPerRow: 3 });

    expect(pd.average).toEqual([]);
    expect(pd.byClass).toHaveLength(3);
    pd.grid.forEach((v, g) => {
      // by hand: every row with x set to v, each class's probability averaged
      const rows = Array.from({ length: data.rowCount }, (_, i) => i);
      const forced = softmax([new Float64Array(rows.length).fill(v), data.columns[1]]);
      for (let c = 0; c < 3; c++) {
        const expected = rows.reduce((sum, i) => sum + forced[i * 3 + c]!, 0) / rows.length;
        expect(pd.byClass![c]![g]).toBeCloseTo(expected, 12);
      }
      expect(pd.byClass![0]![g]! + pd.byClass![1]![g]! + pd.byClass![2]![g]!).toBeCloseTo(1, 12);
    });
    // class 1's score grows with x: its curve rises, class 0's falls
    expect(pd.byClass![1]!.at(-1)).toBeGreaterThan(pd.byClass![1]![0]!);
    expect(pd.byClass![0]!.at(-1)).toBeLessThan(pd.byClass![0]![0]!);
    expect(() => partialDependence(softmax, data, 'x', { outputsPerRow: 2 })).toThrow(MlError);
  });

  it('averages over the sampled rows exactly', () => {
    const data = dataset(50);
    const pd = partialDependence(monotoneModel, data, 1, { sampleRows: 1000 });
    // k has three distinct values, so they are the grid; PD of 0.1 k + f(x) moves by 0.1 per step.
    expect(pd.grid).toEqual([0, 1, 2]);
    expect(pd.average[1] - pd.average[0]).toBeCloseTo(0.1, 12);
    expect(pd.average[2] - pd.average[1]).toBeCloseTo(0.1, 12);
    const f = monotoneModel([data.columns[0], new Float64Array(50)]);
    expect(pd.average[0]).toBeCloseTo(f.reduce((s, v) => s + v, 0) / 50, 12);
  });

  it('samples rows reproducibly and calls predict once', () => {
    const data = dataset(3000);
    let calls = 0;
    const counted = (columns: Float64Array[]): Float64Array => {
      calls++;
      return monotoneModel(columns);
    };
    const first = partialDependence(counted, data, 0, { sampleRows: 100, seed: 5 });
    expect(calls).toBe(1);
    expect(partialDependence(monotoneModel, data, 0, { sampleRows: 100, seed: 5 })).toEqual(first);
  });

  it('rejects an unknown feature and an all-missing column', () => {
    const data = dataset(20);
    expect(() => partialDependence(monotoneModel, data, 'nope')).toThrow(/"nope"/);
    data.columns[0].fill(NaN);
    expect(() => partialDependence(monotoneModel, data, 0)).toThrow(MlError);
  });
});

describe('quantileGrid', () => {
  it('takes evenly spaced quantiles and drops duplicates', () => {
    expect(quantileGrid(Float64Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, NaN]), 5)).toEqual([0, 2, 4, 6, 8]);
    expect(quantileGrid(Float64Array.from([1, 1, 1, 1, 1, 1, 2, 3]), 2)).toEqual([1, 3]);
  });
});
