import type { Dataset } from '../dataset/dataset.types';
import { sigmoid } from '../linear/logistic-regression.model';
import { createRng, normal } from '../random/prng.util';

/**
 * Seeded synthetic problems for the GBDT specs and benchmark. The signal is nonlinear on
 * purpose (an XOR-like interaction a linear model cannot express, plus thresholds), features are
 * named `x0..x{F-1}`, only x0..x3 carry signal, and `missingRate` of x0 and x2 is dropped after
 * the label is drawn (missing carries no information).
 */
export type SyntheticTask = 'binary' | 'regression' | 'multiclass';

export function syntheticGbdtDataset(
  task: SyntheticTask,
  rowCount: number,
  seed: number,
  options: { featureCount?: number; missingRate?: number; numClass?: number } = {},
): Dataset {
  const { featureCount = 6, missingRate = 0.1, numClass = 3 } = options;
  const rng = createRng(seed);
  const columns = Array.from({ length: featureCount }, () => new Float64Array(rowCount));
  const label = new Float64Array(rowCount);
  for (let i = 0; i < rowCount; i++) {
    for (let j = 0; j < featureCount; j++) columns[j][i] = j === 3 ? Math.floor(rng() * 5) : normal(rng);
    const [a, b, c, d] = [columns[0][i], columns[1][i], columns[2][i], columns[3][i]];
    // XOR of the signs of x0 and x1, a step in x2 and a categorical-like x3.
    const score = 2.5 * Math.sign(a) * Math.sign(b) + (c > 0.5 ? 1.5 : -0.5) + 0.4 * (d - 2);
    switch (task) {
      case 'binary':
        label[i] = rng() < sigmoid(score) ? 1 : 0;
        break;
      case 'regression':
        label[i] = score + 0.3 * normal(rng);
        break;
      case 'multiclass':
        label[i] = Math.min(numClass - 1, Math.max(0, Math.floor((score + 0.5 * normal(rng) + 4) / (9 / numClass))));
        break;
    }
    if (rng() < missingRate) columns[0][i] = NaN;
    if (rng() < missingRate) columns[2][i] = NaN;
  }
  return { features: columns.map((_, j) => `x${j}`), columns, label, rowCount };
}
