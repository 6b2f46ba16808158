import type { ClassLabel, FeatureValue } from '@atelier/contracts';

import type { StoredPrediction } from './batch.repository';

/**
 * Predictions column by column, as a shard's commit and its Parquet row group read them: a
 * value array per field and one model, version and alias for all (a job has one of each). A
 * scored shard made three records a row (the prediction, its entities, its passthrough values),
 * all alive until its commit; a shard's column arrays are a few dozen objects whatever its size.
 */
export interface PredictionColumns {
  length: number;
  model: string;
  version: number;
  alias: string | null;
  predictionIds: readonly string[];
  /** the same ids' 16 bytes each, one after the other, when they were made here (`PredictionIds.block`) */
  predictionIdBytes?: Buffer;
  /** epoch milliseconds */
  eventTimes: ArrayLike<number>;
  /** each entity's keys, in the job's entity order (null: the row had none) */
  entities: ReadonlyArray<readonly [name: string, keys: ArrayLike<string | null>]>;
  /** NaN where a row has no prediction */
  prediction: ArrayLike<number>;
  label: ReadonlyArray<ClassLabel | null>;
  /** the class probabilities of the rows that name them (multi-class and named classes), null for the others */
  probabilities: ReadonlyArray<Record<string, number> | null>;
  /** the inputs each row lacked */
  missing: ReadonlyArray<readonly string[]>;
  /** the passthrough columns, in the job's order */
  columns: ReadonlyArray<readonly [name: string, values: ArrayLike<FeatureValue | undefined>]>;
}

/** A row's prediction as the API and the prediction log give it: null rather than NaN. */
export function predictionAt(p: PredictionColumns, row: number): number | null {
  const value = p.prediction[row]!;
  return Number.isNaN(value) ? null : value;
}

/** A row's entities as a record, without the ones it had no key for. */
export function entitiesAt(p: PredictionColumns, row: number): Record<string, string> {
  const entities: Record<string, string> = {};
  for (const [name, keys] of p.entities) {
    const key = keys[row];
    if (key !== null && key !== undefined) entities[name] = key;
  }
  return entities;
}

/**
 * Stored predictions (rows read back from the database, all of one job) as columns: entities and
 * passthrough columns are the names the first row has, or the layout's when given.
 */
export function predictionColumnsOf(
  rows: readonly StoredPrediction[],
  names?: { entities: string[]; passthrough: string[] },
): PredictionColumns {
  const first = rows[0];
  const entityNames = names?.entities ?? Object.keys(first?.entities ?? {});
  const passthrough = names?.passthrough ?? Object.keys(first?.columns ?? {});
  return {
    length: rows.length,
    model: first?.model ?? '',
    version: first?.version ?? 0,
    alias: first?.alias ?? null,
    predictionIds: rows.map((r) => r.predictionId),
    eventTimes: rows.map((r) => r.eventTime.getTime()),
    entities: entityNames.map((name) => [name, rows.map((r) => r.entities[name] ?? null)] as const),
    prediction: Float64Array.from(rows, (r) => r.prediction ?? NaN),
    label: rows.map((r) => r.label),
    probabilities: rows.map((r) => r.probabilities),
    missing: rows.map((r) => r.missing),
    columns: passthrough.map((name) => [name, rows.map((r) => r.columns[name] ?? null)] as const),
  };
}
