import { isFeatureMetric, type MonitorMetric, type ServingTask } from '@atelier/contracts';

/** The live-quality metrics each task has; traffic, prediction drift and an input's drift apply to every model. */
const QUALITY_METRICS: Record<ServingTask, readonly MonitorMetric[]> = {
  binary_classification: ['accuracy', 'log_loss', 'positive_rate', 'auc', 'precision', 'recall'],
  multiclass_classification: ['accuracy', 'log_loss'],
  regression: ['rmse', 'mae', 'mape'],
};
const EVERY_TASK: readonly MonitorMetric[] = ['prediction_mean', 'prediction_count', 'outcome_count', 'prediction_psi'];

/** Why a monitor of `metric` cannot watch a model of `task` (its value would never be computed, or mean nothing); null when it can. */
export function metricTaskProblem(metric: MonitorMetric, task: ServingTask): string | null {
  if (isFeatureMetric(metric) || EVERY_TASK.includes(metric) || QUALITY_METRICS[task].includes(metric)) return null;
  return `metric ${metric} does not apply to a ${task.replace('_', ' ')} model; its quality metrics are ${QUALITY_METRICS[task].join(', ')} (and every model has ${EVERY_TASK.join(', ')} and the feature_* metrics)`;
}
