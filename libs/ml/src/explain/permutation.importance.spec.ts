import { describe, expect, it } from 'vitest';

import { randomSplit } from '../dataset/dataset.split';
import type { Dataset } from '../dataset/dataset.types';
import { predictProba } from '../linear/logistic-regression.model';
import { trainLogisticRegression } from '../linear/logistic-regression.trainer';
import { multiclassLogLoss, rmse, rocAuc } from '../metrics/metrics';
import { MlError } from '../ml.error';
import { createRng, normal } from '../random/prng.util';
import { syntheticLogisticDataset } from '../testing/synthetic-dataset.fixture';
import { permutationImportance } from './permutation.importance';

/** y = 3 a + 0.5 b, exactly; c is pure noise the model ignores. */
function linearDataset(rowCount: number): Dataset {
  const rng = createRng(1);
  const columns = [0, 1, 2].map(() => Float64Array.from({ length: rowCount }, () => normal(rng)));
  const label = columns[0].map((a, i) => 3 * a + 0.5 * columns[1][i]);
  return { features: ['a', 'b', 'c'], columns, label, rowCount };
}
const trueModel = ([a, b]: Float64Array[]): Float64Array => a.map((v, i) => 3 * v + 0.5 * b[i]);

describe('permutationImportance', () => {
  it('ranks features by how much the model relies on them; an unused feature scores exactly 0', () => {
    const dataset = linearDataset(2000);
    const result = permutationImportance(trueModel, dataset, rmse, { higherIsBetter: false, repeats: 5, seed: 3 });

    expect(result.baseline).toBe(0);
    const [a, b, c] = result.features;
    expect(result.features.map((f) => f.name)).toEqual(['a', 'b', 'c']);
    expect(a.importance).toBeGreaterThan(b.importance);
    expect(b.importance).toBeGreaterThan(0.3);
    expect(c).toEqual({ name: 'c', importance: 0, std: 0 });
    // Shuffling a standard normal feature with weight w leaves an RMSE of about w·√2.
    expect(a.importance).toBeCloseTo(3 * Math.SQRT2, 0);
    expect(a.std).toBeGreaterThan(0);
    expect(a.std).toBeLessThan(0.2);
  });

  it('is reproducible for a seed and does not modify the dataset', () => {
    const dataset = linearDataset(300);
    const before = dataset.columns.map((c) => Float64Array.from(c));
    const options = { higherIsBetter: false, seed: 8 };
    const first = permutationImportance(trueModel, dataset, rmse, options);
    expect(permutationImportance(trueModel, dataset, rmse, options)).toEqual(first);
    expect(permutationImportance(trueModel, dataset, rmse, { ...options, seed: 9 })).not.toEqual(first);
    expect(dataset.columns).toEqual(before);
  });

  it('finds the informative features of a trained logistic regression above the noise feature (AUC)', async () => {
    const { train, validation } = randomSplit(syntheticLogisticDataset(3000, 5), { validationFraction: 0.3, seed: 1 });
    const model = await trainLogisticRegression(train, { epochs: 10 });
    const { baseline, features } = permutationImportance((columns) => predictProba(model, columns), validation, rocAuc, {
      higherIsBetter: true,
      seed: 2,
    });
    expect(baseline).toBeGreaterThan(0.8);
    const byName = Object.fromEntries(features.map((f) => [f.name, f.importance]));
    for (const informative of ['distance', 'dep_hour', 'rain']) expect(byName[informative]).toBeGreaterThan(byName.noise);
    expect(byName.distance).toBeGreaterThan(0.05);
    expect(Math.abs(byName.noise)).toBeLessThan(0.01);
  });

  it('rejects bad repeats and a predict that returns the wrong number of rows', () => {
    const dataset = linearDataset(10);
    expect(() => permutationImportance(trueModel, dataset, rmse, { higherIsBetter: false, repeats: 0 })).toThrow(/repeats/);
    expect(() => permutationImportance(() => new Float64Array(3), dataset, rmse, { higherIsBetter: false })).toThrow(MlError);
    expect(() => permutationImportance(trueModel, dataset, rmse, { higherIsBetter: false, outputsPerRow: 2 })).toThrow(
      /returned 10 values for 10 rows of 2 outputs/,
    );
  });

  it('scores a multiclass model on its n × k probabilities with a multiclass metric', () => {
    // class 1 when the first feature is positive, else class 0; the second feature is noise
    const n = 200;
    const x = Float64Array.from({ length: n }, (_, i) => Math.sin(i * 1.7));
    const noise = Float64Array.from({ length: n }, (_, i) => Math.cos(i * 2.3));
    const dataset = { features: ['x', 'noise'], columns: [x, noise], label: x.map((v) => (v > 0 ? 1 : 0)), rowCount: n };
    const predict = ([first]: Float64Array[]) => {
      const probs = new Float64Array(2 * first.length);
      first.forEach((v, i) => probs.set(v > 0 ? [0.1, 0.9] : [0.9, 0.1], 2 * i));
      return probs;
    };
    const { baseline, features } = permutationImportance(predict, dataset, (y, p) => multiclassLogLoss(y, p, 2), {
      higherIsBetter: false,
      outputsPerRow: 2,
      seed: 3,
    });
    expect(baseline).toBeCloseTo(-Math.log(0.9), 12);
    expect(features[0].importance).toBeGreaterThan(0.5);
    expect(features[1]).toEqual({ name: 'noise', importance: 0, std: 0 });
  });
});
