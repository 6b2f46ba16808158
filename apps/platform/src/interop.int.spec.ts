import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { ModelResponse, ModelVersionResponse, OipInferResponse, OipModelMetadata, PredictResponse } from '@atelier/contracts';
import { exportOnnx } from '@atelier/ml';
import { MonitoringModule, PredictionEventsConsumer } from '@atelier/monitoring';
import { RegistryModule } from '@atelier/registry';
import { ServingModule } from '@atelier/serving';
import { DISTANCE_MODEL, eventually, registerLogisticModel, startTestApp, type TestApp, uniqueSuffix } from '@atelier/testing';

const run = promisify(execFile);
const PYTHON = path.resolve('.atelier/venvs/interop/bin/python');
const TOOLS = path.resolve('tools/interop');

/** What make_sklearn_models.py writes beside each model: column names, test rows, scikit-learn's answers. */
interface Fixture {
  columns: string[];
  rows: number[][];
  classes?: Array<number | string>;
  predict: Array<number | string>;
  /** models fitted on class names: the true classes of the test rows */
  truth?: string[];
  predict_proba?: number[][];
}

interface TritonReport {
  live: boolean;
  ready: boolean;
  server: { name: string; extensions: string[] };
  model_ready: boolean;
  metadata: OipModelMetadata;
  json: { id: string; outputs: Record<string, { shape: number[]; datatype: string; data: Array<number | string> }> };
  binary: { id: string; outputs: Record<string, { shape: number[]; datatype: string; data: Array<number | string> }> };
  reference: Record<string, Array<number | string>>;
  error: { status: string; message: string } | null;
}

describe('interoperability: models made elsewhere, and real clients (scikit-learn + skl2onnx, tritonclient)', () => {
  let t: TestApp;
  let dir: string;
  const suffix = uniqueSuffix();
  const name = (base: string) => `${base}-${suffix}`;
  const fixture = (model: string) => JSON.parse(readFileSync(path.join(dir, `${model}.json`), 'utf8')) as Fixture;
  const auth = () => ({ authorization: `Bearer ${t.adminKey}` });

  /** multipart/form-data, as a browser or curl -F sends it */
  const upload = (model: string, file: Uint8Array, fields: Record<string, string> = {}) => {
    const form = new FormData();
    form.set('file', new Blob([new Uint8Array(file)]), 'model.onnx');
    for (const [k, v] of Object.entries(fields)) form.set(k, v);
    return fetch(`${t.baseUrl}/api/models/${model}/versions/upload`, { method: 'POST', headers: auth(), body: form });
  };
  const predict = async (body: unknown) => {
    const response = await fetch(`${t.baseUrl}/api/predict`, {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(response.status, await response.clone().text()).toBe(200);
    return (await response.json()) as { predictions: PredictResponse[] };
  };
  const oipInfer = async (model: string, rows: number[][]) => {
    const response = await fetch(`${t.baseUrl}/v2/models/${model}/infer`, {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'application/json' },
      body: JSON.stringify({ inputs: [{ name: 'X', shape: [rows.length, rows[0]!.length], datatype: 'FP32', data: rows.flat() }] }),
    });
    expect(response.status, await response.clone().text()).toBe(200);
    return (await response.json()) as OipInferResponse;
  };
  /** `atelier models upload …` from the sources, as a team's script would run the CLI */
  const cliUpload = async (model: string, file: string, ...options: string[]): Promise<ModelVersionResponse> => {
    const args = [
      '-r',
      '@swc-node/register',
      'apps/cli/src/main.ts',
      'models',
      'upload',
      model,
      file,
      '--alias',
      'production',
      '--json',
      ...options,
    ];
    const env = { ...process.env, ATELIER_URL: t.baseUrl, ATELIER_API_KEY: t.adminKey };
    const { stdout } = await run(process.execPath, args, { env, timeout: 60_000 });
    return JSON.parse(stdout) as ModelVersionResponse;
  };
  const byColumns = (columns: string[], row: number[]) => Object.fromEntries(columns.map((c, i) => [c, row[i]!]));

  beforeAll(async () => {
    expect(existsSync(PYTHON), `${PYTHON} is missing: npm test creates it (scripts/test.sh)`).toBe(true);
    dir = mkdtempSync(path.join(tmpdir(), 'atelier-interop-'));
    await run(PYTHON, [path.join(TOOLS, 'make_sklearn_models.py'), dir], { timeout: 120_000 });
    t = await startTestApp([RegistryModule, ServingModule, MonitoringModule]);
    await t.app.get(PredictionEventsConsumer).whenRunning();
  }, 180_000);

  afterAll(async () => {
    await t?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a scaled logistic regression (binary, ZipMap output), uploaded with the CLI with named columns, answers as scikit-learn does', async () => {
    const model = name('breast-cancer-lr');
    const f = fixture('breast-cancer-lr');
    const version = await cliUpload(
      model,
      path.join(dir, 'breast-cancer-lr.onnx'),
      '--columns',
      `X=${f.columns.join(',')}`,
      '--description',
      'skl2onnx pipeline',
    );
    expect(version.description).toBe('skl2onnx pipeline');
    // read from the graph: one [N, 30] input, label + ZipMap outputs, two classes
    expect(version.signature).toMatchObject({
      task: 'binary_classification',
      onnxInputs: ['X'],
      roles: { label: 'output_label', probabilities: 'output_probability', classes: [0, 1] },
    });
    expect(version.signature.tensors).toEqual([{ name: 'X', elementType: 'float', columns: f.columns, rank: 2 }]);
    expect(version.graph).toMatchObject({
      producer: expect.stringMatching(/^skl2onnx/),
      opsets: { '': 17 },
      inputs: [{ name: 'X', type: 'tensor(float)[?,30]' }],
    });
    expect(version.graph!.operators).toContain('ai.onnx.ml:ZipMap');

    const answer = await predict({ model, rows: f.rows.map((row) => ({ features: byColumns(f.columns, row) })) });
    answer.predictions.forEach((p, i) => {
      expect(p.prediction).toBeCloseTo(f.predict_proba![i]![1]!, 5);
      expect(p.label).toBe(f.predict[i]);
    });
    const oip = await oipInfer(model, f.rows);
    expect(oip.outputs.map((o) => o.name)).toEqual(['output_label', 'probabilities']);
    expect(oip.outputs[1]!.shape).toEqual([f.rows.length, 2]);
    expect(maxDifference(oip.outputs[1]!.data as number[], f.predict_proba!.flat())).toBeLessThan(1e-5);
  });

  it('a random forest on iris (multi-class, probability tensor), uploaded with the CLI, answers every class probability as scikit-learn does', async () => {
    const model = name('iris-rf');
    const f = fixture('iris-rf');
    // uploaded with the CLI, no column names given: X_0 … X_3
    const version = await cliUpload(model, path.join(dir, 'iris-rf.onnx'));
    expect(version.aliases).toEqual(['production']);
    expect(version.signature.inputs.map((i) => i.name)).toEqual(['X_0', 'X_1', 'X_2', 'X_3']);
    expect(version.signature).toMatchObject({
      task: 'multiclass_classification',
      roles: { label: 'label', probabilities: 'probabilities', classes: [0, 1, 2] },
    });

    const answer = await predict({ model, rows: f.rows.map((row) => ({ features: byColumns(['X_0', 'X_1', 'X_2', 'X_3'], row) })) });
    answer.predictions.forEach((p, i) => {
      expect(p.label).toBe(f.predict[i]);
      expect(Object.keys(p.probabilities!)).toEqual(['0', '1', '2']);
      expect(maxDifference(Object.values(p.probabilities!), f.predict_proba![i]!)).toBeLessThan(1e-5);
      expect(p.prediction).toBeCloseTo(p.probabilities![String(p.label)]!, 6);
    });
    const oip = await oipInfer(model, f.rows);
    expect(oip.outputs.find((o) => o.name === 'label')!.data).toEqual(f.predict);
    expect(maxDifference(oip.outputs.find((o) => o.name === 'probabilities')!.data as number[], f.predict_proba!.flat())).toBeLessThan(
      1e-5,
    );
    // OIP rows are in the prediction log too: monitoring counts both calls' rows, by class
    const ids = String(oip.parameters?.atelier_prediction_ids ?? '').split(',');
    expect(ids).toHaveLength(f.rows.length);
    const stats = await eventually(async () => {
      const st = await t.client.modelStats(model, 3600);
      return st.predictions === 2 * f.rows.length ? st : undefined;
    });
    const counted = Object.fromEntries(stats.classes.map((c) => [c.label, c.predicted]));
    expect(counted).toEqual(Object.fromEntries([0, 1, 2].map((c) => [String(c), 2 * f.predict.filter((p) => p === c).length])));
    await t.client.recordOutcome({ predictionId: ids[0]!, value: f.predict[0]!, observedAt: new Date().toISOString() });
    await eventually(async () => ((await t.client.modelStats(model, 3600)).outcomes === 1 ? true : undefined));
  });

  it('models whose classes are names (iris species, a binary pipeline) answer by name, and monitoring judges outcomes given by name', async () => {
    const distance = name('distance-numbers');
    await registerLogisticModel(t.client, distance);
    await setProduction(distance, 1);
    for (const base of ['iris-names', 'breast-cancer-names']) {
      const model = name(base);
      const f = fixture(base);
      const classes = f.classes as string[];
      const response = await upload(model, readFileSync(path.join(dir, `${base}.onnx`)), { columns: JSON.stringify({ X: f.columns }) });
      expect(response.status, await response.clone().text()).toBe(201);
      const version = (await response.json()) as ModelVersionResponse;
      expect(version.signature.roles).toMatchObject({ classes });
      await setProduction(model, version.version);

      const answer = await predict({ model, rows: f.rows.map((row) => ({ features: byColumns(f.columns, row) })) });
      answer.predictions.forEach((p, i) => {
        expect(p.label).toBe(f.predict[i]);
        expect(Object.keys(p.probabilities!)).toEqual(classes);
        expect(maxDifference(Object.values(p.probabilities!), f.predict_proba![i]!)).toBeLessThan(1e-5);
      });
      await eventually(async () => ((await t.client.modelStats(model, 3600)).predictions === f.rows.length ? true : undefined));

      // the true classes by name, the first three replaced by a class the model did not choose
      const truth = f.truth!.map((c, i) => (i < 3 ? classes.find((k) => k !== f.predict[i])! : c));
      await t.client.recordOutcomes(answer.predictions.map((p, i) => ({ predictionId: p.predictionId, value: truth[i]! })));
      const stats = await eventually(async () => {
        const st = await t.client.modelStats(model, 3600);
        return st.outcomes === f.rows.length ? st : undefined;
      });
      const right = truth.filter((c, i) => c === f.predict[i]).length;
      // −ln of the probability the served answer gave the true class (float32 in ONNX, so not scikit-learn's own)
      const logLoss =
        truth.reduce((sum, c, i) => sum - Math.log(Math.max(answer.predictions[i]!.probabilities![c]!, 1e-15)), 0) / truth.length;
      expect(stats.accuracy).toBeCloseTo(right / truth.length, 9);
      expect(stats.logLoss).toBeCloseTo(logLoss, 6);
      const observed = Object.fromEntries(stats.classes.map((c) => [c.label, c.outcomes]));
      expect(observed).toEqual(Object.fromEntries(classes.map((c) => [c, truth.filter((x) => x === c).length]).filter(([, n]) => n !== 0)));
    }

    // a class name for a prediction without class names (classes 0/1) is refused, nothing recorded
    const [numeric] = (await predict({ model: distance, rows: [{ features: { distance: 800 } }] })).predictions;
    await eventually(async () => ((await t.client.modelStats(distance, 3600)).predictions === 1 ? true : undefined));
    const refused = await fetch(`${t.baseUrl}/api/outcomes`, {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'application/json' },
      body: JSON.stringify({ predictionId: numeric!.predictionId, value: 'benign' }),
    });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { message: string }).message).toContain('not a class name');
  });

  it('a gradient-boosting regressor, uploaded with the CLI, answers values as scikit-learn does (float32 trees: within 1e-5 relative)', async () => {
    const model = name('diabetes-gbr');
    const f = fixture('diabetes-gbr');
    // uploaded with the CLI, its columns named
    const version = await cliUpload(model, path.join(dir, 'diabetes-gbr.onnx'), '--columns', `X=${f.columns.join(',')}`);
    expect(version.signature).toMatchObject({ task: 'regression', roles: { label: null, probabilities: null, value: 'variable' } });
    expect(version.signature.inputs.map((i) => i.name)).toEqual(f.columns);

    const answer = await predict({ model, rows: f.rows.map((row) => ({ features: byColumns(f.columns, row) })) });
    answer.predictions.forEach((p, i) => {
      expect(p.label).toBeNull();
      const expected = Number(f.predict[i]);
      expect(Math.abs(p.prediction - expected) / Math.max(1, Math.abs(expected))).toBeLessThan(1e-5);
    });
    const oip = await oipInfer(model, f.rows);
    expect(oip.outputs[0]).toMatchObject({ name: 'variable', datatype: 'FP32', shape: [f.rows.length, 1] });
  });

  it('bad uploads answer 4xx naming the problem, and the registry stays unchanged', async () => {
    const model = name('bad-uploads');
    const good = readFileSync(path.join(dir, 'iris-rf.onnx'));
    const cases: Array<{ what: string; send: () => Promise<Response>; status: number; message: RegExp }> = [
      {
        what: 'random bytes',
        send: () => upload(model, randomBytes(4096)),
        status: 400,
        message: /not a readable ONNX model|not an ONNX model/,
      },
      {
        what: 'a truncated model',
        send: () => upload(model, good.subarray(0, Math.floor(good.length / 2))),
        status: 400,
        message: /not a readable ONNX model.*complete/,
      },
      {
        what: 'a model ONNX Runtime cannot load',
        send: () => upload(model, readFileSync(path.join(dir, 'diabetes-gbr-double.onnx'))),
        status: 400,
        message: /ONNX Runtime cannot load the model: .*TreeEnsembleRegressor/,
      },
      {
        what: 'a signature that disagrees with the graph',
        send: () =>
          upload(model, good, {
            signature: JSON.stringify({
              inputs: [{ name: 'petal', source: 'request' }],
              onnxInputs: ['petal'],
              outputs: ['label'],
              task: 'multiclass_classification',
            }),
          }),
        status: 400,
        message: /does not fill graph input "X"/,
      },
      {
        what: 'column names of the wrong count',
        send: () => upload(model, good, { columns: JSON.stringify({ X: ['a', 'b'] }) }),
        status: 400,
        message: /names 2 columns; the graph input has 4/,
      },
      { what: 'an oversized file', send: () => upload(model, new Uint8Array(64 * 1024 * 1024 + 1)), status: 413, message: /larger than/ },
      {
        what: 'base64 of random bytes',
        send: () =>
          fetch(`${t.baseUrl}/api/models/${model}/versions`, {
            method: 'POST',
            headers: { ...auth(), 'content-type': 'application/json' },
            body: JSON.stringify({ artifactBase64: randomBytes(512).toString('base64') }),
          }),
        status: 400,
        message: /ONNX/,
      },
    ];
    for (const c of cases) {
      const response = await c.send();
      const body = (await response.json()) as { message: string };
      expect(response.status, `${c.what}: ${body.message}`).toBe(c.status);
      expect(body.message, c.what).toMatch(c.message);
    }
    const models = (await (await fetch(`${t.baseUrl}/api/models`, { headers: auth() })).json()) as ModelResponse[];
    expect(models.map((m) => m.name)).not.toContain(model);
  });

  it(
    "Triton's HTTP client reads metadata and readiness and infers with JSON and binary tensors, on an uploaded and an Atelier-made model",
    { timeout: 120_000 },
    async () => {
      const uploaded = name('iris-rf');
      const f = fixture('iris-rf');
      const atelier = name('distance');
      await registerLogisticModel(t.client, atelier);
      await setProduction(atelier, 1);
      const artifact = path.join(dir, 'distance.onnx');
      writeFileSync(artifact, exportOnnx(DISTANCE_MODEL, { name: atelier }));

      const rf = await triton(
        uploaded,
        '',
        { inputs: [{ name: 'X', datatype: 'FP32', shape: [f.rows.length, 4], data: f.rows.flat() }] },
        path.join(dir, 'iris-rf.onnx'),
      );
      expect(rf).toMatchObject({
        live: true,
        ready: true,
        model_ready: true,
        server: { name: 'atelier', extensions: expect.arrayContaining(['binary_tensor_data']) },
      });
      expect(rf.metadata).toMatchObject({
        name: uploaded,
        platform: 'onnxruntime_onnx',
        inputs: [{ name: 'X', datatype: 'FP32', shape: [-1, 4] }],
        outputs: [
          { name: 'label', datatype: 'INT64', shape: [-1] },
          { name: 'probabilities', datatype: 'FP32', shape: [-1, 3] },
        ],
      });
      for (const mode of ['json', 'binary'] as const) {
        expect(rf[mode].id).toBe('check-1');
        expect(rf[mode].outputs.label!.data).toEqual(rf.reference.label);
        expect(rf[mode].outputs.label!.data).toEqual(f.predict);
        expect(maxDifference(rf[mode].outputs.probabilities!.data as number[], rf.reference.probabilities as number[])).toBe(0);
      }
      // the protocol's error body, decoded by the client
      expect(rf.error).toEqual({ status: '404', message: expect.stringContaining('no-such-model') });

      const distances = [120, 733, 2_475];
      const own = await triton(
        atelier,
        '1',
        { inputs: [{ name: 'distance', datatype: 'FP32', shape: [3, 1], data: distances }] },
        artifact,
      );
      expect(own.metadata.outputs.map((o) => `${o.name}:${o.datatype}`)).toEqual(['probability:FP32', 'label:INT64']);
      for (const mode of ['json', 'binary'] as const) {
        expect(own[mode].outputs.probability!.data).toEqual(own.reference.probability);
        expect(own[mode].outputs.label!.data).toEqual(own.reference.label);
      }
    },
  );

  async function setProduction(model: string, version: number) {
    const response = await fetch(`${t.baseUrl}/api/models/${model}/aliases/production`, {
      method: 'PUT',
      headers: { ...auth(), 'content-type': 'application/json' },
      body: JSON.stringify({ version }),
    });
    expect(response.status).toBe(200);
  }

  async function triton(model: string, version: string, request: unknown, artifact: string): Promise<TritonReport> {
    const requestPath = path.join(dir, `${model}-request.json`);
    writeFileSync(requestPath, JSON.stringify(request));
    const host = new URL(t.baseUrl).host;
    const { stdout } = await run(
      PYTHON,
      [path.join(TOOLS, 'triton_client_check.py'), host, t.adminKey, model, version, requestPath, artifact],
      { timeout: 60_000 },
    );
    return JSON.parse(stdout) as TritonReport;
  }
});

function maxDifference(a: number[], b: number[]): number {
  expect(a).toHaveLength(b.length);
  return Math.max(...a.map((v, i) => Math.abs(v - b[i]!)));
}

function randomBytes(n: number): Buffer {
  // deterministic noise: a varint-free start, so it is not read as an ONNX header
  return Buffer.from(Array.from({ length: n }, (_, i) => (i * 2_654_435_761) >>> 24));
}
