import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { GbdtParams } from '@atelier/contracts';
import { FeatureStoreModule } from '@atelier/feature-store';
import { createRng, normal } from '@atelier/ml';
import { RegistryModule } from '@atelier/registry';
import { signIn, startTestApp, startWebUi, type TestApp, uniqueSuffix } from '@atelier/testing';
import { TrainingModule } from '@atelier/training';

/**
 * The whole training form in real Chromium against the platform on the real Postgres, Redis and
 * Kafka: a model parameter behind the "advanced" disclosure checked with the contract as it is
 * typed, a categorical column picked from the source group's string columns with a non-default
 * encoding and option, a request feature picked from its other columns, a transform whose syntax
 * error the API locates as it is typed; the job's stored request carries exactly those settings
 * (the defaults filled in by the API, none sent by the form), and it trains.
 */
const WINDOW = { start: '2001-01-01T00:00:00Z', validationStart: '2001-01-08T00:00:00Z', end: '2001-01-11T00:00:00Z' };
const ROWS = 600;
const CITIES = ['ams', 'bcn', 'cph', 'dub'];

describe('the training form: every parameter, input and transform (browser)', () => {
  const s = uniqueSuffix();
  const group = `trips_${s}`;
  const weather = `weather_${s}`;
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp([FeatureStoreModule, TrainingModule, RegistryModule]);
    await t.client.createEntity({ name: `trip_${s}`, joinKey: 'trip', description: '' });
    await t.client.createFeatureGroup({
      name: group,
      entity: `trip_${s}`,
      ttlSeconds: 86_400,
      description: '',
      features: [
        { name: 'x', dtype: 'float', description: 'distance, scaled' },
        { name: 'z', dtype: 'float', description: '' },
        { name: 'city', dtype: 'string', description: 'where the trip ends' },
        { name: 'late', dtype: 'int', description: '' },
      ],
    });
    const rng = createRng(5);
    const span = Date.parse(WINDOW.end) - Date.parse(WINDOW.start);
    const rows = Array.from({ length: ROWS }, (_, i) => {
      const [x, z] = [normal(rng), normal(rng)];
      const city = CITIES[i % CITIES.length]!;
      return {
        entityKey: `t${i}`,
        eventTime: new Date(Date.parse(WINDOW.start) + (i * span) / ROWS).toISOString(),
        values: { x, z, city, late: x * z + (city === 'ams' ? 1 : 0) + 0.5 * normal(rng) > 0.3 ? 1 : 0 },
      };
    });
    await t.client.ingestRows(group, rows);
    // a group to find in the feature picker: one of its two features missing on one of its two rows
    await t.client.createEntity({ name: `city_${s}`, joinKey: 'city', description: '' });
    await t.client.createFeatureGroup({
      name: weather,
      entity: `city_${s}`,
      ttlSeconds: 86_400,
      description: '',
      features: [
        { name: 'wind', dtype: 'float', description: 'm/s, hourly mean' },
        { name: 'rain', dtype: 'float', description: '' },
      ],
    });
    await t.client.ingestRows(weather, [
      { entityKey: 'ams', eventTime: WINDOW.start, values: { wind: 7, rain: 1 } },
      { entityKey: 'bcn', eventTime: WINDOW.validationStart, values: { wind: 3 } },
    ]);
  });

  /** the weather group's last ingestion as the picker shows it */
  async function lastIngested(): Promise<string> {
    const stats = await t.client.featureGroupStats(weather);
    return `${stats.lastIngestedAt!.slice(0, 19).replace('T', ' ')} UTC`;
  }

  afterAll(async () => {
    await t?.close();
  });

  it('sends an advanced parameter, a hashed categorical column, a picked request feature and a transform fixed after its error, and trains', async () => {
    const model = `trips-form-${s}`;
    const web = await startWebUi(t.baseUrl);
    try {
      const page = await web.browser.newPage();
      await signIn(page, web.url, t.adminKey);
      await page.goto(`${web.url}/train`);
      await page.locator(`select[name="source"] option[value="${group}"]`).waitFor({ state: 'attached' });
      await page.selectOption('select[name="source"]', group);
      await page.fill('input[name="modelName"]', model);
      await page.getByRole('button', { name: 'remove join key' }).click();
      await page.fill('input[name="label"]', 'late');
      await page.fill('input[name="start"]', WINDOW.start);
      await page.fill('input[name="validationStart"]', WINDOW.validationStart);
      await page.fill('input[name="end"]', WINDOW.end);

      // the feature picker: found by name, grouped by entity and group, with type, description and, on request, freshness
      await page.fill('input[name="featureSearch"]', `${weather}:w`);
      const shownGroups = page.locator('[data-testid="feature-group"]');
      await expect.poll(() => shownGroups.evaluateAll((gs) => gs.map((g) => g.getAttribute('data-group')))).toEqual([weather]);
      const wind = page.getByRole('checkbox', { name: `${weather}:wind` });
      expect(await page.locator('[data-testid="feature-group"] .check code').allTextContents()).toEqual([`${weather}:wind`]);
      expect(await page.getByTestId('feature-dtype').allTextContents()).toEqual(['float']);
      expect(await page.locator('[data-testid="feature-group"] .check').textContent()).toContain('m/s, hourly mean');
      await page.click('[data-testid="feature-group-stats"]');
      await expect
        .poll(() => page.getByTestId('feature-group-freshness').textContent())
        .toBe(`2 rows, newest 2001-01-08 00:00:00 UTC, last ingested ${await lastIngested()}`);
      await page.fill('input[name="featureSearch"]', `${weather}:`);
      await expect.poll(() => page.getByTestId('feature-missing').allInnerTexts()).toEqual(['0% missing', '50% missing']);
      expect(await wind.isChecked()).toBe(false);

      // request features: the source group's columns that are not strings, checked from the list into the typed one
      await page.fill('input[name="requestFeatures"]', '');
      const valueColumns = await page
        .locator('input[name="requestFeatures-column"]')
        .evaluateAll((inputs) => inputs.map((i) => (i as HTMLInputElement).value));
      expect(valueColumns).toEqual(['x', 'z', 'late']);
      await page.check('input[name="requestFeatures-column"][value="x"]');
      expect(await page.inputValue('input[name="requestFeatures"]')).toBe('x');

      // GBDT: the basic parameters shown, the others behind "advanced"; each checked with the contract as typed
      await page.selectOption('select[name="modelType"]', 'gbdt');
      await page.fill('input[name="epochs"]', '10');
      expect(await page.isVisible('input[name="param-minDataInLeaf"]')).toBe(false);
      await page.locator('[data-testid="advanced-params"] summary').click();
      await page.fill('input[name="param-minDataInLeaf"]', '5');
      await page.fill('input[name="param-featureFraction"]', '0');
      const fractionError = page.getByTestId('param-error-featureFraction');
      await expect.poll(() => fractionError.textContent()).toBe('Too small: expected number to be >0');
      await page.fill('input[name="param-featureFraction"]', '0.8');
      expect(await fractionError.count()).toBe(0);
      expect(await page.isVisible('input[name="param-minDataInLeaf"]')).toBe(true); // fixed, the section stays open

      // a categorical column from the group's string columns, hashed into 8 buckets
      expect(
        await page
          .locator('input[name="categoricalFeatures-column"]')
          .evaluateAll((inputs) => inputs.map((i) => (i as HTMLInputElement).value)),
      ).toEqual(['city']);
      await page.check('input[name="categoricalFeatures-column"][value="city"]');
      await page.selectOption('select[name="categorical-city-encoding"]', 'hashing');
      await page.fill('input[name="categorical-city-buckets"]', '8');

      // a transform: its syntax error and where it is, as typed; fixed, its values on sample rows
      await page.click('[data-testid="add-transform"]');
      await page.fill('input[name="transform-0-name"]', 'xz');
      await page.fill('input[name="transform-0-expression"]', 'x + * z');
      const problem = page.getByTestId('transform-problem-0');
      await problem.waitFor({ timeout: 30_000 });
      expect(await problem.getAttribute('data-position')).toBe('4');
      expect(await problem.textContent()).toContain("Unexpected '*'");
      expect(await problem.locator('mark').textContent()).toBe('*');
      await page.fill('input[name="transform-0-expression"]', 'x * z');
      await page.getByTestId('transform-ok-0').waitFor({ timeout: 30_000 });
      expect(await problem.count()).toBe(0);
      expect(await page.getByTestId('transform-ok-0').textContent()).toMatch(/^✓ on sample rows: -?\d/);

      await page.screenshot({ path: 'tmp/training-form.png', fullPage: true }).catch(() => undefined);
      await page.click('[data-testid="start-training"]');
      await page.getByTestId('training-result').waitFor({ timeout: 90_000 });
      const jobId = await page.getByTestId('training-job').getAttribute('data-job-id');
      const job = await t.client.getTrainingJob(jobId!);
      expect(job.status).toBe('succeeded');
      expect(job.request).toMatchObject({
        modelName: model,
        source: { group },
        joinKeys: {},
        features: [],
        requestFeatures: ['x'],
        categoricalFeatures: [{ column: 'city', encoding: 'hashing', maxCategories: 50, buckets: 8 }],
        transforms: [{ name: 'xz', expression: 'x * z' }],
        label: 'late',
        window: WINDOW,
        modelType: 'gbdt',
      });
      expect(job.request.params).toEqual(GbdtParams.parse({ numIterations: 10, minDataInLeaf: 5, featureFraction: 0.8 }));
      expect(job.request.search).toBeUndefined();
      expect(job.request.automl).toBeUndefined();
      const version = await t.client.getVersion(model, 1);
      expect(version.lineage.params).toMatchObject({ numIterations: 10, minDataInLeaf: 5, featureFraction: 0.8 });
    } finally {
      await web.close();
    }
  }, 150_000);
});
