import { describe, expect, it } from 'vitest';

import { EMPTY_EVALUATION, Evaluation, taskOf, TrainingRequest, type TrainingRequestInput } from '@atelier/contracts';
import { createRng, type Dataset, exportOnnx, multiclassLogLoss, normal, readOnnxGraph } from '@atelier/ml';

import { evaluationReport, multiclassReport } from './evaluation.report';
import { searchAndTrain } from './hyperparameter.search';
import { outputsOf, train } from './trainers';

/**
 * Three classes on a line with noise: class c around x = 2c, so a tree or a network separates
 * them well but not perfectly; `noise` carries nothing.
 */
function threeClasses(rowCount: number, seed: number): Dataset {
  const rng = createRng(seed);
  const label = Float64Array.from({ length: rowCount }, () => Math.floor(rng() * 3));
  const x = label.map((c) => 2 * c + normal(rng) * 0.6);
  const noise = label.map(() => normal(rng));
  return { features: ['x', 'noise'], columns: [x, noise], label, rowCount };
}

const trainSet = threeClasses(600, 1);
const validation = threeClasses(300, 2);

function request(model: Pick<TrainingRequestInput, 'modelType' | 'params' | 'search'>): TrainingRequest {
  return TrainingRequest.parse({
    modelName: 'classes',
    source: { group: 'rows' },
    window: { start: '2001-01-01T00:00:00Z', validationStart: '2001-01-02T00:00:00Z', end: '2001-01-03T00:00:00Z' },
    requestFeatures: ['x', 'noise'],
    label: 'class',
    ...model,
  } as TrainingRequestInput);
}

describe('multiclassReport', () => {
  it('gives the K×K confusion matrix, per-class metrics and one-vs-rest ROC curves (hand-computed)', () => {
    // argmax of the rows: 0, 1, 2, 0 for labels 0, 1, 0, 2
    const probs = Float64Array.from([0.7, 0.2, 0.1, 0.1, 0.8, 0.1, 0.2, 0.3, 0.5, 0.6, 0.35, 0.05]);
    const report = multiclassReport(Float64Array.of(0, 1, 0, 2), probs, 3);
    expect(report.classes).toEqual([0, 1, 2]);
    expect(report.confusionMatrix).toEqual([
      [1, 0, 1],
      [0, 1, 0],
      [1, 0, 0],
    ]);
    expect(report.perClass).toEqual([
      { label: 0, precision: 0.5, recall: 0.5, f1: 0.5, support: 2 },
      { label: 1, precision: 1, recall: 1, f1: 1, support: 1 },
      { label: 2, precision: 0, recall: 0, f1: 0, support: 1 },
    ]);
    expect(report.roc[0]).toEqual({ label: 0, fpr: [0, 0, 0.5, 0.5, 1], tpr: [0, 0.5, 0.5, 1, 1], auc: 0.75 });
    expect(report.roc.map((r) => r.auc)).toEqual([0.75, 1, 0]);
    expect(Evaluation.parse({ ...EMPTY_EVALUATION, multiclass: report }).multiclass).toEqual(report);
  });

  it('leaves a class without validation rows without a curve (JSON has no NaN)', () => {
    const probs = Float64Array.from([0.7, 0.2, 0.1, 0.1, 0.8, 0.1]);
    const report = multiclassReport(Float64Array.of(0, 1), probs, 3);
    expect(report.roc[2]).toEqual({ label: 2, fpr: [], tpr: [], auc: null });
    expect(report.perClass[2]).toEqual({ label: 2, precision: 0, recall: 0, f1: 0, support: 0 });
  });

  it('thins a long curve to at most 200 points, ends included', () => {
    const n = 3000;
    const rng = createRng(3);
    const y = Float64Array.from({ length: n }, () => Math.floor(rng() * 3));
    const probs = new Float64Array(3 * n);
    for (let i = 0; i < n; i++) {
      const a = rng();
      const b = (1 - a) * rng();
      probs.set([a, b, 1 - a - b], 3 * i);
    }
    for (const curve of multiclassReport(y, probs, 3).roc) {
      expect(curve.fpr).toHaveLength(200);
      expect([curve.fpr[0], curve.tpr[0], curve.fpr.at(-1), curve.tpr.at(-1)]).toEqual([0, 0, 1, 1]);
    }
  });
});

describe('training a multi-class model', () => {
  it('GBDT: K raw scores a row, class probabilities from predict, signature roles with the classes', async () => {
    const gbdt = request({ modelType: 'gbdt', params: { objective: 'multiclass', numIterations: 20, minDataInLeaf: 5 } });
    const trained = await train(gbdt, trainSet, validation, {}, { numClass: 3 });
    const p = trained.predict(validation.columns);
    expect(p).toHaveLength(3 * validation.rowCount);
    expect(multiclassLogLoss(validation.label, p, 3)).toBeLessThan(0.6);

    const evaluation = Evaluation.parse(evaluationReport('multiclass_classification', trained, validation, p, 3));
    expect(evaluation).toMatchObject({ roc: null, pr: null, confusionMatrix: null, residuals: null });
    // partial dependence: one curve per class, the class probabilities summing to 1 at each grid value
    const [pd] = evaluation.partialDependence;
    expect(pd).toMatchObject({ feature: 'x', average: [] });
    expect(pd!.byClass!.map((c) => c.label)).toEqual([0, 1, 2]);
    pd!.grid.forEach((_, g) => expect(pd!.byClass!.reduce((sum, c) => sum + c.average[g]!, 0)).toBeCloseTo(1, 9));
    expect(evaluation.multiclass!.confusionMatrix.flat().reduce((a, b) => a + b)).toBe(validation.rowCount);
    expect(evaluation.multiclass!.roc.every((r) => r.auc! > 0.8)).toBe(true);
    expect(evaluation.featureImportance.map((f) => [f.name, f.kind])).toEqual([
      ['x', 'gain'],
      ['noise', 'gain'],
    ]);
    expect(outputsOf('multiclass_classification', 3)).toEqual({
      outputs: ['probabilities', 'label'],
      roles: { label: 'label', probabilities: 'probabilities', value: null, classes: [0, 1, 2] },
    });
    expect(outputsOf('binary_classification', 2)).toEqual({ outputs: ['probability', 'label'] });
  });

  it('neural network: softmax probabilities; permutation importance by multi-class log loss', async () => {
    const nn = request({
      modelType: 'neural_network',
      params: { task: 'multiclass', hiddenLayers: [8], epochs: 10, batchSize: 64, learningRate: 0.05 },
    });
    const trained = await train(nn, trainSet, validation, {}, { numClass: 3 });
    const p = trained.predict(validation.columns);
    expect(multiclassLogLoss(validation.label, p, 3)).toBeLessThan(0.6);
    const { featureImportance, multiclass } = evaluationReport('multiclass_classification', trained, validation, p, 3);
    const [x, noise] = featureImportance;
    expect(x).toMatchObject({ name: 'x', kind: 'permutation' });
    expect(x!.importance).toBeGreaterThan(0.5);
    expect(Math.abs(noise!.importance)).toBeLessThan(0.05);
    expect(multiclass!.classes).toEqual([0, 1, 2]);
  });

  it('logistic regression: multinomial (softmax) over the classes, exported as the GBDT and network graphs are', async () => {
    const lr = request({ modelType: 'logistic_regression', params: { task: 'multiclass' } });
    expect(taskOf(lr)).toBe('multiclass_classification');
    const trained = await train(lr, trainSet, validation, {}, { numClass: 3 });
    expect(trained.backend).toBe('typescript');
    expect(trained.model).toMatchObject({ kind: 'logistic_regression', task: 'multiclass', features: ['x', 'noise'] });
    const p = trained.predict(validation.columns);
    expect(p).toHaveLength(3 * validation.rowCount);
    expect(multiclassLogLoss(validation.label, p, 3)).toBeLessThan(0.6);
    const { featureImportance, multiclass } = evaluationReport('multiclass_classification', trained, validation, p, 3);
    expect(featureImportance.map((f) => [f.name, f.kind])).toEqual([
      ['x', 'permutation'],
      ['noise', 'permutation'],
    ]);
    expect(multiclass!.roc.every((r) => r.auc! > 0.8)).toBe(true);
    // the registered outputs are the graph's: `probabilities` [N, 3] and `label` [N]
    expect(readOnnxGraph(exportOnnx(trained.model, { name: 'classes' })).outputs.map((o) => [o.name, o.type])).toEqual([
      ['probabilities', { kind: 'tensor', elementType: 'float', shape: ['N', 3] }],
      ['label', { kind: 'tensor', elementType: 'int64', shape: ['N'] }],
    ]);
    expect(outputsOf('multiclass_classification', 3).outputs).toEqual(['probabilities', 'label']);
  });

  it('searches hyper-parameters by validation log loss, lowest first', async () => {
    const searched = request({
      modelType: 'gbdt',
      params: { objective: 'multiclass', numIterations: 10, minDataInLeaf: 5 },
      search: { trials: 3, space: { learningRate: { type: 'float', min: 0.01, max: 0.3 } }, seed: 4 },
    });
    const outcome = await searchAndTrain(
      searched,
      trainSet,
      validation,
      'multiclass_classification',
      { numClass: 3 },
      {
        signal: new AbortController().signal,
        onTrial: async () => undefined,
      },
    );
    const scores = outcome.trials.map((t) => t.score!);
    expect(outcome.score).toBe(Math.min(...scores));
    expect(multiclassLogLoss(validation.label, outcome.trained.predict(validation.columns), 3)).toBeCloseTo(outcome.score, 12);
  });
});
