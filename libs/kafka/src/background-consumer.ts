import type { Logger } from '@nestjs/common';
import type { Consumer } from 'kafkajs';

import type { HealthRegistry } from '@atelier/server';

import type { KafkaService, SubscribeOptions } from './kafka.service';

const MAX_RETRY_MS = 30_000;

/**
 * A consumer that starts in the background: when Kafka is down at start-up the HTTP API still
 * comes up, the consumer keeps retrying (backing off to 30 s), and `/health/ready` reports it down
 * under `healthName` until it has joined its group (a consumer without one is not part of
 * readiness). kafkajs restarts itself after retriable errors; after any other crash a new
 * consumer is started.
 */
export class BackgroundConsumer<T> {
  private consumer?: Consumer;
  private running: Promise<void> = Promise.resolve();
  private lastError: string | null = null;
  private stopped = false;
  private wake?: () => void;

  constructor(
    private readonly kafka: KafkaService,
    private readonly logger: Logger,
    private readonly options: SubscribeOptions<T> & { healthName?: string; what: string },
  ) {}

  start(health?: HealthRegistry): void {
    const name = this.options.healthName;
    if (name)
      health?.register(name, async () => {
        if (this.lastError) throw new Error(`not consuming yet: ${this.lastError}`);
      });
    this.running = this.startWithRetry();
  }

  /** Resolves once the consumer has joined its group (or it was stopped first). */
  whenRunning(): Promise<void> {
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.consumer?.disconnect().catch(() => undefined);
  }

  private async startWithRetry(): Promise<void> {
    for (let attempt = 1; !this.stopped; attempt++) {
      try {
        const consumer = await this.kafka.subscribe(this.options);
        if (this.stopped) {
          await consumer.disconnect();
          return;
        }
        this.consumer = consumer;
        this.lastError = null;
        this.restartAfterFatalCrash(consumer);
        this.logger.log({ msg: `consuming ${this.options.what}`, attempt });
        return;
      } catch (error) {
        this.lastError = error instanceof Error ? error.message : String(error);
        const waitMs = Math.min(MAX_RETRY_MS, 1000 * 2 ** (attempt - 1));
        this.logger.warn({ msg: 'consumer could not start; retrying', attempt, retryInMs: waitMs, error: this.lastError });
        await this.pause(waitMs);
      }
    }
  }

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
}
