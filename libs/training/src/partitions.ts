import type { PartitionEvaluation, TrainingRequest } from '@atelier/contracts';
import { type Dataset, selectRows } from '@atelier/ml';

import { train as trainModel, type Trained, type TrainingTarget } from './trainers';

/** One partition's model, trained on its rows only. */
export interface TrainedPartition {
  value: string;
  trained: Trained;
  trainRows: number[];
  validationRows: number[];
}

/**
 * The partitions that get a model of their own: the values of the column with at least
 * `minRows` training rows and at least one validation row (to be judged), the `maxPartitions`
 * largest (ties by value). `values[i]` is row i's value (null: missing), `isTrain[i]` its side.
 */
export function choosePartitions(values: ReadonlyArray<string | null>, isTrain: (row: number) => boolean, minRows: number, maxPartitions: number): string[] {
  return partitionCounts(values, isTrain)
    .filter(([, c]) => c.train >= minRows && c.validation > 0)
    .slice(0, maxPartitions)
    .map(([value]) => value);
}

/** Each value's training and validation rows, the most training rows first (ties by value). */
function partitionCounts(
  values: ReadonlyArray<string | null>,
  isTrain: (row: number) => boolean,
): Array<[string, { train: number; validation: number }]> {
  const counts = new Map<string, { train: number; validation: number }>();
  values.forEach((value, i) => {
    if (value === null) return;
    const c = counts.get(value) ?? { train: 0, validation: 0 };
    if (isTrain(i)) c.train++;
    else c.validation++;
    counts.set(value, c);
  });
  return [...counts].sort((a, b) => b[1].train - a[1].train || (a[0] < b[0] ? -1 : 1));
}

/**
 * Why no value of the partition column gets a model (none has `minRows` training rows and a
 * validation row), naming the value with the most training rows; `scale` turns counted rows into
 * the rows they stand for (a preview's sample), `estimated` says so.
 */
export function noPartitionReason(
  column: string,
  minRows: number,
  values: ReadonlyArray<string | null>,
  isTrain: (row: number) => boolean,
  { scale = 1, estimated = false } = {},
): string {
  const [largest] = partitionCounts(values, isTrain).filter(([, c]) => c.train > 0);
  const most = largest
    ? `the most: "${largest[0]}" with ${estimated ? 'about ' : ''}${Math.round(largest[1].train * scale)}`
    : `it has no value on any ${estimated ? 'sampled ' : ''}row`;
  return `no value of the partition column "${column}" has ${minRows} training rows (partition.minRows) and a validation row${estimated ? " in the sample's estimate" : ''} (${most})`;
}

/** The rows of one partition value, on each side of the time split. */
export function partitionRows(values: ReadonlyArray<string | null>, isTrain: (row: number) => boolean, value: string): { train: number[]; validation: number[] } {
  const rows = { train: [] as number[], validation: [] as number[] };
  values.forEach((v, i) => {
    if (v === value) (isTrain(i) ? rows.train : rows.validation).push(i);
  });
  return rows;
}

/** Trains one partition's model on its rows (given as datasets), wherever it is trained. */
export type PartitionTrainer = (value: string, index: number, trainSet: Dataset, validation: Dataset, signal: AbortSignal) => Promise<Trained>;

/**
 * Trains each chosen partition's model on the partition's training rows (its validation rows
 * as the trainer's validation set), with the request's model type and parameters — `concurrency`
 * at once through `trainOne` (e.g. jobs on the trials queue), in this process by default; the
 * result keeps the order of `chosen`. A partition whose model cannot be trained (e.g. one class
 * only) is left to the global model and reported.
 */
export async function trainPartitions(
  request: TrainingRequest,
  dataset: Dataset,
  values: ReadonlyArray<string | null>,
  isTrain: (row: number) => boolean,
  chosen: string[],
  target: TrainingTarget,
  signal: AbortSignal,
  report: (message: string) => Promise<void>,
  { trainOne, concurrency = 1 }: { trainOne?: PartitionTrainer; concurrency?: number } = {},
): Promise<TrainedPartition[]> {
  const train = trainOne ?? ((_value, _index, trainSet, validation, s) => trainModel(request, trainSet, validation, { signal: s }, target));
  const results: Array<TrainedPartition | Error> = [];
  let next = 0;
  const lane = async () => {
    while (next < chosen.length) {
      signal.throwIfAborted();
      const k = next++;
      const value = chosen[k]!;
      const rows = partitionRows(values, isTrain, value);
      try {
        const trained = await train(value, k, selectRows(dataset, rows.train), selectRows(dataset, rows.validation), signal);
        results[k] = { value, trained, trainRows: rows.train, validationRows: rows.validation };
      } catch (error) {
        if (signal.aborted) throw error;
        results[k] = error instanceof Error ? error : new Error(String(error));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, chosen.length)) }, lane));
  const out: TrainedPartition[] = [];
  for (const [k, result] of results.entries()) {
    if (result instanceof Error) await report(`partition ${chosen[k]}: not trained (${result.message}); the global model answers it`);
    else out.push(result);
  }
  return out;
}

/**
 * What serving answers for every row of `dataset`: the row's partition model's prediction, or
 * the global model's from `globalAll` (`perRow` values per row: 1, or the class count of a
 * multi-class model).
 */
export function routedPredictions(globalAll: Float64Array, dataset: Dataset, partitions: TrainedPartition[], perRow: number): Float64Array {
  const out = Float64Array.from(globalAll);
  for (const p of partitions) {
    const rows = [...p.trainRows, ...p.validationRows];
    const own = p.trained.predict(selectRows(dataset, rows).columns);
    rows.forEach((row, k) => out.set(own.subarray(k * perRow, (k + 1) * perRow), row * perRow));
  }
  return out;
}

/** The values of `all` at `rows`, `perRow` at a time. */
export function pickRows(all: Float64Array, rows: readonly number[], perRow: number): Float64Array {
  const out = new Float64Array(rows.length * perRow);
  rows.forEach((row, k) => out.set(all.subarray(row * perRow, (row + 1) * perRow), k * perRow));
  return out;
}

/**
 * The per-partition report: each partition's model against the global model on its validation
 * rows, from the predictions already made — `routed` (what serving answers: each partition's rows
 * by its own model) and `globalAll` (the global model on every row).
 */
export function partitionReport(
  partitions: TrainedPartition[],
  labels: Float64Array,
  routed: Float64Array,
  globalAll: Float64Array,
  perRow: number,
  evaluate: (y: Float64Array, p: Float64Array) => Record<string, number>,
  global: { trainRows: number; validationRows: number; metrics: Record<string, number> },
): PartitionEvaluation[] {
  const finite = (metrics: Record<string, number>) => Object.fromEntries(Object.entries(metrics).filter(([, v]) => Number.isFinite(v)));
  return [
    { value: null, trainRows: global.trainRows, validationRows: global.validationRows, metrics: finite(global.metrics), globalMetrics: finite(global.metrics) },
    ...partitions.map((p) => {
      const y = pickRows(labels, p.validationRows, 1);
      return {
        value: p.value,
        trainRows: p.trainRows.length,
        validationRows: p.validationRows.length,
        metrics: finite(evaluate(y, pickRows(routed, p.validationRows, perRow))),
        globalMetrics: finite(evaluate(y, pickRows(globalAll, p.validationRows, perRow))),
      };
    }),
  ];
}
