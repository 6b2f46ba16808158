import { z } from 'zod';

import { IsoTime } from './common.contract';
import { DeploymentChangedEvent } from './deployment.contract';
import { everyValue, isPlainObject, onlyKeys } from './plain-values';

/**
 * Kafka topics. Names carry the event schema's major version; the deployment's namespace
 * (`ATELIER_NAMESPACE`, default `atelier`) is put in front: `atelier.predictions.v2`.
 */
export const Topics = {
  /**
   * a message is a JSON array of `PredictionEvent`s (the prediction log packs up to 100 per
   * message since v2); consumers read a message holding one event object too
   */
  predictions: 'predictions.v2',
  outcomes: 'outcomes.v1',
  modelEvents: 'model-events.v1',
  alerts: 'alerts.v1',
  featureRows: 'feature-rows.v1',
  /** messages a consumer could not use (a broken contract, values its store refuses), with the reason */
  deadLetters: 'dead-letters.v1',
} as const;
export type TopicKey = keyof typeof Topics;

export function topicName(namespace: string, key: TopicKey): string {
  return `${namespace}.${Topics[key]}`;
}

export const PredictionEvent = z.object({
  type: z.literal('prediction'),
  schemaVersion: z.literal(1),
  predictionId: z.string().uuid(),
  model: z.string(),
  version: z.number().int(),
  alias: z.string().nullable(),
  prediction: z.number(),
  /** multi-class classifiers: the predicted class and each class's probability, by class */
  label: z.union([z.number(), z.string()]).nullable().optional(),
  probabilities: z.record(z.string(), z.number()).optional(),
  inputs: z.record(z.string(), z.union([z.number(), z.string(), z.null()])),
  entities: z.record(z.string(), z.string()),
  at: IsoTime,
  /** a model with a canary or shadow: which arm made it (a shadow's answer was never returned) */
  arm: z.enum(['primary', 'canary', 'shadow']).optional(),
  /** a shadow's prediction: the id of the answered prediction it mirrors */
  shadowOf: z.string().uuid().optional(),
  /** time from the request's arrival to its scores, in ms */
  latencyMs: z.number().min(0).optional(),
});
export type PredictionEvent = z.infer<typeof PredictionEvent>;

const PREDICTION_EVENT_KEYS = new Set(Object.keys(PredictionEvent.shape));
const UUID = z.regexes.uuid();
const ARMS = new Set<unknown>(PredictionEvent.shape.arm.unwrap().options);

/** The last time `isIsoTime` took: the events of one batch predict, and those of one millisecond, share theirs. */
let lastIsoTime = '';

/** What `IsoTime` takes, the same text as the last one not checked again. */
function isIsoTime(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  if (value === lastIsoTime) return true;
  if (!IsoTime.safeParse(value).success) return false;
  lastIsoTime = value;
  return true;
}

/**
 * A quick test for monitoring's hot path, which reads every logged prediction: true only for a
 * value `PredictionEvent` takes as it is — its fields with their types and formats, no other
 * keys — so a consumer may use such a value without running the schema (about a tenth of its
 * cost). False says nothing: the schema decides, and explains a refusal.
 */
export function isPlainPredictionEvent(value: unknown): value is PredictionEvent {
  if (!isPlainObject(value) || !onlyKeys(value, PREDICTION_EVENT_KEYS)) return false;
  const e = value as Record<string, unknown>;
  return (
    e.type === 'prediction' &&
    e.schemaVersion === 1 &&
    typeof e.predictionId === 'string' &&
    UUID.test(e.predictionId) &&
    typeof e.model === 'string' &&
    Number.isSafeInteger(e.version) &&
    (e.alias === null || typeof e.alias === 'string') &&
    Number.isFinite(e.prediction) &&
    (e.label === undefined || e.label === null || typeof e.label === 'string' || Number.isFinite(e.label)) &&
    (e.probabilities === undefined || everyValue(e.probabilities, (v) => Number.isFinite(v))) &&
    everyValue(e.inputs, (v) => v === null || typeof v === 'string' || Number.isFinite(v)) &&
    everyValue(e.entities, (v) => typeof v === 'string') &&
    isIsoTime(e.at) &&
    (e.arm === undefined || ARMS.has(e.arm)) &&
    (e.shadowOf === undefined || (typeof e.shadowOf === 'string' && UUID.test(e.shadowOf))) &&
    (e.latencyMs === undefined || (Number.isFinite(e.latencyMs) && (e.latencyMs as number) >= 0))
  );
}

export const OutcomeEvent = z.object({
  type: z.literal('outcome'),
  schemaVersion: z.literal(1),
  predictionId: z.string().uuid(),
  /** a number (0/1, class index or target), or the class name of a classifier whose classes are strings */
  value: z.union([z.number(), z.string()]),
  at: IsoTime,
});
export type OutcomeEvent = z.infer<typeof OutcomeEvent>;

export const AliasMovedEvent = z.object({
  type: z.literal('alias-moved'),
  schemaVersion: z.literal(1),
  model: z.string(),
  alias: z.string(),
  version: z.number().int(),
  previousVersion: z.number().int().nullable(),
  at: IsoTime,
});
export type AliasMovedEvent = z.infer<typeof AliasMovedEvent>;

export const VersionRegisteredEvent = z.object({
  type: z.literal('version-registered'),
  schemaVersion: z.literal(1),
  model: z.string(),
  version: z.number().int(),
  sha256: z.string(),
  at: IsoTime,
});
export type VersionRegisteredEvent = z.infer<typeof VersionRegisteredEvent>;

/** An alias was removed: requests by that alias fail from now on (the version itself stays). */
export const AliasRemovedEvent = z.object({
  type: z.literal('alias-removed'),
  schemaVersion: z.literal(1),
  model: z.string(),
  alias: z.string(),
  /** the version it pointed at */
  previousVersion: z.number().int(),
  at: IsoTime,
});
export type AliasRemovedEvent = z.infer<typeof AliasRemovedEvent>;

export const ModelEvent = z.discriminatedUnion('type', [
  AliasMovedEvent,
  AliasRemovedEvent,
  VersionRegisteredEvent,
  DeploymentChangedEvent,
]);
export type ModelEvent = z.infer<typeof ModelEvent>;

export const AlertEvent = z.object({
  type: z.enum(['alert-opened', 'alert-resolved']),
  schemaVersion: z.literal(1),
  alertId: z.string().uuid(),
  monitorId: z.string().uuid(),
  model: z.string(),
  metric: z.string(),
  value: z.number(),
  threshold: z.number(),
  message: z.string(),
  at: IsoTime,
});
export type AlertEvent = z.infer<typeof AlertEvent>;

/** Streaming ingestion: one feature row per message on `<namespace>.feature-rows.v1`. */
export const FeatureRowEvent = z.object({
  type: z.literal('feature-row'),
  schemaVersion: z.literal(1),
  group: z.string(),
  entityKey: z.string(),
  eventTime: IsoTime,
  values: z.record(z.string(), z.union([z.number(), z.string(), z.boolean(), z.null()])),
});
export type FeatureRowEvent = z.infer<typeof FeatureRowEvent>;

/** How far a consumer group is behind on its topics, per partition (offsets as the broker has them). */
export const ConsumerLagResponse = z.object({
  /** the consumer group's id on the broker */
  group: z.string(),
  /** messages not yet handled, over every partition */
  lag: z.number().int().min(0),
  partitions: z.array(
    z.object({
      topic: z.string(),
      partition: z.number().int().min(0),
      /** the group's committed offset; null before it committed any */
      committed: z.number().int().nullable(),
      /** the partition's end (the offset the next message will get) */
      end: z.number().int().min(0),
      lag: z.number().int().min(0),
    }),
  ),
});
export type ConsumerLagResponse = z.infer<typeof ConsumerLagResponse>;
