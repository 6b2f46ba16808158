import { Tensor } from 'onnxruntime-node';

import type { OipDatatype, OipInferInput, OipOutput } from '@atelier/contracts';
import type { OnnxDim } from '@atelier/ml';
import { badRequest } from '@atelier/server';

import type { PlainTensor } from './onnx-runner';

/**
 * Open Inference Protocol tensors ↔ ONNX Runtime tensors: the datatypes of each, JSON data
 * (flat or nested, row-major) and the binary tensor extension's raw little-endian data (BYTES as
 * 4-byte length + UTF-8 per element).
 */

interface Kind {
  datatype: OipDatatype;
  ort: Tensor.Type;
  /** bytes per element in binary data; 0 for BYTES */
  size: number;
  array?: new (buffer: ArrayBuffer, offset: number, length: number) => ArrayLike<number | bigint>;
}

/** ONNX element type → the protocol's datatype and ONNX Runtime's tensor type. */
const KINDS: Record<string, Kind> = {
  float: { datatype: 'FP32', ort: 'float32', size: 4, array: Float32Array },
  double: { datatype: 'FP64', ort: 'float64', size: 8, array: Float64Array },
  float16: { datatype: 'FP16', ort: 'float16', size: 2, array: Uint16Array },
  int8: { datatype: 'INT8', ort: 'int8', size: 1, array: Int8Array },
  int16: { datatype: 'INT16', ort: 'int16', size: 2, array: Int16Array },
  int32: { datatype: 'INT32', ort: 'int32', size: 4, array: Int32Array },
  int64: { datatype: 'INT64', ort: 'int64', size: 8, array: BigInt64Array },
  uint8: { datatype: 'UINT8', ort: 'uint8', size: 1, array: Uint8Array },
  uint16: { datatype: 'UINT16', ort: 'uint16', size: 2, array: Uint16Array },
  uint32: { datatype: 'UINT32', ort: 'uint32', size: 4, array: Uint32Array },
  uint64: { datatype: 'UINT64', ort: 'uint64', size: 8, array: BigUint64Array },
  bool: { datatype: 'BOOL', ort: 'bool', size: 1, array: Uint8Array },
  string: { datatype: 'BYTES', ort: 'string', size: 0 },
};

const BY_ORT = new Map(Object.values(KINDS).map((k) => [k.ort, k]));

/** The protocol's datatype of an ONNX element type (`BYTES` for strings), or null when it has none. */
export function oipDatatypeOf(elementType: string): OipDatatype | null {
  return KINDS[elementType]?.datatype ?? null;
}

/** A graph dimension as the protocol states it: a number, or -1 when it varies. */
export function oipDim(dim: OnnxDim): number {
  return typeof dim === 'number' ? dim : -1;
}

/**
 * One request input → the tensor for a graph input of `elementType` and `shape`. `binary` is the
 * input's slice of the binary section when it was sent as binary data.
 */
export function toOrtTensor(input: OipInferInput, elementType: string, shape: readonly OnnxDim[] | null, binary: Buffer | null): Tensor {
  const kind = KINDS[elementType];
  if (!kind) throw badRequest(`input "${input.name}": the model takes ${elementType} values, which this server cannot feed`);
  if (input.datatype !== kind.datatype) throw badRequest(`input "${input.name}" must be ${kind.datatype}; got ${input.datatype}`);
  const count = input.shape.reduce((a, b) => a * b, 1);
  const dims = fitShape(input, shape);
  if (binary) return new Tensor(kind.ort, fromBinary(input.name, kind, binary, count), dims);
  if (!input.data) throw badRequest(`input "${input.name}" has no data: send "data" or binary data with parameters.binary_data_size`);
  const flat = input.data.flat(Infinity as 1) as unknown[];
  if (flat.length !== count)
    throw badRequest(`input "${input.name}": shape ${JSON.stringify(input.shape)} holds ${count} values; got ${flat.length}`);
  return new Tensor(kind.ort, fromJson(input.name, kind, flat), dims);
}

/**
 * The tensor's dimensions: the caller's shape, checked against the graph's fixed dimensions. A
 * shape of `[N]` feeds a graph input of `[N, 1]` (the one-column inputs of Atelier's own models).
 */
function fitShape(input: OipInferInput, shape: readonly OnnxDim[] | null): number[] {
  if (!shape) return input.shape;
  const given = input.shape.length === 1 && shape.length === 2 && shape[1] === 1 ? [input.shape[0]!, 1] : input.shape;
  const fits = given.length === shape.length && shape.every((d, i) => typeof d !== 'number' || d === given[i]);
  if (!fits)
    throw badRequest(
      `input "${input.name}": shape ${JSON.stringify(input.shape)} does not fit the model's [${shape.map(oipDim).join(', ')}]`,
    );
  return given;
}

function fromJson(name: string, kind: Kind, values: unknown[]): Tensor.DataType {
  switch (kind.datatype) {
    case 'BYTES':
      return values.map((v) => {
        if (typeof v !== 'string') throw badRequest(`input "${name}" is BYTES: its data must be strings`);
        return v;
      });
    case 'BOOL':
      return Uint8Array.from(values, (v) => {
        if (typeof v !== 'boolean' && v !== 0 && v !== 1) throw badRequest(`input "${name}" is BOOL: its data must be true or false`);
        return v ? 1 : 0;
      });
    case 'INT64':
    case 'UINT64': {
      const out = kind.datatype === 'INT64' ? new BigInt64Array(values.length) : new BigUint64Array(values.length);
      values.forEach((v, i) => (out[i] = BigInt(integer(name, v))));
      return out;
    }
    default: {
      const Array_ = kind.array as unknown as { from(values: ArrayLike<number>): Tensor.DataType };
      const integral = !kind.datatype.startsWith('FP');
      return Array_.from(values.map((v) => (integral ? integer(name, v) : number(name, v))));
    }
  }
}

function number(name: string, v: unknown): number {
  if (typeof v !== 'number') throw badRequest(`input "${name}" must hold numbers; got ${JSON.stringify(v)}`);
  return v;
}

function integer(name: string, v: unknown): number {
  if (!Number.isSafeInteger(v)) throw badRequest(`input "${name}" must hold integers; got ${JSON.stringify(v)}`);
  return v as number;
}

function fromBinary(name: string, kind: Kind, bytes: Buffer, count: number): Tensor.DataType {
  if (kind.datatype === 'BYTES') {
    const out: string[] = [];
    let at = 0;
    while (at < bytes.length) {
      if (at + 4 > bytes.length) throw badRequest(`input "${name}": binary BYTES data ends inside a length prefix`);
      const length = bytes.readUInt32LE(at);
      if (at + 4 + length > bytes.length) throw badRequest(`input "${name}": binary BYTES element ${out.length} runs past its data`);
      out.push(bytes.toString('utf8', at + 4, at + 4 + length));
      at += 4 + length;
    }
    if (out.length !== count) throw badRequest(`input "${name}": the shape holds ${count} values; the binary data holds ${out.length}`);
    return out;
  }
  if (bytes.length !== count * kind.size)
    throw badRequest(
      `input "${name}": the shape holds ${count} values (${count * kind.size} bytes); the binary data has ${bytes.length} bytes`,
    );
  // copied: typed arrays need an aligned offset, and the request buffer is reused
  const copy = new Uint8Array(bytes);
  return new kind.array!(copy.buffer, 0, count) as unknown as Tensor.DataType;
}

/** A run's output as the protocol answers it: JSON data, or raw bytes for the binary extension. */
export function fromOrtTensor(name: string, tensor: PlainTensor, binary: boolean): { output: OipOutput; bytes: Buffer | null } {
  const kind = BY_ORT.get(tensor.type);
  if (!kind) throw new Error(`output "${name}" has type ${tensor.type}, which the protocol cannot carry`);
  const base = { name, shape: [...tensor.dims], datatype: kind.datatype };
  if (binary) {
    const bytes = toBinary(kind, tensor.data);
    return { output: { ...base, parameters: { binary_data_size: bytes.length } }, bytes };
  }
  return { output: { ...base, data: toJson(kind, tensor.data) }, bytes: null };
}

function toJson(kind: Kind, data: Tensor.DataType): Array<number | string | boolean> {
  if (kind.datatype === 'BYTES') return Array.from(data as readonly string[]);
  if (kind.datatype === 'BOOL') return Array.from(data as Uint8Array, (v) => v !== 0);
  return Array.from(data as ArrayLike<number | bigint>, Number);
}

function toBinary(kind: Kind, data: Tensor.DataType): Buffer {
  if (kind.datatype === 'BYTES') {
    const parts = (data as readonly string[]).map((s) => {
      const text = Buffer.from(s, 'utf8');
      const prefix = Buffer.alloc(4);
      prefix.writeUInt32LE(text.length);
      return Buffer.concat([prefix, text]);
    });
    return Buffer.concat(parts);
  }
  const view = data as ArrayBufferView;
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}
