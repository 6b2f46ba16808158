import { describe, expect, it } from 'vitest';

import { ModelSignature } from '@atelier/contracts';
import type { OnnxGraph, OnnxValueType } from '@atelier/ml';
import { refusalOf } from '@atelier/testing';

import { resolveSignature, toModelGraph } from './graph-signature';

const tensor = (elementType: string, ...shape: Array<number | string | null>): OnnxValueType => ({ kind: 'tensor', elementType, shape });
const zipMap: OnnxValueType = {
  kind: 'sequence',
  element: { kind: 'map', key: 'int64', value: { kind: 'tensor', elementType: 'float', shape: null } },
};

function graph(inputs: OnnxGraph['inputs'], outputs: OnnxGraph['outputs'], classLabels: OnnxGraph['classLabels'] = null): OnnxGraph {
  return {
    irVersion: 8,
    producerName: 'skl2onnx',
    producerVersion: '1.20.0',
    opsets: { '': 17 },
    metadata: {},
    inputs,
    outputs,
    operators: [],
    classLabels,
  };
}

/** scikit-learn's binary classifier as skl2onnx exports it: [N, 3] floats → label + ZipMap */
const SKLEARN_BINARY = graph(
  [{ name: 'X', type: tensor('float', null, 3) }],
  [
    { name: 'output_label', type: tensor('int64', null) },
    { name: 'output_probability', type: zipMap },
  ],
  [0, 1],
);

/** Atelier's own binary model: one [N, 1] input per feature → probability + label */
const ATELIER_BINARY = graph(
  [
    { name: 'distance', type: tensor('float', 'N', 1) },
    { name: 'carrier', type: tensor('string', 'N', 1) },
  ],
  [
    { name: 'probability', type: tensor('float', 'N', 1) },
    { name: 'label', type: tensor('int64', 'N', 1) },
  ],
);

const atelierSignature = ModelSignature.parse({
  inputs: [
    { name: 'distance', source: 'request' },
    { name: 'carrier', source: 'request', dtype: 'string' },
  ],
  onnxInputs: ['distance', 'carrier'],
  outputs: ['probability', 'label'],
  task: 'binary_classification',
});


describe('resolveSignature: read from the graph when none is declared', () => {
  it('names the columns of a multi-column input after "columns", or <input>_i, and finds label, ZipMap probabilities and classes', () => {
    const named = resolveSignature(SKLEARN_BINARY, undefined, { X: ['radius', 'texture', 'area'] });
    expect(named.tensors).toEqual([{ name: 'X', elementType: 'float', columns: ['radius', 'texture', 'area'], rank: 2 }]);
    expect(named.inputs).toEqual([
      { name: 'radius', source: 'request', dtype: 'float' },
      { name: 'texture', source: 'request', dtype: 'float' },
      { name: 'area', source: 'request', dtype: 'float' },
    ]);
    expect(named).toMatchObject({ task: 'binary_classification', onnxInputs: ['X'], outputs: ['output_label', 'output_probability'] });
    expect(named.roles).toEqual({ label: 'output_label', probabilities: 'output_probability', value: null, classes: [0, 1] });
    expect(resolveSignature(SKLEARN_BINARY).tensors![0]!.columns).toEqual(['X_0', 'X_1', 'X_2']);
  });

  it('is multi-class with more than two classes, and numbers the classes of a plain probability tensor', () => {
    const iris = graph(
      [{ name: 'X', type: tensor('float', null, 4) }],
      [
        { name: 'label', type: tensor('int64', null) },
        { name: 'probabilities', type: tensor('float', null, 3) },
      ],
    );
    expect(resolveSignature(iris)).toMatchObject({
      task: 'multiclass_classification',
      roles: { label: 'label', probabilities: 'probabilities', classes: [0, 1, 2] },
    });
  });

  it('reads a regressor from its one numeric output, and feeds double, int64 and rank-1 inputs as they are', () => {
    const regressor = graph(
      [
        { name: 'x', type: tensor('double', null, 2) },
        { name: 'n', type: tensor('int64', null) },
      ],
      [{ name: 'variable', type: tensor('double', null, 1) }],
    );
    const signature = resolveSignature(regressor);
    expect(signature.task).toBe('regression');
    expect(signature.roles).toEqual({ label: null, probabilities: null, value: 'variable', classes: null });
    expect(signature.tensors).toEqual([
      { name: 'x', elementType: 'double', columns: ['x_0', 'x_1'], rank: 2 },
      { name: 'n', elementType: 'int64', columns: ['n'], rank: 1 },
    ]);
  });

  it("reads Atelier's own binary graphs (a [N, 1] probability beside the label) as P(positive)", () => {
    expect(resolveSignature(ATELIER_BINARY)).toMatchObject({
      task: 'binary_classification',
      roles: { label: 'label', probabilities: 'probability', value: null, classes: [0, 1] },
    });
  });

  it('refuses what it cannot serve, naming it', () => {
    expect(refusalOf(() => resolveSignature(graph([{ name: 'X', type: tensor('float', null, null) }], SKLEARN_BINARY.outputs)))).toBe(
      'graph input "X" (tensor(float)[?,?]) has an unknown number of columns: name them in "columns.X"',
    );
    expect(refusalOf(() => resolveSignature(SKLEARN_BINARY, undefined, { X: ['a', 'b'] }))).toBe(
      '"columns.X" names 2 columns; the graph input has 3',
    );
    expect(refusalOf(() => resolveSignature(SKLEARN_BINARY, undefined, { Y: ['a'] }))).toMatch(
      /^"columns" names "Y", not inputs of the graph/,
    );
    expect(refusalOf(() => resolveSignature(SKLEARN_BINARY, undefined, { X: ['a', 'a', 'b'] }))).toBe(
      'column names must be unique; "a" appears twice',
    );
    expect(refusalOf(() => resolveSignature(graph([{ name: 'X', type: tensor('float16', null, 2) }], SKLEARN_BINARY.outputs)))).toMatch(
      /takes float16 values; serving feeds/,
    );
    expect(
      refusalOf(() => resolveSignature(graph([{ name: 'img', type: tensor('float', null, 3, 28, 28) }], SKLEARN_BINARY.outputs))),
    ).toMatch(/serving feeds \[N\] or \[N, columns\]/);
    expect(
      refusalOf(() =>
        resolveSignature(graph([{ name: 'X', type: tensor('float', null, 2) }], [{ name: 'embedding', type: tensor('int8', null, 16) }])),
      ),
    ).toMatch(/^the graph has no output serving can read/);
  });
});

describe('resolveSignature: a declared signature is checked against the graph', () => {
  it("accepts Atelier's own signature and completes it with tensors and roles", () => {
    expect(resolveSignature(ATELIER_BINARY, atelierSignature)).toEqual({
      ...atelierSignature,
      tensors: [
        { name: 'distance', elementType: 'float', columns: ['distance'], rank: 2 },
        { name: 'carrier', elementType: 'string', columns: ['carrier'], rank: 2 },
      ],
      roles: { label: 'label', probabilities: 'probability', value: null, classes: [0, 1] },
    });
  });

  it('refuses every disagreement with the graph, naming it', () => {
    expect(refusalOf(() => resolveSignature(ATELIER_BINARY, { ...atelierSignature, onnxInputs: ['distance'] }))).toBe(
      'the signature does not fill graph input "carrier"; the graph takes "distance" tensor(float)[N,1], "carrier" tensor(string)[N,1]',
    );
    expect(refusalOf(() => resolveSignature(ATELIER_BINARY, { ...atelierSignature, onnxInputs: ['distance', 'carrier', 'hour'] }))).toMatch(
      /^the signature fills "hour", which is not an input of the graph/,
    );
    const floatCarrier = { ...atelierSignature, inputs: atelierSignature.inputs.map((i) => ({ ...i, dtype: 'float' as const })) };
    expect(refusalOf(() => resolveSignature(ATELIER_BINARY, floatCarrier))).toBe(
      'the signature fills "carrier" with float values; the graph takes tensor(string)[N,1]',
    );
    expect(refusalOf(() => resolveSignature(ATELIER_BINARY, { ...atelierSignature, outputs: ['probability', 'score'] }))).toBe(
      'the graph has no output "score"; it answers "probability", "label"',
    );
    const wide = {
      ...atelierSignature,
      tensors: [{ name: 'X', elementType: 'float' as const, columns: ['distance', 'carrier'], rank: 2 as const }],
    };
    expect(refusalOf(() => resolveSignature(SKLEARN_BINARY, { ...wide, onnxInputs: ['X'], outputs: [] }))).toBe(
      'the signature fills "X" with 2 columns; the graph takes 3 (tensor(float)[?,3])',
    );
    expect(refusalOf(() => resolveSignature(ATELIER_BINARY, atelierSignature, { distance: ['d'] }))).toBe(
      'give "columns" or a signature with "tensors", not both',
    );
  });

  it("accepts Atelier's multi-class signature (probabilities [N, K] + label [N]) and refuses classes that do not fit its columns", () => {
    const multiclass = graph(
      [{ name: 'distance', type: tensor('float', 'N', 1) }],
      [
        { name: 'probabilities', type: tensor('float', 'N', 3) },
        { name: 'label', type: tensor('int64', 'N') },
      ],
    );
    const declared = ModelSignature.parse({
      inputs: [{ name: 'distance', source: 'request' }],
      onnxInputs: ['distance'],
      outputs: ['probabilities', 'label'],
      task: 'multiclass_classification',
      roles: { label: 'label', probabilities: 'probabilities', value: null, classes: [0, 1, 2] },
    });
    expect(resolveSignature(multiclass, declared).roles).toEqual(declared.roles);
    // without roles, Atelier's own multi-class output names
    expect(resolveSignature(multiclass, { ...declared, roles: undefined }).roles).toEqual({
      label: 'label',
      probabilities: 'probabilities',
      value: null,
      classes: null,
    });
    const twoClasses = { ...declared, roles: { ...declared.roles!, classes: [0, 1] } };
    expect(refusalOf(() => resolveSignature(multiclass, twoClasses))).toBe('the signature names 2 classes but "probabilities" has 3 columns');
  });
});

describe('toModelGraph', () => {
  it('prints types as ONNX tools do and keeps tensor element types and shapes', () => {
    const stored = toModelGraph(SKLEARN_BINARY);
    expect(stored.producer).toBe('skl2onnx 1.20.0');
    expect(stored.inputs).toEqual([{ name: 'X', type: 'tensor(float)[?,3]', elementType: 'float', shape: [null, 3] }]);
    expect(stored.outputs[1]).toEqual({
      name: 'output_probability',
      type: 'seq(map(int64,tensor(float)))',
      elementType: null,
      shape: null,
    });
  });
});
