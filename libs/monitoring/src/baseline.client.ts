import { Inject, Injectable } from '@nestjs/common';

import { ATELIER_CONFIG, type AtelierConfig } from '@atelier/config';
import { type ModelBaseline, PRIMARY_ALIAS, type ServingTask } from '@atelier/contracts';
import { AtelierApiError, AtelierClient } from '@atelier/sdk';
import { dependencyUnavailable, notFound } from '@atelier/server';

import type { StoredHistogram } from './drift';

/** How long monitoring trusts what it last heard of a model's live version, and waits to hear it. */
const LIVE_TTL_MS = 30_000;
const LIVE_WAIT_MS = 5_000;

/** The version whose traffic a model's monitors watch: the one production serves, else the newest. */
export interface LiveVersion {
  version: number;
  task: ServingTask;
  /** true when the production alias points at it; false when it is the newest of a model without one */
  production: boolean;
}

/** What monitoring asks the registry: whether a model exists, and its versions' training baselines. */
@Injectable()
export class BaselineClient {
  private readonly registry: AtelierClient;
  private readonly cache = new Map<string, Promise<ModelBaseline>>();
  private readonly live = new Map<string, { at: number; answer: Promise<LiveVersion | null> }>();

  constructor(@Inject(ATELIER_CONFIG) config: AtelierConfig) {
    this.registry = new AtelierClient({ baseUrl: config.urls.registry, apiKey: config.auth.serviceKey, timeoutMs: config.serviceCallTimeoutMs });
  }

  /** Live figures and drift are of a registered model: 404 when the registry does not know it, 503 when it cannot be asked. */
  async requireModel(model: string): Promise<void> {
    try {
      await this.registry.getModel(model);
    } catch (error) {
      throw this.refusal(error, model, `model "${model}" does not exist`);
    }
  }

  /**
   * The version whose traffic the model's monitors watch (the one production serves, else the
   * newest) with its task, asked now — as a monitor is created, so that it is checked against
   * what it will be judged by; null while the model has no version. 404 when the registry does
   * not know the model, 503 when it cannot be asked.
   */
  async liveVersion(model: string): Promise<LiveVersion | null> {
    try {
      return await this.askLive(model);
    } catch (error) {
      throw this.refusal(error, model);
    }
  }

  /**
   * `liveVersion` remembered for LIVE_TTL_MS (monitors ask on every evaluation and listing), and
   * null when the registry cannot say (nothing is judged by it then).
   */
  async recentLive(model: string): Promise<LiveVersion | null> {
    const kept = this.live.get(model);
    if (kept && Date.now() - kept.at < LIVE_TTL_MS) return kept.answer;
    // not known (registry away, or slow to answer): null, asked again after the TTL
    const settled = Promise.race([
      this.askLive(model),
      new Promise<null>((resolve) => setTimeout(resolve, LIVE_WAIT_MS, null).unref()),
    ]).catch(() => null);
    this.live.set(model, { at: Date.now(), answer: settled });
    return settled;
  }

  /** Drops what `recentLive` remembers of a model: its aliases or versions changed (`LiveVersionWatch`). */
  forgetLive(model: string): void {
    this.live.delete(model);
  }

  private async askLive(model: string): Promise<LiveVersion | null> {
    const { latestVersion, aliases } = await this.registry.getModel(model);
    const production = aliases[PRIMARY_ALIAS];
    const version = production ?? latestVersion;
    if (version === null) return null;
    return { version, task: (await this.registry.getVersion(model, version)).signature.task, production: production !== undefined };
  }

  /** The histogram of the version's predictions on its training data; null when it has none. */
  async predictionHistogram(model: string, version: number): Promise<StoredHistogram | null> {
    return (await this.versionBaseline(model, version)).prediction?.histogram ?? null;
  }

  /** The version's training baseline (kept: a version's baseline never changes). Unknown version: 404, registry away: 503. */
  async versionBaseline(model: string, version: number): Promise<ModelBaseline> {
    const key = `${model}\u0000${version}`;
    let entry = this.cache.get(key);
    if (!entry) {
      entry = this.registry.getVersion(model, version).then((v) => v.baseline);
      entry.catch(() => this.cache.delete(key)); // a registry hiccup is retried next time
      this.cache.set(key, entry);
    }
    try {
      return await entry;
    } catch (error) {
      throw error instanceof AtelierApiError && error.status === 404
        ? notFound(`model "${model}" has no version ${version}`)
        : dependencyUnavailable(`the model registry could not be asked about model "${model}"; try again shortly`);
    }
  }

  /** The baseline of the model's newest version; null while it has none. Unknown model: 404, registry away: 503. */
  async newestBaseline(model: string): Promise<ModelBaseline | null> {
    let latest: number | null;
    try {
      latest = (await this.registry.getModel(model)).latestVersion;
    } catch (error) {
      throw this.refusal(error, model);
    }
    return latest === null ? null : this.versionBaseline(model, latest);
  }

  private refusal(
    error: unknown,
    model: string,
    unknown = `model "${model}" is not registered; register a version of it before monitoring it`,
  ): Error {
    if (error instanceof AtelierApiError && error.status === 404) return notFound(unknown);
    return dependencyUnavailable(`the model registry could not be asked about model "${model}"; try again shortly`);
  }
}
