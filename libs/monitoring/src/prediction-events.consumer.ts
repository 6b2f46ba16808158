import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { Consumer } from 'kafkajs';
import { z } from 'zod';

import { ATELIER_CONFIG, type AtelierConfig } from '@atelier/config';
import { OutcomeEvent, PredictionEvent } from '@atelier/contracts';
import { isDataError } from '@atelier/db';
import { KafkaService } from '@atelier/kafka';
import { HealthRegistry } from '@atelier/server';

import { IngestionService, type MonitoringEvent } from './ingestion.service';

const MonitoringEventSchema: z.ZodType<MonitoringEvent> = z.discriminatedUnion('type', [PredictionEvent, OutcomeEvent]);

const MAX_RETRY_MS = 30_000;
/** how often outcomes parked while their prediction was being stored are joined (IngestionService.joinParked) */
const PARKED_SWEEP_MS = 5_000;

/**
 * Feeds the `predictions` and `outcomes` topics to the ingestion service. It starts in the
 * background: when Kafka is down at start-up the HTTP API still comes up, the consumer keeps
 * retrying, and `/health/ready` reports it down until it has joined its group.
 */
@Injectable()
export class PredictionEventsConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('monitoring.consumer');
  private consumer?: Consumer;
  private running: Promise<void> = Promise.resolve();
  private lastError: string | null = null;
  private stopped = false;
  private wake?: () => void;
  private sweeper?: NodeJS.Timeout;

  constructor(
    private readonly kafka: KafkaService,
    private readonly ingestion: IngestionService,
    private readonly health: HealthRegistry,
    @Inject(ATELIER_CONFIG) private readonly config: AtelierConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.processIndex > 0) return; // one consumer per machine: see SERVING_PROCESSES
    this.health.register('monitoring-consumer', async () => {
      if (this.lastError) throw new Error(`not consuming yet: ${this.lastError}`);
    });
    this.running = this.startWithRetry();
    this.sweeper = setInterval(() => void this.sweep(), PARKED_SWEEP_MS).unref();
  }

  private sweeping = false;

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

  /** Resolves once the consumer has joined its group (or the module stopped first). */
  whenRunning(): Promise<void> {
    return this.running;
  }

  private async startWithRetry(): Promise<void> {
    for (let attempt = 1; !this.stopped; attempt++) {
      try {
        const consumer = await this.kafka.subscribe({
          group: 'monitoring',
          topics: ['predictions', 'outcomes'],
          schema: MonitoringEventSchema,
          handle: async (events) => {
            await this.ingestion.consume(events);
          },
          // values the database refuses go to the dead-letter topic instead of stalling everyone's
          poison: isDataError,
          concurrency: this.config.monitoringConsumerConcurrency,
        });
        if (this.stopped) {
          await consumer.disconnect();
          return;
        }
        this.consumer = consumer;
        this.lastError = null;
        this.restartAfterFatalCrash(consumer);
        this.logger.log({ msg: 'consuming predictions and outcomes', attempt });
        return;
      } catch (error) {
        this.lastError = error instanceof Error ? error.message : String(error);
        const waitMs = Math.min(MAX_RETRY_MS, 1000 * 2 ** (attempt - 1));
        this.logger.warn({ msg: 'consumer could not start; retrying', attempt, retryInMs: waitMs, error: this.lastError });
        await this.pause(waitMs);
      }
    }
  }

  /** kafkajs restarts itself after retriable errors; after any other crash we start over. */
  private restartAfterFatalCrash(consumer: Consumer): void {
    consumer.on(consumer.events.CRASH, (event) => {
      if (event.payload.restart || this.stopped) return;
      this.lastError = event.payload.error.message;
      this.logger.error({ msg: 'consumer crashed; starting a new one', error: this.lastError });
      this.consumer = undefined;
      this.running = consumer
        .disconnect()
        .catch(() => undefined)
        .then(() => this.startWithRetry());
    });
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearInterval(this.sweeper);
    this.wake?.();
    await this.consumer?.disconnect().catch(() => undefined);
  }
}
