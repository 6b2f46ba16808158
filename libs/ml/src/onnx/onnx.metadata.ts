import { readOnnxGraph } from './onnx.reader';

/** The header of an ONNX file: its producer, opsets, metadata and graph input/output names. */
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

export function readOnnxModelInfo(bytes: Uint8Array): OnnxModelInfo {
  const graph = readOnnxGraph(bytes);
  return {
    irVersion: graph.irVersion,
    producerName: graph.producerName,
    ...(graph.modelVersion === undefined ? {} : { modelVersion: graph.modelVersion }),
    opsets: graph.opsets,
    metadata: graph.metadata,
    inputs: graph.inputs.map((i) => i.name),
    outputs: graph.outputs.map((o) => o.name),
  };
}
