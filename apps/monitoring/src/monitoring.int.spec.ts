import { createHmac, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';

import {
  AlertEvent,
  type AlertResponse,
  type CreatedMonitorResponse,
  type MonitorEvaluation,
  type MonitorResponse,
  type MonitorWindowResponse,
  type OutcomeEvent,
  predictionBatchOf,
  type PredictionEvent,
} from '@atelier/contracts';
import { PrismaService } from '@atelier/db';
import { type DeadLetter, KafkaService } from '@atelier/kafka';
import { exportOnnx } from '@atelier/ml';
import {
  EvaluationScheduler,
  IngestionService,
  LiveVersionWatch,
  MonitoringModule,
  MonitoringRepository,
  MonitoringRetention,
  PredictionEventsConsumer,
} from '@atelier/monitoring';
import { RegistryModule } from '@atelier/registry';
import { authHeaders, DISTANCE_MODEL, eventually, registerLinearModel, registerLogisticModel, startTestApp, type TestApp, uniqueSuffix } from '@atelier/testing';

/**
 * A webhook receiver on 127.0.0.1 that fails its first request (to prove the retry) and keeps the
 * rest; while `refuse` is set it answers 503 to everything.
 */
async function startHookServer(): Promise<{
  url: string;
  received: AlertEvent[];
  signed: Array<{ body: string; signature: string }>;
  requests: () => number;
  state: { refuse: boolean };
  close: () => Promise<void>;
}> {
  const received: AlertEvent[] = [];
  const signed: Array<{ body: string; signature: string }> = [];
  let requests = 0;
  const state = { refuse: false };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      requests += 1;
      if (requests === 1 || state.refuse) return void response.writeHead(503).end();
      const body = Buffer.concat(chunks).toString('utf8');
      signed.push({ body, signature: String(request.headers['atelier-signature']) });
      received.push(AlertEvent.parse(JSON.parse(body)));
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/alerts?token=secret`,
    received,
    signed,
    requests: () => requests,
    state,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function prediction(model: string, predictionId: string, value: number, at = new Date()): PredictionEvent {
  return {
    type: 'prediction',
    schemaVersion: 1,
    predictionId,
    model,
    version: 1,
    alias: 'production',
    prediction: value,
    inputs: { distance: 500 },
    entities: { airport: 'ORD' },
    at: at.toISOString(),
  };
}

// Against the real Kafka (predictions, outcomes and alerts topics) and Postgres.
describe('monitoring (integration)', () => {
  let t: TestApp;
  let kafka: KafkaService;
  let hook: Awaited<ReturnType<typeof startHookServer>>;
  const alertsOnKafka: AlertEvent[] = [];
  const s = uniqueSuffix();
  const model = `flight-delay-${s}`;
  const ids = Array.from({ length: 20 }, () => randomUUID());

  async function api<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T; requestId: string | null }> {
    const response = await fetch(`${t.baseUrl}${path}`, {
      method,
      headers: authHeaders(undefined, body !== undefined),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T, requestId: response.headers.get('x-request-id') };
  }

  const publishPredictions = (events: PredictionEvent[]) =>
    kafka.publish(
      'predictions',
      events.map((e) => ({ key: e.predictionId, value: e })),
    );

  beforeAll(async () => {
    hook = await startHookServer();
    t = await startTestApp([MonitoringModule, RegistryModule]);
    await Promise.all([model, `busy-${s}`].map((name) => registerLogisticModel(t.client, name)));
    kafka = t.app.get(KafkaService);
    await t.app.get(PredictionEventsConsumer).whenRunning();
    await kafka.subscribe({
      group: `test-alerts-${s}`,
      topics: ['alerts'],
      schema: AlertEvent,
      handle: async (events) => void alertsOnKafka.push(...events),
    });
  });

  afterAll(async () => {
    await t?.close();
    await hook?.close();
  });

  it('stores each prediction once, joins outcomes whichever arrives first, and aggregates the window', async () => {
    const early = ids[0]!;
    // the outcome of ids[0] is recorded before its prediction exists: it waits in pending_outcomes
    expect(await t.client.recordOutcome({ predictionId: early, value: 0 })).toEqual({ accepted: 1 });
    const prisma = t.app.get(PrismaService).client;
    await eventually(async () => ((await prisma.pendingOutcome.findUnique({ where: { predictionId: early } })) ? true : undefined));

    await publishPredictions(ids.map((id) => prediction(model, id, 0.9)));
    await publishPredictions(ids.slice(0, 5).map((id) => prediction(model, id, 0.9))); // redelivered: must not count twice
    const batch = await api<{ accepted: number }>('POST', '/api/outcomes/batch', {
      outcomes: ids.slice(1, 15).map((predictionId) => ({ predictionId, value: 0 })),
    });
    expect(batch).toMatchObject({ status: 202, body: { accepted: 14 } });

    const stats = await eventually(async () => {
      const st = await t.client.modelStats(model, 3600);
      return st.predictions === 20 && st.outcomes === 15 ? st : undefined;
    });
    expect(stats).toMatchObject({ model, predictions: 20, outcomes: 15, positiveRate: 1, accuracy: 0 });
    expect(stats.predictionMean).toBeCloseTo(0.9, 10);
    expect(Date.parse(stats.windowEnd) - Date.parse(stats.windowStart)).toBe(3600_000);
    expect(await prisma.pendingOutcome.findUnique({ where: { predictionId: early } })).toBeNull();
    expect(await prisma.monitoredPrediction.findUnique({ where: { predictionId: early } })).toMatchObject({ outcome: 0, modelName: model });
    // the late duplicates have been consumed by now (same key, same partition, after the originals): still 20
    await eventually(
      async () => ((await prisma.monitoredPrediction.count({ where: { modelName: model } })) === 20 ? true : undefined),
      5_000,
    );
    // the consumer's lag per partition, caught up by now
    const metrics = await (await fetch(`${t.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/^atelier_kafka_consumer_lag_messages\{group="monitoring",topic="[^"]+\.predictions[^"]*",partition="\d+"\} 0$/m);
    expect(metrics).toMatch(/^atelier_kafka_consumer_lag_seconds\{group="monitoring",topic="[^"]+\.predictions[^"]*",partition="\d+"\} 0$/m);
    // consumed events schedule a background evaluation of the model's monitors; let it pass so the
    // next test's explicit evaluations are the only ones
    await t.app.get(EvaluationScheduler).whenIdle();
  });

  it('opens one alert when accuracy falls below its threshold, refreshes it, notifies Kafka and the webhook, and resolves it on recovery', async () => {
    const monitor = (await t.client.createMonitor({
      name: 'accuracy floor',
      model,
      metric: 'accuracy',
      operator: 'lt',
      threshold: 0.6,
      minSamples: 10,
      webhookUrl: hook.url,
    })) as CreatedMonitorResponse;
    expect(monitor.webhookSecret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect((await api<MonitorResponse>('GET', `/api/monitors/${monitor.id}`)).body).not.toHaveProperty('webhookSecret');
    expect(monitor).toMatchObject({
      model,
      metric: 'accuracy',
      operator: 'lt',
      threshold: 0.6,
      windowSeconds: 3600,
      minSamples: 10,
      enabled: true,
      webhookUrl: hook.url,
    });

    const first = await t.client.evaluateMonitor(monitor.id);
    expect(first).toMatchObject({ monitorId: monitor.id, value: 0, samples: 15, breached: true, alert: { status: 'open' } });
    const alertId = first.alert!.id;
    const opened = (await api<AlertResponse>('GET', `/api/alerts/${alertId}`)).body;
    expect(opened).toMatchObject({
      id: alertId,
      monitorId: monitor.id,
      monitorName: 'accuracy floor',
      model,
      metric: 'accuracy',
      status: 'open',
      value: 0,
      threshold: 0.6,
      message: `accuracy 0.00 < 0.60 over the last 3600 s (15 samples) for model ${model}`,
      resolvedAt: null,
    });

    const second = await t.client.evaluateMonitor(monitor.id);
    expect(second).toMatchObject({ breached: true, alert: { id: alertId, status: 'open' } });
    const open = (await api<AlertResponse[]>('GET', `/api/alerts?status=open&model=${model}`)).body;
    expect(open.map((a) => a.id)).toEqual([alertId]);
    expect(Date.parse(open[0]!.lastSeenAt)).toBeGreaterThanOrEqual(Date.parse(opened.lastSeenAt));

    // the webhook failed once (503) and got the event on the retry, signed with the monitor's secret
    const delivered = await eventually(async () => hook.received.find((e) => e.type === 'alert-opened' && e.alertId === alertId));
    const { body, signature } = hook.signed.find((d) => d.body.includes(alertId))!;
    const t0 = Number(/^t=(\d+),/.exec(signature)?.[1]);
    expect(Math.abs(t0 - Date.now() / 1000)).toBeLessThan(60);
    expect(signature).toBe(`t=${t0},v1=${createHmac('sha256', monitor.webhookSecret!).update(`${t0}.${body}`).digest('hex')}`);
    expect(delivered).toMatchObject({
      monitorId: monitor.id,
      model,
      metric: 'accuracy',
      value: 0,
      threshold: 0.6,
      message: opened.message,
    });
    expect(hook.requests()).toBeGreaterThanOrEqual(2);
    await eventually(async () => alertsOnKafka.find((e) => e.type === 'alert-opened' && e.alertId === alertId));

    const patched = await t.client.updateMonitor(monitor.id, { threshold: 0 });
    expect(patched.threshold).toBe(0);
    const third = await t.client.evaluateMonitor(monitor.id);
    expect(third).toMatchObject({ value: 0, samples: 15, breached: false, alert: { id: alertId, status: 'resolved' } });
    const resolved = (await api<AlertResponse>('GET', `/api/alerts/${alertId}`)).body;
    expect(resolved.status).toBe('resolved');
    expect(resolved.resolvedAt).not.toBeNull();
    expect(resolved.resolvedBy).toBe('monitor'); // it recovered
    expect((await api<AlertResponse[]>('GET', `/api/alerts?status=open&model=${model}`)).body).toEqual([]);
    const recovery = await eventually(async () => hook.received.find((e) => e.type === 'alert-resolved' && e.alertId === alertId));
    expect(recovery.message).toBe(`accuracy 0.00 is no longer < 0.00 over the last 3600 s (15 samples) for model ${model}`);
    await eventually(async () => alertsOnKafka.find((e) => e.type === 'alert-resolved' && e.alertId === alertId));

    // a fourth evaluation, still fine, opens nothing
    const fourth = await t.client.evaluateMonitor(monitor.id);
    expect(fourth).toMatchObject({ breached: false, alert: null });

    // every evaluation stored its window (a background one may have run in between: consumed events trigger them)
    const windows = (await api<MonitorWindowResponse[]>('GET', `/api/monitors/${monitor.id}/windows`)).body;
    expect(windows[0]).toMatchObject({ windowEnd: fourth.windowEnd, breached: false, samples: 15, value: 0 });
    const byEnd = new Map(windows.map((w) => [w.windowEnd, w]));
    expect([first, second, third, fourth].map((e) => byEnd.get(e.windowEnd)?.breached)).toEqual([true, true, false, false]);
    expect(windows.map((w) => Date.parse(w.windowEnd))).toEqual(windows.map((w) => Date.parse(w.windowEnd)).sort((a, b) => b - a));
  });

  it("evaluates a model's monitors by itself shortly after consuming its events, and resolves by hand", async () => {
    const busy = `busy-${s}`;
    const monitor = await t.client.createMonitor({
      name: 'traffic spike',
      model: busy,
      metric: 'prediction_count',
      operator: 'gte',
      threshold: 3,
    });
    await publishPredictions([0.1, 0.7, 0.8].map((p) => prediction(busy, randomUUID(), p)));
    const alert = await eventually(async () =>
      (await api<AlertResponse[]>('GET', `/api/alerts?model=${busy}`)).body.find((a) => a.status === 'open'),
    );
    expect(alert).toMatchObject({
      monitorId: monitor.id,
      value: 3,
      message: `prediction_count 3 >= 3 over the last 3600 s (3 samples) for model ${busy}`,
    });

    // acknowledged: someone is on it; it stays open, and the first acknowledgement is kept
    const owner = ((await api<{ owner: string }>('GET', '/api/auth/whoami')).body).owner;
    const acknowledged = await api<AlertResponse>('POST', `/api/alerts/${alert.id}/acknowledge`);
    expect(acknowledged.status).toBe(200);
    expect(acknowledged.body).toMatchObject({ id: alert.id, status: 'open', acknowledgedBy: owner, resolvedAt: null, resolvedBy: null });
    const ackAgain = await api<AlertResponse>('POST', `/api/alerts/${alert.id}/acknowledge`);
    expect(ackAgain.body.acknowledgedAt).toBe(acknowledged.body.acknowledgedAt);
    expect((await api('POST', `/api/alerts/${randomUUID()}/acknowledge`)).status).toBe(404);

    const byHand = await api<AlertResponse>('POST', `/api/alerts/${alert.id}/resolve`);
    expect(byHand.status).toBe(200);
    expect(byHand.body).toMatchObject({ id: alert.id, status: 'resolved', resolvedBy: owner, acknowledgedBy: owner });
    // a resolved alert cannot be acknowledged
    const late = await api<{ code: string }>('POST', `/api/alerts/${alert.id}/acknowledge`);
    expect({ status: late.status, code: late.body.code }).toEqual({ status: 409, code: 'CONFLICT' });
    const again = await api<AlertResponse>('POST', `/api/alerts/${alert.id}/resolve`);
    expect(again.body.resolvedAt).toBe(byHand.body.resolvedAt); // resolving twice changes nothing
    await eventually(async () =>
      alertsOnKafka.find((e) => e.type === 'alert-resolved' && e.alertId === alert.id && e.message.startsWith('resolved by hand: ')),
    );
  });

  it('aggregates in SQL exactly as defined: window by prediction time, positives at >= 0.5, accuracy over predictions with outcomes', async () => {
    const mixed = `mixed-${s}`;
    const [a, b, c, d, old] = Array.from({ length: 5 }, () => randomUUID()) as [string, string, string, string, string];
    await publishPredictions([
      prediction(mixed, a, 0.2), // outcome 0: right
      prediction(mixed, b, 0.5), // outcome 0.8: right (both positive)
      prediction(mixed, c, 0.6), // outcome 0: wrong
      prediction(mixed, d, 0.4), // no outcome
      prediction(mixed, old, 0.9, new Date(Date.now() - 2 * 3600_000)), // outside the last hour
    ]);
    await t.client.recordOutcome({ predictionId: a, value: 0, observedAt: new Date().toISOString() });
    await api('POST', '/api/outcomes/batch', {
      outcomes: [
        { predictionId: b, value: 0.8 },
        { predictionId: c, value: 0 },
        { predictionId: old, value: 1 },
      ],
    });
    const hour = await eventually(async () => {
      const st = await t.client.modelStats(mixed, 3600);
      // predictions are keyed by id, so they reach monitoring over several partitions, in any order
      return st.outcomes === 3 && st.predictions === 4 ? st : undefined;
    });
    expect(hour).toMatchObject({ predictions: 4, outcomes: 3, positiveRate: 0.5 });
    expect(hour.predictionMean).toBeCloseTo((0.2 + 0.5 + 0.6 + 0.4) / 4, 12);
    expect(hour.accuracy).toBeCloseTo(2 / 3, 12);
    // −ln of the probability given to what happened: 1 − 0.2, 0.5 (0.8 is positive), 1 − 0.6
    expect(hour.logLoss).toBeCloseTo(-(Math.log(0.8) + Math.log(0.5) + Math.log(0.4)) / 3, 12);
    expect(hour.classes).toEqual([]);
    const threeHours = await eventually(async () => {
      const st = await t.client.modelStats(mixed, 3 * 3600);
      return st.outcomes === 4 && st.predictions === 5 ? st : undefined;
    });
    expect(threeHours).toMatchObject({ predictions: 5, outcomes: 4, positiveRate: 0.6, accuracy: 0.75 });
  });

  it("measures each version's live quality apart, now and hour by hour, from the per-minute sums", async () => {
    const versioned = `versioned-${s}`;
    const hour = 3600_000;
    const end = Math.floor(Date.now() / 60_000) * 60_000;
    // v1 an hour and a half ago (two right, one wrong) and in the last hour (one right); v2 in the last hour (one wrong)
    const v1 = [
      { id: randomUUID(), p: 0.9, outcome: 1, at: end - 1.5 * hour },
      { id: randomUUID(), p: 0.2, outcome: 0, at: end - 1.5 * hour },
      { id: randomUUID(), p: 0.7, outcome: 0, at: end - 1.5 * hour },
      { id: randomUUID(), p: 0.8, outcome: 1, at: end - 0.5 * hour },
    ];
    const v2 = [{ id: randomUUID(), p: 0.6, outcome: 0, at: end - 0.5 * hour }];
    await publishPredictions([
      ...v1.map((x) => prediction(versioned, x.id, x.p, new Date(x.at))),
      ...v2.map((x) => ({ ...prediction(versioned, x.id, x.p, new Date(x.at)), version: 2 })),
    ]);
    await api('POST', '/api/outcomes/batch', { outcomes: [...v1, ...v2].map((x) => ({ predictionId: x.id, value: x.outcome })) });
    await eventually(async () => ((await t.client.modelStats(versioned, 3 * 3600)).outcomes === 5 ? true : undefined));

    expect(await t.client.modelStats(versioned, 3600, 1)).toMatchObject({ version: 1, predictions: 1, outcomes: 1, accuracy: 1 });
    expect(await t.client.modelStats(versioned, 3600, 2)).toMatchObject({ version: 2, predictions: 1, outcomes: 1, accuracy: 0 });
    expect(await t.client.modelStats(versioned, 3600)).toMatchObject({ version: null, predictions: 2, outcomes: 2, accuracy: 0.5 });

    const history = await t.client.liveQualityHistory(versioned, { windowSeconds: 3600, windows: 3, version: 1 });
    expect(history).toMatchObject({ model: versioned, version: 1, windowSeconds: 3600 });
    expect(history.points.map((p) => [p.versions, p.predictions, p.outcomes, p.accuracy])).toEqual([
      [[], 0, 0, null],
      [[1], 3, 3, 2 / 3],
      [[1], 1, 1, 1],
    ]);
    expect(history.points[2]!.windowEnd).toBe(new Date(history.points[2]!.windowEnd).toISOString());
    const both = await t.client.liveQualityHistory(versioned, { windowSeconds: 3600, windows: 3 });
    expect(both.points.map((p) => [p.versions, p.predictions, p.accuracy])).toEqual([
      [[], 0, null],
      [[1], 3, 2 / 3],
      [[1, 2], 2, 0.5],
    ]);
    // log loss of the hour with both: −ln 0.8 (v1, right) and −ln 0.4 (v2, wrong)
    expect(both.points[2]!.logLoss).toBeCloseTo(-(Math.log(0.8) + Math.log(0.4)) / 2, 12);
    const bad = await api('GET', `/api/models/${versioned}/live-stats/history?windowSeconds=90`);
    expect(bad.status).toBe(400);
  });

  it('judges multi-class predictions by their class: accuracy, log loss and per-class counts', async () => {
    const iris = `iris-${s}`;
    const [a, b, c, d] = Array.from({ length: 4 }, () => randomUUID()) as [string, string, string, string];
    const multiclass = (id: string, label: number, probabilities: Record<string, number>) => ({
      ...prediction(iris, id, probabilities[label]!),
      label,
      probabilities,
    });
    await publishPredictions([
      multiclass(a, 0, { 0: 0.7, 1: 0.2, 2: 0.1 }), // outcome 0: right
      multiclass(b, 1, { 0: 0.1, 1: 0.8, 2: 0.1 }), // outcome 2: wrong
      multiclass(c, 2, { 0: 0.1, 1: 0.4, 2: 0.5 }), // outcome 2 (as 2.0): right
      multiclass(d, 1, { 0: 0.3, 1: 0.6, 2: 0.1 }), // no outcome
    ]);
    await api('POST', '/api/outcomes/batch', {
      outcomes: [
        { predictionId: a, value: 0 },
        { predictionId: b, value: 2 },
        { predictionId: c, value: 2.0 },
      ],
    });
    const stats = await eventually(async () => {
      const st = await t.client.modelStats(iris, 3600);
      return st.outcomes === 3 && st.predictions === 4 ? st : undefined;
    });
    expect(stats).toMatchObject({ predictions: 4, outcomes: 3 });
    expect(stats.accuracy).toBeCloseTo(2 / 3, 12);
    expect(stats.logLoss).toBeCloseTo(-(Math.log(0.7) + Math.log(0.1) + Math.log(0.5)) / 3, 12);
    expect(stats.classes).toEqual([
      { label: '0', predicted: 1, outcomes: 1 },
      { label: '1', predicted: 2, outcomes: 0 },
      { label: '2', predicted: 1, outcomes: 2 },
    ]);
  });

  it('measures live quality by task, as computed by hand: AUC, precision and recall of a binary model; RMSE, MAE and MAPE of a regressor', async () => {
    const binary = `quality-binary-${s}`;
    const regressor = `quality-regressor-${s}`;
    // binary: scores and what happened; 0.2 appears on both sides (a tie counts one half in the AUC)
    const scored = [
      [0.9, 1],
      [0.8, 1],
      [0.7, 0],
      [0.6, 1],
      [0.4, 1],
      [0.3, 1],
      [0.2, 1],
      [0.2, 0],
      [0.1, 0],
    ] as const;
    const binaryEvents = scored.map(([p]) => prediction(binary, randomUUID(), p));
    // regression: predictions, and outcomes — one arriving before its prediction, one replaced
    const regression = [
      [10, 11],
      [12, 12],
      [7, 5],
      [0.5, 0],
    ] as const;
    const regressionEvents = regression.map(([p]) => prediction(regressor, randomUUID(), p));
    const early = regressionEvents[3]!.predictionId;
    await api('POST', '/api/outcomes/batch', { outcomes: [{ predictionId: early, value: 0 }] });
    const prisma = t.app.get(PrismaService).client;
    await eventually(async () => ((await prisma.pendingOutcome.count({ where: { predictionId: early } })) === 1 ? true : undefined));
    await publishPredictions([...binaryEvents, ...regressionEvents]);
    await api('POST', '/api/outcomes/batch', {
      outcomes: [
        ...binaryEvents.map((e, i) => ({ predictionId: e.predictionId, value: scored[i]![1] })),
        ...regressionEvents.slice(0, 3).map((e, i) => ({ predictionId: e.predictionId, value: i === 2 ? 3 : regression[i]![1] })),
      ],
    });
    const replaced = regressionEvents[2]!.predictionId;
    await eventually(async () => ((await prisma.monitoredPrediction.count({ where: { predictionId: replaced, outcome: 3 } })) === 1 ? true : undefined));
    await api('POST', '/api/outcomes/batch', { outcomes: [{ predictionId: replaced, value: 5 }] });

    const b = await eventually(async () => {
      const st = await t.client.modelStats(binary, 3600);
      return st.outcomes === scored.length ? st : undefined;
    });
    // pairs (positive, negative) with the positive scored higher: 3 + 3 + 2 + 2 + 2 + 1.5 of 6 × 3
    expect(b.auc).toBeCloseTo(13.5 / 18, 12);
    expect(b.precision).toBeCloseTo(3 / 4, 12); // predicted ≥ 0.5: 0.9, 0.8, 0.7, 0.6 — three right
    expect(b.recall).toBeCloseTo(3 / 6, 12); // six positives, three of them predicted so
    const r = await eventually(async () => {
      const st = await t.client.modelStats(regressor, 3600);
      return st.outcomes === 4 && Math.abs((st.mae ?? 0) - 0.875) < 1e-9 ? st : undefined;
    });
    // errors −1, 0, 2, 0.5
    expect(r.rmse).toBeCloseTo(Math.sqrt((1 + 0 + 4 + 0.25) / 4), 12);
    expect(r.mae).toBeCloseTo((1 + 0 + 2 + 0.5) / 4, 12);
    expect(r.mape).toBeCloseTo((1 / 11 + 0 + 2 / 5) / 3, 12); // the outcome 0 has no percentage error
    // and the per-minute sums agree with a scan of the rows
    const [minute] = await prisma.$queryRaw<Array<{ se: number; ae: number; ape: number; apc: number }>>`
      SELECT sum(sq_error_sum)::float8 AS se, sum(abs_error_sum)::float8 AS ae, sum(ape_sum)::float8 AS ape, sum(ape_count)::int AS apc
      FROM monitored_minutes WHERE model_name = ${regressor}`;
    expect(minute!.se).toBeCloseTo(5.25, 12);
    expect(minute!.ae).toBeCloseTo(3.5, 12);
    expect(minute!.ape).toBeCloseTo(1 / 11 + 2 / 5, 12);
    expect(minute!.apc).toBe(3);

    // a monitor on each: evaluated now, with the value above
    await registerLinearModel(t.client, regressor);
    await registerLogisticModel(t.client, binary);
    for (const [name, metric, operator, threshold, value, breached] of [
      [regressor, 'rmse', 'gt', 1, Math.sqrt(5.25 / 4), true],
      [regressor, 'mape', 'gt', 0.5, (1 / 11 + 2 / 5) / 3, false],
      [binary, 'auc', 'lt', 0.8, 0.75, true],
      [binary, 'recall', 'lt', 0.4, 0.5, false],
    ] as const) {
      const created = await t.client.createMonitor({ name: `${metric} watch`, model: name, metric, operator, threshold, windowSeconds: 3600, minSamples: 3 });
      const evaluated = await t.client.evaluateMonitor(created.id);
      expect({ metric, breached: evaluated.breached }).toEqual({ metric, breached });
      expect(evaluated.value).toBeCloseTo(value, 12);
    }
  });

  it("measures each input's drift against the version's training baseline, as computed by hand, and watches one input with a monitor", async () => {
    const drifting = `drifting-${s}`;
    const empty = { mean: null, std: null, min: null, max: null, quantiles: {} };
    await t.client.createVersion(drifting, {
      modelType: 'logistic_regression',
      signature: { inputs: [{ name: 'distance', source: 'request', dtype: 'float' }], onnxInputs: ['distance'], outputs: ['probability', 'label'], task: 'binary_classification' },
      artifactBase64: Buffer.from(exportOnnx(DISTANCE_MODEL, { name: drifting })).toString('base64'),
      baseline: {
        features: [
          { ...empty, name: 'distance', count: 4, missing: 1, histogram: { edges: [null, 150, 250, null], counts: [1, 2, 1] }, sample: [100, 200, 200, 300] },
          { ...empty, name: 'origin', count: 4, missing: 0, histogram: { edges: [null, null], counts: [4] }, categories: { ORD: 3, SFO: 1 } },
        ],
        prediction: null,
      },
    });
    const live: Array<[number | null, string | null]> = [
      [100, 'ORD'],
      [300, 'LAX'],
      [300, 'LAX'],
      [null, null],
    ];
    await publishPredictions(live.map(([distance, origin]) => ({ ...prediction(drifting, randomUUID(), 0.4), inputs: { distance, origin } })));
    const drift = await eventually(async () => {
      const d = await t.client.featureDrift(drifting);
      return d.predictions === live.length ? d : undefined;
    });
    expect(drift).toMatchObject({ model: drifting, version: 1, predictions: 4 });
    const [distance, origin] = drift.features;
    // empirical CDFs at 100, 200, 300: baseline sample ¼, ¾, 1; live ⅓, ⅓, 1
    expect(distance).toMatchObject({ name: 'distance', kind: 'numeric', samples: 3, missingRate: 0.25, baselineMissingRate: 0.2 });
    expect(distance!.ks).toBeCloseTo(3 / 4 - 1 / 3, 12);
    expect(distance!.wasserstein).toBeCloseTo(50, 9);
    // the categories: live [ORD 1, SFO 0, other 2] against the baseline's [3, 1, 0] plus one each
    const chiSquare = (1 - 12 / 7) ** 2 / (12 / 7) + (0 - 6 / 7) ** 2 / (6 / 7) + (2 - 3 / 7) ** 2 / (3 / 7);
    expect(origin).toMatchObject({ name: 'origin', kind: 'categorical', samples: 3, missingRate: 0.25 });
    expect(origin!.chiSquare).toBeCloseTo(chiSquare, 12);
    expect(origin!.chiSquarePValue).toBeCloseTo(Math.exp(-chiSquare / 2), 12);

    // a monitor on one input's KS statistic: evaluated now, breached, and named in the alert
    const monitor = await t.client.createMonitor({ name: 'distance drift', model: drifting, metric: 'feature_ks', feature: 'distance', operator: 'gt', threshold: 0.3, windowSeconds: 3600, minSamples: 3 });
    expect(monitor).toMatchObject({ metric: 'feature_ks', feature: 'distance' });
    // a measure the input's kind never has is refused: chi-square of a number, KS of a category
    const watch = (metric: 'feature_chi_square' | 'feature_ks', feature: string) =>
      api<{ message: string }>('POST', '/api/monitors', {
        name: `${metric} ${feature}`,
        model: drifting,
        metric,
        feature,
        operator: 'gt',
        threshold: 0.3,
      });
    expect(await watch('feature_chi_square', 'distance')).toMatchObject({
      status: 400,
      body: { message: expect.stringMatching(/^feature_chi_square measures categorical inputs; "distance" is numeric: /) },
    });
    expect(await watch('feature_ks', 'origin')).toMatchObject({
      status: 400,
      body: { message: expect.stringMatching(/^feature_ks measures numeric inputs; "origin" is categorical: watch it with feature_chi_square/) },
    });
    const evaluated = await t.client.evaluateMonitor(monitor.id);
    expect(evaluated).toMatchObject({ samples: 3, breached: true, alert: { status: 'open' } });
    expect(evaluated.value).toBeCloseTo(5 / 12, 12);
    const alert = (await t.client.listAlerts('open')).find((a) => a.monitorId === monitor.id);
    expect(alert?.message).toBe(`feature_ks of distance 0.4167 > 0.30 over the last 3600 s (3 samples) for model ${drifting}`);
    const missing = await t.client.createMonitor({ name: 'origin missing', model: drifting, metric: 'feature_missing_rate', feature: 'origin', operator: 'gt', threshold: 0.5, windowSeconds: 3600, minSamples: 4 });
    expect(await t.client.evaluateMonitor(missing.id)).toMatchObject({ value: 0.25, samples: 4, breached: false });

    // the input's drift hour by hour: the last hour holds the predictions above, the two before none
    const history = await t.client.featureDriftHistory(drifting, 'distance', { windowSeconds: 3600, windows: 3 });
    expect(history.points.map((p) => [p.predictions, p.drift === null])).toEqual([
      [0, true],
      [0, true],
      [4, false],
    ]);
    expect(history.points[2]!.drift!.ks).toBeCloseTo(5 / 12, 12);
    expect(Date.parse(history.points[1]!.windowEnd)).toBe(Date.parse(history.points[2]!.windowStart));
    expect(history.monitors).toEqual([{ id: monitor.id, name: 'distance drift', metric: 'feature_ks', operator: 'gt', threshold: 0.3, enabled: true }]);
    expect((await api('GET', `/api/models/${drifting}/feature-drift/history?feature=hour`)).status).toBe(400);

    // bad input: nothing is stored
    const before = (await t.client.listMonitors()).length;
    for (const [body, code, message] of [
      [{ metric: 'feature_psi' }, 'VALIDATION_FAILED', /feature: metric feature_psi needs the input it watches/],
      [{ metric: 'accuracy', feature: 'distance' }, 'VALIDATION_FAILED', /"feature" applies to the feature_\* metrics only/],
      [{ metric: 'feature_psi', feature: 'hour' }, 'BAD_REQUEST', /has no input "hour" to watch: its inputs are "distance", "origin"/],
    ] as const) {
      const refused = await api<{ code: string; message: string }>('POST', '/api/monitors', { name: 'bad', model: drifting, operator: 'gt', threshold: 0.1, ...body });
      expect({ status: refused.status, code: refused.body.code }).toEqual({ status: 400, code });
      expect(refused.body.message).toMatch(message);
    }
    expect((await t.client.listMonitors()).length).toBe(before);
    expect((await api('GET', `/api/models/${drifting}/feature-drift?version=9`)).status).toBe(404);
  });

  it('judges outcomes given by class name: early, late and replaced; a name for a prediction without classes is not stored', async () => {
    const species = `species-${s}`;
    const binary = `binary-${s}`;
    const [a, b, c, e, f] = Array.from({ length: 5 }, () => randomUUID()) as [string, string, string, string, string];
    const named = (id: string, label: string, probabilities: Record<string, number>) => ({
      ...prediction(species, id, probabilities[label]!),
      label,
      probabilities,
    });
    const outcome = (predictionId: string, value: number | string) => ({ predictionId, value });
    // before its prediction: parked with its name, joined when the prediction arrives
    await api('POST', '/api/outcomes/batch', { outcomes: [outcome(a, 'setosa'), outcome(e, 'setosa')] });
    const prisma = t.app.get(PrismaService).client;
    await eventually(async () => ((await prisma.pendingOutcome.count({ where: { predictionId: { in: [a, e] } } })) === 2 ? true : undefined));
    expect(await prisma.pendingOutcome.findUnique({ where: { predictionId: a } })).toMatchObject({ value: null, label: 'setosa' });
    await publishPredictions([
      named(a, 'setosa', { setosa: 0.7, versicolor: 0.2, virginica: 0.1 }), // setosa: right
      named(b, 'versicolor', { setosa: 0.1, versicolor: 0.8, virginica: 0.1 }), // virginica: wrong
      named(c, 'virginica', { setosa: 0.1, versicolor: 0.4, virginica: 0.5 }), // versicolor, then virginica: right
      prediction(binary, e, 0.8), // classes 0/1: the parked name is dropped when it arrives
      prediction(binary, f, 0.3),
    ]);
    await api('POST', '/api/outcomes/batch', { outcomes: [outcome(b, 'virginica'), outcome(c, 'versicolor'), outcome(f, 0)] });
    await eventually(async () => ((await t.client.modelStats(species, 3600)).outcomes === 3 ? true : undefined));
    await api('POST', '/api/outcomes', outcome(c, 'virginica'));
    const stats = await eventually(async () => {
      const st = await t.client.modelStats(species, 3600);
      return st.accuracy !== null && Math.abs(st.accuracy - 2 / 3) < 1e-12 ? st : undefined;
    });
    expect(stats).toMatchObject({ predictions: 3, outcomes: 3 });
    expect(stats.logLoss).toBeCloseTo(-(Math.log(0.7) + Math.log(0.1) + Math.log(0.5)) / 3, 12);
    expect(stats.classes).toEqual([
      { label: 'setosa', predicted: 1, outcomes: 1 },
      { label: 'versicolor', predicted: 1, outcomes: 0 },
      { label: 'virginica', predicted: 1, outcomes: 2 },
    ]);
    // the per-minute sums agree with the rows (accuracy and log loss read them)
    const [sums] = await prisma.$queryRaw<Array<{ outcomes: number; correct: number; log_loss: number }>>`
      SELECT sum(outcomes)::int AS outcomes, sum(correct)::int AS correct, sum(log_loss_sum)::float8 AS log_loss
      FROM monitored_minutes WHERE model_name = ${species}`;
    expect(sums).toMatchObject({ outcomes: 3, correct: 2 });
    expect(sums!.log_loss).toBeCloseTo(-(Math.log(0.7) + Math.log(0.1) + Math.log(0.5)), 12);

    // the binary model: the API refuses a name for a stored prediction without classes; one that
    // reaches the consumer all the same (sent before the prediction was stored) is not stored
    const refused = await api<{ code: string; message: string }>('POST', '/api/outcomes', outcome(f, 'setosa'));
    expect(refused.status).toBe(400);
    expect(refused.body.message).toContain(`prediction ${f} of model ${binary}`);
    await kafka.publish('outcomes', [{ key: f, value: { type: 'outcome', schemaVersion: 1, ...outcome(f, 'setosa'), at: new Date().toISOString() } }]);
    await eventually(async () => {
      const metrics = await (await fetch(`${t.baseUrl}/metrics`)).text();
      return /atelier_monitoring_events_total\{type="outcome_refused"\} [1-9]/.test(metrics) ? true : undefined;
    });
    expect(await prisma.pendingOutcome.count({ where: { predictionId: e } })).toBe(0);
    // f's outcome 0 may have reached the consumer before f itself, in a transaction of its own: then
    // the sweep of parked outcomes joins it within seconds
    await eventually(async () => ((await prisma.monitoredPrediction.count({ where: { predictionId: f, outcome: 0 } })) === 1 ? true : undefined));
    const binaryRows = await prisma.monitoredPrediction.findMany({ where: { modelName: binary }, orderBy: { prediction: 'asc' } });
    expect(binaryRows.map((r) => [r.outcome, r.outcomeLabel])).toEqual([
      [0, null],
      [null, null],
    ]);
    expect(await t.client.modelStats(binary, 3600)).toMatchObject({ predictions: 2, outcomes: 1, accuracy: 1 });
  });

  it('keeps per-minute sums equal to a scan of the predictions: late, early and replaced outcomes, whole and partial minutes', async () => {
    const spread = `spread-${s}`;
    const now = Date.now();
    // 40 predictions over the last 20 minutes, two per minute, values spread over [0, 1)
    const events = Array.from({ length: 40 }, (_, i) =>
      prediction(spread, randomUUID(), ((i * 7919) % 100) / 100, new Date(now - i * 30_000 - 1_000)),
    );
    const early = events.slice(0, 5).map((e) => ({ predictionId: e.predictionId, value: 1 })); // before their predictions
    await api('POST', '/api/outcomes/batch', { outcomes: early });
    const prisma = t.app.get(PrismaService).client;
    await eventually(async () =>
      (await prisma.pendingOutcome.count({ where: { predictionId: { in: early.map((o) => o.predictionId) } } })) === 5 ? true : undefined,
    );
    await publishPredictions(events);
    const late = events.slice(5, 25).map((e, i) => ({ predictionId: e.predictionId, value: i % 2 }));
    await api('POST', '/api/outcomes/batch', { outcomes: late });
    // replaced: the last value wins, and the minute's counts follow it
    const replaced = events.slice(0, 10).map((e) => ({ predictionId: e.predictionId, value: 0 }));
    await eventually(async () =>
      (await prisma.monitoredPrediction.count({ where: { modelName: spread, outcome: { not: null } } })) === 25 ? true : undefined,
    );
    await api('POST', '/api/outcomes/batch', { outcomes: replaced });
    const replacedIds = replaced.map((o) => o.predictionId);
    await eventually(async () =>
      (await prisma.monitoredPrediction.count({ where: { predictionId: { in: replacedIds }, outcome: 0 } })) === 10 ? true : undefined,
    );

    const scanned = await prisma.$queryRaw<
      Array<{
        minute: Date;
        predictions: number;
        prediction_sum: number;
        positives: number;
        outcomes: number;
        correct: number;
        log_loss: number;
      }>
    >`
      SELECT date_trunc('minute', predicted_at) AS minute, count(*)::int AS predictions, sum(prediction)::float8 AS prediction_sum,
             count(*) FILTER (WHERE prediction >= 0.5)::int AS positives, count(outcome)::int AS outcomes,
             count(*) FILTER (WHERE (prediction >= 0.5) = (outcome >= 0.5))::int AS correct,
             coalesce(sum(-ln(greatest(least(CASE WHEN outcome >= 0.5 THEN prediction ELSE 1 - prediction END, 1), 1e-15))) FILTER (WHERE outcome IS NOT NULL), 0)::float8 AS log_loss
      FROM monitored_predictions WHERE model_name = ${spread} GROUP BY 1 ORDER BY 1`;
    const minutes = await prisma.monitoredMinute.findMany({ where: { modelName: spread }, orderBy: { minute: 'asc' } });
    expect(
      minutes.map((m) => ({
        minute: m.minute,
        predictions: m.predictions,
        positives: m.positives,
        outcomes: m.outcomes,
        correct: m.correct,
      })),
    ).toEqual(
      scanned.map((m) => ({
        minute: m.minute,
        predictions: m.predictions,
        positives: m.positives,
        outcomes: m.outcomes,
        correct: m.correct,
      })),
    );
    minutes.forEach((m, i) => expect(m.predictionSum).toBeCloseTo(scanned[i]!.prediction_sum, 9));
    minutes.forEach((m, i) => expect(m.logLossSum).toBeCloseTo(scanned[i]!.log_loss, 9));

    /** `figures` over `[start, end)` equal a scan of exactly that window (`named` says which window in a failure) */
    const expectScanned = async (
      named: Record<string, number>,
      figures: {
        predictions: number;
        outcomes: number;
        predictionMean: number | null;
        positiveRate: number | null;
        accuracy: number | null;
      },
      start: Date,
      end: Date,
    ) => {
      const [direct] = await prisma.$queryRaw<
        Array<{ predictions: number; outcomes: number; mean: number | null; positive_rate: number | null; accuracy: number | null }>
      >`
        SELECT count(*)::int AS predictions, count(outcome)::int AS outcomes, avg(prediction)::float8 AS mean,
               avg((prediction >= 0.5)::int)::float8 AS positive_rate,
               (avg(((prediction >= 0.5) = (outcome >= 0.5))::int) FILTER (WHERE outcome IS NOT NULL))::float8 AS accuracy
        FROM monitored_predictions
        WHERE model_name = ${spread} AND predicted_at >= ${start} AND predicted_at < ${end}`;
      expect({ ...named, predictions: figures.predictions, outcomes: figures.outcomes }).toEqual({
        ...named,
        predictions: direct!.predictions,
        outcomes: direct!.outcomes,
      });
      for (const [ours, theirs] of [
        [figures.predictionMean, direct!.mean],
        [figures.positiveRate, direct!.positive_rate],
        [figures.accuracy, direct!.accuracy],
      ] as const) {
        if (theirs === null) expect(ours).toBeNull();
        else expect(ours).toBeCloseTo(theirs, 9);
      }
    };

    // a window that starts and ends inside minutes: the API's figures equal a scan of exactly that window
    for (const seconds of [45, 330, 900]) {
      const stats = await t.client.modelStats(spread, seconds);
      await expectScanned({ seconds }, stats, new Date(stats.windowStart), new Date(stats.windowEnd));
    }

    // edges inside minutes, with and without predictions of the same minute outside the window (an
    // edge minute is its per-minute sums less those): each equals a scan of the window
    const repository = t.app.get(MonitoringRepository);
    const times = events.map((e) => Date.parse(e.at)).sort((a, b) => a - b);
    const outsideInMinute = (from: number, to: number) => times.some((at) => at >= from && at < to);
    const kinds = new Set<string>();
    const fromEvents = [
      [0, 39],
      [1, 38],
      [2, 37],
      [3, 30],
      [4, 25],
      [6, 20],
      [9, 33],
      [10, 11],
    ].map(([i, j]) => [times[i!]!, times[j!]! + 1] as const);
    // and windows starting in the first and in the second half of a minute (read from either side)
    const minute = Math.floor(times[3]! / 60_000) * 60_000 + 60_000;
    const halves = [10_000, 29_000, 31_000, 50_000].map((offset) => [minute + offset, times[33]! + 1] as const);
    for (const [start, end] of [...fromEvents, ...halves]) {
      const startMinute = Math.floor(start / 60_000) * 60_000;
      const endMinute = Math.floor(end / 60_000) * 60_000;
      kinds.add(`head ${outsideInMinute(startMinute, start)}, tail ${outsideInMinute(end, endMinute + 60_000)}`);
      const ours = await repository.aggregateWindow(spread, { start: new Date(start), end: new Date(end) });
      await expectScanned({ start, end }, ours, new Date(start), new Date(end));
    }
    // both kinds of edge were met
    expect([...kinds].some((k) => k.includes('head true')) && [...kinds].some((k) => k.includes('head false'))).toBe(true);
    expect([...kinds].some((k) => k.includes('tail true')) && [...kinds].some((k) => k.includes('tail false'))).toBe(true);
  });

  it('stores a prediction and its outcome from two transactions at once, without a shared lock: joined once, counted once', async () => {
    const raced = `raced-${s}`;
    const ingestion = t.app.get(IngestionService);
    const prisma = t.app.get(PrismaService).client;
    const pairs = Array.from({ length: 120 }, (_, i) => ({ id: randomUUID(), value: i % 2 }));
    // each prediction and its outcome in transactions of their own, started together, as two
    // partitions consumed at once (or two processes of the consumer group) would store them
    for (let i = 0; i < pairs.length; i += 6) {
      await Promise.all(
        pairs
          .slice(i, i + 6)
          .flatMap(({ id, value }) => [
            ingestion.consume([prediction(raced, id, 0.8)]),
            ingestion.consume([{ type: 'outcome', schemaVersion: 1, predictionId: id, value, at: new Date().toISOString() }]),
          ]),
      );
    }
    // a pair that missed each other is joined by the sweep the consumer runs every few seconds
    await ingestion.joinParked();
    const ids = pairs.map((p) => p.id);
    expect(await prisma.pendingOutcome.count({ where: { predictionId: { in: ids } } })).toBe(0);
    expect(await prisma.monitoredPrediction.count({ where: { modelName: raced, outcome: { not: null } } })).toBe(pairs.length);
    const sums = await prisma.monitoredMinute.aggregate({
      where: { modelName: raced },
      _sum: { predictions: true, outcomes: true, correct: true },
    });
    // 0.8 is on the positive side: right exactly when the outcome is 1
    expect(sums._sum).toEqual({ predictions: pairs.length, outcomes: pairs.length, correct: pairs.length / 2 });
    // a second sweep finds nothing more
    expect(await ingestion.joinParked()).toBe(0);
  });

  it('stores a new batch through COPY and one holding stored predictions through the INSERT: each prediction once, minutes equal to a scan', async () => {
    const copied = `copied-${s}`;
    const repository = t.app.get(MonitoringRepository);
    const db = t.app.get(PrismaService);
    const prisma = db.client;
    // the statements each ingest sends (a COPY is a stream object with its text)
    const sent: string[] = [];
    const transaction = db.transaction.bind(db);
    const spy = vi.spyOn(db, 'transaction').mockImplementation((work) =>
      transaction((client) => {
        const query = client.query.bind(client) as (...args: unknown[]) => unknown;
        const watched = new Proxy(client, {
          get: (target, key, receiver) =>
            key === 'query'
              ? (...args: unknown[]) => {
                  const first = args[0] as string | { text?: string };
                  sent.push(typeof first === 'string' ? first : String(first.text));
                  return query(...args);
                }
              : Reflect.get(target, key, receiver),
        });
        return work(watched);
      }),
    );
    const path = () => {
      const kinds = sent.map((q) => q.trim().split(/\s+/).slice(0, 2).join(' '));
      sent.length = 0;
      return { copy: kinds.includes('COPY monitored_predictions'), insert: kinds.includes('WITH stored'), rolledBack: kinds.includes('ROLLBACK TO') };
    };
    try {
      const now = Math.floor(Date.now() / 60_000) * 60_000 - 5 * 60_000;
      // 60 predictions over three minutes; some of a class with probabilities, some of a canary arm
      const events = Array.from({ length: 60 }, (_, i) => ({
        ...prediction(copied, randomUUID(), (i % 10) / 10, new Date(now + i * 3_000 + (i % 7))),
        ...(i % 5 === 1 ? { label: 'late', probabilities: { late: 0.6, on_time: 0.4 } } : {}),
        ...(i % 3 === 2 ? { arm: 'canary' as const, latencyMs: 1.25 } : {}),
      }));
      // an outcome parked before its prediction: joined once the COPY has stored it
      await repository.ingest([], [{ predictionId: events[7]!.predictionId, value: 1, at: new Date().toISOString() }]);
      sent.length = 0;
      expect(await repository.ingest(events.slice(0, 40), [])).toMatchObject({ stored: 40, joined: 1, models: [copied] });
      expect(path()).toEqual({ copy: true, insert: false, rolledBack: false });
      // redelivered ones among new ones: the COPY fails on the key, the INSERT stores the new ones
      expect(await repository.ingest(events.slice(30, 60), [])).toMatchObject({ stored: 20 });
      expect(path()).toEqual({ copy: true, insert: true, rolledBack: true });
      // the same prediction twice in one batch: stored once
      const twice = prediction(copied, randomUUID(), 0.3, new Date(now + 30_000));
      expect(await repository.ingest([twice, { ...twice }], [])).toMatchObject({ stored: 1 });
      expect(path()).toEqual({ copy: true, insert: true, rolledBack: true });
      // a time finer than a millisecond: the INSERT, rounded by the server as before
      const fine = { ...prediction(copied, randomUUID(), 0.7), at: new Date(now + 61_000).toISOString().replace('Z', '999Z') };
      expect(await repository.ingest([fine], [])).toMatchObject({ stored: 1 });
      expect(path()).toEqual({ copy: false, insert: true, rolledBack: false });
      expect((await prisma.monitoredPrediction.findUnique({ where: { predictionId: fine.predictionId } }))!.predictedAt.getTime()).toBe(now + 61_001);

      const stored = await prisma.monitoredPrediction.findMany({ where: { modelName: copied }, orderBy: { predictedAt: 'asc' } });
      expect(stored).toHaveLength(62);
      const first = stored.find((p) => p.predictionId === events[0]!.predictionId)!;
      expect(first).toMatchObject({
        version: 1,
        alias: 'production',
        prediction: 0,
        inputs: { distance: 500 },
        label: null,
        probabilities: null,
      });
      expect(first.predictedAt.toISOString()).toBe(events[0]!.at);
      expect(stored.find((p) => p.predictionId === events[11]!.predictionId)).toMatchObject({
        label: 'late',
        probabilities: { late: 0.6, on_time: 0.4 },
        arm: 'canary',
        latencyMs: 1.25,
      });
      expect(stored.find((p) => p.predictionId === events[7]!.predictionId)).toMatchObject({ outcome: 1 });
      const [scanned] = await prisma.$queryRaw<Array<{ minutes: unknown }>>`
        SELECT json_agg(m ORDER BY m.minute) AS minutes FROM (
          SELECT date_trunc('minute', predicted_at) AS minute, count(*)::int AS predictions, count(*) FILTER (WHERE prediction >= 0.5)::int AS positives,
                 count(outcome)::int AS outcomes, round(sum(prediction)::numeric, 9)::float8 AS sum
          FROM monitored_predictions WHERE model_name = ${copied} GROUP BY 1) m`;
      const [summed] = await prisma.$queryRaw<Array<{ minutes: unknown }>>`
        SELECT json_agg(m ORDER BY m.minute) AS minutes FROM (
          SELECT minute, predictions, positives, outcomes, round(prediction_sum::numeric, 9)::float8 AS sum
          FROM monitored_minutes WHERE model_name = ${copied}) m`;
      expect(summed!.minutes).toEqual(scanned!.minutes);
    } finally {
      spy.mockRestore();
    }
  });

  it('stores the rows of a batch event as the predictions they stand for, and a redelivered one once', async () => {
    const batched = `batched-${s}`;
    const prisma = t.app.get(PrismaService).client;
    const at = new Date(Math.floor(Date.now() / 1000) * 1000 - 30_000);
    const events = Array.from({ length: 30 }, (_, i) => ({
      ...prediction(batched, randomUUID(), (i % 10) / 10, at),
      inputs: { distance: 100 + i, origin: i % 3 ? 'ORD' : null },
      entities: { airport: i % 2 ? 'ORD' : 'LAS' },
      latencyMs: 2.5,
    }));
    // one key, so one partition, in this order: the batch, a redelivered part of it, then one more
    // prediction, stored only after the redelivery was consumed
    const key = events[0]!.predictionId;
    const last = prediction(batched, randomUUID(), 0.5, at);
    await kafka.publish('predictions', [
      { key, value: predictionBatchOf(events)! },
      { key, value: predictionBatchOf(events.slice(10, 20))! },
      { key, value: last },
    ]);
    const stored = await eventually(async () => {
      const rows = await prisma.monitoredPrediction.findMany({ where: { modelName: batched } });
      return rows.length === 31 ? rows : undefined;
    });
    const byId = new Map(stored.map((r) => [r.predictionId, r]));
    for (const e of events) {
      expect(byId.get(e.predictionId)).toMatchObject({
        prediction: e.prediction,
        inputs: e.inputs,
        latencyMs: 2.5,
        alias: 'production',
        version: 1,
      });
      expect(byId.get(e.predictionId)!.predictedAt.toISOString()).toBe(e.at);
    }
    // the redelivered part is not counted twice
    expect((await prisma.monitoredMinute.aggregate({ where: { modelName: batched }, _sum: { predictions: true } }))._sum.predictions).toBe(31);
    await t.app.get(EvaluationScheduler).whenIdle();
  });

  it('keeps at most one open alert per monitor when evaluations race', async () => {
    const monitor = await t.client.createMonitor({ name: 'raced', model, metric: 'accuracy', operator: 'lt', threshold: 0.6 });
    const evaluations = await Promise.all(Array.from({ length: 6 }, () => t.client.evaluateMonitor(monitor.id)));
    const alertIds = new Set(evaluations.map((e) => e.alert?.id));
    expect(alertIds.size).toBe(1);
    const alerts = (await api<AlertResponse[]>('GET', `/api/alerts?model=${model}&status=open`)).body.filter(
      (x) => x.monitorId === monitor.id,
    );
    expect(alerts).toHaveLength(1);
    expect((await api<MonitorWindowResponse[]>('GET', `/api/monitors/${monitor.id}/windows`)).body).toHaveLength(6);
  });

  it('sets a poison message aside on the dead-letter topic with its reason, and goes on with the others', async () => {
    const letters: DeadLetter[] = [];
    await kafka.subscribe({
      group: `test-dead-letters-${s}`,
      topics: ['deadLetters'],
      schema: z.custom<DeadLetter>(),
      handle: async (events) => void letters.push(...events),
    });
    const poisoned = `poisoned-${s}`;
    const [refusedByDb, brokenContract, fine] = [randomUUID(), randomUUID(), randomUUID()];
    // a NUL in the inputs passes the event's contract but PostgreSQL's jsonb refuses it (22P05)
    await publishPredictions([{ ...prediction(poisoned, refusedByDb, 0.4), inputs: { distance: 'a\u0000b' } }]);
    await kafka.publish('predictions', [
      { key: brokenContract, value: { type: 'prediction', predictionId: brokenContract, prediction: 'high' } },
    ]);
    await publishPredictions([prediction(poisoned, fine, 0.6)]);
    // a packed message (what the prediction log sends): its good events stored, its bad one set aside alone
    const [packedFine, packedBroken, packedAlsoFine] = [randomUUID(), randomUUID(), randomUUID()];
    await kafka.publish('predictions', [
      {
        key: packedFine,
        value: [
          prediction(poisoned, packedFine, 0.2),
          { type: 'prediction', predictionId: packedBroken, prediction: 'low' },
          prediction(poisoned, packedAlsoFine, 0.4),
        ],
      },
    ]);

    const stats = await eventually(async () => {
      const st = await t.client.modelStats(poisoned, 3600);
      return st.predictions === 3 ? st : undefined;
    });
    expect(stats.predictionMean).toBeCloseTo(0.4, 10);
    const mine = await eventually(async () => {
      const found = letters.filter((l) => l.key === refusedByDb || l.key === brokenContract || l.key === packedFine);
      return found.length === 3 ? found : undefined;
    });
    const byKey = Object.fromEntries(mine.map((l) => [l.key, l]));
    expect(byKey[packedFine]).toMatchObject({ item: 1, reason: expect.stringMatching(/^does not match its contract/) });
    expect(JSON.parse(byKey[packedFine]!.value!)).toEqual({ type: 'prediction', predictionId: packedBroken, prediction: 'low' });
    expect(byKey[refusedByDb]).toMatchObject({ group: 'monitoring', topic: `${t.namespace}.predictions.v3` });
    expect(byKey[refusedByDb]!.reason).toMatch(/^refused by its consumer: .*unicode|^refused by its consumer: .*\\u0000/i);
    expect(JSON.parse(byKey[refusedByDb]!.value!)).toMatchObject({ predictionId: refusedByDb });
    expect(byKey[brokenContract]!.reason).toMatch(/^does not match its contract/);
    const metrics = await (await fetch(`${t.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`atelier_dead_letters_total\\{topic="${t.namespace}\\.predictions\\.v3"\\} [3-9]`));
  });

  it('answers unknown ids with 404 and bad input with 400, in the error shape', async () => {
    const unknown = randomUUID();
    for (const [method, path] of [
      ['GET', `/api/monitors/${unknown}`],
      ['POST', `/api/monitors/${unknown}/evaluate`],
      ['PATCH', `/api/monitors/${unknown}`],
      ['DELETE', `/api/monitors/${unknown}`],
      ['GET', `/api/alerts/${unknown}`],
    ] as const) {
      const r = await api<Record<string, unknown>>(method, path, method === 'PATCH' ? { threshold: 1 } : undefined);
      expect({ path, status: r.status, code: r.body.code }).toEqual({ path, status: 404, code: 'NOT_FOUND' });
      expect(r.body.requestId).toBe(r.requestId);
    }
    const notFound = await api<Record<string, unknown>>('GET', `/api/monitors/${unknown}`);
    expect(notFound.body.message).toBe(`monitor "${unknown}" does not exist`);

    const bad = await api<Record<string, unknown>>('POST', '/api/monitors', {
      name: 'x',
      model,
      metric: 'accuracy',
      operator: 'below',
      threshold: 0.5,
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'VALIDATION_FAILED', requestId: bad.requestId });
    expect(bad.body.message).toMatch(/operator/);

    const ftp = await api<Record<string, unknown>>('POST', '/api/monitors', {
      name: 'x',
      model,
      metric: 'accuracy',
      operator: 'lt',
      threshold: 0.5,
      webhookUrl: 'ftp://example.com/hook',
    });
    expect(ftp).toMatchObject({
      status: 400,
      body: { code: 'BAD_REQUEST', message: 'webhookUrl must be an http or https URL, got "ftp:"' },
    });

    const badOutcome = await api<Record<string, unknown>>('POST', '/api/outcomes', { predictionId: 'not-a-uuid', value: 1 });
    expect(badOutcome).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });
    expect(badOutcome.body.message).toMatch(/predictionId/);

    const unregistered = `never-registered-${s}`;
    const orphan = await api<Record<string, unknown>>('POST', '/api/monitors', {
      name: 'x',
      model: unregistered,
      metric: 'accuracy',
      operator: 'lt',
      threshold: 0.5,
    });
    expect(orphan).toMatchObject({
      status: 404,
      body: { code: 'NOT_FOUND', message: `model "${unregistered}" is not registered; register a version of it before monitoring it` },
    });
    expect((await api<MonitorResponse[]>('GET', `/api/monitors?model=${unregistered}`)).body).toEqual([]);
    // live figures and drift of a model the registry does not know: 404, not an empty window
    for (const path of ['live-stats', 'live-stats/history', 'arms', 'feature-drift']) {
      expect(await api('GET', `/api/models/${unregistered}/${path}`)).toMatchObject({
        status: 404,
        body: { code: 'NOT_FOUND', message: `model "${unregistered}" does not exist` },
      });
    }
    expect((await api('GET', `/api/models/${model}/arms`)).status).toBe(200);

    // a metric the model's task has no value of (the model is a binary classifier), and a name the model's monitors already use
    const misfit = await api('POST', '/api/monitors', { name: 'errors', model, metric: 'rmse', operator: 'gt', threshold: 1 });
    expect(misfit).toMatchObject({ status: 400, body: { code: 'BAD_REQUEST' } });
    expect((misfit.body as { message: string }).message).toMatch(
      /^metric rmse does not apply to a binary classification model; its quality metrics are accuracy, log_loss, positive_rate, auc, precision, recall/,
    );
    const first = await api<MonitorResponse>('POST', '/api/monitors', {
      name: `twice-${s}`,
      model,
      metric: 'accuracy',
      operator: 'lt',
      threshold: 0.1,
    });
    expect(first.status).toBe(201);
    expect(await api('POST', '/api/monitors', { name: `twice-${s}`, model, metric: 'auc', operator: 'lt', threshold: 0.1 })).toMatchObject({
      status: 409,
      body: {
        code: 'CONFLICT',
        message: `model "${model}" already has a monitor named "twice-${s}"; choose another name or change that one`,
      },
    });
    expect((await api('DELETE', `/api/monitors/${first.body.id}`)).status).toBe(204);
    // two at once with one name: the unique (model, name) index lets one through
    const raced = await Promise.all(
      [0, 1].map(() =>
        api<MonitorResponse>('POST', '/api/monitors', { name: `raced-${s}`, model, metric: 'accuracy', operator: 'lt', threshold: 0.1 }),
      ),
    );
    expect(raced.map((r) => r.status).sort()).toEqual([201, 409]);
    await api('DELETE', `/api/monitors/${raced.find((r) => r.status === 201)!.body.id}`);

    expect((await api('GET', `/api/models/${model}/live-stats?windowSeconds=0`)).status).toBe(400);
    expect((await api('GET', '/api/alerts?status=closed')).status).toBe(400);
  });

  it("does not judge a monitor whose metric does not fit the version production serves (else the newest), and says why", async () => {
    /** a classifier v1 with an auc and a prediction_count monitor, then a regressor v2; production as `alias` says */
    const changed = async (name: string, alias: 'none' | 'kept on v1' | 'moved to v2') => {
      await registerLogisticModel(t.client, name);
      if (alias !== 'none') await t.client.setAlias(name, 'production', 1);
      const monitor = (metric: string) =>
        api<MonitorResponse>('POST', '/api/monitors', { name: metric, model: name, metric, operator: 'lt', threshold: 0.5 });
      const auc = await monitor('auc');
      const count = await monitor('prediction_count');
      expect([auc.status, count.status, auc.body.problem, count.body.problem]).toEqual([201, 201, null, null]);
      expect(await registerLinearModel(t.client, name)).toBe(2);
      if (alias === 'moved to v2') await t.client.setAlias(name, 'production', 2);
      const listed = new Map((await api<MonitorResponse[]>('GET', `/api/monitors?model=${name}`)).body.map((m) => [m.metric, m]));
      return { auc: listed.get('auc')!, count: listed.get('prediction_count')! };
    };
    const misfit = 'metric auc does not apply to a regression model; its quality metrics are rmse, mae, mape';

    // no production alias: the newest version decides; AUC means nothing for a regressor, a prediction count still does
    const unaliased = await changed(`changing-${s}`, 'none');
    const problem = `not judged since version 2 became the model's newest (it has no production alias): ${misfit}`;
    expect(unaliased.auc.problem).toMatch(new RegExp(`^${problem.replace(/[()]/g, '\\$&')}`));
    expect(unaliased.count.problem).toBeNull();
    expect((await api<MonitorResponse>('GET', `/api/monitors/${unaliased.auc.id}`)).body.problem).toBe(unaliased.auc.problem);
    const unjudged = await api<MonitorEvaluation>('POST', `/api/monitors/${unaliased.auc.id}/evaluate`);
    expect(unjudged.body).toMatchObject({ value: null, samples: 0, breached: false, alert: null, problem: unaliased.auc.problem });
    const judged = await api<MonitorEvaluation>('POST', `/api/monitors/${unaliased.count.id}/evaluate`);
    expect(judged.body).toMatchObject({ value: 0, breached: true, problem: null });

    // production still serves the classifier: its AUC monitor is judged; once production moves to the regressor, it is not
    expect((await changed(`kept-${s}`, 'kept on v1')).auc.problem).toBeNull();
    expect((await changed(`promoted-${s}`, 'moved to v2')).auc.problem).toMatch(
      new RegExp(`^not judged while version 2 serves production: ${misfit}`),
    );

    // a new monitor is checked against the same version: the classifier's metrics while production serves v1, the regressor's once it serves v2
    const create = (name: string, metric: string) =>
      api<MonitorResponse>('POST', '/api/monitors', { name: `new-${metric}`, model: name, metric, operator: 'lt', threshold: 0.5 });
    expect(await create(`kept-${s}`, 'accuracy')).toMatchObject({ status: 201, body: { problem: null } });
    expect(await create(`kept-${s}`, 'rmse')).toMatchObject({
      status: 400,
      body: { message: expect.stringMatching(/^metric rmse does not apply to a binary/) },
    });
    expect(await create(`promoted-${s}`, 'accuracy')).toMatchObject({
      status: 400,
      body: { message: expect.stringMatching(/^metric accuracy does not apply to a regression/) },
    });
    expect(await create(`promoted-${s}`, 'rmse')).toMatchObject({ status: 201, body: { problem: null } });
  });

  it('sees production move at once, not when the live version it remembers expires', async () => {
    const name = `moving-${s}`;
    await registerLogisticModel(t.client, name);
    await t.client.setAlias(name, 'production', 1);
    const auc = await api<MonitorResponse>('POST', '/api/monitors', {
      name: 'auc',
      model: name,
      metric: 'auc',
      operator: 'lt',
      threshold: 0.5,
    });
    await t.app.get(LiveVersionWatch).whenRunning();
    // listed once: the live version (v1, a classifier) is remembered for 30 s from here
    const listedAt = Date.now();
    expect((await api<MonitorResponse[]>('GET', `/api/monitors?model=${name}`)).body.map((m) => m.problem)).toEqual([null]);
    expect(await registerLinearModel(t.client, name)).toBe(2);
    await t.client.setAlias(name, 'production', 2);
    const problem = await eventually(
      async () => (await api<MonitorResponse>('GET', `/api/monitors/${auc.body.id}`)).body.problem ?? undefined,
      15_000,
    );
    expect(problem).toMatch(/^not judged while version 2 serves production: metric auc does not apply to a regression model/);
    expect(Date.now() - listedAt).toBeLessThan(25_000);
  });

  it('lists, disables and deletes monitors', async () => {
    const name = `tmp-${s}`;
    const created = await api<MonitorResponse>('POST', '/api/monitors', {
      name,
      model,
      metric: 'positive_rate',
      operator: 'gt',
      threshold: 0.95,
    });
    expect(created.status).toBe(201);
    expect((await api<MonitorResponse[]>('GET', `/api/monitors?model=${model}`)).body.map((m) => m.name)).toContain(name);
    const disabled = await api<MonitorResponse>('PATCH', `/api/monitors/${created.body.id}`, { enabled: false, windowSeconds: 600 });
    expect(disabled.body).toMatchObject({ enabled: false, windowSeconds: 600, threshold: 0.95 });
    const evaluation = await api<MonitorEvaluation>('POST', `/api/monitors/${created.body.id}/evaluate`);
    expect(evaluation.body).toMatchObject({ value: 1, samples: 20, breached: true });
    expect(Date.parse(evaluation.body.windowEnd) - Date.parse(evaluation.body.windowStart)).toBe(600_000);

    const deleted = await api('DELETE', `/api/monitors/${created.body.id}`);
    expect(deleted.status).toBe(204);
    expect((await api('GET', `/api/monitors/${created.body.id}`)).status).toBe(404);
    expect((await api<AlertResponse[]>('GET', `/api/alerts?model=${model}`)).body.every((a) => a.monitorId !== created.body.id)).toBe(true);
  });

  it('deletes predictions, shadows, parked outcomes and monitor windows older than MONITORING_RETENTION_DAYS, keeping the minute sums', async () => {
    const retained = `retained-${s}`;
    const now = new Date();
    const old = new Date(now.getTime() - 31 * 86_400_000); // the default retention is 30 days
    const [oldId, newId, oldShadow, oldParked, newParked] = Array.from({ length: 5 }, () => randomUUID());
    const olderStill = Array.from({ length: 5 }, () => randomUUID());
    const outcome = (predictionId: string): OutcomeEvent => ({
      type: 'outcome',
      schemaVersion: 1,
      predictionId,
      value: 1,
      at: now.toISOString(),
    });
    const ingestion = t.app.get(IngestionService);
    await ingestion.consume([
      prediction(retained, oldId, 0.9, old),
      prediction(retained, newId, 0.2, now),
      { ...prediction(retained, oldShadow, 0.4, old), arm: 'shadow', shadowOf: oldId },
      ...olderStill.map((id) => prediction(`${retained}-b`, id, 0.5, new Date(old.getTime() - 60_000))),
      outcome(oldParked),
      outcome(newParked),
    ]);
    const prisma = t.app.get(PrismaService).client;
    await prisma.$executeRaw`UPDATE pending_outcomes SET parked_at = ${old} WHERE prediction_id = ${oldParked}::uuid`;
    const monitor = await api<MonitorResponse>('POST', '/api/monitors', {
      name: `retained-${s}`,
      model,
      metric: 'positive_rate',
      operator: 'gt',
      threshold: 0.95,
    });
    await prisma.monitorWindow.createMany({
      data: [old, now].map((end) => ({
        monitorId: monitor.body.id,
        windowStart: new Date(end.getTime() - 3600_000),
        windowEnd: end,
        value: 0.5,
        samples: 10,
        breached: false,
      })),
    });
    const repository = t.app.get(MonitoringRepository);
    const cutoff = new Date(now.getTime() - 30 * 86_400_000);

    // a stopped sweep deletes nothing; a running one goes on chunk after chunk until none is left
    expect(await repository.deleteOlderThan('monitored_predictions', cutoff, 2, () => true)).toBe(0);
    expect(await repository.deleteOlderThan('monitored_predictions', cutoff, 2)).toBeGreaterThanOrEqual(6);
    expect(await prisma.monitoredPrediction.count({ where: { predictionId: { in: [oldId, ...olderStill] } } })).toBe(0);

    const sweep = await t.app.get(MonitoringRetention).sweep(now);
    expect(sweep).toMatchObject({ cutoff, failed: [] });
    expect(await prisma.monitoredPrediction.findUnique({ where: { predictionId: newId } })).toMatchObject({ modelName: retained });
    expect(await prisma.shadowPrediction.findUnique({ where: { predictionId: oldShadow } })).toBeNull();
    const parked = await prisma.pendingOutcome.findMany({ where: { predictionId: { in: [oldParked, newParked] } } });
    expect(parked.map((p) => p.predictionId)).toEqual([newParked]);
    expect((await prisma.monitorWindow.findMany({ where: { monitorId: monitor.body.id } })).map((w) => w.windowEnd)).toEqual([now]);
    // the minutes' sums stay: windows over the deleted predictions still count them
    expect(await prisma.monitoredMinute.count({ where: { modelName: { in: [retained, `${retained}-b`] } } })).toBe(3);
  });

  // last: it restarts the app (the Kafka subscription of alertsOnKafka ends with the first one)
  it('delivers a webhook that was waiting for a retry when the app restarted, once', async () => {
    hook.state.refuse = true;
    const before = hook.requests();
    const monitor = await t.client.createMonitor({
      name: 'restart',
      model,
      metric: 'positive_rate',
      operator: 'gt',
      threshold: 0.5,
      webhookUrl: hook.url,
    });
    const opened = await t.client.evaluateMonitor(monitor.id);
    const alertId = opened.alert!.id;
    expect(opened.alert).toMatchObject({ status: 'open' });
    await eventually(async () => (hook.requests() > before ? true : undefined));
    const { namespace } = t;
    await t.close();
    t = await startTestApp([MonitoringModule, RegistryModule], { ATELIER_NAMESPACE: namespace });
    hook.state.refuse = false;
    const delivered = await eventually(async () => hook.received.find((e) => e.alertId === alertId), 90_000, 250);
    expect(delivered).toMatchObject({ type: 'alert-opened', monitorId: monitor.id });
    // one event, one delivery: later retries of a delivered job do not happen
    await new Promise((r) => setTimeout(r, 1_000));
    expect(hook.received.filter((e) => e.alertId === alertId)).toHaveLength(1);
  });
});

describe('monitoring without Kafka', () => {
  it('still starts and serves its HTTP API while the consumer retries in the background', async () => {
    const started = Date.now();
    const t = await startTestApp([MonitoringModule], { KAFKA_BROKERS: '127.0.0.1:1' });
    try {
      expect(Date.now() - started).toBeLessThan(15_000);
      const monitors = await fetch(`${t.baseUrl}/api/monitors`, { headers: authHeaders() });
      expect(monitors.status).toBe(200);
      // read from PostgreSQL (a model no registry knows: 404 once the window is found empty)
      const live = await fetch(`${t.baseUrl}/api/models/nothing-${uniqueSuffix()}/live-stats`, { headers: authHeaders() });
      expect({ status: live.status, body: await live.json() }).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
    } finally {
      await t.close();
    }
  });
});
