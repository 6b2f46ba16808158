import { z } from 'zod';

import { IsoTime } from './common.contract';

/** viewer reads; editor also changes and predicts; admin also manages keys, deletes, audits; service only predicts */
export const ApiKeyRole = z.enum(['viewer', 'editor', 'admin', 'service']);
export type ApiKeyRole = z.infer<typeof ApiKeyRole>;

export const CreateApiKeyRequest = z.object({
  name: z.string().trim().min(1).max(120),
  owner: z.string().trim().min(1).max(120),
  role: ApiKeyRole,
  expiresAt: IsoTime.optional(),
  /** prediction requests per second this key may make (all processes together); none: unlimited */
  rateLimitPerSecond: z.number().int().min(1).max(1_000_000).optional(),
});
export type CreateApiKeyRequest = z.infer<typeof CreateApiKeyRequest>;

export const ApiKeyResponse = z.object({
  id: z.string(),
  /** the first characters of the key, what lists and logs show */
  prefix: z.string(),
  name: z.string(),
  owner: z.string(),
  role: ApiKeyRole,
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
  rateLimitPerSecond: z.number().int().nullable(),
});
export type ApiKeyResponse = z.infer<typeof ApiKeyResponse>;

/** The answer to a key's creation: the only time the key itself is shown. */
export const CreatedApiKeyResponse = ApiKeyResponse.extend({ key: z.string() });
export type CreatedApiKeyResponse = z.infer<typeof CreatedApiKeyResponse>;

export const WhoAmIResponse = z.object({
  id: z.string(),
  prefix: z.string(),
  name: z.string(),
  owner: z.string(),
  role: ApiKeyRole,
  expiresAt: z.string().nullable(),
});
export type WhoAmIResponse = z.infer<typeof WhoAmIResponse>;

export const AuditQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  actor: z.string().max(120).optional(),
  /** events whose subject starts with this (e.g. "model:flight-delay", "/api/monitors") */
  subject: z.string().max(300).optional(),
});
export type AuditQuery = z.infer<typeof AuditQuery>;

export const AuditEventResponse = z.object({
  id: z.string(),
  subject: z.string(),
  action: z.string(),
  actor: z.string(),
  payload: z.unknown(),
  createdAt: z.string(),
});
export type AuditEventResponse = z.infer<typeof AuditEventResponse>;
