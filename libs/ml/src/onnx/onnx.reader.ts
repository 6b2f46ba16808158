import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import protobuf from 'protobufjs';

import { MlError } from '../ml.error';

/**
 * Reads ONNX files with the official schema (`onnx-ml.proto`, copied unchanged from the ONNX
 * repository) through protobufjs: what the registry stores about a graph and what serving needs to
 * feed it and read its outputs. Pure: bytes in, plain data out.
 */

/** TensorProto.DataType, by number. */
const ELEMENT_TYPES: Record<number, string> = {
  1: 'float',
  2: 'uint8',
  3: 'int8',
  4: 'uint16',
  5: 'int16',
  6: 'int32',
  7: 'int64',
  8: 'string',
  9: 'bool',
  10: 'float16',
  11: 'double',
  12: 'uint32',
  13: 'uint64',
  14: 'complex64',
  15: 'complex128',
  16: 'bfloat16',
};

/** A dimension: a number, a symbolic name (e.g. the batch "N"), or unknown. */
export type OnnxDim = number | string | null;

export type OnnxValueType =
  | { kind: 'tensor'; elementType: string; shape: OnnxDim[] | null }
  | { kind: 'sequence'; element: OnnxValueType }
  | { kind: 'map'; key: string; value: OnnxValueType }
  | { kind: 'other'; description: string };

export interface OnnxValue {
  name: string;
  type: OnnxValueType;
}

export interface OnnxGraph {
  irVersion: number;
  producerName: string;
  producerVersion: string;
  /** the producer's own version number of the model, when it wrote one */
  modelVersion?: number;
  /** opset version per domain ('' is ai.onnx) */
  opsets: Record<string, number>;
  metadata: Record<string, string>;
  /** what a caller feeds: graph inputs that are not initializers */
  inputs: OnnxValue[];
  outputs: OnnxValue[];
  /** every operator the graph uses, `domain:opType` ('' domain for ai.onnx) */
  operators: string[];
  /** class labels a classifier's nodes declare (classlabels_int64s / classlabels_strings), in score order */
  classLabels: number[] | string[] | null;
}

/** Shape of the decoded messages this module reads; protobufjs returns them with the proto's field names. */
interface Dimension {
  dim_value?: protobuf.Long | number;
  dim_param?: string;
}
interface TypeMessage {
  tensor_type?: { elem_type?: number; shape?: { dim?: Dimension[] } };
  sequence_type?: { elem_type?: TypeMessage };
  map_type?: { key_type?: number; value_type?: TypeMessage };
  optional_type?: unknown;
  sparse_tensor_type?: unknown;
  opaque_type?: unknown;
}
interface ValueInfo {
  name?: string;
  type?: TypeMessage;
}
interface Attribute {
  name?: string;
  ints?: Array<protobuf.Long | number>;
  strings?: Uint8Array[];
}
interface NodeMessage {
  op_type?: string;
  domain?: string;
  input?: string[];
  output?: string[];
  attribute?: Attribute[];
}
interface GraphMessage {
  node?: NodeMessage[];
  initializer?: Array<{ name?: string }>;
  input?: ValueInfo[];
  output?: ValueInfo[];
}
interface ModelMessage {
  ir_version?: protobuf.Long | number;
  producer_name?: string;
  producer_version?: string;
  model_version?: protobuf.Long | number;
  opset_import?: Array<{ domain?: string; version?: protobuf.Long | number }>;
  metadata_props?: Array<{ key?: string; value?: string }>;
  graph?: GraphMessage;
}

let modelType: protobuf.Type | undefined;

function schema(): protobuf.Type {
  modelType ??= protobuf
    .parse(readFileSync(join(__dirname, 'onnx-ml.proto'), 'utf8'), { keepCase: true })
    .root.lookupType('onnx.ModelProto');
  return modelType;
}

function decode(bytes: Uint8Array): ModelMessage {
  let message: ModelMessage;
  try {
    message = schema().decode(bytes) as unknown as ModelMessage;
  } catch (error) {
    throw new MlError('invalid_model', `not a readable ONNX model (${(error as Error).message}); is the file complete?`);
  }
  if (num(message.ir_version) === 0) throw new MlError('invalid_model', 'not an ONNX model: ir_version is missing');
  if (!message.graph) throw new MlError('invalid_model', 'not an ONNX model: it has no graph');
  if (!message.graph.output?.length) throw new MlError('invalid_model', 'the ONNX graph has no outputs');
  return message;
}

export function readOnnxGraph(bytes: Uint8Array): OnnxGraph {
  return graphOf(decode(bytes));
}

function graphOf(model: ModelMessage): OnnxGraph {
  const graph = model.graph!;
  const initializers = new Set((graph.initializer ?? []).map((i) => i.name));
  const nodes = graph.node ?? [];
  return {
    irVersion: num(model.ir_version),
    producerName: model.producer_name ?? '',
    producerVersion: model.producer_version ?? '',
    ...(Object.hasOwn(model, 'model_version') ? { modelVersion: num(model.model_version) } : {}),
    opsets: Object.fromEntries((model.opset_import ?? []).map((o) => [o.domain ?? '', num(o.version)])),
    metadata: Object.fromEntries((model.metadata_props ?? []).map((p) => [p.key ?? '', p.value ?? ''])),
    inputs: (graph.input ?? []).filter((i) => !initializers.has(i.name)).map(toValue),
    outputs: (graph.output ?? []).map(toValue),
    operators: [...new Set(nodes.map((n) => `${n.domain ?? ''}:${n.op_type ?? ''}`))].sort(),
    classLabels: classLabelsOf(nodes),
  };
}

/** A model as serving runs it: its bytes, its graph, and the ZipMap outputs served as tensors. */
export interface ServableOnnx {
  bytes: Uint8Array;
  graph: OnnxGraph;
  /** each ZipMap output and the probability tensor served in its place */
  replaced: Array<{ output: string; probabilities: string }>;
}

/**
 * ONNX Runtime for Node returns tensors only, so a ZipMap node (scikit-learn classifiers' default
 * output: one `{class: probability}` map per row) cannot be fetched. This reads the model once and,
 * when it has ZipMap outputs, rewrites the graph to output the probability tensor each ZipMap reads
 * instead, as `[N, classes]`, keeping every other node.
 */
export function servableOnnx(bytes: Uint8Array): ServableOnnx {
  const model = decode(bytes);
  const graph = model.graph!;
  const outputs = new Set((graph.output ?? []).map((o) => o.name));
  const zipMaps = (graph.node ?? []).filter((n) => n.op_type === 'ZipMap' && n.output?.length === 1 && outputs.has(n.output[0]));
  if (zipMaps.length === 0) return { bytes, graph: graphOf(model), replaced: [] };
  const replaced = zipMaps.map((n) => ({
    output: n.output![0]!,
    probabilities: n.input![0]!,
    classes: classLabelsOf([n])?.length ?? null,
  }));
  graph.node = graph.node!.filter((n) => !zipMaps.includes(n));
  graph.output = graph.output!.map((o) => {
    const r = replaced.find((z) => z.output === o.name);
    if (!r) return o;
    return {
      name: r.probabilities,
      type: { tensor_type: { elem_type: 1, shape: { dim: [{ dim_param: 'N' }, r.classes === null ? {} : { dim_value: r.classes }] } } },
    };
  });
  return {
    // the decoded message encodes as it is (plain objects for the replaced outputs included)
    bytes: schema().encode(model as unknown as protobuf.Message).finish(),
    graph: graphOf(model),
    replaced: replaced.map(({ output, probabilities }) => ({ output, probabilities })),
  };
}

/** A type as ONNX tools print it, e.g. `tensor(float)[N,30]`, `seq(map(int64,tensor(float)))`. */
export function describeOnnxType(type: OnnxValueType): string {
  switch (type.kind) {
    case 'tensor':
      return `tensor(${type.elementType})${type.shape ? `[${type.shape.map((d) => d ?? '?').join(',')}]` : ''}`;
    case 'sequence':
      return `seq(${describeOnnxType(type.element)})`;
    case 'map':
      return `map(${type.key},${describeOnnxType(type.value)})`;
    case 'other':
      return type.description;
  }
}

function toValue(info: ValueInfo): OnnxValue {
  return { name: info.name ?? '', type: toType(info.type) };
}

function toType(type: TypeMessage | undefined): OnnxValueType {
  if (type?.tensor_type) {
    const dims = type.tensor_type.shape?.dim;
    return {
      kind: 'tensor',
      elementType: elementType(type.tensor_type.elem_type),
      // decoded messages carry proto2 defaults on their prototype: only own properties were in the file
      shape: dims
        ? dims.map((d) => (Object.hasOwn(d, 'dim_value') ? num(d.dim_value) : Object.hasOwn(d, 'dim_param') ? d.dim_param! : null))
        : null,
    };
  }
  if (type?.sequence_type) return { kind: 'sequence', element: toType(type.sequence_type.elem_type) };
  if (type?.map_type) return { kind: 'map', key: elementType(type.map_type.key_type), value: toType(type.map_type.value_type) };
  if (type?.optional_type) return { kind: 'other', description: 'optional' };
  if (type?.sparse_tensor_type) return { kind: 'other', description: 'sparse_tensor' };
  if (type?.opaque_type) return { kind: 'other', description: 'opaque' };
  return { kind: 'other', description: 'unknown' };
}

function elementType(code: number | undefined): string {
  return (code !== undefined && ELEMENT_TYPES[code]) || `type ${code ?? '?'}`;
}

const utf8 = new TextDecoder();

function classLabelsOf(nodes: NodeMessage[]): number[] | string[] | null {
  for (const node of nodes) {
    for (const a of node.attribute ?? []) {
      if (a.name === 'classlabels_int64s' && a.ints?.length) return a.ints.map(num);
      if (a.name === 'classlabels_strings' && a.strings?.length) return a.strings.map((s) => utf8.decode(s));
    }
  }
  return null;
}

function num(value: protobuf.Long | number | undefined | null): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'number') return value;
  // int64 fields arrive as {low, high} words: exact up to 2^53, which covers dims, opsets and labels
  return (value.unsigned ? value.high >>> 0 : value.high) * 2 ** 32 + (value.low >>> 0);
}
