import { describe, expect, it } from 'vitest';

import { trainingBaseline } from './training.baseline';

describe('trainingBaseline', () => {
  const built = {
    // rows 0–3 train (before t = 100), row 4 validates
    eventTimes: Float64Array.of(10, 20, 30, 40, 100),
    inputs: {
      numeric: { features: ['distance'], columns: [Float64Array.of(300, NaN, 100, 200, 9999)], label: new Float64Array(5), rowCount: 5 },
      categorical: { origin: ['SFO', 'ORD', null, 'SFO', 'ATL'] },
    },
  };

  it('describes each input as serving receives it, over the training rows only', () => {
    const baseline = trainingBaseline(built, 100, Float64Array.of(0.1, 0.9, 0.4, 0.6));
    const [distance, origin] = baseline.features;
    expect(distance).toMatchObject({ name: 'distance', count: 3, missing: 1, min: 100, max: 300, mean: 200, sample: [100, 200, 300] });
    expect(origin).toMatchObject({ name: 'origin', count: 3, missing: 1, mean: null, categories: { SFO: 2, ORD: 1 } });
    expect(baseline.prediction).toMatchObject({ name: 'prediction', count: 4, sample: [0.1, 0.4, 0.6, 0.9] });
  });
});
