/** What one benchmark process reports, on one stdout line: `BENCH_RESULT {json}`. */
export type BenchModel = 'lr' | 'gbdt';
export type BenchSide = 'ours' | 'peer';

export interface BenchResult {
  side: BenchSide;
  dataset: string;
  model: BenchModel;
  /** `unavailable`: the trainer does not exist yet (our GBDT before it lands) */
  status: 'ok' | 'unavailable';
  detail?: string;
  trainSeconds?: number;
  auc?: number;
  logLoss?: number;
  /** the process's own peak RSS; bench.main prefers /usr/bin/time's measurement */
  maxRssKb?: number;
  params?: Record<string, unknown>;
}

export const RESULT_PREFIX = 'BENCH_RESULT ';

/**
 * The GBDT settings both sides use (LightGBM names in bench/peers/peer.py): LightGBM's defaults
 * for leaves, rate, leaf size, bins and L2, 100 rounds, no sampling and no early stopping.
 */
export const GBDT_PARAMS = Object.freeze({
  objective: 'binary',
  numIterations: 100,
  learningRate: 0.1,
  maxLeaves: 31,
  minDataInLeaf: 20,
  lambdaL2: 0,
  maxBins: 255,
  featureFraction: 1,
  baggingFraction: 1,
  seed: 42,
});

export function printResult(result: BenchResult): void {
  process.stdout.write(RESULT_PREFIX + JSON.stringify(result) + '\n');
}

export function parseResult(stdout: string): BenchResult | undefined {
  const line = stdout.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
  return line ? (JSON.parse(line.slice(RESULT_PREFIX.length)) as BenchResult) : undefined;
}
