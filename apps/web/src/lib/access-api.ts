import type { ApiKeyResponse, AuditEventResponse, AuditQuery, CreateApiKeyRequest, CreatedApiKeyResponse } from '@atelier/contracts';
import { AtelierApiError } from '@atelier/sdk';

import { errorBodyOf } from './api';

/**
 * API keys and the audit log (admin routes). `AtelierClient` has no methods for them yet, so these
 * call this server's `/api/*` proxy the same way and throw the same `AtelierApiError`s.
 */
export const accessApi = {
  listKeys: () => call<ApiKeyResponse[]>('GET', '/api/keys'),
  createKey: (body: CreateApiKeyRequest) => call<CreatedApiKeyResponse>('POST', '/api/keys', body),
  revokeKey: (id: string) => call<ApiKeyResponse>('DELETE', `/api/keys/${encodeURIComponent(id)}`),
  auditLog: (query: Partial<AuditQuery>) => call<AuditEventResponse[]>('GET', `/api/audit${queryString(query)}`),
};

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: 'no-store',
  });
  if (!response.ok) throw new AtelierApiError(response.status, await errorBodyOf(response));
  return (await response.json()) as T;
}

function queryString(query: Partial<AuditQuery>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') params.set(name, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}
