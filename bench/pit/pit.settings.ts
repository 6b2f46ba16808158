import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import type { TrainingSetRequest } from '@atelier/contracts';
import { demoTrainingRequest } from '@atelier/demo';

import { median } from '../report.sections';

/**
 * What both sides of `npm run bench:pit` join: the training set of the demo's `flight-delay`
 * (libs/demo `demoTrainingRequest`) over the demo seed's month, as the training worker asks the
 * feature store for it. One process per side and run prints one `BENCH_RESULT {json}` line and
 * writes its answer as float64 columns for the orchestrator to compare.
 */
export const PIT_WINDOW = { start: '2001-01-01T00:00:00Z', validationStart: '2001-01-22T00:00:00Z', end: '2001-02-01T00:00:00Z' };

const demo = demoTrainingRequest(PIT_WINDOW);

export const PIT_REQUEST: TrainingSetRequest = {
  source: { group: demo.source.group, start: PIT_WINDOW.start, end: PIT_WINDOW.end },
  joinKeys: demo.joinKeys ?? {},
  features: demo.features ?? [],
  // what the worker's planDataset passes through: the request features (distance, hour), the
  // label's input (delay > 15) and the transform's (log1p(distance))
  columns: ['distance', 'hour', 'delay'],
};

export const PIT_DATA = path.resolve(__dirname, '..', '.data', 'pit');
export const BENCH_DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgresql://atelier:atelier@127.0.0.1:5432/atelier_bench';

export type PitSide = 'ours' | 'duckdb';

export interface PitResult {
  side: PitSide;
  /** e.g. `TrainingSetService.build, Node v20` or `DuckDB v1.x, 2 threads` */
  engine: string;
  labelRows: number;
  featureRows: number;
  ttlSeconds: number;
  /** per feature ref: label rows without a value within the TTL */
  misses: Record<string, number>;
  /** the end-to-end figure: from PostgreSQL to the joined columns */
  totalSeconds: number;
  /** of it, reading PostgreSQL (ours: inside the repository's calls) */
  readSeconds: number;
  /** of it, loading the read rows into DuckDB tables (DuckDB only; 0 for ours) */
  loadSeconds: number;
  /** the join alone, on rows already in memory: the median of `joinRepeats` further executions */
  joinSeconds: number;
  /** every execution of the join alone, seconds */
  joinRepeats: number[];
  /** process CPU time over the end-to-end part and over the join alone (above wall time: more than one core) */
  totalCpuSeconds: number;
  joinCpuSeconds: number;
  peakRssKb: number;
  /** the answer as columns (`outputNames`), one float64 file each in `outputDir`, NaN for null */
  outputDir: string;
  outputNames: string[];
}

export const RESULT_PREFIX = 'BENCH_RESULT ';

export function printResult(result: PitResult): void {
  process.stdout.write(RESULT_PREFIX + JSON.stringify(result) + '\n');
}

/**
 * The answer's columns in one order for both sides: event times, the passed-through columns,
 * each feature's value and each feature's event time (`<ref>@time`).
 */
export function outputNames(request: TrainingSetRequest): string[] {
  return ['eventTime', ...request.columns, ...request.features, ...request.features.map((f) => `${f}@time`)];
}

/** Writes numeric columns as raw little-endian float64 (NaN = null); a string value is an error. */
export function writeColumns(dir: string, names: string[], column: (name: string) => ArrayLike<number | string | null>): void {
  mkdirSync(dir, { recursive: true });
  names.forEach((name, k) => {
    const values = column(name);
    const out = new Float64Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (typeof v === 'string') throw new Error(`column ${name} holds a string (${v}): the comparison is numeric`);
      out[i] = v === null || v === undefined ? NaN : v;
    }
    writeFileSync(path.join(dir, `${k}.f64`), new Uint8Array(out.buffer));
  });
}

export function readColumn(dir: string, k: number): Float64Array {
  const bytes = readFileSync(path.join(dir, `${k}.f64`));
  const out = new Float64Array(bytes.byteLength / 8);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

/** Peak RSS of this process so far, in kB (Linux reports ru_maxrss in kB). */
export function peakRssKb(): number {
  return process.resourceUsage().maxRSS;
}

/** How often each side runs the join alone after its end-to-end run (`BENCH_JOIN_REPEATS`, default 3). */
export const JOIN_REPEATS = Number(process.env.BENCH_JOIN_REPEATS ?? '3');

/**
 * `join` run `JOIN_REPEATS` times, `prepare` untimed before each: the median wall and CPU
 * seconds, every run's seconds, and the last answer.
 */
export async function timeJoin<T>(join: () => Promise<T>, prepare: () => Promise<unknown> = () => Promise.resolve()) {
  const seconds: number[] = [];
  const cpu: number[] = [];
  let result: T | undefined;
  for (let i = 0; i < Math.max(1, JOIN_REPEATS); i++) {
    await prepare();
    const usage = process.cpuUsage();
    const t = performance.now();
    result = await join();
    seconds.push((performance.now() - t) / 1000);
    cpu.push(cpuSeconds(usage));
  }
  return { seconds: median(seconds), cpuSeconds: median(cpu), repeats: seconds, result: result! };
}

export const cpuSeconds = (since: NodeJS.CpuUsage): number => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6;
};
