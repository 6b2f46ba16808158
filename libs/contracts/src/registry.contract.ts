import { z } from 'zod';

import { IsoTime, MissingFeaturePolicy, Name, VersionNumber } from './common.contract';
import { ModelTask } from './training.contract';

/** How serving fills one ONNX input. */
export const ModelInput = z.discriminatedUnion('source', [
  /** a feature read from the online store: `ref` is `group:feature`, keyed by `entity` */
  z.object({ name: z.string(), source: z.literal('feature'), ref: z.string(), entity: z.string() }),
  /** a value the caller sends with the request: a number, or a string for a categorical input */
  z.object({ name: z.string(), source: z.literal('request'), dtype: z.enum(['float', 'string']).default('float') }),
  /** computed from other inputs with an expression */
  z.object({ name: z.string(), source: z.literal('transform'), expression: z.string() }),
]);
export type ModelInput = z.infer<typeof ModelInput>;

export const ModelSignature = z.object({
  /** every value the model needs, in evaluation order (transforms after what they read) */
  inputs: z.array(ModelInput),
  /** the ONNX graph's inputs (raw values: encoders of categorical inputs are inside the graph), a subset of `inputs` names */
  onnxInputs: z.array(z.string()),
  outputs: z.array(z.string()),
  task: ModelTask,
  /**
   * When an online feature is missing (no row in the online store, or a null value):
   * `impute` answers with the model's own missing-value handling (the response lists what was
   * missing), `refuse` answers 424 MISSING_FEATURES instead of a prediction.
   */
  missingFeatures: MissingFeaturePolicy.default('impute'),
});
export type ModelSignature = z.infer<typeof ModelSignature>;

export const FeatureBaseline = z.object({
  name: z.string(),
  count: z.number(),
  missing: z.number(),
  mean: z.number().nullable(),
  std: z.number().nullable(),
  min: z.number().nullable(),
  max: z.number().nullable(),
  quantiles: z.record(z.string(), z.number()),
  /** bin edges; the outermost are null for -∞ and +∞ (JSON has no infinities) */
  histogram: z.object({ edges: z.array(z.number().nullable()), counts: z.array(z.number()) }),
});
export type FeatureBaseline = z.infer<typeof FeatureBaseline>;

export const ModelBaseline = z.object({
  features: z.array(FeatureBaseline),
  prediction: FeatureBaseline.nullable(),
});
export type ModelBaseline = z.infer<typeof ModelBaseline>;

export const Lineage = z.object({
  trainingJobId: z.string().nullable(),
  source: z.string().nullable(),
  features: z.array(z.string()),
  window: z.object({ start: IsoTime, validationStart: IsoTime, end: IsoTime }).nullable(),
  params: z.record(z.string(), z.unknown()),
  trainRows: z.number().int().nullable(),
  validationRows: z.number().int().nullable(),
  backend: z.string().nullable(),
});
export type Lineage = z.infer<typeof Lineage>;

/** The evaluation report of a version, computed on its validation slice. */
export const Evaluation = z.object({
  /** ROC and precision–recall curves (binary classification), at most a few hundred points */
  roc: z.object({ fpr: z.array(z.number()), tpr: z.array(z.number()) }).nullable(),
  pr: z.object({ precision: z.array(z.number()), recall: z.array(z.number()) }).nullable(),
  /** reliability bins: mean predicted probability vs observed share of positives */
  calibration: z.array(z.object({ meanPredicted: z.number(), fractionPositive: z.number(), count: z.number() })).nullable(),
  confusionMatrix: z.object({ threshold: z.number(), tn: z.number(), fp: z.number(), fn: z.number(), tp: z.number() }).nullable(),
  /** regression: histogram of prediction − truth */
  residuals: z.object({ edges: z.array(z.number()), counts: z.array(z.number()) }).nullable(),
  /** larger = more important; `permutation`: drop of the validation metric when the feature is shuffled */
  featureImportance: z.array(z.object({ name: z.string(), importance: z.number(), std: z.number().nullable(), kind: z.enum(['permutation', 'gain']) })),
  /** average prediction over a grid of one feature's values, for the most important features */
  partialDependence: z.array(z.object({ feature: z.string(), grid: z.array(z.number()), average: z.array(z.number()) })),
});
export type Evaluation = z.infer<typeof Evaluation>;

export const EMPTY_EVALUATION: Evaluation = {
  roc: null,
  pr: null,
  calibration: null,
  confusionMatrix: null,
  residuals: null,
  featureImportance: [],
  partialDependence: [],
};

export const CreateModelVersionRequest = z.object({
  modelType: z.string().min(1).max(64),
  description: z.string().max(500).default(''),
  metrics: z.record(z.string(), z.number()),
  signature: ModelSignature,
  baseline: ModelBaseline,
  lineage: Lineage,
  evaluation: Evaluation.default(EMPTY_EVALUATION),
  /** the ONNX model, base64 */
  artifactBase64: z.string().min(1),
  /**
   * Registering again with the same key returns the version registered the first time instead of
   * adding one (training uses its job id, so a retried job never registers twice).
   */
  idempotencyKey: z.string().min(1).max(200).optional(),
});
export type CreateModelVersionRequest = z.infer<typeof CreateModelVersionRequest>;
export type CreateModelVersionRequestInput = z.input<typeof CreateModelVersionRequest>;

export const ModelVersionResponse = z.object({
  model: z.string(),
  version: z.number().int(),
  modelType: z.string(),
  metrics: z.record(z.string(), z.number()),
  signature: ModelSignature,
  lineage: Lineage,
  artifact: z.object({ uri: z.string(), sha256: z.string(), bytes: z.number().int() }),
  aliases: z.array(z.string()),
  createdAt: IsoTime,
});
export type ModelVersionResponse = z.infer<typeof ModelVersionResponse>;

export const ModelVersionDetail = ModelVersionResponse.extend({ baseline: ModelBaseline, evaluation: Evaluation });
export type ModelVersionDetail = z.infer<typeof ModelVersionDetail>;

export const ModelResponse = z.object({
  name: z.string(),
  description: z.string(),
  latestVersion: z.number().int().nullable(),
  aliases: z.record(z.string(), z.number().int()),
  createdAt: IsoTime,
});
export type ModelResponse = z.infer<typeof ModelResponse>;

export const SetAliasRequest = z.object({ version: VersionNumber });
export type SetAliasRequest = z.infer<typeof SetAliasRequest>;

export const AliasName = Name;

export const AliasResponse = z.object({
  model: z.string(),
  alias: z.string(),
  version: z.number().int(),
  previousVersion: z.number().int().nullable(),
  updatedAt: IsoTime,
});
export type AliasResponse = z.infer<typeof AliasResponse>;
