import { performance } from 'node:perf_hooks';

import * as ml from '@atelier/ml';

import { readSplit } from './bench-data.io';
import { type BenchModel, type BenchResult, GBDT_PARAMS, printResult } from './bench-result';

/**
 * One benchmark run of Atelier's own trainer, in its own process:
 * `node -r @swc-node/register bench/ours.runner.ts <dataset> <lr|gbdt>`. Prints one
 * `BENCH_RESULT {json}` line. Only training is timed; loading and scoring are not.
 */

/** The GBDT API as announced; it is looked up at run time so this file works before it lands. */
interface GbdtApi {
  trainGbdt(dataset: ml.Dataset, params: Record<string, unknown>): unknown;
  predictGbdt(model: unknown, columns: Float64Array[]): ArrayLike<number>;
}

export function gbdtApi(): GbdtApi | undefined {
  const lib = ml as unknown as Partial<GbdtApi>;
  return 'trainGbdt' in ml && typeof lib.trainGbdt === 'function' && typeof lib.predictGbdt === 'function' ? (lib as GbdtApi) : undefined;
}

async function main(): Promise<void> {
  const [dataset, model] = process.argv.slice(2);
  if (!dataset || (model !== 'lr' && model !== 'gbdt')) throw new Error('usage: ours.runner.ts <dataset> <lr|gbdt>');
  const train = readSplit(dataset, 'train');
  const test = readSplit(dataset, 'test');
  printResult(model === 'lr' ? await logisticRegression(dataset, train, test) : await gbdt(dataset, train, test));
}

async function logisticRegression(dataset: string, train: ml.Dataset, test: ml.Dataset): Promise<BenchResult> {
  const params = { ...ml.DEFAULT_LOGISTIC_REGRESSION_PARAMS };
  // Adam runs on TF.js: load its backend before the clock starts, as per-process start-up, not training.
  if (params.solver === 'adam') await ml.selectTfBackend();
  let iterations = 0;
  const started = performance.now();
  const model = await ml.trainLogisticRegression(train, params, { onProgress: ({ epoch }) => (iterations = epoch) });
  const trainSeconds = (performance.now() - started) / 1000;
  const p = ml.predictProba(model, test.columns);
  return result(dataset, 'lr', 'ok', trainSeconds, test.label, p, { ...params, backend: model.backend, iterations });
}

async function gbdt(dataset: string, train: ml.Dataset, test: ml.Dataset): Promise<BenchResult> {
  const api = gbdtApi();
  if (!api)
    return {
      side: 'ours',
      dataset,
      model: 'gbdt',
      status: 'unavailable',
      detail: '@atelier/ml does not export trainGbdt yet',
      maxRssKb: maxRssKb(),
    };
  const params = { ...GBDT_PARAMS };
  const started = performance.now();
  const model = await api.trainGbdt(train, params);
  const trainSeconds = (performance.now() - started) / 1000;
  const p = Float64Array.from(api.predictGbdt(model, test.columns));
  return result(dataset, 'gbdt', 'ok', trainSeconds, test.label, p, params);
}

function result(
  dataset: string,
  model: BenchModel,
  status: 'ok',
  trainSeconds: number,
  y: Float64Array,
  p: Float64Array,
  params: Record<string, unknown>,
): BenchResult {
  if (p.length !== y.length) throw new Error(`${p.length} predictions for ${y.length} test rows`);
  return {
    side: 'ours',
    dataset,
    model,
    status,
    trainSeconds,
    auc: ml.rocAuc(y, p),
    logLoss: ml.logLoss(y, p),
    maxRssKb: maxRssKb(),
    params,
  };
}

function maxRssKb(): number {
  return process.resourceUsage().maxRSS; // kilobytes
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
