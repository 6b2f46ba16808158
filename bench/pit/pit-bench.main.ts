import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { Pool } from 'pg';

import { generateKey } from '@atelier/auth';
import { seedFlightsDemo } from '@atelier/demo';
import { AtelierClient } from '@atelier/sdk';

import { git, hostFacts, packageVersion } from '../machine.facts';
import { median, writeSection } from '../report.sections';
import { answers, freePort, Supervisor } from '../serving/service.supervisor';
import {
  BENCH_DATABASE_URL,
  PIT_DATA,
  PIT_REQUEST,
  PIT_WINDOW,
  type PitResult,
  type PitSide,
  readColumn,
  RESULT_PREFIX,
} from './pit.settings';

/**
 * `npm run bench:pit` (bench/pit/run.sh): the point-in-time join of the demo's training set —
 * ours (`TrainingSetService.build` in-process, ours.runner.ts) against DuckDB's `ASOF JOIN` on 2
 * threads (duckdb.runner.ts) over the same rows of the same PostgreSQL. `BENCH_RUNS` runs
 * (default 3), both sides in each, each a fresh process, alternating which goes first; every run
 * compares the two answers value by value and stops the benchmark if they differ. Writes the
 * `bench:pit` section of docs/benchmarks.md and bench/results/pit-<time>.json; `--render <file>`
 * re-renders a saved run.
 */
const ROOT = path.resolve(__dirname, '..', '..');
const TIME = '/usr/bin/time';
const CHILD_TIMEOUT_MS = 10 * 60_000;
const TARGET = 2;
const log = (message: string) => console.log(`[bench:pit] ${message}`);

interface RunRecord {
  run: number;
  first: PitSide;
  /** 1-minute load average when each side started */
  load1: Record<PitSide, number>;
  ours?: PitResult;
  duckdb?: PitResult;
  /** the two answers compared value by value */
  agreement?: Agreement;
  error?: string;
}

interface Agreement {
  rows: boolean;
  misses: boolean;
  values: number;
  differing: number;
  firstDifference?: string;
}

interface PitReport {
  startedAt: string;
  runs: number;
  request: typeof PIT_REQUEST;
  machine: ReturnType<typeof hostFacts> & { duckdb: string; commit: string; dirty: number; loadBefore: number[]; loadAfter: number[] };
  records: RunRecord[];
}

async function main(): Promise<void> {
  const doc = path.join(ROOT, 'docs', 'benchmarks.md');
  if (process.argv[2] === '--render') {
    writeSection(doc, 'pit', render(JSON.parse(readFileSync(process.argv[3]!, 'utf8')) as PitReport));
    return;
  }
  const runs = Number(process.env.BENCH_RUNS ?? '3');
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`BENCH_RUNS must be a positive integer, got "${process.env.BENCH_RUNS}"`);
  await ensureSeeded();
  const startedAt = new Date().toISOString();
  const loadBefore = os.loadavg();
  const records: RunRecord[] = [];
  for (let run = 1; run <= runs; run++) {
    const sides: PitSide[] = run % 2 === 1 ? ['ours', 'duckdb'] : ['duckdb', 'ours'];
    const record: RunRecord = { run, first: sides[0]!, load1: { ours: NaN, duckdb: NaN } };
    records.push(record);
    for (const side of sides) {
      record.load1[side] = os.loadavg()[0]!;
      const outcome = runSide(side);
      if ('error' in outcome) record.error = `${record.error ?? ''}${side}: ${outcome.error} `;
      else record[side] = outcome;
    }
    if (record.ours && record.duckdb) record.agreement = compare(record.ours, record.duckdb);
    log(`run ${run}: ${describe(record)}`);
    if (record.agreement && !agrees(record.agreement)) break; // a comparison of different answers is worthless
  }
  const report: PitReport = {
    startedAt,
    runs,
    request: PIT_REQUEST,
    machine: {
      ...hostFacts(),
      duckdb: packageVersion('@duckdb/node-api'),
      commit: git(['rev-parse', '--short', 'HEAD']),
      dirty: git(['status', '--porcelain', '--', 'apps', 'libs', 'bench']).split('\n').filter(Boolean).length,
      loadBefore,
      loadAfter: os.loadavg(),
    },
    records,
  };
  mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true });
  const json = path.join(ROOT, 'bench', 'results', `pit-${startedAt.replace(/[:.]/g, '-')}.json`);
  writeFileSync(json, JSON.stringify(report, null, 2) + '\n');
  const disagreement = records.find((r) => r.agreement && !agrees(r.agreement));
  if (disagreement)
    throw new Error(`run ${disagreement.run}: the answers differ (${describe(disagreement)}); raw results ${path.relative(ROOT, json)}`);
  if (records.every((r) => !r.agreement)) throw new Error(`no run completed on both sides; raw results ${path.relative(ROOT, json)}`);
  writeSection(doc, 'pit', render(report));
  log(`raw results ${path.relative(ROOT, json)}; report docs/benchmarks.md`);
}

/**
 * The demo's flights and airport statistics in the benchmark's database: there already when the
 * serving benchmark has seeded it (the same month); otherwise loaded through the API of a
 * platform started from the working tree for the purpose, as the other benchmarks load it.
 */
async function ensureSeeded(): Promise<void> {
  const pool = new Pool({ connectionString: BENCH_DATABASE_URL });
  const count = async () =>
    (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM feature_rows WHERE group_name = $1', [PIT_REQUEST.source.group]))
      .rows[0]!.n;
  try {
    const rows = await count();
    if (rows > 0) return log(`database has ${rows.toLocaleString('en-US')} ${PIT_REQUEST.source.group} rows (seeded)`);
    const supervisor = new Supervisor(path.join(PIT_DATA, 'pgids'));
    const stop = () => void supervisor.stopAll().finally(() => process.exit(130));
    process.once('SIGINT', stop).once('SIGTERM', stop);
    try {
      const key = generateKey();
      const port = await freePort(Number(process.env.BENCH_PORT ?? '3500'));
      const url = `http://127.0.0.1:${port}`;
      log(`seeding the flights demo through a platform on ${url} (log bench/.data/pit/platform.log)`);
      await supervisor.start({
        name: 'platform',
        command: process.execPath,
        args: ['-r', '@swc-node/register', 'apps/platform/src/main.ts'],
        env: {
          ...process.env,
          PORT: String(port),
          DATABASE_URL: BENCH_DATABASE_URL,
          ATELIER_NAMESPACE: 'bench-pit',
          ATELIER_ADMIN_KEY: key,
          ATELIER_ARTIFACT_DIR: 'bench/.data/pit/artifacts',
          LOG_LEVEL: 'warn',
          MONITOR_INTERVAL_SECONDS: '0',
          PREDICTION_LOG_SPOOL_DIR: 'bench/.data/pit/spool',
          ...Object.fromEntries(
            ['FEATURE_STORE_URL', 'TRAINING_URL', 'REGISTRY_URL', 'SERVING_URL', 'MONITORING_URL'].map((v) => [v, url]),
          ),
        },
        logFile: path.join(PIT_DATA, 'platform.log'),
        ready: () => answers(`${url}/health/ready`),
        timeoutMs: 180_000,
      });
      const client = new AtelierClient({ baseUrl: url, apiKey: key });
      await seedFlightsDemo(client, { from: new Date(PIT_WINDOW.start), to: new Date(PIT_WINDOW.end), log });
    } finally {
      await supervisor.stopAll();
    }
  } finally {
    await pool.end();
  }
}

/** One side's run in a fresh process, under GNU time when there is one (its peak RSS). */
function runSide(side: PitSide): PitResult | { error: string } {
  const script = path.join(ROOT, 'bench', 'pit', side === 'ours' ? 'ours.runner.ts' : 'duckdb.runner.ts');
  const command = [process.execPath, '-r', '@swc-node/register', script];
  const timed = existsSync(TIME);
  const [file, ...args] = timed ? [TIME, '-v', ...command] : command;
  const env = { ...process.env, DATABASE_URL: BENCH_DATABASE_URL, LOG_LEVEL: 'warn', TZ: 'UTC' };
  const child = spawnSync(file!, args, { cwd: ROOT, env, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024, timeout: CHILD_TIMEOUT_MS });
  const line = (child.stdout ?? '').split('\n').find((l) => l.startsWith(RESULT_PREFIX));
  if (!line)
    return {
      error: `exit ${child.status ?? child.signal}: ${(child.stderr || String(child.error)).trim().split('\n').slice(-3).join(' | ')}`,
    };
  const result = JSON.parse(line.slice(RESULT_PREFIX.length)) as PitResult;
  const rss = timed ? /Maximum resident set size \(kbytes\): (\d+)/.exec(child.stderr ?? '')?.[1] : undefined;
  return rss ? { ...result, peakRssKb: Number(rss) } : result;
}

/** Both answers column by column: equal doubles, or both null (NaN). */
function compare(ours: PitResult, duckdb: PitResult): Agreement {
  const agreement: Agreement = {
    rows: ours.labelRows === duckdb.labelRows,
    misses: JSON.stringify(ours.misses) === JSON.stringify(duckdb.misses),
    values: 0,
    differing: 0,
  };
  ours.outputNames.forEach((name, k) => {
    const a = readColumn(ours.outputDir, k);
    const b = readColumn(duckdb.outputDir, duckdb.outputNames.indexOf(name));
    if (a.length !== b.length) {
      agreement.differing += Math.max(a.length, b.length);
      agreement.firstDifference ??= `${name}: ${a.length} vs ${b.length} rows`;
      return;
    }
    for (let i = 0; i < a.length; i++) {
      agreement.values++;
      if (a[i] === b[i] || (Number.isNaN(a[i]) && Number.isNaN(b[i]))) continue;
      agreement.differing++;
      agreement.firstDifference ??= `${name} row ${i}: ours ${a[i]}, DuckDB ${b[i]}`;
    }
  });
  return agreement;
}

const agrees = (a: Agreement) => a.rows && a.misses && a.differing === 0;

function describe(r: RunRecord): string {
  const side = (x: PitResult | undefined, name: string) =>
    x
      ? `${name} total ${f(x.totalSeconds, 2)} s (read ${f(x.readSeconds, 2)}, load ${f(x.loadSeconds, 2)}), join alone ${f(x.joinSeconds, 3)} s`
      : `${name} failed`;
  const a = r.agreement;
  const same = a
    ? agrees(a)
      ? `same answer (${f(a.values, 0)} values)`
      : `DIFFERENT answers: ${a.firstDifference ?? 'rows or misses'}`
    : '';
  return [side(r.ours, 'ours'), side(r.duckdb, 'DuckDB'), same, r.error ?? ''].filter(Boolean).join('; ');
}

// ── report ──

const f = (n: number, digits: number) =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '—';
const mb = (kb: number) => f(kb / 1024, 0);

type Pick = (r: PitResult) => number;

function render(report: PitReport): string {
  const { machine } = report;
  const done = report.records.filter(
    (r): r is RunRecord & { ours: PitResult; duckdb: PitResult; agreement: Agreement } => !!(r.ours && r.duckdb && r.agreement),
  );
  const med = (side: PitSide, pick: Pick) => median(done.map((r) => pick(r[side])));
  const ratios = (ours: Pick, duckdb: Pick) => done.map((r) => ours(r.ours) / duckdb(r.duckdb));
  const [any] = done;
  const loads = report.records.flatMap((r) => [r.load1.ours, r.load1.duckdb]).filter(Number.isFinite);
  const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(' / ');
  const total: Pick = (x) => x.totalSeconds;
  const join: Pick = (x) => x.joinSeconds;
  const targetRow = (what: string, ours: Pick, duckdb: Pick, oursWhat: string, duckWhat: string) => {
    const o = med('ours', ours);
    const d = med('duckdb', duckdb);
    const r = ratios(ours, duckdb);
    const ratio = o / d;
    return `| ${what} | ${oursWhat} ${f(o, 3)} s | ${duckWhat} ${f(d, 3)} s | **${f(ratio, 2)}×** (${f(Math.min(...r), 2)}–${f(Math.max(...r), 2)}) | ${ratio <= TARGET ? '✅ met' : '❌ **missed**'} |`;
  };
  const breakdown = (side: PitSide, name: string) => {
    const m = (pick: Pick) => med(side, pick);
    const joinInTotal: Pick = (x) => x.totalSeconds - x.readSeconds - x.loadSeconds;
    return `| ${name} | ${f(m(total), 3)} | ${f(
      m((x) => x.readSeconds),
      3,
    )} | ${
      side === 'ours'
        ? '—'
        : f(
            m((x) => x.loadSeconds),
            3,
          )
    } | ${f(m(joinInTotal), 3)} | ${f(
      m((x) => x.totalCpuSeconds),
      2,
    )} | ${f(m(join), 3)} | ${f(
      m((x) => x.joinCpuSeconds),
      2,
    )} | ${mb(m((x) => x.peakRssKb))} |`;
  };
  const failed = report.records.filter((r) => r.error);
  return [
    `### Point-in-time join results (generated ${report.startedAt.slice(0, 16).replace('T', ' ')} UTC — do not edit by hand)`,
    '',
    `Generated by \`npm run bench:pit\` with \`BENCH_RUNS=${report.runs}\`: ${done.length === 1 ? 'one run' : `medians of ${done.length} runs`}, both sides in each run, each a fresh process, alternating which goes first; ratios are ours / DuckDB. Commit \`${machine.commit}\`${machine.dirty ? ` with ${machine.dirty} uncommitted files under apps/, libs/ or bench/` : ''}.`,
    '',
    `**Machine:** ${machine.nproc} CPUs (${machine.cpuModel}), ${machine.memoryGb} GB RAM, ${machine.kernel}; Node ${machine.node}; ${any?.duckdb.engine ?? `@duckdb/node-api ${machine.duckdb}`}.`,
    '',
    `**Load:** 1/5/15-minute load average ${load(machine.loadBefore)} before the runs, ${load(machine.loadAfter)} after; 1-minute load when each process started: median ${f(median(loads), 2)}, max ${f(Math.max(...loads), 2)}.`,
    '',
    any
      ? `**Same answer:** ${f(any.ours.labelRows, 0)} label rows × ${report.request.features.length} features from ${f(any.ours.featureRows, 0)} feature rows (TTL ${f(any.ours.ttlSeconds / 86400, 0)} days); misses per feature: ours ${[...new Set(Object.values(any.ours.misses))].join(' / ')}, DuckDB ${[...new Set(Object.values(any.duckdb.misses))].join(' / ')}; ` +
        `every run compared all ${f(any.agreement.values, 0)} values (event times, ${report.request.columns.join(', ')}, each feature's value and event time): ${done.every((r) => agrees(r.agreement)) ? 'all equal' : 'DIFFERENT'}.`
      : '**No run completed on both sides.**',
    '',
    `| comparison | ours | DuckDB | ours / DuckDB (medians; per run min–max) | ≤ ${TARGET}× |`,
    '|---|---:|---:|---:|---|',
    targetRow('(a) the join alone, rows already in memory', join, join, '`build` on replayed reads', '`ASOF JOIN` over loaded tables'),
    targetRow('(b) end to end from PostgreSQL', total, total, '`build`', 'read + load + `ASOF JOIN`'),
    targetRow("(c) the issue's comparison: ours end to end vs DuckDB's join alone", total, join, '`build`', '`ASOF JOIN`'),
    '',
    '| side (medians, seconds) | end to end | read PostgreSQL | load DuckDB | join in end to end | CPU s end to end | join alone | CPU s join alone | peak RSS MB |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    breakdown('ours', 'ours: `TrainingSetService.build`'),
    breakdown('duckdb', 'DuckDB: node-postgres → appender → `ASOF JOIN`'),
    '',
    'Join in end to end: the end-to-end time less the read (and load), the first execution in a fresh process; the join alone: the median of the further executions in the same process (`BENCH_JOIN_REPEATS`, default 3). CPU s above wall time means more than one core busy. Peak RSS: the whole process, from `/usr/bin/time -v` where present.',
    ...(failed.length ? ['', `**Failed runs:** ${failed.map((r) => `run ${r.run} (${r.error!.trim()})`).join('; ')}.`] : []),
    '',
    '<details><summary>Every run</summary>',
    '',
    '| run | first | ours: end to end s | read s | join alone s | DuckDB: end to end s | read s | load s | join alone s | ratio (a) | ratio (b) | values compared | 1-min load at start (ours / DuckDB) |',
    '|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...done.map(
      (r) =>
        `| ${r.run} | ${r.first} | ${f(r.ours.totalSeconds, 3)} | ${f(r.ours.readSeconds, 3)} | ${f(r.ours.joinSeconds, 3)} | ${f(r.duckdb.totalSeconds, 3)} | ${f(r.duckdb.readSeconds, 3)} | ${f(r.duckdb.loadSeconds, 3)} | ${f(r.duckdb.joinSeconds, 3)} | ${f(r.ours.joinSeconds / r.duckdb.joinSeconds, 2)} | ${f(r.ours.totalSeconds / r.duckdb.totalSeconds, 2)} | ${f(r.agreement.values, 0)}, ${r.agreement.differing} differ | ${f(r.load1.ours, 2)} / ${f(r.load1.duckdb, 2)} |`,
    ),
    '',
    '</details>',
    '',
  ].join('\n');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
