import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type {
  AliasResponse,
  CreatedMonitorResponse,
  ModelResponse,
  ModelVersionDetail,
  ModelVersionResponse,
  MonitorEvaluation,
  MonitorResponse,
  PredictResponse,
  TrainingJobResponse,
} from '@atelier/contracts';
import { FeatureStoreModule } from '@atelier/feature-store';
import { exportOnnx } from '@atelier/ml';
import { MonitoringModule } from '@atelier/monitoring';
import { RegistryModule } from '@atelier/registry';
import { ServingModule } from '@atelier/serving';
import { DISTANCE_MODEL, registerLogisticModel, startTestApp, type TestApp, uniqueSuffix } from '@atelier/testing';
import { TrainingModule } from '@atelier/training';

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** P(delayed) of DISTANCE_MODEL at `distance`: sigmoid(0.5 · (distance − 300) / 100 − 0.2). */
const expected = (distance: number) => 1 / (1 + Math.exp(-(0.5 * ((distance - 300) / 100) - 0.2)));

/**
 * The `atelier` command run as a user runs it, in a child process (from the TypeScript sources),
 * against the real platform modules on Postgres, Redis and Kafka: what it prints, on which
 * stream, and its exit code.
 */
describe('atelier CLI against the platform (integration)', () => {
  let t: TestApp;
  const s = uniqueSuffix();
  const model = `cli-${s}`;
  const dir = mkdtempSync(path.join(tmpdir(), 'atelier-cli-int-'));

  const atelier = (args: string[], env: Record<string, string> = {}, input?: string): Promise<CliRun> =>
    new Promise((resolve) => {
      const options = {
        cwd: process.cwd(),
        env: { ...process.env, ATELIER_URL: t.baseUrl, ATELIER_API_KEY: t.adminKey, ...env },
        timeout: 60_000,
      };
      const child = execFile(process.execPath, ['-r', '@swc-node/register', 'apps/cli/src/main.ts', ...args], options, (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
      });
      child.stdin?.end(input ?? '');
    });

  beforeAll(async () => {
    t = await startTestApp([FeatureStoreModule, RegistryModule, ServingModule, TrainingModule, MonitoringModule], {
      TRAINING_WORKERS: '0',
    });
    await registerLogisticModel(t.client, model);
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  it('lists the models as one JSON document, and shows one', async () => {
    const listed = await atelier(['models', 'list', '--json']);
    expect(listed).toMatchObject({ code: 0, stderr: '' });
    const models = JSON.parse(listed.stdout) as ModelResponse[];
    expect(models.find((m) => m.name === model)).toMatchObject({ name: model, latestVersion: 1, aliases: {} });

    const shown = await atelier(['models', 'show', model]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`name            ${model}\n`);
    expect(shown.stdout).toContain('latest version  1\n');
  });

  it('lists the versions with their signature', async () => {
    const human = await atelier(['versions', model]);
    expect(human.code).toBe(0);
    expect(human.stdout.split('\n')[1]).toMatch(/^1 +logistic_regression +binary_classification +- +- +\d{4}-\d\d-\d\d \d\d:\d\dZ$/);
    const versions = JSON.parse((await atelier(['versions', model, '--json'])).stdout) as ModelVersionResponse[];
    expect(versions.map((v) => [v.version, v.signature.inputs.map((i) => i.name)])).toEqual([[1, ['distance']]]);
  });

  it('points an alias at a version, reads it back, and predicts through it', async () => {
    const set = await atelier(['alias', 'set', model, 'production', '1']);
    expect(set).toEqual({ code: 0, stdout: `${model}@production -> v1 (new alias)\n`, stderr: '' });
    const moved = JSON.parse((await atelier(['alias', 'set', model, 'production', '1', '--json'])).stdout) as AliasResponse;
    expect(moved).toMatchObject({ model, alias: 'production', version: 1, previousVersion: 1 });
    const got = JSON.parse((await atelier(['alias', 'get', model, 'production', '--json'])).stdout) as ModelVersionDetail;
    expect(got).toMatchObject({ model, version: 1, aliases: ['production'] });

    const predicted = await atelier(['predict', model, '--feature', 'distance=500', '--json']);
    expect(predicted.stderr).toBe('');
    const answer = JSON.parse(predicted.stdout) as PredictResponse;
    expect(answer).toMatchObject({ model, version: 1, alias: 'production', inputs: { distance: 500 }, missing: [] });
    expect(answer.prediction).toBeCloseTo(expected(500), 5);

    const human = await atelier(['predict', model, '--version', '1', '--feature', 'distance=300']);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain(`prediction  ${Number(expected(300).toPrecision(4))}\n`);
    expect(human.stdout).toContain(`model       ${model} v1\n`);
  });

  it('creates, lists, changes, evaluates and deletes a monitor', async () => {
    const created = await atelier([
      'monitors',
      'create',
      model,
      'floor',
      '--metric',
      'prediction_count',
      '--when',
      'lt',
      '--threshold',
      '5',
      '--json',
    ]);
    expect(created.stderr).toBe('');
    const monitor = JSON.parse(created.stdout) as CreatedMonitorResponse;
    expect(monitor).toMatchObject({
      model,
      name: 'floor',
      metric: 'prediction_count',
      operator: 'lt',
      threshold: 5,
      windowSeconds: 3600,
      problem: null,
    });

    const listed = await atelier(['monitors', '--model', model]);
    expect(listed.code).toBe(0);
    expect(listed.stdout.split('\n')[1]).toMatch(new RegExp(`^${monitor.id} +${model} +floor +prediction_count < 5 +3600 s +10 +on +-$`));

    const changed = JSON.parse(
      (await atelier(['monitors', 'set', monitor.id, '--threshold', '3', '--window', '600', '--json'])).stdout,
    ) as MonitorResponse;
    expect(changed).toMatchObject({ threshold: 3, windowSeconds: 600, enabled: true });
    const evaluation = JSON.parse((await atelier(['monitors', 'evaluate', monitor.id, '--json'])).stdout) as MonitorEvaluation;
    // the model's predictions of the last 10 minutes (the cases before this one predicted with it)
    expect(evaluation).toMatchObject({ monitorId: monitor.id, value: expect.any(Number), problem: null });
    expect(evaluation.breached).toBe(evaluation.value! < 3);

    const refused = await atelier(['monitors', 'create', model, 'errors', '--metric', 'rmse', '--when', 'gt', '--threshold', '1']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('metric rmse does not apply to a binary classification model');

    expect(await atelier(['monitors', 'delete', monitor.id])).toEqual({ code: 0, stdout: `monitor ${monitor.id}: deleted\n`, stderr: '' });
    expect((await atelier(['monitors', 'delete', monitor.id])).code).toBe(1);
  });

  it('uploads an ONNX file, with a signature file or with the signature read from the graph', async () => {
    const onnx = path.join(dir, 'distance.onnx');
    writeFileSync(onnx, exportOnnx(DISTANCE_MODEL, { name: 'uploaded' }));
    const signature = path.join(dir, 'signature.json');
    writeFileSync(
      signature,
      JSON.stringify({
        inputs: [{ name: 'distance', source: 'request', dtype: 'float' }],
        onnxInputs: ['distance'],
        outputs: ['probability', 'label'],
        task: 'binary_classification',
      }),
    );
    const uploaded = `cli-up-${s}`;
    const declared = await atelier([
      'models',
      'upload',
      uploaded,
      onnx,
      '--signature',
      signature,
      '--description',
      'by hand',
      '--alias',
      'production',
      '--json',
    ]);
    expect(declared.stderr).toBe('');
    expect(JSON.parse(declared.stdout)).toMatchObject({ model: uploaded, version: 1, modelType: 'onnx', aliases: ['production'] });

    const inferred = await atelier(['models', 'upload', uploaded, onnx]);
    expect(inferred.stderr).toBe('');
    expect(inferred.stdout).toContain(`registered ${uploaded} version 2\n`);
    // the version answers with the signature the registry read from the graph
    const versions = JSON.parse((await atelier(['versions', uploaded, '--json'])).stdout) as ModelVersionResponse[];
    expect(versions.map((v) => [v.version, v.signature.inputs.map((i) => i.name)])).toEqual([
      [2, ['distance']],
      [1, ['distance']],
    ]);
    const predicted = JSON.parse(
      (await atelier(['predict', uploaded, '--version', '2', '--feature', 'distance=400', '--json'])).stdout,
    ) as PredictResponse;
    expect(predicted).toMatchObject({ model: uploaded, version: 2, inputs: { distance: 400 }, label: 1 });
  });

  it('signs in with a key piped to `atelier login`, and later commands use the saved key', async () => {
    const config = path.join(dir, 'login', 'config.json');
    const env = { ATELIER_URL: '', ATELIER_API_KEY: '', ATELIER_CONFIG: config };
    const login = await atelier(['login', '--url', t.baseUrl], env, `${t.adminKey}\n`);
    expect(login).toMatchObject({ code: 0, stderr: '' });
    expect(login.stdout).toMatch(new RegExp(`^signed in to ${t.baseUrl} as \\S+ \\(admin, key atl_\\w{8}…\\); saved in ${config}\\n$`));
    const listed = await atelier(['models', 'list', '--json'], env);
    expect(listed.code).toBe(0);
    expect((JSON.parse(listed.stdout) as ModelResponse[]).map((m) => m.name)).toContain(model);
    expect((await atelier(['whoami'], env)).stdout).toMatch(/^platform +http:\/\/127\.0\.0\.1:\d+\n/);
    expect((await atelier(['logout'], env)).code).toBe(0);
    expect((await atelier(['models', 'list'], env)).code).toBe(1);
  });

  it('says in plain words what is wrong: exit 1 for what the API refuses, 2 for wrong usage', async () => {
    const unknown = await atelier(['models', 'show', `nope-${s}`]);
    expect(unknown).toEqual({ code: 1, stdout: '', stderr: `error: model "nope-${s}" does not exist (404 NOT_FOUND)\n` });
    const unknownPredict = await atelier(['predict', `nope-${s}`, '--feature', 'distance=1', '--json']);
    expect(unknownPredict.code).toBe(1);
    expect(unknownPredict.stdout).toBe('');
    expect(unknownPredict.stderr).toMatch(new RegExp(`^error: .*nope-${s}.* \\(404 NOT_FOUND\\)\\n$`));
    const badKey = await atelier(['models', 'list', '--api-key', 'atl_not_a_key']);
    expect(badKey.code).toBe(1);
    expect(badKey.stderr).toMatch(/\(401 UNAUTHENTICATED\)\nhint: set ATELIER_API_KEY, pass --api-key, or run `atelier login`\n$/);

    const usage = await atelier(['predict', model, '--version', 'latest']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("argument 'latest' is invalid. expected a version number");
    expect((await atelier(['models'])).code).toBe(2);
    for (const failed of [unknown, unknownPredict, badKey, usage]) expect(failed.stderr).not.toMatch(/\n\s+at /);
  });

  it('trains from a YAML request with --watch, exits 1 when the job fails, and cancels a job', async () => {
    const group = `cli_rows_${s}`;
    await t.client.createEntity({ name: `cli_row_${s}`, joinKey: 'row', description: '' });
    await t.client.createFeatureGroup({
      name: group,
      entity: `cli_row_${s}`,
      ttlSeconds: 86_400,
      description: '',
      features: [
        { name: 'x', dtype: 'float', description: '' },
        { name: 'y', dtype: 'int', description: '' },
      ],
    });
    const start = Date.parse('2001-01-01T00:00:00Z');
    const rows = Array.from({ length: 400 }, (_, i) => {
      const x = Math.sin(i * 12.9898) * 2;
      return { entityKey: `r${i}`, eventTime: new Date(start + i * 3_600_000).toISOString(), values: { x, y: x > 0 ? 1 : 0 } };
    });
    await t.client.ingestRows(group, rows);
    const request = (name: string, label: string, epochs: number, batchSize: number) =>
      [
        `modelName: ${name}`,
        'modelType: logistic_regression',
        `source: { group: ${group} }`,
        'window: { start: "2001-01-01T00:00:00Z", validationStart: "2001-01-13T00:00:00Z", end: "2001-01-18T00:00:00Z" }',
        'requestFeatures: [x]',
        `label: "${label}"`,
        `params: { solver: adam, epochs: ${epochs}, batchSize: ${batchSize} }`, // epochs: mini-batch Adam, not the default L-BFGS
      ].join('\n');
    const good = path.join(dir, 'good.yaml');
    writeFileSync(good, request(`cli-trained-${s}`, 'y > 0', 3, 32));
    const trained = await atelier(['train', good, '--watch', '--interval', '0.2']);
    expect(trained.stderr).toBe('');
    expect(trained.code).toBe(0);
    const lines = trained.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^started training job [0-9a-f-]{36} for cli-trained-/);
    expect(lines.some((l) => /^100% {2}succeeded/.test(l))).toBe(true);
    expect(lines.some((l) => /^ *\d+% {2}\w+ {2}epoch \d\/3: loss \d/.test(l))).toBe(true);
    expect(trained.stdout).toMatch(new RegExp(`training job [0-9a-f-]{36} succeeded: cli-trained-${s} version 1\\nmetrics  .*auc=`));
    expect(trained.stdout).not.toContain('\r');

    const bad = path.join(dir, 'bad.yaml');
    writeFileSync(bad, request(`cli-failing-${s}`, 'nope > 0', 3, 32));
    const failing = await atelier(['train', bad, '--watch', '--interval', '0.2', '--json']);
    expect(failing.code).toBe(1);
    const failedJob = JSON.parse(failing.stdout) as TrainingJobResponse;
    expect(failedJob.status).toBe('failed');
    expect(failing.stderr).toContain(`error: training job ${failedJob.id} failed: ${failedJob.error}\n`);

    const long = path.join(dir, 'long.yaml');
    writeFileSync(long, request(`cli-long-${s}`, 'y > 0', 500, 1));
    const started = JSON.parse((await atelier(['train', long, '--json'])).stdout) as TrainingJobResponse;
    const cancelled = await atelier(['jobs', 'cancel', started.id]);
    expect(cancelled).toEqual({ code: 0, stdout: `training job ${started.id}: cancelled\n`, stderr: '' });
    const listed = JSON.parse((await atelier(['jobs', '--json'])).stdout) as TrainingJobResponse[];
    expect(listed.filter((j) => [started.id, failedJob.id].includes(j.id)).map((j) => j.status)).toEqual(['cancelled', 'failed']);
  }, 180_000);
});
