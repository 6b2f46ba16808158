import { z } from 'zod';

import { IsoTime, MAX_PARTITIONS, MissingFeaturePolicy, Name, VersionNumber } from './common.contract';

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

/** What a version predicts; Atelier's own trainers make all three (multi-class: GBDT and neural networks). */
export const ServingTask = z.enum(['binary_classification', 'multiclass_classification', 'regression']);
export type ServingTask = z.infer<typeof ServingTask>;

/** Element types serving can feed a graph input with. */
export const TensorElementType = z.enum(['float', 'double', 'int64', 'int32', 'bool', 'string']);
export type TensorElementType = z.infer<typeof TensorElementType>;

/**
 * One graph input filled from named model inputs, one column each in this order: a `[N, columns]`
 * tensor (rank 2) or, for a graph input of shape `[N]`, a rank-1 tensor of the one column.
 */
export const TensorFeed = z.object({
  name: z.string(),
  elementType: TensorElementType,
  columns: z.array(z.string()).min(1),
  rank: z.union([z.literal(1), z.literal(2)]).default(2),
});
export type TensorFeed = z.infer<typeof TensorFeed>;

/** A class label: a number (int64 labels) or a string. */
export const ClassLabel = z.union([z.number(), z.string()]);
export type ClassLabel = z.infer<typeof ClassLabel>;

/**
 * Which graph outputs hold what. `probabilities`: a `[N, classes]` tensor in `classes` order, or
 * `[N, 1]` P(positive) for Atelier's binary models; a ZipMap output (one map per row) is served
 * as the tensor the ZipMap reads. `value`: a regressor's prediction.
 */
export const OutputRoles = z.object({
  label: z.string().nullable(),
  probabilities: z.string().nullable(),
  value: z.string().nullable(),
  classes: z.array(ClassLabel).nullable(),
});
export type OutputRoles = z.infer<typeof OutputRoles>;

export const ModelSignature = z.object({
  /** every value the model needs, in evaluation order (transforms after what they read) */
  inputs: z.array(ModelInput),
  /** the ONNX graph's inputs (raw values: encoders of categorical inputs are inside the graph), a subset of `inputs` names */
  onnxInputs: z.array(z.string()),
  outputs: z.array(z.string()),
  task: ServingTask,
  /** how `inputs` fill the graph's inputs; absent: one `[N, 1]` float (or string) tensor per `onnxInputs` name */
  tensors: z.array(TensorFeed).optional(),
  /** absent: Atelier's own output names (`probability` + `label`, or `prediction`) */
  roles: OutputRoles.optional(),
  /**
   * When an online feature is missing (no row in the online store, or a null value):
   * `impute` answers with the model's own missing-value handling (the response lists what was
   * missing), `refuse` answers 424 MISSING_FEATURES instead of a prediction.
   */
  missingFeatures: MissingFeaturePolicy.default('impute'),
  /**
   * Partitioned models (one graph): the string input whose value picks a partition's model, and
   * the values that have one; any other value, or none, is answered by the global model.
   */
  partition: z.object({ column: z.string(), values: z.array(z.string()).min(1).max(MAX_PARTITIONS) }).optional(),
});
export type ModelSignature = z.infer<typeof ModelSignature>;

/** A graph input or output as the registry read it from the file. */
export const GraphValue = z.object({
  name: z.string(),
  /** as ONNX tools print it, e.g. `tensor(float)[?,30]`, `seq(map(int64,tensor(float)))` */
  type: z.string(),
  /** tensors: element type and dimensions (a number, a symbolic name, or null when unknown) */
  elementType: z.string().nullable(),
  shape: z.array(z.union([z.number(), z.string(), z.null()])).nullable(),
});
export type GraphValue = z.infer<typeof GraphValue>;

/** What the registry read from an ONNX file with the official schema when the version was registered. */
export const ModelGraph = z.object({
  irVersion: z.number().int(),
  producer: z.string(),
  /** opset version per domain ('' is ai.onnx) */
  opsets: z.record(z.string(), z.number().int()),
  inputs: z.array(GraphValue),
  outputs: z.array(GraphValue),
  /** `domain:opType` of every operator used */
  operators: z.array(z.string()),
  metadata: z.record(z.string(), z.string()),
  classLabels: z.array(ClassLabel).nullable(),
});
export type ModelGraph = z.infer<typeof ModelGraph>;

/**
 * A number of a version's metrics, baseline or evaluation: the registry keeps them in JSON columns,
 * which keep 16 significant digits, so a number within a rounding of the largest double would come
 * back past it (and be answered as null). Within ±1e308 nothing rounds that far.
 */
const StoredNumber = z.number().min(-1e308).max(1e308);

/** Order statistics a numeric input's baseline keeps for the two-sample drift statistics. */
export const BASELINE_SAMPLE_SIZE = 2000;
/** Categories a categorical input's baseline counts one by one. */
export const MAX_BASELINE_CATEGORIES = 100;
/** The baseline category that counts every category beyond the first MAX_BASELINE_CATEGORIES. */
export const OTHER_CATEGORY = '__other__';

export const FeatureBaseline = z.object({
  name: z.string(),
  count: StoredNumber,
  missing: StoredNumber,
  mean: StoredNumber.nullable(),
  std: StoredNumber.nullable(),
  min: StoredNumber.nullable(),
  max: StoredNumber.nullable(),
  quantiles: z.record(z.string(), StoredNumber),
  /** bin edges; the outermost are null for -∞ and +∞ (JSON has no infinities) */
  histogram: z.object({ edges: z.array(StoredNumber.nullable()), counts: z.array(StoredNumber) }),
  /**
   * numeric inputs: evenly spaced order statistics of the training values (all of them up to
   * the size), ascending — what KS and Wasserstein drift compare live values with
   */
  sample: z.array(StoredNumber).max(BASELINE_SAMPLE_SIZE).optional(),
  /** categorical (string) inputs: training rows per category, the rarest beyond the first 100 summed as `__other__` */
  categories: z
    .record(z.string(), StoredNumber)
    .refine((c) => Object.keys(c).length <= MAX_BASELINE_CATEGORIES + 1, { message: `at most ${MAX_BASELINE_CATEGORIES} categories and __other__` })
    .optional(),
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

/**
 * The multi-class part of an evaluation report; every list is in `classes` order. The predicted
 * class of a row is its most probable one (the first on ties), as the graph's `label` output.
 */
export const MulticlassEvaluation = z.object({
  classes: z.array(ClassLabel),
  /** `matrix[actual][predicted]` row counts */
  confusionMatrix: z.array(z.array(StoredNumber)),
  /** precision, recall and F1 of each class against the rest; 0 where undefined (sklearn's zero_division=0) */
  perClass: z.array(
    z.object({ label: ClassLabel, precision: StoredNumber, recall: StoredNumber, f1: StoredNumber, support: StoredNumber }),
  ),
  /** one-vs-rest ROC of each class, at most a few hundred points; `auc` null (and no points) for a class absent from the validation rows */
  roc: z.array(z.object({ label: ClassLabel, fpr: z.array(StoredNumber), tpr: z.array(StoredNumber), auc: StoredNumber.nullable() })),
});
export type MulticlassEvaluation = z.infer<typeof MulticlassEvaluation>;

/** The evaluation report of a version, computed on its validation slice. */
/** One partition of a partitioned model (the global model's row: `value` null, its rows everything). */
export const PartitionEvaluation = z.object({
  value: z.string().nullable(),
  trainRows: z.number().int(),
  validationRows: z.number().int(),
  /** the partition's model on its validation rows (for the global row: the global model on all of them) */
  metrics: z.record(z.string(), StoredNumber),
  /** the global model on the same rows: what the partition's own model is worth */
  globalMetrics: z.record(z.string(), StoredNumber),
});
export type PartitionEvaluation = z.infer<typeof PartitionEvaluation>;

export const Evaluation = z.object({
  /** ROC and precision–recall curves (binary classification), at most a few hundred points */
  roc: z.object({ fpr: z.array(StoredNumber), tpr: z.array(StoredNumber) }).nullable(),
  pr: z.object({ precision: z.array(StoredNumber), recall: z.array(StoredNumber) }).nullable(),
  /** reliability bins: mean predicted probability vs observed share of positives */
  calibration: z.array(z.object({ meanPredicted: StoredNumber, fractionPositive: StoredNumber, count: StoredNumber })).nullable(),
  confusionMatrix: z.object({ threshold: StoredNumber, tn: StoredNumber, fp: StoredNumber, fn: StoredNumber, tp: StoredNumber }).nullable(),
  /** regression: histogram of prediction − truth */
  residuals: z.object({ edges: z.array(StoredNumber), counts: z.array(StoredNumber) }).nullable(),
  /** larger = more important; `permutation`: drop of the validation metric when the feature is shuffled */
  featureImportance: z.array(
    z.object({ name: z.string(), importance: StoredNumber, std: StoredNumber.nullable(), kind: z.enum(['permutation', 'gain']) }),
  ),
  /**
   * average prediction over a grid of one feature's values, for the most important features;
   * multi-class models: `average` is empty and `byClass` has each class's mean probability
   */
  partialDependence: z.array(
    z.object({
      feature: z.string(),
      grid: z.array(StoredNumber),
      average: z.array(StoredNumber),
      byClass: z.array(z.object({ label: ClassLabel, average: z.array(StoredNumber) })).optional(),
    }),
  ),
  /** multi-class classification only; absent in reports stored before multi-class models existed */
  multiclass: MulticlassEvaluation.nullable().optional(),
  /** partitioned models: per partition, its model and the global one on the partition's validation rows */
  partitions: z.array(PartitionEvaluation).optional(),
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
  multiclass: null,
};

export const EMPTY_LINEAGE: Lineage = {
  trainingJobId: null,
  source: null,
  features: [],
  window: null,
  params: {},
  trainRows: null,
  validationRows: null,
  backend: null,
};

/** Column names of multi-column graph inputs, by input name, e.g. `{ "X": ["sepal_length", …] }`. */
export const ColumnNames = z.record(z.string(), z.array(z.string().min(1).max(128)).min(1).max(10_000));
export type ColumnNames = z.infer<typeof ColumnNames>;

export const CreateModelVersionRequest = z.object({
  /** what made the model, e.g. `gbdt`, `sklearn`; uploads default to `onnx` */
  modelType: z.string().min(1).max(64).default('onnx'),
  description: z.string().max(500).default(''),
  metrics: z.record(z.string(), StoredNumber).default({}),
  /**
   * How serving fills the graph's inputs and reads its outputs. Absent: read from the graph —
   * every input value is sent with the request, named after the graph input (or, for a
   * multi-column input, after `columns`, else `<input>_0`, `<input>_1`, …).
   */
  signature: ModelSignature.optional(),
  columns: ColumnNames.optional(),
  baseline: ModelBaseline.default({ features: [], prediction: null }),
  lineage: Lineage.default(EMPTY_LINEAGE),
  evaluation: Evaluation.default(EMPTY_EVALUATION),
  /** the ONNX model, base64 (or upload the file as multipart/form-data to `…/versions/upload`) */
  artifactBase64: z.string().min(1),
  /**
   * Registering again with the same key returns the version registered the first time instead of
   * adding one (training uses its job id, so a retried job never registers twice).
   */
  idempotencyKey: z.string().min(1).max(200).optional(),
});
export type CreateModelVersionRequest = z.infer<typeof CreateModelVersionRequest>;
export type CreateModelVersionRequestInput = z.input<typeof CreateModelVersionRequest>;

/** A form field holding JSON, parsed with `schema`. */
export function jsonField<T extends z.ZodType>(schema: T) {
  return z
    .string()
    .transform((text, context) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        context.addIssue({ code: 'custom', message: 'must be JSON' });
        return z.NEVER;
      }
    })
    .pipe(schema);
}

/**
 * The text fields sent with an uploaded `.onnx` file (multipart/form-data, file part `file`):
 * `signature` and `columns` as JSON, the rest as in `CreateModelVersionRequest`.
 */
export const UploadModelVersionForm = z
  .object({
    modelType: z.string().min(1).max(64).default('onnx'),
    description: z.string().max(500).default(''),
    signature: jsonField(ModelSignature).optional().meta({ description: 'JSON: a ModelSignature' }),
    columns: jsonField(ColumnNames).optional().meta({ description: 'JSON: column names of multi-column inputs, e.g. {"X": ["a", "b"]}' }),
    idempotencyKey: z.string().min(1).max(200).optional(),
  })
  // an upload carries no training metrics, baseline or lineage
  .transform((form): NewModelVersion => ({
    ...form,
    metrics: {},
    baseline: { features: [], prediction: null },
    lineage: EMPTY_LINEAGE,
    evaluation: EMPTY_EVALUATION,
  }));

/** A version to register: everything but the artifact's bytes. */
export type NewModelVersion = Omit<CreateModelVersionRequest, 'artifactBase64'>;

export const ModelVersionResponse = z.object({
  model: z.string(),
  version: z.number().int(),
  description: z.string(),
  modelType: z.string(),
  metrics: z.record(z.string(), z.number()),
  signature: ModelSignature,
  lineage: Lineage,
  artifact: z.object({ uri: z.string(), sha256: z.string(), bytes: z.number().int() }),
  /** null for versions registered before the registry read graphs */
  graph: ModelGraph.nullable(),
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

/** The graph feeds of a signature: its `tensors`, or one `[N, 1]` tensor per `onnxInputs` name. */
export function tensorFeedsOf(signature: ModelSignature): TensorFeed[] {
  if (signature.tensors) return signature.tensors;
  const strings = new Set(signature.inputs.filter((i) => i.source === 'request' && i.dtype === 'string').map((i) => i.name));
  return signature.onnxInputs.map((name) => ({ name, elementType: strings.has(name) ? 'string' : 'float', columns: [name], rank: 2 }));
}

/** The output roles of a signature: its `roles`, or Atelier's own output names. */
export function outputRolesOf(signature: ModelSignature): OutputRoles {
  if (signature.roles) return signature.roles;
  switch (signature.task) {
    case 'regression':
      return { label: null, probabilities: null, value: 'prediction', classes: null };
    case 'multiclass_classification':
      // classes unknown here: serving numbers them by column
      return { label: 'label', probabilities: 'probabilities', value: null, classes: null };
    case 'binary_classification':
      return { label: 'label', probabilities: 'probability', value: null, classes: [0, 1] };
  }
}
