import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { Kafka, logLevel, type Producer } from 'kafkajs';
import { Pool } from 'pg';

import { generateKey } from '@atelier/auth';
import { topicName } from '@atelier/contracts';
import { PredictionIds } from '@atelier/serving';

import { git, hostFacts, packageVersion } from '../machine.facts';
import { NODE_TS } from '../node-ts';
import { processCpu } from '../process.cpu';
import { median, writeSection } from '../report.sections';
import { answers, freePort, type Service, Supervisor } from '../serving/service.supervisor';

/**
 * `npm run bench:monitoring` (bench/monitoring/run.sh): prediction events put on Kafka's
 * `predictions` topic at a fixed rate by a producer in this process, consumed and stored by the
 * monitoring service (apps/monitoring, its own process, as deployed). Consumer lag is measured as
 * time: every 100 ms the service's count of stored events (`atelier_monitoring_events_total`,
 * counted after the database commit) is read, and the lag is how long ago the oldest event not
 * yet stored was produced. Each run gets a namespace (topics) of its own; medians of `BENCH_RUNS`.
 */
const ROOT = path.resolve(__dirname, '..', '..');
const DATA = path.join(ROOT, 'bench', '.data', 'monitoring');
const KEY = generateKey();
const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const MODELS = 4;
const AIRPORTS = ['ATL', 'ORD', 'DFW', 'DEN', 'LAX', 'SFO', 'SEA', 'JFK', 'BOS', 'MIA'];
const TICK_MS = 10;
const SEND_CHUNK = 1000;
const POLL_MS = 100;
const DRAIN_TIMEOUT_MS = 180_000;
const log = (message: string) => console.log(`[bench:monitoring] ${message}`);

interface Settings {
  runs: number;
  rate: number;
  durationS: number;
  port: number;
}

interface RunRecord {
  run: number;
  namespace: string;
  produced: number;
  /** events per second the producer achieved (the target is `settings.rate`) */
  producedRate: number;
  stored: number;
  /** stored events over the time from the first produced to the last stored */
  sustainedRate: number;
  lagP50Ms: number;
  lagP99Ms: number;
  lagMaxMs: number;
  /** from the end of production to the last event stored */
  drainMs: number;
  /** CPU seconds of the monitoring service per 1,000 events */
  cpuMsPerThousand: number;
  rows: number;
  minuteSum: number;
}

async function main(): Promise<void> {
  if (process.argv[2] === '--render') {
    // node -r @swc-node/register bench/monitoring/ingest-bench.main.ts --render bench/results/monitoring-<time>.json
    writeSection(
      path.join(ROOT, 'docs', 'benchmarks.md'),
      'monitoring',
      render(JSON.parse(readFileSync(process.argv[3]!, 'utf8')) as Parameters<typeof render>[0]),
    );
    return;
  }
  const settings: Settings = {
    runs: Number(process.env.BENCH_RUNS ?? '3'),
    rate: Number(process.env.BENCH_RATE ?? '10000'),
    durationS: Number(process.env.BENCH_DURATION ?? '30'),
    port: Number(process.env.BENCH_PORT ?? '3400'),
  };
  mkdirSync(DATA, { recursive: true });
  const supervisor = new Supervisor(path.join(DATA, 'pgids'));
  const stop = () => void supervisor.stopAll().finally(() => process.exit(130));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const pool = new Pool({ connectionString: process.env.BENCH_DATABASE_URL, max: 2 });
  const kafka = new Kafka({ clientId: 'bench-monitoring', brokers: BROKERS, logLevel: logLevel.ERROR });
  const startedAt = new Date().toISOString();
  const loadBefore = os.loadavg();
  const records: RunRecord[] = [];
  try {
    for (let run = 1; run <= settings.runs; run++) {
      const namespace = `bench-monitoring-${Date.now().toString(36)}`;
      const { url, service } = await startMonitoring(settings, supervisor, namespace);
      // a producer per run: one that knew the topics deleted after a run keeps asking for them
      // idempotent: a send retried after a timeout does not put its events on the topic twice
      const producer = kafka.producer({ allowAutoTopicCreation: false, idempotent: true, maxInFlightRequests: 1 });
      await producer.connect();
      try {
        const record = await measure(run, namespace, url, service, producer, pool, settings);
        records.push(record);
        log(
          `run ${run}: ${record.produced.toLocaleString('en-US')} events at ${record.producedRate.toFixed(0)}/s → stored ${record.stored.toLocaleString('en-US')} at ${record.sustainedRate.toFixed(0)}/s; lag p50 ${record.lagP50Ms.toFixed(0)} ms, p99 ${record.lagP99Ms.toFixed(0)} ms, max ${record.lagMaxMs.toFixed(0)} ms; drained ${record.drainMs.toFixed(0)} ms after the last send; ${record.cpuMsPerThousand.toFixed(1)} CPU ms per 1,000 events`,
        );
      } finally {
        await producer.disconnect();
        await supervisor.stop(service);
        await dropTopics(kafka, namespace);
      }
    }
    const report = {
      startedAt,
      settings,
      machine: {
        ...hostFacts(),
        kafkajs: packageVersion('kafkajs'),
        commit: git(['rev-parse', '--short', 'HEAD']),
        dirty: git(['status', '--porcelain', '--', 'apps', 'libs', 'bench']).split('\n').filter(Boolean).length,
        loadBefore,
        loadAfter: os.loadavg(),
      },
      records,
    };
    const json = path.join(ROOT, 'bench', 'results', `monitoring-${startedAt.replace(/[:.]/g, '-')}.json`);
    mkdirSync(path.dirname(json), { recursive: true });
    writeFileSync(json, JSON.stringify(report, null, 2) + '\n');
    writeSection(path.join(ROOT, 'docs', 'benchmarks.md'), 'monitoring', render(report));
    log(`raw results ${path.relative(ROOT, json)}; report docs/benchmarks.md`);
  } finally {
    await pool.end();
    await supervisor.stopAll();
  }
}

async function startMonitoring(settings: Settings, supervisor: Supervisor, namespace: string): Promise<{ url: string; service: Service }> {
  const port = await freePort(settings.port);
  const url = `http://127.0.0.1:${port}`;
  const env = {
    ...process.env,
    PORT: String(port),
    DATABASE_URL: process.env.BENCH_DATABASE_URL,
    ATELIER_NAMESPACE: namespace,
    ATELIER_ADMIN_KEY: KEY,
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
    MONITOR_INTERVAL_SECONDS: '0',
    ...Object.fromEntries(['FEATURE_STORE_URL', 'TRAINING_URL', 'REGISTRY_URL', 'SERVING_URL'].map((v) => [v, 'http://127.0.0.1:9'])),
  };
  log(`starting the monitoring service on ${url}, namespace ${namespace} (log bench/.data/monitoring/monitoring.log)`);
  const service = await supervisor.start({
    name: 'monitoring',
    command: NODE_TS[0]!,
    args: [...NODE_TS.slice(1), 'apps/monitoring/src/main.ts'],
    env,
    logFile: path.join(DATA, 'monitoring.log'),
    // ready once its consumer has joined the group (the health check says so)
    ready: () => answers(`${url}/health/ready`),
    timeoutMs: 120_000,
  });
  return { url, service };
}

async function measure(
  run: number,
  namespace: string,
  url: string,
  service: Service,
  producer: Producer,
  pool: Pool,
  settings: Settings,
): Promise<RunRecord> {
  const topic = topicName(namespace, 'predictions');
  const total = settings.rate * settings.durationS;
  // sentAt[i]: when event i was handed to the producer (its `at` and its lag reference)
  const sentAt = new Float64Array(total);
  let produced = 0;
  const stored = storedCounter(url);
  const cpuBefore = processCpu(service.child.pid!)!.seconds * 1000;
  const lags: number[] = [];
  let polling = true;
  const poller = (async () => {
    while (polling) {
      const now = performance.now();
      const count = await stored().catch(() => undefined);
      if (count !== undefined) lags.push(count >= produced ? 0 : now - sentAt[count]!);
      await sleep(POLL_MS);
    }
  })();

  // prediction ids as serving makes them (time-ordered), so monitoring's index takes them as it does in use
  const ids = new PredictionIds();
  const t0 = performance.now();
  const epoch = Date.now() - t0;
  while (produced < total) {
    const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * settings.rate));
    if (due > produced) {
      const messages = [];
      for (let i = produced; i < due; i++) {
        const at = performance.now();
        sentAt[i] = at;
        const id = ids.next();
        messages.push({ key: id, value: predictionEvent(id, i, new Date(epoch + at).toISOString(), namespace) });
      }
      produced = due;
      // a record batch must stay under the broker's 1 MB message size: ~400 bytes an event
      for (let i = 0; i < messages.length; i += SEND_CHUNK) await producer.send({ topic, messages: messages.slice(i, i + SEND_CHUNK) });
    } else {
      await sleep(TICK_MS);
    }
  }
  const producedEnd = performance.now();
  let last = 0;
  for (const deadline = producedEnd + DRAIN_TIMEOUT_MS; performance.now() < deadline; await sleep(POLL_MS)) {
    last = await stored();
    if (last >= total) break;
  }
  const drainedAt = performance.now();
  polling = false;
  await poller;
  const cpuMs = processCpu(service.child.pid!)!.seconds * 1000 - cpuBefore;
  if (last < total) log(`run ${run}: only ${last} of ${total} events stored ${DRAIN_TIMEOUT_MS / 1000} s after the last send`);
  const db = await pool.query<{ rows: number; minutes: number }>(
    `SELECT (SELECT count(*)::int FROM monitored_predictions WHERE model_name LIKE $1) AS rows,
            (SELECT coalesce(sum(predictions), 0)::int FROM monitored_minutes WHERE model_name LIKE $1) AS minutes`,
    [`${namespace}-%`],
  );
  const sorted = [...lags].sort((a, b) => a - b);
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
  return {
    run,
    namespace,
    produced: total,
    producedRate: total / ((producedEnd - t0) / 1000),
    stored: last,
    sustainedRate: last / ((drainedAt - t0) / 1000),
    lagP50Ms: q(0.5),
    lagP99Ms: q(0.99),
    lagMaxMs: sorted.at(-1) ?? 0,
    drainMs: drainedAt - producedEnd,
    cpuMsPerThousand: (cpuMs / Math.max(1, last)) * 1000,
    rows: db.rows[0]!.rows,
    minuteSum: db.rows[0]!.minutes,
  };
}

/** A prediction event as serving logs it: 8 inputs, one entity, the latency; spread over MODELS models. */
function predictionEvent(id: string, i: number, at: string, namespace: string): string {
  const airport = AIRPORTS[i % AIRPORTS.length]!;
  const p = ((i * 7919) % 1000) / 1000;
  return JSON.stringify({
    type: 'prediction',
    schemaVersion: 1,
    predictionId: id,
    // models named after the run's namespace, so that each run counts its own rows
    model: `${namespace}-m${i % MODELS}`,
    version: 1,
    alias: 'production',
    prediction: p,
    inputs: {
      'origin_delay_stats:mean_delay_24h': (i % 37) + 0.5,
      'origin_delay_stats:mean_delay_7d': (i % 41) + 0.25,
      'origin_delay_stats:flights_24h': i % 300,
      'origin_delay_stats:delayed_share_24h': (i % 100) / 100,
      distance: 200 + (i % 2500),
      hour: i % 24,
      log_distance: Math.log(200 + (i % 2500)),
      origin: airport,
    },
    entities: { airport },
    at,
    latencyMs: 1 + (i % 5) / 10,
  });
}

/** Reads the monitoring service's count of stored prediction events from its metrics. */
function storedCounter(url: string): () => Promise<number> {
  return async () => {
    const text = await (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(2000) })).text();
    const match = /^atelier_monitoring_events_total\{type="prediction"\} (\d+)/m.exec(text);
    return match ? Number(match[1]) : 0;
  };
}

async function dropTopics(kafka: Kafka, namespace: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(`${namespace}.`));
    if (topics.length > 0) await admin.deleteTopics({ topics });
  } catch (error) {
    log(`could not delete the topics of ${namespace}: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    await admin.disconnect();
  }
}

function render(report: {
  startedAt: string;
  settings: Settings;
  machine: ReturnType<typeof hostFacts> & { kafkajs: string; commit: string; dirty: number; loadBefore: number[]; loadAfter: number[] };
  records: RunRecord[];
}): string {
  const { records, settings, machine } = report;
  const med = (pick: (r: RunRecord) => number) => median(records.map(pick));
  // sustained: the producer kept the offered rate (to its timer's 0.5 %) and monitoring kept up
  // with it, every event stored within a second of the last send; else what monitoring stored
  const keptUp = records.every((r) => r.producedRate >= 0.995 * settings.rate && r.drainMs < 1000);
  const sustained = keptUp ? settings.rate : med((r) => r.sustainedRate);
  const lagP99 = med((r) => r.lagP99Ms);
  const exact = records.every((r) => r.rows === r.produced && r.minuteSum === r.produced);
  const f = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(' / ');
  return [
    `### Monitoring ingestion results (generated ${report.startedAt.slice(0, 16).replace('T', ' ')} UTC — do not edit by hand)`,
    '',
    `Generated by \`npm run bench:monitoring\` with \`BENCH_RUNS=${settings.runs}\`: ${f(settings.rate)} prediction events/s for ${settings.durationS} s per run onto a fresh 3-partition \`predictions\` topic, consumed by one monitoring service process. Commit \`${machine.commit}\`${machine.dirty ? ` with ${machine.dirty} uncommitted files under apps/, libs/ or bench/` : ''}.`,
    '',
    `**Machine:** ${machine.nproc} CPUs (${machine.cpuModel}), ${machine.memoryGb} GB RAM; Node ${machine.node}, kafkajs ${machine.kafkajs}. The producer, the monitoring service, PostgreSQL and Kafka share these cores. Load average (1/5/15 min) ${load(machine.loadBefore)} before, ${load(machine.loadAfter)} after.`,
    '',
    '| target | figure (medians) | met? |',
    '|---|---|---|',
    `| ≥ 10,000 events/s sustained | ${
      keptUp
        ? `${f(settings.rate)} events/s offered for ${settings.durationS} s (the producer sent ${f(med((r) => r.producedRate))}/s), every event stored ${f(med((r) => r.drainMs))} ms after the last send`
        : `${f(sustained)} events/s stored (fell behind the ${f(settings.rate)} offered)`
    } | ${sustained >= 10_000 ? '✅ met' : '❌ **missed**'} |`,
    `| consumer lag p99 < 1 s | ${f(lagP99)} ms | ${lagP99 < 1000 ? '✅ met' : '❌ **missed**'} |`,
    `| every event stored once | ${exact ? 'rows = minute sums = events produced, every run' : 'a run stored a different count (see below)'} | ${exact ? '✅' : '❌'} |`,
    '',
    '| run | produced | producer events/s | consumed | consumed events/s | lag p50 ms | lag p99 ms | lag max ms | drain ms | CPU ms / 1,000 events | rows | minute sums |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...records.map(
      (r) =>
        `| ${r.run} | ${f(r.produced)} | ${f(r.producedRate)} | ${f(r.stored)} | ${f(r.sustainedRate)} | ${f(r.lagP50Ms)} | ${f(r.lagP99Ms)} | ${f(r.lagMaxMs)} | ${f(r.drainMs)} | ${f(r.cpuMsPerThousand, 1)} | ${f(r.rows)} | ${f(r.minuteSum)} |`,
    ),
    '',
  ].join('\n');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
