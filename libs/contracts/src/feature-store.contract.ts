import { z } from 'zod';

import { IsoTime, Name } from './common.contract';

export const CreateEntityRequest = z.object({
  name: Name,
  joinKey: Name.describe('the key column that identifies an instance, e.g. "airport"'),
  description: z.string().max(500).default(''),
});
export type CreateEntityRequest = z.infer<typeof CreateEntityRequest>;

export const EntityResponse = CreateEntityRequest.extend({ createdAt: IsoTime });
export type EntityResponse = z.infer<typeof EntityResponse>;

export const FeatureDtype = z.enum(['float', 'int', 'bool', 'string']);
export type FeatureDtype = z.infer<typeof FeatureDtype>;

export const FeatureDefinition = z.object({
  name: Name,
  dtype: FeatureDtype,
  description: z.string().max(500).default(''),
});
export type FeatureDefinition = z.infer<typeof FeatureDefinition>;

export const AggregationFn = z.enum(['count', 'sum', 'mean', 'min', 'max']);
export type AggregationFn = z.infer<typeof AggregationFn>;

/**
 * `sliding`: at event time t, the source rows with t − seconds < time ≤ t. `tumbling`: the rows of
 * t's bucket so far, floor(t / seconds)·seconds ≤ time ≤ t (buckets counted from the Unix epoch, UTC).
 */
export const WindowKind = z.enum(['sliding', 'tumbling']);
export type WindowKind = z.infer<typeof WindowKind>;

/** One window feature of an aggregation group: `fn` of a source column over a window ending at each event time. */
export const AggregationWindow = z
  .object({
    name: Name.describe('the feature it gives'),
    fn: AggregationFn,
    /** a numeric (float or int) column of the source rows; null values are skipped. Required except for `count`, which without it counts rows */
    column: Name.optional(),
    seconds: z
      .number()
      .int()
      .positive()
      .max(366 * 24 * 3600)
      .describe('the window length'),
    kind: WindowKind.default('sliding'),
    description: z.string().max(500).default(''),
  })
  .refine((w) => w.fn === 'count' || w.column !== undefined, { message: 'a window other than count needs a column', path: ['column'] });
export type AggregationWindow = z.infer<typeof AggregationWindow>;

/**
 * A group computed from another group's rows: per value of `keyColumn` (this group's entity key),
 * each window's aggregate at every event time of the source's rows with that key — from the
 * stream as rows land in the source, and over its offline rows by a backfill; the same values
 * either way.
 */
export const FeatureAggregation = z.object({
  /** the feature group whose rows are aggregated (not itself an aggregation) */
  source: Name,
  /** the source column (string or int) whose value is this group's entity key, e.g. "origin" */
  keyColumn: Name,
  windows: z.array(AggregationWindow).min(1).max(100),
});
export type FeatureAggregation = z.infer<typeof FeatureAggregation>;

export const CreateFeatureGroupRequest = z
  .object({
    name: Name,
    entity: Name,
    /** the group's features; an aggregation group's come from its windows (count: int, the others: float) */
    features: z.array(FeatureDefinition).max(500).default([]),
    ttlSeconds: z
      .number()
      .int()
      .positive()
      .max(10 * 365 * 24 * 3600)
      .optional()
      .describe(
        'a value older than this is treated as missing, offline (point-in-time) and online (Redis TTL); default 7 days, or the longest window of an aggregation',
      ),
    description: z.string().max(500).default(''),
    aggregation: FeatureAggregation.optional(),
  })
  .refine((g) => (g.aggregation ? g.features.length === 0 : g.features.length > 0), {
    message: 'give features, or an aggregation (whose windows are the features), not both',
    path: ['features'],
  })
  .refine((g) => new Set(g.features.map((f) => f.name)).size === g.features.length, {
    message: 'feature names must be unique within a group',
    path: ['features'],
  })
  .refine((g) => !g.aggregation || new Set(g.aggregation.windows.map((w) => w.name)).size === g.aggregation.windows.length, {
    message: 'window names must be unique within an aggregation',
    path: ['aggregation', 'windows'],
  })
  // the first refinement as the OpenAPI document states it: features, or an aggregation and none
  .meta({
    anyOf: [
      { required: ['aggregation'], properties: { features: { maxItems: 0 } } },
      { not: { required: ['aggregation'] }, required: ['features'], properties: { features: { minItems: 1 } } },
    ],
  });
export type CreateFeatureGroupRequest = z.infer<typeof CreateFeatureGroupRequest>;
export type CreateFeatureGroupRequestInput = z.input<typeof CreateFeatureGroupRequest>;

export const FeatureGroupResponse = z.object({
  name: z.string(),
  entity: z.string(),
  features: z.array(FeatureDefinition),
  ttlSeconds: z.number().int(),
  description: z.string(),
  version: z.number().int(),
  rowCount: z.number().int(),
  createdAt: IsoTime,
  /** how the group is computed from another's rows; null for a group of ingested rows */
  aggregation: FeatureAggregation.nullable(),
});
export type FeatureGroupResponse = z.infer<typeof FeatureGroupResponse>;

/** One feature of a group over its offline rows. */
export const FeatureStats = z.object({
  name: z.string(),
  dtype: FeatureDtype,
  /** rows with a value */
  count: z.number().int(),
  /** share of the group's rows without one */
  missingShare: z.number().nullable(),
  /** numeric and bool features (bool: the share of true) */
  mean: z.number().nullable(),
  min: z.number().nullable(),
  max: z.number().nullable(),
  /** string features: distinct values */
  distinct: z.number().int().nullable(),
});
export type FeatureStats = z.infer<typeof FeatureStats>;

/** A feature group's offline rows described: size, freshness and every feature's statistics. */
export const FeatureGroupStatsResponse = z.object({
  group: z.string(),
  rows: z.number().int(),
  entities: z.number().int(),
  /** event times of the oldest and newest rows; null without rows */
  oldestEventTime: IsoTime.nullable(),
  newestEventTime: IsoTime.nullable(),
  /** when a row was last ingested */
  lastIngestedAt: IsoTime.nullable(),
  /** the newest materialization to the online store that wrote something: its instant and when it finished */
  lastMaterialization: z.object({ asOf: IsoTime, finishedAt: IsoTime.nullable(), entityCount: z.number().int() }).nullable(),
  features: z.array(FeatureStats),
});
export type FeatureGroupStatsResponse = z.infer<typeof FeatureGroupStatsResponse>;

export const FeatureValue = z.union([z.number(), z.string(), z.boolean(), z.null()]);
export type FeatureValue = z.infer<typeof FeatureValue>;

export const FeatureRowInput = z.object({
  entityKey: z.string().min(1).max(200),
  eventTime: IsoTime,
  values: z.record(z.string(), FeatureValue),
});
export type FeatureRowInput = z.infer<typeof FeatureRowInput>;

export const IngestRowsRequest = z.object({
  rows: z.array(FeatureRowInput).min(1).max(50_000),
  /** Also write the newest value per entity to the online store right away. */
  writeOnline: z.boolean().default(false),
});
export type IngestRowsRequest = z.infer<typeof IngestRowsRequest>;

/**
 * The text fields sent with a file of rows to import (`POST /api/feature-groups/{name}/rows/upload`):
 * CSV with a header row, Parquet or JSON Lines; a column per feature of the group (others are
 * ignored), one for the entity key and one for the event time.
 */
export const ImportRowsForm = z.object({
  /** the column holding each row's entity key; default: the entity's join key (e.g. `airport`) */
  entityColumn: z.string().min(1).max(128).optional(),
  /** the column holding each row's event time: ISO 8601 or epoch milliseconds */
  timeColumn: z.string().min(1).max(128),
  writeOnline: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
});
export type ImportRowsForm = z.infer<typeof ImportRowsForm>;

/**
 * `accepted` rows of the request, of which `inserted` were new and `replaced` gave an entity and
 * event time already stored (or repeated in the batch) its values again: ingestion is idempotent.
 */
export const IngestRowsResponse = z.object({ group: z.string(), accepted: z.number().int(), inserted: z.number().int(), replaced: z.number().int() });
export type IngestRowsResponse = z.infer<typeof IngestRowsResponse>;

/**
 * Computes an aggregation group's rows from its source's offline rows: those with event times in
 * [start, end) (default: all), each window over the source rows before it (also before `start`).
 */
export const BackfillRequest = z.object({ start: IsoTime.optional(), end: IsoTime.optional() });
export type BackfillRequest = z.infer<typeof BackfillRequest>;

/** What a backfill did: keys and event times computed, offline rows written (new or changed), entities written online. */
export const BackfillResponse = z.object({
  group: z.string(),
  source: z.string(),
  keys: z.number().int(),
  /** the (key, event time) values computed */
  computed: z.number().int(),
  /** offline rows inserted or changed (a value computed again as stored is left alone) */
  written: z.number().int(),
  /** entities whose newest value went to the online store (not older than the TTL, nor than what it held) */
  online: z.number().int(),
});
export type BackfillResponse = z.infer<typeof BackfillResponse>;

export const MaterializeRequest = z.object({
  /** Only rows with event time at or before this instant are considered (default: now). */
  asOf: IsoTime.optional(),
});
export type MaterializeRequest = z.infer<typeof MaterializeRequest>;

export const MaterializationStatus = z.enum(['queued', 'running', 'succeeded', 'failed']);
export const MaterializationResponse = z.object({
  id: z.string(),
  group: z.string(),
  status: MaterializationStatus,
  entityCount: z.number().int(),
  error: z.string().nullable(),
  /** the instant materialized: each entity's newest row within the TTL before it */
  asOf: IsoTime.nullable(),
  /** what the run did, or why it wrote nothing (e.g. every row older than the TTL at asOf) */
  message: z.string().nullable(),
  createdAt: IsoTime,
  finishedAt: IsoTime.nullable(),
});
export type MaterializationResponse = z.infer<typeof MaterializationResponse>;

/** A feature reference `group:feature`. */
export const FeatureRef = z.string().regex(/^[a-z][a-z0-9_-]*:[a-z][a-z0-9_-]*$/, 'a feature reference is "group:feature"');
export type FeatureRef = z.infer<typeof FeatureRef>;

export const OnlineFeaturesRequest = z.object({
  features: z.array(FeatureRef).min(1).max(500),
  /** entity name → keys, e.g. { airport: ["ORD", "SFO"] } */
  entities: z.record(z.string(), z.array(z.string().min(1)).min(1).max(1000)),
});
export type OnlineFeaturesRequest = z.infer<typeof OnlineFeaturesRequest>;

export const OnlineFeaturesResponse = z.object({
  /** one object per requested key, in request order: feature ref → value (null when missing or expired) */
  rows: z.array(
    z.object({
      entityKey: z.string(),
      values: z.record(z.string(), FeatureValue),
      eventTimes: z.record(z.string(), IsoTime.nullable()),
    }),
  ),
});
export type OnlineFeaturesResponse = z.infer<typeof OnlineFeaturesResponse>;

/** Feast feature-server shape: POST /get-online-features */
export const FeastOnlineFeaturesRequest = z.object({
  features: z.array(FeatureRef).min(1),
  entities: z.record(z.string(), z.array(z.union([z.string(), z.number()])).min(1)),
  full_feature_names: z.boolean().optional(),
});
export type FeastOnlineFeaturesRequest = z.infer<typeof FeastOnlineFeaturesRequest>;

export const FeastOnlineFeaturesResponse = z.object({
  metadata: z.object({ feature_names: z.array(z.string()) }),
  results: z.array(
    z.object({
      values: z.array(FeatureValue),
      statuses: z.array(z.enum(['PRESENT', 'NOT_FOUND', 'OUTSIDE_MAX_AGE'])),
      event_timestamps: z.array(z.string()),
    }),
  ),
});
export type FeastOnlineFeaturesResponse = z.infer<typeof FeastOnlineFeaturesResponse>;

/**
 * A point-in-time correct training set. Label rows are the offline rows of `source.group`
 * within [start, end); each `features` ref is joined on `joinKeys` as of the label row's time.
 */
export const TrainingSetRequest = z.object({
  source: z.object({ group: Name, start: IsoTime, end: IsoTime }),
  /** entity name of a joined group → column of the source rows holding its key */
  joinKeys: z.record(z.string(), z.string()),
  features: z.array(FeatureRef).max(500),
  /** columns of the source rows passed through as-is (request-time features, label inputs) */
  columns: z.array(z.string()).max(500),
  limit: z.number().int().positive().max(5_000_000).optional(),
  /** at most this many label rows, spread evenly over the window (every k-th in event-time order) */
  sample: z.number().int().positive().max(100_000).optional(),
});
export type TrainingSetRequest = z.infer<typeof TrainingSetRequest>;

/** Columnar: every array has `rowCount` entries; times are epoch milliseconds. */
export const TrainingSetResponse = z.object({
  rowCount: z.number().int(),
  eventTimes: z.array(z.number()),
  columns: z.record(z.string(), z.array(z.union([z.number(), z.string(), z.null()]))),
  /** per joined feature ref: the event time of the value used (null when none qualified) */
  featureTimes: z.record(z.string(), z.array(z.number().nullable())),
  /** with `sample`: the rows of the source group in the window, before sampling */
  sourceRows: z.number().int().optional(),
});
export type TrainingSetResponse = z.infer<typeof TrainingSetResponse>;
