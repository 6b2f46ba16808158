import { Inject, Injectable } from '@nestjs/common';

import { ATELIER_CONFIG, type AtelierConfig } from '@atelier/config';
import type { PredictionEvent } from '@atelier/contracts';
import { type DurableProducer, KafkaService } from '@atelier/kafka';
import { MetricsService } from '@atelier/server';

/**
 * Prediction events per Kafka message. Measured on a 1,000-row batch predict, one message per
 * event spent about a third of the process's CPU in the Kafka client (partitioner, record
 * encoding, CRC) and in the consumer's per-message work.
 */
const PACK_EVENTS = 100;

/**
 * The sampled prediction log monitoring reads (Kafka `predictions`, JSON arrays of up to `PACK_EVENTS` events per message), through the durable
 * producer: batched sends, a bounded memory buffer, a disk spool while the broker is away,
 * replayed when it returns (also after a restart). Recording never waits and never fails a
 * response; monitoring dedupes redeliveries by prediction id.
 */
@Injectable()
export class PredictionLog {
  private readonly producer: DurableProducer;

  constructor(
    kafka: KafkaService,
    @Inject(ATELIER_CONFIG) private readonly config: AtelierConfig,
    metrics: MetricsService,
  ) {
    const sent = metrics.counter('atelier_prediction_log_sent_total', 'Prediction events acknowledged by Kafka', ['from']);
    const spooled = metrics.counter('atelier_prediction_log_spooled_total', 'Prediction events written to the disk spool while Kafka was away');
    const dropped = metrics.counter('atelier_prediction_log_dropped_total', 'Prediction events given up (spool full, unwritable or corrupt)', ['reason']);
    this.producer = kafka.durableProducer('predictions', {
      packUpTo: PACK_EVENTS,
      hooks: {
        onSent: (n, from) => sent.inc({ from }, n),
        onSpooled: (n) => spooled.inc(n),
        onDropped: (n, reason) => dropped.inc({ reason }, n),
      },
    });
    const stats = () => this.producer.stats();
    metrics.gauge('atelier_prediction_log_buffered', 'Prediction events waiting in memory', () => stats().buffered);
    metrics.gauge('atelier_prediction_log_spool_events', 'Prediction events waiting in the disk spool', () => stats().spooledEvents);
    metrics.gauge('atelier_prediction_log_spool_bytes', 'Size of the disk spool', () => stats().spoolBytes);
  }

  /** Whether this prediction is in the monitored sample. */
  sampled(): boolean {
    return this.config.predictionSampleRate >= 1 || Math.random() < this.config.predictionSampleRate;
  }

  record(events: PredictionEvent[]): void {
    for (const event of events) this.producer.append(event.predictionId, event);
  }
}
