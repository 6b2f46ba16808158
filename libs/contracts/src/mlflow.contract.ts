import { z } from 'zod';

import { AliasName } from './registry.contract';

/*
 * The MLflow Model Registry REST API (`/api/2.0/mlflow/…`), as MLflow's own client speaks it
 * (mlflow/protos/model_registry.proto, mlflow/server/handlers.py): snake_case fields, versions as
 * strings, times in milliseconds since the epoch. GET requests carry their fields in the query
 * string, every other method in a JSON body (DELETE included).
 */

/** The error codes these routes answer with (MLflow's `databricks.ErrorCode` names). */
export const MlflowErrorCode = z.enum([
  'INVALID_PARAMETER_VALUE',
  'UNAUTHENTICATED',
  'PERMISSION_DENIED',
  'RESOURCE_DOES_NOT_EXIST',
  'RESOURCE_CONFLICT',
  'ENDPOINT_NOT_FOUND',
  'NOT_IMPLEMENTED',
  'REQUEST_LIMIT_EXCEEDED',
  'TEMPORARILY_UNAVAILABLE',
  'INTERNAL_ERROR',
]);
export type MlflowErrorCode = z.infer<typeof MlflowErrorCode>;

/** MLflow's error body: its client reads `error_code` and shows `message`. */
export const MlflowErrorBody = z.object({ error_code: MlflowErrorCode, message: z.string() });
export type MlflowErrorBody = z.infer<typeof MlflowErrorBody>;

// ───────────────────────────── entities ─────────────────────────────

export const MlflowTag = z.object({ key: z.string(), value: z.string() });
export type MlflowTag = z.infer<typeof MlflowTag>;

export const MlflowModelVersion = z.object({
  name: z.string(),
  version: z.string(),
  creation_timestamp: z.number().int(),
  last_updated_timestamp: z.number().int(),
  /** Atelier has aliases, not stages: always `None` */
  current_stage: z.literal('None'),
  description: z.string(),
  /** the artifact's URI in Atelier's artifact store */
  source: z.string(),
  /** Atelier versions come from training jobs, not MLflow runs: always empty */
  run_id: z.literal(''),
  status: z.literal('READY'),
  tags: z.array(MlflowTag),
  aliases: z.array(z.string()),
});
export type MlflowModelVersion = z.infer<typeof MlflowModelVersion>;

export const MlflowRegisteredModelAlias = z.object({ alias: z.string(), version: z.string() });

export const MlflowRegisteredModel = z.object({
  name: z.string(),
  creation_timestamp: z.number().int(),
  last_updated_timestamp: z.number().int(),
  description: z.string(),
  /** the newest version (every version is in the stage `None`), none before the first */
  latest_versions: z.array(MlflowModelVersion),
  tags: z.array(MlflowTag),
  aliases: z.array(MlflowRegisteredModelAlias),
});
export type MlflowRegisteredModel = z.infer<typeof MlflowRegisteredModel>;

// ───────────────────────────── fields ─────────────────────────────

/** MLflow names are free text; one Atelier does not allow simply does not exist. */
const ModelNameField = z.string().min(1, 'name is required').max(256);

/**
 * A version number as MLflow sends it: a string of digits. One beyond what Atelier numbers up to
 * is simply a version that does not exist (404, as in MLflow), not a malformed request.
 */
const VersionField = z
  .string()
  .regex(/^\d{1,10}$/, 'version must be a version number such as "1"')
  .transform(Number);

/** Tag keys as MLflow allows them (letters, digits, `_ - . / :` and spaces), in ASCII. */
const TagKeyField = z
  .string()
  .max(250)
  .regex(/^[A-Za-z0-9_\-./: ]+$/, 'a tag key may only contain letters, digits, "_", "-", ".", "/", ":" and spaces');

const TagValueField = z.string().max(100_000).default('');

const DescriptionField = z.string().max(5_000);

/** An alias set through this API must also be a valid Atelier alias; MLflow reserves `latest` and `v<number>`. */
const NewAliasField = AliasName.refine((alias) => alias !== 'latest', '"latest" is a reserved alias name').refine(
  (alias) => !/^v\d+$/.test(alias),
  'aliases of the form v<number> are reserved for versions',
);

const AliasField = z.string().min(1, 'alias is required').max(255);

// ───────────────────────────── requests ─────────────────────────────

export const MlflowModelNameQuery = z.object({ name: ModelNameField });
export type MlflowModelNameQuery = z.infer<typeof MlflowModelNameQuery>;

export const MlflowModelVersionQuery = z.object({ name: ModelNameField, version: VersionField });
export type MlflowModelVersionQuery = z.infer<typeof MlflowModelVersionQuery>;

export const MlflowAliasQuery = z.object({ name: ModelNameField, alias: AliasField });
export type MlflowAliasQuery = z.infer<typeof MlflowAliasQuery>;

/** A repeated query parameter arrives as an array, a single one as a string. */
const RepeatedField = z
  .union([z.string().max(100), z.array(z.string().max(100)).max(5)])
  .optional()
  .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]));

/**
 * search: MLflow's defaults and limits differ between models and versions. Query strings stay
 * well under Node's 16 KiB of request headers even when every character is percent-encoded.
 */
function searchQuery(defaultMax: number, limit: number, upTo: RegExp) {
  return z.object({
    filter: z.string().max(1_000).optional(),
    max_results: z
      .string()
      .regex(/^\d{1,9}$/, 'max_results must be a whole number')
      // the range as a pattern too, so that the OpenAPI document states it (leading zeros allowed)
      .regex(upTo, `max_results must be between 1 and ${limit}`)
      .transform(Number)
      .default(defaultMax),
    order_by: RepeatedField,
    page_token: z.string().max(500).optional(),
  });
}

export const MlflowSearchRegisteredModelsQuery = searchQuery(100, 1_000, /^0*(?:[1-9]\d{0,2}|1000)$/);
export type MlflowSearchRegisteredModelsQuery = z.infer<typeof MlflowSearchRegisteredModelsQuery>;

export const MlflowSearchModelVersionsQuery = searchQuery(10_000, 200_000, /^0*(?:[1-9]\d{0,4}|1\d{5}|200000)$/);
export type MlflowSearchModelVersionsQuery = z.infer<typeof MlflowSearchModelVersionsQuery>;

/** get-latest-versions, by POST (a JSON body) or by GET (the query string). */
export const MlflowGetLatestVersionsRequest = z.object({ name: ModelNameField, stages: RepeatedField });
export type MlflowGetLatestVersionsRequest = z.infer<typeof MlflowGetLatestVersionsRequest>;

export const MlflowUpdateRegisteredModelRequest = z.object({ name: ModelNameField, description: DescriptionField.optional() });
export type MlflowUpdateRegisteredModelRequest = z.infer<typeof MlflowUpdateRegisteredModelRequest>;

export const MlflowUpdateModelVersionRequest = z.object({
  name: ModelNameField,
  version: VersionField,
  description: DescriptionField.optional(),
});
export type MlflowUpdateModelVersionRequest = z.infer<typeof MlflowUpdateModelVersionRequest>;

export const MlflowSetRegisteredModelTagRequest = z.object({ name: ModelNameField, key: TagKeyField, value: TagValueField });
export type MlflowSetRegisteredModelTagRequest = z.infer<typeof MlflowSetRegisteredModelTagRequest>;

export const MlflowDeleteRegisteredModelTagRequest = z.object({ name: ModelNameField, key: z.string().min(1, 'key is required').max(250) });
export type MlflowDeleteRegisteredModelTagRequest = z.infer<typeof MlflowDeleteRegisteredModelTagRequest>;

export const MlflowSetModelVersionTagRequest = z.object({
  name: ModelNameField,
  version: VersionField,
  key: TagKeyField,
  value: TagValueField,
});
export type MlflowSetModelVersionTagRequest = z.infer<typeof MlflowSetModelVersionTagRequest>;

export const MlflowDeleteModelVersionTagRequest = z.object({
  name: ModelNameField,
  version: VersionField,
  key: z.string().min(1, 'key is required').max(250),
});
export type MlflowDeleteModelVersionTagRequest = z.infer<typeof MlflowDeleteModelVersionTagRequest>;

export const MlflowSetAliasRequest = z.object({ name: ModelNameField, alias: NewAliasField, version: VersionField });
export type MlflowSetAliasRequest = z.infer<typeof MlflowSetAliasRequest>;

export const MlflowDeleteAliasRequest = z.object({ name: ModelNameField, alias: AliasField });
export type MlflowDeleteAliasRequest = z.infer<typeof MlflowDeleteAliasRequest>;

// ───────────────────────────── responses ─────────────────────────────

export const MlflowRegisteredModelResponse = z.object({ registered_model: MlflowRegisteredModel });
export type MlflowRegisteredModelResponse = z.infer<typeof MlflowRegisteredModelResponse>;

export const MlflowSearchRegisteredModelsResponse = z.object({
  registered_models: z.array(MlflowRegisteredModel),
  /** present when there are more: send it back as `page_token` */
  next_page_token: z.string().optional(),
});
export type MlflowSearchRegisteredModelsResponse = z.infer<typeof MlflowSearchRegisteredModelsResponse>;

export const MlflowModelVersionResponse = z.object({ model_version: MlflowModelVersion });
export type MlflowModelVersionResponse = z.infer<typeof MlflowModelVersionResponse>;

export const MlflowModelVersionsResponse = z.object({ model_versions: z.array(MlflowModelVersion) });
export type MlflowModelVersionsResponse = z.infer<typeof MlflowModelVersionsResponse>;

export const MlflowSearchModelVersionsResponse = MlflowModelVersionsResponse.extend({ next_page_token: z.string().optional() });
export type MlflowSearchModelVersionsResponse = z.infer<typeof MlflowSearchModelVersionsResponse>;

export const MlflowDownloadUriResponse = z.object({ artifact_uri: z.string() });
export type MlflowDownloadUriResponse = z.infer<typeof MlflowDownloadUriResponse>;

/** What MLflow answers to a change that returns nothing. */
export const MlflowEmptyResponse = z.object({});
export type MlflowEmptyResponse = z.infer<typeof MlflowEmptyResponse>;
