import { performance } from 'node:perf_hooks';

import { logLoss, predictNeuralNetwork, rocAuc, selectTfBackend, trainNeuralNetwork } from '@atelier/ml';

import { readSplit } from '../bench-data.io';
import { RESULT_PREFIX } from '../bench-result';
import { nnParams, type NnResult } from './nn.settings';

/**
 * One run of Atelier's `trainNeuralNetwork`, in its own process:
 * `node -r @swc-node/register bench/nn/nn.runner.ts <dataset>`. Prints one `BENCH_RESULT {json}`
 * line. Only training is timed: loading the data, the TF.js backend and scoring are not.
 */
async function main(): Promise<void> {
  const dataset = process.argv[2];
  if (!dataset) throw new Error('usage: nn.runner.ts <dataset>');
  const params = nnParams(dataset);
  const train = readSplit(dataset, 'train');
  const test = readSplit(dataset, 'test');
  // Loading TF.js and its backend is per-process start-up, not training: done before the clock.
  await selectTfBackend();
  let epochs = 0;
  let finalTrainLoss = NaN;
  const cpu = process.cpuUsage();
  const started = performance.now();
  const model = await trainNeuralNetwork(train, params, {
    onProgress: ({ epoch, loss }) => {
      epochs = epoch;
      finalTrainLoss = loss;
    },
  });
  const trainSeconds = (performance.now() - started) / 1000;
  const { user, system } = process.cpuUsage(cpu);
  const p = predictNeuralNetwork(model, test.columns);
  const result: NnResult = {
    side: 'ours',
    dataset,
    trainSeconds,
    trainCpuSeconds: (user + system) / 1e6,
    auc: rocAuc(test.label, p),
    logLoss: logLoss(test.label, p),
    epochs,
    finalTrainLoss,
    engine: `TF.js ${model.backend}`,
    maxRssKb: process.resourceUsage().maxRSS,
  };
  process.stdout.write(RESULT_PREFIX + JSON.stringify(result) + '\n');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
