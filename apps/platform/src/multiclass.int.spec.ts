import { InferenceSession, Tensor } from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { ModelChoiceInput, TrainingJobResponse, TrainingRequestInput } from '@atelier/contracts';
import { FeatureStoreModule } from '@atelier/feature-store';
import { createRng, normal } from '@atelier/ml';
import { RegistryModule } from '@atelier/registry';
import { ServingModule } from '@atelier/serving';
import { authHeaders, eventually, signIn, startTestApp, startWebUi, type TestApp, uniqueSuffix } from '@atelier/testing';
import { TrainingModule } from '@atelier/training';

/**
 * Multi-class classification through the platform, against the real Postgres, Redis and Kafka:
 * a 3-class feature group ingested, GBDT and a neural network trained as queued jobs (one with a
 * hyper-parameter search), their versions registered with the class roles, accuracy / log loss /
 * macro F1 and the multi-class evaluation report, then served by POST /api/predict with a label
 * and the probability of every class. Labels the task cannot learn fail before training.
 */
const WINDOW = { start: '2001-01-01T00:00:00Z', validationStart: '2001-01-08T00:00:00Z', end: '2001-01-11T00:00:00Z' };
const ROWS = 900;
/** class c sits around this point; the spread overlaps the classes a little */
const CENTRES = [
  [2, 0],
  [-1, 1.7],
  [-1, -1.7],
];

describe('multi-class classification end to end (integration)', () => {
  const s = uniqueSuffix();
  const group = `species_${s}`;
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp([FeatureStoreModule, TrainingModule, RegistryModule, ServingModule]);
    await t.client.createEntity({ name: `plant_${s}`, joinKey: 'plant', description: '' });
    await t.client.createFeatureGroup({
      name: group,
      entity: `plant_${s}`,
      ttlSeconds: 86_400,
      description: '',
      features: [
        { name: 'x', dtype: 'float', description: '' },
        { name: 'y', dtype: 'float', description: '' },
        { name: 'species', dtype: 'int', description: '' },
      ],
    });
    const rng = createRng(5);
    const span = Date.parse(WINDOW.end) - Date.parse(WINDOW.start);
    const rows = Array.from({ length: ROWS }, (_, i) => {
      const species = i % 3;
      const [cx, cy] = CENTRES[species]!;
      return {
        entityKey: `p${i}`,
        eventTime: new Date(Date.parse(WINDOW.start) + (i * span) / ROWS).toISOString(),
        values: { x: cx! + normal(rng) * 0.8, y: cy! + normal(rng) * 0.8, species },
      };
    });
    await t.client.ingestRows(group, rows);
  });

  afterAll(async () => {
    await t?.close();
  });

  const request = (
    name: string,
    model: ModelChoiceInput,
    extra: { label?: string; search?: TrainingRequestInput['search']; automl?: TrainingRequestInput['automl'] } = {},
  ): TrainingRequestInput => ({
    modelName: `${name}_${s}`,
    source: { group },
    window: WINDOW,
    requestFeatures: ['x', 'y'],
    label: 'species',
    ...model,
    ...extra,
  });
  const finished = (id: string) =>
    eventually(
      async () => {
        const job = await t.client.getTrainingJob(id);
        return ['succeeded', 'failed', 'cancelled'].includes(job.status) ? job : undefined;
      },
      60_000,
      250,
    );

  it('trains GBDT (with a search), a neural network and a logistic regression, registers them with class roles, metrics and the report, and serves P(class)', async () => {
    const choices: Array<{ name: string; model: ModelChoiceInput; search?: TrainingRequestInput['search'] }> = [
      { name: 'species_gbdt', model: { modelType: 'gbdt', params: { objective: 'multiclass', numIterations: 20, minDataInLeaf: 5 } } },
      {
        name: 'species_searched',
        model: { modelType: 'gbdt', params: { objective: 'multiclass', numIterations: 10, minDataInLeaf: 5 } },
        search: { trials: 2, space: { learningRate: { type: 'float', min: 0.05, max: 0.3 } } },
      },
      {
        name: 'species_nn',
        model: {
          modelType: 'neural_network',
          params: { task: 'multiclass', hiddenLayers: [8], epochs: 15, batchSize: 32, learningRate: 0.05 },
        },
      },
      { name: 'species_lr', model: { modelType: 'logistic_regression', params: { task: 'multiclass', l2: 0.01 } } },
    ];
    const started = [];
    for (const c of choices) started.push(await t.client.startTraining(request(c.name, c.model, c.search ? { search: c.search } : {})));

    for (const [i, job] of started.entries()) {
      const c = choices[i]!;
      const done: TrainingJobResponse = await finished(job.id);
      expect(done, `${c.name}: ${done.error}`).toMatchObject({ status: 'succeeded', modelVersion: 1 });
      expect(done.events.some((e) => /, 3 classes$/.test(e.message))).toBe(true);
      const { metrics } = done;
      expect(Object.keys(metrics!).sort()).toEqual(['accuracy', 'log_loss', 'macro_f1', 'train_accuracy', 'train_rows', 'validation_rows']);
      expect(metrics!.accuracy).toBeGreaterThan(0.8);
      expect(metrics!.macro_f1).toBeGreaterThan(0.8);
      expect(metrics!.log_loss).toBeLessThan(0.6);
      if (c.search) {
        // trials are scored by validation log loss; the winner is what got registered
        expect(done.trials.filter((trial) => trial.status === 'ok')).toHaveLength(2);
        expect(Math.min(...done.trials.map((trial) => trial.score!))).toBeCloseTo(metrics!.log_loss, 10);
      }

      const version = await t.client.getVersion(c.name + `_${s}`, 1);
      expect(version.signature).toMatchObject({
        task: 'multiclass_classification',
        outputs: ['probabilities', 'label'],
        roles: { label: 'label', probabilities: 'probabilities', value: null, classes: [0, 1, 2] },
      });
      expect(version.graph!.outputs.map((o) => [o.name, o.type])).toEqual([
        ['probabilities', 'tensor(float)[N,3]'],
        ['label', 'tensor(int64)[N]'],
      ]);
      const { evaluation } = version;
      expect(evaluation).toMatchObject({ roc: null, pr: null, calibration: null, confusionMatrix: null, residuals: null });
      const report = evaluation.multiclass!;
      expect(report.classes).toEqual([0, 1, 2]);
      const validationRows = metrics!.validation_rows!;
      expect(report.confusionMatrix.flat().reduce((a, b) => a + b)).toBe(validationRows);
      expect(report.perClass.map((p) => p.support).reduce((a, b) => a + b)).toBe(validationRows);
      const correct = report.confusionMatrix.reduce((sum, row, k) => sum + row[k]!, 0);
      expect(correct / validationRows).toBeCloseTo(metrics!.accuracy!, 12);
      for (const roc of report.roc) {
        expect(roc.auc).toBeGreaterThan(0.9);
        expect(roc.fpr.length).toBeLessThanOrEqual(200);
        expect([roc.fpr[0], roc.tpr.at(-1)]).toEqual([0, 1]);
      }
      // the drift baseline is of what serving answers: the probability of the predicted class
      expect(version.baseline.prediction!.min).toBeGreaterThanOrEqual(1 / 3);
      expect(version.baseline.prediction!.max).toBeLessThanOrEqual(1);

      // served: the label and the probability of every class, equal to the graph run directly
      const [cx, cy] = CENTRES[1]!;
      const served = await t.client.predict({ model: c.name + `_${s}`, version: 1, features: { x: cx!, y: cy! } });
      expect(served.label).toBe(1);
      expect(Object.keys(served.probabilities!)).toEqual(['0', '1', '2']);
      expect(Object.values(served.probabilities!).reduce((a, b) => a + b)).toBeCloseTo(1, 5);
      expect(served.prediction).toBe(served.probabilities!['1']);
      const session = await InferenceSession.create(await t.client.getArtifact(c.name + `_${s}`, 1));
      const direct = await session.run({
        x: new Tensor('float32', Float32Array.of(cx!), [1, 1]),
        y: new Tensor('float32', Float32Array.of(cy!), [1, 1]),
      });
      await session.release();
      expect(Array.from(direct.probabilities!.data as Float32Array)).toEqual(Object.values(served.probabilities!).map(Math.fround));
    }
  }, 120_000);

  it('AutoML: searches across model types, registers the best with its own type, and keeps the leaderboard on the job', async () => {
    const job = await t.client.startTraining(
      request('species_auto', { modelType: 'gbdt', params: { objective: 'multiclass' } }, { automl: { trials: 6, seed: 3, modelTypes: ['logistic_regression', 'gbdt'] } }),
    );
    const done = await finished(job.id);
    expect(done, done.error ?? '').toMatchObject({ status: 'succeeded', modelVersion: 1 });
    // 6 candidates on a ninth of their type's budget, the best 2 with all of it
    expect(done.trials.map((trial) => trial.rung)).toEqual([0, 0, 0, 0, 0, 0, 1, 1]);
    expect(done.trials.every((trial) => ['logistic_regression', 'gbdt'].includes(trial.modelType!))).toBe(true);
    const last = done.trials.filter((trial) => trial.rung === 1 && trial.status === 'ok');
    const best = last.reduce((a, b) => (b.score! < a.score! ? b : a));
    expect(best.metrics!.log_loss).toBeCloseTo(done.metrics!.log_loss!, 10);
    const version = await t.client.getVersion(`species_auto_${s}`, 1);
    expect(version.modelType).toBe(best.modelType);
    expect(version.signature.task).toBe('multiclass_classification');
    expect(done.events.some((e) => e.message.startsWith(`AutoML: the best of 8 trials is ${best.modelType}`))).toBe(true);
  }, 90_000);

  it('answers several rows in one call, each with its class', async () => {
    const batch = await t.client.predictBatch({
      model: `species_gbdt_${s}`,
      version: 1,
      rows: CENTRES.map(([x, y]) => ({ features: { x: x!, y: y! } })),
    });
    expect(batch.predictions.map((p) => p.label)).toEqual([0, 1, 2]);
  });

  it('shows the multi-class report in the web UI, and offers the task on the training form', async () => {
    const web = await startWebUi(t.baseUrl);
    try {
      const page = await web.browser.newPage();
      await signIn(page, web.url, t.adminKey);
      await page.goto(`${web.url}/models/species_gbdt_${s}`);
      await page.locator('[data-testid="version-row"][data-version="1"] [data-testid="version-report-toggle"]').click();
      const report = page.getByTestId('report-multiclass');
      await report.waitFor();
      const version = await t.client.getVersion(`species_gbdt_${s}`, 1);
      const cells = await report.locator('[data-testid="report-confusion-multiclass"] tbody td').allInnerTexts();
      expect(cells.map(Number)).toEqual(version.evaluation.multiclass!.confusionMatrix.flat());
      expect(await report.locator('[data-testid="report-per-class"] tbody tr').count()).toBe(3);
      expect(await report.locator('[data-testid="report-roc-ovr"] figure').count()).toBe(3);
      expect(await page.getByTestId('report-confusion').count()).toBe(0); // no binary matrix
      // partial dependence: a curve per class on each chart, named in its legend
      const partial = page.getByTestId('report-partial-dependence');
      expect(await partial.locator('figure').count()).toBe(version.evaluation.partialDependence.length);
      expect((await partial.locator('figure').first().locator('.legend-item').allInnerTexts()).map((x) => x.trim())).toEqual(['class 0', 'class 1', 'class 2']);

      await page.goto(`${web.url}/train`);
      await page.selectOption('select[name="modelType"]', 'gbdt');
      await page.selectOption('select[name="task"]', 'multiclass');
      expect(await page.getByText('a class number 0, 1, 2, …').count()).toBe(1);
      await page.selectOption('select[name="modelType"]', 'logistic_regression');
      expect(await page.locator('select[name="task"] option').allInnerTexts()).toHaveLength(2);
    } finally {
      await web.close();
    }
  }, 60_000);

  it('refuses what it cannot learn: multi-class logistic regression with Adam (400), labels not counted from 0 (the job fails before training)', async () => {
    const response = await fetch(`${t.baseUrl}/api/training-jobs`, {
      method: 'POST',
      headers: authHeaders(),
      body: JSON.stringify(request('species_lr', { modelType: 'logistic_regression', params: { task: 'multiclass', solver: 'adam' } })),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      code: 'VALIDATION_FAILED',
      message: expect.stringContaining('multi-class logistic regression trains with solver "lbfgs" only'),
    });

    const counted = await t.client.startTraining(
      request('species_from_one', { modelType: 'gbdt', params: { objective: 'multiclass', numIterations: 5 } }, { label: 'species + 1' }),
    );
    const failed = await finished(counted.id);
    expect(failed.status).toBe('failed');
    expect(failed.error).toBe(
      'multi-class labels must be 0..K-1 with rows of every class; the training rows have labels up to 3 but none of 0 (labels counted from 1? subtract 1 in the label expression)',
    );
    expect(failed.events.some((e) => e.epoch !== undefined)).toBe(false);
  });
});
