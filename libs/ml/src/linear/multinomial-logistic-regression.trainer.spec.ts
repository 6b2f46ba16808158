import { describe, expect, it } from 'vitest';

import type { Dataset } from '../dataset/dataset.types';
import { multiclassAccuracy, multiclassLogLoss } from '../metrics/multiclass.metrics';
import { MlError } from '../ml.error';
import { createRng, normal } from '../random/prng.util';
import { syntheticLogisticDataset } from '../testing/synthetic-dataset.fixture';
import { designMatrix, softmaxObjective } from './linear.objective';
import { type MultinomialLogisticRegressionModel, predictProba } from './logistic-regression.model';
import { type TrainingProgress, trainLogisticRegression, trainMultinomialLogisticRegression } from './logistic-regression.trainer';
import { fitStandardizer } from './standardizer.fit';

/**
 * Three classes whose true model is softmax-linear: scores (0, 0.004·(distance − 800) − 0.5,
 * −0.25·(hour − 12)), `noise` carries nothing; some distances and hours are missing after the
 * label is drawn.
 */
function threeClasses(rowCount: number, seed: number): Dataset {
  const rng = createRng(seed);
  const distance = new Float64Array(rowCount);
  const hour = new Float64Array(rowCount);
  const noise = new Float64Array(rowCount);
  const label = new Float64Array(rowCount);
  for (let i = 0; i < rowCount; i++) {
    distance[i] = 800 + 300 * normal(rng);
    hour[i] = 24 * rng();
    noise[i] = normal(rng);
    const e = [1, Math.exp(0.004 * (distance[i] - 800) - 0.5), Math.exp(-0.25 * (hour[i] - 12))];
    const u = rng() * (e[0] + e[1] + e[2]);
    label[i] = u < e[0] ? 0 : u < e[0] + e[1] ? 1 : 2;
    if (rng() < 0.1) distance[i] = NaN;
    if (rng() < 0.1) hour[i] = NaN;
  }
  return { features: ['distance', 'hour', 'noise'], columns: [distance, hour, noise], label, rowCount };
}

const train = threeClasses(3000, 1);
const validation = threeClasses(1000, 2);

describe('trainMultinomialLogisticRegression', () => {
  it('learns the true model: K weight rows with the true signs, better than the class frequencies on held-out rows', async () => {
    const progress: TrainingProgress[] = [];
    const model = await trainMultinomialLogisticRegression(train, { numClass: 3 }, { onProgress: (p) => progress.push(p) });
    expect(model).toMatchObject({ kind: 'logistic_regression', task: 'multiclass', features: train.features, backend: 'typescript' });
    expect(model.weights.map((row) => row.length)).toEqual([3, 3, 3]);
    expect(model.biases).toHaveLength(3);

    const p = predictProba(model, validation.columns);
    expect(p).toHaveLength(3 * validation.rowCount);
    for (let i = 0; i < validation.rowCount; i++) expect(p[3 * i] + p[3 * i + 1] + p[3 * i + 2]).toBeCloseTo(1, 14);
    const counts = [0, 1, 2].map((c) => train.label.filter((y) => y === c).length / train.rowCount);
    const frequencies = Float64Array.from({ length: 3 * validation.rowCount }, (_, j) => counts[j % 3]);
    expect(multiclassLogLoss(validation.label, p, 3)).toBeLessThan(multiclassLogLoss(validation.label, frequencies, 3) - 0.2);
    expect(multiclassAccuracy(validation.label, p, 3)).toBeGreaterThan(0.6);

    // class 1 rises with distance, class 2 falls with the hour, relative to the others; noise is ~0
    const [distance, hour, noise] = [0, 1, 2].map((j) => model.weights.map((row) => row[j]));
    expect(distance[1]).toBeGreaterThan(Math.max(distance[0], distance[2]) + 0.5);
    expect(hour[2]).toBeLessThan(Math.min(hour[0], hour[1]) - 0.5);
    expect(Math.max(...noise.map(Math.abs))).toBeLessThan(0.1);
    // canonical form: biases and each feature's weights sum to 0 over the classes
    expect(Math.abs(model.biases.reduce((a, b) => a + b))).toBeLessThan(1e-12);
    expect(Math.abs(distance.reduce((a, b) => a + b))).toBeLessThan(1e-12);

    expect(progress.length).toBeGreaterThan(2);
    expect(progress.map((q) => q.epoch)).toEqual(progress.map((_, i) => i + 1));
    expect(progress.every((q) => q.epochs === 1000 && q.unit === 'iteration')).toBe(true);
    progress.slice(1).forEach((q, i) => expect(q.loss).toBeLessThan(progress[i].loss));
  });

  it('is deterministic: the same data give the same model, whatever the seed', async () => {
    const first = await trainMultinomialLogisticRegression(train, { numClass: 3, l2: 0.001 });
    expect(await trainMultinomialLogisticRegression(train, { numClass: 3, l2: 0.001, seed: 8 })).toEqual(first);
  });

  it('with two classes is the binary model: class 1 minus class 0 gives its weights and bias', async () => {
    const binary = syntheticLogisticDataset(2000, 5);
    const logistic = await trainLogisticRegression(binary, { tolerance: 1e-9 });
    const softmax = await trainMultinomialLogisticRegression(binary, { numClass: 2, tolerance: 1e-9 });
    softmax.weights[1].forEach((w, j) => expect(w - softmax.weights[0][j]).toBeCloseTo(logistic.weights[j], 6));
    expect(softmax.biases[1] - softmax.biases[0]).toBeCloseTo(logistic.bias, 6);
    const p1 = predictProba(softmax, binary.columns).filter((_, j) => j % 2 === 1);
    const worst = predictProba(logistic, binary.columns).reduce((w, p, i) => Math.max(w, Math.abs(p - p1[i])), 0);
    expect(worst).toBeLessThan(1e-7);
  });

  it('with l1 zeroes the useless feature in every class', async () => {
    const model = await trainMultinomialLogisticRegression(train, { numClass: 3, l1: 0.05 });
    expect(model.weights.map((row) => row[2])).toEqual([0, 0, 0]);
    expect(multiclassAccuracy(validation.label, predictProba(model, validation.columns), 3)).toBeGreaterThan(0.6);
  });

  it('trains when a class has no rows (a partition may lack one): its probability is near 0', async () => {
    const model = await trainMultinomialLogisticRegression(train, { numClass: 4, l2: 0.001 });
    const p = predictProba(model, validation.columns);
    expect(p.every(Number.isFinite)).toBe(true);
    expect(Math.max(...p.filter((_, j) => j % 4 === 3))).toBeLessThan(1e-3);
  });

  it('stops when aborted and rejects with the abort reason', async () => {
    const controller = new AbortController();
    const run = trainMultinomialLogisticRegression(
      train,
      { numClass: 3 },
      { signal: controller.signal, onProgress: ({ epoch }) => epoch === 2 && controller.abort() },
    );
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('rejects bad parameters, the adam solver and labels that are no class index, with coded errors', async () => {
    await expect(trainMultinomialLogisticRegression(train, { numClass: 1 })).rejects.toThrow(
      /numClass must be an integer ≥ 2 for multi-class, got 1/,
    );
    await expect(trainMultinomialLogisticRegression(train, { numClass: 2.5 })).rejects.toBeInstanceOf(MlError);
    await expect(trainMultinomialLogisticRegression(train, { numClass: 3, solver: 'adam' })).rejects.toThrow(
      /multi-class logistic regression trains with solver "lbfgs" only/,
    );
    await expect(trainMultinomialLogisticRegression(train, { numClass: 3, l2: -1 })).rejects.toThrow(/l2 must be a non-negative number/);
    await expect(trainMultinomialLogisticRegression(train, { numClass: 2 })).rejects.toThrow(
      /label must be a class index in 0..1, got 2 at row/,
    );
    const fractional = { ...train, label: train.label.map((y, i) => (i === 4 ? 0.5 : y)) };
    await expect(trainMultinomialLogisticRegression(fractional, { numClass: 3 })).rejects.toThrow(/got 0.5 at row 4/);
  });
});

describe('softmaxObjective', () => {
  it('returns the mean cross-entropy + l2·ΣW² and its exact gradient (central differences agree to 1e-8)', () => {
    const data = threeClasses(50, 3);
    const design = designMatrix(data, fitStandardizer(data.columns));
    const l2 = 0.05;
    const objective = softmaxObjective(design, data.label, 3, l2);
    const rng = createRng(4);
    const theta = Float64Array.from({ length: 3 * 3 + 3 }, () => normal(rng));
    const gradient = new Float64Array(theta.length);
    const value = objective(theta, gradient);

    const model: MultinomialLogisticRegressionModel = {
      kind: 'logistic_regression',
      task: 'multiclass',
      features: data.features,
      ...fitStandardizer(data.columns),
      weights: [0, 1, 2].map((k) => Array.from(theta.subarray(3 * k, 3 * k + 3))),
      biases: Array.from(theta.subarray(9)),
      backend: 'typescript',
    };
    const p = predictProba(model, data.columns);
    const crossEntropy = data.label.reduce((sum, y, i) => sum - Math.log(p[3 * i + y]), 0) / data.rowCount;
    expect(value).toBeCloseTo(crossEntropy + l2 * theta.subarray(0, 9).reduce((s, w) => s + w * w, 0), 12);

    const h = 1e-6;
    theta.forEach((_, j) => {
      const plus = Float64Array.from(theta);
      const minus = Float64Array.from(theta);
      plus[j] += h;
      minus[j] -= h;
      const scratch = new Float64Array(theta.length);
      const numeric = (objective(plus, scratch) - objective(minus, scratch)) / (2 * h);
      expect(Math.abs(gradient[j] - numeric), `θ[${j}]`).toBeLessThan(1e-8);
    });
  });

  it('does not overflow for extreme scores', () => {
    const data: Dataset = { features: ['x'], columns: [Float64Array.of(-1, 1)], label: Float64Array.of(1, 0), rowCount: 2 };
    const objective = softmaxObjective(designMatrix(data, { means: [0], scales: [1] }), data.label, 2, 0);
    const gradient = new Float64Array(4);
    // row 0 scores (1000, −1000) against class 1, row 1 (−1000, 1000) against class 0: each loss 2000
    expect(objective(Float64Array.of(-1000, 1000, 0, 0), gradient)).toBe(2000);
    expect(Array.from(gradient)).toEqual([-1, 1, 0, 0]);
  });
});

describe('predictProba (multinomial)', () => {
  const model: MultinomialLogisticRegressionModel = {
    kind: 'logistic_regression',
    task: 'multiclass',
    features: ['a', 'b'],
    means: [10, 0],
    scales: [2, 1],
    weights: [
      [1.5, -2],
      [0, 0.5],
      [-1, 1],
    ],
    biases: [0.25, 0, -0.25],
    backend: 'typescript',
  };

  it('standardises, applies each class row and the softmax in float64, row-major n × K', () => {
    const p = predictProba(model, [Float64Array.of(14, NaN), Float64Array.of(0.5, 3)]);
    const scores = [0.25 + 1.5 * 2 - 2 * 0.5, 0 + 0.5 * 0.5, -0.25 - 2 + 0.5];
    const sum = scores.reduce((s, z) => s + Math.exp(z), 0);
    scores.forEach((z, k) => expect(p[k]).toBeCloseTo(Math.exp(z) / sum, 15));
    // row 1: the missing `a` is imputed with the training mean, so it adds nothing
    const missing = [0.25 - 2 * 3, 0.5 * 3, -0.25 + 3];
    const total = missing.reduce((s, z) => s + Math.exp(z), 0);
    missing.forEach((z, k) => expect(p[3 + k]).toBeCloseTo(Math.exp(z) / total, 15));
  });

  it('does not overflow for extreme scores', () => {
    const p = predictProba(model, [Float64Array.of(1e6), Float64Array.of(0)]);
    expect(Array.from(p)).toEqual([1, 0, 0]);
  });

  it('checks the model and the columns', () => {
    expect(() => predictProba(model, [new Float64Array(2)])).toThrow(/expects 2 columns/);
    expect(() => predictProba({ ...model, biases: [0, 0] }, [Float64Array.of(1), Float64Array.of(1)])).toThrow(/a bias per class/);
    expect(() => predictProba({ ...model, weights: [[1, 2], [3]], biases: [0, 0] }, [Float64Array.of(1), Float64Array.of(1)])).toThrow(
      /2 features but 1 weights/,
    );
  });
});
