import { describe, expect, it } from 'vitest';

import { choosePartitions, noPartitionReason, pickRows, routedPredictions, type TrainedPartition } from './partitions';

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

  it('says why no value gets a model, naming the one with the most training rows (ties by value), or none', () => {
    const head = 'no value of the partition column "origin" has 5 training rows (partition.minRows) and a validation row';
    expect(noPartitionReason('origin', 5, values, isTrain)).toBe(`${head} (the most: "ORD" with 3)`);
    expect(noPartitionReason('origin', 5, ['SFO', 'BOS', 'LAX'], (row) => row < 2)).toBe(`${head} (the most: "BOS" with 1)`);
    expect(noPartitionReason('origin', 5, [null, 'LAX'], (row) => row < 1)).toBe(`${head} (it has no value on any row)`);
    expect(noPartitionReason('origin', 5, values, isTrain, { scale: 10, estimated: true })).toBe(
      `${head} in the sample's estimate (the most: "ORD" with about 30)`,
    );
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
