import { describe, expect, it, vi } from 'vitest';

import { loadConfig } from '@atelier/config';
import type { ModelVersionDetail } from '@atelier/contracts';

import { ModelCache, type ServedModel } from './model-cache';

const detail = (version: number) => ({ model: 'flight-delay', version }) as ModelVersionDetail;
const served = (version: number) => ({ detail: detail(version) }) as ServedModel;

/**
 * A cache whose registry answers when the spec says so, and whose versions "load" at once: what
 * is checked here is how aliases are resolved, not how sessions are made.
 */
function aCache() {
  const cache = new ModelCache(loadConfig({}));
  const answers: Array<(version: number) => void> = [];
  const resolveAlias = vi.fn(() => new Promise<ModelVersionDetail>((resolve) => answers.push((version) => resolve(detail(version)))));
  (cache as unknown as { registry: { resolveAlias: typeof resolveAlias } }).registry.resolveAlias = resolveAlias;
  vi.spyOn(cache, 'byVersion').mockImplementation(async (_model, version) => served(version));
  const answer = (i: number, version: number) => answers[i]!(version);
  return { cache, resolveAlias, answer };
}

describe('ModelCache.byAlias', () => {
  it('asks the registry once for an alias that many requests name at once, and not again after', async () => {
    const { cache, resolveAlias, answer } = aCache();
    const requests = Array.from({ length: 100 }, () => cache.byAlias('flight-delay', 'production'));
    expect(resolveAlias).toHaveBeenCalledTimes(1);
    answer(0, 3);
    expect((await Promise.all(requests)).map((s) => s.detail.version)).toEqual(Array(100).fill(3));
    expect((await cache.byAlias('flight-delay', 'production')).detail.version).toBe(3);
    expect(resolveAlias).toHaveBeenCalledTimes(1);
  });

  it('lets the next request ask again after a failed resolution', async () => {
    const { cache, resolveAlias, answer } = aCache();
    resolveAlias.mockRejectedValueOnce(new Error('connect ECONNREFUSED'));
    const failed = await Promise.allSettled([cache.byAlias('flight-delay', 'production'), cache.byAlias('flight-delay', 'production')]);
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(resolveAlias).toHaveBeenCalledTimes(1);
    const next = cache.byAlias('flight-delay', 'production');
    answer(0, 4);
    expect((await next).detail.version).toBe(4);
    expect(resolveAlias).toHaveBeenCalledTimes(2);
  });

  it('keeps an alias moved by an event during the registry call, not the older answer', async () => {
    const { cache, answer } = aCache();
    const first = cache.byAlias('flight-delay', 'production');
    await cache.moveAlias('flight-delay', 'production', 5);
    answer(0, 4); // read before the move
    expect((await first).detail.version).toBe(4);
    expect((await cache.byAlias('flight-delay', 'production')).detail.version).toBe(5);
  });

  it('forgets an alias removed during the registry call', async () => {
    const { cache, resolveAlias, answer } = aCache();
    const first = cache.byAlias('flight-delay', 'staging');
    cache.forgetAlias('flight-delay', 'staging');
    answer(0, 2);
    await first;
    const next = cache.byAlias('flight-delay', 'staging');
    expect(resolveAlias).toHaveBeenCalledTimes(2);
    answer(1, 6);
    expect((await next).detail.version).toBe(6);
  });
});
