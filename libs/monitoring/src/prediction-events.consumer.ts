import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { z } from 'zod';

import { ATELIER_CONFIG, type AtelierConfig } from '@atelier/config';
import { isPlainPredictionEvent, OutcomeEvent, PredictionBatchEvent, PredictionEvent } from '@atelier/contracts';
import { isDataError } from '@atelier/db';
import { BackgroundConsumer, KafkaService } from '@atelier/kafka';
import { HealthRegistry } from '@atelier/server';

import { IngestionService, MONITORING_GROUP, type MonitoringEvent } from './ingestion.service';

const MonitoringEventSchema: z.ZodType<MonitoringEvent> = z.discriminatedUnion('type', [
  PredictionEvent,
  PredictionBatchEvent,
  OutcomeEvent,
]);

/** how often outcomes parked while their prediction was being stored are joined (IngestionService.joinParked) */
const PARKED_SWEEP_MS = 5_000;

/**
 * Feeds the `predictions` and `outcomes` topics to the ingestion service, in the background (see
 * `BackgroundConsumer`): `/health/ready` reports it down until it has joined its group.
 */
@Injectable()
export class PredictionEventsConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('monitoring.consumer');
  private readonly consumer: BackgroundConsumer<MonitoringEvent>;
  private sweeper?: NodeJS.Timeout;
  private sweeping = false;
  private stopped = false;

  constructor(
    kafka: KafkaService,
    private readonly ingestion: IngestionService,
    private readonly health: HealthRegistry,
    @Inject(ATELIER_CONFIG) private readonly config: AtelierConfig,
  ) {
    this.consumer = new BackgroundConsumer(kafka, this.logger, {
      healthName: 'monitoring-consumer',
      what: 'predictions and outcomes',
      group: MONITORING_GROUP,
      topics: ['predictions', 'outcomes'],
      schema: MonitoringEventSchema,
      accepts: isPlainPredictionEvent,
      // the prediction log packs events into arrays or batch events (PredictionLog); a single event is read too
      unpack: true,
      handle: async (events) => {
        await this.ingestion.consume(events);
      },
      // values the database refuses go to the dead-letter topic instead of stalling everyone's
      poison: isDataError,
      concurrency: config.monitoringConsumerConcurrency,
    });
  }

  onApplicationBootstrap(): void {
    if (this.config.processIndex > 0) return; // one consumer per machine: see SERVING_PROCESSES
    this.consumer.start(this.health);
    this.sweeper = setInterval(() => void this.sweep(), PARKED_SWEEP_MS).unref();
  }

  /** Resolves once the consumer has joined its group (or the module stopped first). */
  whenRunning(): Promise<void> {
    return this.consumer.whenRunning();
  }

  private async sweep(): Promise<void> {
    if (this.sweeping || this.stopped) return;
    this.sweeping = true;
    try {
      await this.ingestion.joinParked();
    } catch (error) {
      this.logger.warn({
        msg: 'joining parked outcomes failed; retrying at the next sweep',
        error: error instanceof Error ? error.message : String(error),
      });
    } finally {
      this.sweeping = false;
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearInterval(this.sweeper);
    await this.consumer.stop();
  }
}
