import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { Redis } from 'ioredis';

import { ATELIER_CONFIG, type AtelierConfig } from '@atelier/config';
import { MetricsService, type Principal } from '@atelier/server';

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/** INCR, and the counter's expiry when this made it: one command, one round trip. */
const TAKE_SCRIPT = "local n = redis.call('INCR', KEYS[1]) if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end return n";

type TakingRedis = Redis & { takeRate(counter: string, ttlSeconds: number): Promise<number> };

/**
 * Per-key request rates on prediction routes, shared by every process through Redis: one counter
 * per key and second (a script that increments it and sets its expiry, in one round trip). Keys
 * without a limit cost nothing. When Redis is away the limit is not enforced (predictions go on;
 * a metric counts it). Not `MULTI`: each of ioredis's pipelines defines a getter of its own,
 * which keeps it and the request awaiting it alive until V8's next full collection.
 */
@Injectable()
export class RateLimiter implements OnModuleDestroy {
  private readonly logger = new Logger('auth.rate-limit');
  private readonly redis: TakingRedis;
  private readonly unenforced;
  private readonly refused;

  constructor(
    @Inject(ATELIER_CONFIG) private readonly config: AtelierConfig,
    metrics: MetricsService,
  ) {
    const redis = new Redis(config.redisUrl, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      commandTimeout: 200,
    });
    redis.defineCommand('takeRate', { numberOfKeys: 1, lua: TAKE_SCRIPT });
    this.redis = redis as TakingRedis;
    this.redis.on('error', () => undefined);
    this.redis.connect().catch(() => undefined);
    this.unenforced = metrics.counter('atelier_rate_limit_unenforced_total', 'requests let through unchecked because Redis was unavailable');
    this.refused = metrics.counter('atelier_rate_limited_total', 'requests refused over their key\'s rate limit', ['key']);
  }

  async take(principal: Principal, now = Date.now()): Promise<RateDecision> {
    const limit = principal.rateLimitPerSecond;
    if (limit === null) return { allowed: true };
    const second = Math.floor(now / 1000);
    const counter = `${this.config.namespace}:rate:${principal.keyId}:${second}`;
    try {
      const count = Number(await this.redis.takeRate(counter, 2));
      if (count <= limit) return { allowed: true };
      this.refused.inc({ key: principal.prefix });
      return { allowed: false, retryAfterSeconds: 1 };
    } catch (error) {
      this.unenforced.inc();
      this.logger.debug({ msg: 'rate limit not enforced', error: String(error) });
      return { allowed: true };
    }
  }

  onModuleDestroy(): void {
    this.redis.disconnect();
  }
}
