import { randomUUID } from 'node:crypto';

import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';

import { ModelEvent } from '@atelier/contracts';

import { BackgroundConsumer } from './background-consumer';
import { KafkaService } from './kafka.service';

/** How long start-up waits for the model-event consumer to join its group. */
const BOOTSTRAP_WAIT_MS = 5_000;

export type ModelEventHandler = (event: ModelEvent) => void | Promise<void>;

interface Subscriber {
  name: string;
  handle: ModelEventHandler;
  /** the handler's events not handled yet, in order */
  queue: Promise<void>;
}

/**
 * The model-event topic, read once per process for every domain that reacts to it (serving's hot
 * loading, monitoring's live versions): one consumer with a group of its own, so every process
 * sees every event, started at bootstrap if anything subscribed (retrying in the background while
 * Kafka is away, as `BackgroundConsumer` does). Each handler gets the events in order, in a queue
 * of its own: a slow one (serving loading a large model) does not delay the others (monitoring
 * forgetting a live version), and one that fails is logged and goes on with the next event, since
 * a missed event only delays what each domain would have learnt from the registry anyway. The
 * consumer goes on reading meanwhile (its group is this process's alone, so where it commits
 * matters to no one); a stop waits for the queues.
 */
@Injectable()
export class ModelEventsFeed implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('kafka.model-events');
  private readonly handlers: Subscriber[] = [];
  private readonly consumer: BackgroundConsumer<ModelEvent>;
  private bootstrapped = false;
  private started = false;

  constructor(kafka: KafkaService) {
    this.consumer = new BackgroundConsumer(kafka, this.logger, {
      what: 'model events',
      group: `model-events-${randomUUID()}`,
      topics: ['modelEvents'],
      schema: ModelEvent,
      fromBeginning: false,
      lowVolume: true,
      handle: async (events) => {
        for (const handler of this.handlers)
          for (const event of events) handler.queue = handler.queue.then(() => this.deliver(handler, event));
      },
    });
  }

  /** Adds a handler (named in the log when it fails); the feed starts at bootstrap, or now if that has passed. */
  subscribe(name: string, handle: ModelEventHandler): void {
    this.handlers.push({ name, handle, queue: Promise.resolve() });
    if (this.bootstrapped) this.start();
  }

  /**
   * Waits up to BOOTSTRAP_WAIT_MS for the consumer to join its group: joined, the process sees
   * every event from now on (a model moved right after start-up is not missed); otherwise (Kafka
   * away: kafkajs's connection retries alone take about 30 s) the process comes up and the
   * consumer goes on trying in the background.
   */
  async onApplicationBootstrap(): Promise<void> {
    this.bootstrapped = true;
    if (this.handlers.length === 0) return;
    this.start();
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<void>((resolve) => (timer = setTimeout(resolve, BOOTSTRAP_WAIT_MS)));
    await Promise.race([this.consumer.whenRunning(), waited]);
    clearTimeout(timer);
  }

  /** Resolves once the consumer has joined its group (or the module stopped first, or it never started). */
  whenRunning(): Promise<void> {
    return this.consumer.whenRunning();
  }

  async onModuleDestroy(): Promise<void> {
    await this.consumer.stop();
    await Promise.all(this.handlers.map((h) => h.queue));
  }

  private start(): void {
    if (this.started) return;
    this.started = true;
    this.consumer.start();
  }

  /** Never rejects: a queue goes on past a failed event. */
  private async deliver({ name, handle }: Subscriber, event: ModelEvent): Promise<void> {
    try {
      await handle(event);
    } catch (error) {
      this.logger.warn({ msg: 'model event not handled', handler: name, type: event.type, model: event.model, error: String(error) });
    }
  }
}
