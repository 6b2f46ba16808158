import type { Tensor } from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';

import { runOnnxModel, worstDifference } from '../linear/onnx-session.fixture';
import { exportOnnx } from '../onnx/onnx.export';
import { readOnnxModelInfo } from '../onnx/onnx.metadata';
import { type GbdtModel, predictGbdt } from './gbdt.model';
import { trainGbdt } from './gbdt.trainer';
import { syntheticGbdtDataset } from './gbdt-synthetic.fixture';

/** Held-out rows with plenty of missing values (and a few in features that had none in training). */
function heldOut(task: 'binary' | 'regression' | 'multiclass') {
  const data = syntheticGbdtDataset(task, 2000, 99, { missingRate: 0.25 });
  for (let i = 0; i < data.rowCount; i += 17) data.columns[1][i] = NaN;
  return data;
}

function countMissing(columns: Float64Array[]): number {
  return columns.reduce((n, c) => n + c.filter(Number.isNaN).length, 0);
}

function expectLabels(label: Tensor, expected: (i: number) => bigint | undefined, dims: number[]): void {
  expect(label.type).toBe('int64');
  expect(label.dims).toEqual(dims);
  const labels = label.data as BigInt64Array;
  for (let i = 0; i < labels.length; i++) {
    const want = expected(i);
    if (want !== undefined) expect(labels[i]).toBe(want);
  }
}

describe('exportOnnx (gbdt) in onnxruntime', () => {
  const models: Partial<Record<'binary' | 'regression' | 'multiclass', GbdtModel>> = {};

  beforeAll(async () => {
    models.binary = await trainGbdt(syntheticGbdtDataset('binary', 4000, 1), { objective: 'binary', numIterations: 40 });
    models.regression = await trainGbdt(syntheticGbdtDataset('regression', 4000, 2), {
      objective: 'regression',
      numIterations: 40,
    });
    models.multiclass = await trainGbdt(syntheticGbdtDataset('multiclass', 4000, 3), {
      objective: 'multiclass',
      numClass: 3,
      numIterations: 30,
    });
  });

  it('binary: probability and label equal predictGbdt on held-out rows with missing values', async () => {
    const model = models.binary as GbdtModel;
    const data = heldOut('binary');
    expect(countMissing(data.columns)).toBeGreaterThan(800);
    const ort = await runOnnxModel(exportOnnx(model, { name: 'xor' }), model.features, data.columns);
    expect(ort.inputNames).toEqual(model.features);
    expect(ort.outputNames).toEqual(['probability', 'label']);
    const expected = predictGbdt(model, data.columns);
    expect(ort.outputs.probability.dims).toEqual([data.rowCount, 1]);
    expect(worstDifference(expected, ort.outputs.probability)).toBeLessThan(1e-5);
    const probability = ort.outputs.probability.data as Float32Array;
    expectLabels(ort.outputs.label, (i) => (probability[i] > 0.5 ? 1n : 0n), [data.rowCount, 1]);
  });

  it('regression: prediction equals predictGbdt', async () => {
    const model = models.regression as GbdtModel;
    const data = heldOut('regression');
    const ort = await runOnnxModel(exportOnnx(model, { name: 'reg' }), model.features, data.columns);
    expect(ort.outputNames).toEqual(['prediction']);
    expect(ort.outputs.prediction.dims).toEqual([data.rowCount, 1]);
    expect(worstDifference(predictGbdt(model, data.columns), ort.outputs.prediction)).toBeLessThan(1e-5);
  });

  it('multiclass: probabilities [N, K] and argmax label equal predictGbdt', async () => {
    const model = models.multiclass as GbdtModel;
    const data = heldOut('multiclass');
    const ort = await runOnnxModel(exportOnnx(model, { name: 'multi' }), model.features, data.columns);
    expect(ort.outputNames).toEqual(['probabilities', 'label']);
    expect(ort.outputs.probabilities.dims).toEqual([data.rowCount, 3]);
    const expected = predictGbdt(model, data.columns);
    expect(worstDifference(expected, ort.outputs.probabilities)).toBeLessThan(1e-5);
    expectLabels(
      ort.outputs.label,
      (i) => {
        const row = Array.from(expected.subarray(i * 3, i * 3 + 3));
        const sorted = [...row].sort((a, b) => b - a);
        // Near-ties can flip in float32; elsewhere the label is the argmax.
        return sorted[0] - sorted[1] > 1e-5 ? BigInt(row.indexOf(sorted[0])) : undefined;
      },
      [data.rowCount],
    );
  });

  it('multiclass with two classes: still a softmax over both scores', async () => {
    const train = syntheticGbdtDataset('binary', 3000, 7);
    const model = await trainGbdt(train, { objective: 'multiclass', numClass: 2, numIterations: 10 });
    const data = heldOut('binary');
    const ort = await runOnnxModel(exportOnnx(model, { name: 'two' }), model.features, data.columns);
    expect(ort.outputs.probabilities.dims).toEqual([data.rowCount, 2]);
    expect(worstDifference(predictGbdt(model, data.columns), ort.outputs.probabilities)).toBeLessThan(1e-5);
  });

  it('follows thresholds and default directions exactly, all-positive leaves included', async () => {
    // Values on and next to the float32 threshold, and missing values both ways.
    const model: GbdtModel = {
      kind: 'gbdt',
      objective: 'binary',
      features: ['origin:delay_mean_7d', 'b'],
      numClass: 1,
      baseScores: [0.25],
      trees: [
        {
          classIndex: 0,
          feature: [0, 1],
          threshold: [Math.fround(0.1), 3],
          defaultLeft: [true, false],
          left: [1, -2],
          right: [-3, -1],
          gain: [1, 1],
          leafValue: [0.5, 1.5, 2.5].map(Math.fround),
        },
      ],
      bestIteration: 1,
      featureImportance: { gain: [1, 1], split: [1, 1] },
    };
    const columns = [Float64Array.of(0.1, Math.fround(0.1), 0.10000001, NaN, 5, NaN, -1), Float64Array.of(3, 3, 0, 0, NaN, NaN, 3.0000001)];
    const expected = predictGbdt(model, columns);
    const ort = await runOnnxModel(exportOnnx(model, { name: 'hand' }), model.features, columns);
    expect(worstDifference(expected, ort.outputs.probability)).toBeLessThan(1e-6);
    // Row 3: x0 missing → left (default) → node 1; x1 = 0 ≤ 3 → leaf 1 (value 1.5).
    expect(expected[3]).toBeCloseTo(1 / (1 + Math.exp(-1.75)), 12);
    // Row 5: x0 missing → left; x1 missing → right (default) → leaf 0 (value 0.5).
    expect(expected[5]).toBeCloseTo(1 / (1 + Math.exp(-0.75)), 12);
  });

  it('records the ai.onnx.ml opset and the metadata serving reads', () => {
    const model = models.binary as GbdtModel;
    const info = readOnnxModelInfo(exportOnnx(model, { name: 'xor', version: 2 }));
    expect(info.opsets).toEqual({ '': 17, 'ai.onnx.ml': 3 });
    expect(info.metadata).toEqual({ 'atelier.features': JSON.stringify(model.features), 'atelier.model_kind': 'gbdt' });
  });

  it('refuses feature names that clash with outputs', () => {
    const model = models.multiclass as GbdtModel;
    expect(() => exportOnnx({ ...model, features: ['probabilities', ...model.features.slice(1)] }, { name: 'm' })).toThrow(
      /cannot be an ONNX input/,
    );
  });
});
