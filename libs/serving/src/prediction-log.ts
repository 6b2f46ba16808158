import { Inject, Injectable } from '@nestjs/common';
import type { Counter } from 'prom-client';

import { ATELIER_CONFIG, type AtelierConfig } from '@atelier/config';
import type { PredictionEvent } from '@atelier/contracts';
import { KafkaService } from '@atelier/kafka';
import { MetricsService } from '@atelier/server';

/**
 * The sampled prediction log monitoring reads (Kafka `predictions`). Recording never waits and
 * never fails a response.
 */
@Injectable()
export class PredictionLog {
  private readonly publishFailures: Counter<string>;

  constructor(
    private readonly kafka: KafkaService,
    @Inject(ATELIER_CONFIG) private readonly config: AtelierConfig,
    metrics: MetricsService,
  ) {
    this.publishFailures = metrics.counter('atelier_prediction_publish_failures_total', 'Prediction events that could not be published');
  }

  /** Whether this prediction is in the monitored sample. */
  sampled(): boolean {
    return this.config.predictionSampleRate >= 1 || Math.random() < this.config.predictionSampleRate;
  }

  record(events: PredictionEvent[]): void {
    if (events.length === 0) return;
    this.kafka.publishInBackground(
      'predictions',
      events.map((e) => ({ key: e.predictionId, value: e })),
      () => this.publishFailures.inc(events.length),
    );
  }
}
