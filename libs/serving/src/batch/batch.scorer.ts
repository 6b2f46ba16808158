import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Counter } from 'prom-client';

import type { BatchSource, PredictionEvent } from '@atelier/contracts';
import { MetricsService } from '@atelier/server';

import { ModelCache, type ServedModel } from '../model-cache';
import { PredictionService } from '../prediction.service';
import { predictionIds } from '../prediction-id';
import { PredictionLog } from '../prediction-log';
import { shardOutput } from './batch.output';
import { BatchRepository, type BatchShardRow, type StoredRequest } from './batch.repository';
import { BATCH_ROWS, type BatchRows } from './batch-rows';
import { entitiesAt, predictionAt, type PredictionColumns } from './prediction-columns';

/**
 * Scores one shard of a batch job: its rows with the model's online features joined
 * point-in-time (the feature store's training-set join), the transforms and the model as online,
 * then every prediction committed with the shard in one transaction. A shard done already, or of
 * a job that ended, commits nothing: a retried or taken-over shard never scores a row twice.
 */
@Injectable()
export class BatchShardScorer {
  private readonly logger = new Logger('batch');
  private readonly scoredRows: Counter<string>;

  constructor(
    private readonly repository: BatchRepository,
    private readonly cache: ModelCache,
    private readonly predictions: PredictionService,
    private readonly log: PredictionLog,
    @Inject(BATCH_ROWS) private readonly rows: BatchRows,
    metrics: MetricsService,
  ) {
    this.scoredRows = metrics.counter('atelier_batch_rows_total', 'Rows scored by batch jobs', ['model', 'version']);
  }

  async score(jobId: string, shard: number): Promise<void> {
    const started = performance.now();
    const job = await this.repository.find(jobId);
    if (!job || (job.status !== 'queued' && job.status !== 'running')) return;
    const part = await this.repository.shard(jobId, shard);
    if (!part || part.status === 'done') return;
    await this.repository.start(jobId, shard);

    const request = job.request as unknown as StoredRequest;
    const served = await this.cache.byVersion(job.modelName, job.version);
    const rows =
      'file' in request.source
        ? await this.fileShard(served, jobId, shard, job.createdAt, request)
        : await this.groupShard(served, part, request);
    const read = performance.now();
    const scored = await this.predictions.scoreColumns(served, rows.times.length, rows.input);
    const ran = performance.now();

    const { model, version } = served.detail;
    const ids = predictionIds.block(rows.times.length);
    const predictions: PredictionColumns = {
      length: rows.times.length,
      model,
      version,
      alias: job.alias,
      predictionIds: ids.ids,
      predictionIdBytes: ids.bytes,
      eventTimes: rows.times,
      entities: rows.entities,
      prediction: scored.prediction,
      label: scored.label,
      probabilities: scored.probabilities,
      // read only: the rows with nothing missing share one empty array
      missing: scored.missing,
      columns: rows.columns,
    };
    const tagged = performance.now();
    // the shard's part of the output file, when its job settled the file's columns (every job since they are kept)
    const output = request.output ? shardOutput(request.output, predictions) : null;
    const encoded = performance.now();
    const result = await this.repository.commitShard(jobId, shard, predictions, output);
    if (result !== 'committed') {
      this.logger.log({ msg: 'batch shard not committed', jobId, shard, reason: result });
      return;
    }
    this.scoredRows.inc({ model, version: String(version) }, predictions.length);
    if (request.publish) {
      const events: PredictionEvent[] = [];
      for (let i = 0; i < predictions.length; i++)
        if (predictionAt(predictions, i) !== null) events.push(predictionEvent(predictions, i, scored.inputsOf(i)));
      this.log.record(events);
    }
    const ms = (from: number, to: number) => Math.round(to - from);
    const end = performance.now();
    this.logger.log({
      msg: 'batch shard scored',
      // which of a machine's processes (SERVING_PROCESSES) took it
      pid: process.pid,
      jobId,
      shard,
      rows: predictions.length,
      ms: ms(started, end),
      // where the time went: reading and joining the rows, the model, tagging, the Parquet row group, the commit
      phases: {
        read: ms(started, read),
        score: ms(read, ran),
        tag: ms(ran, tagged),
        encode: ms(tagged, encoded),
        commit: ms(encoded, end),
      },
    });
  }

  /** A window of a group: its rows with the model's features joined as of each, by the feature store. */
  private async groupShard(served: ServedModel, part: BatchShardRow, request: StoredRequest): Promise<ShardRows> {
    const { plan } = served;
    const source = request.source as BatchSource;
    const keyColumns = Object.entries(request.joinKeys);
    const set = await this.rows.rows({
      source: { group: source.group, start: part.start.toISOString(), end: part.end.toISOString() },
      joinKeys: request.joinKeys,
      features: [...new Set(plan.features.map(refOf))],
      columns: [...new Set([...plan.requestInputs.map((i) => i.name), ...keyColumns.map(([, column]) => column), ...request.passthrough])],
    });
    // the model's inputs are the set's columns: features by their reference, request values by name
    const byInput = new Map<string, ArrayLike<unknown>>();
    for (const slot of plan.features) {
      const values = set.columns[refOf(slot)];
      if (values) byInput.set(slot.input, values);
    }
    for (const input of plan.requestInputs) {
      const values = set.columns[input.name];
      if (values) byInput.set(input.name, values);
    }
    return {
      input: (name) => byInput.get(name),
      entities: keyColumns.map(([entity, column]) => [entity, keysOf(set.columns[column], set.rowCount)] as const),
      times: set.eventTimes,
      columns: request.passthrough.map((name) => [name, set.columns[name] ?? new Array<null>(set.rowCount).fill(null)] as const),
    };
  }

  /**
   * A shard of a file, as the upload read it: the features it lacks are joined from the offline
   * store as of each row's time (a row without one is scored as of when the job was created).
   */
  private async fileShard(served: ServedModel, jobId: string, shard: number, created: Date, request: StoredRequest): Promise<ShardRows> {
    const file = await this.repository.fileRows(jobId, shard);
    const joined = served.plan.features.filter((f) => !(f.input in (file[0]?.inputs ?? {})));
    const times = file.map((r) => r.time ?? created.getTime());
    if (joined.length > 0 && file.length > 0) {
      const entities = Object.fromEntries(
        Object.keys(request.joinKeys).map((entity) => [entity, file.map((r) => r.entities[entity] ?? null)]),
      );
      const found = await this.rows.lookup({
        features: [...new Set(joined.map(refOf))],
        entities,
        times: times.map((t) => new Date(t).toISOString()),
      });
      file.forEach((r, i) => {
        for (const slot of joined) r.inputs[slot.input] = found.columns[refOf(slot)]?.[i] ?? null;
      });
    }
    return {
      input: (name) => file.map((r) => r.inputs[name]),
      entities: Object.keys(request.joinKeys).map((entity) => [entity, file.map((r) => r.entities[entity] ?? null)] as const),
      times,
      columns: request.passthrough.map((name) => [name, file.map((r) => r.columns[name] ?? null)] as const),
    };
  }
}

/** A shard's rows, ready to score: the model's inputs by name, and what each prediction is tagged with, as columns. */
interface ShardRows {
  /** an input's values, row by row */
  input: (name: string) => ArrayLike<unknown> | undefined;
  entities: PredictionColumns['entities'];
  times: number[];
  columns: PredictionColumns['columns'];
}

const refOf = (slot: { group: string; feature: string }) => `${slot.group}:${slot.feature}`;

/** A key column's values as entity keys: text, null where a row has none. */
function keysOf(values: ArrayLike<unknown> | undefined, rows: number): Array<string | null> {
  const keys = new Array<string | null>(rows);
  for (let i = 0; i < rows; i++) {
    const key = values?.[i];
    keys[i] = key === null || key === undefined ? null : String(key);
  }
  return keys;
}

/** A batch prediction on the prediction log, as monitoring takes an online one (time: when scored). */
function predictionEvent(p: PredictionColumns, row: number, inputs: PredictionEvent['inputs']): PredictionEvent {
  const probabilities = p.probabilities[row] ?? null;
  return {
    type: 'prediction',
    schemaVersion: 1,
    predictionId: p.predictionIds[row]!,
    model: p.model,
    version: p.version,
    alias: p.alias,
    prediction: p.prediction[row]!,
    ...(probabilities ? { label: p.label[row] ?? null, probabilities } : {}),
    inputs,
    entities: entitiesAt(p, row),
    at: new Date().toISOString(),
  };
}
