import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';

import { ATELIER_CONFIG, type AtelierConfig } from '@atelier/config';
import { type OnlinePair, type OnlineRow, OnlineStoreReader } from '@atelier/online-store';
import { HealthRegistry } from '@atelier/server';

/**
 * Serving's direct read of the online store (the feature store's published Redis layout): no
 * HTTP hop and no database query on the prediction path. Redis away → a fast 503.
 */
@Injectable()
export class OnlineFeaturesReader implements OnModuleInit, OnModuleDestroy {
  private readonly reader: OnlineStoreReader;

  constructor(
    @Inject(ATELIER_CONFIG) config: AtelierConfig,
    private readonly health: HealthRegistry,
  ) {
    this.reader = new OnlineStoreReader({ redisUrl: config.redisUrl, namespace: config.namespace });
  }

  onModuleInit(): void {
    this.health.register('online-store', async () => {
      await this.reader.redis.ping();
    });
  }

  read(pairs: OnlinePair[]): Promise<Array<OnlineRow | null>> {
    return this.reader.read(pairs);
  }

  onModuleDestroy(): Promise<void> {
    return this.reader.close();
  }
}
