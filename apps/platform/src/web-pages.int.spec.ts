import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { ModelChoiceInput, TrainingJobResponse, TrainingRequestInput } from '@atelier/contracts';
import { FeatureStoreModule } from '@atelier/feature-store';
import { createRng, normal } from '@atelier/ml';
import { MonitoringModule } from '@atelier/monitoring';
import { RegistryModule } from '@atelier/registry';
import { ServingModule } from '@atelier/serving';
import {
  eventually,
  registerLinearModel,
  registerLogisticModel,
  screenshotPage,
  signIn,
  startTestApp,
  startWebUi,
  type TestApp,
  uniqueSuffix,
  type WebUi,
} from '@atelier/testing';
import { TrainingModule } from '@atelier/training';

/**
 * Every page of the web UI in real Chromium, against the platform on the real Postgres, Redis and
 * Kafka seeded with what each page shows: a classifier with two versions (their reports and the
 * comparison), a regressor (residuals), a search (its trials), live predictions with outcomes, a
 * quality and a drift monitor with an alert, a batch job. Each page renders without an error
 * state, its charts (Recharts) draw their data, a tooltip answers the pointer, and a full-page PNG
 * of it lands in artifacts/screenshots/ (kept by CI).
 */
const WINDOW = { start: '2001-01-01T00:00:00Z', validationStart: '2001-01-08T00:00:00Z', end: '2001-01-11T00:00:00Z' };
const ROWS = 600;
const LIVE = 40;

describe('every page of the web UI, with its charts (browser)', () => {
  const s = uniqueSuffix();
  const group = `pages_${s}`;
  const clf = `pages_clf_${s}`;
  const reg = `pages_reg_${s}`;
  const searched = `pages_search_${s}`;
  let t: TestApp;
  let web: WebUi;
  let page: Page;
  const jobs = {} as Record<'logistic' | 'gbdt' | 'regression' | 'search', TrainingJobResponse>;
  let batchId: string;

  const finished = (id: string) =>
    eventually(
      async () => {
        const job = await t.client.getTrainingJob(id);
        return ['succeeded', 'failed', 'cancelled'].includes(job.status) ? job : undefined;
      },
      120_000,
      250,
    );
  const request = (modelName: string, model: ModelChoiceInput, label = 'hit'): TrainingRequestInput => ({
    modelName,
    source: { group },
    window: WINDOW,
    requestFeatures: ['x', 'z'],
    label,
    ...model,
  });

  beforeAll(async () => {
    t = await startTestApp([FeatureStoreModule, TrainingModule, RegistryModule, ServingModule, MonitoringModule]);
    await t.client.createEntity({ name: `shot_${s}`, joinKey: 'shot', description: '' });
    await t.client.createFeatureGroup({
      name: group,
      entity: `shot_${s}`,
      ttlSeconds: 86_400,
      description: 'seeded for the page tour',
      features: [
        { name: 'x', dtype: 'float', description: '' },
        { name: 'z', dtype: 'float', description: '' },
        { name: 'amount', dtype: 'float', description: '' },
        { name: 'hit', dtype: 'int', description: '' },
      ],
    });
    const rng = createRng(17);
    const span = Date.parse(WINDOW.end) - Date.parse(WINDOW.start);
    await t.client.ingestRows(
      group,
      Array.from({ length: ROWS }, (_, i) => {
        const [x, z] = [normal(rng), normal(rng)];
        return {
          entityKey: `s${i}`,
          eventTime: new Date(Date.parse(WINDOW.start) + (i * span) / ROWS).toISOString(),
          values: { x, z, amount: 2 * x - z + 0.5 * normal(rng), hit: x + 0.5 * z + 0.8 * normal(rng) > 0 ? 1 : 0 },
        };
      }),
    );

    // the classifier's two versions, a regressor and a search, trained side by side
    const started = {
      logistic: await t.client.startTraining(
        request(clf, { modelType: 'logistic_regression', params: { solver: 'adam', epochs: 6, learningRate: 0.05, seed: 1 } }),
      ),
      regression: await t.client.startTraining(request(reg, { modelType: 'linear_regression', params: {} }, 'amount')),
      search: await t.client.startTraining({
        ...request(searched, { modelType: 'gbdt', params: { numIterations: 8 } }),
        search: { strategy: 'random', trials: 3, seed: 5, space: { learningRate: { type: 'float', min: 0.05, max: 0.3 } } },
      }),
    };
    for (const [key, job] of Object.entries(started)) jobs[key as keyof typeof jobs] = await finished(job.id);
    // v2 after v1, so the comparison has an older and a newer version
    jobs.gbdt = await finished((await t.client.startTraining(request(clf, { modelType: 'gbdt', params: { numIterations: 20 } }))).id);
    for (const [key, job] of Object.entries(jobs)) expect(job.status, `${key}: ${job.error}`).toBe('succeeded');
    await t.client.setAlias(clf, 'production', 2);

    // live traffic with its input shifted (drift), its outcomes, monitors on quality and on that input
    const rows = Array.from({ length: LIVE }, () => ({ x: normal(rng) + 1.5, z: normal(rng) }));
    const served = await Promise.all(rows.map((features) => t.client.predict({ model: clf, features })));
    await t.client.recordOutcomes(
      served.map((p, i) => ({
        predictionId: p.predictionId,
        value: i % 3 === 0 ? 1 - Math.round(p.prediction) : Math.round(p.prediction),
      })),
    );
    const quality = await t.client.createMonitor({
      name: 'live accuracy',
      model: clf,
      metric: 'accuracy',
      operator: 'lt',
      threshold: 0.9,
      windowSeconds: 3600,
      minSamples: 5,
    });
    const drift = await t.client.createMonitor({
      name: 'x drift',
      model: clf,
      metric: 'feature_psi',
      feature: 'x',
      operator: 'gt',
      threshold: 0.1,
      windowSeconds: 3600,
      minSamples: 5,
    });
    const evaluated = await eventually(
      async () => {
        const e = await t.client.evaluateMonitor(quality.id);
        return e.samples >= LIVE ? e : undefined;
      },
      60_000,
      500,
    );
    expect(evaluated).toMatchObject({ breached: true, alert: { status: 'open' } });
    await t.client.evaluateMonitor(quality.id);
    await t.client.evaluateMonitor(drift.id);
    await t.client.acknowledgeAlert(evaluated.alert!.id);

    const batch = await t.client.createBatchJob({
      model: clf,
      source: { group, start: WINDOW.validationStart, end: WINDOW.end },
      shardRows: 100,
    });
    batchId = batch.id;
    const scored = await eventually(async () => {
      const job = await t.client.getBatchJob(batch.id);
      return job.status === 'queued' || job.status === 'running' ? undefined : job;
    }, 60_000);
    expect(scored.status).toBe('succeeded');

    // this tour names its screenshots itself, one per page
    web = await startWebUi(t.baseUrl, { recordVisits: false });
    page = await web.browser.newPage({ viewport: { width: 1280, height: 900 } });
  }, 300_000);

  afterAll(async () => {
    await web?.close();
    await t?.close();
  });

  /** Opens a path, waits for what shows it loaded, checks that no error state is on the page. */
  async function visit(path: string, ready: string) {
    await page.goto(`${web.url}${path}`);
    await page.locator(ready).first().waitFor({ timeout: 30_000 });
    await expectNoError();
  }
  async function expectNoError() {
    expect(await page.locator('[data-testid="api-error"], [data-testid="api-unreachable"]').allInnerTexts()).toEqual([]);
    expect(await page.getByText(/This page failed to render|Application error/).count()).toBe(0);
  }
  /** A Recharts chart in `scope` has drawn: its surface, and at least `least` of its marks. */
  async function expectChart(scope: Locator, marks: string, least = 1) {
    await scope.locator('svg.recharts-surface').first().waitFor();
    await expect.poll(() => scope.locator(marks).count(), { timeout: 10_000 }).toBeGreaterThanOrEqual(least);
  }
  const LINE = '.recharts-scatter-line path';
  const BARS = '.recharts-bar-rectangle path, .recharts-bar-rectangle rect';

  it('signs in from its page, and / lands on the models', async () => {
    await visit('/sign-in', '[data-testid="sign-in-form"]');
    await screenshotPage(page, 'sign-in');
    await signIn(page, web.url, t.adminKey);
    await visit('/', `[data-testid="model-row"][data-model="${clf}"]`);
    expect(new URL(page.url()).pathname).toBe('/models');
    await screenshotPage(page, 'models');
  });

  it("shows a model's versions and compares two: both ROC curves on one chart", async () => {
    await visit(`/models/${clf}`, '[data-testid="version-row"][data-version="2"]');
    const compare = page.getByTestId('compare-roc');
    await expectChart(compare, LINE, 2);
    expect((await compare.locator('.legend-item').allInnerTexts()).map((x) => x.trim())).toEqual([
      expect.stringMatching(/^A · v1 \(AUC 0\.\d{4}\)$/),
      expect.stringMatching(/^B · v2 \(AUC 0\.\d{4}\)$/),
    ]);
    expect(await compare.locator('svg title').textContent()).toBe('true positive rate against false positive rate');
    await screenshotPage(page, 'model-versions');
    await page.getByTestId('version-compare').scrollIntoViewIfNeeded();
    await screenshotPage(page, 'model-compare');
  });

  it("opens a version's report: ROC, precision–recall, calibration, importance and partial dependence drawn, a tooltip on the curve", async () => {
    await page.locator('[data-testid="version-row"][data-version="2"] [data-testid="version-report-toggle"]').click();
    const report = page.locator('[data-testid="version-report"][data-version="2"]');
    for (const part of ['report-roc', 'report-pr', 'report-calibration']) await expectChart(report.getByTestId(part), LINE);
    expect(await report.locator('[data-testid="report-calibration"] circle.dot').count()).toBeGreaterThan(1);
    await report.getByTestId('report-confusion').waitFor();
    await expectChart(report.getByTestId('report-importance'), BARS, 2);
    await expectChart(report.getByTestId('report-partial-dependence'), LINE, 2);
    await report.getByTestId('report-baseline').waitFor();
    await expectNoError();

    // the pointer on a point of the curve (points sit close together: straight at one, not through the page's header)
    const roc = report.getByTestId('report-roc');
    await roc.evaluate((figure) => figure.scrollIntoView({ block: 'center' }));
    const point = (await roc.locator('rect.hit').nth(3).boundingBox())!;
    await page.mouse.move(point.x + point.width / 2, point.y + point.height / 2);
    const tooltip = report.locator('[data-testid="report-roc"] .chart-tooltip');
    await tooltip.waitFor();
    expect(await tooltip.textContent()).toMatch(/^ROCfalse positive rate [\d.e-]+true positive rate [\d.e-]+$/);
    await page.mouse.move(0, 0);
    await screenshotPage(page, 'model-version-report');
  });

  it("shows a regressor's report with its residual histogram", async () => {
    await visit(`/models/${reg}`, '[data-testid="version-row"][data-version="1"]');
    await page.locator('[data-testid="version-row"][data-version="1"] [data-testid="version-report-toggle"]').click();
    const report = page.getByTestId('version-report');
    await expectChart(report.getByTestId('report-residuals'), 'rect.column', 3);
    await expectChart(report.getByTestId('report-importance'), BARS, 2);
    await expectNoError();
    await screenshotPage(page, 'model-version-report-regression');
  });

  it('shows where the model is deployed', async () => {
    await visit(`/models/${clf}/deploy`, '[data-testid="deployment-primary"]');
    expect(await page.getByTestId('deployment-primary').textContent()).toBe('v2');
    await screenshotPage(page, 'model-deploy');
  });

  it("shows the model's monitoring: live quality against its threshold, each input's drift with baseline vs live histograms, the alerts, consumer lag", async () => {
    await visit(`/models/${clf}/drift`, '[data-testid="drift-table"]');
    expect(await page.getByTestId('drift-summary').textContent()).toContain('Version 2:');
    expect(await page.getByTestId('drift-row').count()).toBe(2);

    // quality over time: the accuracy monitor's windows, its threshold drawn
    const quality = page.locator('[data-testid="quality-history"]').first();
    await expectChart(quality, 'circle.dot', 2);
    expect(await quality.locator('.recharts-reference-line').count()).toBe(1);
    expect((await quality.locator('.legend-item').allInnerTexts()).map((x) => x.trim())).toContain('threshold: alert when < 0.9');
    expect(await page.getByTestId('live-stats').textContent()).toMatch(/predictions40outcomes40accuracy0\.\d{4}/);

    // the input drifted most: baseline against live shares, and hour by hour with the drift monitor's threshold
    await expectChart(page.getByTestId('drift-shares-chart'), BARS, 4);
    await expectChart(page.getByTestId('drift-history-chart'), 'circle.dot', 1);
    expect(await page.getByTestId('drift-history').getAttribute('data-thresholds')).toBe('1');

    // the alert: on the timeline, acknowledged; resolved from here
    const alerts = page.getByTestId('model-alerts');
    await expectChart(alerts, '[data-testid="alert-timeline-bar"][data-acknowledged="yes"] rect', 1);
    await page.getByTestId('monitoring-lag-total').waitFor();
    await expectNoError();
    await screenshotPage(page, 'model-monitoring');

    const accuracyAlert = alerts.locator('[data-testid="alert-row"]', { hasText: 'live accuracy' });
    await accuracyAlert.locator('[data-testid="alert-resolve"]').click();
    await expect.poll(() => accuracyAlert.getAttribute('data-status')).toBe('resolved');
    await expect.poll(() => alerts.locator('[data-testid="alert-timeline-bar"][data-status="resolved"]').count()).toBe(1);

    // live quality hour by hour, with the accuracy monitor's threshold; then per version (all the traffic is v2's)
    const hour = page.locator('[data-testid="quality-hours"] [data-testid="quality-hour-chart"]').first();
    await expectChart(hour, 'circle.dot', 1);
    expect((await hour.locator('.legend-item').allInnerTexts()).map((x) => x.trim())).toContain('live accuracy: alert when < 0.9');
    await page.selectOption('[data-testid="drift-version"]', '1');
    await expect.poll(() => page.getByTestId('live-stats').getAttribute('data-version')).toBe('1');
    await expect.poll(async () => page.getByTestId('live-stats').textContent()).toMatch(/^predictions0outcomes0/);
    await expect.poll(async () => page.locator('[data-testid="quality-hours"][data-version="1"]').getAttribute('data-charts')).toBe('0');
    await page.selectOption('[data-testid="drift-version"]', '2');
    await expect.poll(() => page.getByTestId('live-stats').getAttribute('data-version')).toBe('2');
    await expect.poll(async () => page.getByTestId('live-stats').textContent()).toMatch(/^predictions40outcomes40accuracy0\.\d{4}/);
    await expectChart(
      page.locator('[data-testid="quality-hours"][data-version="2"] [data-testid="quality-hour-chart"]').first(),
      'circle.dot',
      1,
    );
    await expectNoError();
    await screenshotPage(page, 'model-monitoring-version');
  });

  it("shows the training form, and a job's loss and a search's trials as charts", async () => {
    await visit('/train', '[data-testid="training-form"]');
    await screenshotPage(page, 'train');

    await visit(`/train?job=${jobs.logistic.id}`, '[data-testid="training-result"]');
    // a dot per event with a loss
    await expectChart(page.getByTestId('loss-chart'), 'circle.dot', jobs.logistic.events.filter((e) => typeof e.loss === 'number').length);
    await screenshotPage(page, 'train-job');

    await visit(`/train?job=${jobs.search.id}`, '[data-testid="trials-table"]');
    await expectChart(page.getByTestId('trials-chart'), 'circle', jobs.search.trials.length);
    expect(await page.locator('[data-testid="trials-chart"] circle').count()).toBe(jobs.search.trials.length);
    await screenshotPage(page, 'train-search');
  });

  it('shows the batch jobs and one of them', async () => {
    await visit('/batch', `[data-testid="batch-job-row"][data-job-id="${batchId}"]`);
    await screenshotPage(page, 'batch');
    await visit(`/batch/${batchId}`, '[data-testid="batch-prediction-row"]');
    expect(await page.getByTestId('job-status').textContent()).toBe('succeeded');
    await screenshotPage(page, 'batch-job');
  });

  it('shows the alerts with their timeline, and the monitors with a history chart', async () => {
    await visit('/alerts', '[data-testid="alert-row"]');
    await expectChart(page.getByTestId('alert-timeline'), '[data-testid="alert-timeline-bar"] rect', 1);
    await screenshotPage(page, 'alerts');

    const monitor = (await t.client.listMonitors()).find((m) => m.model === clf && m.metric === 'accuracy')!;
    await visit('/monitors', `[data-testid="monitor-row"][data-monitor-id="${monitor.id}"]`);
    await page.locator(`[data-testid="monitor-row"][data-monitor-id="${monitor.id}"] [data-testid="monitor-history-toggle"]`).click();
    const history = page.locator(`[data-testid="monitor-history"][data-monitor-id="${monitor.id}"]`);
    await expectChart(history, 'circle.dot', 2);
    expect(await history.locator('svg').count()).toBe(1);
    await screenshotPage(page, 'monitors');

    // the form offers the metrics of the chosen model's task: a classifier's, then a regressor's
    const offered = () => page.locator('select[name="metric"] option').allTextContents();
    await page.selectOption('select[name="model"]', clf);
    await expect.poll(offered).toContain('auc');
    expect(await offered()).not.toContain('rmse');
    await page.selectOption('select[name="model"]', reg);
    await expect.poll(offered).toContain('rmse');
    expect(await offered()).not.toContain('auc');
    expect(await offered()).toContain('feature_psi');

    // a monitor whose metric the model's live version (no production alias: the newest) no longer fits says why it is not judged
    const changing = `changing-${uniqueSuffix()}`;
    await registerLogisticModel(t.client, changing);
    const stale = await t.client.createMonitor({ name: 'stale auc', model: changing, metric: 'auc', operator: 'lt', threshold: 0.6 });
    await registerLinearModel(t.client, changing);
    await visit('/monitors', `[data-testid="monitor-row"][data-monitor-id="${stale.id}"] [data-testid="monitor-problem"]`);
    expect(
      await page.locator(`[data-testid="monitor-row"][data-monitor-id="${stale.id}"] [data-testid="monitor-problem"]`).textContent(),
    ).toMatch(
      /not judged.*since version 2 became the model's newest \(it has no production alias\): metric auc does not apply to a regression model/,
    );
    await screenshotPage(page, 'monitors-not-judged');
  });

  it('shows the feature store, the upload form, the keys and the audit log', async () => {
    await visit('/features', `[data-testid="feature-group-row"][data-group="${group}"]`);
    await screenshotPage(page, 'features');
    await visit('/upload', '[data-testid="upload-form"]');
    await screenshotPage(page, 'upload');
    await visit('/admin/keys', '[data-testid="keys-table"]');
    await screenshotPage(page, 'admin-keys');
    await visit('/audit', '[data-testid="audit-row"]');
    await screenshotPage(page, 'audit');
  });

  it('answers a path it does not know with its not-found page', async () => {
    await visit(`/no-such-page-${s}`, 'text=Page not found');
    await screenshotPage(page, 'not-found');
  });
});
