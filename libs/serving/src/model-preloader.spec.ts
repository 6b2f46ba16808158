import { afterEach, describe, expect, it, vi } from 'vitest';

import { loadConfig } from '@atelier/config';
import type { ModelResponse, ModelVersionDetail } from '@atelier/contracts';
import { AtelierApiError } from '@atelier/sdk';
import { HealthRegistry } from '@atelier/server';

import { ModelCache, type ServedModel, type TrafficSplit } from './model-cache';
import { ModelPreloader, PRELOAD_WAIT_MS } from './model-preloader';

const modelOf = (name: string, aliases: Record<string, number>) => ({ name, aliases }) as ModelResponse;
const served = (model: string, version: number) => ({ detail: { model, version } as ModelVersionDetail }) as ServedModel;

/** A cache over a fake registry listing `models`; versions "load" at once unless `broken` names them. */
function aCache(models: ModelResponse[], splits: Record<string, TrafficSplit> = {}, broken = new Set<string>()) {
  const cache = new ModelCache(loadConfig({}));
  const listModels = vi.fn(async () => models);
  (cache as unknown as { registry: { listModels: typeof listModels } }).registry.listModels = listModels;
  const loads: string[] = [];
  const load = async (model: string, version: number) => {
    if (broken.has(`${model}@${version}`)) throw new Error(`artifact of ${model} v${version} does not match its sha256`);
    loads.push(`${model}@${version}`);
    return served(model, version);
  };
  vi.spyOn(cache, 'byAlias').mockImplementation(async (model) => load(model, models.find((m) => m.name === model)!.aliases.production!));
  vi.spyOn(cache, 'byVersion').mockImplementation(async (model, version) => load(model, version));
  vi.spyOn(cache, 'split').mockImplementation(async (model) => splits[model] ?? null);
  return { cache, listModels, loads };
}

describe('ModelCache.preloadProduction', () => {
  it("loads each model's production version and its canary's and shadow's, and skips models without production", async () => {
    const { cache, loads } = aCache(
      [modelOf('flight-delay', { production: 3, staging: 4 }), modelOf('draft', { staging: 1 }), modelOf('churn', { production: 1 })],
      { 'flight-delay': { canary: { version: 4, percent: 10, key: null }, shadow: { version: 2 } } as unknown as TrafficSplit },
    );
    expect(await cache.preloadProduction()).toEqual({ loaded: ['flight-delay', 'churn'], failed: [] });
    expect(loads).toEqual(['flight-delay@3', 'flight-delay@4', 'flight-delay@2', 'churn@1']);
  });

  it('reports a model that fails to load and goes on with the others', async () => {
    const { cache, loads } = aCache([modelOf('a', { production: 1 }), modelOf('b', { production: 2 })], {}, new Set(['a@1']));
    expect(await cache.preloadProduction()).toEqual({
      loaded: ['b'],
      failed: [{ model: 'a', error: 'artifact of a v1 does not match its sha256' }],
    });
    expect(loads).toEqual(['b@2']);
  });
});

describe('ModelPreloader', () => {
  afterEach(() => vi.useRealTimers());

  const aPreloader = (preload: () => Promise<{ loaded: string[]; failed: Array<{ model: string; error: string }> }>, env = {}) => {
    const health = new HealthRegistry();
    const cache = { preloadProduction: vi.fn(preload) } as unknown as ModelCache;
    const preloader = new ModelPreloader(loadConfig(env), cache, health);
    return { preloader, health, preloadProduction: cache.preloadProduction as ReturnType<typeof vi.fn> };
  };

  it('holds readiness until the models are loaded', async () => {
    let finish!: () => void;
    const { preloader, health } = aPreloader(() => new Promise((resolve) => (finish = () => resolve({ loaded: ['a'], failed: [] }))));
    preloader.onApplicationBootstrap();
    expect((await health.run()).checks.models).toEqual({ status: 'down', error: 'loading the production version of every model' });
    finish();
    await vi.waitFor(async () => expect((await health.run()).status).toBe('ok'));
  });

  it('asks a registry it cannot reach again, and is ready once it answers', async () => {
    let calls = 0;
    const { preloader, health, preloadProduction } = aPreloader(async () => {
      if (++calls < 3) throw new TypeError('fetch failed: connect ECONNREFUSED 127.0.0.1:3000');
      return { loaded: [], failed: [] };
    });
    preloader.onApplicationBootstrap();
    await vi.waitFor(async () => expect((await health.run()).status).toBe('ok'));
    expect(preloadProduction).toHaveBeenCalledTimes(3);
  });

  it('stops at once when the registry answers with an error (a refused key): every model loads at first use', async () => {
    const { preloader, health, preloadProduction } = aPreloader(async () => {
      throw new AtelierApiError(401, { code: 'UNAUTHENTICATED', message: 'unknown API key' } as never);
    });
    preloader.onApplicationBootstrap();
    await vi.waitFor(async () => expect((await health.run()).status).toBe('ok'));
    expect(preloadProduction).toHaveBeenCalledTimes(1);
  });

  it(`stops waiting for an unreachable registry after ${PRELOAD_WAIT_MS / 1000} s`, async () => {
    vi.useFakeTimers();
    const { preloader, health, preloadProduction } = aPreloader(async () => {
      throw new TypeError('fetch failed');
    });
    preloader.onApplicationBootstrap();
    await vi.advanceTimersByTimeAsync(PRELOAD_WAIT_MS - 3000);
    expect((await health.run()).status).toBe('error');
    await vi.advanceTimersByTimeAsync(5000); // the last pause (2 s at most) may end past the limit
    vi.useRealTimers();
    expect((await health.run()).status).toBe('ok');
    expect(preloadProduction.mock.calls.length).toBeGreaterThan(10);
  });

  it('registers no check and loads nothing with SERVING_PRELOAD=none', async () => {
    const { preloader, health, preloadProduction } = aPreloader(async () => ({ loaded: [], failed: [] }), { SERVING_PRELOAD: 'none' });
    preloader.onApplicationBootstrap();
    expect((await health.run()).checks).toEqual({});
    expect(preloadProduction).not.toHaveBeenCalled();
  });
});
