import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { generateKey } from '@atelier/auth';
import type { ModelSignature, PredictRequestInput } from '@atelier/contracts';
import type { LogisticRegressionModel } from '@atelier/ml';
import { AtelierClient } from '@atelier/sdk';
import {
  DISTANCE_MODEL,
  eventually,
  freePort,
  registerLogisticModel,
  spawnedPlatformEnv,
  testDatabaseUrl,
  testNamespace,
  uniqueSuffix,
} from '@atelier/testing';

/**
 * The fault suite (`npm run test:faults`, run by `npm test` after every other test, since it
 * stops the shared local services): the one-process platform as `npm start` runs it, a bounded
 * load of predictions on loopback, and the real local Redis, Kafka and PostgreSQL stopped and
 * started again with `deploy/local`. Asserts that what needs the stopped service fails fast with a
 * clear 503, that the rest keeps answering, that everything recovers without a hand, and that no
 * prediction event or outcome is lost.
 */
const RATE_PER_SECOND = 40;
const FAULT_SECONDS = 12;
const REPORT_DIR = path.resolve('.atelier/reports');
const PLATFORM_LOG = path.join(REPORT_DIR, 'faults-platform.log');

interface Answer {
  status: number;
  ms: number;
  code?: string;
  predictionId?: string;
  missing?: string[];
  inputs?: Record<string, unknown>;
}

describe('the platform while Redis, Kafka and PostgreSQL are stopped and started (fault suite)', () => {
  const s = uniqueSuffix();
  const key = generateKey();
  const group = `faults_stats_${s}`;
  const feature = `${group}:mean`;
  const models = { features: `faults-features-${s}`, requestOnly: `faults-request-${s}` };
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'atelier-faults-'));
  let platform: ChildProcess | undefined;
  let url = '';
  let client: AtelierClient;
  let db: Client | undefined;

  const withFeatures: PredictRequestInput = { model: models.features, entities: { airport: 'ORD' }, features: { distance: 500 } };
  const requestOnly: PredictRequestInput = { model: models.requestOnly, features: { distance: 500 } };

  async function call(method: string, route: string, body?: unknown): Promise<Answer> {
    const started = performance.now();
    try {
      const response = await fetch(`${url}${route}`, {
        method,
        headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
      });
      const text = await response.text();
      const parsed = (text ? JSON.parse(text) : {}) as Omit<Answer, 'status' | 'ms'>;
      return { ...parsed, status: response.status, ms: performance.now() - started };
    } catch (error) {
      return { status: 0, ms: performance.now() - started, code: String(error) };
    }
  }

  /** `count` requests at RATE_PER_SECOND, each made by `make`; bounded in number and time. */
  async function load(count: number, make: (i: number) => Promise<Answer>): Promise<Answer[]> {
    const pending: Array<Promise<Answer>> = [];
    const started = performance.now();
    for (let i = 0; i < count; i++) {
      const due = started + (i * 1000) / RATE_PER_SECOND;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      pending.push(make(i));
    }
    return Promise.all(pending);
  }

  async function infra(service: 'redis' | 'kafka' | 'postgres', action: 'up' | 'down'): Promise<void> {
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn('bash', [`deploy/local/${service}.sh`, action], { stdio: 'inherit', timeout: 240_000 });
      child.on('close', resolve);
    });
    expect(code, `deploy/local/${service}.sh ${action}`).toBe(0);
  }

  async function storedPredictions(ids: string[]): Promise<{ rows: number; distinct: number; withOutcome: number }> {
    const { rows } = await db!.query<{ rows: number; distinct: number; with_outcome: number }>(
      'SELECT count(*)::int AS rows, count(DISTINCT prediction_id)::int AS distinct, count(outcome)::int AS with_outcome FROM monitored_predictions WHERE prediction_id = ANY($1::uuid[])',
      [ids],
    );
    return { rows: rows[0]!.rows, distinct: rows[0]!.distinct, withOutcome: rows[0]!.with_outcome };
  }

  async function connectDb(): Promise<void> {
    await db?.end().catch(() => undefined);
    db = new Client({ connectionString: testDatabaseUrl() });
    db.on('error', () => undefined); // a stopped server ends the connection; the next test reconnects
    await db.connect();
  }

  async function register(name: string, model: LogisticRegressionModel, inputs: ModelSignature['inputs']): Promise<void> {
    await registerLogisticModel(client, name, model, inputs);
    await client.setAlias(name, 'production', 1);
  }

  beforeAll(async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    mkdirSync(REPORT_DIR, { recursive: true });
    const log = openSync(PLATFORM_LOG, 'w');
    platform = spawn('node', ['-r', '@swc-node/register', 'apps/platform/src/main.ts'], {
      env: spawnedPlatformEnv(port, tmp, key, testNamespace('faults'), {
        SERVING_PROCESSES: '1',
        // every request logged, so the last test can look for keys in all of it
        LOG_LEVEL: 'debug',
      }),
      stdio: ['ignore', log, log],
      detached: true,
    });
    await eventually(async () => ((await fetch(`${url}/health/ready`)).ok ? true : undefined), 120_000, 500);
    client = new AtelierClient({ baseUrl: url, apiKey: key });
    await connectDb();

    await client.createEntity({ name: `faults_airport_${s}`, joinKey: 'airport', description: '' });
    await client.createFeatureGroup({
      name: group,
      entity: `faults_airport_${s}`,
      ttlSeconds: 86_400,
      description: '',
      features: [{ name: 'mean', dtype: 'float', description: '' }],
    });
    await client.ingestRows(
      group,
      [{ entityKey: 'ORD', eventTime: new Date(Date.now() - 60_000).toISOString(), values: { mean: 0.8 } }],
      true,
    );
    await register(
      models.features,
      { ...DISTANCE_MODEL, features: [feature, 'distance'], means: [0, 300], scales: [1, 100], weights: [1, 0.5] },
      [
        { name: feature, source: 'feature', ref: feature, entity: 'airport' },
        { name: 'distance', source: 'request', dtype: 'float' },
      ],
    );
    await register(models.requestOnly, DISTANCE_MODEL, [{ name: 'distance', source: 'request', dtype: 'float' }]);
    // one prediction all the way into monitoring before any fault: topics exist, the consumer consumes
    const warm = await call('POST', '/api/predict', requestOnly);
    expect(warm.status).toBe(200);
    await eventually(async () => ((await storedPredictions([warm.predictionId!])).rows === 1 ? true : undefined), 90_000, 250);
  }, 240_000);

  afterAll(async () => {
    // whatever happened, the shared services are up again for whoever runs next
    for (const service of ['postgres', 'redis', 'kafka'] as const) await infra(service, 'up').catch(() => undefined);
    if (platform?.pid) {
      process.kill(-platform.pid, 'SIGTERM');
      await new Promise((r) => setTimeout(r, 2_000));
    }
    await db?.end().catch(() => undefined);
    rmSync(tmp, { recursive: true, force: true });
  }, 300_000);

  it('Redis stopped: predictions that need features answer 503 fast, the others keep answering, and the online store is back after the restart', async () => {
    const before = await call('POST', '/api/predict', withFeatures);
    expect(before).toMatchObject({ status: 200, missing: [] });

    await infra('redis', 'down');
    const count = RATE_PER_SECOND * FAULT_SECONDS;
    const answers = await load(count, (i) => call('POST', '/api/predict', i % 2 === 0 ? withFeatures : requestOnly));
    const featured = answers.filter((_, i) => i % 2 === 0);
    const plain = answers.filter((_, i) => i % 2 === 1);
    report('redis', featured, plain);
    expect(featured.every((a) => a.status === 503 && a.code === 'DEPENDENCY_UNAVAILABLE')).toBe(true);
    expect(
      percentile(
        featured.map((a) => a.ms),
        0.95,
      ),
    ).toBeLessThan(250);
    expect(plain.every((a) => a.status === 200)).toBe(true);

    await infra('redis', 'up');
    // by itself, and with the feature value the append-only file kept
    const after = await eventually(
      async () => {
        const a = await call('POST', '/api/predict', withFeatures);
        return a.status === 200 ? a : undefined;
      },
      60_000,
      250,
    );
    expect(after.missing).toEqual([]);
    expect(after.inputs).toMatchObject({ [feature]: 0.8 });
  }, 300_000);

  it('Kafka stopped: every prediction answers, outcomes answer 503, and each prediction of the outage reaches monitoring once after the restart', async () => {
    await infra('kafka', 'down');
    const count = RATE_PER_SECOND * FAULT_SECONDS;
    const answers = await load(count, (i) => call('POST', '/api/predict', i % 2 === 0 ? withFeatures : requestOnly));
    const outcome = await call('POST', '/api/outcomes', { predictionId: answers[0]!.predictionId, value: 1 });
    report('kafka', answers, []);
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(outcome).toMatchObject({ status: 503, code: 'DEPENDENCY_UNAVAILABLE' });

    await infra('kafka', 'up');
    const ids = answers.map((a) => a.predictionId!);
    const stored = await eventually(
      async () => {
        const found = await storedPredictions(ids);
        return found.rows >= ids.length ? found : undefined;
      },
      180_000,
      500,
    );
    expect(stored).toMatchObject({ rows: ids.length, distinct: ids.length });
    // and outcomes are taken again
    expect((await call('POST', '/api/outcomes', { predictionId: ids[0], value: 1 })).status).toBe(202);
  }, 420_000);

  it('PostgreSQL stopped: predictions keep answering, database routes answer 503, and after the restart nothing is lost', async () => {
    await infra('postgres', 'down');
    const count = RATE_PER_SECOND * FAULT_SECONDS;
    const answers = await load(count, (i) => call('POST', '/api/predict', i % 2 === 0 ? withFeatures : requestOnly));
    // outcomes go to Kafka, not to the database: taken during the outage, joined after it
    const outcomes = await Promise.all(
      answers.slice(0, 20).map((a) => call('POST', '/api/outcomes', { predictionId: a.predictionId, value: 1 })),
    );
    const listing = await call('GET', '/api/models');
    report('postgres', answers, [listing]);
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(outcomes.every((o) => o.status === 202)).toBe(true);
    expect(listing).toMatchObject({ status: 503, code: 'DEPENDENCY_UNAVAILABLE' });
    expect(listing.ms).toBeLessThan(5_000);

    await infra('postgres', 'up');
    await connectDb();
    await eventually(async () => ((await call('GET', '/api/models')).status === 200 ? true : undefined), 60_000, 250);
    const ids = answers.map((a) => a.predictionId!);
    const stored = await eventually(
      async () => {
        const found = await storedPredictions(ids);
        return found.rows >= ids.length && found.withOutcome >= 20 ? found : undefined;
      },
      180_000,
      500,
    );
    expect(stored).toMatchObject({ rows: ids.length, distinct: ids.length, withOutcome: 20 });
    expect((await call('GET', `/api/models/${models.features}`)).status).toBe(200);
  }, 420_000);

  it('never writes an API key to its log (debug level), whatever happened to the requests', async () => {
    const as = (bearer: string, method = 'GET', route = '/api/auth/whoami', body?: unknown) =>
      fetch(`${url}${route}`, {
        method,
        headers: { authorization: `Bearer ${bearer}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
      });
    const createdResponse = await as(key, 'POST', '/api/keys', { name: 'log check', owner: `faults-${s}`, role: 'viewer' });
    expect(createdResponse.status).toBe(201);
    const created = (await createdResponse.json()) as { id: string; key: string };
    const bogus = generateKey();
    expect((await as(created.key)).status).toBe(200);
    expect((await as(created.key, 'POST', '/api/predict', requestOnly)).status).toBe(403);
    expect((await as(bogus)).status).toBe(401);
    expect((await as(`${created.key}x`)).status).toBe(401);
    expect((await as(key, 'DELETE', `/api/keys/${created.id}`)).status).toBe(200);
    expect((await as(created.key)).status).toBe(401);
    await new Promise((r) => setTimeout(r, 1_500)); // pino writes asynchronously
    const log = readFileSync(PLATFORM_LOG, 'utf8');
    expect(log).toContain('"msg":"request"');
    // the secret part of a key: what follows its 12-character prefix
    for (const secret of [key, created.key, bogus].map((k) => k.slice(12))) expect(log.includes(secret)).toBe(false);
  });
});

function percentile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

/** One line per fault with the figures docs/reliability.md quotes. */
function report(fault: string, main: Answer[], other: Answer[]): void {
  const statuses = (answers: Answer[]) =>
    Object.entries(answers.reduce<Record<number, number>>((m, a) => ((m[a.status] = (m[a.status] ?? 0) + 1), m), {}))
      .map(([s, n]) => `${s}×${n}`)
      .join(' ');
  const ms = main.map((a) => a.ms);
  console.log(
    `[faults] ${fault}: ${main.length} requests (${statuses(main)}), p50 ${percentile(ms, 0.5).toFixed(1)} ms, p95 ${percentile(ms, 0.95).toFixed(1)} ms, p99 ${percentile(ms, 0.99).toFixed(1)} ms; other: ${statuses(other) || '-'}`,
  );
}
