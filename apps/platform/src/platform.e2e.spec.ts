import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { parquetReadObjects } from 'hyparquet';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { CategoricalFeatureInput, ModelChoiceInput, PredictResponse, TrainingJobResponse } from '@atelier/contracts';
import { PrismaService } from '@atelier/db';
import { airportDelayStats, DEMO, demoFirstModelRequest, demoTrainingRequest, readFlights, seedFlightsDemo } from '@atelier/demo';
import { FeatureStoreModule } from '@atelier/feature-store';
import { exportOnnx } from '@atelier/ml';
import { MonitoringModule } from '@atelier/monitoring';
import { RegistryModule } from '@atelier/registry';
import { ServingModule } from '@atelier/serving';
import { apiRefusal, authHeaders, DISTANCE_MODEL, eventually, signIn, startTestApp, startWebUi, type TestApp } from '@atelier/testing';
import { TrainingModule } from '@atelier/training';

/**
 * The whole platform in one process against the real Postgres, Redis and Kafka:
 * flights → features → point-in-time training set → training job → registry → alias →
 * hot-loaded serving → Kafka → monitoring → alert.
 */
const FROM = new Date('2001-01-01T00:00:00Z');
const TO = new Date('2001-01-11T00:00:00Z');
const WINDOW = { start: FROM.toISOString(), validationStart: '2001-01-08T00:00:00Z', end: TO.toISOString() };
const STATS = DEMO.statsGroup;

describe('Atelier end to end', () => {
  let t: TestApp;
  let job: TrainingJobResponse;

  beforeAll(async () => {
    t = await startTestApp([FeatureStoreModule, TrainingModule, RegistryModule, ServingModule, MonitoringModule]);
  });

  afterAll(async () => {
    await t?.close();
  });

  /** Every `job` event of a training job's stream, until the server ends it (bounded: 4 minutes). */
  const jobEvents = async (id: string): Promise<TrainingJobResponse[]> => {
    const response = await fetch(`${t.baseUrl}/api/training-jobs/${id}/events`, { headers: authHeaders(), signal: AbortSignal.timeout(240_000) });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const text = await response.text(); // the server ends the stream when the job ends
    return text
      .split('\n\n')
      .filter((block) => block.includes('event: job'))
      .map((block) => JSON.parse(block.split('\n').find((line) => line.startsWith('data: '))!.slice(6)) as TrainingJobResponse);
  };

  const finished = (id: string) =>
    eventually(async () => {
      const j = await t.client.getTrainingJob(id);
      return ['succeeded', 'failed', 'cancelled'].includes(j.status) ? j : undefined;
    }, 240_000, 1000);

  it('loads the flights demo into the offline store and materializes the newest stats to Redis', async () => {
    const seeded = await seedFlightsDemo(t.client, { from: FROM, to: TO });
    expect(seeded.flights).toBeGreaterThan(150_000);
    expect((await t.client.getFeatureGroup(DEMO.flightsGroup)).rowCount).toBe(seeded.flights);
    expect(seeded.materialized).toBeGreaterThan(100);

    // the online value for ORD is the newest offline row at or before the materialization instant
    const expected = airportDelayStats(await readFlights(FROM, TO), FROM.getTime(), TO.getTime())
      .filter((r) => r.airport === 'ORD')
      .at(-1)!;
    const online = await t.client.onlineFeatures({ features: [`${STATS}:mean_delay_24h`, `${STATS}:flights_24h`], entities: { [DEMO.airport]: ['ORD'] } });
    expect(online.rows[0]!.values).toEqual({ [`${STATS}:mean_delay_24h`]: expected.mean_delay_24h, [`${STATS}:flights_24h`]: expected.flights_24h });
    expect(online.rows[0]!.eventTimes[`${STATS}:mean_delay_24h`]).toBe(new Date(expected.time).toISOString());
  });

  it('builds a training set in which no feature value comes from after its label time', async () => {
    const request = demoTrainingRequest(WINDOW);
    const set = await t.client.trainingSet({
      source: { group: DEMO.flightsGroup, start: WINDOW.start, end: WINDOW.end },
      joinKeys: request.joinKeys!,
      features: request.features!,
      columns: ['delay', 'distance', 'hour'],
    });
    expect(set.rowCount).toBeGreaterThan(150_000);
    let joined = 0;
    for (const ref of request.features!) {
      set.featureTimes[ref]!.forEach((time, i) => {
        if (time === null) return;
        joined++;
        expect(time).toBeLessThanOrEqual(set.eventTimes[i]!);
      });
    }
    expect(joined).toBeGreaterThan(set.rowCount); // most rows found values for several features
  });

  it('trains through a queued job with live progress, and registers version 1 with metrics, artifact and lineage', async () => {
    const started = await t.client.startTraining(demoTrainingRequest(WINDOW, { modelType: 'logistic_regression', params: { solver: 'adam', epochs: 4, learningRate: 0.05, batchSize: 2048, seed: 7 } }));
    expect(started.status).toBe('queued');
    // followed as server-sent events: each change once, progress never going back, the end included
    const streamed = await jobEvents(started.id);
    job = await finished(started.id);
    expect(job).toMatchObject({ status: 'succeeded', error: null });
    expect(streamed.at(-1)).toMatchObject({ status: 'succeeded', progress: 1, modelVersion: job.modelVersion });
    expect(streamed.length).toBeGreaterThan(2);
    expect(streamed.every((s, i) => i === 0 || s.progress >= streamed[i - 1]!.progress)).toBe(true);
    expect(streamed.some((s) => s.status === 'running')).toBe(true);
    expect(job.progress).toBe(1);
    expect(job.events.some((e) => e.epoch === 4 && typeof e.loss === 'number')).toBe(true);
    expect(['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']).toContain(job.backend);
    expect(job.metrics!.auc).toBeGreaterThan(0.55);

    const version = await t.client.getVersion(DEMO.model, job.modelVersion!);
    expect(version.version).toBe(1);
    expect(version.metrics.auc).toBe(job.metrics!.auc);
    expect(version.metrics.log_loss).toBeGreaterThan(0);
    expect(version.lineage).toMatchObject({ trainingJobId: job.id, source: DEMO.flightsGroup, window: WINDOW, backend: job.backend });
    expect(version.baseline.features.map((f) => f.name)).toEqual(version.signature.onnxInputs);
    // the evaluation report: curves, confusion matrix over every validation row, importance of every input
    const { evaluation } = version;
    expect(evaluation.roc!.fpr[0]).toBe(0);
    expect(evaluation.roc!.tpr.at(-1)).toBe(1);
    const cm = evaluation.confusionMatrix!;
    expect(cm.tn + cm.fp + cm.fn + cm.tp).toBe(version.metrics.validation_rows);
    expect(evaluation.featureImportance.map((f) => f.name)).toEqual(version.signature.onnxInputs);
    expect(evaluation.partialDependence).toHaveLength(3);
    const artifact = await t.client.getArtifact(DEMO.model, 1);
    expect(createHash('sha256').update(artifact).digest('hex')).toBe(version.artifact.sha256);
  }, 300_000);

  let prediction: PredictResponse;

  it('serves the production alias: online features → ONNX Runtime, equal to the model run directly', async () => {
    await t.client.setAlias(DEMO.model, 'production', 1);
    prediction = await t.client.predict({ model: DEMO.model, entities: { [DEMO.airport]: 'ORD' }, features: { distance: 733, hour: 17 } });
    expect(prediction).toMatchObject({ model: DEMO.model, version: 1, alias: 'production' });
    expect(prediction.predictionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(prediction.inputs.distance).toBe(733);
    expect(prediction.inputs.log_distance).toBeCloseTo(Math.log1p(733), 10);
    const online = await t.client.onlineFeatures({ features: [`${STATS}:mean_delay_24h`], entities: { [DEMO.airport]: ['ORD'] } });
    expect(prediction.inputs[`${STATS}:mean_delay_24h`]).toBe(online.rows[0]!.values[`${STATS}:mean_delay_24h`]);

    const version = await t.client.getVersion(DEMO.model, 1);
    const session = await InferenceSession.create(await t.client.getArtifact(DEMO.model, 1));
    const feeds = Object.fromEntries(
      version.signature.onnxInputs.map((name) => [name, new Tensor('float32', Float32Array.of(Number(prediction.inputs[name] ?? NaN)), [1, 1])]),
    );
    const direct = await session.run(feeds);
    expect(prediction.prediction).toBeCloseTo(Number((direct.probability!.data as Float32Array)[0]), 6);
    expect(prediction.prediction).toBeGreaterThan(0);
    expect(prediction.prediction).toBeLessThan(1);
  });

  it('answers the Open Inference Protocol v2 with the same model: metadata and infer', async () => {
    const metadata = (await fetch(`${t.baseUrl}/v2/models/${DEMO.model}`, { headers: authHeaders() }).then((r) => r.json())) as { inputs: Array<{ name: string; datatype: string }>; platform: string };
    expect(metadata.platform).toBe('onnxruntime_onnx');
    expect(metadata.inputs.map((i) => i.name)).toEqual(Object.keys(prediction.inputs));
    const response = await fetch(`${t.baseUrl}/v2/models/${DEMO.model}/infer`, {
      method: 'POST',
      headers: authHeaders(),
      body: JSON.stringify({
        id: 'oip-1',
        inputs: metadata.inputs.map((i) => ({ name: i.name, shape: [1, 1], datatype: 'FP32', data: [prediction.inputs[i.name]] })),
      }),
    });
    const body = (await response.json()) as { id: string; model_version: string; outputs: Array<{ name: string; data: number[] }> };
    expect(response.status).toBe(200);
    expect(body).toMatchObject({ id: 'oip-1', model_version: '1' });
    expect(body.outputs.find((o) => o.name === 'probability')!.data[0]).toBeCloseTo(prediction.prediction, 6);
  });

  it('answers bad prediction and training requests with a 4xx a person can act on', async () => {
    const response = await fetch(`${t.baseUrl}/api/predict`, {
      method: 'POST',
      headers: authHeaders(),
      body: JSON.stringify({ model: DEMO.model, features: { distance: 733, hour: 17 } }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/"airport" entity key/) });
    const missing = await fetch(`${t.baseUrl}/api/predict`, {
      method: 'POST',
      headers: authHeaders(),
      body: JSON.stringify({ model: 'no-such-model', entities: { airport: 'ORD' } }),
    });
    expect(missing.status).toBe(404);

    const badLabel = await fetch(`${t.baseUrl}/api/training-jobs`, {
      method: 'POST',
      headers: authHeaders(),
      body: JSON.stringify({ ...demoTrainingRequest(WINDOW), label: 'delay >' }),
    });
    expect(badLabel.status).toBe(400);
    expect(await badLabel.json()).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/^label: /), details: { position: 7 } });
  });

  it('hot-loads a new version when the alias moves, without a restart', async () => {
    const second = await t.client.startTraining(demoTrainingRequest(WINDOW, { modelType: 'logistic_regression', params: { l2: 0.01 } }));
    const done = await finished(second.id);
    expect(done).toMatchObject({ status: 'succeeded', error: null });
    expect(done.modelVersion).toBe(2);
    const moved = await t.client.setAlias(DEMO.model, 'production', 2);
    expect(moved).toMatchObject({ version: 2, previousVersion: 1 });
    const served = await eventually(async () => {
      const p = await t.client.predict({ model: DEMO.model, entities: { [DEMO.airport]: 'ORD' }, features: { distance: 733, hour: 17 } });
      return p.version === 2 ? p : undefined;
    }, 30_000);
    expect(served.alias).toBe('production');
    expect(served.prediction).not.toBe(prediction.prediction);
  }, 300_000);

  it('trains every model type through the same queue and serves each with ONNX Runtime', async () => {
    const choices: Array<{ name: string; model: ModelChoiceInput; label?: string; categoricalFeatures?: CategoricalFeatureInput[]; metric: string; refuse?: boolean }> = [
      { name: 'delay-gbdt', model: { modelType: 'gbdt', params: { numIterations: 20, maxLeaves: 15, earlyStoppingRounds: 5 } }, metric: 'auc', refuse: true },
      { name: 'delay-nn', model: { modelType: 'neural_network', params: { epochs: 2, hiddenLayers: [8], batchSize: 2048 } }, metric: 'auc' },
      { name: 'delay-minutes', model: { modelType: 'linear_regression', params: { epochs: 2, batchSize: 2048 } }, label: 'delay', metric: 'rmse' },
      {
        name: 'delay-categorical',
        model: { modelType: 'logistic_regression', params: { epochs: 2, batchSize: 2048 } },
        categoricalFeatures: [
          { column: 'destination', encoding: 'one_hot', maxCategories: 20 },
          { column: 'origin', encoding: 'hashing', buckets: 16 },
        ],
        metric: 'auc',
      },
    ];
    const jobs = [];
    for (const c of choices) {
      const request = {
        ...demoTrainingRequest(WINDOW, c.model, c.name),
        ...(c.label ? { label: c.label } : {}),
        categoricalFeatures: c.categoricalFeatures ?? [],
        missingFeatures: c.refuse ? ('refuse' as const) : ('impute' as const),
      };
      jobs.push(await t.client.startTraining(request));
    }
    for (const [i, started] of jobs.entries()) {
      const job = await finished(started.id);
      expect(job, `${choices[i]!.name}: ${job.error}`).toMatchObject({ status: 'succeeded', modelVersion: 1 });
      expect(job.metrics![choices[i]!.metric]).toBeGreaterThan(0);

      const version = await t.client.getVersion(choices[i]!.name, 1);
      const served = await t.client.predict({
        model: choices[i]!.name,
        version: 1,
        entities: { [DEMO.airport]: 'ATL' },
        features: { distance: 1200, hour: 7, destination: 'ORD', origin: 'ATL' },
      });
      const session = await InferenceSession.create(await t.client.getArtifact(choices[i]!.name, 1));
      // the raw values, strings included: categorical encoders are inside the graph
      const strings = new Set(version.signature.inputs.filter((input) => input.source === 'request' && input.dtype === 'string').map((input) => input.name));
      const feeds = Object.fromEntries(
        version.signature.onnxInputs.map((name) => [
          name,
          strings.has(name) ? new Tensor('string', [String(served.inputs[name])], [1, 1]) : new Tensor('float32', Float32Array.of(Number(served.inputs[name] ?? NaN)), [1, 1]),
        ]),
      );
      const direct = await session.run(feeds);
      const output = version.signature.task === 'regression' ? direct.prediction! : direct.probability!;
      expect(served.prediction).toBeCloseTo(Number((output.data as Float32Array)[0]), 5);
      expect(served.label === null).toBe(version.signature.task === 'regression');
      expect(version.evaluation.residuals === null).toBe(version.signature.task !== 'regression');
      expect(version.evaluation.featureImportance[0]!.kind).toBe(choices[i]!.model.modelType === 'gbdt' ? 'gain' : 'permutation');
      // the training request's missing-feature policy travels with the version into serving
      expect(version.signature.missingFeatures).toBe(choices[i]!.refuse ? 'refuse' : 'impute');
      const unknownAirport = await fetch(`${t.baseUrl}/api/predict`, {
        method: 'POST',
        headers: authHeaders(),
        body: JSON.stringify({ model: choices[i]!.name, version: 1, entities: { [DEMO.airport]: 'ZZZ' }, features: { distance: 1200, hour: 7 } }),
      });
      const answer = (await unknownAirport.json()) as { code?: string; missing?: string[] };
      if (choices[i]!.refuse) expect([unknownAirport.status, answer.code]).toEqual([424, 'MISSING_FEATURES']);
      else expect(answer.missing).toEqual(expect.arrayContaining(['airport_delay_stats:mean_delay_24h']));
      if (choices[i]!.categoricalFeatures) {
        expect(served.inputs).toMatchObject({ destination: 'ORD', origin: 'ATL' });
        expect(version.lineage.features).toEqual(expect.arrayContaining(['destination=ORD', 'destination=__other__', 'origin#hash0']));
      }
    }
  }, 300_000);

  it("trains the demo's first model — trees over the origin's, the destination's and the route's statistics and the airports as categories — and serves it from three entities", async () => {
    const request = { ...demoFirstModelRequest(WINDOW), modelName: 'delay-first' };
    const job = await finished((await t.client.startTraining(request)).id);
    expect(job, job.error ?? '').toMatchObject({ status: 'succeeded', modelVersion: 1 });
    expect(job.metrics!.auc).toBeGreaterThan(0.6);
    const version = await t.client.getVersion('delay-first', 1);
    expect(version.modelType).toBe('gbdt');
    expect(version.lineage.params).toMatchObject({ joinKeys: { [DEMO.airport]: 'origin', [DEMO.arrivalAirport]: 'destination', [DEMO.route]: 'route' } });
    // the baseline has the airports as categories, as requests carry them
    expect(version.baseline.features.find((f) => f.name === 'origin')?.categories?.ORD).toBeGreaterThan(1000);
    const served = await t.client.predict({
      model: 'delay-first',
      version: 1,
      entities: { [DEMO.airport]: 'ORD', [DEMO.arrivalAirport]: 'LGA', [DEMO.route]: 'ORD-LGA' },
      features: { origin: 'ORD', destination: 'LGA', distance: 733, hour: 17, day_of_week: 3 },
    });
    expect(served.missing).toEqual([]);
    expect(served.inputs[`${DEMO.routeGroup}:mean_delay_7d`]).toEqual(expect.any(Number));
    expect(served.inputs[`${DEMO.arrivalsGroup}:mean_delay_24h`]).toEqual(expect.any(Number));
  }, 300_000);

  it("trains a partitioned model — one per busy origin airport plus the global fallback — as one version, and answers each request with its partition's model", async () => {
    const request = {
      ...demoTrainingRequest(WINDOW, { modelType: 'gbdt', params: { numIterations: 20, maxLeaves: 15 } }, 'delay-by-origin'),
      partition: { column: 'origin', minRows: 3000, maxPartitions: 3 },
    };
    const job = await finished((await t.client.startTraining(request)).id);
    expect(job, job.error ?? '').toMatchObject({ status: 'succeeded', modelVersion: 1 });
    expect(job.events.some((e) => e.message.startsWith('partitions by "origin": 3 with at least 3000 training rows'))).toBe(true);
    const version = await t.client.getVersion('delay-by-origin', 1);
    const values = version.signature.partition!.values;
    expect(version.signature.partition).toMatchObject({ column: 'origin' });
    expect(values).toHaveLength(3);
    // the column is no input of the models: the graph takes it as a string, as serving feeds it
    expect(version.signature.onnxInputs).toContain('origin');
    const report = version.evaluation.partitions!;
    expect(report.map((p) => p.value)).toEqual([null, ...values]);
    for (const p of report.slice(1)) {
      expect(p.trainRows).toBeGreaterThanOrEqual(3000);
      expect(p.metrics.auc).toBeGreaterThan(0.5);
      expect(p.globalMetrics.auc).toBeGreaterThan(0.5);
    }
    const ask = (origin?: string) =>
      t.client.predict({ model: 'delay-by-origin', version: 1, entities: { [DEMO.airport]: 'ORD' }, features: { distance: 733, hour: 17, ...(origin ? { origin } : {}) } });
    expect((await ask(values[0])).partition).toBe(values[0]);
    // a value without a model of its own, or none: the global model, and the answer says so
    const fallback = await ask('XYZ');
    expect(fallback.partition).toBeNull();
    expect((await ask()).partition).toBeNull();
    expect((await ask()).prediction).toBeCloseTo(fallback.prediction, 6);

    const refused = await fetch(`${t.baseUrl}/api/training-jobs`, {
      method: 'POST',
      headers: authHeaders(),
      body: JSON.stringify({ ...request, search: { strategy: 'random', trials: 2, space: { learningRate: { type: 'float', min: 0.05, max: 0.2 } } } }),
    });
    expect(refused.status).toBe(400);
    expect((await refused.json()).message).toMatch(/partition: a partitioned model is trained with fixed parameters/);

    // the preview agrees with the job: nothing wrong with this request (the column was read as
    // missing before); with more rows asked than any airport has, a problem, and the job then fails saying why
    expect((await t.client.previewTraining(request)).problems).toEqual([]);
    const tooFew = { ...request, modelName: 'delay-by-origin-few', partition: { column: 'origin', minRows: 1_000_000 } };
    expect((await t.client.previewTraining(tooFew)).problems).toEqual([
      expect.stringMatching(
        /^no value of the partition column "origin" has 1000000 training rows .*: the job would have no partition to train$/,
      ),
    ]);
    const failed = await finished((await t.client.startTraining(tooFew)).id);
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(
      /^no value of the partition column "origin" has 1000000 training rows \(partition.minRows\) and a validation row \(the most: "[A-Z]{3}" with \d+\): lower minRows or partition by another column$/,
    );

    // the report lists the partitions beside the global model, sortable; the form offers the column
    const web = await startWebUi(t.baseUrl);
    try {
      const page = await web.browser.newPage();
      await signIn(page, web.url, t.adminKey);
      await page.goto(`${web.url}/models/delay-by-origin`);
      await page.locator('[data-testid="version-row"][data-version="1"] [data-testid="version-report-toggle"]').click();
      const table = page.getByTestId('report-partitions');
      await table.waitFor();
      const rows = table.locator('[data-testid="partition-row"]');
      expect(await rows.count()).toBe(4);
      expect(await rows.first().textContent()).toContain('global (fallback)');
      await page.getByTestId('partitions-sort-value').click(); // descending by value
      expect(await rows.evaluateAll((r) => r.slice(1).map((row) => row.getAttribute('data-value')))).toEqual([...values].sort().reverse());
      await page.goto(`${web.url}/train`);
      await page.fill('input[name="partitionColumn"]', 'origin');
      expect(await page.inputValue('input[name="partitionMinRows"]')).toBe('1000');
    } finally {
      await web.close();
    }
  }, 300_000);

  it('searches hyper-parameters by successive halving and registers the winning trial', async () => {
    const request = {
      ...demoTrainingRequest(WINDOW, { modelType: 'gbdt', params: { numIterations: 18, maxLeaves: 15 } }, 'delay-searched'),
      search: {
        strategy: 'successive_halving' as const,
        trials: 6,
        space: { learningRate: { type: 'float' as const, min: 0.05, max: 0.3, log: true }, maxLeaves: { type: 'int' as const, min: 4, max: 31 } },
      },
    };
    const bad = await fetch(`${t.baseUrl}/api/training-jobs`, {
      method: 'POST',
      headers: authHeaders(),
      body: JSON.stringify({ ...request, search: { ...request.search, space: { epochs: { type: 'int', min: 1, max: 5 } } } }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toMatch(/gbdt has no searchable parameter "epochs"/);

    const job = await finished((await t.client.startTraining(request)).id);
    expect(job).toMatchObject({ status: 'succeeded', modelVersion: 1 });
    // rung 0: 6 configurations on 2 boosting rounds; last rung: the best third on the full 18
    expect(job.trials.map((trial) => trial.resource)).toEqual([2, 2, 2, 2, 2, 2, 18, 18]);
    const finalists = job.trials.filter((trial) => trial.resource === 18);
    const winner = finalists.reduce((best, trial) => (trial.score! > best.score! ? trial : best));
    const version = await t.client.getVersion('delay-searched', 1);
    expect(version.lineage.params).toMatchObject({ ...winner.params, numIterations: 18 });
    expect(version.metrics.auc).toBeCloseTo(winner.score!, 10);
  }, 300_000);

  it('monitors live predictions from Kafka, joins late outcomes and raises an alert when accuracy crosses its threshold', async () => {
    const monitor = await t.client.createMonitor({ name: 'live accuracy', model: DEMO.model, metric: 'accuracy', operator: 'lt', threshold: 0.5, windowSeconds: 3600, minSamples: 5 });
    const airports = ['ORD', 'ATL', 'DFW', 'LAX', 'DEN', 'PHX'];
    const served = await Promise.all(
      airports.map((airport) => t.client.predict({ model: DEMO.model, entities: { [DEMO.airport]: airport }, features: { distance: 500, hour: 8 } })),
    );
    // the true labels arrive later, all the opposite of what the model said
    for (const p of served) await t.client.recordOutcome({ predictionId: p.predictionId, value: p.prediction >= 0.5 ? 0 : 1 });

    const evaluation = await eventually(async () => {
      const e = await t.client.evaluateMonitor(monitor.id);
      return e.samples >= airports.length ? e : undefined;
    }, 60_000, 500);
    expect(evaluation).toMatchObject({ value: 0, breached: true, alert: { status: 'open' } });
    const alerts = await t.client.listAlerts('open');
    const alert = alerts.find((a) => a.monitorId === monitor.id);
    expect(alert).toMatchObject({ model: DEMO.model, metric: 'accuracy', value: 0, threshold: 0.5, status: 'open' });

    // drift of the live predictions from the serving version's training baseline
    const drift = await t.client.createMonitor({ name: 'prediction drift', model: DEMO.model, metric: 'prediction_psi', operator: 'gt', threshold: 0.25, windowSeconds: 3600, minSamples: 5 });
    const psi = await t.client.evaluateMonitor(drift.id);
    expect(psi.samples).toBeGreaterThanOrEqual(airports.length);
    expect(psi.breached).toBe(psi.value! > 0.25);
    // by hand: the window's predictions of the newest version there, binned on that version's
    // training-prediction histogram, Σ (live − base)·ln(live / base) with empty bins at 1e-4
    const rows = await t.app.get(PrismaService).client.$queryRaw<Array<{ version: number; prediction: number }>>`
      SELECT version, prediction FROM monitored_predictions
      WHERE model_name = ${DEMO.model} AND predicted_at >= ${new Date(psi.windowStart)} AND predicted_at < ${new Date(psi.windowEnd)}`;
    const newest = Math.max(...rows.map((r) => r.version));
    const live = rows.filter((r) => r.version === newest).map((r) => r.prediction);
    expect(live).toHaveLength(psi.samples);
    const { edges, counts } = (await t.client.getVersion(DEMO.model, newest)).baseline.prediction!.histogram;
    const inner = edges.slice(1, -1) as number[];
    const liveCounts = counts.map(() => 0);
    for (const p of live) liveCounts[inner.filter((edge) => edge <= p).length]! += 1;
    const total = counts.reduce((a, b) => a + b, 0);
    const byHand = counts.reduce((sum, c, k) => {
      const base = Math.max(c / total, 1e-4);
      const share = Math.max(liveCounts[k]! / live.length, 1e-4);
      return sum + (share - base) * Math.log(share / base);
    }, 0);
    expect(psi.value).toBeCloseTo(byHand, 9);
    expect(psi.value).toBeGreaterThan(0);

    const stats = await t.client.modelStats(DEMO.model);
    expect(stats.predictions).toBeGreaterThanOrEqual(airports.length);
    expect(stats.outcomes).toBe(airports.length);
  }, 120_000);

  it('shows it all in the web UI: models and versions, a training job started from the form with live progress, the alert', async () => {
    const web = await startWebUi(t.baseUrl);
    try {
      const page = await web.browser.newPage();
      // signed out, every page sends the browser to the sign-in form; an editor signs in there
      await page.goto(`${web.url}/models`);
      await page.waitForURL(/\/sign-in\?next=%2Fmodels/);
      const editor = await fetch(`${t.baseUrl}/api/keys`, {
        method: 'POST',
        headers: authHeaders(),
        body: JSON.stringify({ name: 'e2e editor', owner: 'e2e-editor', role: 'editor' }),
      }).then((r) => r.json() as Promise<{ key: string }>);
      await signIn(page, web.url, editor.key);
      expect(await page.content()).not.toContain(editor.key);
      await page.goto(`${web.url}/models`);
      await page.locator(`[data-testid="model-row"][data-model="${DEMO.model}"]`).waitFor();

      // a model made elsewhere, uploaded from the models page: its signature read from the graph
      const files = mkdtempSync(path.join(tmpdir(), 'atelier-e2e-'));
      const onnx = path.join(files, 'distance.onnx');
      writeFileSync(onnx, exportOnnx(DISTANCE_MODEL, { name: 'uploaded-ui' }));
      await page.click('[data-testid="upload-link"]');
      await page.fill('input[name="name"]', 'uploaded-ui');
      await page.setInputFiles('input[name="file"]', onnx);
      await page.fill('input[name="description"]', 'from the browser');
      await page.click('[data-testid="upload-submit"]');
      await page.waitForURL(/\/models\/uploaded-ui\?version=1/);
      await page.locator('[data-testid="version-row"][data-version="1"]').waitFor();
      rmSync(files, { recursive: true, force: true });
      const uploaded = await t.client.getVersion('uploaded-ui', 1);
      expect(uploaded).toMatchObject({ description: 'from the browser', modelType: 'onnx', signature: { task: 'binary_classification', onnxInputs: ['distance'] } });

      await page.goto(`${web.url}/models/${DEMO.model}`);
      await expect.poll(() => page.locator('[data-testid="version-row"]').count(), { timeout: 15_000 }).toBe(2);
      const v1 = page.locator('[data-testid="version-row"][data-version="1"]');
      expect(await v1.textContent()).toContain((await t.client.getVersion(DEMO.model, 1)).metrics.auc!.toFixed(4));

      // the deploy page: a canary of v1 for half the airports, its arm beside production's, then a rollback
      await page.click('[data-testid="deploy-link"]');
      await page.waitForURL(new RegExp(`/models/${DEMO.model}/deploy$`));
      expect(await page.locator('[data-testid="deployment-primary"]').textContent()).toBe('v2');
      await page.selectOption('select[name="canaryVersion"]', '1');
      await page.fill('input[name="share"]', '150');
      await page.click('[data-testid="save-deployment"]');
      // refused in the form, nothing sent
      expect(await page.locator('[data-testid="form-issues"]').textContent()).toContain('canary.share');
      expect((await t.client.getDeployment(DEMO.model)).canary).toBeNull();
      await page.fill('input[name="share"]', '50');
      await page.fill('input[name="stickyBy"]', DEMO.airport);
      await page.click('[data-testid="save-deployment"]');
      await expect.poll(() => page.locator('[data-testid="deployment-canary"]').textContent()).toBe(`v1, 50 % of traffic, sticky by ${DEMO.airport}`);
      const airports = Array.from({ length: 30 }, (_, i) => `E${String(i).padStart(2, '0')}`);
      const arms = await eventually(async () => {
        const answers = await Promise.all(
          airports.map((a) => t.client.predict({ model: DEMO.model, entities: { [DEMO.airport]: a }, features: { distance: 733, hour: 17 } })),
        );
        return answers.some((a) => a.arm === 'canary') && answers.some((a) => a.arm === 'primary') ? answers : undefined;
      });
      expect(arms.every((a) => a.version === (a.arm === 'canary' ? 1 : 2))).toBe(true);
      await page.locator('[data-testid="arm-row"][data-arm="canary"]').waitFor({ timeout: 30_000 });
      await page.locator('[data-testid="arm-row"][data-arm="primary"]').waitFor();
      await page.click('[data-testid="rollback-deployment"]');
      await expect.poll(() => page.locator('[data-testid="deployment-canary"]').textContent()).toBe('none');
      expect(await page.locator('[data-testid="deployment-history-entry"]').first().getAttribute('data-action')).toBe('deployment-rolled-back');
      expect((await t.client.getDeployment(DEMO.model)).updatedBy).toBe('e2e-editor');

      await page.goto(`${web.url}/train`);
      await page.locator('[data-testid="feature-picker"]').waitFor();
      await page.getByRole('checkbox', { name: `${STATS}:mean_delay_24h` }).check();
      await page.fill('input[name="modelName"]', 'flight-delay-ui');
      await page.fill('input[name="start"]', WINDOW.start);
      await page.fill('input[name="validationStart"]', WINDOW.validationStart);
      await page.fill('input[name="end"]', WINDOW.end);
      await page.fill('input[name="epochs"]', '2');
      await page.fill('input[name="categoricalFeatures"]', 'destination');
      // the dataset preview, before any job: exact rows per slice, the label's balance, coverage
      const expected = await t.client.previewTraining({ ...demoTrainingRequest(WINDOW), modelName: 'flight-delay-ui' });
      await page.click('[data-testid="preview-training"]');
      await page.locator('[data-testid="dataset-preview"]').waitFor({ timeout: 60_000 });
      expect(await page.locator('[data-testid="preview-slice-training"]').textContent()).toContain(
        `${expected.slices.training.sourceRows.toLocaleString('en-US')} rows`,
      );
      expect(await page.locator('[data-testid="preview-inputs"]').textContent()).toContain(`${STATS}:mean_delay_24h`);
      expect(await page.locator('[data-testid="preview-label"]').textContent()).toMatch(/^[01]: [\d.]+ % · [01]: [\d.]+ %$/);
      expect(await page.locator('[data-testid="preview-problems"]').count()).toBe(0);
      // a label with nothing to learn is named before a job starts
      await page.fill('input[name="label"]', 'delay * 0');
      await page.click('[data-testid="preview-training"]');
      await expect.poll(() => page.locator('[data-testid="preview-problems"]').textContent(), { timeout: 30_000 }).toContain('nothing to learn');
      await page.fill('input[name="label"]', 'delay > 15');
      await page.click('[data-testid="start-training"]');
      await page.locator('[data-testid="training-result"]').waitFor({ timeout: 120_000 });
      const [uiModel] = (await t.client.listModels()).filter((m) => m.name === 'flight-delay-ui');
      expect(uiModel?.latestVersion).toBe(1);
      const uiVersion = await t.client.getVersion('flight-delay-ui', 1);
      expect(uiVersion.lineage.features).toEqual(expect.arrayContaining([`${STATS}:mean_delay_24h`, 'distance', 'destination=ORD']));
      expect(await page.locator('[data-testid="training-events"]').textContent()).toMatch(/iteration 2 \(at most 2\): loss/);
      // cloned back into the form: the same request, ready to change and start again
      await page.fill('input[name="modelName"]', 'something-else');
      await page.click('[data-testid="clone-job"]');
      await page.locator('[data-testid="cloned-from"]').waitFor();
      expect(await page.inputValue('input[name="modelName"]')).toBe('flight-delay-ui');
      expect(await page.inputValue('input[name="epochs"]')).toBe('2');
      expect(await page.inputValue('input[name="categoricalFeatures"]')).toBe('destination');
      expect(await page.getByRole('checkbox', { name: `${STATS}:mean_delay_24h` }).isChecked()).toBe(true);
      expect(await page.locator('[data-testid="clone-left"]').count()).toBe(0);
      // the job started from the UI is in the audit log under the signed-in key's owner
      const audit = await fetch(`${t.baseUrl}/api/audit?actor=e2e-editor`, { headers: authHeaders() }).then((r) => r.json() as Promise<Array<{ action: string }>>);
      expect(audit.map((e) => e.action)).toContain('POST /api/training-jobs');

      await page.goto(`${web.url}/alerts`);
      const alertRow = page.locator('[data-testid="alert-row"][data-status="open"]').first();
      await alertRow.waitFor();
      expect(await alertRow.textContent()).toContain(DEMO.model);
      // acknowledged from the page: it stays open, with who acknowledged it; the timeline draws it
      await alertRow.locator('[data-testid="alert-acknowledge"]').click();
      await alertRow.locator('[data-testid="alert-acknowledged"]').waitFor();
      expect(await alertRow.locator('[data-testid="alert-acknowledged"]').textContent()).toMatch(/^acknowledged by \S+/);
      expect(await alertRow.getAttribute('data-status')).toBe('open');
      expect(await page.locator('[data-testid="alert-timeline-bar"][data-acknowledged="yes"]').count()).toBeGreaterThanOrEqual(1);
      await page.screenshot({ path: 'tmp/e2e-alerts.png', fullPage: true }).catch(() => undefined);

      // a monitor's history: its windows over time, those that breached marked
      const watched = (await t.client.listMonitors()).find((m) => m.name === 'live accuracy' && m.model === DEMO.model)!;
      const windows = await t.client.monitorWindows(watched.id);
      await page.goto(`${web.url}/monitors`);
      await page.locator(`[data-testid="monitor-row"][data-monitor-id="${watched.id}"] [data-testid="monitor-history-toggle"]`).click();
      const history = page.getByTestId('monitor-history');
      await history.waitFor();
      expect(Number(await history.getAttribute('data-windows'))).toBeGreaterThanOrEqual(windows.filter((w) => w.value !== null).length);
      expect(Number(await history.getAttribute('data-breached'))).toBeGreaterThanOrEqual(1);
      expect(await history.locator('svg').count()).toBe(1);
      // monitoring's consumer lag on the predictions and outcomes topics, per partition, from the broker
      const monitoringLag = await t.client.monitoringLag();
      expect(monitoringLag.partitions.length).toBeGreaterThanOrEqual(2);
      await page.getByTestId('monitoring-lag-total').waitFor();
      expect(await page.getByTestId('monitoring-lag-partition').count()).toBe(monitoringLag.partitions.length);

      // each input's drift against the training baseline of the version that served it
      const drift = await t.client.featureDrift(DEMO.model);
      expect(drift.features.map((f) => f.name)).toEqual(expect.arrayContaining([`${STATS}:mean_delay_24h`, 'distance', 'hour']));
      await page.goto(`${web.url}/models/${DEMO.model}`);
      await page.click('[data-testid="drift-link"]');
      await page.locator('[data-testid="drift-table"]').waitFor();
      expect(await page.locator('[data-testid="drift-summary"]').textContent()).toContain(`Version ${drift.version}:`);
      expect(await page.locator('[data-testid="drift-row"]').count()).toBe(drift.features.length);
      expect(await page.locator('[data-testid="drift-table"]').textContent()).toContain(`${STATS}:mean_delay_24h`);
      expect(await page.locator('[data-testid="drift-shares"]').textContent()).toMatch(/training vs live/);
      // the chosen input hour by hour: the predictions of this test are in the last hour
      await page.locator('[data-testid="drift-history-chart"]').waitFor();
      expect(Number(await page.getByTestId('drift-history').getAttribute('data-points'))).toBeGreaterThanOrEqual(1);

      // the feature store: a group's statistics and freshness, and a file imported from the page
      await t.client.createFeatureGroup({ name: 'e2e_imported', entity: DEMO.airport, ttlSeconds: 3600, description: 'imported from the UI', features: [{ name: 'gates', dtype: 'int', description: '' }] });
      await page.click('[data-testid="nav-features"]');
      await page.locator('[data-testid="feature-group-row"][data-group="e2e_imported"] button').click();
      const detail = page.locator('[data-testid="feature-group-detail"][data-group="e2e_imported"]');
      await detail.locator('[data-testid="feature-stats-row"][data-feature="gates"]').waitFor();
      await detail.locator('input[name="importFile"]').setInputFiles({ name: 'gates.csv', mimeType: 'text/csv', buffer: Buffer.from('airport,event_time,gates\nORD,2001-01-01T00:00:00Z,190\nSFO,2001-01-01T00:00:00Z,115\n') });
      await detail.locator('[data-testid="import-submit"]').click();
      expect(await detail.locator('[data-testid="import-done"]').textContent()).toBe('Imported 2 rows (2 new, 0 replaced).');
      await expect
        .poll(() => detail.locator('[data-testid="feature-stats-row"][data-feature="gates"]').textContent())
        .toMatch(/gates\s*int\s*2\s*0%\s*152\.5\s*115\s*190/);
      expect(await t.client.featureGroupStats('e2e_imported')).toMatchObject({ rows: 2, entities: 2 });
      // streaming ingestion's consumer lag on the feature-rows topic
      await page.getByTestId('feature-rows-lag-total').waitFor();
      expect(await page.getByTestId('feature-rows-lag-partition').count()).toBe((await t.client.featureRowsLag()).partitions.length);
    } finally {
      await web.close();
    }
  }, 240_000);

  it('scores a batch job from the web UI: the form, live progress on the job page, its predictions and the Parquet file through the proxy', async () => {
    const web = await startWebUi(t.baseUrl);
    try {
      const page = await web.browser.newPage();
      const editor = await fetch(`${t.baseUrl}/api/keys`, {
        method: 'POST',
        headers: authHeaders(),
        body: JSON.stringify({ name: 'e2e batch', owner: 'e2e-batch', role: 'editor' }),
      }).then((r) => r.json() as Promise<{ key: string }>);
      await signIn(page, web.url, editor.key);
      await page.click('[data-testid="nav-batch"]');
      await page.waitForURL(/\/batch$/);

      // the form starts from the demo model's production alias, its source group and its validation slice
      const production = (await t.client.getModel(DEMO.model)).aliases['production']!;
      const fields = ['select[name="model"]', 'select[name="target"]', 'select[name="source"]', 'input[name="start"]', 'input[name="end"]'];
      await expect
        .poll(() => Promise.all(fields.map((field) => page.inputValue(field))))
        .toEqual([DEMO.model, 'alias:production', DEMO.flightsGroup, '2001-01-08T00:00', '2001-01-11T00:00']);

      // the API's refusal is shown with its message
      await page.fill('input[name="start"]', '2001-01-10T12:00');
      await page.fill('input[name="end"]', '2001-01-10T06:00');
      await page.click('[data-testid="submit-batch"]');
      await expect.poll(() => page.locator('[data-testid="api-error"]').textContent()).toContain('source.start must be before source.end');

      // six hours of flights, a shard per thousand rows or so, the destination beside each prediction
      await page.fill('input[name="start"]', '2001-01-10T06:00');
      await page.fill('input[name="end"]', '2001-01-10T12:00');
      await page.getByRole('checkbox', { name: 'destination', exact: true }).check();
      await page.fill('input[name="shardRows"]', '1000');
      await page.click('[data-testid="submit-batch"]');
      const card = page.locator('[data-testid="batch-job"]');
      await card.waitFor();
      const id = (await card.getAttribute('data-job-id'))!;
      const created = await t.client.getBatchJob(id);
      expect(created).toMatchObject({
        model: DEMO.model,
        version: production,
        alias: 'production',
        source: { group: DEMO.flightsGroup, start: '2001-01-10T06:00:00.000Z', end: '2001-01-10T12:00:00.000Z' },
        joinKeys: { [DEMO.airport]: 'origin' },
        passthrough: ['destination'],
        publish: false,
      });
      expect(created.shards.total).toBeGreaterThan(1);

      // its page follows it live until it has succeeded
      await page.click('[data-testid="batch-job-link"]');
      await page.waitForURL(new RegExp(`/batch/${id}$`));
      const status = page.locator('[data-testid="job-status"]');
      await expect.poll(() => status.textContent(), { timeout: 120_000 }).toMatch(/^(succeeded|failed|cancelled)$/);
      expect(await status.textContent(), (await page.locator('[data-testid="batch-error"]').allTextContents()).join()).toBe('succeeded');
      const job = await t.client.getBatchJob(id);
      expect(job.rows.scored).toBe(job.rows.total);
      expect(await page.locator('[data-testid="shards-progress"]').textContent()).toBe(`${job.shards.total} / ${job.shards.total} shards`);
      expect(await page.locator('[data-testid="rows-progress"]').textContent()).toBe(
        `${job.rows.total.toLocaleString('en-US')} / ${job.rows.total.toLocaleString('en-US')} rows scored`,
      );
      expect(await page.locator('[data-testid="cancel-batch"]').count()).toBe(0);

      // the first page of predictions, in the API's order, the passthrough column beside each
      const first = (await t.client.batchPredictions(id, { limit: 1 })).predictions[0]!;
      const rows = page.locator('[data-testid="batch-prediction-row"]');
      await expect.poll(() => rows.count()).toBe(Math.min(50, job.rows.total));
      expect(await rows.first().getAttribute('data-prediction-id')).toBe(first.predictionId);
      expect(await rows.first().locator('[data-column="destination"]').textContent()).toBe(String(first.columns['destination']));

      // the download goes through the web server's proxy with the session's key: a Parquet file of every row
      const href = (await page.locator('[data-testid="download-batch"]').getAttribute('href'))!;
      expect(href).toBe(`/api/batch-jobs/${id}/output.parquet`);
      const download = await page.request.get(`${web.url}${href}`);
      expect(download.status()).toBe(200);
      expect(download.headers()['content-disposition']).toContain(`${DEMO.model}-v${production}-${id}.parquet`);
      const file = await download.body();
      expect([file.subarray(0, 4).toString('latin1'), file.subarray(-4).toString('latin1')]).toEqual(['PAR1', 'PAR1']);
      const parquetRows = await parquetReadObjects({ file: file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength) as ArrayBuffer });
      expect(parquetRows).toHaveLength(job.rows.total);
      expect(parquetRows[0]).toMatchObject({ prediction_id: first.predictionId, destination: first.columns['destination'] });
      expect((await fetch(`${web.url}${href}`)).status).toBe(401);

      await page.goto(`${web.url}/batch`);
      await page.locator(`[data-testid="batch-job-row"][data-job-id="${id}"][data-status="succeeded"]`).waitFor();

      // a file: two flights from a CSV, the airport's statistics joined as of each row's time
      const csv = 'flight_no,origin,distance,hour,scheduled\nF1,ORD,733,7,2001-01-10T07:00:00Z\nF2,SFO,337,18,2001-01-10T18:00:00Z\n';
      await page.setInputFiles('[data-testid="batch-file-form"] input[type="file"]', { name: 'two.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
      await page.fill('input[name="timeColumn"]', 'scheduled');
      await page.fill('input[name="filePassthrough"]', 'flight_no');
      // the model list loads after the page: the form picks its default model once it has answered
      await expect.poll(() => page.inputValue('select[name="fileModel"]'), { timeout: 10_000 }).toBe(DEMO.model);
      await page.click('[data-testid="submit-batch-file"]');
      const answered = page.locator('[data-testid="batch-job"], [data-testid="batch-file-form"] [data-testid="api-error"]');
      await answered.first().waitFor();
      expect(await page.locator('[data-testid="batch-file-form"] [data-testid="api-error"]').allTextContents()).toEqual([]);
      const fromFile = (await page.locator('[data-testid="batch-job"]').getAttribute('data-job-id'))!;
      expect(await t.client.getBatchJob(fromFile)).toMatchObject({
        source: { file: 'two.csv', format: 'csv', rows: 2, timeColumn: 'scheduled' },
      });
      const scoredFile = await eventually(async () => {
        const state = await t.client.getBatchJob(fromFile);
        return state.status === 'queued' || state.status === 'running' ? undefined : state;
      }, 60_000);
      expect(scoredFile.status).toBe('succeeded');
      const filePredictions = (await t.client.batchPredictions(fromFile)).predictions;
      expect(filePredictions.map((p) => [p.columns['flight_no'], p.entities[DEMO.airport], p.missing])).toEqual([
        ['F1', 'ORD', []],
        ['F2', 'SFO', []],
      ]);

      // deletion is an admin's: an editor is not offered it; an admin deletes from the job's page
      // (after the confirmation) and is back on the list, the job gone
      await page.goto(`${web.url}/batch/${fromFile}`);
      await page.locator('[data-testid="job-status"]', { hasText: 'succeeded' }).waitFor();
      expect(await page.locator('[data-testid="delete-batch"]').count()).toBe(0);
      const admin = await web.browser.newPage();
      await signIn(admin, web.url, t.adminKey);
      await admin.goto(`${web.url}/batch/${fromFile}`);
      await admin.locator('[data-testid="job-status"]', { hasText: 'succeeded' }).waitFor();
      admin.once('dialog', (dialog) => void dialog.accept());
      await admin.click('[data-testid="delete-batch"]');
      await admin.waitForURL(/\/batch$/);
      expect((await apiRefusal(t.client.getBatchJob(fromFile))).status).toBe(404);
      await admin.locator(`[data-testid="batch-job-row"][data-job-id="${id}"]`).waitFor(); // the list has loaded
      expect(await admin.locator(`[data-testid="batch-job-row"][data-job-id="${fromFile}"]`).count()).toBe(0);
    } finally {
      await web.close();
    }
  }, 240_000);
});
