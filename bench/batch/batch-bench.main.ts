import { execFile, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';

import { Pool } from 'pg';

import { generateKey } from '@atelier/auth';
import type { ModelVersionDetail } from '@atelier/contracts';
import { DEMO, demoTrainingRequest, seedFlightsDemo } from '@atelier/demo';
import { compileExpression } from '@atelier/ml';
import { AtelierClient } from '@atelier/sdk';

import { git, hostFacts, packageVersion } from '../machine.facts';
import { NODE_TS, platformArgs } from '../node-ts';
import { busyShare, commandCpuSeconds, cpuSecondsSince, groupCpuSeconds, machineCpuTicks } from '../process.cpu';
import { median, writeSection } from '../report.sections';
import { waitForJob } from '../serving/platform.setup';
import { answers, freePort, type Service, Supervisor } from '../serving/service.supervisor';

/**
 * `npm run bench:batch` (bench/batch/run.sh): a batch job of the demo model over about a million
 * demo flights, end to end — POST, every shard scored (features joined point-in-time, the
 * predictions stored in PostgreSQL), the Parquet file downloaded — against the floor: a raw ONNX
 * Runtime loop over the same rows already in memory plus writing the same Parquet columns
 * (batch.floor.ts). Both in each run, alternating which goes first; medians of `BENCH_RUNS`.
 */
const ROOT = path.resolve(__dirname, '..', '..');
const HERE = path.join(ROOT, 'bench', 'batch');
const DATA = path.join(ROOT, 'bench', '.data', 'batch');
const KEY = generateKey();
const FROM = '2001-01-01T00:00:00Z';
const TRAINING_WINDOW = { start: FROM, validationStart: '2001-01-22T00:00:00Z', end: '2001-02-01T00:00:00Z' };
const log = (message: string) => console.log(`[bench:batch] ${message}`);

interface Settings {
  runs: number;
  end: string;
  shardRows: number;
  port: number;
}

interface RunRecord {
  run: number;
  first: 'ours' | 'floor';
  ours: {
    seconds: number;
    scoreSeconds: number;
    downloadSeconds: number;
    rows: number;
    shards: number;
    fileMb: number;
    peakRssMb: number;
    /** share of the machine's CPU time busy while the job scored (every process, PostgreSQL's included) */
    busy: number;
    /** CPU seconds the platform's processes used while the job scored (PostgreSQL's not included) */
    platformCpuSeconds: number;
    /** CPU seconds PostgreSQL's processes used while the job scored (the connections open throughout) */
    postgresCpuSeconds: number;
  };
  floor: { seconds: number; scoreSeconds: number; rows: number; fileMb: number; peakRssMb: number };
}

async function main(): Promise<void> {
  const settings: Settings = {
    runs: Number(process.env.BENCH_RUNS ?? '3'),
    end: process.env.BENCH_BATCH_END ?? '2001-03-03T00:00:00Z',
    shardRows: Number(process.env.BENCH_SHARD_ROWS ?? '50000'),
    port: Number(process.env.BENCH_PORT ?? '3300'),
  };
  mkdirSync(DATA, { recursive: true });
  const supervisor = new Supervisor(path.join(DATA, 'pgids'));
  const stop = () => void supervisor.stopAll().finally(() => process.exit(130));
  process.once('SIGINT', stop).once('SIGTERM', stop);
  const startedAt = new Date();
  const loadBefore = os.loadavg();
  try {
    const { url, service } = await startPlatform(settings, supervisor);
    const client = new AtelierClient({ baseUrl: url, apiKey: KEY });
    await seedFlightsDemo(client, { from: new Date(FROM), to: new Date(settings.end), log });
    const detail = await ensureModel(client);
    const onnx = path.join(DATA, `flight-delay-v${detail.version}.onnx`);
    writeFileSync(onnx, await client.getArtifact(DEMO.model, detail.version));
    const rowsFile = await writeFloorRows(client, detail, settings);
    const pool = new Pool({ connectionString: process.env.BENCH_DATABASE_URL });
    const records: RunRecord[] = [];
    try {
      for (let run = 1; run <= settings.runs; run++) {
        await pool.query('TRUNCATE batch_predictions'); // every run writes into the same empty table
        const first = run % 2 === 1 ? 'ours' : 'floor';
        let ours: RunRecord['ours'] | undefined;
        let floor: RunRecord['floor'] | undefined;
        for (const side of first === 'ours' ? (['ours', 'floor'] as const) : (['floor', 'ours'] as const)) {
          if (side === 'ours') ours = await measureOurs(client, url, service, settings);
          else floor = await measureFloor(onnx, rowsFile);
        }
        records.push({ run, first, ours: ours!, floor: floor! });
        log(
          `run ${run}: ours ${ours!.seconds.toFixed(1)} s (${ours!.rows} rows, CPU ${(ours!.busy * 100).toFixed(0)} % busy while scoring, platform ${ours!.platformCpuSeconds.toFixed(1)} CPU s, PostgreSQL ${ours!.postgresCpuSeconds.toFixed(1)} CPU s), floor ${floor!.seconds.toFixed(1)} s, ratio ${(ours!.seconds / floor!.seconds).toFixed(2)}`,
        );
      }
    } finally {
      await pool.end();
    }
    const report = {
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      settings,
      machine: {
        ...hostFacts(),
        node: process.version,
        onnxruntime: packageVersion('onnxruntime-node'),
        hyparquetWriter: (
          JSON.parse(readFileSync(path.join(ROOT, 'node_modules', 'hyparquet-writer', 'package.json'), 'utf8')) as { version: string }
        ).version,
        commit: git(['rev-parse', '--short', 'HEAD']),
        dirty: git(['status', '--porcelain', '--', 'apps', 'libs', 'bench']).split('\n').filter(Boolean).length,
        loadBefore,
        loadAfter: os.loadavg(),
      },
      model: { name: DEMO.model, version: detail.version },
      records,
    };
    const json = path.join(ROOT, 'bench', 'results', `batch-${report.startedAt.replace(/[:.]/g, '-')}.json`);
    mkdirSync(path.dirname(json), { recursive: true });
    writeFileSync(json, JSON.stringify(report, null, 2) + '\n');
    writeSection(path.join(ROOT, 'docs', 'benchmarks.md'), 'batch', render(report));
    log(`raw results ${path.relative(ROOT, json)}; report docs/benchmarks.md`);
  } finally {
    await supervisor.stopAll();
  }
}

async function startPlatform(settings: Settings, supervisor: Supervisor): Promise<{ url: string; service: Service }> {
  const port = await freePort(settings.port);
  const url = `http://127.0.0.1:${port}`;
  const env = {
    ...process.env,
    PORT: String(port),
    DATABASE_URL: process.env.BENCH_DATABASE_URL,
    ATELIER_NAMESPACE: 'bench-batch',
    ATELIER_ADMIN_KEY: KEY,
    ATELIER_ARTIFACT_DIR: 'bench/.data/batch-artifacts',
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
    MONITOR_INTERVAL_SECONDS: '0',
    PREDICTION_LOG_SPOOL_DIR: 'bench/.data/batch/spool',
    ...(process.env.BENCH_PLATFORM_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_PLATFORM_NODE_OPTIONS } : {}),
    ...Object.fromEntries(['FEATURE_STORE_URL', 'TRAINING_URL', 'REGISTRY_URL', 'SERVING_URL', 'MONITORING_URL'].map((v) => [v, url])),
  };
  log(`starting the platform on ${url} (log bench/.data/batch/platform.log)`);
  const service = await supervisor.start({
    name: 'platform',
    command: NODE_TS[0]!,
    args: platformArgs('apps/platform/src/main.ts'),
    env,
    logFile: path.join(DATA, 'platform.log'),
    ready: () => answers(`${url}/health/ready`),
    timeoutMs: 180_000,
  });
  return { url, service };
}

/**
 * The demo's `flight-delay`, trained on January with `demoTrainingRequest`'s defaults (a logistic
 * regression on the airport statistics, distance and hour; `npm start`'s first model is the GBDT
 * with the route features), in production. A database that has one already keeps it.
 */
async function ensureModel(client: AtelierClient): Promise<ModelVersionDetail> {
  const existing = (await client.listModels()).find((m) => m.name === DEMO.model);
  if (!existing?.latestVersion) {
    log(`training ${DEMO.model}`);
    const job = await client.startTraining(demoTrainingRequest(TRAINING_WINDOW));
    const done = await waitForJob(client, job.id, (status) => status !== 'queued' && status !== 'running');
    if (done.status !== 'succeeded' || !done.modelVersion) throw new Error(`training ${DEMO.model}: ${done.status} ${done.error ?? ''}`);
    await client.setAlias(DEMO.model, 'production', done.modelVersion);
  }
  return client.resolveAlias(DEMO.model, 'production');
}

/**
 * The floor's input: every row of the window with the model's inputs computed (features joined
 * point-in-time by the same training-set route, the transforms evaluated), read in parts.
 */
async function writeFloorRows(client: AtelierClient, detail: ModelVersionDetail, settings: Settings): Promise<string> {
  const inputs = detail.signature.inputs;
  const features = inputs.flatMap((i) => (i.source === 'feature' ? [i.ref] : []));
  const rows = {
    model: DEMO.model,
    version: detail.version,
    inputs: {} as Record<string, Array<number | null>>,
    airport: [] as Array<string | null>,
    destination: [] as Array<string | null>,
    eventTimes: [] as number[],
  };
  for (const input of inputs) rows.inputs[input.name] = [];
  const transforms = inputs.flatMap((i) =>
    i.source === 'transform' ? [{ name: i.name, expression: compileExpression(i.expression) }] : [],
  );
  const plan = await client.partitionRows(DEMO.flightsGroup, { start: FROM, end: settings.end, rowsPerPart: 200_000 });
  log(`reading the floor's ${plan.rows} rows in ${plan.parts.length} parts`);
  for (const part of plan.parts) {
    const set = await client.trainingSet({
      source: { group: DEMO.flightsGroup, start: part.start, end: part.end },
      joinKeys: { [DEMO.airport]: 'origin' },
      features,
      columns: ['distance', 'hour', 'origin', 'destination'],
    });
    for (let r = 0; r < set.rowCount; r++) {
      const values: Record<string, number | null> = {};
      for (const input of inputs) {
        if (input.source === 'transform') continue;
        const raw = set.columns[input.source === 'feature' ? input.ref : input.name]?.[r];
        values[input.name] = typeof raw === 'number' ? raw : null;
      }
      for (const t of transforms) {
        const v = t.expression.evaluate(values);
        values[t.name] = Number.isFinite(v) ? v : null;
      }
      for (const input of inputs) rows.inputs[input.name]!.push(values[input.name] ?? null);
      rows.airport.push((set.columns['origin']?.[r] as string | null) ?? null);
      rows.destination.push((set.columns['destination']?.[r] as string | null) ?? null);
      rows.eventTimes.push(set.eventTimes[r]!);
    }
  }
  const file = path.join(DATA, 'floor-rows.json');
  writeFileSync(file, JSON.stringify(rows));
  return file;
}

async function measureOurs(client: AtelierClient, url: string, platform: Service, settings: Settings): Promise<RunRecord['ours']> {
  let peakKb = 0;
  const sampling = setInterval(() => void groupRssKb(platform.child.pid!).then((kb) => (peakKb = Math.max(peakKb, kb))), 250);
  try {
    const started = performance.now();
    const cpuBefore = machineCpuTicks();
    const platformBefore = groupCpuSeconds(platform.child.pid!);
    const postgresBefore = commandCpuSeconds('postgres');
    const job = await client.createBatchJob({
      model: DEMO.model,
      source: { group: DEMO.flightsGroup, start: FROM, end: settings.end },
      passthrough: ['destination'],
      shardRows: settings.shardRows,
    });
    let state = job;
    while (state.status === 'queued' || state.status === 'running') {
      await sleep(100);
      state = await client.getBatchJob(job.id);
    }
    if (state.status !== 'succeeded') throw new Error(`the batch job ${state.status}: ${state.error}`);
    const scored = performance.now();
    const cpuAfter = machineCpuTicks();
    const platformAfter = groupCpuSeconds(platform.child.pid!);
    const postgresAfter = commandCpuSeconds('postgres');
    const out = path.join(DATA, 'ours.parquet');
    const response = await fetch(`${url}/api/batch-jobs/${job.id}/output.parquet`, { headers: { authorization: `Bearer ${KEY}` } });
    if (!response.ok || !response.body) throw new Error(`download: ${response.status}`);
    await pipeline(Readable.fromWeb(response.body as never), createWriteStream(out));
    const done = performance.now();
    return {
      seconds: (done - started) / 1000,
      scoreSeconds: (scored - started) / 1000,
      downloadSeconds: (done - scored) / 1000,
      rows: state.rows.scored,
      shards: state.shards.total,
      fileMb: statSync(out).size / 2 ** 20,
      peakRssMb: peakKb / 1024,
      busy: busyShare(cpuBefore, cpuAfter),
      platformCpuSeconds: platformAfter - platformBefore,
      postgresCpuSeconds: cpuSecondsSince(postgresBefore, postgresAfter),
    };
  } finally {
    clearInterval(sampling);
  }
}

async function measureFloor(onnx: string, rowsFile: string): Promise<RunRecord['floor']> {
  const out = path.join(DATA, 'floor.parquet');
  const child = spawn(NODE_TS[0]!, [...NODE_TS.slice(1), path.join(HERE, 'batch.floor.ts'), onnx, rowsFile, out], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  const line = stdout.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
  if (code !== 0 || !line) throw new Error(`batch.floor.ts failed (exit ${code})`);
  const result = JSON.parse(line.slice('BENCH_RESULT '.length)) as {
    rows: number;
    seconds: number;
    scoreSeconds: number;
    peakRssMb: number;
  };
  return { ...result, fileMb: statSync(out).size / 2 ** 20 };
}

/** Resident memory of a process group (the platform and its training workers), in KiB. */
function groupRssKb(pgid: number): Promise<number> {
  return new Promise((resolve) =>
    execFile('ps', ['-o', 'rss=', '-g', String(pgid)], (error, stdout) =>
      resolve(error ? 0 : stdout.split('\n').reduce((kb, line) => kb + (Number(line.trim()) || 0), 0)),
    ),
  );
}

function render(report: {
  startedAt: string;
  settings: Settings;
  machine: ReturnType<typeof hostFacts> & {
    node: string;
    onnxruntime: string;
    commit: string;
    dirty: number;
    loadBefore: number[];
    loadAfter: number[];
  };
  model: { version: number };
  records: RunRecord[];
}): string {
  const { records, settings, machine } = report;
  const ours = median(records.map((r) => r.ours.seconds));
  const floor = median(records.map((r) => r.floor.seconds));
  const ratios = records.map((r) => r.ours.seconds / r.floor.seconds);
  const ratio = median(ratios);
  const rows = records[0]?.ours.rows ?? 0;
  const f = (n: number, digits = 1) => n.toFixed(digits);
  const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(' / ');
  return [
    `### Batch results (generated ${report.startedAt.slice(0, 16).replace('T', ' ')} UTC — do not edit by hand)`,
    '',
    `Generated by \`npm run bench:batch\` with \`BENCH_RUNS=${settings.runs}\`: the demo's \`flight-delay\` v${report.model.version} over every flight from ${FROM.slice(0, 10)} to ${settings.end.slice(0, 10)} (${rows.toLocaleString('en-US')} rows), shards of ${settings.shardRows.toLocaleString('en-US')} rows. Commit \`${machine.commit}\`${machine.dirty ? ` with ${machine.dirty} uncommitted files` : ''}.`,
    '',
    `**Machine:** ${machine.nproc} CPUs (${machine.cpuModel}), ${machine.memoryGb} GB RAM; Node ${machine.node}, onnxruntime-node ${machine.onnxruntime}. Load average (1/5/15 min) ${load(machine.loadBefore)} before, ${load(machine.loadAfter)} after.`,
    '',
    '| target | figure | met? |',
    '|---|---|---|',
    `| end to end ≤ 1.5 × the floor | median of the runs' ratios **${f(ratio, 2)}** (runs ${f(Math.min(...ratios), 2)}–${f(Math.max(...ratios), 2)}, ${ratios.filter((r) => r > 1.5).length} of ${ratios.length} above 1.5); medians ours ${f(ours)} s, floor ${f(floor)} s | ${ratio <= 1.5 ? '✅ met' : '❌ **missed**'} |`,
    '',
    '| run | first | ours: total s | scoring s | download s | shards | machine CPU busy while scoring | platform CPU s | PostgreSQL CPU s | Parquet MB | platform peak RSS MB | floor: total s | ONNX s | Parquet MB | floor peak RSS MB | ratio |',
    '|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...records.map(
      (r) =>
        `| ${r.run} | ${r.first} | ${f(r.ours.seconds)} | ${f(r.ours.scoreSeconds)} | ${f(r.ours.downloadSeconds)} | ${r.ours.shards} | ${f(r.ours.busy * 100, 0)} % | ${f(r.ours.platformCpuSeconds)} | ${f(r.ours.postgresCpuSeconds)} | ${f(r.ours.fileMb)} | ${f(r.ours.peakRssMb, 0)} | ${f(r.floor.seconds)} | ${f(r.floor.scoreSeconds)} | ${f(r.floor.fileMb)} | ${f(r.floor.peakRssMb, 0)} | ${f(r.ours.seconds / r.floor.seconds, 2)} |`,
    ),
    '',
  ].join('\n');
}

/** Replaces the text between the batch markers of docs/benchmarks.md. */

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
