import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import Redis from 'ioredis';

import { ATELIER_CONFIG, type AtelierConfig } from '@atelier/config';
import { groupChangesChannel } from '@atelier/online-store';

import { FeatureStoreRepository, type StoredGroup } from './feature-store.repository';
import { OnlineStore } from './online-store';

/**
 * Feature-group definitions in memory, so reading online features runs no database query.
 * A change is announced on a Redis channel and every process drops its copy; after a lost
 * subscription (Redis restarted) the whole cache is dropped, since announcements may be missed.
 */
@Injectable()
export class FeatureGroupCache implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('feature-store');
  private readonly groups = new Map<string, StoredGroup>();
  private readonly channel: string;
  private readonly subscriber: Redis;

  constructor(
    private readonly repository: FeatureStoreRepository,
    private readonly online: OnlineStore,
    @Inject(ATELIER_CONFIG) config: AtelierConfig,
  ) {
    this.channel = groupChangesChannel(config.namespace);
    this.subscriber = new Redis(config.redisUrl, { lazyConnect: true, maxRetriesPerRequest: null });
  }

  onModuleInit(): void {
    this.subscriber.on('message', (_channel: string, group: string) => this.groups.delete(group));
    this.subscriber.on('ready', () => this.groups.clear());
    this.subscriber.on('error', (error: Error) => this.logger.debug({ msg: 'group-change subscription', error: error.message }));
    // not awaited: the service starts while Redis is away, and the subscription follows when it returns
    this.subscriber.connect().catch(() => undefined);
    this.subscriber.subscribe(this.channel).catch(() => undefined);
  }

  /** The named groups that exist; unknown names are looked up again next time. */
  async get(names: readonly string[]): Promise<Map<string, StoredGroup>> {
    const missing = names.filter((n) => !this.groups.has(n));
    if (missing.length > 0) {
      for (const group of await this.repository.findGroups(missing)) this.groups.set(group.name, group);
    }
    const found = new Map<string, StoredGroup>();
    for (const name of names) {
      const group = this.groups.get(name);
      if (group) found.set(name, group);
    }
    return found;
  }

  /** After a write to a group's definition: drop it here and in every other process. */
  async changed(group: string): Promise<void> {
    this.groups.delete(group);
    await this.online.announceGroupChange(this.channel, group);
  }

  async onModuleDestroy(): Promise<void> {
    await this.subscriber.quit().catch(() => this.subscriber.disconnect());
  }
}
