import { describe, expect, it } from 'vitest';

import { choosePartitions, largestPartition, pickRows, routedPredictions, type TrainedPartition } from './partitions';

describe('choosePartitions', () => {
  // rows 0–7 train, 8–11 validate
  const isTrain = (row: number) => row < 8;
  const values = ['ORD', 'ORD', 'ORD', 'SFO', 'SFO', 'SFO', 'BOS', null, 'ORD', 'SFO', 'BOS', 'LAX'];

  it('keeps the values with enough training rows and a validation row, the largest first, ties by value', () => {
    expect(choosePartitions(values, isTrain, 2, 10)).toEqual(['ORD', 'SFO']);
    // LAX has validation rows only; null is no partition
    expect(choosePartitions(values, isTrain, 1, 10)).toEqual(['ORD', 'SFO', 'BOS']);
    expect(choosePartitions(values, isTrain, 3, 1)).toEqual(['ORD']);
  });

  it('names the value with the most training rows (ties by value), or none', () => {
    expect(largestPartition(values, isTrain)).toEqual({ value: 'ORD', trainRows: 3 });
    expect(largestPartition(['SFO', 'BOS', 'LAX'], (row) => row < 2)).toEqual({ value: 'BOS', trainRows: 1 });
    expect(largestPartition([null, 'LAX'], (row) => row < 1)).toBeNull();
  });
});

describe('routedPredictions', () => {
  it("answers each partition's rows with its model and the others with the global model, per row of a multi-class matrix too", () => {
    const dataset = { features: ['x'], columns: [Float64Array.of(0, 1, 2, 3)], label: new Float64Array(4), rowCount: 4 };
    const constant = (p: number[]): TrainedPartition['trained'] => ({
      model: undefined as never,
      backend: 'test',
      predict: (columns) => Float64Array.from({ length: columns[0]!.length * p.length }, (_, i) => p[i % p.length]!),
    });
    const global = Float64Array.of(0.1, 0.9, 0.1, 0.9, 0.1, 0.9, 0.1, 0.9);
    const routed = routedPredictions(global, dataset, [{ value: 'a', trained: constant([0.7, 0.3]), trainRows: [0], validationRows: [3] }], 2);
    expect([...routed]).toEqual([0.7, 0.3, 0.1, 0.9, 0.1, 0.9, 0.7, 0.3]);
    expect([...pickRows(routed, [3, 1], 2)]).toEqual([0.7, 0.3, 0.1, 0.9]);
  });
});
