import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Redis } from 'ioredis';

import { ATELIER_CONFIG, type AtelierConfig } from '@atelier/config';
import type { ApiKeyResponse, CreateApiKeyRequest, CreatedApiKeyResponse, WhoAmIResponse } from '@atelier/contracts';
import { badRequest, dependencyUnavailable, InFlight, notFound, type Principal, unauthenticated } from '@atelier/server';

import { generateKey, hashKey, KEY_PATTERN, prefixOf, type Role } from './api-key';
import { ApiKeyRepository, type ApiKeyRow } from './api-key.repository';

/** How long a verified key is trusted from memory; revocations reach every process sooner, by Redis. */
const CACHE_MS = 10_000;
/** lastUsedAt is written at most this often per key and process */
const TOUCH_EVERY_MS = 60_000;
const CACHE_MAX = 10_000;
/** how long a verified key stays usable from memory while the database cannot be asked */
const STALE_MS = 10 * 60_000;

interface Cached {
  row: ApiKeyRow;
  principal: Principal;
  checkedAt: number;
  touchedAt: number;
}

/**
 * API keys: created random and shown once, kept as SHA-256, verified on every request from a
 * short in-memory cache (no database round trip on the hot path), revoked at once in every
 * process through a Redis channel.
 */
@Injectable()
export class ApiKeysService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('auth');
  private readonly cache = new Map<string, Cached>();
  /** database reads under way, by key hash */
  private readonly lookups = new InFlight<string, Cached>();
  /** counts revocations seen, so a read that one overtook is not cached */
  private revocations = 0;
  private readonly subscriber: Redis;
  private readonly publisher: Redis;
  private readonly channel: string;

  constructor(
    @Inject(ATELIER_CONFIG) private readonly config: AtelierConfig,
    private readonly repository: ApiKeyRepository,
  ) {
    this.channel = `${config.namespace}:auth:revoked`;
    this.subscriber = new Redis(config.redisUrl, { lazyConnect: true, maxRetriesPerRequest: null });
    this.publisher = new Redis(config.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false });
    this.subscriber.on('error', () => undefined);
    this.publisher.on('error', () => undefined);
    this.subscriber.on('message', (_channel: string, keyId: string) => this.forget(keyId));
  }

  async onApplicationBootstrap(): Promise<void> {
    // not awaited: a service starts while Redis is away, and the cache's short life bounds staleness
    this.subscriber.connect().then(
      () => this.subscriber.subscribe(this.channel),
      (error: unknown) =>
        this.logger.warn({ msg: 'revocations channel unavailable; cached keys expire by time alone', error: String(error) }),
    );
    this.publisher.connect().catch(() => undefined);
    await this.ensureBootstrapKeys();
  }

  async onModuleDestroy(): Promise<void> {
    this.subscriber.disconnect();
    this.publisher.disconnect();
  }

  /** The principal of a key, or a 401 that does not say which of unknown, revoked or expired. */
  async verify(key: string): Promise<Principal> {
    if (!KEY_PATTERN.test(key)) throw unauthenticated('that is not an Atelier API key (atl_…)');
    const hash = hashKey(key);
    const now = Date.now();
    const cached = this.cache.get(hash);
    const entry = cached && now - cached.checkedAt <= CACHE_MS ? cached : await this.lookUpOnce(hash, cached, now);
    if (entry.row.revokedAt) throw unauthenticated(`API key ${entry.row.prefix}… was revoked`);
    if (entry.row.expiresAt && entry.row.expiresAt.getTime() <= now) throw unauthenticated(`API key ${entry.row.prefix}… expired`);
    if (now - entry.touchedAt > TOUCH_EVERY_MS) {
      entry.touchedAt = now;
      this.repository.touch(entry.row.id, new Date(now)).catch(() => undefined);
    }
    return entry.principal;
  }

  /**
   * One database read per key at a time: the requests that find a key missing or expired meanwhile
   * (every connection of a client, the moment its cached entry ages out) wait for that read.
   */
  private lookUpOnce(hash: string, cached: Cached | undefined, now: number): Promise<Cached> {
    return this.lookups.run(hash, () => this.lookUp(hash, cached, now));
  }

  /**
   * Reads the key from the database into the cache. With the database away, a key this process
   * verified in the last STALE_MS goes on working (so predictions keep answering through a
   * database restart); revocations still arrive by Redis.
   */
  private async lookUp(hash: string, cached: Cached | undefined, now: number): Promise<Cached> {
    const revocations = this.revocations;
    let row: ApiKeyRow | null;
    try {
      row = await this.repository.findByHash(hash);
    } catch (error) {
      if (cached && now - cached.checkedAt <= STALE_MS) return cached;
      throw dependencyUnavailable(`cannot check the API key: the database is unavailable (${String(error)})`);
    }
    if (!row) throw unauthenticated('unknown API key');
    const entry = { row, principal: toPrincipal(row), checkedAt: now, touchedAt: cached?.touchedAt ?? 0 };
    if (this.cache.size >= CACHE_MAX) this.cache.clear();
    // a revocation that arrived during the read may have been read before it: not kept
    if (revocations === this.revocations) this.cache.set(hash, entry);
    return entry;
  }

  async create(request: CreateApiKeyRequest): Promise<CreatedApiKeyResponse> {
    if (request.expiresAt && Date.parse(request.expiresAt) <= Date.now())
      throw badRequest(`expiresAt: ${request.expiresAt} has passed: a key must expire later`);
    const key = generateKey();
    const row = await this.repository.create({
      prefix: prefixOf(key),
      hash: hashKey(key),
      name: request.name,
      owner: request.owner,
      role: request.role,
      expiresAt: request.expiresAt ? new Date(request.expiresAt) : null,
      rateLimitPerSecond: request.rateLimitPerSecond ?? null,
    });
    return { ...toResponse(row), key };
  }

  whoami(principal: Principal): WhoAmIResponse {
    const entry = [...this.cache.values()].find((e) => e.row.id === principal.keyId);
    return {
      id: principal.keyId,
      prefix: principal.prefix,
      name: principal.name,
      owner: principal.owner,
      role: principal.role,
      expiresAt: entry?.row.expiresAt?.toISOString() ?? null,
    };
  }

  async list(): Promise<ApiKeyResponse[]> {
    return (await this.repository.list()).map(toResponse);
  }

  async revoke(id: string): Promise<ApiKeyResponse> {
    const row = await this.repository.revoke(id, new Date());
    if (!row) throw notFound(`no API key ${id}`);
    this.forget(id);
    await this.publisher
      .publish(this.channel, id)
      .catch((error: unknown) =>
        this.logger.warn({
          msg: 'revocation not broadcast; other processes refuse the key within their cache time',
          keyId: id,
          error: String(error),
        }),
      );
    return toResponse(row);
  }

  private forget(keyId: string): void {
    for (const [hash, entry] of this.cache) if (entry.row.id === keyId) this.cache.delete(hash);
    // a read under way may be of the key as it was: the next request reads it again
    this.revocations++;
    this.lookups.clear();
  }

  /** The admin and service keys of the configuration exist (created once; never re-enabled). */
  private async ensureBootstrapKeys(): Promise<void> {
    const { adminKey, serviceKey } = this.config.auth;
    const wanted: Array<{ key: string; name: string; owner: string; role: Role }> = [];
    if (adminKey) wanted.push({ key: adminKey, name: 'first admin', owner: 'admin', role: 'admin' });
    if (serviceKey && serviceKey !== adminKey)
      wanted.push({ key: serviceKey, name: 'services', owner: 'atelier-services', role: 'editor' });
    for (const w of wanted) {
      await this.repository.ensure({ prefix: prefixOf(w.key), hash: hashKey(w.key), name: w.name, owner: w.owner, role: w.role });
    }
  }
}

function toPrincipal(row: ApiKeyRow): Principal {
  return {
    keyId: row.id,
    prefix: row.prefix,
    name: row.name,
    owner: row.owner,
    role: row.role as Role,
    rateLimitPerSecond: row.rateLimitPerSecond,
  };
}

export function toResponse(row: ApiKeyRow): ApiKeyResponse {
  return {
    id: row.id,
    prefix: row.prefix,
    name: row.name,
    owner: row.owner,
    role: row.role as Role,
    createdAt: row.createdAt.toISOString(),
    expiresAt: row.expiresAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    rateLimitPerSecond: row.rateLimitPerSecond,
  };
}
