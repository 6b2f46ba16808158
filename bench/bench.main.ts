import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { BENCH_DIR, datasetDir, readManifest } from './bench-data.io';
import { type BenchModel, type BenchResult, type BenchSide, parseResult } from './bench-result';
import { git, hostFacts, packageVersion } from './machine.facts';
import { gbdtApi } from './ours.runner';
import { type BenchReport, type DatasetInfo, type MachineInfo, renderReport, type RunRecord, writeReport } from './report.render';

/**
 * Runs every benchmark `BENCH_RUNS` times (default 3), each in a fresh process, ours and the
 * peer back to back (alternating which goes first), then writes docs/benchmarks.md. Started by
 * bench/run.sh after the datasets and the Python venv exist.
 */
const ROOT = path.resolve(BENCH_DIR, '..');
const PYTHON = path.join(BENCH_DIR, '.venv', 'bin', 'python');
const TIME = '/usr/bin/time';
const DATASETS = ['breast-cancer', 'flights-1m'];
const MODELS: BenchModel[] = ['lr', 'gbdt'];
const CHILD_TIMEOUT_MS = 60 * 60_000;
/**
 * OpenMP threads that wait actively (GNU OpenMP's default) spin on a core while they wait; on a
 * busy 2-core machine LightGBM then fights the other work and its time swings 3–5× from run to
 * run. Passive waiting keeps it steady and, under load, faster — the conservative choice for us.
 * Set OMP_WAIT_POLICY to override.
 */
const OMP_WAIT_POLICY = process.env.OMP_WAIT_POLICY ?? 'PASSIVE';

function main(): void {
  if (process.argv[2] === '--render') return renderSaved(process.argv[3]);
  const runs = positiveInt(process.env.BENCH_RUNS ?? '3', 'BENCH_RUNS');
  const datasets = listFilter(process.env.BENCH_DATASETS, DATASETS);
  const models = listFilter(process.env.BENCH_MODELS, MODELS);
  const startedAt = new Date();
  const loadBefore = os.loadavg();
  const records: RunRecord[] = [];
  for (let run = 1; run <= runs; run++) {
    for (const dataset of datasets) {
      for (const model of models) {
        const sides: BenchSide[] = run % 2 === 1 ? ['ours', 'peer'] : ['peer', 'ours'];
        for (const side of sides) records.push(runOne(run, side, dataset, model));
      }
    }
  }
  const report: BenchReport = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    runs,
    machine: machineInfo(loadBefore, os.loadavg()),
    datasets: datasets.map(datasetInfo),
    gbdtAvailable: gbdtApi() !== undefined,
    records,
  };
  mkdirSync(path.join(BENCH_DIR, 'results'), { recursive: true });
  const json = path.join(BENCH_DIR, 'results', `${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(json, JSON.stringify(report, null, 2) + '\n');
  const doc = path.join(ROOT, 'docs', 'benchmarks.md');
  writeReport(doc, renderReport(report));
  console.log(`[bench] raw results ${path.relative(ROOT, json)}; report ${path.relative(ROOT, doc)}`);
}

/** `bench.main.ts --render bench/results/<time>.json`: rewrites the report from saved results. */
function renderSaved(file: string | undefined): void {
  if (!file) throw new Error('usage: bench.main.ts --render bench/results/<time>.json');
  const report = JSON.parse(readFileSync(file, 'utf8')) as BenchReport;
  report.datasets ??= [...new Set(report.records.map((r) => r.dataset))].map(datasetInfo);
  writeReport(path.join(ROOT, 'docs', 'benchmarks.md'), renderReport(report));
}

function runOne(run: number, side: BenchSide, dataset: string, model: BenchModel): RunRecord {
  const command =
    side === 'ours'
      ? [process.execPath, '-r', '@swc-node/register', path.join(BENCH_DIR, 'ours.runner.ts'), dataset, model]
      : [PYTHON, path.join(BENCH_DIR, 'peers', 'peer.py'), dataset, model];
  const load1 = os.loadavg()[0]!;
  const timed = existsSync(TIME);
  const [file, ...args] = timed ? [TIME, '-v', ...command] : command;
  const env = side === 'peer' ? { ...process.env, OMP_WAIT_POLICY } : process.env;
  const child = spawnSync(file!, args, { cwd: ROOT, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: CHILD_TIMEOUT_MS });
  const result: BenchResult = parseResult(child.stdout ?? '') ?? {
    side,
    dataset,
    model,
    status: 'unavailable',
    detail: `failed (exit ${child.status ?? child.signal}): ${lastLines(child.stderr ?? String(child.error))}`,
  };
  const timeRss = timed ? /Maximum resident set size \(kbytes\): (\d+)/.exec(child.stderr ?? '')?.[1] : undefined;
  const record: RunRecord = {
    run,
    ...result,
    load1,
    failed: result.status !== 'ok' && child.status !== 0,
    peakRssKb: timeRss ? Number(timeRss) : result.maxRssKb,
    rssSource: timeRss ? '/usr/bin/time -v' : 'self-reported',
  };
  console.log(
    `[bench] run ${run} ${dataset} ${model} ${side}: ` +
      (record.status === 'ok'
        ? `train ${record.trainSeconds!.toFixed(2)} s, AUC ${record.auc!.toFixed(4)}, log loss ${record.logLoss!.toFixed(4)}, ` +
          `peak RSS ${((record.peakRssKb ?? 0) / 1024).toFixed(0)} MB`
        : record.detail),
  );
  return record;
}

function datasetInfo(name: string): DatasetInfo {
  const manifest = readManifest(name);
  const { train, test } = manifest.splits;
  const labels = readFileSync(path.join(datasetDir(name), train.label));
  const y = new Float64Array(labels.buffer.slice(labels.byteOffset, labels.byteOffset + labels.byteLength));
  return {
    name,
    trainRows: train.rows,
    testRows: test.rows,
    features: manifest.features.length,
    label: manifest.label,
    trainPositiveShare: y.reduce((sum, v) => sum + v, 0) / y.length,
    description: manifest.description,
  };
}

function machineInfo(loadBefore: number[], loadAfter: number[]): MachineInfo {
  const python = JSON.parse(
    execFileSync(
      PYTHON,
      [
        '-c',
        'import json, platform, numpy, sklearn, lightgbm, pandas, pyarrow; print(json.dumps({"python": platform.python_version(), ' +
          '"numpy": numpy.__version__, "scikit-learn": sklearn.__version__, "lightgbm": lightgbm.__version__, ' +
          '"pandas": pandas.__version__, "pyarrow": pyarrow.__version__}))',
      ],
      { encoding: 'utf8' },
    ),
  ) as Record<string, string>;
  const { python: pythonVersion, ...libraries } = python;
  return {
    ...hostFacts(),
    python: pythonVersion!,
    libraries: { '@tensorflow/tfjs': packageVersion('@tensorflow/tfjs'), ...libraries },
    ompWaitPolicy: OMP_WAIT_POLICY,
    commit: git(['rev-parse', '--short', 'HEAD']),
    libsMlDirty: git(['status', '--porcelain', '--', 'libs/ml']) !== '',
    loadBefore,
    loadAfter,
  };
}


/** The child's last words, without the statistics /usr/bin/time appends to stderr. */
function lastLines(stderr: string): string {
  const own = stderr.split(/^\s*Command (being timed|exited with non-zero status)/m)[0];
  return own.trim().split('\n').slice(-3).join(' | ');
}

function positiveInt(value: string, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got "${value}"`);
  return n;
}

function listFilter<T extends string>(value: string | undefined, all: readonly T[]): T[] {
  if (!value) return [...all];
  const wanted = value.split(',').map((s) => s.trim());
  const unknown = wanted.filter((w) => !all.includes(w as T));
  if (unknown.length > 0) throw new Error(`unknown ${unknown.join(', ')}; choose from ${all.join(', ')}`);
  return all.filter((a) => wanted.includes(a));
}

if (require.main === module) {
  try {
    main();
  } catch (error: unknown) {
    console.error(error);
    process.exit(1);
  }
}
