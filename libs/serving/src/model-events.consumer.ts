import { randomUUID } from 'node:crypto';

import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';

import { ModelEvent } from '@atelier/contracts';
import { KafkaService } from '@atelier/kafka';

import { ModelCache } from './model-cache';

/**
 * Every serving replica reads every model event (a consumer group of its own), so an alias
 * move reaches all replicas and each hot-loads the new version without a restart; a removed
 * alias is forgotten, so requests by it ask the registry again (and get its 404); a changed
 * deployment (canary, shadow) loads its versions, then routes by them.
 */
@Injectable()
export class ModelEventsConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('serving');

  constructor(
    private readonly kafka: KafkaService,
    private readonly cache: ModelCache,
  ) {}

  private retry?: NodeJS.Timeout;
  private stopped = false;

  async onApplicationBootstrap(): Promise<void> {
    await this.start().catch((error: unknown) => {
      if (this.stopped) return;
      // Serving still answers without Kafka: aliases resolve through the registry on first use.
      this.logger.warn({ msg: 'model events unavailable; retrying in the background', error: String(error) });
      this.retry = setTimeout(() => void this.onApplicationBootstrap(), 5000).unref();
    });
  }

  onModuleDestroy(): void {
    this.stopped = true;
    clearTimeout(this.retry);
  }

  private async start(): Promise<void> {
    await this.kafka.subscribe({
      group: `serving-${randomUUID()}`,
      topics: ['modelEvents'],
      schema: ModelEvent,
      fromBeginning: false,
      lowVolume: true,
      handle: async (events) => {
        for (const event of events) {
          if (event.type === 'alias-removed') this.cache.forgetAlias(event.model, event.alias);
          if (event.type === 'deployment-changed') {
            await this.cache.moveSplit(event.model, event.canary, event.shadow).catch((error: unknown) => {
              this.logger.warn({ msg: 'deployment hot load failed; routing as before', model: event.model, error: String(error) });
            });
          }
          if (event.type !== 'alias-moved') continue;
          await this.cache.moveAlias(event.model, event.alias, event.version).catch((error: unknown) => {
            this.logger.warn({ msg: 'hot load failed', model: event.model, version: event.version, error: String(error) });
          });
        }
      },
    });
  }
}
