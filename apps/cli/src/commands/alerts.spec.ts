import { describe, expect, it } from 'vitest';

import type { AlertResponse } from '@atelier/sdk';

import { apiError, fakePlatform, runCli } from '../cli.test-helpers';

const ID = '6b1f0c7e-3c1a-4c55-9d2e-1f3b8a2d4e01';
const open: AlertResponse = {
  id: ID,
  monitorId: '0d8a4a8e-5d0e-4f4b-8a39-2b1b9c6f7a11',
  monitorName: 'accuracy floor',
  model: 'flight-delay',
  metric: 'accuracy',
  status: 'open',
  value: 0.61,
  threshold: 0.7,
  message: 'accuracy 0.61 < 0.70 over the last 3600 s (120 samples) for model flight-delay',
  openedAt: '2026-12-04T10:00:00.000Z',
  lastSeenAt: '2026-12-04T10:05:00.000Z',
  resolvedAt: null,
  resolvedBy: null,
  acknowledgedAt: null,
  acknowledgedBy: null,
};

describe('atelier alerts', () => {
  it('lists alerts with the filters as query, and who acknowledged them', async () => {
    const acknowledged = { ...open, acknowledgedAt: '2026-12-04T10:02:00.000Z', acknowledgedBy: 'ops' };
    const platform = fakePlatform({ 'GET /api/alerts?status=open&model=flight-delay': [acknowledged] });
    const run = await runCli(['alerts', '--status', 'open', '--model', 'flight-delay'], { fetch: platform.fetch });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^ID\s+STATUS\s+MODEL\s+MONITOR\s+METRIC\s+VALUE\s+THRESHOLD\s+OPENED\s+ACKNOWLEDGED\n/);
    expect(run.stdout).toContain(`${ID}  open    flight-delay  accuracy floor  accuracy`);
    expect(run.stdout).toMatch(/ops 2026-12-04 10:02/);
  });

  it('acknowledges and resolves one, and says what the API refused', async () => {
    const platform = fakePlatform({
      [`POST /api/alerts/${ID}/acknowledge`]: Response.json({ ...open, acknowledgedAt: '2026-12-04T10:02:00.000Z', acknowledgedBy: 'ops' }),
      [`POST /api/alerts/${ID}/resolve`]: Response.json({
        ...open,
        status: 'resolved',
        resolvedAt: '2026-12-04T10:09:00.000Z',
        resolvedBy: 'ops',
      }),
      'POST /api/alerts/gone/acknowledge': apiError(
        409,
        'CONFLICT',
        'alert "gone" is resolved already; only an open alert can be acknowledged',
      ),
    });
    const ack = await runCli(['alerts', 'ack', ID], { fetch: platform.fetch });
    expect(ack).toMatchObject({ code: 0, stdout: `alert ${ID} (flight-delay, accuracy) acknowledged by ops at 2026-12-04 10:02Z\n` });
    const resolved = await runCli(['alerts', 'resolve', ID], { fetch: platform.fetch });
    expect(resolved).toMatchObject({ code: 0, stdout: `alert ${ID} (flight-delay, accuracy) resolved by ops at 2026-12-04 10:09Z\n` });
    const refused = await runCli(['alerts', 'ack', 'gone'], { fetch: platform.fetch });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('only an open alert can be acknowledged');
    expect(platform.calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      `POST /api/alerts/${ID}/acknowledge`,
      `POST /api/alerts/${ID}/resolve`,
      'POST /api/alerts/gone/acknowledge',
    ]);
  });
});
