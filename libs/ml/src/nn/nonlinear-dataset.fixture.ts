import type { Dataset } from '../dataset/dataset.types';
import { createRng, normal } from '../random/prng.util';

/**
 * Problems no linear model can solve, for the neural network specs. `u` and `v` are standard
 * normal, exposed on very different scales (`distance` = 800 + 300u, `hour` = 12 + 4v) so
 * standardisation matters; `noise` is useless; features go missing after the label is drawn.
 *
 * - binary "circles": label = 1 inside the circle u² + v² < 1.4 (about half the rows), 5% flipped;
 *   any linear score ranks it at chance.
 * - multiclass "rings": label = 0, 1 or 2 for u² + v² below 0.81, below 2.2, or beyond (about a
 *   third each), 5% redrawn at random; no linear score separates the middle ring.
 * - regression: label = sin(2u) + v² + 0.1ε.
 */
export const NONLINEAR_FEATURES = ['distance', 'hour', 'noise'] as const;

export function nonlinearDataset(task: 'binary' | 'multiclass' | 'regression', rowCount: number, seed: number, missingRate = 0.05): Dataset {
  const rng = createRng(seed);
  const columns = NONLINEAR_FEATURES.map(() => new Float64Array(rowCount));
  const [distance, hour, noise] = columns;
  const label = new Float64Array(rowCount);
  for (let i = 0; i < rowCount; i++) {
    const u = normal(rng);
    const v = normal(rng);
    distance[i] = 800 + 300 * u;
    hour[i] = 12 + 4 * v;
    noise[i] = normal(rng);
    if (task === 'binary') {
      const inside = u * u + v * v < 1.4;
      label[i] = inside !== rng() < 0.05 ? 1 : 0;
    } else if (task === 'multiclass') {
      const r2 = u * u + v * v;
      label[i] = rng() < 0.05 ? Math.floor(rng() * 3) : r2 < 0.81 ? 0 : r2 < 2.2 ? 1 : 2;
    } else {
      label[i] = Math.sin(2 * u) + v * v + 0.1 * normal(rng);
    }
    if (rng() < missingRate) distance[i] = NaN;
    if (rng() < missingRate) hour[i] = NaN;
  }
  return { features: [...NONLINEAR_FEATURES], columns, label, rowCount };
}
