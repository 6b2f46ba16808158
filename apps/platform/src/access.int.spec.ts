import { randomUUID } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { ApiKeyRole, AuditEventResponse, CreateApiKeyRequest, CreatedApiKeyResponse, WhoAmIResponse } from '@atelier/contracts';
import { FeatureStoreModule } from '@atelier/feature-store';
import { MonitoringModule } from '@atelier/monitoring';
import { RegistryModule } from '@atelier/registry';
import { ServingModule } from '@atelier/serving';
import { eventually, startTestApp, type TestApp, uniqueSuffix } from '@atelier/testing';

type RouteClass = 'read' | 'write' | 'predict' | 'admin' | 'self';

/** One route of each class, each answering 2xx to a key whose role allows it. */
const ROUTES: Record<RouteClass, { method: string; path: string; body?: () => unknown; ok: number }> = {
  read: { method: 'GET', path: '/api/models', ok: 200 },
  write: { method: 'POST', path: '/api/entities', body: () => ({ name: `e_${uniqueSuffix()}`, joinKey: 'id' }), ok: 201 },
  predict: { method: 'POST', path: '/api/outcomes', body: () => ({ predictionId: randomUUID(), value: 1 }), ok: 202 },
  admin: { method: 'GET', path: '/api/keys', ok: 200 },
  self: { method: 'GET', path: '/api/auth/whoami', ok: 200 },
};

/** The role matrix as documented (docs/reliability.md): which classes each role may call. */
const MATRIX: Record<ApiKeyRole, RouteClass[]> = {
  viewer: ['read', 'self'],
  editor: ['read', 'write', 'predict', 'self'],
  admin: ['read', 'write', 'predict', 'admin', 'self'],
  service: ['predict', 'self'],
};

describe('access control (API keys and roles, on the real services)', () => {
  let t: TestApp;
  const keys = {} as Record<ApiKeyRole, string>;
  const owner = `owner-${uniqueSuffix()}`;

  const call = (route: { method: string; path: string; body?: () => unknown }, key?: string, base = t.baseUrl) =>
    fetch(`${base}${route.path}`, {
      method: route.method,
      headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(route.body ? { 'content-type': 'application/json' } : {}) },
      body: route.body ? JSON.stringify(route.body()) : undefined,
    });

  const createKey = async (request: CreateApiKeyRequest): Promise<CreatedApiKeyResponse> => {
    const response = await call({ method: 'POST', path: '/api/keys', body: () => request }, t.adminKey);
    expect(response.status).toBe(201);
    return (await response.json()) as CreatedApiKeyResponse;
  };

  beforeAll(async () => {
    t = await startTestApp([FeatureStoreModule, RegistryModule, ServingModule, MonitoringModule]);
    for (const role of Object.keys(MATRIX) as ApiKeyRole[]) keys[role] = (await createKey({ name: `${role} key`, owner, role })).key;
  }, 60_000);

  afterAll(async () => {
    await t?.close();
  });

  it('answers 401 without a key, 403 to a weaker role and 2xx to the right one, on every route class', async () => {
    const seen: string[] = [];
    for (const [kind, route] of Object.entries(ROUTES) as Array<[RouteClass, (typeof ROUTES)[RouteClass]]>) {
      const anonymous = await call(route);
      expect(anonymous.status, `${kind} without a key`).toBe(401);
      expect(((await anonymous.json()) as { code: string }).code).toBe('UNAUTHENTICATED');
      for (const role of Object.keys(MATRIX) as ApiKeyRole[]) {
        const response = await call(route, keys[role]);
        const expected = MATRIX[role].includes(kind) ? route.ok : 403;
        seen.push(`${role}:${kind}:${response.status}`);
        expect(response.status, `${role} on ${kind} (${route.method} ${route.path})`).toBe(expected);
        if (expected === 403) expect(((await response.json()) as { code: string }).code).toBe('FORBIDDEN');
      }
    }
    expect(seen).toHaveLength(5 * 4);
    // health, metrics and the API document stay open
    for (const path of ['/health/live', '/metrics', '/docs/openapi.json']) expect((await fetch(`${t.baseUrl}${path}`)).status, path).toBe(200);
  });

  it('says who a key belongs to, and never shows the key again after creating it', async () => {
    const me = (await (await call(ROUTES.self, keys.viewer)).json()) as WhoAmIResponse;
    expect(me).toMatchObject({ owner, role: 'viewer', name: 'viewer key', prefix: keys.viewer.slice(0, 12), expiresAt: null });
    const listed = (await (await call(ROUTES.admin, t.adminKey)).json()) as Array<Record<string, unknown>>;
    const mine = listed.filter((k) => k.owner === owner);
    expect(mine).toHaveLength(4);
    for (const k of mine) {
      expect(k).not.toHaveProperty('key');
      expect(JSON.stringify(k)).not.toContain(keys.viewer.slice(12));
    }
  });

  it('refuses a revoked key at once, also in another process of the same platform', async () => {
    const { id, key } = await createKey({ name: 'to revoke', owner, role: 'viewer' });
    const other = await startTestApp([RegistryModule], { ATELIER_NAMESPACE: t.namespace });
    try {
      expect((await call(ROUTES.read, key)).status).toBe(200);
      expect((await call(ROUTES.read, key, other.baseUrl)).status).toBe(200); // now cached there too
      const revoked = await call({ method: 'DELETE', path: `/api/keys/${id}` }, t.adminKey);
      expect(revoked.status).toBe(200);
      expect(((await revoked.json()) as { revokedAt: string | null }).revokedAt).not.toBeNull();
      expect((await call(ROUTES.read, key)).status).toBe(401);
      // the other app hears of it over Redis, well before its cache would expire (10 s)
      await eventually(async () => ((await call(ROUTES.read, key, other.baseUrl)).status === 401 ? true : undefined), 2_000, 50);
    } finally {
      await other.close();
    }
  });

  it('refuses an expired key', async () => {
    const { key } = await createKey({ name: 'short-lived', owner, role: 'viewer', expiresAt: new Date(Date.now() + 1_500).toISOString() });
    expect((await call(ROUTES.read, key)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1_600));
    const response = await call(ROUTES.read, key);
    expect(response.status).toBe(401);
    expect(((await response.json()) as { message: string }).message).toMatch(/expired/);
    // one that would be expired from the start is refused
    const past = '2000-01-01T00:00:00.000Z';
    const refused = await call(
      { method: 'POST', path: '/api/keys', body: () => ({ name: 'late', owner, role: 'viewer', expiresAt: past }) },
      t.adminKey,
    );
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { message: string }).message).toBe(`expiresAt: ${past} has passed: a key must expire later`);
  });

  it('limits a key on prediction routes with 429 and Retry-After, counted across requests in Redis', async () => {
    const { key } = await createKey({ name: 'limited', owner, role: 'service', rateLimitPerSecond: 3 });
    // align to the start of a second so the 8 requests fall into one or two windows
    await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000)));
    const statuses: number[] = [];
    let limited: Response | undefined;
    for (let i = 0; i < 8; i++) {
      const response = await call(ROUTES.predict, key);
      statuses.push(response.status);
      if (response.status === 429) limited ??= response;
    }
    expect(statuses.filter((s) => s === 202).length).toBeGreaterThanOrEqual(3);
    expect(statuses.filter((s) => s === 202).length).toBeLessThanOrEqual(6);
    expect(limited?.headers.get('retry-after')).toBe('1');
    expect(((await limited!.json()) as { code: string }).code).toBe('RATE_LIMITED');
  });

  it('records every change in the audit log with the owner of the key that made it', async () => {
    const name = `audited_${uniqueSuffix()}`;
    const created = await call({ method: 'POST', path: '/api/entities', body: () => ({ name, joinKey: 'id' }) }, keys.editor);
    expect(created.status).toBe(201);
    const response = await call({ method: 'GET', path: `/api/audit?actor=${owner}&subject=/api/entities` }, t.adminKey);
    expect(response.status).toBe(200);
    const events = (await response.json()) as AuditEventResponse[];
    const event = events.find((e) => e.action === 'POST /api/entities' && JSON.stringify(e.payload).includes(keys.editor.slice(0, 12)));
    expect(event).toMatchObject({ actor: owner, subject: '/api/entities' });
    // reads and refused requests are not changes
    expect(events.every((e) => e.action.startsWith('POST ') || e.action.startsWith('DELETE '))).toBe(true);
  });

  it('takes small bodies by default and large ones only on routes that need them', async () => {
    const big = { name: 'x', joinKey: 'id', description: 'a'.repeat(2 * 1024 * 1024) };
    const tooLarge = await call({ method: 'POST', path: '/api/entities', body: () => big }, t.adminKey);
    expect(tooLarge.status).toBe(413);
    expect(((await tooLarge.json()) as { code: string }).code).toBe('PAYLOAD_TOO_LARGE');
    const rows = Array.from({ length: 10_000 }, (_, i) => ({ airport: `A${i}`, padding: 'p'.repeat(150) }));
    const batch = await call({ method: 'POST', path: '/api/predict', body: () => ({ model: `none-${uniqueSuffix()}`, rows }) }, t.adminKey);
    expect(batch.status).toBe(404); // parsed (over 1 MB) and refused for the unknown model, not for its size
  });

  it('sends no CORS headers to origins outside the allow-list (none by default)', async () => {
    const response = await fetch(`${t.baseUrl}/api/models`, { headers: { origin: 'http://127.0.0.1:9', authorization: `Bearer ${t.adminKey}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });
});
