import { describe, expect, it } from 'vitest';

import type { Dataset } from '../dataset/dataset.types';
import { stratifiedSplit, stratifiedSplitRows } from './stratified-split';

/** 1000 rows, 5% positives (every 20th row), a = row index. */
function imbalanced(): Dataset {
  const rowCount = 1000;
  return {
    features: ['a'],
    columns: [Float64Array.from({ length: rowCount }, (_, i) => i)],
    label: Float64Array.from({ length: rowCount }, (_, i) => (i % 20 === 0 ? 1 : 0)),
    rowCount,
  };
}

describe('stratifiedSplit', () => {
  it('keeps each class rate on both sides and every row in exactly one part', () => {
    const { train, validation } = stratifiedSplit(imbalanced(), { validationFraction: 0.2, seed: 4 });
    expect(validation.rowCount).toBe(200);
    expect(validation.label.filter((y) => y === 1)).toHaveLength(10);
    expect(train.label.filter((y) => y === 1)).toHaveLength(40);
    const all = [...train.columns[0], ...validation.columns[0]].sort((x, y) => x - y);
    expect(all).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    // Rows stay whole: the label still follows a.
    validation.columns[0].forEach((a, i) => expect(validation.label[i]).toBe(a % 20 === 0 ? 1 : 0));
  });

  it('is reproducible for a seed, treats a missing label as its own class and rejects bad fractions', () => {
    const label = Float64Array.from([0, 1, NaN, 0, 1, NaN, 0, 1, NaN, 0]);
    const first = stratifiedSplitRows(label, { validationFraction: 0.34, seed: 1 });
    expect(stratifiedSplitRows(label, { validationFraction: 0.34, seed: 1 })).toEqual(first);
    expect(first.validation.map((i) => label[i]).sort()).toEqual([0, 1, NaN]);
    expect(first.validation.every((v, k) => k === 0 || v > first.validation[k - 1])).toBe(true);
    expect(() => stratifiedSplitRows(label, { validationFraction: 1 })).toThrow(/validationFraction/);
  });
});
