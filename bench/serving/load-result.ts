/** What one load-generator process reports, on one stdout line: `BENCH_RESULT {json}`. */
export type LoadMode = 'closed' | 'open';

export interface LatencySummary {
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

export interface PhaseResult {
  mode: LoadMode;
  /** closed loop: concurrent connections; open loop: the pool's connection limit */
  connections: number;
  /** open loop: the scheduled rate, requests per second */
  rate?: number;
  /** how long requests were sent, seconds (closed loop: until the last answer) */
  seconds: number;
  /** requests sent (open loop: scheduled) */
  requests: number;
  ok: number;
  /** non-2xx answers, socket errors, timeouts and requests cut off at the end */
  errors: number;
  /** open loop: requests still unanswered at the cut-off (counted in errors) */
  cutOff: number;
  /** answers per HTTP status; `0` = socket error or timeout */
  statuses: Record<string, number>;
  /** 2xx answers per second of the phase */
  okPerSecond: number;
  /** milliseconds; closed loop from send, open loop from the scheduled send time */
  latencyMs: LatencySummary;
  /** open loop: how late the generator itself sent each request after its intent (included in latencyMs) */
  sendLagMs?: LatencySummary;
  /** CPU used during the phase, in cores (CPU seconds / wall seconds): is the generator the limit? */
  cpu: { generator: number; server?: number };
  /** the first error seen, for the report */
  firstError?: string;
}

export interface LoadResult {
  url: string;
  bodies: number;
  warmupSeconds: number;
  phases: PhaseResult[];
}

export const RESULT_PREFIX = 'BENCH_RESULT ';

export function printResult(result: LoadResult): void {
  process.stdout.write(RESULT_PREFIX + JSON.stringify(result) + '\n');
}

export function parseResult(stdout: string): LoadResult | undefined {
  const line = stdout.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
  return line ? (JSON.parse(line.slice(RESULT_PREFIX.length)) as LoadResult) : undefined;
}

/** Nearest-rank percentiles of latencies in milliseconds (sorted in place). */
export function summarise(latencies: Float64Array): LatencySummary {
  if (latencies.length === 0) return { p50: NaN, p90: NaN, p99: NaN, p999: NaN, max: NaN, mean: NaN };
  latencies.sort();
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.max(0, Math.ceil(q * latencies.length) - 1))]!;
  const sum = latencies.reduce((s, v) => s + v, 0);
  return {
    p50: at(0.5),
    p90: at(0.9),
    p99: at(0.99),
    p999: at(0.999),
    max: latencies[latencies.length - 1]!,
    mean: sum / latencies.length,
  };
}
