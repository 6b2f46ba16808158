import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { MonitoringModule } from '@atelier/monitoring';
import { ServingModule } from '@atelier/serving';
import { authHeaders, startTestApp, type TestApp } from '@atelier/testing';

/**
 * A registry that takes connections and never answers (a stalled process, a partition without a
 * reset): serving and monitoring give up after SERVICE_CALL_TIMEOUT_MS and answer 503, not a wait.
 */
describe('a registry that hangs (integration)', () => {
  let hung: Server;
  let t: TestApp;

  beforeAll(async () => {
    hung = createServer(() => undefined); // holds every request
    await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
    const registry = `http://127.0.0.1:${(hung.address() as AddressInfo).port}`;
    t = await startTestApp([ServingModule, MonitoringModule], { REGISTRY_URL: registry, SERVICE_CALL_TIMEOUT_MS: '300' });
  });

  afterAll(async () => {
    await t?.close();
    hung.closeAllConnections();
    await new Promise((resolve) => hung.close(resolve));
  });

  const post = async (path: string, body: unknown) => {
    const started = performance.now();
    const response = await fetch(`${t.baseUrl}${path}`, { method: 'POST', headers: authHeaders(t.adminKey), body: JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as { code: string; message: string }, ms: performance.now() - started };
  };

  it('answers a prediction whose model must load 503 within the timeout, naming the call that did not answer', async () => {
    const answer = await post('/api/predict', { model: 'flight-delay', features: { distance: 100 } });
    expect(answer.status).toBe(503);
    expect(answer.body.code).toBe('DEPENDENCY_UNAVAILABLE');
    expect(answer.body.message).toMatch(
      /^the model registry could not be reached: GET \/api\/models\/flight-delay.* did not answer within 300 ms$/,
    );
    expect(answer.ms).toBeLessThan(3_000);
  });

  it('answers a monitor whose model cannot be asked about 503 within the timeout', async () => {
    const answer = await post('/api/monitors', { name: 'hang', model: 'flight-delay', metric: 'accuracy', operator: 'lt', threshold: 0.5 });
    expect(answer.status).toBe(503);
    expect(answer.body.code).toBe('DEPENDENCY_UNAVAILABLE');
    expect(answer.ms).toBeLessThan(3_000);
  });
});
