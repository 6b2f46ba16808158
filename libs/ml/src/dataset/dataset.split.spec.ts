import { describe, expect, it } from 'vitest';

import { MlError } from '../ml.error';
import { randomSplit, timeSplit } from './dataset.split';
import { assertDataset, type Dataset, selectRows } from './dataset.types';

/** Row i has feature a = i, b = 10 i, label i % 2 — so every row can be traced after a split. */
function tracedDataset(rowCount: number): Dataset {
  const rows = Array.from({ length: rowCount }, (_, i) => i);
  return {
    features: ['a', 'b'],
    columns: [Float64Array.from(rows), Float64Array.from(rows, (i) => 10 * i)],
    label: Float64Array.from(rows, (i) => i % 2),
    rowCount,
  };
}

describe('timeSplit', () => {
  it('trains on rows strictly before the cutoff and validates on the rest, keeping row order', () => {
    const dataset = tracedDataset(6);
    const times = Float64Array.from([50, 10, 30, 20, 40, 30]);
    const { train, validation } = timeSplit(dataset, times, 30);

    expect(Array.from(train.columns[0])).toEqual([1, 3]);
    expect(Array.from(validation.columns[0])).toEqual([0, 2, 4, 5]);
    expect(Array.from(validation.columns[1])).toEqual([0, 20, 40, 50]);
    expect(Array.from(validation.label)).toEqual([0, 0, 0, 1]);
    expect(train.rowCount + validation.rowCount).toBe(6);
    expect(train.features).toEqual(['a', 'b']);
  });

  it('refuses rows without an event time rather than guessing their side', () => {
    expect(() => timeSplit(tracedDataset(2), Float64Array.from([1, NaN]), 5)).toThrow(/row 1/);
    expect(() => timeSplit(tracedDataset(2), Float64Array.from([1]), 5)).toThrow(MlError);
  });
});

describe('randomSplit', () => {
  const dataset = tracedDataset(1000);

  it('puts round(n * fraction) rows in validation and every row in exactly one part', () => {
    const { train, validation } = randomSplit(dataset, { validationFraction: 0.2, seed: 7 });
    expect(validation.rowCount).toBe(200);
    expect(train.rowCount).toBe(800);
    const all = [...train.columns[0], ...validation.columns[0]].sort((x, y) => x - y);
    expect(all).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    // Rows stay whole: b is still 10 a.
    validation.columns[0].forEach((a, i) => expect(validation.columns[1][i]).toBe(10 * a));
  });

  it('is reproducible for a seed and different across seeds', () => {
    const first = randomSplit(dataset, { validationFraction: 0.3, seed: 1 });
    const again = randomSplit(dataset, { validationFraction: 0.3, seed: 1 });
    const other = randomSplit(dataset, { validationFraction: 0.3, seed: 2 });
    expect(again.validation.columns[0]).toEqual(first.validation.columns[0]);
    expect(other.validation.columns[0]).not.toEqual(first.validation.columns[0]);
  });

  it('rejects fractions outside (0, 1)', () => {
    expect(() => randomSplit(dataset, { validationFraction: 1 })).toThrow(/validationFraction/);
    expect(() => randomSplit(dataset, { validationFraction: 0 })).toThrow(/validationFraction/);
  });
});

describe('assertDataset / selectRows', () => {
  it('names the column whose length is wrong', () => {
    const broken = { ...tracedDataset(3), columns: [new Float64Array(3), new Float64Array(2)] };
    expect(() => assertDataset(broken)).toThrow(/column "b" has 2 values/);
    expect(() => assertDataset({ ...tracedDataset(3), features: ['a', 'a'] })).toThrow(/appears twice/);
  });

  it('copies the selected rows in the given order', () => {
    const picked = selectRows(tracedDataset(5), [4, 0]);
    expect(Array.from(picked.columns[1])).toEqual([40, 0]);
    expect(picked.rowCount).toBe(2);
  });
});
