import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import Redis from 'ioredis';

import { ATELIER_CONFIG, type AtelierConfig } from '@atelier/config';
import { groupChangesChannel } from '@atelier/online-store';
import { InFlight } from '@atelier/server';

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
  /** lookups under way, by group name */
  private readonly lookups = new InFlight<string, StoredGroup | undefined>();
  /** per source group, the aggregation groups over it: dropped on any change, since a new one names another group */
  private readonly aggregations = new Map<string, StoredGroup[]>();
  /** counts drops, so a lookup that a change overtook is not kept */
  private generation = 0;
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
    this.subscriber.on('message', (_channel: string, group: string) => this.drop(group));
    this.subscriber.on('ready', () => {
      this.groups.clear();
      this.lookups.clear();
      this.aggregations.clear();
      this.generation++;
    });
    this.subscriber.on('error', (error: Error) => this.logger.debug({ msg: 'group-change subscription', error: error.message }));
    // not awaited: the service starts while Redis is away, and the subscription follows when it returns
    this.subscriber.connect().catch(() => undefined);
    this.subscriber.subscribe(this.channel).catch(() => undefined);
  }

  /**
   * The named groups that exist; unknown names are looked up again next time. Concurrent requests
   * that miss the same name share one lookup (a cold process under load asks once, not once per
   * request); a lookup that a change overtook answers its callers but is not kept.
   */
  async get(names: readonly string[]): Promise<Map<string, StoredGroup>> {
    const missing = names.filter((n) => !this.groups.has(n) && !this.lookups.has(n));
    if (missing.length > 0) this.lookUp(missing);
    // taken at once: a change that drops a name while this waits must not make it look unknown
    const groups = await Promise.all(names.map((n) => this.groups.get(n) ?? this.lookups.get(n)));
    const found = new Map<string, StoredGroup>();
    names.forEach((name, i) => groups[i] && found.set(name, groups[i]));
    return found;
  }

  /** One query for `names`; each name's answer is shared, through `lookups`, until it settles. */
  private lookUp(names: string[]): void {
    const generation = this.generation;
    const query = this.repository.findGroups(names).then((groups) => new Map(groups.map((g) => [g.name, g])));
    for (const name of names) {
      void this.lookups.run(name, async () => {
        const group = (await query).get(name);
        if (group && generation === this.generation) this.groups.set(name, group);
        return group;
      });
    }
  }

  /** The aggregation groups computed from `source`'s rows (usually none: one query per source until a group changes). */
  async aggregationsOf(source: string): Promise<StoredGroup[]> {
    const known = this.aggregations.get(source);
    if (known) return known;
    const generation = this.generation;
    const found = await this.repository.findAggregationsOf(source);
    if (generation === this.generation) this.aggregations.set(source, found);
    return found;
  }

  /** After a write to a group's definition: drop it here and in every other process. */
  async changed(group: string): Promise<void> {
    this.drop(group);
    await this.online.announceGroupChange(this.channel, group);
  }

  private drop(group: string): void {
    this.groups.delete(group);
    this.lookups.forget(group);
    this.aggregations.clear();
    this.generation++;
  }

  async onModuleDestroy(): Promise<void> {
    await this.subscriber.quit().catch(() => this.subscriber.disconnect());
  }
}
