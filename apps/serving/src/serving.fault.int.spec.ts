import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';

import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  type ModelSignature,
  type PredictionBatchEvent,
  type PredictionEvent,
  type PredictRequestInput,
  topicName,
} from '@atelier/contracts';
import { FeatureStoreModule } from '@atelier/feature-store';
import { type LogisticRegressionModel, sigmoid } from '@atelier/ml';
import { MonitoringModule } from '@atelier/monitoring';
import { RegistryModule } from '@atelier/registry';
import { ServingModule } from '@atelier/serving';
import {
  authHeaders,
  DISTANCE_MODEL,
  eventually,
  type PrivateKafka,
  type PrivateRedis,
  registerLogisticModel,
  startPrivateKafka,
  startPrivateRedis,
  startTestApp,
  type TestApp,
  testDatabaseUrl,
  uniqueSuffix,
} from '@atelier/testing';

/**
 * It lives in the serving app rather than in libs/serving because it composes four domains
 * (feature store, registry, serving, monitoring), which only an app may import.
 *
 * Online serving while its dependencies fail, against a Redis and a Kafka broker of this file's
 * own (the shared ones on 6379/9092 stay up for the specs running in parallel):
 * Redis down → a fast 503 for models that read features, recovery without a restart;
 * Kafka down under load → every prediction answered, the prediction log spooled to disk and
 * replayed, each prediction stored by monitoring exactly once; Kafka down across a serving
 * restart → what the first process spooled is delivered by the second.
 */
const MODULES = [FeatureStoreModule, RegistryModule, ServingModule, MonitoringModule];
const MAX_BUFFERED = 500;

interface Answer {
  status: number;
  ms: number;
  body: { code?: string; message?: string; predictionId?: string; prediction?: number; inputs?: Record<string, unknown> };
}

describe('online serving under Redis and Kafka faults (integration, private Redis and Kafka)', () => {
  const s = uniqueSuffix();
  const namespace = `test-fault-${s}`;
  const group = `fault_stats_${s}`;
  const feature = `${group}:mean`;
  const models = {
    features: `fault-features-${s}`,
    requestOnly: `fault-request-${s}`,
    load: `fault-load-${s}`,
    restart: `fault-restart-${s}`,
  };
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'atelier-fault-'));
  const spoolDir = path.join(tmp, 'spool');
  let redis: PrivateRedis | undefined;
  let kafka: PrivateKafka | undefined;
  let t: TestApp | undefined;
  let db: Client | undefined;

  /** The same namespace, spool and artifact directory for every app of this file (test c restarts it). */
  const env = () => ({
    ATELIER_NAMESPACE: namespace,
    ATELIER_ARTIFACT_DIR: path.join(tmp, 'artifacts'),
    REDIS_URL: redis!.url,
    KAFKA_BROKERS: kafka!.brokers,
    PREDICTION_LOG_SPOOL_DIR: spoolDir,
    PREDICTION_LOG_MAX_BUFFERED: String(MAX_BUFFERED),
    PREDICTION_SAMPLE_RATE: '1',
  });

  async function predict(body: PredictRequestInput): Promise<Answer> {
    const started = performance.now();
    const response = await fetch(`${t!.baseUrl}/api/predict`, {
      method: 'POST',
      headers: authHeaders(),
      body: JSON.stringify(body),
    });
    const parsed = (await response.json()) as Answer['body'];
    return { status: response.status, ms: performance.now() - started, body: parsed };
  }

  async function metrics(): Promise<string> {
    return (await fetch(`${t!.baseUrl}/metrics`)).text();
  }

  /** Rows monitoring stored for these prediction ids: all of them, and how many distinct. */
  async function stored(ids: string[]): Promise<{ rows: number; distinct: number }> {
    const { rows } = await db!.query<{ rows: number; distinct: number }>(
      'SELECT count(*)::int AS rows, count(DISTINCT prediction_id)::int AS distinct FROM monitored_predictions WHERE prediction_id = ANY($1::uuid[])',
      [ids],
    );
    return rows[0]!;
  }

  /**
   * Polls until monitoring stored a row for every id. Also notes when `drained(metrics)` first
   * held, so a slow delivery shows whether the producer's replay or the consumer was late.
   */
  async function delivery(ids: string[], since: number, drained: (metrics: string) => boolean) {
    let drainedMs = NaN;
    const counts = await eventually(
      async () => {
        if (Number.isNaN(drainedMs) && drained(await metrics())) drainedMs = performance.now() - since;
        const found = await stored(ids);
        return found.rows >= ids.length ? found : undefined;
      },
      90_000,
      250,
    );
    return { ...counts, drainedMs, storedMs: performance.now() - since };
  }

  async function liveStats(model: string): Promise<number> {
    return (await t!.client.modelStats(model, 3600)).predictions;
  }

  async function register(name: string, model: LogisticRegressionModel, inputs: ModelSignature['inputs']): Promise<void> {
    await registerLogisticModel(t!.client, name, model, inputs);
    await t!.client.setAlias(name, 'production', 1);
  }

  const withFeatures = (distance: number): PredictRequestInput => ({
    model: models.features,
    entities: { airport: 'ORD' },
    features: { distance },
  });
  const onlyRequest = (model: string, distance: number): PredictRequestInput => ({ model, features: { distance } });

  beforeAll(async () => {
    // assigned one by one, so afterAll stops whichever started even if the other did not
    await Promise.all([startPrivateRedis({ appendOnly: true }).then((r) => (redis = r)), startPrivateKafka().then((k) => (kafka = k))]);
    t = await startTestApp(MODULES, env());
    db = new Client({ connectionString: testDatabaseUrl() });
    await db.connect();

    await t.client.createEntity({ name: `fault_airport_${s}`, joinKey: 'airport', description: '' });
    await t.client.createFeatureGroup({
      name: group,
      entity: `fault_airport_${s}`,
      ttlSeconds: 86_400,
      description: '',
      features: [{ name: 'mean', dtype: 'float', description: '' }],
    });
    await t.client.ingestRows(
      group,
      [{ entityKey: 'ORD', eventTime: new Date(Date.now() - 60_000).toISOString(), values: { mean: 0.8 } }],
      true,
    );
    await register(
      models.features,
      {
        kind: 'logistic_regression',
        features: [feature, 'distance'],
        means: [0, 300],
        scales: [1, 100],
        weights: [1, 0.5],
        bias: 0.1,
        backend: 'cpu',
      },
      [
        { name: feature, source: 'feature', ref: feature, entity: 'airport' },
        { name: 'distance', source: 'request', dtype: 'float' },
      ],
    );
    for (const name of [models.requestOnly, models.load, models.restart])
      await register(name, DISTANCE_MODEL, [{ name: 'distance', source: 'request', dtype: 'float' }]);
    // before any fault, one prediction all the way to monitoring's table: the topic exists and
    // monitoring's consumer (which joins its group in the background) is consuming
    const warm = await predict(onlyRequest(models.requestOnly, 300));
    await eventually(async () => ((await stored([warm.body.predictionId!])).rows === 1 ? true : undefined), 60_000, 250);
  }, 180_000);

  afterAll(async () => {
    // the app first (its close flushes to the broker while it still runs), then the servers;
    // bounded, so that the servers are stopped even if a failed test left the app unable to close
    await Promise.allSettled([within(t?.close(), 20_000), db?.end()]);
    await Promise.allSettled([redis?.close(), kafka?.close()]);
    rmSync(tmp, { recursive: true, force: true });
  }, 60_000);

  it('answers 503 DEPENDENCY_UNAVAILABLE in < 50 ms while Redis is down, serves request-only models meanwhile, and recovers by itself', async () => {
    const before = await predict(withFeatures(500));
    expect(before.status).toBe(200);
    expect(before.body.inputs).toEqual({ [feature]: 0.8, distance: 500 });
    expect(before.body.prediction).toBeCloseTo(sigmoid(0.1 + 0.8 + 0.5 * 2), 5);
    expect((await predict(onlyRequest(models.requestOnly, 500))).status).toBe(200);

    await redis!.stop({ crash: true });
    let restarted = 0;
    try {
      const first = await predict(withFeatures(500));
      expect(first.status).toBe(503);
      expect(first.body.code).toBe('DEPENDENCY_UNAVAILABLE');

      // A 503 costs 2–5 ms here; what can push one past 50 ms is CPU contention (benches and
      // other specs on the same cores, a JVM warming up), which stalls the process at random.
      // A wait for Redis would not be random: a command timeout is 1 s, a reconnect up to 1 s,
      // and every request would pay it. So: 20 requests back to back, started in a calm moment;
      // should a random stall hit them, up to two more such windows. Every window is reported.
      const windows: Array<{ max: number; median: number; calmMs: number }> = [];
      for (let w = 0; w < 3 && !windows.some((x) => x.max < 50); w++) {
        const calmMs = await calmEventLoop(10_000);
        const latencies: number[] = [];
        for (let i = 0; i < 20; i++) {
          const down = await predict(withFeatures(500));
          latencies.push(down.ms);
          expect(down.status).toBe(503);
          expect(down.body).toMatchObject({
            code: 'DEPENDENCY_UNAVAILABLE',
            message: expect.stringMatching(/^the online store \(Redis\) did not answer/),
          });
        }
        windows.push({ max: Math.max(...latencies), median: median(latencies), calmMs });
      }
      const show = windows.map(
        (x) => `max ${x.max.toFixed(1)} ms, median ${x.median.toFixed(1)} ms (calm after ${x.calmMs.toFixed(0)} ms)`,
      );
      console.info(`[fault a] first 503 after the crash: ${first.ms.toFixed(1)} ms; windows of 20: ${show.join('; ')}`);
      expect(Math.min(...windows.map((x) => x.max))).toBeLessThan(50);

      // meanwhile a model without online features answers as usual
      for (let i = 0; i < 20; i++) {
        const other = await predict(onlyRequest(models.requestOnly, 400 + i));
        expect(other.status).toBe(200);
        expect(other.body.prediction).toBeCloseTo(sigmoid(-0.2 + (0.5 * (100 + i)) / 100), 5);
      }
    } finally {
      // also when an assertion failed: test c starts an app, and the feature store's start waits for Redis
      await redis!.start();
      restarted = performance.now();
    }

    const back = await eventually(
      async () => {
        const answer = await predict(withFeatures(500));
        return answer.status === 200 ? answer : undefined;
      },
      10_000,
      50,
    );
    console.info(`[fault a] answering 200 again ${(performance.now() - restarted).toFixed(0)} ms after Redis answered PING`);
    // the value ingested before the crash, kept by the append-only file: no re-ingest, no app restart
    expect(back.body.inputs).toEqual({ [feature]: 0.8, distance: 500 });
  }, 60_000);

  it('answers every prediction while the broker stops and restarts under load; monitoring stores each exactly once', async () => {
    const TOTAL = 3000;
    const CONCURRENCY = 4;
    const PACE_MS = 5; // request i is sent no earlier than i × 5 ms after the start: ~15 s in all
    const LOAD_LIMIT_MS = 60_000;
    const ids: string[] = [];
    const failures: Array<{ status: number; code?: string }> = [];
    let next = 0;
    let answered = 0;
    let loadDone = false;
    const start = performance.now();

    const worker = async () => {
      while (next < TOTAL && performance.now() - start < LOAD_LIMIT_MS) {
        const i = next++;
        const wait = start + i * PACE_MS - performance.now();
        if (wait > 0) await sleep(wait);
        const answer = await predict(onlyRequest(models.load, 100 + (i % 1000)));
        answered++;
        if (answer.status === 200 && answer.body.predictionId) ids.push(answer.body.predictionId);
        else failures.push({ status: answer.status, code: answer.body.code });
      }
    };
    let maxBuffered = 0;
    let scrapes = 0;
    const scrape = async () => {
      while (!loadDone && performance.now() - start < LOAD_LIMIT_MS) {
        maxBuffered = Math.max(maxBuffered, metric(await metrics(), 'atelier_prediction_log_buffered'));
        scrapes++;
        await sleep(50);
      }
    };
    const outage = { stopAt: 0, stoppedAt: 0, startedAt: 0 };
    const chaos = async () => {
      await until(() => answered >= TOTAL / 5, LOAD_LIMIT_MS);
      outage.stopAt = performance.now() - start;
      await kafka!.stop();
      outage.stoppedAt = performance.now() - start;
      // straight back up: the JVM's start alone keeps it away for seconds while predictions keep
      // coming, and a longer outage only grows the log's retry backoff (up to 30 s)
      await kafka!.start();
      outage.startedAt = performance.now() - start;
    };

    await Promise.all([Promise.all(Array.from({ length: CONCURRENCY }, worker)).finally(() => (loadDone = true)), scrape(), chaos()]);
    const loadMs = performance.now() - start;

    expect(failures).toEqual([]);
    expect(ids).toHaveLength(TOTAL);
    expect(new Set(ids).size).toBe(TOTAL);

    // drained: the spool replayed all it took (the producer's part); stored: the consumer's part
    const arrived = await delivery(ids, start, (text) => {
      const spooled = metric(text, 'atelier_prediction_log_spooled_total');
      return spooled > 0 && metric(text, 'atelier_prediction_log_sent_total', 'from="spool"') >= spooled;
    });
    expect({ rows: arrived.rows, distinct: arrived.distinct }).toEqual({ rows: TOTAL, distinct: TOTAL });
    expect(await liveStats(models.load)).toBe(TOTAL);

    const text = await metrics();
    const spooled = metric(text, 'atelier_prediction_log_spooled_total');
    const replayed = metric(text, 'atelier_prediction_log_sent_total', 'from="spool"');
    expect(spooled).toBeGreaterThan(0);
    expect(replayed).toBeGreaterThan(0);
    expect(maxBuffered).toBeLessThanOrEqual(MAX_BUFFERED);
    expect(metric(text, 'atelier_prediction_log_dropped_total')).toBe(0);
    await eventually(async () => (metric(await metrics(), 'atelier_prediction_log_spool_events') === 0 ? true : undefined), 30_000);

    const onTopic = await topicCounts(ids);
    console.info(
      `[fault b] ${TOTAL} predictions in ${(loadMs / 1000).toFixed(1)} s, all 200; broker stopped at ${(outage.stopAt / 1000).toFixed(1)} s ` +
        `(gone at ${(outage.stoppedAt / 1000).toFixed(1)} s, back at ${(outage.startedAt / 1000).toFixed(1)} s); spool replayed by ${(arrived.drainedMs / 1000).toFixed(1)} s, all stored by ${(arrived.storedMs / 1000).toFixed(1)} s; ` +
        `spooled ${spooled}, replayed from spool ${replayed}, max buffered ${maxBuffered} over ${scrapes} scrapes; ` +
        `on the topic ${onTopic.messages} events for ${onTopic.keys} ids (${onTopic.messages - onTopic.keys} redelivered); stored ${arrived.rows}, distinct ${arrived.distinct}`,
    );
    expect(onTopic.keys).toBe(TOTAL);
  }, 150_000);

  it('delivers, exactly once, what a serving process spooled before it was restarted during a broker outage', async () => {
    const N = 200;
    await kafka!.stop();
    const ids: string[] = [];
    for (let i = 0; i < N; i++) {
      const answer = await predict(onlyRequest(models.restart, 200 + i));
      expect(answer.status).toBe(200);
      ids.push(answer.body.predictionId!);
    }
    await t!.close(); // spools what is still in memory
    t = undefined;
    const inSpool = spooledKeys(spoolDir, new Set(ids));
    expect(inSpool.distinct).toBe(N);

    const restarting = performance.now();
    t = await startTestApp(MODULES, env());
    const appMs = performance.now() - restarting;
    await kafka!.start();
    const brokerMs = performance.now() - restarting;

    const arrived = await delivery(ids, restarting, (text) => metric(text, 'atelier_prediction_log_sent_total', 'from="spool"') >= N);
    expect({ rows: arrived.rows, distinct: arrived.distinct }).toEqual({ rows: N, distinct: N });
    expect(await liveStats(models.restart)).toBe(N);
    const text = await metrics();
    expect(metric(text, 'atelier_prediction_log_sent_total', 'from="spool"')).toBeGreaterThanOrEqual(N);
    await eventually(async () => (spooledKeys(spoolDir, new Set(ids)).lines === 0 ? true : undefined), 30_000);

    const onTopic = await topicCounts(ids);
    console.info(
      `[fault c] ${N} predictions with the broker down; spool after close: ${inSpool.lines} lines, ${inSpool.distinct} ids; ` +
        `new app up in ${(appMs / 1000).toFixed(1)} s, broker back at ${(brokerMs / 1000).toFixed(1)} s, spool replayed at ${(arrived.drainedMs / 1000).toFixed(1)} s, all stored at ${(arrived.storedMs / 1000).toFixed(1)} s; ` +
        `on the topic ${onTopic.messages} events for ${onTopic.keys} ids (${onTopic.messages - onTopic.keys} redelivered); stored ${arrived.rows}, distinct ${arrived.distinct}`,
    );
    expect(onTopic.keys).toBe(N);
  }, 150_000);

  /** Reads the predictions topic from the beginning: how many events carry these ids, and how many distinct ids. */
  async function topicCounts(ids: string[]): Promise<{ messages: number; keys: number }> {
    const wanted = new Set(ids);
    const seen = new Map<string, number>();
    const client = new Kafka({ clientId: `fault-audit-${s}`, brokers: [kafka!.brokers], logLevel: logLevel.NOTHING });
    const consumer = client.consumer({ groupId: `${namespace}.fault-audit-${uniqueSuffix()}`, maxWaitTimeInMs: 200 });
    try {
      await consumer.connect();
      await consumer.subscribe({ topic: topicName(namespace, 'predictions'), fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          // the prediction log packs events: a message is an array of them, or a batch event
          const body = JSON.parse(message.value?.toString() ?? 'null') as PredictionEvent | PredictionEvent[] | PredictionBatchEvent;
          const ids = Array.isArray(body)
            ? body.map((e) => e.predictionId)
            : body.type === 'prediction-batch'
              ? body.predictionIds
              : [body.predictionId];
          for (const predictionId of ids) {
            if (wanted.has(predictionId)) seen.set(predictionId, (seen.get(predictionId) ?? 0) + 1);
          }
        },
      });
      await eventually(async () => (seen.size === wanted.size ? true : undefined), 30_000);
      await sleep(1000); // redeliveries of the last ids, if any, are behind them
    } finally {
      await consumer.disconnect();
    }
    return { messages: [...seen.values()].reduce((a, b) => a + b, 0), keys: seen.size };
  }
});

/** Sum of the samples of one metric in a Prometheus text exposition, optionally of one label value. */
function metric(text: string, name: string, label = ''): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (match?.[1] !== name || !(match[2] ?? '').includes(label)) continue;
    sum += Number(match[3]);
  }
  return sum;
}

/** Spool lines (in every segment under `dir`) whose key is one of `ids`, and how many distinct. */
function spooledKeys(dir: string, ids: Set<string>): { lines: number; distinct: number } {
  const keys: string[] = [];
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.jsonl')) continue;
    for (const line of readFileSync(path.join(entry.parentPath, entry.name), 'utf8').split('\n')) {
      if (line === '') continue;
      const key = (JSON.parse(line) as { k: string }).k;
      if (ids.has(key)) keys.push(key);
    }
  }
  return { lines: keys.length, distinct: new Set(keys).size };
}

/**
 * Waits until this process's event loop has run on time (no stall over 20 ms) for 300 ms, at
 * most `timeoutMs`; returns how long that took. It picks when to measure, never which
 * measurements count.
 */
async function calmEventLoop(timeoutMs: number): Promise<number> {
  const started = performance.now();
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  try {
    while (performance.now() - started < timeoutMs) {
      delay.reset();
      await sleep(300);
      if (delay.max < 20e6) break;
    }
  } finally {
    delay.disable();
  }
  return performance.now() - started;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** `promise`, or nothing once `ms` passed (its timer cleared either way, so it keeps no test process alive). */
async function within(promise: Promise<unknown> | undefined, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([promise, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(20);
  }
}
