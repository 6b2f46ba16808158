import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { AuditEventResponse, CreatedApiKeyResponse, ModelResponse } from '@atelier/contracts';
import { RegistryModule } from '@atelier/registry';
import { ServingModule } from '@atelier/serving';
import { DISTANCE_MODEL, eventually, registerLogisticModel, startTestApp, type TestApp, uniqueSuffix } from '@atelier/testing';

const PYTHON = path.resolve('.atelier/venvs/interop/bin/python');
const SCRIPT = path.resolve('tools/interop/mlflow_client_check.py');

interface ClientVersion {
  name: string;
  version: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  current_stage: string;
  description: string;
  source: string;
  run_id: string;
  status: string;
  tags: Record<string, string>;
  aliases: string[];
}
interface ClientModel {
  name: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  description: string;
  latest_versions: ClientVersion[];
  tags: Record<string, string>;
  aliases: Record<string, string>;
}
/** What tools/interop/mlflow_client_check.py saw through `MlflowClient`. */
interface ClientReport {
  search_exact: string[];
  search_pages: string[][];
  search_ilike: string[];
  model: ClientModel;
  version: ClientVersion;
  download_uri: string;
  latest_versions: string[];
  by_alias: ClientVersion;
  model_after: ClientModel;
  search_by_tag: string[];
  versions: ClientVersion[];
  version_tags_after_delete: Record<string, string>;
  errors: Record<string, string | null>;
}

describe("the MLflow Model Registry API, driven by MLflow's own Python client", () => {
  let t: TestApp;
  const prefix = `mlf-${uniqueSuffix()}`;
  const model = `${prefix}-delay`;
  const other = `${prefix}-other`;
  const owner = `mlflow-user-${uniqueSuffix()}`;
  const keys = { editor: '', viewer: '' };
  let report: ClientReport;

  const api = (method: string, route: string, key: string | undefined, body?: unknown) =>
    fetch(`${t.baseUrl}${route}`, {
      method,
      headers: {
        ...(key ? { authorization: `Bearer ${key}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  beforeAll(async () => {
    t = await startTestApp([RegistryModule, ServingModule]);
    for (const role of ['editor', 'viewer'] as const) {
      const created = await api('POST', '/api/keys', t.adminKey, { name: `mlflow ${role}`, owner, role });
      expect(created.status).toBe(201);
      keys[role] = ((await created.json()) as CreatedApiKeyResponse).key;
    }
    // two versions that predict differently, another model under the same prefix, one outside it
    await registerLogisticModel(t.client, model);
    await registerLogisticModel(t.client, model, { ...DISTANCE_MODEL, weights: [-0.5] });
    await registerLogisticModel(t.client, other);
    await registerLogisticModel(t.client, `x${prefix}`);
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  it('reads, searches, tags, describes and moves aliases through MlflowClient', async () => {
    expect(existsSync(PYTHON), `${PYTHON} is missing: npm test creates it from tools/interop/requirements.txt`).toBe(true);
    const { stdout } = await promisify(execFile)(PYTHON, [SCRIPT, '--tracking-uri', t.baseUrl, '--model', model, '--prefix', prefix], {
      timeout: 120_000,
      env: {
        ...process.env,
        MLFLOW_TRACKING_TOKEN: keys.editor,
        MLFLOW_DISABLE_TELEMETRY: 'true',
        DO_NOT_TRACK: 'true',
        // a failure shows at once instead of after the client's retries
        MLFLOW_HTTP_REQUEST_MAX_RETRIES: '0',
        NO_PROXY: '127.0.0.1,localhost',
        no_proxy: '127.0.0.1,localhost',
      },
    });
    report = JSON.parse(stdout) as ClientReport;

    // search: a filter, pages of one (MLflow's page tokens), ILIKE, order
    expect(report.search_exact).toEqual([model]);
    expect(report.search_pages).toEqual([[model], [other]]);
    expect(report.search_ilike).toEqual([other, model]);

    // a model and a version as MLflow shows them
    const atelier = (await (await api('GET', `/api/models/${model}`, keys.viewer)).json()) as ModelResponse;
    expect(report.model).toEqual({
      name: model,
      creation_timestamp: Date.parse(atelier.createdAt),
      last_updated_timestamp: expect.any(Number),
      description: '',
      latest_versions: [expect.objectContaining({ name: model, version: '2', current_stage: 'None', status: 'READY' })],
      tags: {},
      aliases: {},
    });
    expect(report.model.last_updated_timestamp).toBeGreaterThanOrEqual(report.model.creation_timestamp);
    expect(report.version).toEqual({
      name: model,
      version: '1',
      creation_timestamp: expect.any(Number),
      last_updated_timestamp: expect.any(Number),
      current_stage: 'None',
      description: '',
      source: `local://${model}/1/model.onnx`,
      run_id: '',
      status: 'READY',
      tags: {},
      aliases: [],
    });
    expect(report.download_uri).toBe(`local://${model}/1/model.onnx`);
    expect(report.latest_versions).toEqual(['2']);

    // after the changes: tags, descriptions, the alias
    expect(report.by_alias).toMatchObject({
      version: '1',
      aliases: ['champion'],
      description: 'the first version',
      tags: { validated: 'yes' },
    });
    expect(report.model_after).toMatchObject({
      description: 'delay > 15 minutes, from MLflow',
      tags: { team: 'ops' },
      aliases: { champion: '1' },
    });
    expect(report.search_by_tag).toEqual([model]);
    expect(report.versions.map((v) => [v.version, v.aliases, v.tags])).toEqual([
      ['1', ['champion'], { validated: 'yes' }],
      ['2', [], {}],
    ]);
    expect(report.version_tags_after_delete).toEqual({});

    // errors arrive as MLflow's error codes
    expect(report.errors).toEqual({
      missing_model: 'RESOURCE_DOES_NOT_EXIST',
      missing_version: 'RESOURCE_DOES_NOT_EXIST',
      missing_alias: 'INVALID_PARAMETER_VALUE',
      bad_filter: 'INVALID_PARAMETER_VALUE',
      create_model: 'NOT_IMPLEMENTED',
    });
  }, 180_000);

  it("moved the alias with Atelier's own alias move: on its API and in the model's audit log, by the key's owner", async () => {
    expect(report, 'the client run above must pass first').toBeDefined();
    const atelier = (await (await api('GET', `/api/models/${model}`, keys.viewer)).json()) as ModelResponse;
    expect(atelier).toMatchObject({ description: 'delay > 15 minutes, from MLflow', aliases: { champion: 1 }, latestVersion: 2 });

    const log = (await (await api('GET', `/api/models/${model}/audit`, keys.viewer)).json()) as Array<{
      action: string;
      payload: unknown;
      actor: string;
    }>;
    const byOwner = log.filter((e) => e.actor === owner).map((e) => [e.action, e.payload]);
    expect(byOwner).toEqual(
      expect.arrayContaining([
        ['alias-moved', { alias: 'champion', version: 1, previousVersion: null }],
        ['alias-moved', { alias: 'challenger', version: 2, previousVersion: null }],
        ['alias-removed', { alias: 'challenger', previousVersion: 2 }],
        ['tag-set', { key: 'team', value: 'ops' }],
        ['tag-deleted', { key: 'temporary' }],
        ['version-tag-set', { version: 1, key: 'validated', value: 'yes' }],
        ['version-tag-deleted', { version: 1, key: 'validated' }],
        ['description-updated', { description: 'delay > 15 minutes, from MLflow' }],
        ['version-description-updated', { version: 1, description: 'the first version' }],
      ]),
    );
    // and, like every change, in the platform's audit log under the key's owner
    const changes = await eventually(async () => {
      const response = await api('GET', `/api/audit?actor=${owner}&subject=/api/2.0/mlflow/registered-models/alias`, t.adminKey);
      const events = (await response.json()) as AuditEventResponse[];
      return events.length >= 3 ? events : undefined;
    }, 5_000);
    expect(changes.map((e) => e.action).sort()).toEqual([
      'DELETE /api/2.0/mlflow/registered-models/alias',
      'POST /api/2.0/mlflow/registered-models/alias',
      'POST /api/2.0/mlflow/registered-models/alias',
    ]);
  });

  it('serving hot-loads the version an alias set through the MLflow API points at', async () => {
    const predict = async () => {
      const response = await api('POST', '/api/predict', t.adminKey, { model, alias: 'champion', features: { distance: 500 } });
      expect(response.status).toBe(200);
      return (await response.json()) as { version: number; alias: string; prediction: number };
    };
    const before = await predict();
    expect(before).toMatchObject({ version: 1, alias: 'champion' });
    const moved = await api('POST', '/api/2.0/mlflow/registered-models/alias', keys.editor, {
      name: model,
      alias: 'champion',
      version: '2',
    });
    expect(moved.status).toBe(200);
    expect(await moved.json()).toEqual({});
    const after = await eventually(async () => {
      const p = await predict();
      return p.version === 2 ? p : undefined;
    }, 30_000);
    expect(after.prediction).not.toBeCloseTo(before.prediction, 6);

    // removed through MLflow's API: serving forgets the alias and asks the registry again (404)
    const removed = await api('DELETE', '/api/2.0/mlflow/registered-models/alias', keys.editor, { name: model, alias: 'champion' });
    expect(removed.status).toBe(200);
    const gone = await eventually(async () => {
      const response = await api('POST', '/api/predict', t.adminKey, { model, alias: 'champion', features: { distance: 500 } });
      return response.status === 404 ? ((await response.json()) as { message: string }) : undefined;
    }, 30_000);
    expect(gone.message).toContain('champion');
  });

  it("answers in MLflow's error shape with Atelier's roles; Atelier's own routes keep Atelier's", async () => {
    const anonymous = await api('GET', `/api/2.0/mlflow/registered-models/get?name=${model}`, undefined);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toEqual({ error_code: 'UNAUTHENTICATED', message: expect.stringContaining('API key') });

    // a viewer reads (also latest versions, which MLflow's client asks for by POST) but does not change
    expect((await api('GET', `/api/2.0/mlflow/registered-models/get?name=${model}`, keys.viewer)).status).toBe(200);
    expect((await api('POST', '/api/2.0/mlflow/registered-models/get-latest-versions', keys.viewer, { name: model })).status).toBe(200);
    const refused = await api('POST', '/api/2.0/mlflow/registered-models/alias', keys.viewer, {
      name: model,
      alias: 'champion',
      version: '1',
    });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({ error_code: 'PERMISSION_DENIED', message: 'the viewer role cannot make changes' });

    const invalid = await api('POST', '/api/2.0/mlflow/registered-models/alias', keys.editor, { name: model, alias: 'v3', version: '1' });
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toEqual({
      error_code: 'INVALID_PARAMETER_VALUE',
      message: 'invalid alias: aliases of the form v<number> are reserved for versions',
    });

    const missing = await api('GET', `/api/2.0/mlflow/model-versions/get?name=${model}&version=9`, keys.viewer);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({
      error_code: 'RESOURCE_DOES_NOT_EXIST',
      message: `Model Version (name=${model}, version=9) not found`,
    });

    // a body refused before any route runs, too
    const notJson = await fetch(`${t.baseUrl}/api/2.0/mlflow/registered-models/set-tag`, {
      method: 'POST',
      headers: { authorization: `Bearer ${keys.editor}`, 'content-type': 'application/json' },
      body: '{"name": ',
    });
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toEqual({ error_code: 'INVALID_PARAMETER_VALUE', message: expect.stringContaining('JSON') });

    const unknown = await api('GET', '/api/2.0/mlflow/experiments/list', keys.viewer);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({
      error_code: 'ENDPOINT_NOT_FOUND',
      message: 'No API endpoint GET /api/2.0/mlflow/experiments/list',
    });

    // the same API under MLflow's UI prefix
    const ajax = await api('GET', `/api/2.0/mlflow/registered-models/get?name=${model}`.replace('/api/', '/ajax-api/'), keys.viewer);
    expect(((await ajax.json()) as { registered_model: { name: string } }).registered_model.name).toBe(model);

    const atelier = await api('GET', `/api/models/${prefix}-missing`, keys.viewer);
    expect(atelier.status).toBe(404);
    expect(await atelier.json()).toMatchObject({ code: 'NOT_FOUND', requestId: expect.any(String) });
  });
});
