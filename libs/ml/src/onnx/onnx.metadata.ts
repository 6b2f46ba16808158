import { MlError } from '../ml.error';
import { type ProtoField, readProtoFields } from './protobuf.reader';

/** What the registry and serving need to know about an ONNX file before running it. */
export interface OnnxModelInfo {
  irVersion: number;
  producerName: string;
  modelVersion?: number;
  /** Opset version per domain ('' is ai.onnx). */
  opsets: Record<string, number>;
  metadata: Record<string, string>;
  inputs: string[];
  outputs: string[];
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Reads ModelProto header fields, metadata_props and graph input/output names. */
export function readOnnxModelInfo(bytes: Uint8Array): OnnxModelInfo {
  let fields: ProtoField[];
  try {
    fields = readProtoFields(bytes);
  } catch (error) {
    throw new MlError('invalid_model', `not an ONNX model: ${(error as Error).message}`);
  }
  const info: OnnxModelInfo = { irVersion: 0, producerName: '', opsets: {}, metadata: {}, inputs: [], outputs: [] };
  for (const f of fields) {
    if (f.wireType === 0 && f.field === 1) info.irVersion = Number(f.value);
    else if (f.wireType === 0 && f.field === 5) info.modelVersion = Number(f.value);
    else if (f.wireType === 2 && f.field === 2) info.producerName = utf8.decode(f.value);
    else if (f.wireType === 2 && f.field === 7) readGraph(f.value, info);
    else if (f.wireType === 2 && f.field === 8) {
      const opset = readProtoFields(f.value);
      info.opsets[stringField(opset, 1)] = Number(varintField(opset, 2));
    } else if (f.wireType === 2 && f.field === 14) {
      const entry = readProtoFields(f.value);
      info.metadata[stringField(entry, 1)] = stringField(entry, 2);
    }
  }
  if (info.irVersion === 0) throw new MlError('invalid_model', 'not an ONNX model: ir_version is missing');
  return info;
}

function readGraph(bytes: Uint8Array, info: OnnxModelInfo): void {
  for (const f of readProtoFields(bytes)) {
    if (f.wireType !== 2) continue;
    if (f.field === 11) info.inputs.push(stringField(readProtoFields(f.value), 1));
    if (f.field === 12) info.outputs.push(stringField(readProtoFields(f.value), 1));
  }
}

function stringField(fields: ProtoField[], field: number): string {
  const found = fields.find((f) => f.field === field && f.wireType === 2);
  return found?.wireType === 2 ? utf8.decode(found.value) : '';
}

function varintField(fields: ProtoField[], field: number): bigint {
  const found = fields.find((f) => f.field === field && f.wireType === 0);
  return found?.wireType === 0 ? found.value : 0n;
}
