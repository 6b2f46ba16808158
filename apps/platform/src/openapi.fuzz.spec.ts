import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import type { Type } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { FeatureStoreModule } from '@atelier/feature-store';
import { exportOnnx } from '@atelier/ml';
import { MonitoringModule } from '@atelier/monitoring';
import { RegistryModule } from '@atelier/registry';
import { AtelierClient } from '@atelier/sdk';
import { ServingModule } from '@atelier/serving';
import {
  authHeaders,
  createMigratedDatabase,
  DISTANCE_MODEL,
  eventually,
  registerLogisticModel,
  startTestApp,
  type TestApp,
  testDatabaseUrl,
  testNamespace,
  uniqueSuffix,
} from '@atelier/testing';
import { TrainingApiModule } from '@atelier/training';

const ST = path.resolve('.atelier/venvs/fuzz/bin/st');
const CONFIG_DIR = path.resolve('tools/fuzz');
const REPORTS = path.resolve('.atelier/reports');
const SEED = '20261202';
/**
 * Per operation, in the fuzzing and stateful phases (the coverage phase derives its cases from the
 * schema). With 15 the spec took two and a half minutes, with 25 over three.
 */
const EXAMPLES_PER_OPERATION = '10';

type ServiceName = 'feature-store' | 'training' | 'serving' | 'monitoring' | 'registry';

/**
 * The services of apps/<name>/src/main.ts, each fuzzed against its own OpenAPI document, in this
 * order: the registry last, as its run adds versions and moves aliases of the model the others use.
 * Training is its API module: the worker of apps/training adds no route, and would train every job
 * the fuzzer submits.
 */
const SERVICES: Array<{ name: ServiceName; modules: Type[] }> = [
  { name: 'feature-store', modules: [FeatureStoreModule] },
  { name: 'training', modules: [TrainingApiModule] },
  { name: 'serving', modules: [ServingModule] },
  { name: 'monitoring', modules: [MonitoringModule] },
  { name: 'registry', modules: [RegistryModule] },
];

/**
 * Routes left out: revoking a key (the one the runs use must outlive them) everywhere; the routes
 * every service mounts from the same auth module (keys, audit, whoami) in all runs but the first.
 */
// A job's event stream lasts as long as the job (the seeded one stays queued): a stream, not a
// request and its answer; the e2e spec follows one to its end.
const STREAMS = '|^/api/training-jobs/\\{id\\}/events$';
const EXCLUDED_ALWAYS = `^/api/keys/${STREAMS}`;
const EXCLUDED_AFTER_FIRST = `^/api/(keys|audit|auth/)${STREAMS}`;

describe("every service's routes under Schemathesis (generated from its own OpenAPI document)", () => {
  const apps = new Map<ServiceName, TestApp>();
  let database: Awaited<ReturnType<typeof createMigratedDatabase>>;
  let seeded: Record<string, string>;

  beforeAll(async () => {
    // a database of its own: the fuzzer follows names it reads (GET /api/models) into every route,
    // and must not reach the models other specs register at the same time, with artifacts elsewhere
    database = await createMigratedDatabase(testDatabaseUrl());
    // one namespace, so that the services hear each other's Kafka events and share the online store
    const shared = { DATABASE_URL: database.url, ATELIER_NAMESPACE: testNamespace('fuzz') };
    const start = async (name: ServiceName, env: Record<string, string> = {}) => {
      apps.set(name, await startTestApp(SERVICES.find((s) => s.name === name)!.modules, { ...shared, ...env }));
      return apps.get(name)!.baseUrl;
    };
    // each service reaches the others over HTTP, as when they run apart
    const registry = await start('registry');
    const featureStore = await start('feature-store');
    const peers = { REGISTRY_URL: registry, FEATURE_STORE_URL: featureStore };
    const urls = {
      registry,
      featureStore,
      training: await start('training', peers),
      serving: await start('serving', peers),
      monitoring: await start('monitoring', peers),
    };
    seeded = await seed(new AtelierClient({ baseUrl: registry, apiKey: apps.get('registry')!.adminKey, urls }), registry);
  });

  afterAll(async () => {
    for (const name of ['monitoring', 'serving', 'training', 'feature-store', 'registry'] as const) await apps.get(name)?.close();
    await database?.drop();
  });

  for (const [index, { name }] of SERVICES.entries()) {
    it(
      `${name}: no 5xx, only documented statuses and response shapes, and generated valid input accepted`,
      { timeout: 10 * 60_000 },
      async () => {
        expect(existsSync(ST), `${ST} is missing: npm test creates it (scripts/test.sh)`).toBe(true);
        const t = apps.get(name)!;
        const excluded = index === 0 ? EXCLUDED_ALWAYS : EXCLUDED_AFTER_FIRST;
        const document = (await (await fetch(`${t.baseUrl}/docs/openapi.json`)).json()) as { paths: Record<string, object> };
        const operations = Object.entries(document.paths)
          .filter(([route]) => !new RegExp(excluded).test(route))
          .reduce((n, [, methods]) => n + Object.keys(methods).length, 0);

        mkdirSync(REPORTS, { recursive: true });
        const json = path.join(REPORTS, `schemathesis-${name}.json`);
        const { code, output } = await run(
          ST,
          [
            '--config-file',
            path.join(CONFIG_DIR, `${name}.toml`),
            'run',
            `${t.baseUrl}/docs/openapi.json`,
            '--header',
            `Authorization: Bearer ${t.adminKey}`,
            '--seed',
            SEED,
            '--max-examples',
            EXAMPLES_PER_OPERATION,
            '--checks',
            'not_a_server_error,status_code_conformance,response_schema_conformance,content_type_conformance',
            '--workers',
            '1',
            '--request-timeout',
            '20',
            '--no-color',
            '--exclude-path-regex',
            excluded,
            '--report',
            'json',
            '--report-json-path',
            json,
          ],
          seeded,
          9 * 60_000,
        );
        writeFileSync(path.join(REPORTS, `schemathesis-${name}.txt`), output);
        expect(existsSync(json), `schemathesis wrote no report:\n${output.slice(-4000)}`).toBe(true);
        const report = summarize(JSON.parse(readFileSync(json, 'utf8')) as JsonReport);
        console.log(
          `[fuzz] ${name}: ${report.operations} operations, ${report.cases} cases, ${report.serverErrors} server errors, ${report.otherFailures} other failures, validation mismatches: ${report.mismatched.join(', ') || 'none'}, warnings: ${JSON.stringify(report.warnings)} (${REPORTS}/schemathesis-${name}.txt)`,
        );
        expect(code, `schemathesis found failures:\n${failuresOf(output)}`).toBe(0);
        expect(report.operations, 'operations tested').toBe(operations);
        // every operation's generated valid input must be accepted at times: refused throughout, the
        // schema promises more than the API takes (or the config names data the spec did not seed)
        expect(report.mismatched, 'operations whose generated valid input was all refused (4xx)').toEqual([]);
        // and no other warning: e.g. an operation answering mostly 404 (missing test data) tests nothing behind it
        expect(report.warnings, 'Schemathesis warnings').toEqual({});
      },
    );
  }
});

/**
 * What the config files in tools/fuzz/ name, as `${ATELIER_FUZZ_…}`: a model with a version (the
 * one-input logistic model of @atelier/testing) under the aliases `production` and `champion` and
 * a second one with a training baseline, a
 * feature group of the entity `airport` with rows online, a training job, a monitor that has
 * alerted and 40 to delete. Ids differ per run; the entity and aliases are named in the files.
 */
async function seed(client: AtelierClient, registryUrl: string): Promise<Record<string, string>> {
  const s = uniqueSuffix();
  const model = `fuzz-${s}`;
  await registerLogisticModel(client, model);
  await client.setAlias(model, 'production', 1);
  // a second version with a training baseline of its input, so that drift routes reach a baseline
  await client.createVersion(model, {
    modelType: 'logistic_regression',
    signature: { inputs: [{ name: 'distance', source: 'request', dtype: 'float' }], onnxInputs: DISTANCE_MODEL.features, outputs: ['probability', 'label'], task: 'binary_classification' },
    artifactBase64: Buffer.from(exportOnnx(DISTANCE_MODEL, { name: model })).toString('base64'),
    baseline: {
      features: [
        {
          name: 'distance',
          count: 4,
          missing: 0,
          mean: 500,
          std: 200,
          min: 200,
          max: 800,
          quantiles: {},
          histogram: { edges: [null, 400, 600, null], counts: [1, 2, 1] },
          sample: [200, 450, 550, 800],
        },
      ],
      prediction: null,
    },
  });
  const mlflow = async (route: string, body: unknown) => {
    const response = await fetch(`${registryUrl}/api/2.0/mlflow/${route}`, {
      method: 'POST',
      headers: authHeaders(),
      body: JSON.stringify(body),
    });
    expect(response.status, `${route}: ${await response.clone().text()}`).toBe(200);
  };
  await mlflow('registered-models/set-tag', { name: model, key: 'team', value: 'fuzz' });
  await mlflow('model-versions/set-tag', { name: model, version: '1', key: 'team', value: 'fuzz' });
  await mlflow('registered-models/alias', { name: model, alias: 'champion', version: '1' });

  const group = `fuzz_flights_${s}`;
  await client.createEntity({ name: 'airport', joinKey: 'airport', description: '' });
  await client.createFeatureGroup({
    name: group,
    entity: 'airport',
    features: [
      { name: 'delay', dtype: 'float', description: '' },
      { name: 'distance', dtype: 'float', description: '' },
    ],
    ttlSeconds: 30 * 24 * 3600,
    description: '',
  });
  const rows = Array.from({ length: 40 }, (_, i) => ({
    entityKey: i % 2 ? 'ORD' : 'SFO',
    eventTime: new Date(Date.UTC(2026, 0, 1 + (i % 14), i % 24)).toISOString(),
    values: { delay: (i * 7) % 40, distance: 300 + i * 10 },
  }));
  await client.ingestRows(group, rows, true);
  // an aggregation group over a group of departures (key `origin`), for its backfill route
  const departures = `fuzz_departures_${s}`;
  await client.createFeatureGroup({
    name: departures,
    entity: 'airport',
    features: [
      { name: 'origin', dtype: 'string', description: '' },
      { name: 'delay', dtype: 'float', description: '' },
    ],
    description: '',
  });
  await client.ingestRows(
    departures,
    rows.map((r) => ({ ...r, values: { origin: r.entityKey, delay: r.values.delay } })),
  );
  const windows = `fuzz_windows_${s}`;
  await client.createFeatureGroup({
    name: windows,
    entity: 'airport',
    aggregation: { source: departures, keyColumn: 'origin', windows: [{ name: 'mean_delay_1h', fn: 'mean', column: 'delay', seconds: 3600, kind: 'sliding' }] },
  });

  const job = await client.startTraining({
    modelName: `${model}-trained`,
    source: { group },
    window: { start: '2026-01-01T00:00:00Z', validationStart: '2026-01-10T00:00:00Z', end: '2026-01-15T00:00:00Z' },
    requestFeatures: ['distance'],
    label: 'delay > 15',
    modelType: 'logistic_regression',
    params: {},
  });

  // a prediction (which loads the model into serving) reaches monitoring over Kafka; the monitor
  // on the count of predictions then alerts
  await client.predict({ model, features: { distance: 733 } });
  const monitor = await client.createMonitor({
    name: 'fuzz predictions',
    model,
    metric: 'prediction_count',
    operator: 'gte',
    threshold: 0,
    minSamples: 1,
  });
  // one per positive case of the deletion (tools/fuzz/hooks.py), with some to spare
  const doomed = [];
  for (let i = 0; i < 40; i++) {
    doomed.push(await client.createMonitor({ name: `fuzz to delete ${i}`, model, metric: 'accuracy', operator: 'lt', threshold: 0.5 }));
  }
  const alert = await eventually(async () => (await client.evaluateMonitor(monitor.id)).alert?.id, 30_000, 500);

  return {
    ATELIER_FUZZ_MODEL: model,
    ATELIER_FUZZ_ARTIFACT: Buffer.from(exportOnnx(DISTANCE_MODEL, { name: model })).toString('base64'),
    ATELIER_FUZZ_GROUP: group,
    ATELIER_FUZZ_DEPARTURES: departures,
    ATELIER_FUZZ_AGGREGATION: windows,
    ATELIER_FUZZ_FEATURE: `${group}:delay`,
    ATELIER_FUZZ_JOB: job.id,
    ATELIER_FUZZ_MONITOR: monitor.id,
    ATELIER_FUZZ_MONITOR_TO_DELETE: doomed[0].id,
    ATELIER_FUZZ_MONITORS_TO_DELETE: doomed.map((m) => m.id).join(','),
    ATELIER_FUZZ_ALERT: alert,
  };
}

function run(
  command: string,
  args: string[],
  env: Record<string, string>,
  timeoutMs: number,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    // from the repository's root: the config files name tools/fuzz/hooks.py from there
    const child = spawn(command, args, {
      cwd: path.resolve('.'),
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: timeoutMs,
      env: { ...process.env, ...env, NO_COLOR: '1' },
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

/** The parts of Schemathesis's JSON report (`--report json`) the spec reads. */
interface JsonReport {
  operations: { tested: number } | null;
  test_cases: { generated: number };
  failures: Array<{ code: string; count: number }>;
  warnings: { validation_mismatch: string[] } & Record<string, string[]>;
}

function summarize(report: JsonReport) {
  const serverErrors = report.failures.filter((f) => f.code === 'ST101').reduce((n, f) => n + f.count, 0);
  return {
    operations: report.operations?.tested ?? 0,
    cases: report.test_cases.generated,
    serverErrors,
    otherFailures: report.failures.reduce((n, f) => n + f.count, 0) - serverErrors,
    mismatched: report.warnings.validation_mismatch,
    /** every warning Schemathesis gave (missing test data, low valid rate, …), by kind */
    warnings: Object.fromEntries(Object.entries(report.warnings).filter(([, operations]) => operations.length > 0)),
  };
}

function failuresOf(output: string): string {
  const start = output.indexOf('FAILURES');
  return (start >= 0 ? output.slice(start) : output).slice(0, 6000);
}
