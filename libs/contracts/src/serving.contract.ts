import { z } from 'zod';

import { isName, isVersionNumber, Name, VersionNumber } from './common.contract';
import { Arm } from './deployment.contract';
import { everyValue, isPlainObject, onlyKeys } from './plain-values';

/** A model input value: numbers, or strings for categorical inputs; null = missing. */
export const InputValue = z.union([z.number(), z.string().max(200), z.null()]);
export type InputValue = z.infer<typeof InputValue>;

/** Rows one batch prediction may hold; more answers 413. */
export const MAX_BATCH_ROWS = 10_000;

/** entity name → key, e.g. { airport: "ORD" } */
const Entities = z.record(z.string(), z.string().min(1).max(200));
/** request-time features, e.g. { distance: 733, hour: 17, destination: "SFO" } */
const Features = z.record(z.string(), InputValue);

export const PredictRow = z.object({ entities: Entities.default({}), features: Features.default({}) });
export type PredictRow = z.infer<typeof PredictRow>;

export const PredictRequest = z
  .object({
    model: Name,
    /** serve the version behind this alias (default `production`) … */
    alias: Name.optional(),
    /** … or this exact version */
    version: VersionNumber.optional(),
    /** one prediction: its entity keys and request-time features … */
    entities: Entities.optional(),
    features: Features.optional(),
    /** … or many in one call: one Redis round trip and one ONNX Runtime run for all rows */
    rows: z.array(PredictRow).min(1).optional(),
  })
  .refine((r) => !(r.alias && r.version), { message: 'give an alias or a version, not both', path: ['alias'] })
  .refine((r) => !(r.rows && (r.entities || r.features)), { message: 'give "rows" or "entities"/"features", not both', path: ['rows'] })
  // the same two rules in the OpenAPI document
  .meta({ not: { anyOf: [{ required: ['alias', 'version'] }, { required: ['rows', 'entities'] }, { required: ['rows', 'features'] }] } });
export type PredictRequest = z.infer<typeof PredictRequest>;
export type PredictRequestInput = z.input<typeof PredictRequest>;

const PREDICT_REQUEST_KEYS = new Set(Object.keys(PredictRequest.shape));
const ROW_KEYS = new Set(Object.keys(PredictRow.shape));
const isEntityKey = (v: unknown) => typeof v === 'string' && v.length >= 1 && v.length <= 200;
const isInputValue = (v: unknown) => v === null || Number.isFinite(v) || (typeof v === 'string' && v.length <= 200);

/**
 * A quick test for predictions: true only for a request that `PredictRequest` takes as it is, so
 * the route may use it without running the schema (on a 1,000-row batch the schema took 2–7 ms;
 * on a single prediction it was ~3 % of a serving process's CPU under load). A batch's rows are
 * checked each with both `entities` and `features` (a row without one gets the schema's default:
 * left to the schema). False says nothing: the schema decides and explains.
 */
export function isPlainPredictRequest(value: unknown): value is PredictRequest {
  if (!isPlainObject(value) || !onlyKeys(value, PREDICT_REQUEST_KEYS)) return false;
  const { model, alias, version, entities, features, rows } = value;
  if (!isName(model) || (alias !== undefined && !isName(alias)) || (version !== undefined && !isVersionNumber(version))) return false;
  if (alias !== undefined && version !== undefined) return false;
  if (rows === undefined) {
    return (entities === undefined || everyValue(entities, isEntityKey)) && (features === undefined || everyValue(features, isInputValue));
  }
  if (!Array.isArray(rows) || rows.length === 0 || entities !== undefined || features !== undefined) return false;
  for (const row of rows) {
    if (!isPlainObject(row) || !onlyKeys(row, ROW_KEYS)) return false;
    if (!everyValue(row.entities, isEntityKey) || !everyValue(row.features, isInputValue)) return false;
  }
  return true;
}

const Prediction = z.object({
  predictionId: z.string().uuid(),
  /** P(positive) of a binary classifier, P(label) of a multi-class one, the value of a regressor */
  prediction: z.number(),
  /** a classifier's class: a number, or a string for models with string labels */
  label: z.union([z.number(), z.string()]).nullable(),
  /** multi-class classifiers, and binary ones whose classes are names: the probability of every class, by label */
  probabilities: z.record(z.string(), z.number()).optional(),
  /** the exact values given to the model, by input name */
  inputs: z.record(z.string(), InputValue),
  /** inputs that had no value (not in the online store, or not sent) and went in as missing */
  missing: z.array(z.string()),
  /**
   * partitioned models only: the partition whose model answered, or null when the global model
   * did (the row's value has no model of its own, or it had none)
   */
  partition: z.string().nullable().optional(),
  /** a batch whose rows the deployment split between its arms: the arm and the version that answered this row */
  arm: Arm.optional(),
  version: z.number().int().optional(),
});

const ServedBy = z.object({
  model: z.string(),
  version: z.number().int(),
  alias: z.string().nullable(),
  /** served through the primary alias of a model with a canary or shadow: which arm answered */
  arm: Arm.optional(),
});

export const PredictResponse = Prediction.extend(ServedBy.shape);
export type PredictResponse = z.infer<typeof PredictResponse>;

export const BatchPredictResponse = ServedBy.extend({ predictions: z.array(Prediction) });
export type BatchPredictResponse = z.infer<typeof BatchPredictResponse>;

export const LoadedModel = z.object({
  model: z.string(),
  version: z.number().int(),
  alias: z.string().nullable(),
  sha256: z.string(),
  loadedAt: z.string(),
  /** where runs happen: on the event loop (`inline`) or on worker threads (`pool`), chosen by `probeMs` */
  runner: z.enum(['inline', 'pool']),
  /** the fastest of several single-row runs, timed on a thread of its own when the version loaded */
  probeMs: z.number(),
});
export type LoadedModel = z.infer<typeof LoadedModel>;
