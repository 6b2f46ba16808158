import { z } from 'zod';

import { IsoTime, Name, VersionNumber } from './common.contract';
import { FeatureRef } from './feature-store.contract';
import { ClassLabel, jsonField } from './registry.contract';

/**
 * A batch (offline) scoring job: a model version scores the rows of a feature group within a time
 * window, with the model's online features joined point-in-time as of each row's event time,
 * exactly as a training set joins them. The window is cut into shards of about `shardRows` rows,
 * each scored by one job of the batch queue.
 */
export const BatchJobStatus = z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']);
export type BatchJobStatus = z.infer<typeof BatchJobStatus>;

export const BatchSource = z.object({
  /** the feature group whose rows are scored: one prediction per row in [start, end) */
  group: Name,
  start: IsoTime,
  end: IsoTime,
});
export type BatchSource = z.infer<typeof BatchSource>;

/** An uploaded file scored instead of a group's window: CSV with a header row, Parquet, or JSON Lines. */
export const FileSource = z.object({
  file: z.string(),
  format: z.enum(['csv', 'parquet', 'jsonl']),
  rows: z.number().int(),
  /** the column of each row's time: the model's online features are joined as of it */
  timeColumn: z.string().nullable(),
});
export type FileSource = z.infer<typeof FileSource>;

export const CreateBatchJobRequest = z.object({
  model: Name,
  /** the alias scored, resolved to its version when the job is created; default `production` */
  alias: Name.optional(),
  /** a version scored as asked (it wins over `alias`, as in a prediction request) */
  version: VersionNumber.optional(),
  source: BatchSource,
  /**
   * Entity name → source column holding its key, for each entity the model's online features
   * are keyed by. Default: the mapping the version was trained with, else a column named as
   * the entity.
   */
  joinKeys: z.record(Name, z.string().min(1).max(128)).optional(),
  /** source columns copied beside each prediction in the output (e.g. an id) */
  passthrough: z.array(z.string().min(1).max(128)).max(50).default([]),
  /** about this many rows per shard */
  shardRows: z.number().int().min(100).max(1_000_000).default(50_000),
  /** also publish every prediction to the prediction log, so monitoring sees them */
  publish: z.boolean().default(false),
});
export type CreateBatchJobRequest = z.infer<typeof CreateBatchJobRequest>;
export type CreateBatchJobRequestInput = z.input<typeof CreateBatchJobRequest>;

/**
 * The text fields sent with a file to score (`POST /api/batch-jobs/upload`). Each of the model's
 * request values is a column of the file; each online feature is either a column named after the
 * model input, or joined from the offline store as of the row's `timeColumn` by the entity key
 * column (`joinKeys`, as for a group's window).
 */
export const UploadBatchJobForm = z.object({
  model: Name,
  alias: Name.optional(),
  version: z.coerce.number().int().min(1).max(2_147_483_647).optional(),
  timeColumn: z.string().min(1).max(128).optional(),
  joinKeys: jsonField(z.record(Name, z.string().min(1).max(128)))
    .optional()
    .meta({ description: 'JSON: entity name → column of the file holding its key' }),
  passthrough: jsonField(z.array(z.string().min(1).max(128)).max(50))
    .optional()
    .meta({ description: 'JSON: columns of the file copied beside each prediction' }),
  shardRows: z.coerce.number().int().min(100).max(1_000_000).default(50_000),
  publish: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
});
export type UploadBatchJobForm = z.infer<typeof UploadBatchJobForm>;

export const BatchJobResponse = z.object({
  id: z.string(),
  model: z.string(),
  version: z.number().int(),
  /** the alias the job was asked for (resolved to `version` when created), or null */
  alias: z.string().nullable(),
  status: BatchJobStatus,
  source: z.union([BatchSource, FileSource]),
  joinKeys: z.record(z.string(), z.string()),
  passthrough: z.array(z.string()),
  publish: z.boolean(),
  shards: z.object({ total: z.number().int(), done: z.number().int() }),
  /** rows in the window when the job was planned, and rows scored so far */
  rows: z.object({ total: z.number().int(), scored: z.number().int() }),
  error: z.string().nullable(),
  createdAt: IsoTime,
  startedAt: IsoTime.nullable(),
  finishedAt: IsoTime.nullable(),
  /** where the Parquet file of the predictions is downloaded, once the job succeeded */
  outputUrl: z.string().nullable(),
});
export type BatchJobResponse = z.infer<typeof BatchJobResponse>;

export const ListBatchJobsQuery = z.object({
  model: Name.optional(),
  status: BatchJobStatus.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type ListBatchJobsQuery = z.infer<typeof ListBatchJobsQuery>;

/** One scored row, as stored and as the output file holds it. */
export const BatchPrediction = z.object({
  predictionId: z.string(),
  /** the row's place in its shard's event-time order */
  shard: z.number().int(),
  row: z.number().int(),
  eventTime: IsoTime,
  entities: z.record(z.string(), z.string()),
  prediction: z.number().nullable(),
  label: ClassLabel.nullable(),
  probabilities: z.record(z.string(), z.number()).nullable(),
  /** inputs that had no value; null `prediction`: the model refuses to predict without them */
  missing: z.array(z.string()),
  /** the `passthrough` columns of the source row */
  columns: z.record(z.string(), z.union([z.number(), z.string(), z.null()])),
});
export type BatchPrediction = z.infer<typeof BatchPrediction>;

export const BatchPredictionsQuery = z.object({
  offset: z.coerce.number().int().min(0).max(100_000_000).default(0),
  limit: z.coerce.number().int().min(1).max(10_000).default(100),
});
export type BatchPredictionsQuery = z.infer<typeof BatchPredictionsQuery>;

export const BatchPredictionsPage = z.object({
  jobId: z.string(),
  model: z.string(),
  version: z.number().int(),
  alias: z.string().nullable(),
  total: z.number().int(),
  offset: z.number().int(),
  predictions: z.array(BatchPrediction),
});
export type BatchPredictionsPage = z.infer<typeof BatchPredictionsPage>;

/** The payload of one job of the batch queue. */
export const BatchShardPayload = z.object({ jobId: z.string(), shard: z.number().int().min(0) });
export type BatchShardPayload = z.infer<typeof BatchShardPayload>;

/** How the feature store cuts a window of a group's rows into parts of about `rowsPerPart` rows. */
export const RowPartitionRequest = z.object({
  start: IsoTime,
  end: IsoTime,
  rowsPerPart: z.number().int().min(1).max(5_000_000),
});
export type RowPartitionRequest = z.infer<typeof RowPartitionRequest>;

/** Consecutive [start, end) parts covering the window; rows with one event time stay in one part. */
export const RowPartitionResponse = z.object({
  group: z.string(),
  rows: z.number().int(),
  parts: z.array(z.object({ start: IsoTime, end: IsoTime, rows: z.number().int() })),
});
export type RowPartitionResponse = z.infer<typeof RowPartitionResponse>;

/** Online features as of given instants, from the offline store: what a file's rows are joined with. */
export const FeatureLookupRequest = z
  .object({
    features: z.array(FeatureRef).min(1).max(500),
    /** entity name → one key per row (null: the row has none) */
    entities: z.record(Name, z.array(z.string().max(256).nullable()).max(1_000_000)),
    /** one instant per row */
    times: z.array(IsoTime).max(1_000_000),
  })
  .refine((r) => Object.values(r.entities).every((keys) => keys.length === r.times.length), {
    message: 'every entity gives one key per time',
    path: ['entities'],
  });
export type FeatureLookupRequest = z.infer<typeof FeatureLookupRequest>;

/** Per feature ref, one value per row: the newest within the group's TTL at or before the row's time. */
export const FeatureLookupResponse = z.object({
  rowCount: z.number().int(),
  columns: z.record(z.string(), z.array(z.union([z.number(), z.string(), z.null()]))),
});
export type FeatureLookupResponse = z.infer<typeof FeatureLookupResponse>;
