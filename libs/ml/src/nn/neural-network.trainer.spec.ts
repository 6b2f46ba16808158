import { describe, expect, it } from 'vitest';

import { predictLinear } from '../linear/linear-regression.model';
import { trainLinearRegression } from '../linear/linear-regression.trainer';
import { predictProba } from '../linear/logistic-regression.model';
import { trainLogisticRegression } from '../linear/logistic-regression.trainer';
import type { TrainingProgress } from '../linear/training-input.util';
import { multiclassAccuracy, r2, rocAuc } from '../metrics/metrics';
import { MlError } from '../ml.error';
import { selectTfBackend, tfjs } from '../tf/tf-backend.loader';
import { predictNeuralNetwork } from './neural-network.model';
import { type NeuralNetworkParams, trainNeuralNetwork } from './neural-network.trainer';
import { nonlinearDataset } from './nonlinear-dataset.fixture';

const circles = nonlinearDataset('binary', 2000, 1);
const circlesHeldOut = nonlinearDataset('binary', 1000, 2);
const waves = nonlinearDataset('regression', 2000, 3);
const rings = nonlinearDataset('multiclass', 2000, 5);
const ringsHeldOut = nonlinearDataset('multiclass', 1000, 6);
const wavesHeldOut = nonlinearDataset('regression', 1000, 4);
const quick: Partial<NeuralNetworkParams> = { hiddenLayers: [16, 8], epochs: 15, batchSize: 128, learningRate: 0.03 };

describe('trainNeuralNetwork', () => {
  it('solves a problem logistic regression cannot: held-out AUC far above it on circles', async () => {
    const progress: TrainingProgress[] = [];
    const nn = await trainNeuralNetwork(circles, quick, { onProgress: (p) => progress.push(p) });
    const lr = await trainLogisticRegression(circles);
    const nnAuc = rocAuc(circlesHeldOut.label, predictNeuralNetwork(nn, circlesHeldOut.columns));
    const lrAuc = rocAuc(circlesHeldOut.label, predictProba(lr, circlesHeldOut.columns));
    expect(nnAuc).toBeGreaterThan(0.9);
    expect(lrAuc).toBeLessThan(0.65);
    expect(nnAuc - lrAuc).toBeGreaterThan(0.3);

    expect(nn).toMatchObject({ kind: 'neural_network', task: 'binary', features: circles.features });
    expect(nn.backend).toBe((await selectTfBackend()).backend);
    expect(nn.layers.map((l) => [l.weights.length, l.bias.length, l.activation])).toEqual([
      [3, 16, 'relu'],
      [16, 8, 'relu'],
      [8, 1, 'sigmoid'],
    ]);
    expect(progress.map((p) => p.epoch)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
    expect(progress[14].loss).toBeLessThan(progress[0].loss);
  });

  it('fits a nonlinear regression in the label units, far better than linear regression', async () => {
    const nn = await trainNeuralNetwork(waves, { ...quick, task: 'regression', activation: 'tanh' });
    const linear = await trainLinearRegression(waves);
    const nnR2 = r2(wavesHeldOut.label, predictNeuralNetwork(nn, wavesHeldOut.columns));
    const linearR2 = r2(wavesHeldOut.label, predictLinear(linear, wavesHeldOut.columns));
    expect(nnR2).toBeGreaterThan(0.8);
    expect(linearR2).toBeLessThan(0.4);
    expect(nn.layers.map((l) => l.activation)).toEqual(['tanh', 'tanh', 'linear']);
  });

  it('classifies three rings with a softmax output: one unit per class, probabilities summing to 1', async () => {
    const progress: TrainingProgress[] = [];
    const nn = await trainNeuralNetwork(rings, { ...quick, task: 'multiclass', numClass: 3 }, { onProgress: (p) => progress.push(p) });
    expect(nn.layers.map((l) => [l.weights.length, l.bias.length, l.activation])).toEqual([
      [3, 16, 'relu'],
      [16, 8, 'relu'],
      [8, 3, 'softmax'],
    ]);
    const probs = predictNeuralNetwork(nn, ringsHeldOut.columns);
    expect(probs).toHaveLength(3 * ringsHeldOut.rowCount);
    for (let i = 0; i < ringsHeldOut.rowCount; i++) expect(probs[3 * i] + probs[3 * i + 1] + probs[3 * i + 2]).toBeCloseTo(1, 12);
    // the middle ring is what no linear score gets: 5% of labels are random, so ~0.97 is the ceiling
    expect(multiclassAccuracy(ringsHeldOut.label, probs, 3)).toBeGreaterThan(0.8);
    expect(progress[14].loss).toBeLessThan(progress[0].loss);
    // well below ln 3 ≈ 1.1, the loss of predicting the class shares (where the biases start)
    expect(progress[14].loss).toBeLessThan(0.6);
  });

  it('trains with batch norm and dropout, keeping moving statistics for prediction', async () => {
    const nn = await trainNeuralNetwork(circles, { ...quick, batchNorm: true, dropout: 0.2, l2: 1e-4 });
    expect(rocAuc(circlesHeldOut.label, predictNeuralNetwork(nn, circlesHeldOut.columns))).toBeGreaterThan(0.88);
    const [first, second, output] = nn.layers;
    expect(first.batchNorm?.movingMean).toHaveLength(16);
    expect(second.batchNorm?.epsilon).toBe(1e-3);
    expect(output.batchNorm).toBeUndefined();
    // The moving variance has moved off its initial 1s towards the data.
    expect(first.batchNorm?.movingVariance.some((v) => Math.abs(v - 1) > 0.05)).toBe(true);
  });

  it('is reproducible for a seed, dropout masks included', async () => {
    const params = { ...quick, epochs: 2, dropout: 0.3, batchNorm: true, seed: 7 };
    const first = await trainNeuralNetwork(circles, params);
    const again = await trainNeuralNetwork(circles, params);
    const other = await trainNeuralNetwork(circles, { ...params, seed: 8 });
    expect(again).toEqual(first);
    expect(other.layers[0].weights).not.toEqual(first.layers[0].weights);
  });

  it('leaves no tensors behind, and none when aborted', async () => {
    await selectTfBackend();
    const tensorsBefore = tfjs().memory().numTensors;
    await trainNeuralNetwork(waves, { ...quick, task: 'regression', epochs: 2, batchNorm: true, dropout: 0.5, l2: 0.01 });
    expect(tfjs().memory().numTensors).toBe(tensorsBefore);

    const controller = new AbortController();
    const run = trainNeuralNetwork(
      circles,
      { ...quick, epochs: 50, batchNorm: true, dropout: 0.1 },
      { signal: controller.signal, onProgress: ({ epoch }) => epoch === 2 && controller.abort() },
    );
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(tfjs().memory().numTensors).toBe(tensorsBefore);
  });

  it('rejects bad parameters and labels with coded errors', async () => {
    await expect(trainNeuralNetwork(circles, { hiddenLayers: [8, 0] })).rejects.toThrow(
      /hiddenLayers must be an array of positive integers, got \[8,0\]/,
    );
    await expect(trainNeuralNetwork(circles, { dropout: 0.95 })).rejects.toThrow(/dropout must be a number from 0 to 0.9/);
    const activation = 'sigmoid' as NeuralNetworkParams['activation'];
    await expect(trainNeuralNetwork(circles, { activation })).rejects.toThrow(/activation must be "relu" or "tanh", got "sigmoid"/);
    await expect(trainNeuralNetwork(circles, { epochs: 0 })).rejects.toBeInstanceOf(MlError);
    await expect(trainNeuralNetwork(waves)).rejects.toThrow(/label must be 0 or 1/);
    const badTarget = { ...waves, label: waves.label.map((v, i) => (i === 2 ? Infinity : v)) };
    await expect(trainNeuralNetwork(badTarget, { task: 'regression' })).rejects.toThrow(/finite number, got Infinity at row 2/);
    await expect(trainNeuralNetwork(rings, { task: 'multiclass' })).rejects.toThrow(/numClass must be an integer ≥ 2 for multiclass/);
    await expect(trainNeuralNetwork(rings, { task: 'multiclass', numClass: 2 })).rejects.toThrow(/class index in 0..1, got 2 at row/);
    await expect(trainNeuralNetwork(circles, { numClass: 3 })).rejects.toThrow(/numClass must be 1 or absent for binary/);
  });
});
