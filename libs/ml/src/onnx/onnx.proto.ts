import { ProtoWriter } from './protobuf.writer';

/**
 * The subset of onnx/onnx.proto that Atelier's exporters write, as plain TypeScript data, and
 * its encoder. Field numbers are onnx.proto's; proto2 `optional` fields are written only when set.
 */

/** TensorProto.DataType values. */
export const OnnxDataType = { FLOAT: 1, STRING: 8, INT64: 7, BOOL: 9, DOUBLE: 11 } as const;
export type OnnxDataType = (typeof OnnxDataType)[keyof typeof OnnxDataType];

/** AttributeProto.AttributeType values for the attribute kinds below. */
const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;

export type OnnxTensor =
  | { name: string; dataType: typeof OnnxDataType.FLOAT; dims: number[]; values: Float32Array }
  | { name: string; dataType: typeof OnnxDataType.INT64; dims: number[]; values: readonly (number | bigint)[] };

export type OnnxAttribute =
  | { name: string; type: 'float'; value: number }
  | { name: string; type: 'int'; value: number }
  | { name: string; type: 'string'; value: string }
  | { name: string; type: 'tensor'; value: OnnxTensor }
  | { name: string; type: 'floats'; value: number[] }
  | { name: string; type: 'ints'; value: number[] }
  | { name: string; type: 'strings'; value: string[] };

export interface OnnxNode {
  opType: string;
  inputs: string[];
  outputs: string[];
  name?: string;
  /** Empty or absent means the default `ai.onnx` domain. */
  domain?: string;
  attributes?: OnnxAttribute[];
}

/** A tensor-typed graph input or output; a string dimension is symbolic (e.g. the batch "N"). */
export interface OnnxValueInfo {
  name: string;
  elemType: OnnxDataType;
  shape: (number | string)[];
  docString?: string;
}

export interface OnnxGraph {
  name: string;
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  docString?: string;
}

export interface OnnxModel {
  irVersion: number;
  opsetImports: { domain: string; version: number }[];
  producerName: string;
  producerVersion?: string;
  modelVersion?: number;
  docString?: string;
  graph: OnnxGraph;
  metadataProps: [key: string, value: string][];
}

export function encodeModel(model: OnnxModel): Uint8Array {
  const w = new ProtoWriter();
  w.int64(1, model.irVersion);
  w.string(2, model.producerName);
  if (model.producerVersion !== undefined) w.string(3, model.producerVersion);
  if (model.modelVersion !== undefined) w.int64(5, model.modelVersion);
  if (model.docString !== undefined) w.string(6, model.docString);
  w.message(7, (g) => writeGraph(g, model.graph));
  for (const opset of model.opsetImports) {
    w.message(8, (o) => o.string(1, opset.domain).int64(2, opset.version));
  }
  for (const [key, value] of model.metadataProps) {
    w.message(14, (e) => e.string(1, key).string(2, value));
  }
  return w.finish();
}

function writeGraph(w: ProtoWriter, graph: OnnxGraph): void {
  for (const node of graph.nodes) w.message(1, (n) => writeNode(n, node));
  w.string(2, graph.name);
  for (const tensor of graph.initializers) w.message(5, (t) => writeTensor(t, tensor));
  if (graph.docString !== undefined) w.string(10, graph.docString);
  for (const input of graph.inputs) w.message(11, (v) => writeValueInfo(v, input));
  for (const output of graph.outputs) w.message(12, (v) => writeValueInfo(v, output));
}

function writeNode(w: ProtoWriter, node: OnnxNode): void {
  for (const input of node.inputs) w.string(1, input);
  for (const output of node.outputs) w.string(2, output);
  if (node.name !== undefined) w.string(3, node.name);
  w.string(4, node.opType);
  for (const attribute of node.attributes ?? []) w.message(5, (a) => writeAttribute(a, attribute));
  if (node.domain) w.string(7, node.domain);
}

function writeAttribute(w: ProtoWriter, attribute: OnnxAttribute): void {
  w.string(1, attribute.name);
  switch (attribute.type) {
    case 'float':
      w.float(2, attribute.value).int64(20, AttributeType.FLOAT);
      return;
    case 'int':
      w.int64(3, attribute.value).int64(20, AttributeType.INT);
      return;
    case 'string':
      w.string(4, attribute.value).int64(20, AttributeType.STRING);
      return;
    case 'tensor':
      w.message(5, (t) => writeTensor(t, attribute.value)).int64(20, AttributeType.TENSOR);
      return;
    case 'floats':
      // `repeated float floats = 7` is not declared packed in proto2, so one entry per value.
      for (const value of attribute.value) w.float(7, value);
      w.int64(20, AttributeType.FLOATS);
      return;
    case 'ints':
      for (const value of attribute.value) w.int64(8, value);
      w.int64(20, AttributeType.INTS);
      return;
    case 'strings':
      // Tree ensembles (ai.onnx.ml) name their node modes as strings.
      for (const value of attribute.value) w.string(9, value);
      w.int64(20, AttributeType.STRINGS);
      return;
    default:
      return assertNever(attribute);
  }
}

function writeTensor(w: ProtoWriter, tensor: OnnxTensor): void {
  const elementCount = tensor.dims.reduce((a, b) => a * b, 1);
  if (tensor.values.length !== elementCount) {
    throw new RangeError(`tensor "${tensor.name}" has ${tensor.values.length} values for dims [${tensor.dims}]`);
  }
  w.packedInt64(1, tensor.dims);
  w.int64(2, tensor.dataType);
  switch (tensor.dataType) {
    case OnnxDataType.FLOAT:
      // raw_data must be little-endian whatever the host; DataView makes that explicit.
      w.bytes(9, float32LittleEndian(tensor.values));
      break;
    case OnnxDataType.INT64:
      w.packedInt64(7, tensor.values);
      break;
    default:
      assertNever(tensor);
  }
  w.string(8, tensor.name);
}

function writeValueInfo(w: ProtoWriter, info: OnnxValueInfo): void {
  w.string(1, info.name);
  w.message(2, (type) =>
    type.message(1, (tensorType) => {
      tensorType.int64(1, info.elemType);
      tensorType.message(2, (shape) => {
        for (const dim of info.shape) {
          shape.message(1, (d) => (typeof dim === 'number' ? d.int64(1, dim) : d.string(2, dim)));
        }
      });
    }),
  );
  if (info.docString !== undefined) w.string(3, info.docString);
}

function float32LittleEndian(values: Float32Array): Uint8Array {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  values.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return bytes;
}

function assertNever(value: never): never {
  throw new Error(`unhandled variant: ${JSON.stringify(value)}`);
}
