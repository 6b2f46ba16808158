import { describe, expect, it } from 'vitest';

import { fakePlatform, runCli, VERSION } from '../cli.test-helpers';

describe('atelier alias', () => {
  it('moves an alias to a version and says where it was', async () => {
    const moved = { model: 'delays', alias: 'production', version: 2, previousVersion: 1, updatedAt: VERSION.createdAt };
    const api = fakePlatform({ 'PUT /api/models/delays/aliases/production': moved });
    const result = await runCli(['alias', 'set', 'delays', 'production', '2'], { fetch: api.fetch });
    expect(api.calls[0]).toMatchObject({ method: 'PUT', body: { version: 2 } });
    expect(result).toEqual({ code: 0, stdout: 'delays@production -> v2 (was v1)\n', stderr: '' });
    const fresh = fakePlatform({ 'PUT /api/models/delays/aliases/shadow': { ...moved, alias: 'shadow', previousVersion: null } });
    expect((await runCli(['alias', 'set', 'delays', 'shadow', '2'], { fetch: fresh.fetch })).stdout).toBe(
      'delays@shadow -> v2 (new alias)\n',
    );
  });

  it('reads the version an alias points at', async () => {
    const detail = { ...VERSION, aliases: ['production'] };
    const api = fakePlatform({ 'GET /api/models/delays/aliases/production': detail });
    const result = await runCli(['alias', 'get', 'delays', 'production'], { fetch: api.fetch });
    expect(result.stdout.split('\n').slice(0, 5)).toEqual([
      'delays@production -> v2',
      'type     onnx',
      'task     binary_classification',
      'metrics  auc=0.7123 logloss=0.5',
      'inputs   distance',
    ]);
    expect(JSON.parse((await runCli(['alias', 'get', 'delays', 'production', '--json'], { fetch: api.fetch })).stdout)).toEqual(detail);
  });
});
