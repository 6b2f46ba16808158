import { randomUUID } from 'node:crypto';

import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Counter } from 'prom-client';

import type { CreateBatchJobRequest, PredictionEvent } from '@atelier/contracts';
import { MetricsService } from '@atelier/server';

import { ModelCache } from '../model-cache';
import { PredictionService } from '../prediction.service';
import { PredictionLog } from '../prediction-log';
import { BatchRepository, type StoredPrediction } from './batch.repository';
import { BATCH_ROWS, type BatchRows } from './batch-rows';

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

    const request = job.request as unknown as CreateBatchJobRequest & { joinKeys: Record<string, string> };
    const served = await this.cache.byVersion(job.modelName, job.version);
    const { plan } = served;
    const refOf = (slot: { group: string; feature: string }) => `${slot.group}:${slot.feature}`;
    const keyColumns = Object.entries(request.joinKeys);
    const set = await this.rows.rows({
      source: { group: request.source.group, start: part.start.toISOString(), end: part.end.toISOString() },
      joinKeys: request.joinKeys,
      features: [...new Set(plan.features.map(refOf))],
      columns: [...new Set([...plan.requestInputs.map((i) => i.name), ...keyColumns.map(([, column]) => column), ...request.passthrough])],
    });
    const inputs = Array.from({ length: set.rowCount }, (_, i) => {
      const row: Record<string, unknown> = {};
      for (const slot of plan.features) row[slot.input] = set.columns[refOf(slot)]?.[i] ?? null;
      for (const input of plan.requestInputs) row[input.name] = set.columns[input.name]?.[i] ?? null;
      return row;
    });
    const scored = await this.predictions.scoreInputs(served, inputs);

    const { model, version } = served.detail;
    const stored = scored.map((s, i): StoredPrediction => {
      const entities: Record<string, string> = {};
      for (const [entity, column] of keyColumns) {
        const key = set.columns[column]?.[i];
        if (key !== null && key !== undefined) entities[entity] = String(key);
      }
      const columns: StoredPrediction['columns'] = {};
      for (const name of request.passthrough) columns[name] = set.columns[name]?.[i] ?? null;
      const answered = !s.refused && Number.isFinite(s.prediction);
      return {
        predictionId: randomUUID(),
        shard,
        row: i,
        eventTime: new Date(set.eventTimes[i]!),
        entities,
        prediction: answered ? s.prediction : null,
        label: answered ? s.label : null,
        probabilities: answered ? (s.probabilities ?? null) : null,
        missing: s.missing,
        columns,
        model,
        version,
        alias: job.alias,
      };
    });
    const result = await this.repository.commitShard(jobId, shard, stored);
    if (result !== 'committed') {
      this.logger.log({ msg: 'batch shard not committed', jobId, shard, reason: result });
      return;
    }
    this.scoredRows.inc({ model, version: String(version) }, stored.length);
    if (request.publish) this.log.record(stored.flatMap((p, i) => (p.prediction === null ? [] : [predictionEvent(p, scored[i]!.inputs)])));
    this.logger.log({ msg: 'batch shard scored', jobId, shard, rows: stored.length, ms: Math.round(performance.now() - started) });
  }
}

/** A batch prediction on the prediction log, as monitoring takes an online one (time: when scored). */
function predictionEvent(p: StoredPrediction, inputs: PredictionEvent['inputs']): PredictionEvent {
  return {
    type: 'prediction',
    schemaVersion: 1,
    predictionId: p.predictionId,
    model: p.model,
    version: p.version,
    alias: p.alias,
    prediction: p.prediction!,
    ...(p.probabilities ? { label: p.label, probabilities: p.probabilities } : {}),
    inputs,
    entities: p.entities,
    at: new Date().toISOString(),
  };
}
