import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import type { FeatureGroupStatsResponse } from '@atelier/sdk';

import { apiError, fakePlatform, runCli } from '../cli.test-helpers';

const dir = mkdtempSync(path.join(tmpdir(), 'atelier-cli-features-'));

const stats: FeatureGroupStatsResponse = {
  group: 'airport_delay_stats',
  rows: 4,
  entities: 3,
  oldestEventTime: '2001-01-01T00:00:00.000Z',
  newestEventTime: '2001-01-03T00:00:00.000Z',
  lastIngestedAt: '2001-02-01T10:00:00.000Z',
  lastMaterialization: { asOf: '2001-02-01T00:00:00.000Z', finishedAt: '2001-02-01T00:00:05.000Z', entityCount: 3 },
  features: [
    { name: 'mean_delay_24h', dtype: 'float', count: 3, missingShare: 0.25, mean: 4, min: -2, max: 10, distinct: null },
    { name: 'city', dtype: 'string', count: 4, missingShare: 0, mean: null, min: null, max: null, distinct: 2 },
  ],
};

describe('atelier features', () => {
  it("imports a file: its bytes, the time and entity columns and --online go as the upload's fields", async () => {
    const file = path.join(dir, 'stats.csv');
    writeFileSync(file, 'airport,hour_end,mean_delay_24h\nORD,2001-01-01T00:00:00Z,3.5\n');
    const platform = fakePlatform({
      'POST /api/feature-groups/airport_delay_stats/rows/upload': Response.json({ group: 'airport_delay_stats', accepted: 1, inserted: 1, replaced: 0 }),
    });
    const run = await runCli(['features', 'import', 'airport_delay_stats', file, '--time-column', 'hour_end', '--entity-column', 'airport', '--online'], {
      fetch: platform.fetch,
    });
    expect(run).toMatchObject({ code: 0, stdout: 'imported 1 rows into airport_delay_stats (1 new, 0 replaced)\n' });
    expect(platform.calls[0]!.body).toEqual({
      file: { file: 'stats.csv', base64: Buffer.from('airport,hour_end,mean_delay_24h\nORD,2001-01-01T00:00:00Z,3.5\n').toString('base64') },
      timeColumn: 'hour_end',
      entityColumn: 'airport',
      writeOnline: 'true',
    });
  });

  it('says what the API refused, with its exit code, and needs the time column', async () => {
    const file = path.join(dir, 'bad.csv');
    writeFileSync(file, 'airport,hour_end\nORD,yesterday\n');
    const platform = fakePlatform({
      'POST /api/feature-groups/airport_delay_stats/rows/upload': apiError(400, 'BAD_REQUEST', 'row 1, column "hour_end": not a time'),
    });
    const refused = await runCli(['features', 'import', 'airport_delay_stats', file, '--time-column', 'hour_end'], { fetch: platform.fetch });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('row 1, column "hour_end": not a time');
    const usage = await runCli(['features', 'import', 'airport_delay_stats', file], { fetch: platform.fetch });
    expect(usage.code).not.toBe(0);
    expect(usage.stderr).toContain('--time-column');
  });

  it("prints a group's statistics, or them as JSON", async () => {
    const platform = fakePlatform({ 'GET /api/feature-groups/airport_delay_stats/stats': stats });
    const run = await runCli(['features', 'stats', 'airport_delay_stats'], { fetch: platform.fetch });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('online store   3 entities as of 2001-02-01 00:00Z');
    expect(run.stdout).toMatch(/mean_delay_24h\s+float\s+3\s+25%\s+4\s+-2\s+10\s+-/);
    expect(run.stdout).toMatch(/city\s+string\s+4\s+0%\s+-\s+-\s+-\s+2/);
    const json = await runCli(['features', 'stats', 'airport_delay_stats', '--json'], { fetch: platform.fetch });
    expect(JSON.parse(json.stdout)).toEqual(stats);
  });
});
