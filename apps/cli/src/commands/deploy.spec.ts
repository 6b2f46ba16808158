import { describe, expect, it } from 'vitest';

import { fakePlatform, runCli } from '../cli.test-helpers';

const SPLIT = {
  model: 'delays',
  alias: 'production',
  primaryVersion: 2,
  canary: { version: 3, share: 10, stickyBy: 'airport' },
  shadow: { version: 4 },
  updatedAt: '2001-01-31T23:59:30.000Z',
  updatedBy: 'ada',
};
const ARMS = {
  model: 'delays',
  windowStart: '2001-01-31T22:59:30.000Z',
  windowEnd: '2001-01-31T23:59:30.000Z',
  arms: [
    {
      arm: 'shadow',
      version: 4,
      predictions: 50,
      outcomes: 0,
      predictionMean: 0.25,
      predictionP10: 0.1,
      predictionP50: 0.25,
      predictionP90: 0.4,
      positiveRate: 0.1,
      latencyP50Ms: 1.5,
      latencyP95Ms: 3,
      accuracy: null,
      logLoss: null,
      mae: null,
      agreement: 0.9,
      meanAbsDifference: 0.05,
    },
  ],
};

describe('atelier deploy', () => {
  it('sets the whole split from its options and shows it', async () => {
    const api = fakePlatform({ 'PUT /api/models/delays/deployment': SPLIT });
    const result = await runCli(['deploy', 'set', 'delays', '--canary', '3', '--share', '10', '--sticky-by', 'airport', '--shadow', '4'], {
      fetch: api.fetch,
    });
    expect(api.calls[0]).toMatchObject({
      method: 'PUT',
      body: { canary: { version: 3, share: 10, stickyBy: 'airport' }, shadow: { version: 4 } },
    });
    expect(result).toEqual({
      code: 0,
      stdout:
        'production  v2\ncanary      v3, 10 % of traffic, sticky by airport\nshadow      v4\nchanged     2001-01-31 23:59Z by ada\n',
      stderr: '',
    });
    await runCli(['deploy', 'set', 'delays'], { fetch: api.fetch });
    expect(api.calls[1]?.body).toEqual({ canary: null, shadow: null });
  });

  it('shows the split with its arms, promotes and rolls back', async () => {
    const api = fakePlatform({
      'GET /api/models/delays/deployment': SPLIT,
      'GET /api/models/delays/arms?windowSeconds=3600': ARMS,
      'POST /api/models/delays/deployment/promote': { ...SPLIT, primaryVersion: 3, canary: null },
      'POST /api/models/delays/deployment/rollback': { ...SPLIT, canary: null, shadow: null },
    });
    const shown = await runCli(['deploy', 'show', 'delays'], { fetch: api.fetch });
    expect(shown.stdout).toContain('\nARM     VERSION  PREDICTIONS  P50 MS  P95 MS  MEAN    OUTCOMES  ACCURACY  AGREEMENT\n');
    expect(shown.stdout).toContain('shadow  v4       50           1.50    3.00    0.2500  0         -         0.9000');
    expect(JSON.parse((await runCli(['deploy', 'show', 'delays', '--json'], { fetch: api.fetch })).stdout)).toEqual({
      deployment: SPLIT,
      arms: ARMS.arms,
    });
    expect((await runCli(['deploy', 'promote', 'delays'], { fetch: api.fetch })).stdout).toMatch(/^production {2}v3\ncanary {6}none\n/);
    expect((await runCli(['deploy', 'rollback', 'delays'], { fetch: api.fetch })).stdout).toMatch(
      /^production {2}v2\ncanary {6}none\nshadow {6}none\n/,
    );
  });

  it.each([
    [['deploy', 'set', 'delays', '--share', '10'], '--share and --sticky-by describe a canary: give --canary <version> too'],
    [['deploy', 'set', 'delays', '--canary', '3'], 'give the canary its --share (0–100)'],
    [['deploy', 'set', 'delays', '--canary', '3', '--share', '101'], 'expected a percentage, 0–100'],
  ])('exits 2 on a split it cannot send: %j', async (argv, message) => {
    const api = fakePlatform({});
    const result = await runCli(argv, { fetch: api.fetch });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(api.calls).toEqual([]);
  });
});
