import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { generateKey } from '@atelier/auth';
import { DEMO } from '@atelier/demo';
import { AtelierClient } from '@atelier/sdk';

import { git, hostFacts, packageVersion } from '../machine.facts';
import { NODE_TS, platformArgs } from '../node-ts';
import { type LoadResult, parseResult, type PhaseResult } from './load-result';
import { type BenchSetup, preparePlatform, REQUEST_ONLY_MODEL, waitForJob, WINDOW } from './platform.setup';
import { bodiesOf, pathOf, SCENARIO_IDS, type ScenarioId } from './scenarios';
import { answers, freePort, type Service, Supervisor } from './service.supervisor';
import {
  type LoadedRunner,
  type MachineInfo,
  type ScenarioRecord,
  type ServingReport,
  type Settings,
  type TrainingDuring,
  writeServingReport,
} from './serving-report.render';

/**
 * `npm run bench:serving` (bench/serving/run.sh, after the infrastructure, the database and the
 * Python venv exist): starts the platform from the working tree, seeds it, starts the floor and
 * MLflow, measures every scenario `BENCH_RUNS` times and writes the report. See bench/README.md.
 */
const ROOT = path.resolve(__dirname, '..', '..');
const HERE = path.join(ROOT, 'bench', 'serving');
const DATA = path.join(ROOT, 'bench', '.data', 'serving');
const VENV_BIN = path.join(HERE, '.venv', 'bin');
const NAMESPACE = 'bench';
/** the admin key of the benchmark's platform, made per run; the seed, setup and load generator send it */
const BENCH_KEY = generateKey();
/** serving processes of the platform under test (its default: one per core) */
const PROCESSES = Number(process.env.SERVING_PROCESSES) || os.availableParallelism();
process.env.ATELIER_API_KEY = BENCH_KEY;
const REDIS_URL = 'redis://127.0.0.1:6379';
const MAX_PLATFORM_RESTARTS = 3;

const log = (message: string) => console.log(`[bench:serving] ${message}`);

/** Everything the run needs to reach its servers. */
interface Bench {
  settings: Settings;
  supervisor: Supervisor;
  client: AtelierClient;
  platform: { url: string; service: Service; restarts: number; start: () => Promise<Service> };
  urls: Partial<Record<ScenarioId, string>>;
  /** the floor's and MLflow's servers; the platform's is `platform.service` */
  servers: Partial<Record<'a' | 'd', Service>>;
  bodyFiles: Partial<Record<ScenarioId, string>>;
}

async function main(): Promise<void> {
  const settings = readSettings();
  mkdirSync(DATA, { recursive: true });
  const supervisor = new Supervisor(path.join(DATA, 'pgids'));
  const stop = (signal: string) => void supervisor.stopAll().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  process.once('SIGINT', stop).once('SIGTERM', stop);
  try {
    await measureAll(settings, supervisor);
  } finally {
    await supervisor.stopAll();
  }
}

async function measureAll(settings: Settings, supervisor: Supervisor): Promise<void> {
  const startedAt = new Date();
  const loadBefore = os.loadavg();
  const platform = await startPlatform(settings, supervisor);
  const client = new AtelierClient({ baseUrl: platform.url });
  await seedDemo(platform.url);
  const setup = await preparePlatform(client, DATA, log);
  const bench: Bench = { settings, supervisor, client, platform, urls: {}, servers: {}, bodyFiles: {} };
  for (const id of settings.scenarios) bench.bodyFiles[id] = writeBodies(id, setup);
  const peer = await startServers(bench, setup);
  const checks = await crossCheck(bench, setup);
  const records: ScenarioRecord[] = [];
  for (let run = 1; run <= settings.runs; run++) {
    for (const id of settings.scenarios) records.push(await measureScenario(bench, run, id));
  }
  const report: ServingReport = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    settings,
    machine: machineInfo(loadBefore, peer),
    setup: {
      flightDelayVersion: setup.flightDelay.version,
      requestOnly: setup.requestOnly,
      flights: setup.flights.length,
      mlflowSampleRows: setup.sampleRows,
      mlflowTrainAuc: typeof peer?.trainAuc === 'number' ? peer.trainAuc : null,
      platformRestarts: platform.restarts,
    },
    checks,
    runners: await loadedRunners(bench),
    records,
  };
  saveReport(report);
}

/** Raw results to bench/results/serving-<time>.json, the rendered section to docs/benchmarks.md. */
function saveReport(report: ServingReport): void {
  const json = path.join(ROOT, 'bench', 'results', `serving-${report.startedAt.replace(/[:.]/g, '-')}.json`);
  mkdirSync(path.dirname(json), { recursive: true });
  writeFileSync(json, JSON.stringify(report, null, 2) + '\n');
  writeServingReport(path.join(ROOT, 'docs', 'benchmarks.md'), report);
  log(`raw results ${path.relative(ROOT, json)}; report docs/benchmarks.md`);
}

function readSettings(): Settings {
  const env = process.env;
  const scenarios = (env.BENCH_SCENARIOS ?? SCENARIO_IDS.join(',')).split(',').map((s) => s.trim());
  const unknown = scenarios.filter((s) => !SCENARIO_IDS.includes(s as ScenarioId));
  if (unknown.length > 0) throw new Error(`BENCH_SCENARIOS: unknown ${unknown.join(', ')}; choose from ${SCENARIO_IDS.join(', ')}`);
  return {
    runs: positive(env.BENCH_RUNS ?? '3', 'BENCH_RUNS'),
    scenarios: SCENARIO_IDS.filter((id) => scenarios.includes(id)),
    durationSeconds: positive(env.BENCH_DURATION ?? '15', 'BENCH_DURATION'),
    warmupSeconds: positive(env.BENCH_WARMUP ?? '3', 'BENCH_WARMUP'),
    connections: positive(env.BENCH_CONNECTIONS ?? '10', 'BENCH_CONNECTIONS'),
    rate: positive(env.BENCH_RATE ?? '1000', 'BENCH_RATE'),
    openConnections: positive(env.BENCH_OPEN_CONNECTIONS ?? '100', 'BENCH_OPEN_CONNECTIONS'),
    batchRequests: positive(env.BENCH_BATCH_REQUESTS ?? '200', 'BENCH_BATCH_REQUESTS'),
    mlflowWorkers: positive(env.BENCH_MLFLOW_WORKERS ?? '1', 'BENCH_MLFLOW_WORKERS'),
    port: positive(env.BENCH_PORT ?? '3100', 'BENCH_PORT'),
  };
}

// ── servers ──

async function startPlatform(settings: Settings, supervisor: Supervisor): Promise<Bench['platform']> {
  const port = await freePort(settings.port);
  const url = `http://127.0.0.1:${port}`;
  const env = {
    ...process.env,
    PORT: String(port),
    // run.sh creates and migrates this database
    DATABASE_URL: process.env.BENCH_DATABASE_URL ?? 'postgresql://atelier:atelier@127.0.0.1:5432/atelier_bench',
    ATELIER_NAMESPACE: NAMESPACE,
    ATELIER_ADMIN_KEY: BENCH_KEY,
    ATELIER_ARTIFACT_DIR: 'bench/.data/serving-artifacts',
    LOG_LEVEL: 'warn',
    MONITOR_INTERVAL_SECONDS: '0',
    // its own spool for predictions Kafka cannot take at once, apart from a dev platform's
    PREDICTION_LOG_SPOOL_DIR: 'bench/.data/serving/spool',
    ...Object.fromEntries(['FEATURE_STORE_URL', 'TRAINING_URL', 'REGISTRY_URL', 'SERVING_URL', 'MONITORING_URL'].map((v) => [v, url])),
  };
  const start = () =>
    supervisor.start({
      name: 'platform',
      command: NODE_TS[0]!,
      args: platformArgs('apps/platform/src/main.ts'),
      env,
      logFile: path.join(DATA, 'platform.log'),
      ready: () => answers(`${url}/health/ready`),
      timeoutMs: 180_000,
    });
  log(`starting the platform on ${url} (log bench/.data/serving/platform.log)`);
  return { url, service: await start(), restarts: 0, start };
}

/** `npm run demo:seed` against the platform: idempotent, ~1 minute the first time. */
async function seedDemo(url: string): Promise<void> {
  log('seeding the flights demo (npm run demo:seed)');
  const env = { ...process.env, FEATURE_STORE_URL: url, TRAINING_URL: url, REGISTRY_URL: url, MONITORING_URL: url };
  const { code, stderr } = await runChild('npm', ['run', '--silent', 'demo:seed'], 10 * 60_000, env, true);
  if (code !== 0) throw new Error(`demo:seed failed (exit ${code}): ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
}

/** The floor (a) and MLflow (d), when the run measures them; returns the MLflow model's facts. */
async function startServers(bench: Bench, setup: BenchSetup): Promise<Record<string, unknown> | undefined> {
  const { settings, supervisor, platform } = bench;
  for (const id of ['b', 'c', 'e', 'f', 'g'] as const) bench.urls[id] = platform.url + pathOf(id);
  const firstBody = (id: ScenarioId) => (JSON.parse(readFileSync(bench.bodyFiles[id]!, 'utf8')) as unknown[])[0];
  if (settings.scenarios.includes('a')) {
    const port = await freePort(settings.port + 100);
    bench.urls.a = `http://127.0.0.1:${port}${pathOf('a')}`;
    log(`starting the floor on 127.0.0.1:${port}`);
    bench.servers.a = await supervisor.start({
      name: 'floor',
      command: NODE_TS[0]!,
      args: [...NODE_TS.slice(1), path.join(HERE, 'floor.server.ts'), setup.flightDelay.onnxPath, REDIS_URL, NAMESPACE, String(port)],
      logFile: path.join(DATA, 'floor.log'),
      ready: () => answers(bench.urls.a!, firstBody('a')),
      timeoutMs: 60_000,
    });
  }
  if (!settings.scenarios.includes('d')) return undefined;
  log('training the MLflow peer (scikit-learn LogisticRegression on distance, hour)');
  const modelDir = path.join(DATA, 'mlflow-model');
  const trained = await runChild(
    path.join(VENV_BIN, 'python'),
    [path.join(HERE, 'peers', 'mlflow_model.py'), setup.sampleCsv, modelDir],
    5 * 60_000,
  );
  const line = trained.stdout.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
  if (trained.code !== 0 || !line)
    throw new Error(`mlflow_model.py failed (exit ${trained.code}): ${trained.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  const port = await freePort(settings.port + 200);
  bench.urls.d = `http://127.0.0.1:${port}${pathOf('d')}`;
  log(`starting mlflow models serve on 127.0.0.1:${port} (${settings.mlflowWorkers} worker)`);
  bench.servers.d = await supervisor.start({
    name: 'mlflow',
    command: path.join(VENV_BIN, 'mlflow'),
    args: [
      'models',
      'serve',
      '-m',
      modelDir,
      '-h',
      '127.0.0.1',
      '-p',
      String(port),
      '--env-manager',
      'local',
      '-w',
      String(settings.mlflowWorkers),
    ],
    // uvicorn is found on PATH; no tracking server is involved in serving a local model
    env: { ...process.env, PATH: `${VENV_BIN}:${process.env.PATH}` },
    logFile: path.join(DATA, 'mlflow.log'),
    ready: () => answers(`http://127.0.0.1:${port}/ping`),
    timeoutMs: 120_000,
  });
  return JSON.parse(line.slice('BENCH_RESULT '.length)) as Record<string, unknown>;
}

/**
 * Where each serving process runs each model it loaded: asked on fresh connections until every
 * process has answered (the primary hands each connection to the next process), at most 20 times.
 */
async function loadedRunners(bench: Bench): Promise<LoadedRunner[]> {
  const seen = new Map<string, LoadedRunner>();
  const answers = new Set<string>();
  for (let i = 0; i < 20 && answers.size < PROCESSES; i++) {
    const response = await fetch(`${bench.platform.url}/api/serving/models`, {
      headers: { authorization: `Bearer ${BENCH_KEY}`, connection: 'close' },
    }).catch(() => null);
    if (!response?.ok) continue;
    const loaded = (await response.json()) as Array<LoadedRunner & { loadedAt: string }>;
    answers.add(JSON.stringify(loaded.map((m) => m.loadedAt)));
    for (const m of loaded)
      seen.set(`${m.model} ${m.version} ${m.loadedAt}`, { model: m.model, version: m.version, runner: m.runner, probeMs: m.probeMs });
  }
  return [...seen.values()].sort((a, b) => a.model.localeCompare(b.model) || a.version - b.version);
}

/** The same flight through the floor and the platform must give the same probability. */
async function crossCheck(bench: Bench, setup: BenchSetup): Promise<ServingReport['checks']> {
  const flight = setup.flights[0]!;
  const features = { distance: flight.distance, hour: flight.hour };
  const post = async (url: string | undefined, body: unknown) => {
    if (!url) return null;
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${BENCH_KEY}` },
      body: JSON.stringify(body),
    });
    return response.ok ? ((await response.json()) as Record<string, unknown>) : null;
  };
  const platform = await post(bench.urls.b ?? `${bench.platform.url}/api/predict`, {
    model: DEMO.model,
    entities: { airport: flight.airport },
    features,
  });
  const floor = await post(bench.urls.a, { entities: { airport: flight.airport }, features });
  const requestOnly = await post(`${bench.platform.url}/api/predict`, { model: REQUEST_ONLY_MODEL, features });
  const mlflow = await post(bench.urls.d, { dataframe_split: { columns: ['distance', 'hour'], data: [[flight.distance, flight.hour]] } });
  const p = (x: Record<string, unknown> | null) => (typeof x?.prediction === 'number' ? x.prediction : null);
  const mlflowP = (mlflow?.predictions as number[][] | undefined)?.[0]?.[1] ?? null;
  return { flight, platform: p(platform), floor: p(floor), requestOnly: p(requestOnly), mlflow: mlflowP };
}

// ── scenarios ──

async function measureScenario(bench: Bench, run: number, id: ScenarioId): Promise<ScenarioRecord> {
  for (let attempt = 1; ; attempt++) {
    await ensurePlatform(bench);
    const platform = bench.platform.service;
    const record = await measureOnce(bench, run, id);
    // (a) and (d) do not touch the platform; the others are measured again once if it went away meanwhile
    if (platform.alive() || id === 'a' || id === 'd') return record;
    if (attempt === 2)
      return {
        ...record,
        detail: [record.detail, `the platform ended during the measurement (${platform.exit()})`].filter(Boolean).join('; '),
      };
    log(`the platform ended during (${id}) (${platform.exit()}); measuring (${id}) again`);
  }
}

async function measureOnce(bench: Bench, run: number, id: ScenarioId): Promise<ScenarioRecord> {
  const load1 = os.loadavg()[0]!;
  const started = Date.now();
  let record: ScenarioRecord;
  try {
    if (id === 'g') record = await measureBatch(bench, run, load1);
    else if (id === 'f') record = await measureDuringTraining(bench, run, load1);
    else record = phasesRecord(run, id, load1, await generate(bench, id, ['closed', 'open']));
  } catch (error) {
    record = { run, scenario: id, status: 'failed', detail: error instanceof Error ? error.message : String(error), load1 };
  }
  log(`run ${run} (${id}) in ${((Date.now() - started) / 1000).toFixed(0)} s: ${summary(record)}`);
  return record;
}

/**
 * On this shared machine the platform has been stopped from outside (another engineer's restart
 * of every platform process); it is started again, at most `MAX_PLATFORM_RESTARTS` times. One
 * that is up but not ready is given 30 s first: it may still be draining a saturated phase.
 */
async function ensurePlatform(bench: Bench): Promise<void> {
  const { platform } = bench;
  const ready = () => answers(`${platform.url}/health/ready`).catch(() => false);
  for (const deadline = Date.now() + 30_000; platform.service.alive() && Date.now() < deadline; await sleep(1000)) {
    if (await ready()) return;
  }
  const why = platform.service.alive() ? 'is up but not ready after 30 s' : `ended (${platform.service.exit()})`;
  if (platform.restarts >= MAX_PLATFORM_RESTARTS)
    throw new Error(`the platform ${why}, after ${platform.restarts} restarts; see bench/.data/serving/platform.log`);
  log(`the platform ${why}; starting it again`);
  await bench.supervisor.stop(platform.service);
  platform.restarts++;
  platform.service = await platform.start();
}

async function generate(bench: Bench, id: ScenarioId, modes: Array<'closed' | 'open'>, extra: string[] = []): Promise<LoadResult> {
  const s = bench.settings;
  const args = [
    ...NODE_TS.slice(1),
    path.join(HERE, 'load.generator.ts'),
    ...['--url', bench.urls[id]!, '--bodies', bench.bodyFiles[id]!, '--modes', modes.join(',')],
    ...['--connections', String(s.connections), '--open-connections', String(s.openConnections), '--rate', String(s.rate)],
    ...['--duration', String(s.durationSeconds), '--warmup', String(s.warmupSeconds)],
    ...serverPgid(bench, id),
    ...extra,
  ];
  // each phase: warm-up + duration + at most a 10 s request timeout or 5 s grace; plus start-up
  const timeoutMs = (modes.length * 2 * (s.durationSeconds + s.warmupSeconds + 10) + 60) * 1000;
  const { code, stdout, stderr } = await runChild(NODE_TS[0]!, args, timeoutMs);
  const result = parseResult(stdout);
  if (!result) throw new Error(`load generator failed (exit ${code}): ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return result;
}

/** The server's process group, for its CPU use during each phase. */
function serverPgid(bench: Bench, id: ScenarioId): string[] {
  const pid = (id === 'a' || id === 'd' ? bench.servers[id] : bench.platform.service)?.child.pid;
  return pid ? ['--server-pgid', String(pid)] : [];
}

function phasesRecord(run: number, id: ScenarioId, load1: number, result: LoadResult): ScenarioRecord {
  const phase = (mode: PhaseResult['mode']) => result.phases.find((p) => p.mode === mode);
  return { run, scenario: id, status: 'ok', closed: phase('closed'), open: phase('open'), load1 };
}

/** (g): one probe first; a platform that does not take `rows` yet is recorded as not available. */
async function measureBatch(bench: Bench, run: number, load1: number): Promise<ScenarioRecord> {
  const body = (JSON.parse(readFileSync(bench.bodyFiles.g!, 'utf8')) as unknown[])[0];
  const probe = await fetch(bench.urls.g!, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${BENCH_KEY}` },
    body: JSON.stringify(body),
  });
  const answer = await probe.text();
  if (!probe.ok)
    return { run, scenario: 'g', status: 'unavailable', detail: `not available: ${probe.status} ${answer.slice(0, 200)}`, load1 };
  const predictions = (JSON.parse(answer) as { predictions?: unknown[] }).predictions?.length;
  const count = String(bench.settings.batchRequests);
  const result = await generate(bench, 'g', ['closed'], ['--connections', '1', '--count', count, '--duration', '120']);
  return { ...phasesRecord(run, 'g', load1, result), detail: `${predictions ?? '?'} predictions per answer` };
}

/** (f): (b) measured while a GBDT (README's example, without the search, 1,000 iterations) trains in the platform. */
async function measureDuringTraining(bench: Bench, run: number, load1: number): Promise<ScenarioRecord> {
  const { client } = bench;
  const job = await client.startTraining({
    modelName: 'delay-trees',
    modelType: 'gbdt',
    // long enough to still train when both phases end on a fast machine (100 took ~25 s): then cancelled
    params: { numIterations: 1000 },
    source: { group: DEMO.flightsGroup },
    joinKeys: { [DEMO.airport]: 'origin' },
    features: [`${DEMO.statsGroup}:mean_delay_24h`, `${DEMO.statsGroup}:delayed_share_24h`],
    requestFeatures: ['distance', 'hour'],
    label: 'delay > 15',
    categoricalFeatures: [{ column: 'destination', encoding: 'one_hot', maxCategories: 50 }],
    window: WINDOW,
  });
  const before = await waitForJob(client, job.id, (s) => s !== 'queued', 120_000);
  if (before.status !== 'running')
    return { run, scenario: 'f', status: 'failed', detail: `the GBDT job was ${before.status} before it ran`, load1 };
  const result = await generate(bench, 'f', ['closed', 'open']);
  const after = await client.getTrainingJob(job.id);
  const training: TrainingDuring = { jobId: job.id, statusAtEnd: after.status, progressAtEnd: after.progress, cancelled: false };
  if (after.status === 'running' || after.status === 'queued') {
    // the next scenario must not share the CPU with it
    await fetch(`${bench.platform.url}/api/training-jobs/${job.id}/cancel`, { method: 'POST' });
    training.cancelled = true;
    await waitForJob(client, job.id, (s) => s !== 'running', 60_000);
  }
  return { ...phasesRecord(run, 'f', load1, result), training };
}

// ── helpers ──

function writeBodies(id: ScenarioId, setup: BenchSetup): string {
  const file = path.join(DATA, `bodies-${id}.json`);
  writeFileSync(file, JSON.stringify(bodiesOf(id, setup.flights)));
  return file;
}

function runChild(
  command: string,
  args: string[],
  timeoutMs: number,
  env: NodeJS.ProcessEnv = process.env,
  passOutput = false,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', passOutput ? 'inherit' : 'pipe', 'pipe'], timeout: timeoutMs });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (passOutput) process.stderr.write(chunk);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function summary(r: ScenarioRecord): string {
  if (r.status !== 'ok') return r.detail ?? r.status;
  const phase = (p: PhaseResult | undefined) =>
    p
      ? `${p.mode} ${p.okPerSecond.toFixed(0)}/s p50 ${p.latencyMs.p50?.toFixed(2)} p99 ${p.latencyMs.p99?.toFixed(2)} ms, ${p.errors} errors`
      : '';
  const training = r.training ? `; GBDT ${r.training.statusAtEnd} at the end${r.training.cancelled ? ' (cancelled)' : ''}` : '';
  return [phase(r.closed), phase(r.open)].filter(Boolean).join('; ') + training;
}

function machineInfo(loadBefore: number[], peer: Record<string, unknown> | undefined): MachineInfo {
  return {
    ...hostFacts(),
    libraries: {
      undici: packageVersion('undici'),
      'onnxruntime-node': packageVersion('onnxruntime-node'),
      ...(peer ? { mlflow: String(peer.mlflow), 'scikit-learn': String(peer.scikitLearn), pandas: String(peer.pandas) } : {}),
    },
    commit: git(['rev-parse', '--short', 'HEAD']),
    dirty: git(['status', '--porcelain', '--', 'apps', 'libs']).split('\n').filter(Boolean).length,
    loadBefore,
    loadAfter: os.loadavg(),
  };
}

function positive(value: string, name: string): number {
  const n = Number(value);
  if (!(n > 0)) throw new Error(`${name} must be a positive number, got "${value}"`);
  return n;
}

main().catch((error: unknown) => {
  console.error(`[bench:serving] ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
