import { describe, expect, it } from 'vitest';

import type { Dataset } from '../dataset/dataset.types';
import fixtureJson from '../fixtures/multinomial.sklearn.json';
import { type MultinomialLogisticRegressionModel, predictProba } from './logistic-regression.model';
import { trainMultinomialLogisticRegression } from './logistic-regression.trainer';

/** One penalty's optimum as scikit-learn found it, in our model's terms (see the fixture's script). */
interface ReferenceFit {
  l1: number;
  l2: number;
  estimator: string;
  objective: number;
  trainLoss: number;
  /** K × F, standardised space; centred over the classes without l1 */
  weights: number[][];
  /** centred over the classes */
  biases: number[];
  /** n × K row-major, on the training rows */
  probabilities: number[];
}

interface MultinomialFixture {
  features: string[];
  columns: (number | null)[][];
  label: number[];
  numClass: number;
  means: number[];
  scales: number[];
  fits: ReferenceFit[];
}

/** tools/fixtures/make_multinomial_fixtures.py: 600 rows, 3 overlapping classes, 5 features (one useless, one constant), missing values. */
const fixture = fixtureJson as MultinomialFixture;
const { numClass } = fixture;
const dataset: Dataset = {
  features: fixture.features,
  columns: fixture.columns.map((column) => Float64Array.from(column, (v) => v ?? NaN)),
  label: Float64Array.from(fixture.label),
  rowCount: fixture.label.length,
};
const l2Only = fixture.fits.filter((f) => f.l1 === 0);
const withL1 = fixture.fits.filter((f) => f.l1 > 0);

/** Mean cross-entropy on the training rows and the whole objective (penalties on the standardised weights). */
function objectiveOf(model: MultinomialLogisticRegressionModel, l1: number, l2: number): { loss: number; objective: number } {
  const p = predictProba(model, dataset.columns);
  let sum = 0;
  dataset.label.forEach((y, i) => (sum -= Math.log(p[i * numClass + y])));
  const loss = sum / dataset.rowCount;
  const penalty = model.weights.flat().reduce((s, w) => s + l2 * w * w + l1 * Math.abs(w), 0);
  return { loss, objective: loss + penalty };
}

/** Largest |ours − reference| over the class probabilities of every training row. */
function worstProbability(model: MultinomialLogisticRegressionModel, reference: ReferenceFit): number {
  const p = predictProba(model, dataset.columns);
  expect(p).toHaveLength(reference.probabilities.length);
  return p.reduce((worst, v, i) => Math.max(worst, Math.abs(v - reference.probabilities[i])), 0);
}

/** Every weight and bias within `relative` × the largest reference coefficient. */
function expectParameters(model: MultinomialLogisticRegressionModel, reference: ReferenceFit, relative: number): void {
  const scale = Math.max(...reference.weights.flat().map(Math.abs), ...reference.biases.map(Math.abs));
  model.weights.forEach((row, k) =>
    row.forEach((w, j) =>
      expect(
        Math.abs(w - reference.weights[k][j]),
        `class ${k}, ${fixture.features[j]}: ${w} vs ${reference.weights[k][j]}`,
      ).toBeLessThanOrEqual(relative * scale),
    ),
  );
  model.biases.forEach((b, k) => expect(Math.abs(b - reference.biases[k]), `bias ${k}`).toBeLessThanOrEqual(relative * scale));
}

describe('trainMultinomialLogisticRegression (lbfgs) against scikit-learn multinomial LogisticRegression', () => {
  it('standardises exactly as the reference did', async () => {
    const model = await trainMultinomialLogisticRegression(dataset, { numClass, maxIterations: 1 });
    model.means.forEach((m, j) => expect(Math.abs(m - fixture.means[j])).toBeLessThanOrEqual(1e-14 * Math.abs(fixture.means[j])));
    model.scales.forEach((s, j) => expect(Math.abs(s - fixture.scales[j])).toBeLessThanOrEqual(1e-14 * fixture.scales[j]));
  });

  it.each(l2Only.map((f) => [f.estimator, f] as const))(
    'none / L2 (%s): weights, biases and probabilities within 1e-6, cross-entropy within 1e-8, objective within 1e-12',
    async (_, reference) => {
      const model = await trainMultinomialLogisticRegression(dataset, { numClass, l2: reference.l2, tolerance: 1e-9 });
      // the solver stops on an unchanging objective near a gradient of 1e-8, hence not tighter
      expectParameters(model, reference, 1e-6);
      expect(worstProbability(model, reference)).toBeLessThan(1e-6);
      const { loss, objective } = objectiveOf(model, 0, reference.l2);
      expect(Math.abs(loss - reference.trainLoss)).toBeLessThan(1e-8);
      expect(objective).toBeLessThanOrEqual(reference.objective + 1e-12);
    },
  );

  it.each(l2Only.map((f) => [f.estimator, f] as const))(
    'with the default tolerance (%s) the objective is within 1e-6 of the optimum',
    async (_, reference) => {
      const model = await trainMultinomialLogisticRegression(dataset, { numClass, l2: reference.l2 });
      expect(objectiveOf(model, 0, reference.l2).objective - reference.objective).toBeLessThan(1e-6);
      expect(worstProbability(model, reference)).toBeLessThan(1e-3);
    },
  );

  it.each(withL1.map((f) => [f.estimator, f] as const))(
    'L1 / elastic net (%s, OWL-QN): the same exact zeros, weights within 1e-6, probabilities within 1e-7, objective within 1e-9',
    async (_, reference) => {
      const model = await trainMultinomialLogisticRegression(dataset, { numClass, l1: reference.l1, l2: reference.l2, tolerance: 1e-9 });
      expect(model.weights.map((row) => row.map((w) => w === 0))).toEqual(reference.weights.map((row) => row.map((w) => w === 0)));
      // the useless and the constant feature in every class
      [3, 4].forEach((j) => expect(model.weights.map((row) => row[j])).toEqual([0, 0, 0]));
      expectParameters(model, reference, 1e-6);
      expect(worstProbability(model, reference)).toBeLessThan(1e-7);
      expect(objectiveOf(model, reference.l1, reference.l2).objective - reference.objective).toBeLessThan(1e-9);
    },
  );
});
