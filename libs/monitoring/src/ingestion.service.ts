import { Injectable, Logger } from '@nestjs/common';
import type { Counter } from 'prom-client';

import {
  type AcceptedResponse,
  type ConsumerLagResponse,
  type OutcomeEvent,
  type PredictionBatchEvent,
  type PredictionEvent,
  type RecordOutcomeRequest,
} from '@atelier/contracts';
import { jsonRecords } from '@atelier/db';
import { KafkaService } from '@atelier/kafka';
import { badRequest, dependencyUnavailable, MetricsService } from '@atelier/server';

import { EvaluationScheduler } from './evaluation.scheduler';
import { type IngestResult, MonitoringRepository, type NewPrediction } from './monitoring.repository';

export type MonitoringEvent = PredictionEvent | PredictionBatchEvent | OutcomeEvent;

/** Monitoring's consumer group on the predictions and outcomes topics (prefixed with the namespace). */
export const MONITORING_GROUP = 'monitoring';

/**
 * How far back `joinParked` looks: outcomes parked within this time before a sweep are checked
 * again, enough to outlast any ingest transaction that was storing their prediction meanwhile.
 */
export const PARKED_LOOKBACK_MS = 60_000;

/** Predictions and outcomes in: outcomes through the API onto Kafka, both from Kafka into Postgres. */
@Injectable()
export class IngestionService {
  private readonly logger = new Logger('monitoring.ingestion');
  private readonly events: Counter<string>;

  constructor(
    private readonly repository: MonitoringRepository,
    private readonly kafka: KafkaService,
    private readonly scheduler: EvaluationScheduler,
    metrics: MetricsService,
  ) {
    this.events = metrics.counter('atelier_monitoring_events_total', 'prediction and outcome events consumed by monitoring', ['type']);
  }

  /**
   * Puts outcomes on the `outcomes` topic and answers once Kafka has them: the consumer joins
   * them to their predictions, whichever arrives first. Sending an outcome again is harmless
   * (the last value of a prediction wins). A class name is refused (400, nothing published) for a
   * stored prediction without classes: it says nothing about a P(positive) or a regressed value.
   */
  async recordOutcomes(requests: RecordOutcomeRequest[], now = new Date()): Promise<AcceptedResponse> {
    const named = requests.filter((r) => typeof r.value === 'string').map((r) => r.predictionId);
    if (named.length > 0) {
      // with PostgreSQL away the check is skipped: the consumer refuses such a name when it stores it
      const unnamed = await this.repository.predictionsWithoutClasses(named).catch(() => []);
      if (unnamed.length > 0) {
        const [first] = unnamed;
        throw badRequest(
          `prediction ${first!.predictionId} of model ${first!.model} has no class names (a binary model with classes 0/1 or a regressor): ` +
            'its outcome is a number (0/1 or the true value), not a class name',
          { predictions: unnamed.map((u) => u.predictionId) },
        );
      }
    }
    const events: OutcomeEvent[] = requests.map((r) => ({
      type: 'outcome',
      schemaVersion: 1,
      predictionId: r.predictionId,
      value: r.value,
      at: r.observedAt ?? now.toISOString(),
    }));
    try {
      await this.kafka.publish(
        'outcomes',
        events.map((e) => ({ key: e.predictionId, value: e })),
      );
    } catch (error) {
      this.logger.warn({
        msg: 'outcomes not published',
        count: events.length,
        error: error instanceof Error ? error.message : String(error),
      });
      throw dependencyUnavailable('Kafka did not accept the outcomes, so they may not be recorded; sending them again is safe');
    }
    return { accepted: events.length };
  }

  /** How far monitoring's consumer group is behind on the predictions and outcomes topics (asked of the broker). */
  consumerLag(): Promise<ConsumerLagResponse> {
    return this.kafka.consumerLag(MONITORING_GROUP, ['predictions', 'outcomes']);
  }

  /** Stores one consumed batch; redelivered events change nothing. */
  async consume(events: MonitoringEvent[]): Promise<IngestResult> {
    const predictions: NewPrediction[] = [];
    const outcomes: OutcomeEvent[] = [];
    for (const event of events) {
      if (event.type === 'prediction') predictions.push(event);
      else if (event.type === 'prediction-batch') for (const row of batchPredictions(event)) predictions.push(row);
      else outcomes.push(event);
    }
    const result = await this.repository.ingest(predictions, outcomes);
    if (result.refused.length > 0) {
      // sent before the prediction was stored, so the API could not refuse them
      this.logger.warn({ msg: 'class-name outcomes of predictions without classes not stored', predictions: result.refused });
      this.events.inc({ type: 'outcome_refused' }, result.refused.length);
    }
    if (predictions.length > 0) this.events.inc({ type: 'prediction' }, predictions.length);
    if (outcomes.length > 0) this.events.inc({ type: 'outcome' }, outcomes.length);
    this.scheduler.modelsChanged(result.models);
    return result;
  }

  /**
   * Joins outcomes parked in the last `PARKED_LOOKBACK_MS` whose prediction has been stored
   * since: the rare pair stored at the same moment by two transactions (see the repository's
   * `ingest`). The consumer runs it every few seconds.
   */
  async joinParked(now = new Date()): Promise<number> {
    const { joined, models } = await this.repository.joinParked(new Date(now.getTime() - PARKED_LOOKBACK_MS));
    if (joined > 0) {
      this.logger.log({ msg: 'joined outcomes parked while their predictions were being stored', joined });
      this.scheduler.modelsChanged(models);
    }
    return joined;
  }
}

/**
 * The rows of a batch event as monitoring stores them: what `predictionEventsOf` makes of it,
 * but each row's inputs as their JSON text, written from the event's columns (`jsonRecords`),
 * and without its entities, which monitoring does not store. A 1,000-row event of `flight-delay`
 * took 2.1–2.7 ms from its JSON to the COPY's bytes this way, against 2.9–3.8 ms through an
 * object a row (by hand, docs/benchmarks.md).
 */
export function batchPredictions(b: PredictionBatchEvent): NewPrediction[] {
  const inputs = jsonRecords(Object.entries(b.inputs), false);
  const probabilities = b.probabilities ? Object.entries(b.probabilities) : undefined;
  return b.predictionIds.map((predictionId, i) => {
    const row: NewPrediction = {
      predictionId,
      model: b.model,
      version: b.version,
      alias: b.alias,
      prediction: b.predictions[i]!,
      inputs: inputs(i),
      at: b.at,
    };
    if (b.labels) row.label = b.labels[i]!;
    if (probabilities) row.probabilities = Object.fromEntries(probabilities.map(([name, column]) => [name, column[i]!]));
    if (b.arm !== undefined) row.arm = b.arm;
    if (b.shadowOf) row.shadowOf = b.shadowOf[i]!;
    if (b.latencyMs !== undefined) row.latencyMs = b.latencyMs;
    return row;
  });
}
