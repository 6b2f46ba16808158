import { InferenceSession, Tensor } from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';

import type { Dataset } from '../dataset/dataset.types';
import { type LogisticRegressionModel, predictProba } from '../linear/logistic-regression.model';
import { trainLogisticRegression } from '../linear/logistic-regression.trainer';
import { MlError } from '../ml.error';
import { syntheticLogisticDataset } from '../testing/synthetic-dataset.fixture';
import { exportOnnx } from './onnx.export';
import { readOnnxModelInfo } from './onnx.metadata';

/** Runs the exported graph in onnxruntime, one float32 [N, 1] input per feature. */
async function runOnnx(bytes: Uint8Array, features: string[], columns: Float64Array[]) {
  const session = await InferenceSession.create(Buffer.from(bytes));
  try {
    const feeds = Object.fromEntries(
      features.map((name, j) => [name, new Tensor('float32', Float32Array.from(columns[j]), [columns[j].length, 1])]),
    );
    const out = await session.run(feeds);
    return {
      inputNames: [...session.inputNames],
      outputNames: [...session.outputNames],
      probability: out.probability,
      label: out.label,
    };
  } finally {
    await session.release();
  }
}

/** The ORT result must be the trainer's own prediction to float32 tolerance, row by row. */
function expectSamePredictions(expected: Float64Array, probability: Tensor, label: Tensor): void {
  expect(probability.dims).toEqual([expected.length, 1]);
  expect(label.dims).toEqual([expected.length, 1]);
  expect(label.type).toBe('int64');
  const ort = probability.data as Float32Array;
  const labels = label.data as BigInt64Array;
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    worst = Math.max(worst, Math.abs(ort[i] - expected[i]));
    expect(labels[i]).toBe(ort[i] > 0.5 ? 1n : 0n);
    // Away from the threshold, float32 rounding cannot flip the label.
    if (Math.abs(expected[i] - 0.5) > 1e-5) expect(labels[i]).toBe(expected[i] > 0.5 ? 1n : 0n);
  }
  expect(worst).toBeLessThan(1e-5);
}

describe('exportOnnx (logistic regression) in onnxruntime', () => {
  let model: LogisticRegressionModel;
  let heldOut: Dataset;

  beforeAll(async () => {
    model = await trainLogisticRegression(syntheticLogisticDataset(3000, 11), { epochs: 10 });
    heldOut = syntheticLogisticDataset(1000, 12, 0.2);
  });

  it('predicts what the trainer predicts on held-out rows, missing values included', async () => {
    const missing = heldOut.columns.reduce((n, c) => n + c.filter(Number.isNaN).length, 0);
    expect(missing).toBeGreaterThan(100);

    const bytes = exportOnnx(model, { name: 'flight_delay' });
    const ort = await runOnnx(bytes, model.features, heldOut.columns);
    expect(ort.inputNames).toEqual(model.features);
    expect(ort.outputNames).toEqual(['probability', 'label']);
    expectSamePredictions(predictProba(model, heldOut.columns), ort.probability, ort.label);
  });

  it('carries the metadata serving and the registry read', () => {
    const bytes = exportOnnx(model, {
      name: 'flight_delay',
      version: 3,
      description: 'delay > 15 min',
      extra: { 'training.job_id': 'job-42' },
    });
    expect(readOnnxModelInfo(bytes)).toEqual({
      irVersion: 8,
      producerName: 'atelier',
      modelVersion: 3,
      opsets: { '': 17 },
      metadata: {
        'atelier.features': JSON.stringify(model.features),
        'atelier.model_kind': 'logistic_regression',
        'training.job_id': 'job-42',
      },
      inputs: model.features,
      outputs: ['probability', 'label'],
    });
  });

  it('handles any feature name, a constant feature and extreme values', async () => {
    const handMade: LogisticRegressionModel = {
      kind: 'logistic_regression',
      features: ['origin:delay_mean_7d', 'constant', 'x'],
      means: [12.5, 4, -3],
      scales: [7.25, 1, 0.5],
      weights: [0.8, 0.3, -1.1],
      bias: -0.4,
      backend: 'cpu',
    };
    const columns = [
      Float64Array.of(12.5, NaN, 100, -40, 0, 1e4, NaN),
      Float64Array.of(4, 4, NaN, 4, 4, 4, NaN),
      Float64Array.of(-3, 2, -3.2, NaN, -1e3, 1e3, NaN),
    ];
    const ort = await runOnnx(exportOnnx(handMade, { name: 'hand_made' }), handMade.features, columns);
    const expected = predictProba(handMade, columns);
    expectSamePredictions(expected, ort.probability, ort.label);
    // All missing: standardised features are 0 and the probability is sigmoid(bias).
    expect(expected[6]).toBeCloseTo(1 / (1 + Math.exp(0.4)), 15);
  });

  it('refuses names that would clash inside the graph or the metadata', () => {
    const clash = { ...model, features: ['probability', ...model.features.slice(1)] };
    expect(() => exportOnnx(clash, { name: 'm' })).toThrow(MlError);
    expect(() => exportOnnx({ ...model, features: ['atelier/x', ...model.features.slice(1)] }, { name: 'm' })).toThrow(
      /cannot be an ONNX input/,
    );
    expect(() => exportOnnx({ ...model, features: ['a', 'a', 'b', 'c'] }, { name: 'm' })).toThrow(/unique/);
    expect(() => exportOnnx({ ...model, scales: [0, 1, 1, 1] }, { name: 'm' })).toThrow(/scales must be positive/);
    expect(() => exportOnnx(model, { name: 'm', extra: { 'atelier.features': '[]' } })).toThrow(/reserved/);
    expect(() => exportOnnx(model, { name: 'm', version: 1.5 })).toThrow(/version/);
  });
});
