import type { Dataset } from '../dataset/dataset.types';
import { sigmoid } from '../linear/logistic-regression.model';
import { createRng, normal } from '../random/prng.util';

/**
 * A flight-delay-shaped binary dataset whose true model is logistic, for trainer and export
 * specs. Features have very different scales (so standardisation matters) and some are missing:
 *
 *   logit = −0.5 + 0.006 (distance − 800) − 0.2 (dep_hour − 12) + 1.5 (rain − 0.3) + 0 · noise
 *
 * A missing value carries no information about the label (it is dropped after the label is drawn),
 * so the fitted signs stay those of the true coefficients.
 */
export const SYNTHETIC_FEATURES = ['distance', 'dep_hour', 'rain', 'noise'] as const;

export function syntheticLogisticDataset(rowCount: number, seed: number, missingRate = 0.1): Dataset {
  const rng = createRng(seed);
  const columns = SYNTHETIC_FEATURES.map(() => new Float64Array(rowCount));
  const [distance, depHour, rain, noise] = columns;
  const label = new Float64Array(rowCount);
  for (let i = 0; i < rowCount; i++) {
    distance[i] = 800 + 300 * normal(rng);
    depHour[i] = 24 * rng();
    rain[i] = rng() < 0.3 ? 1 : 0;
    noise[i] = normal(rng);
    const logit = -0.5 + 0.006 * (distance[i] - 800) - 0.2 * (depHour[i] - 12) + 1.5 * (rain[i] - 0.3);
    label[i] = rng() < sigmoid(logit) ? 1 : 0;
    if (rng() < missingRate) distance[i] = NaN;
    if (rng() < missingRate) rain[i] = NaN;
  }
  return { features: [...SYNTHETIC_FEATURES], columns, label, rowCount };
}
