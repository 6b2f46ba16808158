import { z } from 'zod';

import { IsoTime, Name } from './common.contract';
import type { ServingTask } from './registry.contract';

const MAX_WINDOW_SECONDS = 30 * 24 * 3600;
const MAX_SAMPLES = 100_000_000;

/**
 * What a monitor watches. Live quality once outcomes arrive — binary: accuracy, log loss, AUC,
 * precision and recall at 0.5 (a binary model whose classes are names, outcomes given by name:
 * accuracy and log loss); multi-class: accuracy, log loss (outcomes by class index or name); regression: RMSE, MAE, MAPE (a
 * fraction, over outcomes that are not 0) — and traffic and drift: counts, the prediction mean,
 * the positive rate, PSI of the predictions against the training baseline (`prediction_psi`),
 * and the drift of one input (`feature_*`, with `feature` naming it; see FeatureDrift).
 */
export const MonitorMetric = z.enum([
  'prediction_mean',
  'accuracy',
  'log_loss',
  'positive_rate',
  'outcome_count',
  'prediction_count',
  'prediction_psi',
  'auc',
  'precision',
  'recall',
  'rmse',
  'mae',
  'mape',
  'feature_psi',
  'feature_ks',
  'feature_wasserstein',
  'feature_js',
  'feature_chi_square',
  'feature_missing_rate',
]);
export type MonitorMetric = z.infer<typeof MonitorMetric>;

/** The metrics of one input's drift: a monitor on one of them names the input in `feature`. */
export const FEATURE_METRICS = ['feature_psi', 'feature_ks', 'feature_wasserstein', 'feature_js', 'feature_chi_square', 'feature_missing_rate'] as const;
export type FeatureMetric = (typeof FEATURE_METRICS)[number];
export const isFeatureMetric = (metric: MonitorMetric): metric is FeatureMetric => (FEATURE_METRICS as readonly string[]).includes(metric);

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

/** A model input's name as the signature has it (a feature reference `group:feature`, a request value, a transform). */
const FeatureName = z.string().min(1).max(300);

/**
 * A monitor's threshold: any metric's range fits (rates, PSI, means of regression outputs,
 * counts); a bound keeps it clear of the edge of PostgreSQL's double precision.
 */
const Threshold = z.number().min(-1e12).max(1e12);

export const MonitorOperator = z.enum(['gt', 'gte', 'lt', 'lte']);
export type MonitorOperator = z.infer<typeof MonitorOperator>;

export const CreateMonitorRequest = z.object({
  name: z.string().min(1).max(120),
  model: Name,
  metric: MonitorMetric,
  /** alert when `metric <operator> threshold` */
  operator: MonitorOperator,
  threshold: Threshold,
  windowSeconds: z.number().int().min(1).max(MAX_WINDOW_SECONDS).default(3600),
  minSamples: z.number().int().min(1).max(MAX_SAMPLES).default(10),
  webhookUrl: z.url().optional(),
  /** `feature_*` metrics: the model input watched (a feature reference, a request value, a transform) */
  feature: FeatureName.optional(),
}).superRefine((r, ctx) => {
  if (isFeatureMetric(r.metric) && r.feature === undefined) ctx.addIssue({ code: 'custom', path: ['feature'], message: `metric ${r.metric} needs the input it watches in "feature"` });
  if (!isFeatureMetric(r.metric) && r.feature !== undefined) ctx.addIssue({ code: 'custom', path: ['feature'], message: `"feature" applies to the feature_* metrics only, not to ${r.metric}` });
});
export type CreateMonitorRequest = z.infer<typeof CreateMonitorRequest>;
export type CreateMonitorRequestInput = z.input<typeof CreateMonitorRequest>;

export const UpdateMonitorRequest = z.object({
  threshold: Threshold.optional(),
  operator: MonitorOperator.optional(),
  enabled: z.boolean().optional(),
  minSamples: z.number().int().min(1).max(MAX_SAMPLES).optional(),
  windowSeconds: z.number().int().min(1).max(MAX_WINDOW_SECONDS).optional(),
});
export type UpdateMonitorRequest = z.infer<typeof UpdateMonitorRequest>;

export const MonitorResponse = z.object({
  id: z.string(),
  name: z.string(),
  model: z.string(),
  metric: MonitorMetric,
  operator: MonitorOperator,
  threshold: z.number(),
  windowSeconds: z.number().int(),
  minSamples: z.number().int(),
  enabled: z.boolean(),
  webhookUrl: z.string().nullable(),
  /** the input a `feature_*` monitor watches; null for the others */
  feature: z.string().nullable(),
  createdAt: IsoTime,
  /**
   * why the monitor is not judged now: its metric does not fit the task of the version production
   * serves (without a production alias, of the newest version), as when production moves to a
   * version of another task. Its windows have no value meanwhile.
   */
  problem: z.string().nullable(),
});
export type MonitorResponse = z.infer<typeof MonitorResponse>;

/**
 * A monitor as created: with the secret that signs its webhook deliveries (the `Atelier-Signature`
 * header), shown this once; null without a webhook.
 */
export const CreatedMonitorResponse = MonitorResponse.extend({ webhookSecret: z.string().nullable() });
export type CreatedMonitorResponse = z.infer<typeof CreatedMonitorResponse>;

export const MonitorEvaluation = z.object({
  monitorId: z.string(),
  windowStart: IsoTime,
  windowEnd: IsoTime,
  value: z.number().nullable(),
  samples: z.number().int(),
  breached: z.boolean(),
  alert: z.object({ id: z.string(), status: z.enum(['open', 'resolved']) }).nullable(),
  /** why the window was not judged (see MonitorResponse.problem); null when it was */
  problem: z.string().nullable(),
});
export type MonitorEvaluation = z.infer<typeof MonitorEvaluation>;

export const AlertStatus = z.enum(['open', 'resolved']);
export type AlertStatus = z.infer<typeof AlertStatus>;

export const AlertResponse = z.object({
  id: z.string(),
  monitorId: z.string(),
  monitorName: z.string(),
  model: z.string(),
  metric: MonitorMetric,
  status: AlertStatus,
  value: z.number(),
  threshold: z.number(),
  message: z.string(),
  openedAt: IsoTime,
  lastSeenAt: IsoTime,
  resolvedAt: IsoTime.nullable(),
  /** who resolved it: a key's owner (by hand) or `monitor` (the metric recovered); null while open */
  resolvedBy: z.string().nullable(),
  /** when and by whom it was acknowledged (it stays open until it resolves); null if nobody has */
  acknowledgedAt: IsoTime.nullable(),
  acknowledgedBy: z.string().nullable(),
});
export type AlertResponse = z.infer<typeof AlertResponse>;

export const RecordOutcomeRequest = z.object({
  predictionId: z.string().uuid(),
  /**
   * the observed value: the true label (0/1), the true class (its index, or its name when the
   * model's classes are strings, as its predictions name them) or the true target
   */
  value: z.union([z.number(), z.string().min(1).max(256)]),
  observedAt: IsoTime.optional(),
});
export type RecordOutcomeRequest = z.infer<typeof RecordOutcomeRequest>;

export const RecordOutcomesRequest = z.object({ outcomes: z.array(RecordOutcomeRequest).min(1).max(10_000) });
export type RecordOutcomesRequest = z.infer<typeof RecordOutcomesRequest>;

export const ModelWindowStats = z.object({
  model: z.string(),
  /** the version asked for; null: every version of the model */
  version: z.number().int().nullable().optional(),
  windowStart: IsoTime,
  windowEnd: IsoTime,
  predictions: z.number().int(),
  outcomes: z.number().int(),
  predictionMean: z.number().nullable(),
  positiveRate: z.number().nullable(),
  accuracy: z.number().nullable(),
  /** mean log loss of the predictions with an outcome (classifiers) */
  logLoss: z.number().nullable(),
  /** binary classifiers, over the predictions with an outcome: ROC AUC, precision and recall at 0.5 */
  auc: z.number().nullable(),
  precision: z.number().nullable(),
  recall: z.number().nullable(),
  /** regressors, over the predictions with an outcome: RMSE, MAE, MAPE (a fraction; outcomes that are not 0) */
  rmse: z.number().nullable(),
  mae: z.number().nullable(),
  mape: z.number().nullable(),
  /** multi-class models: per class, the predictions that chose it and the outcomes that were it */
  classes: z.array(z.object({ label: z.string(), predicted: z.number().int(), outcomes: z.number().int() })),
});
export type ModelWindowStats = z.infer<typeof ModelWindowStats>;

/** One arm of a model's deployment over a window: what it answered (or, for a shadow, would have). */
export const ArmStats = z.object({
  arm: z.enum(['primary', 'canary', 'shadow']),
  version: z.number().int(),
  predictions: z.number().int(),
  /** of those, predictions whose outcome is known (a shadow's: the outcome of the request it mirrored) */
  outcomes: z.number().int(),
  predictionMean: z.number().nullable(),
  /** the distribution of its predictions: 10th, 50th and 90th percentiles */
  predictionP10: z.number().nullable(),
  predictionP50: z.number().nullable(),
  predictionP90: z.number().nullable(),
  /** share at or above the positive threshold (0.5), as everywhere in monitoring */
  positiveRate: z.number().nullable(),
  /** time from the request's arrival to the arm's scores */
  latencyP50Ms: z.number().nullable(),
  latencyP95Ms: z.number().nullable(),
  /** over the predictions with an outcome: the class named (multi-class) or the side of 0.5 (binary) */
  accuracy: z.number().nullable(),
  logLoss: z.number().nullable(),
  /** mean |prediction − outcome| (regressors; for classifiers the mean distance of P(positive) to the outcome) */
  mae: z.number().nullable(),
  /** shadow only: share of its predictions on the answered prediction's side of 0.5 (or naming its class) */
  agreement: z.number().nullable(),
  /** shadow only: mean |shadow's prediction − answered prediction| */
  meanAbsDifference: z.number().nullable(),
});
export type ArmStats = z.infer<typeof ArmStats>;

export const ModelArmsResponse = z.object({
  model: z.string(),
  windowStart: IsoTime,
  windowEnd: IsoTime,
  /** primary, canary and shadow arms with predictions in the window, by arm then version */
  arms: z.array(ArmStats),
});
export type ModelArmsResponse = z.infer<typeof ModelArmsResponse>;

export const AcceptedResponse = z.object({ accepted: z.number().int() });
export type AcceptedResponse = z.infer<typeof AcceptedResponse>;

export const LiveStatsQuery = z.object({ windowSeconds: z.coerce.number().int().min(1).max(MAX_WINDOW_SECONDS).default(3600) });
export type LiveStatsQuery = z.infer<typeof LiveStatsQuery>;

/** A version's predictions only (default: every version of the model) */
const VersionFilter = z.coerce.number().int().min(1).max(2_147_483_647).optional();

export const ModelLiveStatsQuery = LiveStatsQuery.extend({ version: VersionFilter });
export type ModelLiveStatsQuery = z.infer<typeof ModelLiveStatsQuery>;

export const LiveQualityHistoryQuery = z.object({
  /** each window's length, whole minutes */
  windowSeconds: z.coerce.number().int().min(60).max(86_400).multipleOf(60, 'a whole number of minutes (a multiple of 60)').default(3600),
  /** consecutive windows, the last one ending with the current minute */
  windows: z.coerce.number().int().min(1).max(168).default(24),
  version: VersionFilter,
});
export type LiveQualityHistoryQuery = z.infer<typeof LiveQualityHistoryQuery>;

/**
 * A model's (or one version's) live quality over consecutive windows, oldest first, from the
 * per-minute sums ingestion keeps: every figure of `ModelWindowStats` but AUC and the per-class
 * counts (those need the predictions themselves). Windows are whole minutes.
 */
export const LiveQualityHistoryResponse = z.object({
  model: z.string(),
  version: z.number().int().nullable(),
  windowSeconds: z.number().int(),
  points: z.array(
    ModelWindowStats.omit({ model: true, auc: true, classes: true }).extend({
      /** versions whose predictions the window counts */
      versions: z.array(z.number().int()),
    }),
  ),
});
export type LiveQualityHistoryResponse = z.infer<typeof LiveQualityHistoryResponse>;

export const ListMonitorsQuery = z.object({ model: Name.optional() });
export type ListMonitorsQuery = z.infer<typeof ListMonitorsQuery>;

const Limit = z.coerce.number().int().min(1).max(1000).default(100);

export const ListAlertsQuery = z.object({ status: AlertStatus.optional(), model: Name.optional(), limit: Limit });
export type ListAlertsQuery = z.infer<typeof ListAlertsQuery>;

export const ListWindowsQuery = z.object({ limit: Limit });
export type ListWindowsQuery = z.infer<typeof ListWindowsQuery>;

/** One stored evaluation of a monitor. */
export const MonitorWindowResponse = z.object({
  id: z.string(),
  monitorId: z.string(),
  windowStart: IsoTime,
  windowEnd: IsoTime,
  value: z.number().nullable(),
  samples: z.number().int(),
  breached: z.boolean(),
  evaluatedAt: IsoTime,
});
export type MonitorWindowResponse = z.infer<typeof MonitorWindowResponse>;

export const FeatureDriftQuery = z.object({
  windowSeconds: z.coerce.number().int().min(1).max(MAX_WINDOW_SECONDS).default(3600),
  /** the version whose predictions and baseline are compared; default: the newest version with predictions in the window */
  version: z.coerce.number().int().min(1).max(2_147_483_647).optional(),
});
export type FeatureDriftQuery = z.infer<typeof FeatureDriftQuery>;

/** The most recent predictions of a window that drift is computed over. */
export const MAX_DRIFT_PREDICTIONS = 100_000;

/**
 * How one input's live values differ from its training baseline. Numeric inputs: PSI and
 * Jensen–Shannon distance over the baseline's histogram bins, Kolmogorov–Smirnov statistic and
 * Wasserstein distance (in the input's unit) against the baseline's sample of order statistics.
 * Categorical inputs: PSI, Jensen–Shannon distance and Pearson's chi-square over the baseline's
 * categories (a category the baseline lacks counts as `__other__`; the baseline gets one
 * pseudo-count per category). A statistic is null when a side has no values.
 */
export const FeatureDrift = z.object({
  name: z.string(),
  kind: z.enum(['numeric', 'categorical']),
  /** live predictions with a value of the input */
  samples: z.number().int(),
  missingRate: z.number().nullable(),
  baselineMissingRate: z.number().nullable(),
  psi: z.number().nullable(),
  js: z.number().nullable(),
  ks: z.number().nullable(),
  wasserstein: z.number().nullable(),
  chiSquare: z.number().nullable(),
  chiSquarePValue: z.number().nullable(),
  /** the shares side by side: the baseline's bins (numeric; null outer edges for ±∞) or categories */
  bins: z.array(z.object({ label: z.string(), baseline: z.number(), live: z.number() })),
});
export type FeatureDrift = z.infer<typeof FeatureDrift>;

export const FeatureDriftResponse = z.object({
  model: z.string(),
  /** null when the window holds no prediction of the model */
  version: z.number().int().nullable(),
  windowStart: IsoTime,
  windowEnd: IsoTime,
  /** predictions compared (the window's most recent, at most MAX_DRIFT_PREDICTIONS) */
  predictions: z.number().int(),
  features: z.array(FeatureDrift),
});
export type FeatureDriftResponse = z.infer<typeof FeatureDriftResponse>;

export const FeatureDriftHistoryQuery = z.object({
  /** the model input, as the drift report names it (e.g. `airport_delay_stats:mean_delay_24h`, `distance`) */
  feature: z.string().min(1).max(256),
  windowSeconds: z.coerce.number().int().min(60).max(86_400).default(3600),
  /** consecutive windows, the last one ending now */
  windows: z.coerce.number().int().min(1).max(168).default(24),
});
export type FeatureDriftHistoryQuery = z.infer<typeof FeatureDriftHistoryQuery>;

/** The most recent predictions of each window a drift history compares (a bounded sample per window). */
export const MAX_DRIFT_HISTORY_PREDICTIONS = 10_000;

/**
 * One input's drift over consecutive windows, oldest first: each window's newest version with
 * predictions against that version's training baseline (null drift when the window has none),
 * and the monitors watching the input, with their thresholds.
 */
export const FeatureDriftHistoryResponse = z.object({
  model: z.string(),
  feature: z.string(),
  windowSeconds: z.number().int(),
  points: z.array(
    z.object({
      windowStart: IsoTime,
      windowEnd: IsoTime,
      version: z.number().int().nullable(),
      /** predictions compared (the window's most recent, at most MAX_DRIFT_HISTORY_PREDICTIONS) */
      predictions: z.number().int(),
      drift: FeatureDrift.nullable(),
    }),
  ),
  monitors: z.array(z.object({ id: z.string(), name: z.string(), metric: MonitorMetric, operator: MonitorOperator, threshold: z.number(), enabled: z.boolean() })),
});
export type FeatureDriftHistoryResponse = z.infer<typeof FeatureDriftHistoryResponse>;
