import { describe, expect, it } from 'vitest';

import { predictLinear } from '../linear/linear-regression.model';
import { trainLinearRegression } from '../linear/linear-regression.trainer';
import { predictProba } from '../linear/logistic-regression.model';
import { trainLogisticRegression } from '../linear/logistic-regression.trainer';
import { logLoss, rmse, rocAuc } from '../metrics/metrics';
import { MlError } from '../ml.error';
import { binColumn, binOf, binRows, fitBinEdges } from './bin-mapper.fit';
import { predictGbdt } from './gbdt.model';
import { type GbdtProgress, trainGbdt } from './gbdt.trainer';
import { syntheticGbdtDataset } from './gbdt-synthetic.fixture';

const binaryTrain = syntheticGbdtDataset('binary', 6000, 1);
const binaryTest = syntheticGbdtDataset('binary', 3000, 2);

function constant(n: number, value: number): Float64Array {
  return new Float64Array(n).fill(value);
}

function mean(values: Float64Array): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

describe('trainGbdt — binary', () => {
  it('learns an XOR-like interaction: held-out AUC and log loss beat a constant and logistic regression', async () => {
    const progress: GbdtProgress[] = [];
    const model = await trainGbdt(binaryTrain, { objective: 'binary' }, { onProgress: (p) => progress.push(p) });
    const p = predictGbdt(model, binaryTest.columns);
    const auc = rocAuc(binaryTest.label, p);

    const linear = await trainLogisticRegression(binaryTrain, { epochs: 10 });
    const linearAuc = rocAuc(binaryTest.label, predictProba(linear, binaryTest.columns));
    expect(auc).toBeGreaterThan(0.85);
    expect(auc).toBeGreaterThan(linearAuc + 0.15);
    expect(logLoss(binaryTest.label, p)).toBeLessThan(logLoss(binaryTest.label, constant(p.length, mean(binaryTrain.label))) - 0.15);

    expect(model).toMatchObject({ kind: 'gbdt', objective: 'binary', numClass: 1, bestIteration: 100 });
    expect(model.trees).toHaveLength(100);
    expect(model.trees.every((t) => t.leafValue.length <= 31)).toBe(true);
    expect(progress.map((q) => q.iteration)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(progress[99].trainLoss).toBeLessThan(progress[0].trainLoss);
    expect(progress[0].validLoss).toBeUndefined();
  });

  it('ranks informative features above pure noise in gain importance', async () => {
    const model = await trainGbdt(binaryTrain, { objective: 'binary', numIterations: 20 });
    const { gain, split } = model.featureImportance;
    // x4 and x5 are noise; x0, x1 (the XOR) and x2 (a step) carry the signal.
    const noise = Math.max(gain[4], gain[5]);
    for (const informative of [0, 1, 2]) expect(gain[informative]).toBeGreaterThan(2 * noise);
    expect(split.reduce((a, b) => a + b, 0)).toBe(model.trees.reduce((n, t) => n + t.feature.length, 0));
  });

  it('stops early on a validation set and keeps the best iteration', async () => {
    const progress: GbdtProgress[] = [];
    const model = await trainGbdt(
      syntheticGbdtDataset('binary', 1500, 3),
      {
        objective: 'binary',
        numIterations: 500,
        learningRate: 0.3,
        minDataInLeaf: 2,
        validation: binaryTest,
        earlyStoppingRounds: 10,
      },
      { onProgress: (p) => progress.push(p) },
    );
    expect(progress.length).toBeLessThan(500);
    expect(progress.length).toBe(model.bestIteration + 10);
    expect(model.trees).toHaveLength(model.bestIteration);
    const validLosses = progress.map((p) => p.validLoss as number);
    expect(Math.min(...validLosses)).toBe(validLosses[model.bestIteration - 1]);
    // The kept model scores the validation set with exactly the best reported loss.
    const p = predictGbdt(model, binaryTest.columns);
    expect(logLoss(binaryTest.label, p)).toBeCloseTo(validLosses[model.bestIteration - 1], 6);
  });

  it('gives the identical model for the same seed, with bagging and feature sampling on', async () => {
    const params = {
      objective: 'binary' as const,
      numIterations: 20,
      baggingFraction: 0.7,
      baggingFreq: 1,
      featureFraction: 0.5,
      seed: 7,
    };
    const a = await trainGbdt(binaryTrain, params);
    const b = await trainGbdt(binaryTrain, params);
    const c = await trainGbdt(binaryTrain, { ...params, seed: 8 });
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    expect(JSON.stringify(c)).not.toBe(JSON.stringify(a));
    // Plain JSON: survives a round trip unchanged.
    expect(JSON.parse(JSON.stringify(a))).toEqual(a);
    expect(rocAuc(binaryTest.label, predictGbdt(a, binaryTest.columns))).toBeGreaterThan(0.8);
  });

  it('learns from missingness itself: a default direction per split', async () => {
    // The label is exactly "x0 is missing"; every split must route missing values to one side.
    const n = 2000;
    const data = syntheticGbdtDataset('binary', n, 5, { missingRate: 0 });
    for (let i = 0; i < n; i++) {
      data.label[i] = i % 3 === 0 ? 1 : 0;
      if (i % 3 === 0) data.columns[0][i] = NaN;
    }
    const model = await trainGbdt(data, { objective: 'binary', numIterations: 20 });
    const probe = [Float64Array.of(NaN, 0.3, -2), ...data.columns.slice(1).map((c) => c.slice(0, 3))];
    const p = predictGbdt(model, probe);
    expect(p[0]).toBeGreaterThan(0.9);
    expect(p[1]).toBeLessThan(0.1);
    expect(p[2]).toBeLessThan(0.1);
  });

  it('depth-wise growth respects maxDepth', async () => {
    const model = await trainGbdt(binaryTrain, { objective: 'binary', numIterations: 10, growth: 'depthwise', maxDepth: 3 });
    for (const tree of model.trees) {
      expect(tree.leafValue.length).toBeLessThanOrEqual(8);
      expect(depth(tree.left, tree.right)).toBeLessThanOrEqual(3);
    }
    expect(model.trees.some((t) => t.leafValue.length === 8)).toBe(true);
  });

  it('rejects bad params and data with MlError', async () => {
    await expect(trainGbdt(binaryTrain, { objective: 'binary', learningRate: 0 })).rejects.toThrow(/learningRate/);
    await expect(trainGbdt(binaryTrain, { objective: 'binary', earlyStoppingRounds: 5 })).rejects.toThrow(/validation/);
    await expect(trainGbdt(binaryTrain, { objective: 'multiclass' })).rejects.toThrow(/numClass/);
    const bad = { ...binaryTrain, label: binaryTrain.label.map((v, i) => (i === 3 ? 2 : v)) };
    await expect(trainGbdt(bad, { objective: 'binary' })).rejects.toBeInstanceOf(MlError);
    const infinite = {
      ...binaryTrain,
      columns: [binaryTrain.columns[0].map((v, i) => (i === 0 ? Infinity : v)), ...binaryTrain.columns.slice(1)],
    };
    await expect(trainGbdt(infinite, { objective: 'binary' })).rejects.toThrow(/infinite/);
  });

  it('stops when aborted', async () => {
    const controller = new AbortController();
    const run = trainGbdt(
      binaryTrain,
      { objective: 'binary', numIterations: 1000 },
      {
        signal: controller.signal,
        onProgress: (p) => {
          if (p.iteration === 3) controller.abort(new Error('cancelled'));
        },
      },
    );
    await expect(run).rejects.toThrow('cancelled');
  });
});

describe('trainGbdt — regression and multiclass', () => {
  it('regression: held-out RMSE far below a constant and below a linear fit of the same features', async () => {
    const train = syntheticGbdtDataset('regression', 6000, 11);
    const test = syntheticGbdtDataset('regression', 3000, 12);
    const model = await trainGbdt(train, { objective: 'regression' });
    const error = rmse(test.label, predictGbdt(model, test.columns));
    const constantError = rmse(test.label, constant(test.rowCount, mean(train.label)));
    expect(model.baseScores[0]).toBeCloseTo(mean(train.label), 5);
    const linear = await trainLinearRegression(train);
    const linearError = rmse(test.label, predictLinear(linear, test.columns));
    expect(error).toBeLessThan(0.5 * constantError);
    expect(error).toBeLessThan(0.6 * linearError);
    // Rows with x0 missing lose the ±2.5 XOR term: an RMSE floor near 0.85, not the 0.3 noise.
    expect(error).toBeLessThan(1.2);
  });

  it('multiclass: probabilities sum to 1 and beat the class prior in log loss and accuracy', async () => {
    const train = syntheticGbdtDataset('multiclass', 6000, 21);
    const test = syntheticGbdtDataset('multiclass', 3000, 22);
    const progress: GbdtProgress[] = [];
    const model = await trainGbdt(
      train,
      { objective: 'multiclass', numClass: 3, numIterations: 60, validation: test },
      { onProgress: (p) => progress.push(p) },
    );
    expect(model.trees).toHaveLength(180);
    expect(model.trees.map((t) => t.classIndex).slice(0, 6)).toEqual([0, 1, 2, 0, 1, 2]);
    const p = predictGbdt(model, test.columns);
    expect(p).toHaveLength(3 * test.rowCount);
    let loss = 0;
    let correct = 0;
    const prior = [0, 1, 2].map((k) => train.label.filter((y) => y === k).length / train.rowCount);
    let priorLoss = 0;
    for (let i = 0; i < test.rowCount; i++) {
      const row = Array.from(p.subarray(3 * i, 3 * i + 3));
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
      const y = test.label[i];
      loss -= Math.log(row[y]);
      priorLoss -= Math.log(prior[y]);
      if (row.indexOf(Math.max(...row)) === y) correct++;
    }
    expect(loss / test.rowCount).toBeLessThan(0.7 * (priorLoss / test.rowCount));
    expect(loss / test.rowCount).toBeCloseTo(progress[59].validLoss as number, 6);
    expect(correct / test.rowCount).toBeGreaterThan(Math.max(...prior) + 0.15);
  });
});

describe('bin edges', () => {
  it('gives each distinct value its own bin when there are few, with float32-exact edges between them', () => {
    const column = Float64Array.of(3, 1, 2, 2, NaN, 1, 0.1);
    const [edges] = fitBinEdges([column], 255, 1);
    expect(edges).toHaveLength(3);
    for (const e of edges) expect(Math.fround(e)).toBe(e);
    expect(Array.from(column, (v) => binOf(edges, v))).toEqual([4, 2, 3, 3, 0, 2, 1]);
    // Bin b holds values ≤ edges[b − 1]: the float32 rounding of 0.1 sits in bin 1 too.
    expect(binOf(edges, Math.fround(0.1))).toBe(1);
  });

  it('bins a column by its lookup table exactly as binOf does: edges, their neighbours, the ends, NaN, a crowded cell', () => {
    let seed = 11;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const shapes = [
      Float64Array.from({ length: 5000 }, () => random() * 100),
      Float64Array.from({ length: 5000 }, () => Math.exp(6 * random())), // most edges in the first cells
      Float64Array.from({ length: 5000 }, () => Math.floor(random() * 40)), // few distinct values
      Float64Array.from({ length: 5000 }, () => (random() < 0.5 ? 1e6 : 1e6 + random())), // one value, then a narrow spread
    ];
    for (const shape of shapes) {
      const [edges] = fitBinEdges([shape], 255, 1);
      const values = [
        ...shape,
        NaN,
        -1e9,
        1e9,
        ...Array.from(edges).flatMap((e) => [e, e * (1 - 1e-7), e * (1 + 1e-7), e - 1e-3, e + 1e-3]),
      ];
      const column = Float64Array.from(values);
      const out = new Uint16Array(column.length);
      binColumn(edges, column, out);
      expect(Array.from(out)).toEqual(Array.from(column, (v) => binOf(edges, v)));
    }
    const single = new Uint16Array(3);
    binColumn(Float64Array.of(2), Float64Array.of(1, 2, 3), single);
    expect(Array.from(single)).toEqual([1, 1, 2]);
  });

  it('orders negative values, −0 and +0 as numbers do when it sorts the sample', () => {
    const column = Float64Array.of(5, -1, 0, -3, 2, -0, -2, NaN, -1e30, 1e30);
    const [edges] = fitBinEdges([column], 255, 1);
    const distinct = [-1e30, -3, -2, -1, 0, 2, 5, 1e30].map((v) => Math.fround(v));
    expect(edges).toHaveLength(distinct.length - 1);
    edges.forEach((e, k) => {
      expect(e).toBeGreaterThanOrEqual(distinct[k]!);
      expect(e).toBeLessThan(distinct[k + 1]!);
    });
  });

  it('caps the bin count at maxBins with roughly equal-count bins', () => {
    const column = Float64Array.from({ length: 10_000 }, (_, i) => (i * 7919) % 10_000);
    const [edges] = fitBinEdges([column], 16, 1);
    expect(edges.length).toBeLessThanOrEqual(15);
    const { slots } = binRows([column], [edges]);
    const counts = new Array(edges.length + 2).fill(0);
    for (const b of slots) counts[b]++;
    expect(counts[0]).toBe(0);
    for (const c of counts.slice(1)) expect(Math.abs(c - 10_000 / (edges.length + 1))).toBeLessThan(60);
  });
});

function depth(left: number[], right: number[], node = 0): number {
  if (node < 0 || left.length === 0) return 0;
  return 1 + Math.max(depth(left, right, left[node]), depth(left, right, right[node]));
}
