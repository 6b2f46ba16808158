import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { NeuralNetworkParams } from '@atelier/ml';

import { BENCH_DIR, readManifest } from '../bench-data.io';
import { RESULT_PREFIX } from '../bench-result';
import { git, hostFacts, packageVersion } from '../machine.facts';
import { median, writeSection } from '../report.sections';
import { nnParams, type NnResult, type NnSide } from './nn.settings';

/**
 * `npm run bench:nn`: Atelier's `trainNeuralNetwork` beside scikit-learn's `MLPClassifier` with
 * the same network, optimiser and epochs (bench/nn/nn.settings.ts) on the prepared bench
 * datasets, `BENCH_RUNS` times (default 3), each side a fresh process, alternating which goes
 * first. Writes the `bench:nn` section of docs/benchmarks.md and bench/results/nn-<time>.json;
 * `--render <file>` re-renders a saved run. No targets: a report.
 */
const ROOT = path.resolve(BENCH_DIR, '..');
const PYTHON = path.join(BENCH_DIR, 'nn', '.venv', 'bin', 'python');
const TIME = '/usr/bin/time';
const CHILD_TIMEOUT_MS = 30 * 60_000;
const log = (message: string) => console.log(`[bench:nn] ${message}`);

interface RunRecord {
  run: number;
  side: NnSide;
  dataset: string;
  /** 1-minute load average when the process started */
  load1: number;
  peakRssKb: number;
  rssSource: '/usr/bin/time -v' | 'self-reported';
  result?: NnResult;
  error?: string;
}

interface NnReport {
  startedAt: string;
  runs: number;
  datasets: Array<{ name: string; trainRows: number; testRows: number; features: number }>;
  /** what both sides trained, per dataset (nn.settings.ts at the time) */
  settings: Record<string, NeuralNetworkParams>;
  machine: ReturnType<typeof hostFacts> & { tfjs: string; commit: string; dirty: number; loadBefore: number[]; loadAfter: number[] };
  records: RunRecord[];
}

function main(): void {
  const doc = path.join(ROOT, 'docs', 'benchmarks.md');
  if (process.argv[2] === '--render') {
    writeSection(doc, 'nn', render(JSON.parse(readFileSync(process.argv[3]!, 'utf8')) as NnReport));
    return;
  }
  const runs = Number(process.env.BENCH_RUNS ?? '3');
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`BENCH_RUNS must be a positive integer, got "${process.env.BENCH_RUNS}"`);
  const datasets = (process.env.BENCH_DATASETS ?? 'flights-1m,breast-cancer').split(',').map((d) => d.trim());
  datasets.forEach(nnParams); // an unknown dataset fails here, before any run
  const startedAt = new Date().toISOString();
  const loadBefore = os.loadavg();
  const records: RunRecord[] = [];
  for (let run = 1; run <= runs; run++) {
    const sides: NnSide[] = run % 2 === 1 ? ['ours', 'peer'] : ['peer', 'ours'];
    for (const dataset of datasets) for (const side of sides) records.push(runOne(run, side, dataset));
  }
  const report: NnReport = {
    startedAt,
    runs,
    datasets: datasets.map((name) => {
      const { features, splits } = readManifest(name);
      return { name, trainRows: splits.train.rows, testRows: splits.test.rows, features: features.length };
    }),
    settings: Object.fromEntries(datasets.map((name) => [name, nnParams(name)])),
    machine: {
      ...hostFacts(),
      tfjs: packageVersion('@tensorflow/tfjs'),
      commit: git(['rev-parse', '--short', 'HEAD']),
      dirty: git(['status', '--porcelain', '--', 'apps', 'libs', 'bench']).split('\n').filter(Boolean).length,
      loadBefore,
      loadAfter: os.loadavg(),
    },
    records,
  };
  mkdirSync(path.join(BENCH_DIR, 'results'), { recursive: true });
  const json = path.join(BENCH_DIR, 'results', `nn-${startedAt.replace(/[:.]/g, '-')}.json`);
  writeFileSync(json, JSON.stringify(report, null, 2) + '\n');
  writeSection(doc, 'nn', render(report));
  log(`raw results ${path.relative(ROOT, json)}; report docs/benchmarks.md`);
}

/** One side's run in a fresh process, under GNU time when there is one (peak RSS of the whole process). */
function runOne(run: number, side: NnSide, dataset: string): RunRecord {
  const command =
    side === 'ours'
      ? [process.execPath, '-r', '@swc-node/register', path.join(BENCH_DIR, 'nn', 'nn.runner.ts'), dataset]
      : [PYTHON, path.join(BENCH_DIR, 'nn', 'peers', 'mlp_peer.py'), dataset, JSON.stringify(nnParams(dataset))];
  const load1 = os.loadavg()[0]!;
  const timed = existsSync(TIME);
  const [file, ...args] = timed ? [TIME, '-v', ...command] : command;
  const child = spawnSync(file!, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: CHILD_TIMEOUT_MS });
  const line = (child.stdout ?? '').split('\n').find((l) => l.startsWith(RESULT_PREFIX));
  const result = line ? (JSON.parse(line.slice(RESULT_PREFIX.length)) as NnResult) : undefined;
  const timeRss = timed ? /Maximum resident set size \(kbytes\): (\d+)/.exec(child.stderr ?? '')?.[1] : undefined;
  const record: RunRecord = {
    run,
    side,
    dataset,
    load1,
    peakRssKb: timeRss ? Number(timeRss) : (result?.maxRssKb ?? NaN),
    rssSource: timeRss ? '/usr/bin/time -v' : 'self-reported',
    result,
    error: result
      ? undefined
      : `exit ${child.status ?? child.signal}: ${(child.stderr || String(child.error)).trim().split('\n').slice(-3).join(' | ')}`,
  };
  log(
    `run ${run} ${dataset} ${side}: ` +
      (result
        ? `train ${result.trainSeconds.toFixed(2)} s, AUC ${result.auc.toFixed(4)}, log loss ${result.logLoss.toFixed(4)}, ` +
          `${result.epochs} epochs, peak RSS ${(record.peakRssKb / 1024).toFixed(0)} MB (${result.engine})`
        : `failed, ${record.error}`),
  );
  return record;
}

const f = (n: number, digits: number) =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '—';
const mb = (kb: number) => `${f(kb / 1024, 0)} MB`;
const signed = (n: number) => (n >= 0 ? `+${f(n, 4)}` : `−${f(-n, 4)}`);

function render(report: NnReport): string {
  const { machine, records } = report;
  const loads = records.map((r) => r.load1);
  const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(' / ');
  const engine = (side: NnSide) => records.find((r) => r.side === side && r.result)?.result?.engine ?? '—';
  const failed = records.filter((r) => !r.result);
  return [
    `### Neural network results (generated ${report.startedAt.slice(0, 16).replace('T', ' ')} UTC — do not edit by hand)`,
    '',
    `Generated by \`npm run bench:nn\` with \`BENCH_RUNS=${report.runs}\`: ${report.runs === 1 ? 'one run' : `medians of ${report.runs} runs`}, each side a fresh process, alternating which goes first; ratios are ours / peer from the same invocation. Commit \`${machine.commit}\`${machine.dirty ? ` with ${machine.dirty} uncommitted files under apps/, libs/ or bench/` : ''}.`,
    '',
    `**Machine:** ${machine.nproc} CPUs (${machine.cpuModel}), ${machine.memoryGb} GB RAM, ${machine.kernel}; Node ${machine.node}, @tensorflow/tfjs ${machine.tfjs} (ours: ${engine('ours')}); peer: ${engine('peer')}.`,
    '',
    `**Load:** 1/5/15-minute load average ${load(machine.loadBefore)} before the runs, ${load(machine.loadAfter)} after; 1-minute load when each process started: median ${f(median(loads), 2)}, max ${f(Math.max(...loads), 2)}. A shared 2-core machine busy with other work: absolute times are noisy; the back-to-back ratios are the steadier figure.`,
    '',
    `**Network (both sides):** ${network(report)}`,
    '',
    '| dataset (train / test rows) | train s ours | train s peer | ours / peer (medians; per run min–max) | CPU s ours / peer | AUC ours | AUC peer | ours − peer | log loss ours | log loss peer | ours − peer | last-epoch train loss ours / peer | peak RSS ours / peer |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...report.datasets.map((d) =>
      summaryRow(
        d,
        records.filter((r) => r.dataset === d.name),
      ),
    ),
    '',
    "Train s: a monotonic clock around the training call only (our side after TF.js and its backend are loaded; scikit-learn: fitting the imputer, scaler and network). CPU s: the process's CPU time over the same interval (above train s = more than one core busy). Peak RSS: the whole process, data included" +
      `${records.every((r) => r.rssSource === '/usr/bin/time -v') ? ', from `/usr/bin/time -v`' : ' (self-reported where GNU time is missing)'}.`,
    ...(failed.length ? ['', `**Failed runs:** ${failed.map((r) => `run ${r.run} ${r.dataset} ${r.side} (${r.error})`).join('; ')}.`] : []),
    '',
    '<details><summary>Every run</summary>',
    '',
    '| run | dataset | side | train s | CPU s | AUC | log loss | epochs | last-epoch train loss | peak RSS | 1-min load at start |',
    '|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...records.map((r) => {
      const x = r.result;
      return x
        ? `| ${r.run} | ${r.dataset} | ${r.side} | ${f(x.trainSeconds, 2)} | ${f(x.trainCpuSeconds, 2)} | ${f(x.auc, 4)} | ${f(x.logLoss, 4)} | ${x.epochs} | ${f(x.finalTrainLoss, 4)} | ${mb(r.peakRssKb)} | ${f(r.load1, 2)} |`
        : `| ${r.run} | ${r.dataset} | ${r.side} | failed | | | | | | | ${f(r.load1, 2)} |`;
    }),
    '',
    '</details>',
    '',
  ].join('\n');
}

/** The settings in words: the network is the same for every dataset, the schedule is not. */
function network(report: NnReport): string {
  const [first] = Object.values(report.settings);
  if (!first) return '—';
  const layers = first.hiddenLayers.map((units) => `dense ${units} ${first.activation}`).join(' → ');
  const inputs = report.datasets.map((d) => `${d.features} (${d.name})`).join(' or ');
  const schedule = Object.entries(report.settings).map(([name, s]) => `${name}: ${s.epochs} epochs of batch ${s.batchSize}`);
  return (
    `${inputs} inputs → ${layers} → 1 sigmoid; Adam, learning rate ${first.learningRate}, L2 ${first.l2} (scikit-learn \`alpha\` = 2 · batch · l2), ` +
    `dropout ${first.dropout}, batch norm ${first.batchNorm ? 'on' : 'off'}, seed ${first.seed}, mini-batches reshuffled every epoch; inputs mean-imputed ` +
    `and standardised on the training rows. ${schedule.join('; ')}.`
  );
}

function summaryRow(dataset: NnReport['datasets'][number], records: RunRecord[]): string {
  const ok = (side: NnSide) => records.filter((r) => r.side === side && r.result);
  const med = (side: NnSide, pick: (r: NnResult) => number) => median(ok(side).map((r) => pick(r.result!)));
  const ours = (pick: (r: NnResult) => number) => med('ours', pick);
  const peer = (pick: (r: NnResult) => number) => med('peer', pick);
  const perRun = [...new Set(records.map((r) => r.run))].flatMap((run) => {
    const o = records.find((r) => r.run === run && r.side === 'ours')?.result;
    const p = records.find((r) => r.run === run && r.side === 'peer')?.result;
    return o && p ? [o.trainSeconds / p.trainSeconds] : [];
  });
  const time = (r: NnResult) => r.trainSeconds;
  const auc = (r: NnResult) => r.auc;
  const loss = (r: NnResult) => r.logLoss;
  const rss = (side: NnSide) => median(ok(side).map((r) => r.peakRssKb));
  return (
    `| ${dataset.name} (${f(dataset.trainRows, 0)} / ${f(dataset.testRows, 0)}) | ${f(ours(time), 2)} | ${f(peer(time), 2)} | ` +
    `**${f(ours(time) / peer(time), 2)}×** (${f(Math.min(...perRun), 2)}–${f(Math.max(...perRun), 2)}) | ` +
    `${f(
      ours((r) => r.trainCpuSeconds),
      1,
    )} / ${f(
      peer((r) => r.trainCpuSeconds),
      1,
    )} | ` +
    `${f(ours(auc), 4)} | ${f(peer(auc), 4)} | ${signed(ours(auc) - peer(auc))} | ` +
    `${f(ours(loss), 4)} | ${f(peer(loss), 4)} | ${signed(ours(loss) - peer(loss))} | ` +
    `${f(
      ours((r) => r.finalTrainLoss),
      4,
    )} / ${f(
      peer((r) => r.finalTrainLoss),
      4,
    )} | ${mb(rss('ours'))} / ${mb(rss('peer'))} |`
  );
}

try {
  main();
} catch (error: unknown) {
  console.error(error);
  process.exit(1);
}
