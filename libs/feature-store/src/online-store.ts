import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import Redis from 'ioredis';

import { ATELIER_CONFIG, type AtelierConfig } from '@atelier/config';
import type { FeatureValue } from '@atelier/contracts';
import {
  encodeOnlineRow,
  onlineKey,
  type OnlinePair,
  type OnlineRow,
  onlineStoreMarkerKey,
  OnlineStoreReader,
} from '@atelier/online-store';
import { HealthRegistry } from '@atelier/server';

/**
 * The online store: the newest row per (group, entity key), laid out as `@atelier/online-store`
 * publishes it (serving reads the same keys directly). Writes go through a connection that
 * queues while Redis reconnects; reads through the shared reader, which fails fast instead.
 */
@Injectable()
export class OnlineStore implements OnModuleInit, OnModuleDestroy {
  private readonly redis: Redis;
  private readonly reader: OnlineStoreReader;

  constructor(
    @Inject(ATELIER_CONFIG) private readonly config: AtelierConfig,
    private readonly health: HealthRegistry,
  ) {
    this.redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 2, lazyConnect: false });
    // failures surface on the writes themselves and in /health/ready; this only keeps ioredis quiet
    this.redis.on('error', () => undefined);
    this.reader = new OnlineStoreReader({ redisUrl: config.redisUrl, namespace: config.namespace });
  }

  onModuleInit(): void {
    this.health.register('redis', async () => {
      await this.redis.ping();
    });
  }

  /** Writes rows whose event time is not older than their TTL; returns how many were written. */
  async write(
    group: string,
    ttlSeconds: number,
    rows: Array<{ entityKey: string; eventTime: Date; values: Record<string, FeatureValue> }>,
    now = Date.now(),
  ): Promise<number> {
    let written = 0;
    const pipeline = this.redis.pipeline();
    for (const row of rows) {
      const remaining = Math.floor((row.eventTime.getTime() + ttlSeconds * 1000 - now) / 1000);
      if (remaining <= 0) continue;
      const payload: OnlineRow = { eventTime: row.eventTime.toISOString(), values: row.values };
      pipeline.set(onlineKey(this.config.namespace, group, row.entityKey), encodeOnlineRow(payload), 'EX', remaining);
      written++;
    }
    if (written > 0) await pipeline.exec();
    return written;
  }

  /**
   * Writes each row unless the store holds a newer one for its entity (by event time): what a
   * stream delivers late or again never replaces a newer value. Rows are the newest per entity.
   */
  async writeIfNewer(
    group: string,
    ttlSeconds: number,
    rows: Array<{ entityKey: string; eventTime: Date; values: Record<string, FeatureValue> }>,
  ): Promise<number> {
    const current = await this.reader.read(rows.map((r) => ({ group, entityKey: r.entityKey })));
    const newer = rows.filter((row, i) => {
      const stored = current[i];
      return !stored || Date.parse(stored.eventTime) <= row.eventTime.getTime();
    });
    return newer.length > 0 ? this.write(group, ttlSeconds, newer) : 0;
  }

  /** Reads many (group, key) pairs in one round trip; missing or expired ones are null. */
  read(pairs: OnlinePair[]): Promise<Array<OnlineRow | null>> {
    return this.reader.read(pairs);
  }

  /**
   * Sets the marker if it is missing; true when this call set it (the store was empty, or new).
   * Atomic: of several processes checking at once, one gets true.
   */
  async claimEmptyMarker(at: Date): Promise<boolean> {
    return (await this.redis.set(onlineStoreMarkerKey(this.config.namespace), at.toISOString(), 'NX')) === 'OK';
  }

  /** Removes the marker, so the next check tries the recovery again. */
  async dropMarker(): Promise<void> {
    await this.redis.del(onlineStoreMarkerKey(this.config.namespace));
  }

  /** Tells every process holding cached group definitions that this group changed. */
  async announceGroupChange(channel: string, group: string): Promise<void> {
    await this.redis.publish(channel, group);
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all([this.redis.quit().catch(() => undefined), this.reader.close()]);
  }
}
