import { Inject, Injectable } from '@nestjs/common';

import { ATELIER_CONFIG, type AtelierConfig } from '@atelier/config';
import { AtelierApiError, AtelierClient } from '@atelier/sdk';
import { dependencyUnavailable, notFound } from '@atelier/server';

import type { StoredHistogram } from './drift';

/** What monitoring asks the registry: whether a model exists, and its versions' training baselines. */
@Injectable()
export class BaselineClient {
  private readonly registry: AtelierClient;
  private readonly cache = new Map<string, Promise<StoredHistogram | null>>();

  constructor(@Inject(ATELIER_CONFIG) config: AtelierConfig) {
    this.registry = new AtelierClient({ baseUrl: config.urls.registry, apiKey: config.auth.serviceKey });
  }

  /**
   * A monitor watches a registered model: 404 when the registry does not know it, 503 when the
   * registry cannot be asked (nothing is saved either way).
   */
  async requireModel(model: string): Promise<void> {
    try {
      await this.registry.getModel(model);
    } catch (error) {
      if (error instanceof AtelierApiError && error.status === 404) {
        throw notFound(`model "${model}" is not registered; register a version of it before monitoring it`);
      }
      throw dependencyUnavailable(`the model registry could not be asked whether model "${model}" exists; try again shortly`);
    }
  }

  /** The histogram of the version's predictions on its training data; null when it has none. */
  predictionHistogram(model: string, version: number): Promise<StoredHistogram | null> {
    const key = `${model}\u0000${version}`;
    let entry = this.cache.get(key);
    if (!entry) {
      entry = this.registry.getVersion(model, version).then((v) => v.baseline.prediction?.histogram ?? null);
      entry.catch(() => this.cache.delete(key)); // a registry hiccup is retried next time
      this.cache.set(key, entry);
    }
    return entry;
  }
}
