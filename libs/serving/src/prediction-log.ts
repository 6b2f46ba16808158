import { Inject, Injectable } from '@nestjs/common';

import { ATELIER_CONFIG, type AtelierConfig } from '@atelier/config';
import { predictionBatchOf, type PredictionEvent } from '@atelier/contracts';
import { type DurableProducer, KafkaService, MAX_PACKED_CHARS, packed, type SpoolRecord } from '@atelier/kafka';
import { MetricsService } from '@atelier/server';

/**
 * Prediction events per Kafka message. Measured on a 1,000-row batch predict, one message per
 * event spent about a third of the process's CPU in the Kafka client (partitioner, record
 * encoding, CRC) and in the consumer's per-message work.
 */
const PACK_EVENTS = 100;
/** Rows of one batch event at most (a 1,000-row request of `flight-delay` is ~114 KB of JSON). */
const BATCH_ROWS = 1_000;

/**
 * The sampled prediction log monitoring reads (Kafka `predictions`: a batch request's events as
 * batch events, others as JSON arrays of up to `PACK_EVENTS`; `packPredictions`), through the
 * durable producer: batched sends, a bounded memory buffer, a disk spool while the broker is away,
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
      pack: packPredictions,
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

  /**
   * A batch request's events are kept as objects, for `packPredictions` to send as batch events; a
   * single prediction's is turned into JSON at once, as before: it goes in an array anyway, and
   * its inputs and entities need not live on until the send.
   */
  record(events: PredictionEvent[]): void {
    if (events.length === 1) return this.producer.append(events[0]!.predictionId, events[0]);
    for (const event of events) this.producer.appendObject(event.predictionId, event);
  }
}

/**
 * A send's events as messages, in order: a run of events that make one batch event (those of one
 * batch request: same model, version, alias, time, arm and latency; see `predictionBatchOf`) goes
 * as that batch event, up to `BATCH_ROWS` rows and `MAX_PACKED_CHARS` of JSON; the others as JSON
 * arrays of up to `PACK_EVENTS` events, as before (events replayed from the spool among them).
 */
export function packPredictions(records: SpoolRecord[]): Array<{ key: string; value: string }> {
  const messages: Array<{ key: string; value: string }> = [];
  let loose: SpoolRecord[] = [];
  let i = 0;
  while (i < records.length) {
    const first = records[i]!.object as PredictionEvent | undefined;
    if (!first) {
      loose.push(records[i++]!);
      continue;
    }
    let end = i + 1;
    while (end < records.length && end - i < BATCH_ROWS && alike(first, records[end]!.object)) end++;
    const run = end - i > 1 ? records.slice(i, end).map((r) => r.object as PredictionEvent) : [];
    const batch = predictionBatchOf(run);
    if (batch) {
      messages.push(...packed(loose, PACK_EVENTS), ...batchMessages(run, batch));
      loose = [];
    } else loose.push(...records.slice(i, end));
    i = end;
  }
  messages.push(...packed(loose, PACK_EVENTS));
  return messages;
}

/** Events that may share a batch event (`predictionBatchOf` decides). */
function alike(a: PredictionEvent, object: unknown): boolean {
  const b = object as PredictionEvent | undefined;
  return b !== undefined && b.at === a.at && b.latencyMs === a.latencyMs && b.model === a.model && b.version === a.version;
}

/**
 * Events that make one batch event (`batch`, when already made), as batch events under
 * `MAX_PACKED_CHARS` each (halved until they fit; one alone as an event).
 */
function batchMessages(events: PredictionEvent[], batch = predictionBatchOf(events)): Array<{ key: string; value: string }> {
  if (events.length === 1) return [{ key: events[0]!.predictionId, value: JSON.stringify(events) }];
  const value = JSON.stringify(batch);
  if (value.length <= MAX_PACKED_CHARS) return [{ key: events[0]!.predictionId, value }];
  const half = Math.ceil(events.length / 2);
  return [...batchMessages(events.slice(0, half)), ...batchMessages(events.slice(half))];
}
