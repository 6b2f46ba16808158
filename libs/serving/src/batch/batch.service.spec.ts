import { describe, expect, it } from 'vitest';

import type { ServedModel } from '../model-cache';
import { labelKind } from './batch.service';

/** A served version reduced to what `labelKind` reads: its output plan and its graph's outputs. */
function served(outputs: Partial<ServedModel['plan']['outputs']>, graphOutputs: Array<{ name: string; elementType: string }> = []) {
  return {
    plan: { outputs: { task: 'binary_classification', label: null, probabilities: null, value: null, classes: null, ...outputs } },
    graph: { outputs: graphOutputs.map(({ name, elementType }) => ({ name, type: { kind: 'tensor', elementType, shape: null } })) },
  } as unknown as Pick<ServedModel, 'plan' | 'graph'>;
}

describe('labelKind', () => {
  it("reads a label output's element type, else the classes (their indices when unnamed); a regressor has none", () => {
    expect(labelKind(served({ label: 'label', probabilities: 'probability' }, [{ name: 'label', elementType: 'int64' }]))).toEqual({
      labels: 'number',
      labelColumn: 'INT64',
    });
    expect(labelKind(served({ label: 'label' }, [{ name: 'label', elementType: 'float' }]))).toEqual({
      labels: 'number',
      labelColumn: 'DOUBLE',
    });
    expect(labelKind(served({ label: 'label' }, [{ name: 'label', elementType: 'bool' }]))).toEqual({ labels: 'number' }); // text in the file
    expect(labelKind(served({ label: 'label' }, [{ name: 'label', elementType: 'string' }]))).toEqual({ labels: 'string' });
    expect(labelKind(served({ label: 'gone' }))).toEqual({}); // not among the graph's outputs: not known
    expect(labelKind(served({ task: 'multiclass_classification', probabilities: 'p', classes: ['setosa', 'versicolor'] }))).toEqual({
      labels: 'string',
    });
    expect(labelKind(served({ task: 'multiclass_classification', probabilities: 'p', classes: [0, 1, 2] }))).toEqual({
      labels: 'number',
      labelColumn: 'INT64',
    });
    expect(labelKind(served({ task: 'multiclass_classification', probabilities: 'p', classes: [0.5, 1.5] }))).toEqual({
      labels: 'number',
      labelColumn: 'DOUBLE',
    });
    expect(labelKind(served({ task: 'multiclass_classification', probabilities: 'p' }))).toEqual({
      labels: 'number',
      labelColumn: 'INT64',
    });
    expect(labelKind(served({ task: 'regression', value: 'prediction' }))).toEqual({});
  });
});
