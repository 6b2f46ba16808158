import { describe, expect, it } from 'vitest';

import { randomSplit } from '../dataset/dataset.split';
import { logLoss, rocAuc } from '../metrics/metrics';
import { MlError } from '../ml.error';
import { syntheticLogisticDataset } from '../testing/synthetic-dataset.fixture';
import { selectTfBackend, tfjs } from '../tf/tf-backend.loader';
import { type LogisticRegressionModel, predictProba } from './logistic-regression.model';
import { type TrainingProgress, trainLogisticRegression } from './logistic-regression.trainer';

const { train, validation } = randomSplit(syntheticLogisticDataset(5000, 1), { validationFraction: 0.2, seed: 2 });

describe('trainLogisticRegression', () => {
  it('learns the true model: held-out AUC > 0.8 and weights with the true signs', async () => {
    const progress: TrainingProgress[] = [];
    const model = await trainLogisticRegression(train, {}, { onProgress: (p) => progress.push(p) });

    const auc = rocAuc(validation.label, predictProba(model, validation.columns));
    expect(auc).toBeGreaterThan(0.8);
    const [distance, depHour, rain, noise] = model.weights;
    expect(distance).toBeGreaterThan(0.5);
    expect(depHour).toBeLessThan(-0.5);
    expect(rain).toBeGreaterThan(0.2);
    expect(Math.abs(noise)).toBeLessThan(0.15);

    expect(model).toMatchObject({ kind: 'logistic_regression', features: train.features, backend: 'typescript' });
    // One report per L-BFGS iteration, in order, out of at most maxIterations; each step lowers the loss.
    expect(progress.length).toBeGreaterThan(2);
    expect(progress.length).toBeLessThan(50);
    expect(progress.map((p) => p.epoch)).toEqual(progress.map((_, i) => i + 1));
    expect(progress.every((p) => p.epochs === 1000)).toBe(true);
    progress.slice(1).forEach((p, i) => expect(p.loss).toBeLessThan(progress[i].loss));
  });

  it('fits standardisation on the training data only, ignoring missing values', async () => {
    const model = await trainLogisticRegression(train, { maxIterations: 1 });
    const present = train.columns[0].filter((v) => !Number.isNaN(v));
    const mean = present.reduce((s, v) => s + v, 0) / present.length;
    const std = Math.sqrt(present.reduce((s, v) => s + (v - mean) ** 2, 0) / present.length);
    expect(model.means[0]).toBeCloseTo(mean, 9);
    expect(model.scales[0]).toBeCloseTo(std, 9);
    expect(model.means[0]).toBeGreaterThan(700);
  });

  it('lbfgs is deterministic: the same data give the same weights, whatever the seed', async () => {
    const first = await trainLogisticRegression(train, { l2: 0.001 });
    const again = await trainLogisticRegression(train, { l2: 0.001, seed: 8 });
    expect(again).toEqual(first);
  });

  it('adam (the earlier solver) is reproducible for a seed, on the TensorFlow.js backend', async () => {
    const params = { solver: 'adam' as const, epochs: 3, seed: 7 };
    const first = await trainLogisticRegression(train, params);
    const again = await trainLogisticRegression(train, params);
    const other = await trainLogisticRegression(train, { ...params, seed: 8 });
    expect(again.weights).toEqual(first.weights);
    expect(again.bias).toBe(first.bias);
    expect(other.weights).not.toEqual(first.weights);
    expect(first.backend).toBe((await selectTfBackend()).backend);
  });

  it('reaches the optimum that adam only approaches: a lower training loss than 20 epochs of adam', async () => {
    const objective = (model: LogisticRegressionModel) => logLoss(train.label, predictProba(model, train.columns));
    const lbfgs = await trainLogisticRegression(train);
    const adam = await trainLogisticRegression(train, { solver: 'adam' });
    expect(objective(lbfgs)).toBeLessThanOrEqual(objective(adam));
  });

  it('leaves no tensors behind', async () => {
    await selectTfBackend();
    const tensorsBefore = tfjs().memory().numTensors;
    await trainLogisticRegression(train, { l2: 0.01 });
    await trainLogisticRegression(train, { solver: 'adam', epochs: 2, l2: 0.01 });
    expect(tfjs().memory().numTensors).toBe(tensorsBefore);
  });

  it.each(['lbfgs', 'adam'] as const)('%s stops when aborted, rejects with the abort reason and leaks no tensors', async (solver) => {
    await selectTfBackend();
    const tensorsBefore = tfjs().memory().numTensors;
    const controller = new AbortController();
    const run = trainLogisticRegression(
      train,
      { solver, epochs: 50 },
      { signal: controller.signal, onProgress: ({ epoch }) => epoch === 2 && controller.abort() },
    );
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(tfjs().memory().numTensors).toBe(tensorsBefore);
  });

  it.each(['lbfgs', 'adam'] as const)(
    '%s with l1 (lasso, elastic net) zeroes the useless feature exactly and keeps the informative ones',
    async (solver) => {
      for (const l2 of [0, 0.01]) {
        const model = await trainLogisticRegression(train, { solver, epochs: 30, l1: 0.02, l2 });
        const [distance, depHour, rain, noise] = model.weights;
        expect(noise).toBe(0);
        expect(distance).toBeGreaterThan(0.5);
        expect(depHour).toBeLessThan(-0.5);
        expect(rain).toBeGreaterThan(0.1);
        expect(rocAuc(validation.label, predictProba(model, validation.columns))).toBeGreaterThan(0.8);
      }
      const strong = await trainLogisticRegression(train, { solver, epochs: 30, l1: 5 });
      expect(strong.weights).toEqual([0, 0, 0, 0]);
    },
  );

  it('rejects bad parameters and labels with coded errors', async () => {
    await expect(trainLogisticRegression(train, { epochs: 0 })).rejects.toThrow(/epochs must be a positive integer/);
    await expect(trainLogisticRegression(train, { learningRate: -1 })).rejects.toBeInstanceOf(MlError);
    await expect(trainLogisticRegression(train, { l1: -0.1 })).rejects.toThrow(/l1 must be a non-negative number/);
    await expect(trainLogisticRegression(train, { solver: 'sgd' as never })).rejects.toThrow(
      /solver must be one of lbfgs, adam, got "sgd"/,
    );
    await expect(trainLogisticRegression(train, { maxIterations: 0.5 })).rejects.toThrow(/maxIterations must be a positive integer/);
    await expect(trainLogisticRegression(train, { tolerance: 0 })).rejects.toThrow(/tolerance must be a positive number/);
    const badLabel = { ...train, label: train.label.map((v, i) => (i === 3 ? 2 : v)) };
    await expect(trainLogisticRegression(badLabel)).rejects.toThrow(/label must be 0 or 1, got 2 at row 3/);
    const infinite = { ...train, columns: [train.columns[0].map((v, i) => (i === 5 ? Infinity : v)), ...train.columns.slice(1)] };
    await expect(trainLogisticRegression(infinite)).rejects.toThrow(/"distance" is infinite at row 5/);
  });
});

describe('predictProba', () => {
  const model: LogisticRegressionModel = {
    kind: 'logistic_regression',
    features: ['a', 'b'],
    means: [10, 0],
    scales: [2, 1],
    weights: [1.5, -2],
    bias: 0.25,
    backend: 'cpu',
  };

  it('standardises, applies the weights and the logistic function in float64', () => {
    const [p] = predictProba(model, [Float64Array.of(14), Float64Array.of(0.5)]);
    expect(p).toBe(1 / (1 + Math.exp(-(0.25 + 1.5 * 2 - 2 * 0.5))));
  });

  it('imputes a missing value with the training mean', () => {
    const missing = predictProba(model, [Float64Array.of(NaN, 10), Float64Array.of(3, 3)]);
    expect(missing[0]).toBe(missing[1]);
  });

  it('does not overflow for extreme logits', () => {
    const p = predictProba(model, [Float64Array.of(1e6, -1e6), Float64Array.of(0, 0)]);
    expect(Array.from(p)).toEqual([1, 0]);
  });

  it('checks the columns against the model', () => {
    expect(() => predictProba(model, [new Float64Array(2)])).toThrow(/expects 2 columns/);
  });
});
