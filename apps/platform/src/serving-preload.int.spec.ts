import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { LoadedModel, PredictResponse } from '@atelier/contracts';
import { RegistryModule } from '@atelier/registry';
import { ServingModule } from '@atelier/serving';
import { authHeaders, DISTANCE_MODEL, eventually, registerLogisticModel, startTestApp, type TestApp, uniqueSuffix } from '@atelier/testing';

/**
 * A serving process that starts with `SERVING_PRELOAD=production` (the default outside tests)
 * loads what answers each model's traffic — the production version and its canary's — before it
 * says it is ready, so its first requests wait for neither the registry nor a session. The second
 * app reads the first one's registry rows and artifacts from the real Postgres and disk; the test
 * database's other models (other files' artifacts, out of its reach) fail to preload and load at
 * first use, as the preloader promises.
 */
describe('serving loads production models when it starts (integration)', () => {
  const model = `preload-${uniqueSuffix()}`;
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    a = await startTestApp([RegistryModule, ServingModule]);
    const artifacts = process.env.ATELIER_ARTIFACT_DIR!;
    for (const weight of [0.5, -0.5, 1]) await registerLogisticModel(a.client, model, { ...DISTANCE_MODEL, weights: [weight] });
    await a.client.setAlias(model, 'production', 2);
    await a.client.setDeployment(model, { canary: { version: 3, share: 10 } });
    b = await startTestApp([RegistryModule, ServingModule], {
      SERVING_PRELOAD: 'production',
      ATELIER_ARTIFACT_DIR: artifacts,
      LOG_LEVEL: 'error',
    });
  }, 120_000);

  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('is ready once the production version and the canary are loaded, before any request', async () => {
    const ready = await eventually(async () => {
      const response = await fetch(`${b.baseUrl}/health/ready`);
      return response.status === 200 ? ((await response.json()) as { checks: Record<string, { status: string }> }) : undefined;
    }, 60_000);
    expect(ready.checks.models).toEqual({ status: 'up' });
    const loaded = (await (await fetch(`${b.baseUrl}/api/serving/models`, { headers: authHeaders(b.adminKey) })).json()) as LoadedModel[];
    expect(
      loaded
        .filter((m) => m.model === model)
        .map((m) => [m.version, m.alias])
        .sort(),
    ).toEqual([
      [2, 'production'],
      [3, null],
    ]);
    const answer = (await b.client.predict({ model, features: { distance: 500 } })) as PredictResponse;
    expect([2, 3]).toContain(answer.version);
  });
});
