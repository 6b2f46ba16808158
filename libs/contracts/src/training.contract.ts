import { z } from 'zod';

import { IsoTime, MAX_INT32, MAX_PARTITIONS, MissingFeaturePolicy, Name } from './common.contract';
import { FeatureRef } from './feature-store.contract';

export const ModelType = z.enum(['logistic_regression', 'linear_regression', 'gbdt', 'neural_network']);
export type ModelType = z.infer<typeof ModelType>;

/**
 * What a model predicts: the label expression gives 0/1 (binary), a class index 0..K-1
 * (multi-class, K inferred from the training rows, at most MAX_CLASSES) or a number (regression).
 */
export const ModelTask = z.enum(['binary_classification', 'multiclass_classification', 'regression']);
export type ModelTask = z.infer<typeof ModelTask>;

/** The most classes a multi-class model may have. */
export const MAX_CLASSES = 50;

const seed = z.number().int().min(0).max(MAX_INT32).default(42);
const epochs = z.number().int().min(1).max(500);
const batchSize = z.number().int().min(1).max(65_536);
const penalty = z.number().min(0).max(10).default(0);

export const LinearRegressionParams = z.object({
  /**
   * `lbfgs`: the whole training set in float64, deterministic, to the optimum (L-BFGS / OWL-QN;
   * exact normal equations for least squares): uses `maxIterations` and `tolerance`. `adam`:
   * mini-batch Adam as in earlier releases: uses `epochs`, `learningRate`, `batchSize` and `seed`.
   */
  solver: z.enum(['lbfgs', 'adam']).default('lbfgs'),
  maxIterations: z.number().int().min(1).max(10_000).default(1000),
  /** lbfgs stops once every partial derivative of the objective is at most this (scikit-learn's `tol`) */
  tolerance: z.number().positive().max(1).default(1e-4),
  epochs: epochs.default(20),
  learningRate: z.number().positive().max(10).default(0.05),
  batchSize: batchSize.default(1024),
  l1: penalty,
  l2: penalty,
  seed,
});
export type LinearRegressionParams = z.infer<typeof LinearRegressionParams>;

export const LogisticRegressionParams = LinearRegressionParams.extend({
  /**
   * `multiclass`: multinomial (softmax) logistic regression over the classes 0..K-1 of the label,
   * K inferred from the training rows; it trains with the `lbfgs` solver only
   */
  task: z.enum(['binary', 'multiclass']).default('binary'),
}).refine((params) => params.task !== 'multiclass' || params.solver === 'lbfgs', {
  message: 'multi-class logistic regression trains with solver "lbfgs" only (the default); "adam" fits binary logistic regression',
  path: ['solver'],
});
export type LogisticRegressionParams = z.infer<typeof LogisticRegressionParams>;

export const GbdtParams = z.object({
  /** `multiclass`: the label is a class index 0..K-1, K inferred from the training rows */
  objective: z.enum(['binary', 'multiclass', 'regression']).default('binary'),
  numIterations: z.number().int().min(1).max(5000).default(100),
  learningRate: z.number().positive().max(1).default(0.1),
  maxLeaves: z.number().int().min(2).max(4096).default(31),
  minDataInLeaf: z.number().int().min(1).max(10_000_000).default(20),
  lambdaL2: penalty,
  maxBins: z.number().int().min(2).max(65_535).default(255),
  featureFraction: z.number().gt(0).max(1).default(1),
  baggingFraction: z.number().gt(0).max(1).default(1),
  /** stop when the validation loss has not improved for this many rounds; 0 = never */
  earlyStoppingRounds: z.number().int().min(0).max(5000).default(0),
  seed,
});
export type GbdtParams = z.infer<typeof GbdtParams>;

export const NeuralNetworkParams = z.object({
  /** `multiclass`: softmax output and cross-entropy over the classes 0..K-1 of the label */
  task: z.enum(['binary', 'multiclass', 'regression']).default('binary'),
  hiddenLayers: z.array(z.number().int().min(1).max(4096)).max(10).default([32, 16]),
  activation: z.enum(['relu', 'tanh']).default('relu'),
  dropout: z.number().min(0).max(0.9).default(0),
  batchNorm: z.boolean().default(false),
  epochs: epochs.default(20),
  batchSize: batchSize.default(1024),
  learningRate: z.number().positive().max(10).default(0.01),
  l2: penalty,
  seed,
});
export type NeuralNetworkParams = z.infer<typeof NeuralNetworkParams>;

/** A model input computed from other columns with an expression, e.g. `log1p(distance)`. */
export const TransformDefinition = z.object({
  name: Name,
  expression: z.string().min(1).max(500),
});
export type TransformDefinition = z.infer<typeof TransformDefinition>;

/** A range is not empty (min ≤ max), and a log scale starts above 0. */
const rangeProblems = (r: { min: number; max: number; log: boolean }, ctx: z.RefinementCtx) => {
  if (r.min > r.max) ctx.addIssue({ code: 'custom', path: ['max'], message: `the range is empty: min ${r.min} is above max ${r.max}` });
  if (r.log && r.min <= 0) ctx.addIssue({ code: 'custom', path: ['min'], message: `a log scale needs min > 0, got ${r.min}` });
};

/** One hyper-parameter's range in a search space. */
export const ParamSpace = z.discriminatedUnion('type', [
  z.object({ type: z.literal('float'), min: z.number(), max: z.number(), log: z.boolean().default(false) }).superRefine(rangeProblems),
  z.object({ type: z.literal('int'), min: z.number().int(), max: z.number().int(), log: z.boolean().default(false) }).superRefine(rangeProblems),
  z.object({ type: z.literal('choice'), values: z.array(z.union([z.number(), z.string(), z.boolean()])).min(1) }),
]);
export type ParamSpace = z.infer<typeof ParamSpace>;

/**
 * Hyper-parameter search: `trials` configurations drawn from `space` (names of the model type's
 * params), each trained on the training slice and scored on the validation slice (AUC for
 * binary classifiers, log loss for multi-class ones, RMSE for regressors). Successive halving gives every configuration a small
 * budget of epochs / boosting rounds / solver iterations (`maxIterations`, linear models with `lbfgs`) first and the full budget only to the best third, then the
 * best of those. The winner becomes the registered version; every trial is kept on the job.
 */
export const SearchRequest = z.object({
  strategy: z.enum(['random', 'successive_halving']).default('random'),
  trials: z.number().int().min(1).max(200).default(10),
  space: z
    .record(z.string(), ParamSpace)
    .refine((s) => Object.keys(s).length > 0, 'name at least one parameter to search')
    .meta({ minProperties: 1 }),
  maxSeconds: z.number().positive().optional(),
  seed: z.number().int().default(42),
});
export type SearchRequest = z.infer<typeof SearchRequest>;

/**
 * AutoML (Michelangelo's AutoTune): one switch that searches across model types *and* their
 * parameters by successive halving — `trials` candidates, each a model type (of those that suit
 * the request's task, or `modelTypes`) with parameters drawn from Atelier's default space for it,
 * all trained on a small budget first (boosting rounds, epochs, solver iterations) and the best
 * third promoted — and registers the best. The request's own `modelType` and `params` say which
 * task (binary, multi-class, regression). Deterministic for a seed unless `maxSeconds` cuts it short.
 */
export const AutoMlRequest = z.object({
  trials: z.number().int().min(3).max(100).default(12),
  modelTypes: z.array(ModelType).min(1).max(4).optional(),
  /** no new candidate starts after this many seconds (a running one finishes) */
  maxSeconds: z.number().positive().max(86_400).optional(),
  seed: z.number().int().default(42),
});
export type AutoMlRequest = z.infer<typeof AutoMlRequest>;

/** The model types AutoML tries for each task, in this order. */
export const AUTOML_MODEL_TYPES: Record<ModelTask, ModelType[]> = {
  binary_classification: ['logistic_regression', 'gbdt', 'neural_network'],
  multiclass_classification: ['logistic_regression', 'gbdt', 'neural_network'],
  regression: ['linear_regression', 'gbdt', 'neural_network'],
};

export const SearchTrialResult = z.object({
  id: z.number().int(),
  /** AutoML: the candidate's model type (`params` are its parameters) */
  modelType: ModelType.optional(),
  params: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])),
  score: z.number().nullable(),
  resource: z.number().optional(),
  rung: z.number().int().optional(),
  seconds: z.number(),
  status: z.enum(['ok', 'failed', 'pruned']),
  error: z.string().optional(),
  /** AutoML: the candidate's validation metrics (the score among them) */
  metrics: z.record(z.string(), z.number()).optional(),
});
export type SearchTrialResult = z.infer<typeof SearchTrialResult>;

/** A source column of strings used as a model input through a fitted encoding. */
export const CategoricalFeature = z.object({
  column: Name,
  /** one column per category (unknown and rare ones share `__other__`), an ordinal code, or hashed buckets */
  encoding: z.enum(['one_hot', 'ordinal', 'hashing']).default('one_hot'),
  /** one-hot: the most frequent categories kept */
  maxCategories: z.number().int().min(1).max(1000).default(50),
  /** hashing: number of buckets */
  buckets: z.number().int().min(2).max(4096).default(32),
});
export type CategoricalFeature = z.infer<typeof CategoricalFeature>;
export type CategoricalFeatureInput = z.input<typeof CategoricalFeature>;

const TrainingRequestBase = z.object({
  modelName: Name,
  description: z.string().max(500).default(''),
  /** Label rows: the offline rows of this feature group inside the time window. */
  source: z.object({ group: Name }),
  window: z.object({
    start: IsoTime,
    /** rows before this instant train the model; rows from it on evaluate it */
    validationStart: IsoTime,
    end: IsoTime,
  }),
  /** entity name of a joined feature group → source column with its key */
  joinKeys: z.record(z.string(), z.string()).default({}),
  features: z.array(FeatureRef).max(200).default([]),
  /** source columns used as model inputs as they are; at prediction time the caller sends them */
  requestFeatures: z.array(Name).max(200).default([]),
  transforms: z.array(TransformDefinition).max(100).default([]),
  /** string source columns (e.g. `destination`), encoded with encoders fitted on the training slice; callers send the raw string */
  categoricalFeatures: z.array(CategoricalFeature).max(50).default([]),
  /** expression over source columns: 1 for the positive class (e.g. `delay > 15`) or the target */
  label: z.string().min(1).max(500),
  maxRows: z.number().int().positive().max(5_000_000).default(1_000_000),
  search: SearchRequest.optional(),
  /** search across model types and their parameters, and register the best (see `AutoMlRequest`) */
  automl: AutoMlRequest.optional(),
  /** what serving does when an online feature of the registered version is missing */
  missingFeatures: MissingFeaturePolicy.default('impute'),
  /**
   * Partitioned models (Michelangelo's per-city models): besides the global model, one model per
   * value of this string source column with at least `minRows` training rows (the
   * `maxPartitions` largest), registered together as one version; serving answers a request
   * with its value's model, or the global one.
   */
  partition: z
    .object({
      column: Name,
      minRows: z.number().int().min(10).max(10_000_000).default(1000),
      maxPartitions: z.number().int().min(1).max(MAX_PARTITIONS).default(20),
    })
    .optional(),
});

/** The lists of a request that name model inputs: it must name at least one. */
const MODEL_INPUT_LISTS = ['features', 'requestFeatures', 'transforms', 'categoricalFeatures'] as const;

/** Parameters a search may not vary: the seed, and those that decide the task (and so the score). */
export const UNSEARCHABLE: ReadonlySet<string> = new Set(['seed', 'task', 'objective']);

/**
 * What a search (and AutoML) scores a trial by on the validation slice, by task, and which way is
 * better; the registered version's metric of the same name is the winner's score.
 */
export const SEARCH_SCORES: Record<ModelTask, { metric: string; label: string; direction: 'maximize' | 'minimize' }> = {
  binary_classification: { metric: 'auc', label: 'AUC', direction: 'maximize' },
  multiclass_classification: { metric: 'log_loss', label: 'log loss', direction: 'minimize' },
  regression: { metric: 'rmse', label: 'RMSE', direction: 'minimize' },
};

/** The model type decides which hyper-parameters apply. */
export const ModelChoice = z.discriminatedUnion('modelType', [
  z.object({ modelType: z.literal('logistic_regression'), params: LogisticRegressionParams.prefault({}) }),
  z.object({ modelType: z.literal('linear_regression'), params: LinearRegressionParams.prefault({}) }),
  z.object({ modelType: z.literal('gbdt'), params: GbdtParams.prefault({}) }),
  z.object({ modelType: z.literal('neural_network'), params: NeuralNetworkParams.prefault({}) }),
]);

export type ModelChoiceInput = z.input<typeof ModelChoice>;

export const TrainingRequest = TrainingRequestBase.and(ModelChoice)
  .refine((r) => r.window.start < r.window.validationStart && r.window.validationStart < r.window.end, {
    message: 'the window must satisfy start < validationStart < end',
    path: ['window'],
  })
  .refine((r) => r.features.length + r.requestFeatures.length + r.transforms.length + r.categoricalFeatures.length > 0, {
    message: 'name at least one feature, request feature or transform',
    path: ['features'],
  })
  .superRefine((r, ctx) => {
    if (r.partition && r.search) ctx.addIssue({ code: 'custom', path: ['partition'], message: 'a partitioned model is trained with fixed parameters: drop "search" or "partition"' });
    if (r.automl) {
      if (r.search) ctx.addIssue({ code: 'custom', path: ['automl'], message: 'AutoML runs its own search across model types: drop "search" or "automl"' });
      if (r.partition) ctx.addIssue({ code: 'custom', path: ['partition'], message: 'a partitioned model is trained with fixed parameters: drop "automl" or "partition"' });
      const task = taskOf(r);
      const suitable = AUTOML_MODEL_TYPES[task];
      for (const [i, type] of (r.automl.modelTypes ?? []).entries()) {
        if (!suitable.includes(type)) {
          ctx.addIssue({ code: 'custom', path: ['automl', 'modelTypes', i], message: `${type} does not learn ${task.replace('_', ' ')}; AutoML can try ${suitable.join(', ')}` });
        }
      }
    }
    const known = Object.keys(r.params);
    for (const name of Object.keys(r.search?.space ?? {})) {
      if (!known.includes(name) || UNSEARCHABLE.has(name)) {
        ctx.addIssue({ code: 'custom', path: ['search', 'space', name], message: `${r.modelType} has no searchable parameter "${name}"; it has ${known.filter((k) => !UNSEARCHABLE.has(k)).join(', ')}` });
      }
    }
  })
  // the rule of at least one model input in the OpenAPI document too: not all of the lists empty
  .meta({ not: { properties: Object.fromEntries(MODEL_INPUT_LISTS.map((list) => [list, { maxItems: 0 }])) } });
export type TrainingRequest = z.infer<typeof TrainingRequest>;
export type TrainingRequestInput = z.input<typeof TrainingRequest>;

/** The task a trained model of this request performs. */
export function taskOf(request: Pick<TrainingRequest, 'modelType' | 'params'>): ModelTask {
  switch (request.modelType) {
    case 'logistic_regression':
      return TASKS[(request.params as LogisticRegressionParams).task];
    case 'linear_regression':
      return 'regression';
    case 'gbdt':
      return TASKS[(request.params as GbdtParams).objective];
    case 'neural_network':
      return TASKS[(request.params as NeuralNetworkParams).task];
  }
}

const TASKS: Record<GbdtParams['objective'], ModelTask> = {
  binary: 'binary_classification',
  multiclass: 'multiclass_classification',
  regression: 'regression',
};

export const TrainingJobStatus = z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']);
export type TrainingJobStatus = z.infer<typeof TrainingJobStatus>;

export const TrainingJobEvent = z.object({
  at: IsoTime,
  message: z.string(),
  epoch: z.number().int().optional(),
  loss: z.number().optional(),
  /** the worker process that ran the job: on the event of its start and of its stop */
  worker: z.object({ pid: z.number().int(), host: z.string() }).optional(),
});
export type TrainingJobEvent = z.infer<typeof TrainingJobEvent>;

export const TrainingJobResponse = z.object({
  id: z.string(),
  modelName: z.string(),
  modelType: ModelType,
  status: TrainingJobStatus,
  /** 0..1 */
  progress: z.number(),
  request: TrainingRequest,
  events: z.array(TrainingJobEvent),
  backend: z.string().nullable(),
  metrics: z.record(z.string(), z.number()).nullable(),
  /** hyper-parameter search trials, when the request asked for a search */
  trials: z.array(SearchTrialResult),
  modelVersion: z.number().int().nullable(),
  error: z.string().nullable(),
  createdAt: IsoTime,
  startedAt: IsoTime.nullable(),
  finishedAt: IsoTime.nullable(),
});
export type TrainingJobResponse = z.infer<typeof TrainingJobResponse>;

/** Payload of a job on the `training` Bull queue. */
export const TrainingJobPayload = z.object({ jobId: z.string().uuid() });
export type TrainingJobPayload = z.infer<typeof TrainingJobPayload>;
