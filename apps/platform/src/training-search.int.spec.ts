import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { SEARCH_SCORES } from '@atelier/contracts';
import { FeatureStoreModule } from '@atelier/feature-store';
import { createRng, normal } from '@atelier/ml';
import { RegistryModule } from '@atelier/registry';
import { signIn, startTestApp, startWebUi, type TestApp, uniqueSuffix } from '@atelier/testing';
import { TrainingModule } from '@atelier/training';

/**
 * A hyper-parameter search and AutoML started from the web UI's training form, in real Chromium
 * against the platform on the real Postgres, Redis and Kafka: the search section checks the space
 * as it is typed and refuses an empty range before anything is sent; the job panel fills the
 * trials table and chart as the trials arrive and marks the winner, which is the version
 * registered; AutoML's leaderboard names each candidate's model type and metrics, and its winner
 * is the registered version's type; cloning either job carries its settings back into the form.
 */
const WINDOW = { start: '2001-01-01T00:00:00Z', validationStart: '2001-01-08T00:00:00Z', end: '2001-01-11T00:00:00Z' };
const ROWS = 600;

describe('hyper-parameter search and AutoML from the training form (browser)', () => {
  const s = uniqueSuffix();
  const group = `shots_${s}`;
  let t: TestApp;

  /** The training form on the seeded shots: source, inputs, label and window filled in. */
  async function fillTheForm(page: Page, uiUrl: string, model: string) {
    await page.goto(`${uiUrl}/train`);
    await page.locator(`select[name="source"] option[value="${group}"]`).waitFor({ state: 'attached' });
    await page.selectOption('select[name="source"]', group);
    await page.fill('input[name="modelName"]', model);
    await page.fill('input[name="requestFeatures"]', 'x,z');
    await page.getByRole('button', { name: 'remove join key' }).click();
    await page.fill('input[name="label"]', 'hit');
    await page.fill('input[name="start"]', WINDOW.start);
    await page.fill('input[name="validationStart"]', WINDOW.validationStart);
    await page.fill('input[name="end"]', WINDOW.end);
  }

  beforeAll(async () => {
    t = await startTestApp([FeatureStoreModule, TrainingModule, RegistryModule]);
    await t.client.createEntity({ name: `shot_${s}`, joinKey: 'shot', description: '' });
    await t.client.createFeatureGroup({
      name: group,
      entity: `shot_${s}`,
      ttlSeconds: 86_400,
      description: '',
      features: [
        { name: 'x', dtype: 'float', description: '' },
        { name: 'z', dtype: 'float', description: '' },
        { name: 'hit', dtype: 'int', description: '' },
      ],
    });
    // a noisy linear boundary: learnable, but not perfectly, so the trials' AUCs differ
    const rng = createRng(11);
    const span = Date.parse(WINDOW.end) - Date.parse(WINDOW.start);
    const rows = Array.from({ length: ROWS }, (_, i) => {
      const [x, z] = [normal(rng), normal(rng)];
      return {
        entityKey: `s${i}`,
        eventTime: new Date(Date.parse(WINDOW.start) + (i * span) / ROWS).toISOString(),
        values: { x, z, hit: x + 0.5 * z + 0.8 * normal(rng) > 0 ? 1 : 0 },
      };
    });
    await t.client.ingestRows(group, rows);
  });

  afterAll(async () => {
    await t?.close();
  });

  it('searches the learning rate over 3 trials: checked as typed, the trials filled live, the winner marked and registered, cloned back', async () => {
    const model = `shots-searched-${s}`;
    const web = await startWebUi(t.baseUrl);
    try {
      const page = await web.browser.newPage();
      await signIn(page, web.url, t.adminKey);
      await fillTheForm(page, web.url, model);
      await page.selectOption('select[name="modelType"]', 'gbdt');
      await page.fill('input[name="epochs"]', '10');

      // off by default; on, a row per searchable parameter of GBDT (not its seed or objective)
      expect(await page.getByTestId('search-space').count()).toBe(0);
      await page.check('input[name="searchOn"]');
      // the API refuses a search with a partition: the partition fields are off while it is on
      expect(await page.isDisabled('input[name="partitionColumn"]')).toBe(true);
      const params = await page
        .locator('[data-testid="search-param"]')
        .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-param')));
      expect(params).toEqual(expect.arrayContaining(['learningRate', 'numIterations', 'maxLeaves']));
      expect(params).not.toContain('seed');
      expect(params).not.toContain('objective');
      await page.fill('input[name="searchTrials"]', '3');
      await page.check('input[name="search-learningRate"]');

      // checked as it is typed, with the contract's message beside the row; an empty range is refused before anything is sent
      const rowError = page.getByTestId('search-error-learningRate');
      await page.fill('input[name="search-learningRate-max"]', '2');
      await expect.poll(() => rowError.textContent()).toBe('max 2: Too big: expected number to be <=1');
      await page.fill('input[name="search-learningRate-min"]', '0.5');
      await page.fill('input[name="search-learningRate-max"]', '0.05');
      await expect.poll(() => rowError.textContent()).toBe('max: the range is empty: min 0.5 is above max 0.05');
      await page.click('[data-testid="start-training"]');
      expect(await page.getByTestId('form-issues').textContent()).toContain(
        'search.space.learningRate: max: the range is empty: min 0.5 is above max 0.05',
      );
      expect(await page.getByTestId('training-job').count()).toBe(0);
      expect((await t.client.listTrainingJobs()).filter((j) => j.modelName === model)).toEqual([]);

      await page.fill('input[name="search-learningRate-min"]', '0.05');
      await page.fill('input[name="search-learningRate-max"]', '0.5');
      expect(await rowError.count()).toBe(0);
      await page.click('[data-testid="start-training"]');
      await page.getByTestId('training-result').waitFor({ timeout: 60_000 });

      const jobId = await page.getByTestId('training-job').getAttribute('data-job-id');
      const job = await t.client.getTrainingJob(jobId!);
      expect(job.request.search).toEqual({
        strategy: 'random',
        trials: 3,
        seed: 42,
        space: { learningRate: { type: 'float', min: 0.05, max: 0.5, log: true } },
      });
      expect(job.trials).toHaveLength(3);
      const rows = page.locator('[data-testid="trial-row"]');
      await expect.poll(() => rows.count()).toBe(3);
      expect(await rows.evaluateAll((trs) => trs.map((tr) => Number(tr.getAttribute('data-trial-id'))))).toEqual([0, 1, 2]);

      // the winner: the best validation AUC, marked once, and the version registered
      const best = job.trials.reduce((a, b) => (b.score! > a.score! ? b : a));
      const winner = page.locator('[data-testid="trial-row"][data-winner="true"]');
      expect(await winner.count()).toBe(1);
      expect(await winner.getAttribute('data-trial-id')).toBe(String(best.id));
      expect(await winner.getByTestId('trial-winner').textContent()).toBe('winner');
      const version = await t.client.getVersion(model, 1);
      expect(Number(await winner.getAttribute('data-score'))).toBeCloseTo(version.metrics.auc!, 10);
      expect(await winner.getByTestId('trial-score').textContent()).toBe(version.metrics.auc!.toFixed(4));
      expect(version.lineage.params).toMatchObject({ learningRate: best.params.learningRate, numIterations: 10 });
      // one dot per trial; the score header sorts the best first
      expect(await page.locator('[data-testid="trials-chart"] circle').count()).toBe(3);
      await page.click('[data-testid="trials-sort-score"]');
      expect(await rows.first().getAttribute('data-winner')).toBe('true');
      await page.click('[data-testid="trials-sort-score"]');
      expect(await rows.last().getAttribute('data-winner')).toBe('true');

      // cloned back into the form: the search section as it was sent
      await page.click('[data-testid="clone-job"]');
      await page.getByTestId('cloned-from').waitFor();
      expect(await page.getByTestId('clone-left').count()).toBe(0);
      expect(await page.isChecked('input[name="searchOn"]')).toBe(true);
      expect(await page.inputValue('input[name="searchTrials"]')).toBe('3');
      expect(await page.isChecked('input[name="search-learningRate"]')).toBe(true);
      expect(await page.inputValue('input[name="search-learningRate-min"]')).toBe('0.05');
      expect(await page.inputValue('input[name="search-learningRate-max"]')).toBe('0.5');
      expect(await page.isChecked('input[name="search-learningRate-log"]')).toBe(true);
    } finally {
      await web.close();
    }
  }, 120_000);

  it('AutoML over logistic regression and GBDT with 3 candidates: the leaderboard with types and metrics, the winner the registered type, cloned back', async () => {
    const model = `shots-automl-${s}`;
    const web = await startWebUi(t.baseUrl);
    try {
      const page = await web.browser.newPage();
      await signIn(page, web.url, t.adminKey);
      await fillTheForm(page, web.url, model);
      await page.fill('input[name="partitionColumn"]', 'shot');

      // the task comes from the model settings (logistic regression: binary); AutoML and the search exclude each other
      expect(await page.getByTestId('automl-hint').textContent()).toContain(
        'The task comes from the model settings (binary classification); AutoML tries logistic regression, gradient-boosted trees and neural network',
      );
      await page.check('input[name="searchOn"]');
      await page.check('input[name="automlOn"]');
      expect(await page.isChecked('input[name="searchOn"]')).toBe(false);
      expect(await page.isDisabled('input[name="partitionColumn"]')).toBe(true);
      expect(await page.isDisabled('input[name="partitionMinRows"]')).toBe(true);
      const types = await page
        .locator('input[name^="automl-type-"]')
        .evaluateAll((inputs) => inputs.map((i) => (i as HTMLInputElement).name));
      expect(types).toEqual(['automl-type-logistic_regression', 'automl-type-gbdt', 'automl-type-neural_network']);
      expect(await page.isChecked('input[name="automl-type-neural_network"]')).toBe(true);
      await page.uncheck('input[name="automl-type-neural_network"]');

      // checked as it is typed, with the contract's message beside the field
      const trialsError = page.getByTestId('automl-error-trials');
      await page.fill('input[name="automlTrials"]', '2');
      await expect.poll(() => trialsError.textContent()).toBe('Too small: expected number to be >=3');
      await page.fill('input[name="automlTrials"]', '3');
      expect(await trialsError.count()).toBe(0);
      // seed 3 draws both types among the 3 candidates
      await page.fill('input[name="automlSeed"]', '3');
      await page.click('[data-testid="start-training"]');
      await page.getByTestId('training-result').waitFor({ timeout: 90_000 });

      const jobId = await page.getByTestId('training-job').getAttribute('data-job-id');
      const job = await t.client.getTrainingJob(jobId!);
      expect(job.request.automl).toEqual({ trials: 3, seed: 3, modelTypes: ['logistic_regression', 'gbdt'] });
      expect(job.request.partition).toBeUndefined();
      // 3 candidates on a ninth of their type's budget, the best one promoted to all of it
      expect(job.trials.map((trial) => trial.rung)).toEqual([0, 0, 0, 1]);
      expect(new Set(job.trials.map((trial) => trial.modelType))).toEqual(new Set(['logistic_regression', 'gbdt']));

      const rows = page.locator('[data-testid="trial-row"]');
      await expect.poll(() => rows.count()).toBe(4);
      for (const trial of job.trials) {
        const row = page.locator(`[data-testid="trial-row"][data-trial-id="${trial.id}"]`);
        expect(await row.getAttribute('data-model-type')).toBe(trial.modelType);
        expect(await row.getByTestId('trial-model-type').textContent()).toBe(trial.modelType);
        // the score's own metric is the score column; the others have a column each
        const metrics = await row
          .locator('[data-testid="trial-metric"]')
          .evaluateAll((cells) => cells.map((cell) => [cell.getAttribute('data-metric'), cell.textContent]));
        expect(metrics).toEqual([
          ['accuracy', trial.metrics!.accuracy!.toFixed(4)],
          ['log_loss', trial.metrics!.log_loss!.toFixed(4)],
        ]);
        expect(await row.getByTestId('trial-score').textContent()).toBe(trial.metrics!.auc!.toFixed(4));
      }

      // the winner: the one of the last rung, marked once; its score and type are the registered version's
      const { metric } = SEARCH_SCORES.binary_classification;
      const version = await t.client.getVersion(model, 1);
      const best = job.trials.find((trial) => trial.rung === 1)!;
      const winner = page.locator('[data-testid="trial-row"][data-winner="true"]');
      expect(await winner.count()).toBe(1);
      expect(await winner.getAttribute('data-trial-id')).toBe(String(best.id));
      expect(Number(await winner.getAttribute('data-score'))).toBeCloseTo(version.metrics[metric]!, 10);
      expect(await winner.getAttribute('data-model-type')).toBe(version.modelType);
      const outcome = page.getByTestId('automl-outcome');
      expect(await outcome.getAttribute('data-model-type')).toBe(version.modelType);
      expect(await outcome.textContent()).toContain(`registered as ${model} v1, a ${version.modelType} model.`);
      // one dot per trial; the log-loss header sorts the lowest first
      expect(await page.locator('[data-testid="trials-chart"] circle').count()).toBe(4);
      await page.click('[data-testid="trials-sort-metric-log_loss"]');
      const byLogLoss = [...job.trials].sort((a, b) => a.metrics!.log_loss! - b.metrics!.log_loss!).map((trial) => trial.id);
      expect(await rows.evaluateAll((trs) => trs.map((tr) => Number(tr.getAttribute('data-trial-id'))))).toEqual(byLogLoss);

      // cloned back into the form: AutoML as it was sent, the search off, the partition fields off
      await page.click('[data-testid="clone-job"]');
      await page.getByTestId('cloned-from').waitFor();
      expect(await page.getByTestId('clone-left').count()).toBe(0);
      expect(await page.isChecked('input[name="automlOn"]')).toBe(true);
      expect(await page.isChecked('input[name="searchOn"]')).toBe(false);
      expect(await page.inputValue('input[name="automlTrials"]')).toBe('3');
      expect(await page.inputValue('input[name="automlSeed"]')).toBe('3');
      expect(await page.inputValue('input[name="automlMaxSeconds"]')).toBe('');
      expect(await page.isChecked('input[name="automl-type-logistic_regression"]')).toBe(true);
      expect(await page.isChecked('input[name="automl-type-gbdt"]')).toBe(true);
      expect(await page.isChecked('input[name="automl-type-neural_network"]')).toBe(false);
      expect(await page.isDisabled('input[name="partitionColumn"]')).toBe(true);
    } finally {
      await web.close();
    }
  }, 150_000);
});
