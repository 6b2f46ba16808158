import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { type Call, fakePlatform, runCli, VERSION } from '../cli.test-helpers';

const dir = mkdtempSync(path.join(tmpdir(), 'atelier-cli-models-'));
const onnx = path.join(dir, 'model.onnx');
writeFileSync(onnx, Buffer.from([8, 7, 18, 4, 0xff, 0x00]));

describe('atelier models / versions', () => {
  it('lists models as a table', async () => {
    const api = fakePlatform({
      'GET /api/models': [
        {
          name: 'delays',
          description: 'flight delays',
          latestVersion: 2,
          aliases: { production: 2, candidate: 1 },
          createdAt: '2001-01-31T23:59:30Z',
        },
        { name: 'new', description: '', latestVersion: null, aliases: {}, createdAt: '2001-02-01T00:00:00Z' },
      ],
    });
    const result = await runCli(['models', 'list'], { fetch: api.fetch });
    expect(result.stdout).toBe(
      [
        'NAME    LATEST  ALIASES                     CREATED            DESCRIPTION',
        'delays  v2      candidate=v1 production=v2  2001-01-31 23:59Z  flight delays',
        'new     -       -                           2001-02-01 00:00Z',
        '',
      ].join('\n'),
    );
  });

  it('shows one model', async () => {
    const model = { name: 'delays', description: 'flight delays', latestVersion: null, aliases: {}, createdAt: '2001-01-31T23:59:30Z' };
    const api = fakePlatform({ 'GET /api/models/delays': model });
    expect((await runCli(['models', 'show', 'delays'], { fetch: api.fetch })).stdout).toBe(
      [
        'name            delays',
        'description     flight delays',
        'latest version  none yet',
        'aliases         -',
        'created         2001-01-31 23:59Z',
        '',
      ].join('\n'),
    );
    expect(JSON.parse((await runCli(['models', 'show', 'delays', '--json'], { fetch: api.fetch })).stdout)).toEqual(model);
  });

  it('uploads the file as multipart with only what was given: the registry infers the signature', async () => {
    const api = fakePlatform({ 'POST /api/models/iris/versions/upload': { ...VERSION, model: 'iris', version: 1 } });
    const result = await runCli(['models', 'upload', 'iris', onnx, '--columns', 'X=a,b', '--columns', 'Y=c'], { fetch: api.fetch });
    expect(result.code).toBe(0);
    expect(api.calls).toHaveLength(1);
    expect(api.calls[0]?.body).toEqual({ file: { file: 'model.onnx', base64: 'CAcSBP8A' }, columns: '{"X":["a","b"],"Y":["c"]}' });
    expect(result.stdout).toContain('registered iris version 1\n');
    expect(result.stdout).toContain('inputs    distance\n');
  });

  it('uploads with a signature file, a description and a type, then moves the alias; --json shows the alias', async () => {
    const signature = {
      inputs: [{ name: 'x', source: 'request' }],
      onnxInputs: ['x'],
      outputs: ['probability', 'label'],
      task: 'binary_classification',
    };
    const signatureFile = path.join(dir, 'sig.json');
    writeFileSync(signatureFile, JSON.stringify(signature));
    const api = fakePlatform({
      'POST /api/models/iris/versions/upload': { ...VERSION, model: 'iris', version: 4 },
      'PUT /api/models/iris/aliases/production': (call: Call) => ({
        model: 'iris',
        alias: 'production',
        version: (call.body as { version: number }).version,
        previousVersion: 3,
        updatedAt: VERSION.createdAt,
      }),
    });
    const argv = [
      'models',
      'upload',
      'iris',
      onnx,
      '--signature',
      signatureFile,
      '--description',
      'first try',
      '--model-type',
      'sklearn',
      '--alias',
      'production',
      '--json',
    ];
    const result = await runCli(argv, { fetch: api.fetch });
    expect(result.code).toBe(0);
    expect(api.calls[0]?.body).toEqual({
      file: { file: 'model.onnx', base64: 'CAcSBP8A' },
      signature: JSON.stringify(signature),
      description: 'first try',
      modelType: 'sklearn',
    });
    expect(api.calls[1]).toMatchObject({ method: 'PUT', path: '/api/models/iris/aliases/production', body: { version: 4 } });
    expect(JSON.parse(result.stdout)).toMatchObject({ model: 'iris', version: 4, aliases: ['production'] });
  });

  it('says which file it cannot read or parse (exit 1), before calling the API', async () => {
    const api = fakePlatform({});
    const missing = await runCli(['models', 'upload', 'iris', path.join(dir, 'nope.onnx')], { fetch: api.fetch });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error: cannot read the ONNX file ".*nope\.onnx": no such file\n$/);
    const broken = path.join(dir, 'broken.json');
    writeFileSync(broken, '{ "inputs": ');
    const invalid = await runCli(['models', 'upload', 'iris', onnx, '--signature', broken], { fetch: api.fetch });
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/^error: the signature file ".*broken\.json" is not valid JSON: /);
    expect(api.calls).toEqual([]);
  });

  it('lists versions with type, task, aliases and metrics', async () => {
    const api = fakePlatform({
      'GET /api/models/delays/versions': [
        { ...VERSION, aliases: ['production'] },
        { ...VERSION, version: 1, metrics: {} },
      ],
    });
    expect((await runCli(['versions', 'delays'], { fetch: api.fetch })).stdout).toBe(
      [
        'VERSION  TYPE  TASK                   ALIASES     METRICS                 CREATED',
        '2        onnx  binary_classification  production  auc=0.7123 logloss=0.5  2001-01-31 23:59Z',
        '1        onnx  binary_classification  -           -                       2001-01-31 23:59Z',
        '',
      ].join('\n'),
    );
  });
});
