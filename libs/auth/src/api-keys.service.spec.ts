import { afterEach, describe, expect, it, vi } from 'vitest';

import { loadConfig } from '@atelier/config';

import { generateKey, hashKey, prefixOf } from './api-key';
import type { ApiKeyRepository, ApiKeyRow } from './api-key.repository';
import { ApiKeysService } from './api-keys.service';

const key = generateKey();
const row = (revokedAt: Date | null = null) =>
  ({
    id: 'k1',
    prefix: prefixOf(key),
    hash: hashKey(key),
    name: 'checkout',
    owner: 'payments',
    role: 'predictor',
    rateLimitPerSecond: null,
    expiresAt: null,
    revokedAt,
    lastUsedAt: null,
    createdAt: new Date(),
  }) as ApiKeyRow;

/** A service whose database reads wait until the spec answers them (Redis is never connected here). */
function aService() {
  const reads: Array<(row: ApiKeyRow | null) => void> = [];
  const repository = {
    findByHash: vi.fn(() => new Promise<ApiKeyRow | null>((resolve) => reads.push(resolve))),
    touch: vi.fn(async () => undefined),
    revoke: vi.fn(async () => row(new Date())),
  };
  const service = new ApiKeysService(loadConfig({}), repository as unknown as ApiKeyRepository);
  return { service, repository, answer: (i: number, r: ApiKeyRow | null) => reads[i]!(r) };
}

describe('ApiKeysService.verify', () => {
  afterEach(() => vi.useRealTimers());

  it('reads a key once for the requests that arrive while it is read, then from memory', async () => {
    const { service, repository, answer } = aService();
    const requests = Array.from({ length: 50 }, () => service.verify(key));
    expect(repository.findByHash).toHaveBeenCalledTimes(1);
    answer(0, row());
    expect((await Promise.all(requests)).every((p) => p.keyId === 'k1')).toBe(true);
    await service.verify(key);
    expect(repository.findByHash).toHaveBeenCalledTimes(1);
  });

  it('reads it once again when the cached entry ages out under load', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { service, repository, answer } = aService();
    const first = service.verify(key);
    answer(0, row());
    await first;
    vi.setSystemTime(Date.now() + 11_000);
    const requests = Array.from({ length: 20 }, () => service.verify(key));
    expect(repository.findByHash).toHaveBeenCalledTimes(2);
    answer(1, row());
    expect(await Promise.all(requests)).toHaveLength(20);
  });

  it('refuses every waiting request with the one read when the key is unknown', async () => {
    const { service, repository, answer } = aService();
    const requests = Array.from({ length: 5 }, () => service.verify(key));
    answer(0, null);
    const outcomes = await Promise.allSettled(requests);
    expect(outcomes.map((o) => o.status)).toEqual(Array(5).fill('rejected'));
    expect(repository.findByHash).toHaveBeenCalledTimes(1);
  });

  it('does not cache a read that a revocation overtook: the next request reads the key again', async () => {
    const { service, repository, answer } = aService();
    const during = service.verify(key);
    await service.revoke('k1');
    answer(0, row()); // read before the revocation was written
    await during;
    const after = service.verify(key);
    expect(repository.findByHash).toHaveBeenCalledTimes(2);
    answer(1, row(new Date()));
    await expect(after).rejects.toThrow(/was revoked/);
  });
});
