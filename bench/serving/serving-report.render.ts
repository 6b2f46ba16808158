import { existsSync, readFileSync, writeFileSync } from 'node:fs';

import type { HostFacts } from '../machine.facts';
import type { PhaseResult } from './load-result';
import type { Flight } from './platform.setup';
import { BATCH_ROWS, type ScenarioId, SCENARIOS } from './scenarios';

/** Everything one `npm run bench:serving` measured; also saved as bench/results/serving-<time>.json. */
export interface ServingReport {
  startedAt: string;
  finishedAt: string;
  settings: Settings;
  machine: MachineInfo;
  setup: {
    flightDelayVersion: number;
    requestOnly: { version: number; trainedNow: boolean; auc: number | null };
    flights: number;
    mlflowSampleRows: number;
    mlflowTrainAuc: number | null;
    /** times the platform had to be started again because something outside the benchmark stopped it */
    platformRestarts: number;
  };
  /** one flight through every server before the runs: the floor and the platform must agree */
  checks: { flight: Flight; platform: number | null; floor: number | null; requestOnly: number | null; mlflow: number | null };
  /**
   * after the runs, where each serving process ran each loaded model (`GET /api/serving/models`):
   * a model the load-time probe put on worker threads pays a thread hop a run (absent in reports
   * made before it was kept)
   */
  runners?: LoadedRunner[];
  records: ScenarioRecord[];
}

export interface LoadedRunner {
  model: string;
  version: number;
  runner: string;
  probeMs: number;
}

export interface Settings {
  runs: number;
  scenarios: ScenarioId[];
  durationSeconds: number;
  warmupSeconds: number;
  connections: number;
  rate: number;
  openConnections: number;
  batchRequests: number;
  mlflowWorkers: number;
  port: number;
}

export interface MachineInfo extends HostFacts {
  libraries: Record<string, string>;
  commit: string;
  /** uncommitted files under apps/ and libs/: the platform measured is the working tree */
  dirty: number;
  loadBefore: number[];
  loadAfter: number[];
}

/** (f): what the GBDT job was doing when the measurement ended. */
export interface TrainingDuring {
  jobId: string;
  statusAtEnd: string;
  progressAtEnd: number;
  cancelled: boolean;
}

export interface ScenarioRecord {
  run: number;
  scenario: ScenarioId;
  status: 'ok' | 'unavailable' | 'failed';
  detail?: string;
  closed?: PhaseResult;
  open?: PhaseResult;
  /** 1-minute load average when the scenario started */
  load1: number;
  training?: TrainingDuring;
}

/** a load generator using this share of a core or more is the limit of a closed loop, not the server */
const GENERATOR_BOUND = 0.85;

export const SERVING_START = '<!-- bench:serving:start -->';
export const SERVING_END = '<!-- bench:serving:end -->';

/** Medians over the runs of one scenario. */
interface Summary {
  id: ScenarioId;
  ok: ScenarioRecord[];
  other: ScenarioRecord[];
  closedRps?: number;
  closed?: Percentiles;
  closedErrors?: number;
  openRps?: number;
  open?: Percentiles;
  openErrors?: number;
  /** open loop answered below 95 % of the scheduled rate, or cut requests off: the server was saturated */
  saturated: boolean;
}

type Percentiles = { p50?: number; p99?: number; p999?: number };

/** Replaces the serving section of docs/benchmarks.md (appends it the first time). */
export function writeServingReport(file: string, report: ServingReport): void {
  const section = renderServingReport(report);
  const doc = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const start = doc.indexOf(SERVING_START);
  const end = doc.indexOf(SERVING_END);
  const next =
    start >= 0 && end > start ? doc.slice(0, start) + section + doc.slice(end + SERVING_END.length) : `${doc.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, next);
}

export function renderServingReport(report: ServingReport): string {
  const s = report.settings;
  const summaries = new Map(s.scenarios.map((id) => [id, summarise(id, report.records)]));
  return [
    SERVING_START,
    '',
    `### Serving results (generated ${report.finishedAt.slice(0, 16).replace('T', ' ')} UTC — do not edit by hand)`,
    '',
    header(report),
    '',
    '#### Targets',
    '',
    '| target | figure | met? |',
    '|---|---|---|',
    ...targetRows(summaries),
    '',
    '#### Scenarios',
    '',
    `Medians of ${s.runs} run${s.runs === 1 ? '' : 's'}. Closed loop: ${s.connections} connections, each sending its next request when the previous one ` +
      `is answered. Open loop: ${s.rate.toLocaleString('en-US')} requests/s scheduled (up to ${s.openConnections} connections), latency from the ` +
      'scheduled send time. Latencies in ms; errors are non-2xx answers, socket errors, timeouts and requests cut off, per phase.',
    '',
    '| | scenario | closed req/s | p50 | p99 | p99.9 | errors | open: achieved/s | p50 | p99 | p99.9 | errors |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...[...summaries.values()].map(scenarioRow),
    '',
    ...notes(report, summaries),
    '',
    '<details><summary>Every run</summary>',
    '',
    'CPU: cores used during the phase by the load generator and by the server under test (its whole process group: ' +
      'uvicorn for MLflow, training workers for the platform).',
    '',
    '| run | | mode | req/s (2xx) | p50 | p99 | p99.9 | max | errors | CPU generator / server | load (1 min) | note |',
    '|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|',
    ...report.records.flatMap(runRows),
    '',
    '</details>',
    '',
    SERVING_END,
  ].join('\n');
}

function header(report: ServingReport): string {
  const { settings: s, machine: m } = report;
  const libraries = Object.entries(m.libraries)
    .map(([name, version]) => `${name} ${version}`)
    .join(', ');
  const busy = m.loadBefore[0]! > 0.5 * m.nproc;
  return [
    `Generated by \`npm run bench:serving\` with \`BENCH_RUNS=${s.runs}\`, ${s.durationSeconds} s per phase after a ${s.warmupSeconds} s warm-up; ` +
      `scenarios ${s.scenarios.join(', ')}. One platform, started once from the working tree at commit \`${m.commit || 'unknown'}\`` +
      (m.dirty > 0 ? ` with ${m.dirty} uncommitted file${m.dirty === 1 ? '' : 's'} under \`apps/\` and \`libs/\`` : '') +
      (report.setup.platformRestarts > 0 ? `; it was stopped from outside and restarted ${report.setup.platformRestarts}×` : '') +
      '.',
    '',
    `**Machine:** ${m.nproc} CPUs (${m.cpuModel}), ${m.memoryGb} GB RAM, ${m.kernel}; Node ${m.node}; ${libraries}. ` +
      'The load generator, the servers, PostgreSQL, Redis and Kafka share these cores.',
    '',
    `**Load:** 1/5/15-minute load average ${fmtLoad(m.loadBefore)} before, ${fmtLoad(m.loadAfter)} after` +
      (busy ? ` — **the machine was busy with other work before the benchmark started**, so absolute figures are pessimistic.` : '.'),
  ].join('\n');
}

function summarise(id: ScenarioId, records: ScenarioRecord[]): Summary {
  const mine = records.filter((r) => r.scenario === id);
  const ok = mine.filter((r) => r.status === 'ok');
  const closed = ok.map((r) => r.closed).filter((p): p is PhaseResult => p !== undefined);
  const open = ok.map((r) => r.open).filter((p): p is PhaseResult => p !== undefined);
  const percentiles = (phases: PhaseResult[]): Percentiles | undefined =>
    phases.length === 0
      ? undefined
      : {
          p50: median(phases.map((p) => p.latencyMs.p50)),
          p99: median(phases.map((p) => p.latencyMs.p99)),
          p999: median(phases.map((p) => p.latencyMs.p999)),
        };
  return {
    id,
    ok,
    other: mine.filter((r) => r.status !== 'ok'),
    closedRps: median(closed.map((p) => p.okPerSecond)),
    closed: percentiles(closed),
    closedErrors: median(closed.map((p) => p.errors)),
    openRps: median(open.map((p) => p.okPerSecond)),
    open: percentiles(open),
    openErrors: median(open.map((p) => p.errors)),
    saturated: open.some((p) => p.cutOff > 0 || p.okPerSecond < 0.95 * (p.rate ?? 0)),
  };
}

/** The brief's targets, judged on medians of this invocation: a value on its runs' median, a ratio on the median of its runs' ratios. */
function targetRows(summaries: Map<ScenarioId, Summary>): string[] {
  const get = (id: ScenarioId) => summaries.get(id);
  const a = get('a');
  const b = get('b');
  const c = get('c');
  const d = get('d');
  const e = get('e');
  const f = get('f');
  const g = get('g');
  const untrained = (f?.ok ?? []).filter((r) => !trainedThroughout(r)).map((r) => r.run);
  return [
    ratioRow('(b) / (a) closed-loop req/s ≥ 0.5', [b, a], closedRps, 'req/s', (r) => r >= 0.5),
    valueRow('(b) open-loop p99 ≤ 5 ms', b?.open?.p99, (v) => v <= 5, [b]),
    ratioRow('(c) / (d) closed-loop req/s ≥ 20', [c, d], closedRps, 'req/s', (r) => r >= 20),
    valueRow('(e) open-loop p99 ≤ 2 ms', e?.open?.p99, (v) => v <= 2, [e]),
    valueRow(`(g) median latency of a 1,000-row batch ≤ 5 ms`, g?.closed?.p50, (v) => v <= 5, [g]),
    ratioRow(
      '(f) / (b) open-loop p99 ≤ 2',
      [f && { ...f, ok: f.ok.filter(trainedThroughout) }, b],
      openP99,
      'ms',
      (r) => r <= 2,
      untrained.length > 0 ? `runs ${untrained.join(', ')} left out: the GBDT had finished before their phases ended` : undefined,
    ),
  ];
}

function valueRow(target: string, value: number | undefined, met: (v: number) => boolean, needs: Array<Summary | undefined>): string {
  if (value === undefined || !Number.isFinite(value)) return `| ${target} | — | ${missing(needs)} |`;
  return `| ${target} | ${ms(value)} ms | ${met(value) ? '✅ met' : '❌ **missed**'} |`;
}

/**
 * A ratio target, judged on the median of each run's ratio (the two scenarios of one run measured
 * within minutes of each other, on the machine as it was then); the ratio of the two scenarios'
 * medians over all runs is shown beside it.
 */
function ratioRow(
  target: string,
  [top, bottom]: [Summary | undefined, Summary | undefined],
  value: (record: ScenarioRecord | undefined) => number | undefined,
  unit: string,
  met: (r: number) => boolean,
  leftOut?: string,
): string {
  if (!top || !bottom) return `| ${target} | — | ${missing([top, bottom])} |`;
  // each run's ratio, where both scenarios of the run have a value (the bottom one above 0)
  const runs = top.ok.flatMap((t) => {
    const over = value(t);
    const under = value(bottom.ok.find((b) => b.run === t.run));
    return over !== undefined && under !== undefined && under > 0 ? [over / under] : [];
  });
  const ratio = median(runs);
  if (ratio === undefined) return `| ${target} | — | ${leftOut ?? missing([top, bottom])} |`;
  const figure = (v: number | undefined) => (unit === 'ms' ? `${ms(v)} ms` : `${Math.round(v ?? NaN).toLocaleString('en-US')} ${unit}`);
  const [over, under] = [median(top.ok.map(value)), median(bottom.ok.map(value))];
  return (
    `| ${target} | median of the runs' ratios **${ratio.toFixed(2)}** (runs ${runs.map((r) => r.toFixed(2)).join(' / ')}); ` +
    `from the medians ${figure(over)} / ${figure(under)} = ${(over! / under!).toFixed(2)}` +
    `${leftOut ? ` (${leftOut})` : ''} | ` +
    `${met(ratio) ? '✅ met' : '❌ **missed**'} |`
  );
}

const closedRps = (record: ScenarioRecord | undefined) => record?.closed?.okPerSecond;
const openP99 = (record: ScenarioRecord | undefined) => record?.open?.latencyMs.p99;

/** (f) measured while the GBDT trained to the end of its phases (a job that finished earlier left part of them without it). */
function trainedThroughout(record: ScenarioRecord): boolean {
  return record.training?.cancelled === true;
}

/** Why a target has no figure: a scenario was not run, is not available yet, or failed. */
function missing(needs: Array<Summary | undefined>): string {
  if (needs.some((s) => s === undefined)) return 'not measured (scenario not selected)';
  const other = needs.flatMap((s) => s!.other)[0];
  if (!other) return 'not measured';
  return other.status === 'unavailable' ? escape(other.detail ?? 'not available') : `failed: ${escape(other.detail ?? '')}`;
}

function scenarioRow(s: Summary): string {
  const name = `${SCENARIOS[s.id].title}${s.ok.length > 0 && s.other.length > 0 ? ` (n = ${s.ok.length})` : ''}`;
  if (s.ok.length === 0) return `| ${s.id} | ${name} | ${escape(s.other[0]?.detail ?? 'no result')} ||||||||||`;
  const closed = s.closed
    ? [rps(s.closedRps), ms(s.closed.p50), ms(s.closed.p99), ms(s.closed.p999), count(s.closedErrors)]
    : ['', '', '', '', ''];
  const open = s.open
    ? [rps(s.openRps) + (s.saturated ? ' (saturated)' : ''), ms(s.open.p50), ms(s.open.p99), ms(s.open.p999), count(s.openErrors)]
    : ['—', '', '', '', ''];
  return `| ${s.id} | ${name} | ${[...closed, ...open].join(' | ')} |`;
}

function notes(report: ServingReport, summaries: Map<ScenarioId, Summary>): string[] {
  const { checks, setup, settings } = report;
  const lines = [
    '**What each scenario sends:**',
    '',
    ...[...summaries.keys()].map((id) => `- (${id}) ${SCENARIOS[id].what}.`),
    '',
    `Requests rotate over ${setup.flights} real flights (one from each of the busiest origins of the training slice), so Redis keys differ. ` +
      `\`flight-delay\` v${setup.flightDelayVersion}; \`request-only\` v${setup.requestOnly.version}` +
      (setup.requestOnly.auc === null ? '' : ` (validation AUC ${setup.requestOnly.auc.toFixed(4)})`) +
      (settings.scenarios.includes('d')
        ? `; the MLflow peer was fitted on ${setup.mlflowSampleRows.toLocaleString('en-US')} flights of the same slice` +
          (setup.mlflowTrainAuc === null ? '' : ` (AUC on them ${setup.mlflowTrainAuc.toFixed(4)})`) +
          `, served by \`mlflow models serve --env-manager local\` with ${settings.mlflowWorkers} uvicorn worker (MLflow's default)`
        : '') +
      '.',
    '',
    crossCheckSentence(checks),
    ...(report.runners ? ['', runnersSentence(report.runners)] : []),
  ];
  const f = summaries.get('f');
  if (f) {
    const states = f.ok.map((r) => (r.training ? `${r.training.statusAtEnd}${r.training.cancelled ? ', then cancelled' : ''}` : '?'));
    lines.push('', `**(f)** the GBDT job at the end of each run's measurement: ${states.join('; ') || '—'}.`);
  }
  const bound = [...summaries.values()].filter((x) => (median(x.ok.map((r) => r.closed?.cpu?.generator)) ?? 0) >= GENERATOR_BOUND);
  if (bound.length > 0) {
    lines.push(
      '',
      `**Generator-bound:** in the closed loop of ${bound.map((x) => `(${x.id})`).join(', ')} the load generator itself used ≥ ${GENERATOR_BOUND} of a core ` +
        `(median), on a ${report.machine.nproc}-core machine it shares with the server: those req/s are what this machine can drive, ` +
        'a lower bound on the server, and a ratio against them understates the gap.',
    );
  }
  const batch = summaries.get('g')?.closed?.p50;
  if (batch !== undefined)
    lines.push(
      '',
      `**(g)** ${ms(batch)} ms per ${BATCH_ROWS.toLocaleString('en-US')}-row request is ${((batch / BATCH_ROWS) * 1000).toFixed(1)} µs per row.`,
    );
  return lines;
}

function runnersSentence(runners: LoadedRunner[]): string {
  const byModel = new Map<string, LoadedRunner[]>();
  for (const r of runners) {
    const model = `\`${r.model}\` v${r.version}`;
    byModel.set(model, [...(byModel.get(model) ?? []), r]);
  }
  const each = [...byModel].map(
    ([model, loaded]) => `${model} ${loaded.map((r) => `${r.runner} (probe ${r.probeMs.toFixed(3)} ms)`).join(', ')}`,
  );
  return `**Runners** after the runs, one per serving process that had loaded the model (\`GET /api/serving/models\`): ${each.join('; ') || 'none loaded'}.`;
}

function crossCheckSentence(c: ServingReport['checks']): string {
  const flight = `${c.flight.airport}, ${c.flight.distance} miles, hour ${c.flight.hour}`;
  const agree =
    c.floor !== null && c.platform !== null
      ? Math.abs(c.floor - c.platform) < 1e-6
        ? `the floor and \`POST /api/predict\` agree (P = ${c.platform.toFixed(6)})`
        : `**the floor (${c.floor.toFixed(6)}) and \`POST /api/predict\` (${c.platform.toFixed(6)}) disagree**`
      : 'the floor was not cross-checked';
  const peers =
    c.requestOnly !== null && c.mlflow !== null
      ? `; \`request-only\` says ${c.requestOnly.toFixed(4)}, its MLflow peer ${c.mlflow.toFixed(4)}`
      : '';
  return `**Cross-check** (${flight}): ${agree}${peers}.`;
}

function runRows(r: ScenarioRecord): string[] {
  const label = `(${r.scenario})`;
  if (r.status !== 'ok') return [`| ${r.run} | ${label} | — | | | | | | | | ${r.load1.toFixed(2)} | ${escape(r.detail ?? r.status)} |`];
  const training = r.training ? `GBDT ${r.training.statusAtEnd} at the end${r.training.cancelled ? ', cancelled' : ''}` : '';
  return [r.closed, r.open]
    .filter((p): p is PhaseResult => p !== undefined)
    .map((p) => {
      const note = [
        p.mode === 'open' && p.sendLagMs ? `send lag p99 ${ms(p.sendLagMs.p99)} ms` : '',
        p.cutOff ? `${p.cutOff} cut off` : '',
        p.firstError ? escape(p.firstError.slice(0, 120)) : '',
        training,
        r.detail ?? '',
      ]
        .filter(Boolean)
        .join('; ');
      const l = p.latencyMs;
      const cpu = p.cpu ? `${p.cpu.generator.toFixed(2)} / ${p.cpu.server?.toFixed(2) ?? '?'}` : '';
      return `| ${r.run} | ${label} | ${p.mode} | ${rps(p.okPerSecond)} | ${ms(l.p50)} | ${ms(l.p99)} | ${ms(l.p999)} | ${ms(l.max)} | ${p.errors} | ${cpu} | ${r.load1.toFixed(2)} | ${note} |`;
    });
}

function median(values: Array<number | null | undefined>): number | undefined {
  const sorted = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v)).sort((x, y) => x - y);
  if (sorted.length === 0) return undefined;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function ms(value: number | null | undefined): string {
  if (value === undefined || value === null || !Number.isFinite(value)) return '';
  if (value < 10) return value.toFixed(2);
  if (value < 100) return value.toFixed(1);
  return Math.round(value).toLocaleString('en-US');
}

function rps(value: number | undefined): string {
  return value === undefined ? '' : Math.round(value).toLocaleString('en-US');
}

function count(value: number | undefined): string {
  return value === undefined ? '' : String(Math.round(value));
}

function fmtLoad(load: number[]): string {
  return load.map((l) => l.toFixed(2)).join(' / ');
}

function escape(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** `node -r @swc-node/register bench/serving/serving-report.render.ts bench/results/serving-<time>.json`: re-renders a saved run. */
if (require.main === module) {
  const [file, doc = 'docs/benchmarks.md'] = process.argv.slice(2);
  if (!file) throw new Error('usage: serving-report.render.ts bench/results/serving-<time>.json [docs/benchmarks.md]');
  writeServingReport(doc, JSON.parse(readFileSync(file, 'utf8')) as ServingReport);
}
