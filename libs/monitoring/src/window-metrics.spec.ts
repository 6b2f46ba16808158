import { describe, expect, it } from 'vitest';

import { crosses, hasEnoughSamples, judge, metricValue, samplesOf, type WindowAggregate, windowEndingAt } from './window-metrics';

const stats: WindowAggregate = {
  predictions: 20,
  outcomes: 15,
  predictionMean: 0.9,
  positiveRate: 1,
  accuracy: 0,
  logLoss: 2.3,
  rmse: 0.5,
  mae: 0.4,
  mape: 0.1,
  mapeSamples: 12,
  precision: 0.75,
  recall: 0.6,
  predictedPositives: 8,
  actualPositives: 10,
  auc: { auc: 0.81, samples: 15 },
};
const empty: WindowAggregate = {
  predictions: 0,
  outcomes: 0,
  predictionMean: null,
  positiveRate: null,
  accuracy: null,
  logLoss: null,
  rmse: null,
  mae: null,
  mape: null,
  mapeSamples: 0,
  precision: null,
  recall: null,
  predictedPositives: 0,
  actualPositives: 0,
};

describe('window metrics', () => {
  it('takes the window [now − windowSeconds, now)', () => {
    const now = new Date('2025-01-01T12:00:00Z');
    expect(windowEndingAt(now, 3600)).toEqual({ start: new Date('2025-01-01T11:00:00Z'), end: now });
  });

  it('reads each metric from the aggregate', () => {
    expect(metricValue('prediction_mean', stats)).toBe(0.9);
    expect(metricValue('positive_rate', stats)).toBe(1);
    expect(metricValue('accuracy', stats)).toBe(0);
    expect(metricValue('prediction_count', stats)).toBe(20);
    expect(metricValue('outcome_count', stats)).toBe(15);
    expect(metricValue('log_loss', stats)).toBe(2.3);
    expect([metricValue('rmse', stats), metricValue('mae', stats), metricValue('mape', stats)]).toEqual([0.5, 0.4, 0.1]);
    expect([metricValue('precision', stats), metricValue('recall', stats), metricValue('auc', stats)]).toEqual([0.75, 0.6, 0.81]);
    expect(metricValue('auc', empty)).toBeNull();
    expect(metricValue('accuracy', empty)).toBeNull();
    expect(metricValue('log_loss', empty)).toBeNull();
    expect(metricValue('prediction_count', empty)).toBe(0);
  });

  it('bases accuracy and log loss on the outcomes and every other metric on the predictions', () => {
    expect(samplesOf('accuracy', stats)).toBe(15);
    expect(samplesOf('log_loss', stats)).toBe(15);
    expect(samplesOf('prediction_mean', stats)).toBe(20);
    expect(samplesOf('positive_rate', stats)).toBe(20);
    expect(samplesOf('outcome_count', stats)).toBe(20);
    expect([samplesOf('rmse', stats), samplesOf('mae', stats), samplesOf('mape', stats)]).toEqual([15, 15, 12]);
    expect([samplesOf('precision', stats), samplesOf('recall', stats), samplesOf('auc', stats)]).toEqual([8, 10, 15]);
  });

  it('compares with each operator, boundaries included or not', () => {
    expect([crosses(0.6, 'lt', 0.6), crosses(0.59, 'lt', 0.6)]).toEqual([false, true]);
    expect([crosses(0.6, 'lte', 0.6), crosses(0.61, 'lte', 0.6)]).toEqual([true, false]);
    expect([crosses(0.6, 'gt', 0.6), crosses(0.61, 'gt', 0.6)]).toEqual([false, true]);
    expect([crosses(0.6, 'gte', 0.6), crosses(0.59, 'gte', 0.6)]).toEqual([true, false]);
  });

  it('judges counts at any size but rates only from minSamples observations', () => {
    expect(hasEnoughSamples('accuracy', 9, 10)).toBe(false);
    expect(hasEnoughSamples('accuracy', 10, 10)).toBe(true);
    expect(hasEnoughSamples('prediction_count', 0, 10)).toBe(true);
  });

  it('breaches only when the condition holds on enough samples', () => {
    const monitor = { metric: 'accuracy' as const, operator: 'lt' as const, threshold: 0.6, minSamples: 10 };
    expect(judge(monitor, stats)).toEqual({ value: 0, samples: 15, conclusive: true, breached: true });
    expect(judge({ ...monitor, minSamples: 16 }, stats)).toEqual({ value: 0, samples: 15, conclusive: false, breached: false });
    expect(judge({ ...monitor, threshold: 0 }, stats)).toEqual({ value: 0, samples: 15, conclusive: true, breached: false });
    expect(judge(monitor, empty)).toEqual({ value: null, samples: 0, conclusive: false, breached: false });
  });

  it('lets a traffic monitor fire on an empty window', () => {
    const monitor = { metric: 'prediction_count' as const, operator: 'lt' as const, threshold: 1, minSamples: 10 };
    expect(judge(monitor, empty)).toEqual({ value: 0, samples: 0, conclusive: true, breached: true });
  });
});
