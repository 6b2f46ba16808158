import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { apiError, fakePlatform, runCli } from '../cli.test-helpers';

const ID = '1b4e28ba-2fa1-41d2-883f-0016d3cca427';
const single = {
  predictionId: ID,
  prediction: 0.731234,
  label: 1,
  inputs: { distance: 337 },
  missing: ['airport_stats:mean_delay'],
  model: 'delays',
  version: 3,
  alias: 'production',
};

describe('atelier predict', () => {
  it('sends entities and typed features, with the version asked for', async () => {
    const api = fakePlatform({ 'POST /api/predict': single });
    const argv = [
      'predict',
      'delays',
      '--version',
      '3',
      '--entity',
      'airport=SFO',
      '--feature',
      'distance=337',
      '--feature',
      'destination=LAX',
      '--feature',
      'hour=null',
    ];
    const result = await runCli(argv, { fetch: api.fetch });
    expect(result.code).toBe(0);
    expect(api.calls[0]?.body).toEqual({
      model: 'delays',
      version: 3,
      entities: { airport: 'SFO' },
      features: { distance: 337, destination: 'LAX', hour: null },
    });
    expect(result.stdout).toBe(
      [
        'prediction  0.7312',
        'label       1',
        'model       delays v3 (production)',
        'missing     airport_stats:mean_delay',
        `id          ${ID}`,
        '',
      ].join('\n'),
    );
  });

  it('asks for an alias when given one, and prints the answer as it is with --json', async () => {
    const api = fakePlatform({ 'POST /api/predict': { ...single, alias: 'candidate' } });
    const result = await runCli(['predict', 'delays', '--alias', 'candidate', '--json'], { fetch: api.fetch });
    expect(api.calls[0]?.body).toEqual({ model: 'delays', alias: 'candidate', entities: {}, features: {} });
    expect(JSON.parse(result.stdout)).toEqual({ ...single, alias: 'candidate' });
  });

  it('predicts the rows of a file in one call', async () => {
    const rows = [{ entities: { airport: 'SFO' }, features: { distance: 337 } }, { features: { distance: 733 } }];
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'atelier-cli-predict-')), 'rows.json');
    writeFileSync(file, JSON.stringify(rows));
    const { predictionId: _id, model: _m, version: _v, alias: _a, ...prediction } = single;
    const batch = {
      model: 'delays',
      version: 3,
      alias: 'production',
      predictions: [prediction, { ...prediction, prediction: 0.2, label: 0, missing: [] }],
    };
    const api = fakePlatform({ 'POST /api/predict': batch });
    const result = await runCli(['predict', 'delays', '--rows', file], { fetch: api.fetch });
    expect(api.calls[0]?.body).toEqual({ model: 'delays', rows });
    expect(result.stdout).toBe(
      [
        'ROW  PREDICTION  LABEL  MISSING',
        '1    0.7312      1      airport_stats:mean_delay',
        '2    0.2         0      -',
        '2 predictions by delays v3 (production)',
        '',
      ].join('\n'),
    );
    writeFileSync(file, '{"rows": []}');
    const notRows = await runCli(['predict', 'delays', '--rows', file], { fetch: api.fetch });
    expect(notRows.code).toBe(1);
    expect(notRows.stderr).toContain('must hold a JSON array of rows');
  });

  it("passes serving's refusal on as exit 1", async () => {
    const api = fakePlatform({
      'POST /api/predict': apiError(424, 'MISSING_FEATURES', 'the online store has no airport_stats for airport "XXX"'),
    });
    const result = await runCli(['predict', 'delays', '--entity', 'airport=XXX'], { fetch: api.fetch });
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: the online store has no airport_stats for airport "XXX" (424 MISSING_FEATURES)\n',
    });
  });
});
