import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { BASELINE_SAMPLE_SIZE } from '@atelier/contracts';
import { histogramBin, sampleDistances } from '@atelier/ml';
import { featureDrift, populationStabilityIndex, type PsiSmoothing } from '@atelier/monitoring';
import { numericBaseline } from '@atelier/training';

import { git, hostFacts } from '../machine.facts';
import { median, writeSection } from '../report.sections';

/**
 * The drift half of `npm run bench:monitoring`: drift of 100 numeric features over a window of
 * 100,000 predictions, Atelier's monitoring computation against Evidently's drift report (PSI and
 * KS per column) on the same data, each run in the same invocation; medians of `BENCH_RUNS`.
 *
 * Atelier compares live values with the serving version's training baseline (made once, when the
 * version is trained: a histogram and 2,000 order statistics per input), so its timed part is
 * what a monitor's evaluation does: PSI, Jensen–Shannon, KS and Wasserstein of each input.
 * Evidently reads the raw reference each time. The values are compared as far as they are the
 * same quantity: the KS statistic (SciPy's, exact) and PSI on Evidently's own bins.
 */
const ROOT = path.resolve(__dirname, '..', '..');
const DATA = path.join(ROOT, 'bench', '.data', 'drift');
const PYTHON = path.join(ROOT, 'bench', 'monitoring', '.venv', 'bin', 'python');
const PEER = path.join(ROOT, 'bench', 'monitoring', 'peers', 'evidently_drift.py');
const ROWS = Number(process.env.BENCH_DRIFT_ROWS ?? '100000');
const FEATURES = Number(process.env.BENCH_DRIFT_FEATURES ?? '100');
/** timed repetitions of our computation per run (its median is the run's figure) */
const REPEATS = 5;
const log = (message: string) => console.log(`[bench:monitoring] ${message}`);

interface PeerAnswer {
  seconds: number;
  columns: Array<{ name: string; psi: number; ksPValue: number; ksStatistic: number }>;
}

interface RunRecord {
  run: number;
  oursSeconds: number;
  evidentlySeconds: number;
  /** our KS statistic over the whole reference against SciPy's: the largest difference */
  ksExactMaxDiff: number;
  /** the monitoring KS (against the baseline's 2,000 order statistics) against SciPy's */
  ksBaselineMaxDiff: number;
  /** our PSI on Evidently's bins against Evidently's PSI: with the platform's smoothing (shares floored at 10⁻⁴) */
  psiMaxDiff: number;
  psiMaxRelDiff: number;
  /** the same with Evidently's smoothing of empty bins (`populationStabilityIndex(…, 'zeros')`); absent in older results */
  psiSameSmoothingMaxDiff?: number;
  psiSameSmoothingMaxRelDiff?: number;
  driftedByPsi: { ours: number; evidently: number };
}

async function main(): Promise<void> {
  if (process.argv[2] === '--render') {
    writeSection(
      path.join(ROOT, 'docs', 'benchmarks.md'),
      'drift',
      render(JSON.parse(readFileSync(process.argv[3]!, 'utf8')) as Parameters<typeof render>[0]),
    );
    return;
  }
  const runs = Number(process.env.BENCH_RUNS ?? '3');
  mkdirSync(DATA, { recursive: true });
  const { reference, current } = generate(ROWS, FEATURES);
  const files = { reference: path.join(DATA, 'reference.f64'), current: path.join(DATA, 'current.f64') };
  writeColumns(files.reference, reference);
  writeColumns(files.current, current);
  const started = performance.now();
  const baselines = reference.map((column, j) => numericBaseline(`f${j}`, column));
  const baselineSeconds = (performance.now() - started) / 1000;
  // what the monitoring service has in hand for a window: each input's values as read from the stored predictions
  const live = current.map((column) => Array.from(column) as unknown[]);
  const startedAt = new Date().toISOString();
  const loadBefore = os.loadavg();
  const records: RunRecord[] = [];
  for (let run = 1; run <= runs; run++) {
    const times: number[] = [];
    let drift = baselines.map((b, j) => featureDrift(b, live[j]!));
    for (let r = 0; r < REPEATS; r++) {
      const t0 = performance.now();
      drift = baselines.map((b, j) => featureDrift(b, live[j]!));
      times.push((performance.now() - t0) / 1000);
    }
    const peer = await evidently(files);
    const psiOurs = peer.columns.map((_, j) => psiOnEvidentlyBins(reference[j]!, current[j]!, 'floor'));
    const psiZeros = peer.columns.map((_, j) => psiOnEvidentlyBins(reference[j]!, current[j]!, 'zeros'));
    const ksExact = reference.map((column, j) => sampleDistances(column, current[j]!).ks!);
    const record: RunRecord = {
      run,
      oursSeconds: median(times),
      evidentlySeconds: peer.seconds,
      ksExactMaxDiff: Math.max(...peer.columns.map((c, j) => Math.abs(ksExact[j]! - c.ksStatistic))),
      ksBaselineMaxDiff: Math.max(...peer.columns.map((c, j) => Math.abs(drift[j]!.ks! - c.ksStatistic))),
      psiMaxDiff: Math.max(...peer.columns.map((c, j) => Math.abs(psiOurs[j]! - c.psi))),
      psiMaxRelDiff: Math.max(...peer.columns.map((c, j) => Math.abs(psiOurs[j]! - c.psi) / Math.max(Math.abs(c.psi), 1e-12))),
      psiSameSmoothingMaxDiff: Math.max(...peer.columns.map((c, j) => Math.abs(psiZeros[j]! - c.psi))),
      psiSameSmoothingMaxRelDiff: Math.max(
        ...peer.columns.map((c, j) => Math.abs(psiZeros[j]! - c.psi) / Math.max(Math.abs(c.psi), 1e-12)),
      ),
      driftedByPsi: { ours: drift.filter((d) => (d.psi ?? 0) >= 0.1).length, evidently: peer.columns.filter((c) => c.psi >= 0.1).length },
    };
    records.push(record);
    log(
      `drift run ${run}: ours ${(record.oursSeconds * 1000).toFixed(0)} ms, Evidently ${record.evidentlySeconds.toFixed(1)} s (${(record.evidentlySeconds / record.oursSeconds).toFixed(0)}x); KS vs SciPy max |Δ| ${record.ksExactMaxDiff.toExponential(1)} (whole reference), ${record.ksBaselineMaxDiff.toExponential(1)} (baseline); PSI vs Evidently max |Δ| ${record.psiSameSmoothingMaxDiff!.toExponential(1)} (same smoothing), ${record.psiMaxDiff.toExponential(1)} (ours)`,
    );
  }
  const report = {
    startedAt,
    rows: ROWS,
    features: FEATURES,
    baselineSeconds,
    machine: {
      ...hostFacts(),
      evidently: peerVersion('evidently'),
      commit: git(['rev-parse', '--short', 'HEAD']),
      dirty: git(['status', '--porcelain', '--', 'apps', 'libs', 'bench']).split('\n').filter(Boolean).length,
      loadBefore,
      loadAfter: os.loadavg(),
      node: process.version,
      pandas: peerVersion('pandas'),
    },
    records,
  };
  const json = path.join(ROOT, 'bench', 'results', `drift-${startedAt.replace(/[:.]/g, '-')}.json`);
  writeFileSync(json, JSON.stringify(report, null, 2) + '\n');
  writeSection(path.join(ROOT, 'docs', 'benchmarks.md'), 'drift', render(report));
  log(`raw results ${path.relative(ROOT, json)}; report docs/benchmarks.md`);
}

/**
 * 100 inputs of 100,000 rows, seeded: normal, log-normal and uniform shapes with their own
 * scales; in the current window a fifth of them shifted (0.05 to 0.5 of their spread) and a tenth
 * wider, the rest from the same distribution.
 */
function generate(rows: number, features: number): { reference: Float64Array[]; current: Float64Array[] } {
  let state = 20261204;
  const uniform = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
  const draw = (j: number, shift: number, widen: number) => {
    const z = normal() * widen + shift;
    return j % 3 === 0 ? 10 * j + 5 * z : j % 3 === 1 ? Math.exp(0.5 * z) : 100 * (0.5 + 0.29 * Math.tanh(z));
  };
  const reference = Array.from({ length: features }, (_, j) => Float64Array.from({ length: rows }, () => draw(j, 0, 1)));
  const current = Array.from({ length: features }, (_, j) => {
    const shift = j % 5 === 0 ? 0.05 + (0.45 * (j % 10)) / 10 : 0;
    const widen = j % 10 === 3 ? 1.3 : 1;
    return Float64Array.from({ length: rows }, () => draw(j, shift, widen));
  });
  return { reference, current };
}

/** Our PSI with the bins Evidently draws: NumPy's Sturges edges over both samples together. */
function psiOnEvidentlyBins(reference: Float64Array, current: Float64Array, smoothing: PsiSmoothing): number {
  let min = Infinity;
  let max = -Infinity;
  for (const column of [reference, current]) {
    for (const v of column) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  const bins = Math.ceil(Math.log2(reference.length + current.length) + 1);
  // numpy.linspace: i · step + start, the last edge exactly the end
  const step = (max - min) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, i) => (i === bins ? max : i * step + min));
  const counts = new Array<number>(bins).fill(0);
  for (const v of reference) counts[histogramBin(edges, v)]!++;
  return populationStabilityIndex({ edges, counts }, current, smoothing)!;
}

function writeColumns(file: string, columns: Float64Array[]): void {
  const out = Buffer.alloc(columns.length * columns[0]!.length * 8);
  columns.forEach((column, j) => Buffer.from(column.buffer, column.byteOffset, column.byteLength).copy(out, j * column.byteLength));
  writeFileSync(file, out);
}

async function evidently(files: { reference: string; current: string }): Promise<PeerAnswer> {
  const { stdout } = await promisify(execFile)(PYTHON, [PEER, files.reference, files.current, String(ROWS), String(FEATURES)], {
    maxBuffer: 64 * 1024 * 1024,
    timeout: 15 * 60_000,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as PeerAnswer;
}

function peerVersion(name: string): string {
  try {
    const text = readFileSync(path.join(ROOT, 'bench', 'monitoring', 'requirements.txt'), 'utf8');
    return new RegExp(`^${name}==(\\S+)`, 'm').exec(text)?.[1] ?? '';
  } catch {
    return '';
  }
}

function render(report: {
  startedAt: string;
  rows: number;
  features: number;
  baselineSeconds: number;
  machine: ReturnType<typeof hostFacts> & {
    evidently: string;
    pandas: string;
    commit: string;
    dirty: number;
    loadBefore: number[];
    loadAfter: number[];
  };
  records: RunRecord[];
}): string {
  const { records, machine } = report;
  const med = (pick: (r: RunRecord) => number) => median(records.map(pick));
  const ours = med((r) => r.oursSeconds);
  const theirs = med((r) => r.evidentlySeconds);
  const ratio = med((r) => r.evidentlySeconds / r.oursSeconds);
  const f = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  const e = (n: number) => n.toExponential(1);
  const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(' / ');
  const worst = (pick: (r: RunRecord) => number) => Math.max(...records.map(pick));
  return [
    `### Drift results (generated ${report.startedAt.slice(0, 16).replace('T', ' ')} UTC — do not edit by hand)`,
    '',
    `Generated by \`npm run bench:monitoring\` with \`BENCH_RUNS=${records.length}\`: ${f(report.features)} numeric inputs, a reference and a live window of ${f(report.rows)} rows each. Commit \`${machine.commit}\`${machine.dirty ? ` with ${machine.dirty} uncommitted files under apps/, libs/ or bench/` : ''}.`,
    '',
    `**Machine:** ${machine.nproc} CPUs (${machine.cpuModel}), ${machine.memoryGb} GB RAM; Node ${machine.node}; Evidently ${machine.evidently}, pandas ${machine.pandas}. Load average (1/5/15 min) ${load(machine.loadBefore)} before, ${load(machine.loadAfter)} after.`,
    '',
    '| target | figure (medians) | met? |',
    '|---|---|---|',
    `| drift ≥ 100x faster than Evidently | Atelier ${f(ours * 1000)} ms (PSI, JS, KS, Wasserstein of ${report.features} inputs), Evidently ${f(theirs, 1)} s (PSI and KS) = **${f(ratio)}x** | ${ratio >= 100 ? '✅ met' : '❌ **missed**'} |`,
    `| the same KS values | KS statistic over the whole reference vs SciPy's \`ks_2samp\`: max \\|Δ\\| ${e(worst((r) => r.ksExactMaxDiff))}; as monitoring computes it (against the baseline's ${BASELINE_SAMPLE_SIZE.toLocaleString('en-US')} order statistics): max \\|Δ\\| ${e(worst((r) => r.ksBaselineMaxDiff))}. Evidently reports KS as a p-value only; Atelier reports the statistic | ${worst((r) => r.ksExactMaxDiff) <= 1e-9 ? 'statistic ✅, p-value not produced' : '❌'} |`,
    `| the same PSI values | \`populationStabilityIndex\` on Evidently's bins (Sturges over both samples) vs Evidently's PSI, with Evidently's smoothing of empty bins (\`'zeros'\`: only an empty bin changes, to 10⁻⁴ or the least share / 10⁶): max \\|Δ\\| ${e(worst((r) => r.psiSameSmoothingMaxDiff ?? NaN))} (relative ${e(worst((r) => r.psiSameSmoothingMaxRelDiff ?? NaN))}); with the platform's smoothing (\`'floor'\`, every share below 10⁻⁴ counted as 10⁻⁴, which monitoring uses): max \\|Δ\\| ${e(worst((r) => r.psiMaxDiff))} (relative ${e(worst((r) => r.psiMaxRelDiff))}). Monitoring itself bins on the training baseline's quantile bins | ${worst((r) => r.psiSameSmoothingMaxRelDiff ?? Infinity) <= 1e-9 ? '✅ (same smoothing)' : '≈ (see figure)'} |`,
    '',
    `Atelier's baselines (made once per version, at training) took ${f(report.baselineSeconds, 2)} s for the ${report.features} inputs; not in the timed part.`,
    '',
    '| run | Atelier ms | Evidently s | ratio | KS max \\|Δ\\| (whole reference) | KS max \\|Δ\\| (baseline) | PSI max \\|Δ\\| | inputs with PSI ≥ 0.1 (ours / Evidently) |',
    '|---:|---:|---:|---:|---:|---:|---:|---|',
    ...records.map(
      (r) =>
        `| ${r.run} | ${f(r.oursSeconds * 1000)} | ${f(r.evidentlySeconds, 1)} | ${f(r.evidentlySeconds / r.oursSeconds)} | ${e(r.ksExactMaxDiff)} | ${e(r.ksBaselineMaxDiff)} | ${e(r.psiMaxDiff)} | ${r.driftedByPsi.ours} / ${r.driftedByPsi.evidently} |`,
    ),
    '',
  ].join('\n');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
