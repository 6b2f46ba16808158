import type { Tensor } from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';

import type { Dataset } from '../dataset/dataset.types';
import fixtureJson from '../fixtures/multinomial.sklearn.json';
import { type LogisticRegressionModel, type MultinomialLogisticRegressionModel, predictProba } from '../linear/logistic-regression.model';
import { trainMultinomialLogisticRegression } from '../linear/logistic-regression.trainer';
import { runOnnxModel, worstDifference } from '../linear/onnx-session.fixture';
import { exportOnnx } from './onnx.export';
import { readOnnxModelInfo } from './onnx.metadata';

/** The scikit-learn fixture's rows: 3 classes, 5 features (one constant), missing values. */
const fixture = fixtureJson as { features: string[]; columns: (number | null)[][]; label: number[] };
const dataset: Dataset = {
  features: fixture.features,
  columns: fixture.columns.map((column) => Float64Array.from(column, (v) => v ?? NaN)),
  label: Float64Array.from(fixture.label),
  rowCount: fixture.label.length,
};

/**
 * ORT's `probabilities` [N, K] within 1e-5 of `predictProba` and `label` [N] int64 its argmax
 * wherever the top two are more than float32 noise apart (exact ties take the first class in both).
 */
async function expectSamePredictions(model: MultinomialLogisticRegressionModel, columns: Float64Array[]): Promise<number> {
  const ort = await runOnnxModel(exportOnnx(model, { name: 'classes' }), model.features, columns);
  const k = model.biases.length;
  const rows = columns[0].length;
  expect(ort.inputNames).toEqual(model.features);
  expect(ort.outputNames).toEqual(['probabilities', 'label']);
  const { probabilities, label } = ort.outputs as Record<'probabilities' | 'label', Tensor>;
  expect(probabilities.dims).toEqual([rows, k]);
  expect(label.dims).toEqual([rows]);
  expect(label.type).toBe('int64');
  const expected = predictProba(model, columns);
  const worst = worstDifference(expected, probabilities);
  expect(worst).toBeLessThan(1e-5);
  const labels = label.data as BigInt64Array;
  for (let i = 0; i < rows; i++) {
    const row = Array.from(expected.subarray(i * k, (i + 1) * k));
    const sorted = [...row].sort((a, b) => b - a);
    if (sorted[0] - sorted[1] > 1e-5) expect(labels[i]).toBe(BigInt(row.indexOf(sorted[0])));
  }
  return worst;
}

describe('exportOnnx (multinomial logistic regression) in onnxruntime', () => {
  let model: MultinomialLogisticRegressionModel;

  beforeAll(async () => {
    model = await trainMultinomialLogisticRegression(dataset, { numClass: 3, l2: 0.01 });
  });

  it('predicts what the trainer predicts, missing values included: probabilities [N, K], label [N] = argmax', async () => {
    expect(dataset.columns.reduce((n, c) => n + c.filter(Number.isNaN).length, 0)).toBeGreaterThan(100);
    await expectSamePredictions(model, dataset.columns);
  });

  it('has the outputs and metadata of a multi-class GBDT or network graph', () => {
    expect(readOnnxModelInfo(exportOnnx(model, { name: 'classes', version: 2 }))).toMatchObject({
      opsets: { '': 17 },
      metadata: { 'atelier.features': JSON.stringify(model.features), 'atelier.model_kind': 'logistic_regression' },
      inputs: model.features,
      outputs: ['probabilities', 'label'],
    });
  });

  it('handles two and four classes, a constant feature, any feature name and extreme values', async () => {
    const columns = [
      Float64Array.of(12.5, NaN, 100, -40, 0, 1e4, NaN, 1e6),
      Float64Array.of(4, 4, NaN, 4, 4, 4, NaN, 4),
      Float64Array.of(-3, 2, -3.2, NaN, -1e3, 1e3, NaN, 0),
    ];
    const base = {
      kind: 'logistic_regression' as const,
      task: 'multiclass' as const,
      features: ['origin:delay_mean_7d', 'constant', 'x'],
      means: [12.5, 4, -3],
      scales: [7.25, 1, 0.5],
      backend: 'typescript' as const,
    };
    const two: MultinomialLogisticRegressionModel = {
      ...base,
      weights: [
        [0.4, 0, -0.5],
        [-0.4, 0, 0.5],
      ],
      biases: [0.2, -0.2],
    };
    const four: MultinomialLogisticRegressionModel = {
      ...base,
      weights: [
        [0.8, 0.3, -1.1],
        [-0.2, 0, 0.4],
        [0, 0, 0],
        [-0.6, -0.3, 0.7],
      ],
      biases: [-0.4, 0.1, 0.5, -0.2],
    };
    await expectSamePredictions(two, columns);
    await expectSamePredictions(four, columns);
    // all missing: every standardised feature is 0, the probabilities are the softmax of the biases
    const sum = four.biases.reduce((s, b) => s + Math.exp(b), 0);
    predictProba(four, columns)
      .subarray(6 * 4, 7 * 4)
      .forEach((p, c) => expect(p).toBeCloseTo(Math.exp(four.biases[c]) / sum, 15));
  });

  it('refuses names that clash with its outputs, and partitions that mix it with a binary model', () => {
    expect(() => exportOnnx({ ...model, features: ['probabilities', ...model.features.slice(1)] }, { name: 'm' })).toThrow(
      /cannot be an ONNX input/,
    );
    const binary: LogisticRegressionModel = {
      kind: 'logistic_regression',
      features: model.features,
      means: model.means,
      scales: model.scales,
      weights: model.weights[0],
      bias: 0,
      backend: 'typescript',
    };
    expect(() => exportOnnx(model, { name: 'm' }, { partition: { column: 'city', partitions: [{ value: 'a', model: binary }] } })).toThrow(
      /other inputs or outputs/,
    );
  });
});
