import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { FeatureStoreModule } from '@atelier/feature-store';
import { RegistryModule } from '@atelier/registry';
import {
  authHeaders,
  freePort,
  registerLogisticModel,
  startServingProcess,
  startTestApp,
  type TestApp,
  uniqueSuffix,
} from '@atelier/testing';

const DRAIN_MS = 1500;

interface Outcome {
  /** when the request left, relative to the signal (ms) */
  at: number;
  status: number;
  error?: string;
}

/**
 * A stop that drops no request: serving (apps/serving/src/main.ts, one process, as in a
 * Kubernetes pod) gets SIGTERM under a steady stream of predictions on kept-alive connections.
 * Readiness fails at once, every request sent during `SHUTDOWN_DRAIN_MS` is answered 200, and the
 * process then ends by the signal, its prediction log closed after the last answer.
 */
describe('serving stops without dropping requests (integration)', () => {
  const model = `shutdown-${uniqueSuffix()}`;
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'atelier-shutdown-'));
  let registry: TestApp;
  let serving: ChildProcess;
  let url: string;
  let output: () => string;

  beforeAll(async () => {
    registry = await startTestApp([FeatureStoreModule, RegistryModule]);
    await registerLogisticModel(registry.client, model);
    await registry.client.setAlias(model, 'production', 1);
    const started = await startServingProcess(await freePort(), {
      SERVING_PROCESSES: '1',
      SHUTDOWN_DRAIN_MS: String(DRAIN_MS),
      LOG_LEVEL: 'info',
      PREDICTION_LOG_SPOOL_DIR: path.join(tmp, 'spool'),
    });
    serving = started.child;
    url = started.url;
    output = started.output;
  }, 180_000);

  afterAll(async () => {
    if (serving && serving.exitCode === null && serving.signalCode === null) serving.kill('SIGKILL');
    await registry?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  const request = (agent: http.Agent | false, method: string, route: string, body?: object): Promise<number> =>
    new Promise((resolve, reject) => {
      const text = body ? JSON.stringify(body) : '';
      const req = http.request(
        `${url}${route}`,
        { method, agent, headers: { ...authHeaders(), 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) } },
        (response) => {
          response.resume();
          response.on('end', () => resolve(response.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.setTimeout(5_000, () => req.destroy(new Error('no answer within 5 s')));
      req.end(text);
    });

  it('fails readiness at once, answers every request of the drain, then ends by the signal', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
    const outcomes: Array<Promise<Outcome>> = [];
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      serving.once('exit', (code, signal) => resolve({ code, signal })),
    );
    let signalledAt = Number.POSITIVE_INFINITY;
    let ended = false;
    void exited.then(() => (ended = true));
    // a prediction every 10 ms on four kept-alive connections: 0.5 s before the signal, then until the process ends (8 s at most)
    const started = Date.now();
    const sender = (async () => {
      for (let i = 0; i < 800 && !ended && Date.now() - started < 8_000; i++) {
        const at = Date.now();
        outcomes.push(
          request(agent, 'POST', '/api/predict', { model, features: { distance: 100 + i } }).then(
            (status) => ({ at: at - signalledAt, status }),
            (error: Error) => ({ at: at - signalledAt, status: -1, error: error.message }),
          ),
        );
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 500));
    signalledAt = Date.now();
    serving.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await request(false, 'GET', '/health/ready')).toBe(503);

    const { signal } = await exited;
    const stoppedAfter = Date.now() - signalledAt;
    await sender;
    const all = await Promise.all(outcomes);
    agent.destroy();

    expect(signal).toBe('SIGTERM');
    expect(stoppedAfter).toBeGreaterThanOrEqual(DRAIN_MS);
    expect(stoppedAfter).toBeLessThan(DRAIN_MS + 10_000);
    const beforeSignal = all.filter((o) => o.at < 0);
    const duringDrain = all.filter((o) => o.at >= 0 && o.at < DRAIN_MS - 100);
    expect(beforeSignal.length).toBeGreaterThan(10);
    expect(duringDrain.length).toBeGreaterThan(50);
    expect([...beforeSignal, ...duringDrain].filter((o) => o.status !== 200)).toEqual([]);
    expect(output()).toContain('"msg":"stopping"');
    expect(output()).not.toContain('"level":"error"');
  }, 60_000);
});
