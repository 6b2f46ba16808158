import { describe, expect, it } from 'vitest';

import { randomSplit } from '../dataset/dataset.split';
import type { Dataset } from '../dataset/dataset.types';
import { r2 } from '../metrics/metrics';
import { MlError } from '../ml.error';
import { exportOnnx } from '../onnx/onnx.export';
import { readOnnxModelInfo } from '../onnx/onnx.metadata';
import { createRng, normal } from '../random/prng.util';
import { selectTfBackend, tfjs } from '../tf/tf-backend.loader';
import { type LinearRegressionModel, predictLinear } from './linear-regression.model';
import { trainLinearRegression } from './linear-regression.trainer';
import { runOnnxModel, worstDifference } from './onnx-session.fixture';
import { fitStandardizer, standardize } from './standardizer.fit';
import type { TrainingProgress } from './training-input.util';

/** y = 30 + 0.05 (distance − 800) − 2 (dep_hour − 12) + 0 · noise + ε, with missing features. */
function regressionDataset(rowCount: number, seed: number, missingRate = 0.1): Dataset {
  const rng = createRng(seed);
  const distance = new Float64Array(rowCount);
  const depHour = new Float64Array(rowCount);
  const noise = new Float64Array(rowCount);
  const label = new Float64Array(rowCount);
  for (let i = 0; i < rowCount; i++) {
    distance[i] = 800 + 300 * normal(rng);
    depHour[i] = 24 * rng();
    noise[i] = normal(rng);
    label[i] = 30 + 0.05 * (distance[i] - 800) - 2 * (depHour[i] - 12) + 5 * normal(rng);
    if (rng() < missingRate) distance[i] = NaN;
    if (rng() < missingRate) depHour[i] = NaN;
  }
  return { features: ['distance', 'dep_hour', 'noise'], columns: [distance, depHour, noise], label, rowCount };
}

/**
 * The exact minimiser of ½·mean((y_std − X_std w − b)²) + l2·|w|², in float64, mapped back to the
 * label's units — what the trainer must converge to. Standardised, mean-imputed columns have mean
 * 0, so b = 0 and (XᵀX/n + 2·l2·I) w = Xᵀy/n.
 */
function exactRidge(dataset: Dataset, l2: number): { weights: number[]; bias: number } {
  const { means, scales } = fitStandardizer(dataset.columns);
  const [labelMean, labelScale] = [fitStandardizer([dataset.label]).means[0], fitStandardizer([dataset.label]).scales[0]];
  const x = dataset.columns.map((c, j) => c.map((v) => standardize(v, means[j], scales[j])));
  const y = dataset.label.map((v) => (v - labelMean) / labelScale);
  const k = x.length;
  const n = dataset.rowCount;
  const a = Array.from({ length: k }, (_, p) =>
    Array.from({ length: k }, (_, q) => x[p].reduce((s, v, i) => s + v * x[q][i], 0) / n + (p === q ? 2 * l2 : 0)),
  );
  const rhs = x.map((column) => column.reduce((s, v, i) => s + v * y[i], 0) / n);
  return { weights: solve(a, rhs).map((w) => w * labelScale), bias: labelMean };
}

/** Gaussian elimination with partial pivoting, for the small systems above. */
function solve(a: number[][], b: number[]): number[] {
  const m = a.map((row, i) => [...row, b[i]]);
  const n = b.length;
  for (let c = 0; c < n; c++) {
    const pivot = m.reduce((best, row, r) => (r >= c && Math.abs(row[c]) > Math.abs(m[best][c]) ? r : best), c);
    [m[c], m[pivot]] = [m[pivot], m[c]];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r][c] / m[c][c];
      for (let q = c; q <= n; q++) m[r][q] -= f * m[c][q];
    }
  }
  return m.map((row, i) => row[n] / row[i]);
}

const { train, validation } = randomSplit(regressionDataset(3000, 1), { validationFraction: 0.2, seed: 2 });
// Full-batch Adam converges to the exact optimum instead of hovering around it.
const adamConverges = { solver: 'adam' as const, epochs: 400, batchSize: train.rowCount, learningRate: 0.05 };

describe('trainLinearRegression', () => {
  it('lbfgs solves the normal equations: the exact least-squares and ridge solutions', async () => {
    for (const l2 of [0, 0.1]) {
      const model = await trainLinearRegression(train, { l2 });
      const exact = exactRidge(train, l2);
      model.weights.forEach((w, j) => expect(w).toBeCloseTo(exact.weights[j], 9));
      expect(model.bias).toBeCloseTo(exact.bias, 9);
    }
  });

  it('adam (the earlier solver) converges to the same solutions', async () => {
    for (const l2 of [0, 0.1]) {
      const model = await trainLinearRegression(train, { ...adamConverges, l2 });
      const exact = exactRidge(train, l2);
      model.weights.forEach((w, j) => expect(w).toBeCloseTo(exact.weights[j], 2));
      expect(model.bias).toBeCloseTo(exact.bias, 2);
    }
  });

  it('learns the true model in the label units and explains held-out data', async () => {
    const progress: TrainingProgress[] = [];
    const model = await trainLinearRegression(train, {}, { onProgress: (p) => progress.push(p) });
    expect(model).toMatchObject({ kind: 'linear_regression', features: train.features, backend: 'typescript' });
    // True coefficients per standard deviation of each feature: 0.05·300 = 15, −2·24/√12 ≈ −13.9.
    expect(model.weights[0]).toBeCloseTo(15, 0);
    expect(model.weights[1]).toBeCloseTo(-13.9, 0);
    expect(r2(validation.label, predictLinear(model, validation.columns))).toBeGreaterThan(0.85);
    // One solve, reported once, with the objective (½·MSE of the standardised label) it reached.
    expect(progress).toEqual([{ epoch: 1, epochs: 1, loss: expect.any(Number), unit: 'iteration' }]);
    expect(progress[0].loss).toBeLessThan(0.5);
  });

  it.each(['lbfgs', 'adam'] as const)(
    '%s with l1 (lasso, elastic net) sets the useless feature to exactly 0 and shrinks the others',
    async (solver) => {
      const ols = exactRidge(train, 0);
      for (const l2 of [0, 0.05]) {
        const model = await trainLinearRegression(train, { ...adamConverges, solver, l1: 0.05, l2 });
        const [distance, depHour, noise] = model.weights;
        expect(noise).toBe(0);
        expect(distance).toBeGreaterThan(5);
        expect(distance).toBeLessThan(ols.weights[0]);
        expect(depHour).toBeLessThan(-5);
        expect(depHour).toBeGreaterThan(ols.weights[1]);
      }
      const strong = await trainLinearRegression(train, { ...adamConverges, solver, l1: 10 });
      expect(strong.weights).toEqual([0, 0, 0]);
    },
  );

  it('lbfgs is deterministic, adam reproducible for a seed, and neither leaves tensors behind', async () => {
    await selectTfBackend();
    const tensorsBefore = tfjs().memory().numTensors;
    for (const solver of ['lbfgs', 'adam'] as const) {
      const first = await trainLinearRegression(train, { solver, epochs: 3, seed: 7, l1: 0.01, l2: 0.01 });
      const again = await trainLinearRegression(train, { solver, epochs: 3, seed: 7, l1: 0.01, l2: 0.01 });
      expect(again).toEqual(first);
    }
    expect(tfjs().memory().numTensors).toBe(tensorsBefore);
  });

  it.each([
    ['adam', { solver: 'adam', epochs: 50, batchSize: 64 }],
    ['lbfgs with l1 (coordinate descent)', { l1: 0.001, tolerance: 1e-12 }],
  ] as const)('%s stops when aborted and leaks no tensors', async (_, params) => {
    const tensorsBefore = tfjs().memory().numTensors;
    const controller = new AbortController();
    const run = trainLinearRegression(train, params, {
      signal: controller.signal,
      onProgress: ({ epoch }) => epoch === 2 && controller.abort(),
    });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(tfjs().memory().numTensors).toBe(tensorsBefore);
  });

  it('rejects bad parameters and labels with coded errors', async () => {
    await expect(trainLinearRegression(train, { l1: -1 })).rejects.toThrow(/l1 must be a non-negative number, got -1/);
    await expect(trainLinearRegression(train, { l2: NaN })).rejects.toBeInstanceOf(MlError);
    const badLabel = { ...train, label: train.label.map((v, i) => (i === 4 ? NaN : v)) };
    await expect(trainLinearRegression(badLabel)).rejects.toThrow(/label must be a finite number, got NaN at row 4/);
  });
});

describe('predictLinear and the linear regression ONNX export', () => {
  const handMade: LinearRegressionModel = {
    kind: 'linear_regression',
    features: ['origin:delay_mean_7d', 'x'],
    means: [12.5, -3],
    scales: [7.25, 0.5],
    weights: [4, -1.5],
    bias: 20,
    backend: 'cpu',
  };

  it('standardises, imputes missing values with the mean and applies the weights in float64', () => {
    const prediction = predictLinear(handMade, [Float64Array.of(27, NaN), Float64Array.of(-2, NaN)]);
    expect(Array.from(prediction)).toEqual([20 + 4 * 2 - 1.5 * 2, 20]);
    expect(() => predictLinear(handMade, [new Float64Array(1)])).toThrow(/expects 2 columns/);
  });

  it('runs in onnxruntime with the same predictions on held-out rows with missing values', async () => {
    const model = await trainLinearRegression(train, { epochs: 10 });
    const heldOut = regressionDataset(1000, 9, 0.25);
    const bytes = exportOnnx(model, { name: 'delay_minutes', version: 2 });
    const ort = await runOnnxModel(bytes, model.features, heldOut.columns);
    expect(ort.inputNames).toEqual(model.features);
    expect(ort.outputNames).toEqual(['prediction']);
    expect(ort.outputs.prediction.dims).toEqual([1000, 1]);
    expect(ort.outputs.prediction.type).toBe('float32');
    // float32 arithmetic on values around 30: 1e-4 absolute is ~3e-6 relative.
    expect(worstDifference(predictLinear(model, heldOut.columns), ort.outputs.prediction)).toBeLessThan(1e-4);
    expect(readOnnxModelInfo(bytes).metadata['atelier.model_kind']).toBe('linear_regression');
  });

  it('refuses feature names that clash with the output', () => {
    expect(() => exportOnnx({ ...handMade, features: ['prediction', 'x'] }, { name: 'm' })).toThrow(/cannot be an ONNX input/);
  });
});
