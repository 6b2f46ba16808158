import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';

import { ATELIER_CONFIG, type AtelierConfig } from '@atelier/config';
import { AtelierApiError } from '@atelier/sdk';
import { HealthRegistry } from '@atelier/server';

import { ModelCache } from './model-cache';

/** How long a starting process keeps asking a registry it cannot reach before it stops waiting. */
export const PRELOAD_WAIT_MS = 30_000;

/**
 * Loads every model's production version when a serving process starts (`SERVING_PRELOAD`), and
 * holds the process's readiness until then, as a model server loads its models before it takes
 * traffic: a replica added under load, or restarted, answers its first requests without a
 * registry call and a session creation behind each. In the one-process platform the registry
 * answers on the same port a moment after bootstrap, so an unreachable registry is asked again
 * (backing off to 2 s) for `PRELOAD_WAIT_MS`; a registry that answers with an error, or does not
 * answer by then, leaves every model to load at its first request, as with `none`. Readiness
 * never waits longer than that.
 */
@Injectable()
export class ModelPreloader implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('serving');
  private loading: Promise<void> | undefined;
  private stopped = false;

  constructor(
    @Inject(ATELIER_CONFIG) private readonly config: AtelierConfig,
    private readonly cache: ModelCache,
    private readonly health: HealthRegistry,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.serving.preload) return;
    let done = false;
    this.health.register('models', async () => {
      if (!done) throw new Error('loading the production version of every model');
    });
    this.loading = this.preload().finally(() => (done = true));
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    await this.loading;
  }

  private async preload(): Promise<void> {
    const started = Date.now();
    for (let attempt = 0; !this.stopped; attempt++) {
      try {
        const { loaded, failed } = await this.cache.preloadProduction();
        const ms = Date.now() - started;
        this.logger.log({ msg: 'production models loaded', models: loaded.length, ms });
        for (const f of failed) this.logger.warn({ msg: 'model not preloaded; it loads at its first request', ...f });
        return;
      } catch (error) {
        const answered = error instanceof AtelierApiError;
        if (answered || Date.now() - started >= PRELOAD_WAIT_MS) {
          this.logger.warn({ msg: 'models not preloaded; each loads at its first request', error: String(error) });
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, Math.min(2000, 50 * 2 ** attempt)));
      }
    }
  }
}
