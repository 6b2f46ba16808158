import { InferenceSession } from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';

import { loadConfig } from '@atelier/config';
import {
  type BatchPredictResponse,
  MAX_BATCH_ROWS,
  ModelSignature,
  type ModelVersionDetail,
  type PredictionEvent,
  type PredictResponse,
} from '@atelier/contracts';
import { exportOnnx, type LogisticRegressionModel, readOnnxGraph, sigmoid } from '@atelier/ml';
import type { OnlinePair, OnlineRow } from '@atelier/online-store';
import { dependencyUnavailable, DomainError, MetricsService } from '@atelier/server';

import { planInference } from './inference-plan';
import type { ModelCache, ServedModel } from './model-cache';
import type { OnlineFeaturesReader } from './online-features.reader';
import { InlineRunner } from './onnx-runner';
import { PredictionService } from './prediction.service';
import type { PredictionLog } from './prediction-log';
import { armOf } from './traffic-split';

// A hand-made logistic regression, so every expected probability is a formula:
// p = sigmoid(0.1 + 1·mean + 0.5·(distance − 300)/100 − 0.25·log1p(distance)); missing → the mean.
const model: LogisticRegressionModel = {
  kind: 'logistic_regression',
  features: ['stats:mean', 'distance', 'log_distance'],
  means: [0, 300, 0],
  scales: [1, 100, 1],
  weights: [1, 0.5, -0.25],
  bias: 0.1,
  backend: 'cpu',
};
const expected = (mean: number | null, distance: number) =>
  sigmoid(0.1 + (mean ?? 0) + (0.5 * (distance - 300)) / 100 - 0.25 * Math.log1p(distance));

const signature = ModelSignature.parse({
  inputs: [
    { name: 'stats:mean', source: 'feature', ref: 'stats:mean', entity: 'airport' },
    { name: 'distance', source: 'request' },
    { name: 'log_distance', source: 'transform', expression: 'log1p(distance)' },
  ],
  onnxInputs: model.features,
  outputs: ['probability', 'label'],
  task: 'binary_classification',
});

class FakeOnline {
  reads: OnlinePair[][] = [];
  store = new Map<string, OnlineRow>([
    ['stats/SFO', { eventTime: '2001-01-31T00:00:00Z', values: { mean: 0.8 } }],
    ['stats/ORD', { eventTime: '2001-01-31T00:00:00Z', values: { mean: -1.5 } }],
  ]);
  down = false;
  async read(pairs: OnlinePair[]) {
    if (this.down) throw dependencyUnavailable('the online store (Redis) did not answer');
    this.reads.push(pairs);
    return pairs.map((p) => this.store.get(`${p.group}/${p.entityKey}`) ?? null);
  }
}

class FakeLog {
  events: PredictionEvent[] = [];
  sampled = () => true;
  record(events: PredictionEvent[]) {
    this.events.push(...events);
  }
}

describe('PredictionService', () => {
  let session: InferenceSession;
  let runs = 0;

  beforeAll(async () => {
    session = await InferenceSession.create(Buffer.from(exportOnnx(model, { name: 'delays' })));
    const run = session.run.bind(session);
    session.run = ((...args: Parameters<typeof run>) => (runs++, run(...args))) as typeof session.run;
  });

  function setup(policy: 'impute' | 'refuse' = 'impute', split = false) {
    const detail = { model: 'delays', version: 3, signature: { ...signature, missingFeatures: policy } } as ModelVersionDetail;
    const graph = readOnnxGraph(exportOnnx(model, { name: 'delays' }));
    const served: ServedModel = {
      detail,
      runner: new InlineRunner(session),
      probeMs: 0,
      plan: planInference(detail.signature),
      graph,
      outputNames: new Map(),
      sha256: 'x',
      loadedAt: new Date(),
    };
    // a canary (version 4, half the traffic, sticky by airport) when asked for
    const canary: ServedModel = { ...served, detail: { ...detail, version: 4 } };
    const cache = {
      byAlias: async () => served,
      byVersion: async (_model: string, version: number) => (version === 4 ? canary : served),
      split: async () => (split ? { canary: { version: 4, share: 50, stickyBy: 'airport' }, shadow: null } : null),
    } as unknown as ModelCache;
    const online = new FakeOnline();
    const log = new FakeLog();
    const metrics = new MetricsService();
    const service = new PredictionService(
      cache,
      online as unknown as OnlineFeaturesReader,
      log as unknown as PredictionLog,
      loadConfig({}),
      metrics,
    );
    return { service, online, log, metrics, served };
  }

  it('answers one row from one online read and one model run, with what it gave the model', async () => {
    const { service, online, log } = setup();
    runs = 0;
    const answer = (await service.predict({
      model: 'delays',
      entities: { airport: 'SFO' },
      features: { distance: 337 },
    })) as PredictResponse;
    expect(online.reads).toEqual([[{ group: 'stats', entityKey: 'SFO' }]]);
    expect(runs).toBe(1);
    expect(answer.prediction).toBeCloseTo(expected(0.8, 337), 6);
    expect(answer.label).toBe(answer.prediction > 0.5 ? 1 : 0);
    expect(answer).toMatchObject({ model: 'delays', version: 3, alias: 'production', missing: [] });
    expect(answer.inputs).toEqual({ 'stats:mean': 0.8, distance: 337, log_distance: Math.log1p(337) });
    expect(log.events).toHaveLength(1);
    expect(log.events[0]).toMatchObject({
      predictionId: answer.predictionId,
      model: 'delays',
      version: 3,
      entities: { airport: 'SFO' },
      prediction: answer.prediction,
    });
  });

  it('scores a batch with one online read and one model run for all rows, in row order', async () => {
    const { service, online, log } = setup();
    runs = 0;
    const rows = [
      { entities: { airport: 'SFO' }, features: { distance: 337 } },
      { entities: { airport: 'ORD' }, features: { distance: 1200 } },
      { entities: { airport: 'SFO' }, features: { distance: 90 } },
    ];
    const answer = (await service.predict({ model: 'delays', version: 3, rows })) as BatchPredictResponse;
    expect(online.reads).toHaveLength(1);
    expect(online.reads[0]).toHaveLength(3);
    expect(runs).toBe(1);
    expect(answer).toMatchObject({ model: 'delays', version: 3, alias: null });
    expect(answer.predictions.map((p) => p.prediction)).toEqual([
      expect.closeTo(expected(0.8, 337), 6),
      expect.closeTo(expected(-1.5, 1200), 6),
      expect.closeTo(expected(0.8, 90), 6),
    ]);
    expect(new Set(answer.predictions.map((p) => p.predictionId)).size).toBe(3);
    expect(log.events.map((e) => e.predictionId)).toEqual(answer.predictions.map((p) => p.predictionId));
  });

  it('never predicts silently from missing data: the answer and a metric name what was missing', async () => {
    const { service, metrics } = setup();
    const answer = (await service.predict({ model: 'delays', entities: { airport: 'XXX' }, features: {} })) as PredictResponse;
    expect(answer.missing).toEqual(['stats:mean', 'distance']);
    expect(answer.inputs).toEqual({ 'stats:mean': null, distance: null, log_distance: null });
    // the graph imputes the training means: mean 0, distance 300, log_distance 0
    expect(answer.prediction).toBeCloseTo(sigmoid(0.1), 6);
    const counted = async () => (await metrics.registry.getSingleMetric('atelier_prediction_missing_values_total')!.get()).values;
    expect(await counted()).toEqual(
      expect.arrayContaining([expect.objectContaining({ labels: { model: 'delays', input: 'stats:mean' }, value: 1 })]),
    );
    // a batch counts each row's
    await service.predict({
      model: 'delays',
      rows: [
        { entities: { airport: 'XXX' }, features: { distance: 10 } },
        { entities: { airport: 'YYY' }, features: {} },
      ],
    });
    expect(await counted()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ labels: { model: 'delays', input: 'stats:mean' }, value: 3 }),
        expect.objectContaining({ labels: { model: 'delays', input: 'distance' }, value: 2 }),
      ]),
    );
  });

  it("answers each row of a batch with its own arm's version, as if alone, and names a bad row by its place in the batch", async () => {
    const { service, log } = setup('impute', true);
    const airports = Array.from({ length: 12 }, (_, i) => `P${i}`);
    const arms = airports.map((airport) =>
      armOf('delays', { version: 4, share: 50, stickyBy: 'airport' }, { entities: { airport }, features: {} }),
    );
    expect(new Set(arms)).toEqual(new Set(['primary', 'canary']));
    const rows = airports.map((airport) => ({ entities: { airport }, features: { distance: 337 } }));
    const answer = (await service.predict({ model: 'delays', rows })) as BatchPredictResponse;
    expect(answer).toMatchObject({ model: 'delays', version: 3, alias: 'production' });
    expect(answer).not.toHaveProperty('arm');
    expect(answer.predictions.map((p) => [p.arm, p.version])).toEqual(arms.map((arm) => [arm, arm === 'canary' ? 4 : 3]));
    expect(log.events.map((e) => [e.predictionId, e.arm, e.version]).sort()).toEqual(
      answer.predictions.map((p) => [p.predictionId, p.arm, p.version]).sort(),
    );
    const last = arms.lastIndexOf('canary');
    const bad = rows.map((row, i) => (i === last ? { ...row, features: { distance: 'far' } } : row));
    await expect(service.predict({ model: 'delays', rows: bad })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: `row ${last}: "distance" takes a number; got "far"`,
    });
  });

  it('refuses a request value of another type (400 naming the input and the row) instead of taking it as missing', async () => {
    const { service, log } = setup();
    await expect(service.predict({ model: 'delays', entities: { airport: 'SFO' }, features: { distance: 'far' } })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: '"distance" takes a number; got "far"',
    });
    const batch = service.predict({
      model: 'delays',
      rows: [
        { entities: { airport: 'SFO' }, features: { distance: 10 } },
        { entities: { airport: 'SFO' }, features: { distance: '10 miles' } },
      ],
    });
    await expect(batch).rejects.toMatchObject({ code: 'BAD_REQUEST', message: 'row 1: "distance" takes a number; got "10 miles"' });
    // none given, null or "" is missing, as before
    const answer = (await service.predict({
      model: 'delays',
      entities: { airport: 'SFO' },
      features: { distance: '' },
    })) as PredictResponse;
    expect(answer.missing).toEqual(['distance']);
    expect(log.events).toHaveLength(1);
  });

  it('answers a row the model gives no number for (null in JSON) without logging it, and logs the others', async () => {
    const { service, log, served } = setup();
    const { probabilities, label } = served.plan.outputs;
    // a graph that gives NaN for its first row (as one made elsewhere does when fed NaN)
    served.runner = {
      run: async (feeds: Record<string, { dims: readonly number[] }>) => {
        const rows = Number(Object.values(feeds)[0]!.dims[0]);
        const p = Float32Array.from({ length: rows }, (_, r) => (r === 0 ? NaN : 0.75));
        return {
          [probabilities!]: { type: 'float32', data: p, dims: [rows, 1] },
          [label!]: { type: 'int64', data: BigInt64Array.from({ length: rows }, () => 1n), dims: [rows] },
        };
      },
    } as unknown as ServedModel['runner'];
    const rows = [0, 1].map(() => ({ entities: { airport: 'SFO' }, features: { distance: 337 } }));
    const answer = (await service.predict({ model: 'delays', rows })) as BatchPredictResponse;
    expect(answer.predictions.map((p) => [p.prediction, p.label])).toEqual([
      [NaN, null],
      [0.75, 1],
    ]);
    expect(log.events.map((e) => e.predictionId)).toEqual([answer.predictions[1]!.predictionId]);
  });

  it('refuses with MISSING_FEATURES when the model says so, naming the row of a batch', async () => {
    const { service, log } = setup('refuse');
    const single = service.predict({ model: 'delays', entities: { airport: 'XXX' }, features: { distance: 10 } });
    await expect(single).rejects.toMatchObject({ code: 'MISSING_FEATURES', message: expect.stringContaining('stats:mean') });
    const batch = service.predict({
      model: 'delays',
      rows: [
        { entities: { airport: 'SFO' }, features: {} },
        { entities: { airport: 'XXX' }, features: {} },
      ],
    });
    await expect(batch).rejects.toMatchObject({ code: 'MISSING_FEATURES', message: expect.stringMatching(/^row 1: /) });
    expect(log.events).toEqual([]);
  });

  it('rejects a row without the entity key the model needs, before reading anything', async () => {
    const { service, online } = setup();
    const batch = service.predict({
      model: 'delays',
      rows: [
        { entities: { airport: 'SFO' }, features: {} },
        { entities: {}, features: {} },
      ],
    });
    await expect(batch).rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/^row 1: .*"airport" entity key/) });
    expect(online.reads).toEqual([]);
  });

  it('scores rows given as columns (a batch job) as it scores them online: answers, missing inputs, inputs; a run per chunk', async () => {
    const { service, served, log } = setup();
    const columns: Record<string, unknown[]> = { 'stats:mean': [0.8, null, -1.5, 'x'], distance: [337, 1200, null, 90] };
    runs = 0;
    const scored = await service.scoreColumns(served, 4, (name) => columns[name], 3);
    expect(runs).toBe(2);
    expect([...scored.prediction]).toEqual([
      expect.closeTo(expected(0.8, 337), 6),
      expect.closeTo(expected(null, 1200), 6),
      // no distance: it and its transform take the model's missing value (their means, 300 and 0)
      expect.closeTo(sigmoid(0.1 - 1.5), 6),
      expect.closeTo(expected(null, 90), 6),
    ]);
    expect(scored.label).toEqual([...scored.prediction].map((p) => (p > 0.5 ? 1 : 0)));
    expect(scored.probabilities).toEqual([null, null, null, null]); // a binary model of classes 0 and 1 names none
    expect(scored.missing).toEqual([[], ['stats:mean'], ['distance'], ['stats:mean']]);
    expect([...scored.refused]).toEqual([0, 0, 0, 0]);
    expect(scored.inputsOf(0)).toEqual({ 'stats:mean': 0.8, distance: 337, log_distance: Math.log1p(337) });
    expect(scored.inputsOf(2)).toEqual({ 'stats:mean': -1.5, distance: null, log_distance: null });
    expect(log.events).toEqual([]); // no prediction log: the batch job publishes when asked

    // the same rows online answer the same
    const online = (await service.predict({
      model: 'delays',
      version: 3,
      rows: [{ entities: { airport: 'SFO' }, features: { distance: 337 } }],
    })) as BatchPredictResponse;
    expect(online.predictions[0]!.prediction).toBeCloseTo(scored.prediction[0]!, 12);
    expect(online.predictions[0]!.inputs).toEqual(scored.inputsOf(0));
  });

  it('leaves the rows that lack a feature unscored when the model refuses to predict without it', async () => {
    const { service, served } = setup('refuse');
    const columns: Record<string, unknown[]> = { 'stats:mean': [0.8, null, -1.5], distance: [337, 1200, 90] };
    runs = 0;
    const scored = await service.scoreColumns(served, 3, (name) => columns[name]);
    expect(runs).toBe(1);
    expect([...scored.refused]).toEqual([0, 1, 0]);
    expect([scored.prediction[1], scored.label[1]]).toEqual([NaN, null]);
    expect(scored.missing[1]).toEqual(['stats:mean']);
    expect(scored.prediction[2]).toBeCloseTo(expected(-1.5, 90), 6);
  });

  it('answers 413 for a batch over the row limit and 503 when the online store is down', async () => {
    const { service, online } = setup();
    const rows = Array.from({ length: MAX_BATCH_ROWS + 1 }, () => ({ entities: { airport: 'SFO' }, features: {} }));
    await expect(service.predict({ model: 'delays', rows })).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    online.down = true;
    const failed = service.predict({ model: 'delays', entities: { airport: 'SFO' }, features: {} });
    await expect(failed).rejects.toBeInstanceOf(DomainError);
    await expect(failed).rejects.toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE' });
  });
});
