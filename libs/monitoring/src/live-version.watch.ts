import { randomUUID } from 'node:crypto';

import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';

import { ModelEvent } from '@atelier/contracts';
import { BackgroundConsumer, KafkaService } from '@atelier/kafka';

import { BaselineClient } from './baseline.client';

/**
 * Keeps the live version monitors are judged by current: every process reads every model event
 * (a consumer group of its own, as serving's replicas do) and forgets what it remembered of a
 * model whose aliases or versions changed, so a move of production is seen at once rather than
 * when the 30 s the live version is kept run out. Without Kafka the remembered versions still
 * expire; readiness does not wait for this consumer.
 */
@Injectable()
export class LiveVersionWatch implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly consumer: BackgroundConsumer<ModelEvent>;

  constructor(kafka: KafkaService, baselines: BaselineClient) {
    this.consumer = new BackgroundConsumer(kafka, new Logger('monitoring.live-version'), {
      what: 'model events',
      group: `monitoring-live-${randomUUID()}`,
      topics: ['modelEvents'],
      schema: ModelEvent,
      fromBeginning: false,
      lowVolume: true,
      handle: async (events) => {
        for (const event of events) if (event.type !== 'deployment-changed') baselines.forgetLive(event.model);
      },
    });
  }

  onApplicationBootstrap(): void {
    this.consumer.start();
  }

  /** Resolves once the consumer has joined its group (or the module stopped first). */
  whenRunning(): Promise<void> {
    return this.consumer.whenRunning();
  }

  async onModuleDestroy(): Promise<void> {
    await this.consumer.stop();
  }
}
