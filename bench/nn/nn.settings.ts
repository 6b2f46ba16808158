import type { NeuralNetworkParams } from '@atelier/ml';

/**
 * The one network both sides train (scikit-learn names in bench/nn/peers/mlp_peer.py): our
 * defaults for architecture, rate, L2 and seed — two relu layers of 32 and 16 units, no dropout,
 * no batch norm, Adam at 0.01, no L2 — with epochs and batch size per dataset, so that a run on
 * flights-1m takes under a minute a side on a busy 2-core machine (10 epochs: ours ≈ 40 s,
 * scikit-learn ≈ 16 s, measured 2026-12-04).
 */
export const NN_PARAMS = Object.freeze({
  task: 'binary',
  hiddenLayers: [32, 16],
  activation: 'relu',
  dropout: 0,
  batchNorm: false,
  learningRate: 0.01,
  l2: 0,
  seed: 42,
} satisfies Partial<NeuralNetworkParams>);

/** Epochs and batch size per dataset: flights-1m has 800,000 training rows, breast-cancer 455. */
export const NN_SCHEDULE: Readonly<Record<string, Pick<NeuralNetworkParams, 'epochs' | 'batchSize'>>> = Object.freeze({
  'flights-1m': { epochs: 10, batchSize: 1024 },
  'breast-cancer': { epochs: 20, batchSize: 32 },
});

export type NnSide = 'ours' | 'peer';

/** What one run prints on one stdout line, `BENCH_RESULT {json}` (bench-result.ts's prefix). */
export interface NnResult {
  side: NnSide;
  dataset: string;
  trainSeconds: number;
  /** CPU time (user + system) of the whole process during training: more than trainSeconds = more than one core */
  trainCpuSeconds: number;
  auc: number;
  logLoss: number;
  /** epochs actually run */
  epochs: number;
  /** the mean training loss of the last epoch, as the trainer reports it */
  finalTrainLoss: number;
  /** our TF.js backend, or the peer's engine and versions */
  engine: string;
  maxRssKb: number;
}

export function nnParams(dataset: string): NeuralNetworkParams {
  const schedule = NN_SCHEDULE[dataset];
  if (!schedule) throw new Error(`no epochs/batch size for dataset ${dataset} (NN_SCHEDULE in bench/nn/nn.settings.ts)`);
  return { ...NN_PARAMS, hiddenLayers: [...NN_PARAMS.hiddenLayers], ...schedule };
}
