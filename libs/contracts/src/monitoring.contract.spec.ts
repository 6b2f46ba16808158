import { describe, expect, it } from 'vitest';

import { metricTaskProblem, MonitorMetric } from './monitoring.contract';

describe('metricTaskProblem', () => {
  it("takes each task's quality metrics and the metrics every model has", () => {
    const taken = (task: Parameters<typeof metricTaskProblem>[1]) =>
      MonitorMetric.options.filter((m) => metricTaskProblem(m, task) === null);
    const common = ['prediction_mean', 'outcome_count', 'prediction_count', 'prediction_psi'];
    const features = MonitorMetric.options.filter((m) => m.startsWith('feature_'));
    expect(taken('binary_classification').sort()).toEqual(
      [...common, ...features, 'accuracy', 'log_loss', 'positive_rate', 'auc', 'precision', 'recall'].sort(),
    );
    expect(taken('multiclass_classification').sort()).toEqual([...common, ...features, 'accuracy', 'log_loss'].sort());
    expect(taken('regression').sort()).toEqual([...common, ...features, 'rmse', 'mae', 'mape'].sort());
  });

  it('names the metrics a model of the task has', () => {
    expect(metricTaskProblem('auc', 'regression')).toBe(
      'metric auc does not apply to a regression model; its quality metrics are rmse, mae, mape (and every model has prediction_mean, prediction_count, outcome_count, prediction_psi and the feature_* metrics)',
    );
    expect(metricTaskProblem('rmse', 'multiclass_classification')).toMatch(
      /^metric rmse does not apply to a multiclass classification model; its quality metrics are accuracy, log_loss/,
    );
  });
});
