import { randomUUID } from 'node:crypto';

import { Inject, Injectable } from '@nestjs/common';
import { Tensor } from 'onnxruntime-node';
import type { Counter, Histogram } from 'prom-client';

import { ATELIER_CONFIG, type AtelierConfig } from '@atelier/config';
import type { InputValue, ModelInput, PredictionEvent, PredictRequest, PredictResponse } from '@atelier/contracts';
import { KafkaService } from '@atelier/kafka';
import { compileExpression } from '@atelier/ml';
import { AtelierApiError, AtelierClient } from '@atelier/sdk';
import { badRequest, dependencyUnavailable, MetricsService } from '@atelier/server';

import { ModelCache, type ServedModel } from './model-cache';

const DEFAULT_ALIAS = 'production';

type Transform = (row: Record<string, number | null>) => number | null;

/** Online prediction: online features → transforms → one ONNX Runtime call → Kafka sample. */
@Injectable()
export class PredictionService {
  private readonly featureStore: AtelierClient;
  private readonly transforms = new Map<string, Transform>();
  private readonly predictions: Counter<string>;
  private readonly publishFailures: Counter<string>;
  private readonly latency: Histogram<string>;

  constructor(
    private readonly cache: ModelCache,
    private readonly kafka: KafkaService,
    @Inject(ATELIER_CONFIG) private readonly config: AtelierConfig,
    metrics: MetricsService,
  ) {
    this.featureStore = new AtelierClient({ baseUrl: config.urls.featureStore });
    this.predictions = metrics.counter('atelier_predictions_total', 'Predictions served', ['model', 'version']);
    this.publishFailures = metrics.counter('atelier_prediction_publish_failures_total', 'Prediction events that could not be published');
    this.latency = metrics.histogram('atelier_prediction_seconds', 'Time to answer a prediction', [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1]);
  }

  async predict(request: PredictRequest): Promise<PredictResponse> {
    const stop = this.latency.startTimer();
    const alias = request.version ? null : (request.alias ?? DEFAULT_ALIAS);
    const served = alias ? await this.cache.byAlias(request.model, alias) : await this.cache.byVersion(request.model, request.version!);
    const inputs = await this.gatherInputs(served, request);
    const { probability, label } = await this.run(served, inputs);
    const response: PredictResponse = {
      predictionId: randomUUID(),
      prediction: probability,
      label,
      model: served.detail.model,
      version: served.detail.version,
      alias,
      inputs,
    };
    this.publish(response, request.entities);
    this.predictions.inc({ model: response.model, version: String(response.version) });
    stop();
    return response;
  }

  /** Resolves every model input: online features in one call, request values, then transforms. */
  private async gatherInputs(served: ServedModel, request: PredictRequest): Promise<Record<string, InputValue>> {
    const signature = served.detail.signature.inputs;
    const row: Record<string, number | null> = {};
    const strings: Record<string, string | null> = {};
    const features = signature.filter((i): i is Extract<ModelInput, { source: 'feature' }> => i.source === 'feature');
    if (features.length > 0) {
      const entities: Record<string, string[]> = {};
      for (const f of features) {
        const key = request.entities[f.entity];
        if (!key) throw badRequest(`model ${served.detail.model} needs the "${f.entity}" entity key: give it in "entities"`);
        entities[f.entity] = [key];
      }
      const online = await this.onlineFeatures(features.map((f) => f.ref), entities);
      for (const f of features) row[f.name] = numeric(online[f.ref]);
    }
    for (const input of signature) {
      if (input.source === 'request' && input.dtype === 'string') strings[input.name] = text(request.features[input.name]);
      else if (input.source === 'request') row[input.name] = numeric(request.features[input.name]);
      if (input.source === 'transform') row[input.name] = this.transform(served, input.expression)(row);
    }
    return { ...row, ...strings };
  }

  private async onlineFeatures(refs: string[], entities: Record<string, string[]>): Promise<Record<string, unknown>> {
    try {
      const { rows } = await this.featureStore.onlineFeatures({ features: refs, entities });
      return rows[0]?.values ?? {};
    } catch (error) {
      if (error instanceof AtelierApiError && error.status < 500) throw badRequest(`online features: ${error.body.message}`);
      throw dependencyUnavailable(`the feature store could not be reached: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private transform(served: ServedModel, expression: string): Transform {
    const k = `${served.sha256}\u0000${expression}`;
    const cached = this.transforms.get(k);
    if (cached) return cached;
    const compiled = compileExpression(expression);
    const fn: Transform = (row) => {
      const value = compiled.evaluate(row);
      return Number.isFinite(value) ? value : null;
    };
    this.transforms.set(k, fn);
    return fn;
  }

  private async run(served: ServedModel, inputs: Record<string, InputValue>): Promise<{ probability: number; label: number | null }> {
    const strings = new Set(served.detail.signature.inputs.filter((i) => i.source === 'request' && i.dtype === 'string').map((i) => i.name));
    const feeds: Record<string, Tensor> = {};
    for (const name of served.detail.signature.onnxInputs) {
      const value = inputs[name];
      // the graph's encoders read a missing category as the empty string
      feeds[name] = strings.has(name)
        ? new Tensor('string', [typeof value === 'string' ? value : ''], [1, 1])
        : new Tensor('float32', Float32Array.of(typeof value === 'number' ? value : NaN), [1, 1]);
    }
    const out = await served.session.run(feeds);
    // classifiers answer P(positive) as `probability` (+ `label`), regressors `prediction`
    const score = out.probability ?? out.prediction;
    const probability = Number((score?.data as Float32Array | undefined)?.[0]);
    const labelData = out.label?.data as BigInt64Array | undefined;
    return { probability, label: labelData ? Number(labelData[0]) : null };
  }

  /** Sampled, in the background: a slow or absent broker never delays or fails a prediction. */
  private publish(response: PredictResponse, entities: Record<string, string>): void {
    if (Math.random() >= this.config.predictionSampleRate) return;
    const event: PredictionEvent = {
      type: 'prediction',
      schemaVersion: 1,
      predictionId: response.predictionId,
      model: response.model,
      version: response.version,
      alias: response.alias,
      prediction: response.prediction,
      inputs: response.inputs,
      entities,
      at: new Date().toISOString(),
    };
    this.kafka.publishInBackground('predictions', [{ key: response.predictionId, value: event }], () => this.publishFailures.inc());
  }
}

function text(value: unknown): string | null {
  if (typeof value === 'string') return value === '' ? null : value;
  return typeof value === 'number' ? String(value) : null;
}

function numeric(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  return null;
}
