import { describe, expect, it } from 'vitest';

import { refusalOf } from '@atelier/testing';

import { fromOrtTensor, oipDatatypeOf, oipDim, toOrtTensor } from './oip-tensors';

const bytesOf = (...values: string[]) =>
  Buffer.concat(
    values.map((v) => {
      const prefix = Buffer.alloc(4);
      prefix.writeUInt32LE(Buffer.byteLength(v));
      return Buffer.concat([prefix, Buffer.from(v)]);
    }),
  );


describe('Open Inference Protocol tensors', () => {
  it('maps ONNX element types to protocol datatypes and varying dimensions to -1', () => {
    expect(['float', 'double', 'int64', 'string', 'bool'].map(oipDatatypeOf)).toEqual(['FP32', 'FP64', 'INT64', 'BYTES', 'BOOL']);
    expect(oipDatatypeOf('complex64')).toBeNull();
    expect([null, 'N', 4].map(oipDim)).toEqual([-1, -1, 4]);
  });

  it('reads JSON data, flat or nested, and feeds a [N] shape to a [N, 1] input', () => {
    const nested = toOrtTensor(
      {
        name: 'X',
        shape: [2, 2],
        datatype: 'FP32',
        data: [
          [1, 2],
          [3, 4],
        ],
      },
      'float',
      [null, 2],
      null,
    );
    expect(nested.dims).toEqual([2, 2]);
    expect(Array.from(nested.data as Float32Array)).toEqual([1, 2, 3, 4]);
    const column = toOrtTensor({ name: 'distance', shape: [3], datatype: 'FP32', data: [1, 2, 3] }, 'float', ['N', 1], null);
    expect(column.dims).toEqual([3, 1]);
    expect(toOrtTensor({ name: 'n', shape: [2], datatype: 'INT64', data: [5, -1] }, 'int64', [null], null).data).toEqual(
      BigInt64Array.of(5n, -1n),
    );
    expect(toOrtTensor({ name: 's', shape: [1, 1], datatype: 'BYTES', data: ['SFO'] }, 'string', ['N', 1], null).data).toEqual(['SFO']);
  });

  it('reads binary data: little-endian numbers, length-prefixed BYTES', () => {
    const floats = Buffer.from(Float32Array.of(0.5, -2).buffer);
    expect(
      Array.from(toOrtTensor({ name: 'X', shape: [1, 2], datatype: 'FP32' }, 'float', [null, 2], floats).data as Float32Array),
    ).toEqual([0.5, -2]);
    expect(toOrtTensor({ name: 's', shape: [2, 1], datatype: 'BYTES' }, 'string', [null, 1], bytesOf('ORD', 'naïve')).data).toEqual([
      'ORD',
      'naïve',
    ]);
  });

  it('refuses data that does not fit, naming the input', () => {
    expect(refusalOf(() => toOrtTensor({ name: 'X', shape: [1, 2], datatype: 'FP64', data: [1, 2] }, 'float', [null, 2], null))).toBe(
      'input "X" must be FP32; got FP64',
    );
    expect(refusalOf(() => toOrtTensor({ name: 'X', shape: [1, 3], datatype: 'FP32', data: [1, 2] }, 'float', [null, 3], null))).toBe(
      'input "X": shape [1,3] holds 3 values; got 2',
    );
    expect(refusalOf(() => toOrtTensor({ name: 'X', shape: [1, 3], datatype: 'FP32', data: [1, 2, 3] }, 'float', [null, 2], null))).toBe(
      'input "X": shape [1,3] does not fit the model\'s [-1, 2]',
    );
    expect(refusalOf(() => toOrtTensor({ name: 'n', shape: [1], datatype: 'INT64', data: [1.5] }, 'int64', [null], null))).toBe(
      'input "n" must hold integers; got 1.5',
    );
    expect(refusalOf(() => toOrtTensor({ name: 'X', shape: [1, 2], datatype: 'FP32' }, 'float', [null, 2], Buffer.alloc(4)))).toBe(
      'input "X": the shape holds 2 values (8 bytes); the binary data has 4 bytes',
    );
    expect(refusalOf(() => toOrtTensor({ name: 's', shape: [1], datatype: 'BYTES' }, 'string', [null], Buffer.from([9, 0, 0, 0, 65])))).toBe(
      'input "s": binary BYTES element 0 runs past its data',
    );
  });

  it('answers outputs as JSON data or as binary data with its size', () => {
    const json = fromOrtTensor('label', { type: 'int64', data: BigInt64Array.of(2n, 0n), dims: [2] }, false);
    expect(json).toEqual({ output: { name: 'label', shape: [2], datatype: 'INT64', data: [2, 0] }, bytes: null });
    const binary = fromOrtTensor('p', { type: 'float32', data: Float32Array.of(0.25), dims: [1, 1] }, true);
    expect(binary.output).toEqual({ name: 'p', shape: [1, 1], datatype: 'FP32', parameters: { binary_data_size: 4 } });
    expect(binary.bytes!.readFloatLE(0)).toBe(0.25);
    expect(fromOrtTensor('s', { type: 'string', data: ['a', 'bc'], dims: [2] }, true).bytes).toEqual(bytesOf('a', 'bc'));
  });
});
