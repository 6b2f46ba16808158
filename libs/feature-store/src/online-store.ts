import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import Redis from 'ioredis';

import { ATELIER_CONFIG, type AtelierConfig } from '@atelier/config';
import type { FeatureValue } from '@atelier/contracts';
import { HealthRegistry } from '@atelier/server';

export interface OnlineRow {
  eventTime: string;
  values: Record<string, FeatureValue>;
}

/**
 * The online store: the newest row per (group, entity key) as one JSON string with the group's
 * TTL, so any set of groups and keys is read with one MGET — one Redis round trip.
 */
@Injectable()
export class OnlineStore implements OnModuleInit, OnModuleDestroy {
  private readonly redis: Redis;

  constructor(
    @Inject(ATELIER_CONFIG) private readonly config: AtelierConfig,
    private readonly health: HealthRegistry,
  ) {
    this.redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 2, lazyConnect: false });
  }

  onModuleInit(): void {
    this.health.register('redis', async () => {
      await this.redis.ping();
    });
  }

  private key(group: string, entityKey: string): string {
    return `${this.config.namespace}:online:${group}:${entityKey}`;
  }

  /** Writes rows whose event time is not older than their TTL; returns how many were written. */
  async write(group: string, ttlSeconds: number, rows: Array<{ entityKey: string; eventTime: Date; values: Record<string, FeatureValue> }>, now = Date.now()): Promise<number> {
    let written = 0;
    const pipeline = this.redis.pipeline();
    for (const row of rows) {
      const remaining = Math.floor((row.eventTime.getTime() + ttlSeconds * 1000 - now) / 1000);
      if (remaining <= 0) continue;
      const payload: OnlineRow = { eventTime: row.eventTime.toISOString(), values: row.values };
      pipeline.set(this.key(group, row.entityKey), JSON.stringify(payload), 'EX', remaining);
      written++;
    }
    if (written > 0) await pipeline.exec();
    return written;
  }

  /** Reads many (group, key) pairs in one round trip; missing or expired ones are null. */
  async read(pairs: Array<{ group: string; entityKey: string }>): Promise<Array<OnlineRow | null>> {
    if (pairs.length === 0) return [];
    const raw = await this.redis.mget(pairs.map((p) => this.key(p.group, p.entityKey)));
    return raw.map((r) => (r ? (JSON.parse(r) as OnlineRow) : null));
  }

  async onModuleDestroy(): Promise<void> {
    await this.redis.quit().catch(() => undefined);
  }
}
