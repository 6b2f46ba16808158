import { z } from 'zod';

/** Every error any service returns has this shape, whatever the status code. */
export const ErrorCode = z.enum([
  'BAD_REQUEST',
  'VALIDATION_FAILED',
  /** no API key, or one that is unknown, revoked or expired */
  'UNAUTHENTICATED',
  /** the key's role does not allow this route */
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'UNPROCESSABLE',
  'DEPENDENCY_UNAVAILABLE',
  /** a model's policy refuses to predict without some of its online features */
  'MISSING_FEATURES',
  'PAYLOAD_TOO_LARGE',
  /** the key's request rate is over its limit; `Retry-After` says when to come back */
  'RATE_LIMITED',
  'INTERNAL',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ErrorBody = z.object({
  code: ErrorCode,
  message: z.string(),
  details: z.unknown().optional(),
  requestId: z.string(),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

/** Names of entities, groups, features and models: safe in URLs, Redis keys and ONNX inputs. */
const NAME_PATTERN = /^[a-z][a-z0-9_-]*$/;
export const Name = z.string().min(1).max(64).regex(NAME_PATTERN, 'use lower-case letters, digits, "_" or "-", starting with a letter');

/** What `Name` takes, tested without the schema (the contracts' quick tests). */
export const isName = (v: unknown): v is string => typeof v === 'string' && v.length >= 1 && v.length <= 64 && NAME_PATTERN.test(v);

/** Year 0000, or an offset of 16 hours or more: ISO 8601 allows them, PostgreSQL does not. */
const OUTSIDE_POSTGRES = /^0000|[+-](1[6-9]|[2-9]\d):\d\d$/;

/**
 * An ISO 8601 instant with an offset, within what PostgreSQL stores: years 0001–9999, offsets
 * within ±15:59 (a time it refuses would otherwise fail later, in a consumer).
 */
export const IsoTime = z.iso
  .datetime({ offset: true })
  .refine((v) => !OUTSIDE_POSTGRES.test(v), 'a time in the years 0001–9999 with an offset within ±15:59')
  // the same rule in the OpenAPI document
  .meta({ not: { pattern: OUTSIDE_POSTGRES.source } });

/** The largest integer a stored count, version or duration may hold (PostgreSQL `integer`). */
export const MAX_INT32 = 2_147_483_647;

/** A model version number: 1, 2, … */
export const VersionNumber = z.number().int().min(1).max(MAX_INT32);

/** What `VersionNumber` takes, tested without the schema. */
export const isVersionNumber = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= MAX_INT32;

export const HealthStatus = z.object({
  status: z.enum(['ok', 'error']),
  checks: z.record(z.string(), z.object({ status: z.enum(['up', 'down']), error: z.string().optional() })),
});
export type HealthStatus = z.infer<typeof HealthStatus>;

/**
 * What serving does when a model's online feature is missing: `impute` predicts with the model's
 * own missing-value handling (the answer lists what was missing), `refuse` answers 424.
 */
export const MissingFeaturePolicy = z.enum(['impute', 'refuse']);
export type MissingFeaturePolicy = z.infer<typeof MissingFeaturePolicy>;

/** The most partitions a partitioned model may have (each with a model of its own). */
export const MAX_PARTITIONS = 100;
