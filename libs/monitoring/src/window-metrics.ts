import { isFeatureMetric, type MonitorMetric, type MonitorOperator } from '@atelier/contracts';

/** A prediction (or an outcome) at or above this value counts as the positive class. */
export const POSITIVE_THRESHOLD = 0.5;

/** What one SQL aggregate over a model's predictions in a window returns. */
export interface WindowAggregate {
  predictions: number;
  outcomes: number;
  /** null when the window holds no prediction */
  predictionMean: number | null;
  positiveRate: number | null;
  /** null when no prediction of the window has an outcome yet */
  accuracy: number | null;
  /** mean log loss of the predictions with an outcome (classifiers); null without outcomes */
  logLoss: number | null;
  /** regression, over the predictions with an outcome: root mean squared and mean absolute error */
  rmse: number | null;
  mae: number | null;
  /** mean absolute percentage error over the outcomes that are not 0 (`mapeSamples` of them), as a fraction */
  mape: number | null;
  mapeSamples: number;
  /** binary classification at POSITIVE_THRESHOLD: of the predicted positives with an outcome, the share right; of the actual positives, the share found */
  precision: number | null;
  recall: number | null;
  predictedPositives: number;
  actualPositives: number;
  /** ROC AUC of the binary predictions with an outcome (only when asked for: a scan of the window) */
  auc?: { auc: number | null; samples: number };
  /** PSI of the newest version's predictions against its training baseline, and how many it rests on */
  drift?: { psi: number | null; samples: number };
  /** a `feature_*` metric of the monitor's input (the newest version's predictions against its baseline) */
  feature?: { value: number | null; samples: number };
}

export interface Window {
  start: Date;
  end: Date;
}

/** The window `[now − windowSeconds, now)`. */
export function windowEndingAt(now: Date, windowSeconds: number): Window {
  return { start: new Date(now.getTime() - windowSeconds * 1000), end: now };
}

/** The metric's value in a window; null when the window has nothing to compute it from. */
export function metricValue(metric: MonitorMetric, stats: WindowAggregate): number | null {
  if (isFeatureMetric(metric)) return stats.feature?.value ?? null;
  switch (metric) {
    case 'prediction_mean':
      return stats.predictionMean;
    case 'positive_rate':
      return stats.positiveRate;
    case 'accuracy':
      return stats.accuracy;
    case 'log_loss':
      return stats.logLoss;
    case 'prediction_count':
      return stats.predictions;
    case 'outcome_count':
      return stats.outcomes;
    case 'prediction_psi':
      return stats.drift?.psi ?? null;
    case 'rmse':
      return stats.rmse;
    case 'mae':
      return stats.mae;
    case 'mape':
      return stats.mape;
    case 'precision':
      return stats.precision;
    case 'recall':
      return stats.recall;
    case 'auc':
      return stats.auc?.auc ?? null;
  }
}

/**
 * How many observations the metric rests on: the outcomes for quality metrics (for precision the
 * predicted positives, for recall the actual ones, for MAPE the outcomes that are not 0), the
 * newest version's predictions for drift (of an input: those that carried it, or all of them for
 * its missing rate), all predictions otherwise.
 */
export function samplesOf(metric: MonitorMetric, stats: WindowAggregate): number {
  if (isFeatureMetric(metric)) return stats.feature?.samples ?? 0;
  switch (metric) {
    case 'prediction_psi':
      return stats.drift?.samples ?? 0;
    case 'auc':
      return stats.auc?.samples ?? 0;
    case 'precision':
      return stats.predictedPositives;
    case 'recall':
      return stats.actualPositives;
    case 'mape':
      return stats.mapeSamples;
    case 'accuracy':
    case 'log_loss':
    case 'rmse':
    case 'mae':
      return stats.outcomes;
    default:
      return stats.predictions;
  }
}

/**
 * Whether the metric has enough observations to be judged. Counts are exact at any size, so a
 * traffic monitor (`prediction_count lt 1`) can fire on an empty window; a rate or a mean from
 * fewer than `minSamples` observations is noise and is never judged.
 */
export function hasEnoughSamples(metric: MonitorMetric, samples: number, minSamples: number): boolean {
  if (metric === 'prediction_count' || metric === 'outcome_count') return true;
  return samples >= minSamples;
}

/** `value <operator> threshold`: true means the monitor's condition for an alert holds. */
export function crosses(value: number, operator: MonitorOperator, threshold: number): boolean {
  switch (operator) {
    case 'gt':
      return value > threshold;
    case 'gte':
      return value >= threshold;
    case 'lt':
      return value < threshold;
    case 'lte':
      return value <= threshold;
  }
}

export interface Judgement {
  value: number | null;
  samples: number;
  /** enough samples to decide either way */
  conclusive: boolean;
  breached: boolean;
}

/** Judges one window against a monitor's condition. */
export function judge(
  monitor: { metric: MonitorMetric; operator: MonitorOperator; threshold: number; minSamples: number },
  stats: WindowAggregate,
): Judgement {
  const value = metricValue(monitor.metric, stats);
  const samples = samplesOf(monitor.metric, stats);
  const conclusive = value !== null && hasEnoughSamples(monitor.metric, samples, monitor.minSamples);
  return { value, samples, conclusive, breached: conclusive && crosses(value, monitor.operator, monitor.threshold) };
}
