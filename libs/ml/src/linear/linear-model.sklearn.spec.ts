import { describe, expect, it } from 'vitest';

import type { Dataset } from '../dataset/dataset.types';
import fixtureJson from '../fixtures/linear.sklearn.json';
import { NORMAL_EQUATIONS_MAX_FEATURES } from './linear-full-batch.fit';
import { type LinearParts, linearScores } from './linear-model.util';
import { trainLinearRegression } from './linear-regression.trainer';
import { trainLogisticRegression } from './logistic-regression.trainer';

/** One penalty's optimum as scikit-learn found it, mapped onto our model (see the fixture's script). */
interface ReferenceFit {
  l1: number;
  l2: number;
  estimator: string;
  objective: number;
  trainLoss: number;
  weights: number[];
  bias: number;
  coef: number[];
  intercept: number;
}

interface LinearFixture {
  features: string[];
  columns: (number | null)[][];
  binaryLabel: number[];
  numericLabel: number[];
  means: number[];
  scales: number[];
  logistic: ReferenceFit[];
  linear: ReferenceFit[];
}

/** tools/fixtures/make_linear_fixtures.py: 600 rows, 6 features (two correlated, one useless, one constant), missing values. */
const fixture = fixtureJson as LinearFixture;
const columns = fixture.columns.map((column) => Float64Array.from(column, (v) => v ?? NaN));
const dataset = (label: number[]): Dataset => ({
  features: fixture.features,
  columns,
  label: Float64Array.from(label),
  rowCount: label.length,
});
const binary = dataset(fixture.binaryLabel);
const numeric = dataset(fixture.numericLabel);
const l2Only = (fits: ReferenceFit[]) => fits.filter((f) => f.l1 === 0);
const withL1 = (fits: ReferenceFit[]) => fits.filter((f) => f.l1 > 0);

/** The model in the original feature units: what a reader of the coefficients compares. */
function originalScale({ weights, bias, means, scales }: LinearParts): { coef: number[]; intercept: number } {
  const coef = weights.map((w, j) => w / scales[j]);
  return { coef, intercept: bias - coef.reduce((sum, c, j) => sum + c * means[j], 0) };
}

/** Every coefficient within `relative` of the reference's own size (exact zeros must be exact). */
function expectCoefficients(actual: LinearParts, reference: ReferenceFit, relative: number): void {
  const { coef, intercept } = originalScale(actual);
  coef.forEach((c, j) =>
    expect(Math.abs(c - reference.coef[j]), `${fixture.features[j]}: ${c} vs ${reference.coef[j]}`).toBeLessThanOrEqual(
      relative * Math.abs(reference.coef[j]),
    ),
  );
  expect(Math.abs(intercept - reference.intercept)).toBeLessThanOrEqual(relative * Math.abs(reference.intercept));
}

/** Mean log loss on the training rows and the whole objective (penalties on the standardised weights). */
function logisticObjectiveOf(model: LinearParts, l1: number, l2: number): { loss: number; objective: number } {
  const scores = linearScores(model, columns);
  let sum = 0;
  scores.forEach((z, i) => (sum += Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z))) - binary.label[i] * z));
  const loss = sum / scores.length;
  return { loss, objective: loss + penalty(model.weights, l1, l2) };
}

function penalty(weights: number[], l1: number, l2: number): number {
  return weights.reduce((sum, w) => sum + l2 * w * w + l1 * Math.abs(w), 0);
}

describe('trainLogisticRegression (lbfgs) against scikit-learn LogisticRegression', () => {
  it('standardises exactly as the reference did', async () => {
    const model = await trainLogisticRegression(binary, { maxIterations: 1 });
    // numpy sums pairwise, we sum in order: the last bits may differ
    model.means.forEach((m, j) => expect(Math.abs(m - fixture.means[j])).toBeLessThanOrEqual(1e-14 * Math.abs(fixture.means[j])));
    model.scales.forEach((s, j) => expect(Math.abs(s - fixture.scales[j])).toBeLessThanOrEqual(1e-14 * fixture.scales[j]));
  });

  it.each(l2Only(fixture.logistic).map((f) => [f.estimator, f] as const))(
    'none / L2 (%s): coefficients within 1e-4 relative, log loss within 1e-9',
    async (_, reference) => {
      const model = await trainLogisticRegression(binary, { l2: reference.l2, tolerance: 1e-9 });
      expectCoefficients(model, reference, 1e-4);
      const { loss, objective } = logisticObjectiveOf(model, 0, reference.l2);
      expect(Math.abs(loss - reference.trainLoss)).toBeLessThan(1e-9);
      expect(objective).toBeLessThanOrEqual(reference.objective + 1e-12);
    },
  );

  it.each(l2Only(fixture.logistic).map((f) => [f.estimator, f] as const))(
    'with the default tolerance (%s) the log loss is within 1e-6 of the optimum',
    async (_, reference) => {
      const model = await trainLogisticRegression(binary, { l2: reference.l2 });
      expect(logisticObjectiveOf(model, 0, reference.l2).objective - reference.objective).toBeLessThan(1e-6);
    },
  );

  it.each(withL1(fixture.logistic).map((f) => [f.estimator, f] as const))(
    'L1 / elastic net (%s, OWL-QN): the same exact zeros, coefficients within 1e-4 relative, objective within 1e-9',
    async (_, reference) => {
      const model = await trainLogisticRegression(binary, { l1: reference.l1, l2: reference.l2, tolerance: 1e-9 });
      expect(model.weights.map((w) => w === 0)).toEqual(reference.weights.map((w) => w === 0));
      expect(model.weights.filter((w) => w === 0).length).toBeGreaterThanOrEqual(2); // the useless and the constant feature
      expectCoefficients(model, reference, 1e-4);
      expect(logisticObjectiveOf(model, reference.l1, reference.l2).objective - reference.objective).toBeLessThan(1e-9);
    },
  );
});

describe('trainLinearRegression (lbfgs) against scikit-learn LinearRegression / Ridge / Lasso / ElasticNet', () => {
  it.each(l2Only(fixture.linear).map((f) => [f.estimator, f] as const))(
    '%s: the normal equations agree to 1e-10 relative',
    async (_, reference) => {
      const model = await trainLinearRegression(numeric, { l2: reference.l2 });
      expectCoefficients(model, reference, 1e-10);
    },
  );

  it.each(withL1(fixture.linear).map((f) => [f.estimator, f] as const))(
    '%s: OWL-QN on the Gram matrix finds the same exact zeros and coefficients within 1e-6 relative',
    async (_, reference) => {
      const model = await trainLinearRegression(numeric, { l1: reference.l1, l2: reference.l2, tolerance: 1e-12 });
      expect(model.weights.map((w) => w === 0)).toEqual(reference.weights.map((w) => w === 0));
      expectCoefficients(model, reference, 1e-6);
    },
  );

  it.each(fixture.linear.map((f) => [f.estimator, f] as const))(
    'wider than NORMAL_EQUATIONS_MAX_FEATURES, the L-BFGS / OWL-QN path over the rows (%s) finds the same optimum',
    async (_, reference) => {
      // constant columns standardise to 0: they widen the data without moving the optimum
      const padding = NORMAL_EQUATIONS_MAX_FEATURES + 1 - numeric.features.length;
      const wide: Dataset = {
        ...numeric,
        features: [...numeric.features, ...Array.from({ length: padding }, (_, k) => `constant_${k}`)],
        columns: [...numeric.columns, ...Array.from({ length: padding }, () => new Float64Array(numeric.rowCount).fill(1))],
      };
      const model = await trainLinearRegression(wide, { l1: reference.l1, l2: reference.l2, tolerance: 1e-10 });
      const features = numeric.features.length;
      expect(model.weights.slice(features).every((w) => w === 0)).toBe(true);
      const narrow = {
        ...model,
        weights: model.weights.slice(0, features),
        means: model.means.slice(0, features),
        scales: model.scales.slice(0, features),
      };
      expect(narrow.weights.map((w) => w === 0)).toEqual(reference.weights.map((w) => w === 0));
      expectCoefficients(narrow, reference, reference.l1 > 0 ? 1e-4 : 1e-6);
    },
  );
});
