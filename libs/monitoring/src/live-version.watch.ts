import { Injectable } from '@nestjs/common';

import { ModelEventsFeed } from '@atelier/kafka';

import { BaselineClient } from './baseline.client';

/**
 * Keeps the live version monitors are judged by current: every process reads every model event
 * (the process's `ModelEventsFeed`) and forgets what it remembered of a model whose aliases or
 * versions changed, so a move of production is seen at once rather than when the 30 s the live
 * version is kept run out. Without Kafka the remembered versions still expire; readiness does
 * not wait for the feed.
 */
@Injectable()
export class LiveVersionWatch {
  constructor(
    private readonly feed: ModelEventsFeed,
    baselines: BaselineClient,
  ) {
    feed.subscribe('monitoring.live-version', (event) => {
      if (event.type !== 'deployment-changed') baselines.forgetLive(event.model);
    });
  }

  /** Resolves once the process's model-event consumer has joined its group (or the module stopped first). */
  whenRunning(): Promise<void> {
    return this.feed.whenRunning();
  }
}
