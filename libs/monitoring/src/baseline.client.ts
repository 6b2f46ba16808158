import { Inject, Injectable } from '@nestjs/common';

import { ATELIER_CONFIG, type AtelierConfig } from '@atelier/config';
import { AtelierClient } from '@atelier/sdk';

import type { StoredHistogram } from './drift';

/** The training baselines of model versions, read from the registry once per version. */
@Injectable()
export class BaselineClient {
  private readonly registry: AtelierClient;
  private readonly cache = new Map<string, Promise<StoredHistogram | null>>();

  constructor(@Inject(ATELIER_CONFIG) config: AtelierConfig) {
    this.registry = new AtelierClient({ baseUrl: config.urls.registry, apiKey: config.auth.serviceKey });
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
