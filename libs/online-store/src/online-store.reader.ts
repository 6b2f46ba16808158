import Redis from 'ioredis';

import { dependencyUnavailable } from '@atelier/server';

import { decodeOnlineRow, onlineKey, type OnlineRow } from './online-key';

export interface OnlinePair {
  group: string;
  entityKey: string;
}

export interface OnlineStoreReaderOptions {
  redisUrl: string;
  namespace: string;
  /** longest wait for one read before it counts as unavailable */
  timeoutMs?: number;
}

/**
 * Reads the online store directly — the library serving and the feature store's own HTTP route
 * share. Commands are never queued while Redis is away (no offline queue, no retries): a read
 * fails at once and the client keeps reconnecting in the background, so requests answer a fast
 * 503 during an outage and recover by themselves when Redis returns.
 */
export class OnlineStoreReader {
  readonly redis: Redis;
  private readonly namespace: string;

  constructor(options: OnlineStoreReaderOptions) {
    this.namespace = options.namespace;
    this.redis = new Redis(options.redisUrl, {
      enableOfflineQueue: false,
      // reads issued in the same event-loop turn share one write to Redis
      enableAutoPipelining: true,
      maxRetriesPerRequest: 0,
      commandTimeout: options.timeoutMs ?? 1000,
      retryStrategy: (attempt) => Math.min(50 * attempt, 1000),
    });
    // errors surface on the reads themselves; without a listener ioredis logs every reconnect
    this.redis.on('error', () => undefined);
  }

  /** Many (group, key) pairs in one round trip; missing or expired ones are null. */
  async read(pairs: readonly OnlinePair[]): Promise<Array<OnlineRow | null>> {
    if (pairs.length === 0) return [];
    let raw: Array<string | null>;
    try {
      raw = await this.redis.mget(pairs.map((p) => onlineKey(this.namespace, p.group, p.entityKey)));
    } catch (error) {
      // a fast 503 rather than a wait for the reconnect
      throw dependencyUnavailable(`the online store (Redis) did not answer: ${error instanceof Error ? error.message : String(error)}`);
    }
    return raw.map(decodeOnlineRow);
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
