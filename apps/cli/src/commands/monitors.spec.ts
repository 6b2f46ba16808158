import { describe, expect, it } from 'vitest';

import type { CreatedMonitorResponse, MonitorEvaluation, MonitorResponse } from '@atelier/sdk';

import { apiError, fakePlatform, runCli } from '../cli.test-helpers';

const ID = '0d8a4a8e-5d0e-4f4b-8a39-2b1b9c6f7a11';
const monitor: MonitorResponse = {
  id: ID,
  name: 'accuracy floor',
  model: 'flight-delay',
  metric: 'accuracy',
  operator: 'lt',
  threshold: 0.7,
  windowSeconds: 3600,
  minSamples: 50,
  enabled: true,
  webhookUrl: null,
  feature: null,
  createdAt: '2026-12-04T10:00:00.000Z',
  problem: null,
};

describe('atelier monitors', () => {
  it("lists one model's monitors, with why one is not judged", async () => {
    const stale: MonitorResponse = {
      ...monitor,
      id: 'c3f1',
      name: 'auc',
      metric: 'auc',
      problem: 'not judged while version 2 serves production: metric auc does not apply to a regression model',
    };
    const drift: MonitorResponse = {
      ...monitor,
      id: 'd4e2',
      name: 'drift',
      metric: 'feature_ks',
      feature: 'distance',
      operator: 'gt',
      threshold: 0.2,
    };
    const platform = fakePlatform({ 'GET /api/monitors?model=flight-delay': [monitor, stale, drift] });
    const run = await runCli(['monitors', '--model', 'flight-delay'], { fetch: platform.fetch });
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+MODEL\s+NAME\s+ALERT WHEN\s+WINDOW\s+MIN\s+ENABLED\s+PROBLEM$/);
    expect(lines[1]).toMatch(new RegExp(`^${ID}\\s+flight-delay\\s+accuracy floor\\s+accuracy < 0.7\\s+3600 s\\s+50\\s+on\\s+-$`));
    expect(lines[2]).toMatch(/^c3f1\s+flight-delay\s+auc\s+auc < 0.7\s+3600 s\s+50\s+on\s+not judged while version 2 serves production/);
    expect(lines[3]).toContain('feature_ks of distance > 0.2');
  });

  it('creates one from its options, and shows the webhook secret once', async () => {
    const created: CreatedMonitorResponse = { ...monitor, webhookUrl: 'https://hooks.example.com/a', webhookSecret: 'whsec_1' };
    const platform = fakePlatform({ 'POST /api/monitors': created });
    const run = await runCli(
      [
        'monitors',
        'create',
        'flight-delay',
        'accuracy floor',
        '--metric',
        'accuracy',
        '--when',
        'lt',
        '--threshold',
        '0.7',
        '--min-samples',
        '50',
        '--webhook',
        'https://hooks.example.com/a',
      ],
      { fetch: platform.fetch },
    );
    expect(run.code).toBe(0);
    expect(platform.calls[0]!.body).toEqual({
      name: 'accuracy floor',
      model: 'flight-delay',
      metric: 'accuracy',
      operator: 'lt',
      threshold: 0.7,
      minSamples: 50,
      webhookUrl: 'https://hooks.example.com/a',
    });
    expect(run.stdout).toMatch(/^monitor\s+0d8a4a8e.* \(accuracy floor\)\n/);
    expect(run.stdout).toMatch(/alert when\s+accuracy < 0.7\n/);
    expect(run.stdout).toContain('webhook secret (shown once; it signs each delivery): whsec_1');
  });

  it('refuses bad options before any call, and says what the API refused', async () => {
    const platform = fakePlatform({
      'POST /api/monitors': apiError(400, 'BAD_REQUEST', 'metric rmse does not apply to a binary classification model'),
    });
    const badOperator = await runCli(['monitors', 'create', 'm', 'n', '--metric', 'auc', '--when', 'below', '--threshold', '1'], {
      fetch: platform.fetch,
    });
    expect(badOperator.code).toBe(2);
    expect(badOperator.stderr).toContain('expected lt, lte, gt or gte');
    const badNumber = await runCli(['monitors', 'create', 'm', 'n', '--metric', 'auc', '--when', 'lt', '--threshold', 'high'], {
      fetch: platform.fetch,
    });
    expect(badNumber.code).toBe(2);
    expect(badNumber.stderr).toContain('expected a number');
    const nothing = await runCli(['monitors', 'set', ID], { fetch: platform.fetch });
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toContain('nothing to change');
    expect(platform.calls).toEqual([]);
    const refused = await runCli(['monitors', 'create', 'm', 'n', '--metric', 'rmse', '--when', 'gt', '--threshold', '1'], {
      fetch: platform.fetch,
    });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('metric rmse does not apply to a binary classification model');
  });

  it('changes, evaluates and deletes one', async () => {
    const evaluation: MonitorEvaluation = {
      monitorId: ID,
      windowStart: '2026-12-04T09:00:00.000Z',
      windowEnd: '2026-12-04T10:00:00.000Z',
      value: 0.61,
      samples: 120,
      breached: true,
      alert: { id: 'a1', status: 'open' },
      problem: null,
    };
    const platform = fakePlatform({
      [`PATCH /api/monitors/${ID}`]: { ...monitor, threshold: 0.65, enabled: false },
      [`POST /api/monitors/${ID}/evaluate`]: Response.json(evaluation),
      [`DELETE /api/monitors/${ID}`]: new Response(null, { status: 204 }),
    });
    const set = await runCli(['monitors', 'set', ID, '--threshold', '0.65', '--disable'], { fetch: platform.fetch });
    expect(set.code).toBe(0);
    expect(platform.calls[0]!.body).toEqual({ threshold: 0.65, enabled: false });
    expect(set.stdout).toMatch(/enabled\s+off\n/);
    const evaluated = await runCli(['monitors', 'evaluate', ID], { fetch: platform.fetch });
    expect(evaluated.stdout).toMatch(/value\s+0.61 \(120 samples\)\nverdict\s+breached\nalert\s+a1 \(open\)\n/);
    const deleted = await runCli(['monitors', 'delete', ID], { fetch: platform.fetch });
    expect(deleted).toMatchObject({ code: 0, stdout: `monitor ${ID}: deleted\n` });
  });
});
