import { createHash } from 'node:crypto';

import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Tensor } from 'onnxruntime-node';

import { ATELIER_CONFIG, type AtelierConfig } from '@atelier/config';
import { type CanarySplit, type LoadedModel, type ModelVersionDetail, PRIMARY_ALIAS, type ShadowCopy } from '@atelier/contracts';
import { type OnnxGraph, servableOnnx } from '@atelier/ml';
import { AtelierApiError, AtelierClient } from '@atelier/sdk';
import { dependencyUnavailable, InFlight, notFound } from '@atelier/server';

import { type InferencePlan, planInference } from './inference-plan';
import { feedTensors } from './model-tensors';
import { chooseRunner, type OnnxRunner } from './onnx-runner';

/** How the production alias of a model splits its traffic; null: it answers everything. */
export interface TrafficSplit {
  canary: CanarySplit | null;
  shadow: ShadowCopy | null;
}

export interface ServedModel {
  detail: ModelVersionDetail;
  runner: OnnxRunner;
  /** fastest single-row run time measured at load, which chose the runner */
  probeMs: number;
  plan: InferencePlan;
  /** the graph as served: a ZipMap output replaced by the probability tensor it reads */
  graph: OnnxGraph;
  /** a ZipMap output's name → the probability tensor served in its place */
  outputNames: ReadonlyMap<string, string>;
  sha256: string;
  loadedAt: Date;
}

/**
 * ONNX sessions by model version, and which version each alias points at. An alias is resolved
 * through the registry the first time it is asked for; after that it moves only when the
 * registry announces it (Kafka `alias-moved`), and the new version is loaded before the alias
 * switches, so requests never wait for a load after the first.
 */
@Injectable()
export class ModelCache {
  private readonly logger = new Logger('serving');
  private readonly versions = new Map<string, Promise<ServedModel>>();
  private readonly aliases = new Map<string, number>();
  /** aliases being resolved through the registry, by model and alias */
  private readonly resolving = new InFlight<string, ServedModel>();
  /** counts alias events, so a resolution that one overtook is not kept */
  private aliasMoves = 0;
  /** by model: its split, asked of the registry on first use, then moved by `deployment-changed` */
  private readonly splits = new Map<string, Promise<TrafficSplit | null>>();
  private readonly registry: AtelierClient;

  constructor(@Inject(ATELIER_CONFIG) private readonly config: AtelierConfig) {
    this.registry = new AtelierClient({ baseUrl: config.urls.registry, apiKey: config.auth.serviceKey, timeoutMs: config.serviceCallTimeoutMs });
  }

  async byAlias(model: string, alias: string): Promise<ServedModel> {
    const k = key(model, alias);
    const version = this.aliases.get(k);
    if (version !== undefined) return this.byVersion(model, version);
    return this.resolving.run(k, () => this.resolve(model, alias));
  }

  /**
   * An alias asked of the registry, once however many requests name it meanwhile (a cold process
   * under load). An event that moved or removed an alias during the call wins over its answer.
   */
  private async resolve(model: string, alias: string): Promise<ServedModel> {
    const moves = this.aliasMoves;
    const detail = await this.fromRegistry(() => this.registry.resolveAlias(model, alias));
    const served = await this.byVersion(model, detail.version, detail);
    if (moves === this.aliasMoves) this.aliases.set(key(model, alias), detail.version);
    return served;
  }

  byVersion(model: string, version: number, detail?: ModelVersionDetail): Promise<ServedModel> {
    const k = key(model, version);
    let entry = this.versions.get(k);
    if (!entry) {
      entry = this.load(model, version, detail);
      this.versions.set(k, entry);
      entry.catch(() => this.versions.delete(k)); // a failed load is retried on the next request
    }
    return entry;
  }

  /**
   * Loads what answers each model's requests by default — its production version, and its canary's
   * and shadow's — so that a process's first requests wait for neither the registry nor a new
   * session. Rejects when the registry cannot list the models (`AtelierApiError` when it answered);
   * a model that fails to load is reported and left to load at its first request.
   */
  async preloadProduction(): Promise<{ loaded: string[]; failed: Array<{ model: string; error: string }> }> {
    const models = await this.registry.listModels();
    const loaded: string[] = [];
    const failed: Array<{ model: string; error: string }> = [];
    for (const model of models.filter((m) => m.aliases[PRIMARY_ALIAS] !== undefined)) {
      try {
        await this.byAlias(model.name, PRIMARY_ALIAS);
        const split = await this.split(model.name);
        for (const arm of [split?.canary, split?.shadow]) if (arm) await this.byVersion(model.name, arm.version);
        loaded.push(model.name);
      } catch (error) {
        failed.push({ model: model.name, error: error instanceof Error ? error.message : String(error) });
      }
    }
    return { loaded, failed };
  }

  /** Hot reload: load the new version first, then point the alias at it. */
  async moveAlias(model: string, alias: string, version: number): Promise<void> {
    await this.byVersion(model, version);
    const previous = this.aliases.get(key(model, alias));
    this.aliases.set(key(model, alias), version);
    this.aliasMoves++;
    this.logger.log({ msg: 'alias hot-loaded', model, alias, version, previous: previous ?? null });
  }

  /** The model's traffic split (null when the production alias answers everything). */
  split(model: string): Promise<TrafficSplit | null> {
    let entry = this.splits.get(model);
    if (!entry) {
      entry = this.fromRegistry(() => this.registry.getDeployment(model)).then((d) => activeSplit(d.canary, d.shadow));
      this.splits.set(model, entry);
      entry.catch(() => this.splits.delete(model));
    }
    return entry;
  }

  /** Hot reload of a split: the canary and shadow versions load first, then requests route by it. */
  async moveSplit(model: string, canary: CanarySplit | null, shadow: ShadowCopy | null): Promise<void> {
    const split = activeSplit(canary, shadow);
    await Promise.all([canary, shadow].flatMap((arm) => (arm ? [this.byVersion(model, arm.version)] : [])));
    this.splits.set(model, Promise.resolve(split));
    this.logger.log({ msg: 'deployment hot-loaded', model, canary, shadow });
  }

  /** A removed alias: the next request by it resolves through the registry again. */
  forgetAlias(model: string, alias: string): void {
    this.aliasMoves++;
    if (this.aliases.delete(key(model, alias))) this.logger.log({ msg: 'alias removed', model, alias });
  }

  async loaded(): Promise<LoadedModel[]> {
    const out: LoadedModel[] = [];
    for (const entry of this.versions.values()) {
      const served = await entry.catch(() => undefined);
      if (!served) continue;
      const aliases = [...this.aliases].filter(([k, v]) => k.startsWith(`${served.detail.model}\u0000`) && v === served.detail.version);
      out.push({
        model: served.detail.model,
        version: served.detail.version,
        alias: aliases[0]?.[0].split('\u0000')[1] ?? null,
        sha256: served.sha256,
        loadedAt: served.loadedAt.toISOString(),
        runner: served.runner.kind,
        probeMs: served.probeMs,
      });
    }
    return out;
  }

  private async load(model: string, version: number, known?: ModelVersionDetail): Promise<ServedModel> {
    const detail = known ?? (await this.fromRegistry(() => this.registry.getVersion(model, version)));
    const bytes = await this.fromRegistry(() => this.registry.getArtifact(model, version));
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    if (sha256 !== detail.artifact.sha256) throw dependencyUnavailable(`artifact of ${model} v${version} does not match its sha256`);
    // ONNX Runtime for Node fetches tensors only: a ZipMap output is served as the tensor it reads
    const served = servableOnnx(bytes);
    const outputNames = new Map(served.replaced.map((r) => [r.output, r.probabilities]));
    const plan = planInference(detail.signature, outputNames);
    const { onnxInlineMaxMs, onnxPoolThreads } = this.config.serving;
    const { runner, probeMs } = await chooseRunner(served.bytes, probeFeeds(plan), { inlineMaxMs: onnxInlineMaxMs, threads: onnxPoolThreads });
    this.logger.log({ msg: 'model loaded', model, version, sha256, runner: runner.kind, probeMs: Math.round(probeMs * 1000) / 1000 });
    return { detail, runner, probeMs, plan, graph: served.graph, outputNames, sha256, loadedAt: new Date() };
  }

  private async fromRegistry<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof AtelierApiError && error.status === 404) throw notFound(error.body.message);
      const reason = error instanceof Error ? error.message : String(error);
      throw dependencyUnavailable(`the model registry could not be reached: ${reason}`);
    }
  }
}

const key = (model: string, v: string | number) => `${model}\u0000${v}`;

function activeSplit(canary: CanarySplit | null, shadow: ShadowCopy | null): TrafficSplit | null {
  return canary || shadow ? { canary, shadow } : null;
}

/** One row of missing values: what the load-time probe runs. */
function probeFeeds(plan: InferencePlan): Record<string, Tensor> {
  return feedTensors(plan.feeds, [{}]);
}
