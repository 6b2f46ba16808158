import { Injectable, Logger } from '@nestjs/common';

import type { ModelEvent } from '@atelier/contracts';
import { ModelEventsFeed } from '@atelier/kafka';

import { ModelCache } from './model-cache';

/**
 * Every serving replica reads every model event (the process's `ModelEventsFeed`, a consumer
 * group of its own), so an alias move reaches all replicas and each hot-loads the new version
 * without a restart; a removed alias is forgotten, so requests by it ask the registry again (and
 * get its 404); a changed deployment (canary, shadow) loads its versions, then routes by them.
 * Without Kafka serving still answers: aliases resolve through the registry on first use, and the
 * feed keeps trying to connect in the background.
 */
@Injectable()
export class ModelEventsConsumer {
  private readonly logger = new Logger('serving');

  constructor(
    feed: ModelEventsFeed,
    private readonly cache: ModelCache,
  ) {
    feed.subscribe('serving.hot-load', (event) => this.handle(event));
  }

  private async handle(event: ModelEvent): Promise<void> {
    if (event.type === 'alias-removed') this.cache.forgetAlias(event.model, event.alias);
    if (event.type === 'deployment-changed') {
      await this.cache.moveSplit(event.model, event.canary, event.shadow).catch((error: unknown) => {
        this.logger.warn({ msg: 'deployment hot load failed; routing as before', model: event.model, error: String(error) });
      });
    }
    if (event.type !== 'alias-moved') return;
    await this.cache.moveAlias(event.model, event.alias, event.version).catch((error: unknown) => {
      this.logger.warn({ msg: 'hot load failed', model: event.model, version: event.version, error: String(error) });
    });
  }
}
