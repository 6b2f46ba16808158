import { describe, expect, it } from 'vitest';

import type { OutputPlan } from './inference-plan';
import { feedTensors, readOutputs } from './model-tensors';
import type { PlainTensor } from './onnx-runner';

describe('feedTensors', () => {
  it('fills a [rows, columns] tensor per feed in column order, missing numbers as NaN and categories as ""', () => {
    const tensors = feedTensors(
      [
        { name: 'X', elementType: 'float', columns: ['a', 'b', 'c'], rank: 2 },
        { name: 'city', elementType: 'string', columns: ['city'], rank: 2 },
        { name: 'd', elementType: 'double', columns: ['a'], rank: 1 },
      ],
      [
        { a: 1, b: 2, c: 3, city: 'Oslo' },
        { a: 4, b: null, c: 6, city: null },
      ],
    );
    expect(tensors.X!.dims).toEqual([2, 3]);
    expect(Array.from(tensors.X!.data as Float32Array)).toEqual([1, 2, 3, 4, NaN, 6]);
    expect(tensors.city!.data).toEqual(['Oslo', '']);
    expect(tensors.d!.type).toBe('float64');
    expect(tensors.d!.dims).toEqual([2]);
  });

  it('feeds int64, int32 and bool inputs as their types', () => {
    const tensors = feedTensors(
      [
        { name: 'n', elementType: 'int64', columns: ['n'], rank: 2 },
        { name: 'm', elementType: 'int32', columns: ['n'], rank: 2 },
        { name: 'flag', elementType: 'bool', columns: ['flag'], rank: 2 },
      ],
      [
        { n: 7, flag: 1 },
        { n: -2, flag: 0 },
      ],
    );
    expect(tensors.n!.data).toEqual(BigInt64Array.of(7n, -2n));
    expect(tensors.m!.data).toEqual(Int32Array.of(7, -2));
    expect(tensors.flag!.type).toBe('bool');
    expect(Array.from(tensors.flag!.data as Uint8Array)).toEqual([1, 0]);
  });
});

const plain = (type: PlainTensor['type'], data: PlainTensor['data'], dims: number[]): PlainTensor => ({ type, data, dims });

describe('readOutputs', () => {
  const plan = (over: Partial<OutputPlan>): OutputPlan => ({
    task: 'binary_classification',
    label: null,
    probabilities: null,
    value: null,
    classes: null,
    ...over,
  });

  it("reads Atelier's binary models ([N, 1] P(positive) + label) and regressors", () => {
    const binary = readOutputs(
      plan({ label: 'label', probabilities: 'probability', classes: [0, 1] }),
      { probability: plain('float32', Float32Array.of(0.25, 0.75), [2, 1]), label: plain('int64', BigInt64Array.of(0n, 1n), [2, 1]) },
      2,
    );
    expect(binary).toEqual([
      { prediction: 0.25, label: 0 },
      { prediction: 0.75, label: 1 },
    ]);
    const regression = readOutputs(
      plan({ task: 'regression', value: 'variable' }),
      { variable: plain('float32', Float32Array.of(151.5), [1, 1]) },
      1,
    );
    expect(regression).toEqual([{ prediction: 151.5, label: null }]);
  });

  it('answers P(second class) for a two-class probability tensor, and every class for more', () => {
    const two = readOutputs(
      plan({ label: 'label', probabilities: 'p', classes: [0, 1] }),
      { label: plain('int64', BigInt64Array.of(1n), [1]), p: plain('float32', Float32Array.of(0.125, 0.875), [1, 2]) },
      1,
    );
    expect(two).toEqual([{ prediction: 0.875, label: 1 }]);
    const three = readOutputs(
      plan({ task: 'multiclass_classification', probabilities: 'p', classes: ['setosa', 'versicolor', 'virginica'] }),
      { p: plain('float32', Float32Array.of(0.125, 0.625, 0.25), [1, 3]) },
      1,
    );
    // no label output: the label is the most probable class
    expect(three).toEqual([
      { prediction: 0.625, label: 'versicolor', probabilities: { setosa: 0.125, versicolor: 0.625, virginica: 0.25 } },
    ]);
  });

  it('names no class when the graph gives no probability (NaN: a model made elsewhere fed missing inputs)', () => {
    const three = readOutputs(
      plan({ task: 'multiclass_classification', label: 'label', probabilities: 'p', classes: [0, 1, 2] }),
      { label: plain('int64', BigInt64Array.of(0n), [1]), p: plain('float32', Float32Array.of(NaN, NaN, NaN), [1, 3]) },
      1,
    );
    expect(three).toEqual([{ prediction: NaN, label: null, probabilities: { 0: NaN, 1: NaN, 2: NaN } }]);
    const binary = readOutputs(
      plan({ label: 'label', probabilities: 'probability', classes: [0, 1] }),
      { probability: plain('float32', Float32Array.of(NaN, 0.75), [2, 1]), label: plain('int64', BigInt64Array.of(0n, 1n), [2, 1]) },
      2,
    );
    expect(binary).toEqual([
      { prediction: NaN, label: null },
      { prediction: 0.75, label: 1 },
    ]);
  });
});
