import { beforeAll, describe, expect, it } from 'vitest';

import { runOnnxModel, worstDifference } from '../linear/onnx-session.fixture';
import { MlError } from '../ml.error';
import { exportOnnx } from '../onnx/onnx.export';
import { readOnnxModelInfo } from '../onnx/onnx.metadata';
import { type NeuralNetworkModel, predictNeuralNetwork } from './neural-network.model';
import { type NeuralNetworkParams, trainNeuralNetwork } from './neural-network.trainer';
import { nonlinearDataset } from './nonlinear-dataset.fixture';

// Dropout is on in every variant: it shapes training but must leave no trace in the graph.
const trained = { hiddenLayers: [16, 8], epochs: 5, batchSize: 128, learningRate: 0.03, dropout: 0.2 };
const variants: { title: string; params: Partial<NeuralNetworkParams> }[] = [
  { title: 'binary, relu', params: { task: 'binary' } },
  { title: 'binary, tanh, batch norm', params: { task: 'binary', activation: 'tanh', batchNorm: true } },
  { title: 'multiclass, relu', params: { task: 'multiclass', numClass: 3 } },
  { title: 'multiclass, tanh, batch norm', params: { task: 'multiclass', numClass: 3, activation: 'tanh', batchNorm: true } },
  { title: 'regression, relu', params: { task: 'regression' } },
  { title: 'regression, relu, batch norm', params: { task: 'regression', batchNorm: true } },
];

describe('exportOnnx (neural network) in onnxruntime', () => {
  const models = new Map<string, NeuralNetworkModel>();

  beforeAll(async () => {
    for (const { title, params } of variants) {
      const task = params.task ?? 'binary';
      models.set(title, await trainNeuralNetwork(nonlinearDataset(task, 1500, 21), { ...trained, ...params }));
    }
  });

  it.each(variants)('predicts what predictNeuralNetwork predicts on held-out rows with missing values: $title', async ({ title }) => {
    const model = models.get(title) as NeuralNetworkModel;
    const heldOut = nonlinearDataset(model.task, 1000, 22, 0.25);
    const missing = heldOut.columns.reduce((n, c) => n + c.filter(Number.isNaN).length, 0);
    expect(missing).toBeGreaterThan(400);

    const bytes = exportOnnx(model, { name: 'circles', version: 1 });
    const ort = await runOnnxModel(bytes, model.features, heldOut.columns);
    const expected = predictNeuralNetwork(model, heldOut.columns);
    expect(ort.inputNames).toEqual(model.features);
    expect(readOnnxModelInfo(bytes)).toMatchObject({
      opsets: { '': 17 },
      metadata: { 'atelier.model_kind': 'neural_network', 'atelier.features': JSON.stringify(model.features) },
    });
    if (model.task === 'binary') {
      expect(ort.outputNames).toEqual(['probability', 'label']);
      const { probability, label } = ort.outputs;
      expect(probability.dims).toEqual([1000, 1]);
      expect(label.type).toBe('int64');
      expect(worstDifference(expected, probability)).toBeLessThan(1e-5);
      const probabilities = probability.data as Float32Array;
      (label.data as BigInt64Array).forEach((l, i) => expect(l).toBe(probabilities[i] > 0.5 ? 1n : 0n));
    } else if (model.task === 'multiclass') {
      expect(ort.outputNames).toEqual(['probabilities', 'label']);
      const { probabilities, label } = ort.outputs;
      expect(probabilities.dims).toEqual([1000, 3]);
      expect(label.dims).toEqual([1000]);
      expect(label.type).toBe('int64');
      expect(worstDifference(expected, probabilities)).toBeLessThan(1e-5);
      // the label is the most probable class by the trainer's own probabilities (to float32 rounding)
      const labels = Array.from(label.data as BigInt64Array, Number);
      const best = (i: number) => Math.max(expected[3 * i], expected[3 * i + 1], expected[3 * i + 2]);
      expect(labels.filter((l, i) => expected[3 * i + l] < best(i) - 1e-6)).toEqual([]);
    } else {
      expect(ort.outputNames).toEqual(['prediction']);
      expect(ort.outputs.prediction.dims).toEqual([1000, 1]);
      expect(worstDifference(expected, ort.outputs.prediction)).toBeLessThan(1e-5);
    }
  });

  it('refuses feature names that clash with the outputs or internal tensors', () => {
    const model = models.get('binary, relu') as NeuralNetworkModel;
    expect(() => exportOnnx({ ...model, features: ['label', 'hour', 'noise'] }, { name: 'm' })).toThrow(MlError);
    expect(() => exportOnnx({ ...model, features: ['atelier/x', 'hour', 'noise'] }, { name: 'm' })).toThrow(/cannot be an ONNX input/);
    const regression = models.get('regression, relu') as NeuralNetworkModel;
    expect(() => exportOnnx({ ...regression, features: ['prediction', 'hour', 'noise'] }, { name: 'm' })).toThrow(
      /cannot be an ONNX input/,
    );
  });
});
