import type { DatasetEncoding } from '../encoding/encoded-dataset.builder';
import type { GbdtModel } from '../gbdt/gbdt.model';
import { gbdtGraph, ONNX_ML_DOMAIN, ONNX_ML_OPSET_VERSION } from '../gbdt/gbdt.onnx';
import type { LinearRegressionModel } from '../linear/linear-regression.model';
import { linearRegressionGraph } from '../linear/linear-regression.onnx';
import type { LogisticRegressionModel, MultinomialLogisticRegressionModel } from '../linear/logistic-regression.model';
import { MlError } from '../ml.error';
import type { NeuralNetworkModel } from '../nn/neural-network.model';
import { neuralNetworkGraph } from '../nn/neural-network.onnx';
import { encodingGraph } from './encoding.onnx';
import { logisticRegressionGraph } from './logistic-regression.onnx';
import { multinomialLogisticRegressionGraph } from './multinomial-logistic-regression.onnx';
import { encodeModel, type OnnxGraph } from './onnx.proto';
import { partitionedGraph, partitionInput } from './partitioned.onnx';

/** Every model `exportOnnx` accepts; later trainers (GBDT, neural nets) join this union. */
export type ExportableModel =
  | LogisticRegressionModel
  | MultinomialLogisticRegressionModel
  | LinearRegressionModel
  | NeuralNetworkModel
  | GbdtModel;

export interface OnnxExportMeta {
  /** Graph name, usually the registry model name. */
  name: string;
  /** Registry version number, stored as ModelProto.model_version. */
  version?: number;
  description?: string;
  /** Extra metadata_props (e.g. training job id); keys must not start with "atelier.". */
  extra?: Record<string, string>;
}

/** Metadata keys serving relies on; kept in one place so reader and writer agree. */
export const ONNX_METADATA_KEYS = {
  features: 'atelier.features',
  modelKind: 'atelier.model_kind',
  /** Only with `{ encoding }`: JSON `[{ name, type: 'string' | 'float' }]`, the raw graph inputs. */
  rawInputs: 'atelier.raw_inputs',
  /** Only with `{ encoding }`: the `DatasetEncoding` JSON the graph was built from. */
  encoding: 'atelier.encoding',
  /** Only with `{ partition }`: JSON `{ column, values }`, the partitions that have a model of their own. */
  partition: 'atelier.partition',
} as const;

export interface OnnxExportOptions {
  /**
   * The fitted `DatasetEncoding` the model's features came from: its encoding graph (see
   * `encodingGraph`) goes in front of the model, so the graph inputs are the raw columns
   * (`tensor(string)` for categorical, float32 for numeric/boolean), not the encoded features.
   */
  encoding?: DatasetEncoding;
  /**
   * Partitioned models: `model` is the global one, and each partition's model (same kind,
   * features and outputs) answers the rows whose `column` (a raw string input; added when it is
   * none) holds its value — see `partitionedGraph`.
   */
  partition?: { column: string; partitions: Array<{ value: string; model: ExportableModel }> };
}

// IR 8 + opset 17 is the newest pair every onnxruntime since 1.14 loads, which is as wide a
// reach as the ops used here need.
const IR_VERSION = 8;
const OPSET_VERSION = 17;
const PRODUCER_NAME = 'atelier';

/** Serialises a trained model as an ONNX ModelProto, preprocessing included. */
export function exportOnnx(model: ExportableModel, meta: OnnxExportMeta, options: OnnxExportOptions = {}): Uint8Array {
  if (meta.version !== undefined && !(Number.isSafeInteger(meta.version) && meta.version >= 0)) {
    throw new MlError('invalid_params', `version must be a non-negative integer, got ${meta.version}`);
  }
  return encodeModel({
    irVersion: IR_VERSION,
    opsetImports: [
      { domain: '', version: OPSET_VERSION },
      // Tree ensembles are ai.onnx.ml operators; other graphs keep the single default import.
      // Tree ensembles and the encoding graph's LabelEncoder are ai.onnx.ml operators.
      ...(model.kind === 'gbdt' || options.encoding !== undefined || options.partition !== undefined ? [{ domain: ONNX_ML_DOMAIN, version: ONNX_ML_OPSET_VERSION }] : []),
    ],
    producerName: PRODUCER_NAME,
    modelVersion: meta.version,
    docString: meta.description,
    graph: exportedGraph(model, meta.name, options),
    metadataProps: metadataProps(model, meta.extra ?? {}, options),
  });
}

function exportedGraph(model: ExportableModel, name: string, { encoding, partition }: OnnxExportOptions): OnnxGraph {
  const graph = partition
    ? partitionedGraph({
        column: partition.column,
        partitions: partition.partitions.map((p) => ({ value: p.value, graph: graphOf(p.model, name) })),
        global: graphOf(model, name),
      })
    : graphOf(model, name);
  const encoded = encoding === undefined ? graph : withEncoding(graph, model.features, encoding);
  // the encoding's raw inputs replace the model's: a partition column that is none of them stays an input
  if (partition && !encoded.inputs.some((i) => i.name === partition.column)) return { ...encoded, inputs: [...encoded.inputs, partitionInput(partition.column)] };
  return encoded;
}

function graphOf(model: ExportableModel, name: string): OnnxGraph {
  switch (model.kind) {
    case 'logistic_regression':
      return model.task === 'multiclass' ? multinomialLogisticRegressionGraph(model, name) : logisticRegressionGraph(model, name);
    case 'linear_regression':
      return linearRegressionGraph(model, name);
    case 'neural_network':
      return neuralNetworkGraph(model, name);
    case 'gbdt':
      return gbdtGraph(model, name);
    default:
      throw new MlError('invalid_model', `cannot export model kind ${String((model as { kind: unknown }).kind)}`);
  }
}

/**
 * The encoding nodes in front of the model graph: the model's feature inputs become internal values
 * produced (or passed through, for numeric columns) by the encoding, the graph inputs the raw columns.
 */
function withEncoding(graph: OnnxGraph, features: string[], encoding: DatasetEncoding): OnnxGraph {
  const encoded = encodingGraph(encoding);
  const produced = new Set(encoded.outputs);
  const notProduced = features.filter((feature) => !produced.has(feature));
  if (notProduced.length > 0) {
    throw new MlError('invalid_params', `the encoding does not produce the model features ${notProduced.map((f) => `"${f}"`).join(', ')}`);
  }
  const composed: OnnxGraph = {
    ...graph,
    nodes: [...encoded.nodes, ...graph.nodes],
    initializers: [...encoded.initializers, ...graph.initializers],
    inputs: encoded.inputs,
  };
  // Every value must be defined once: raw inputs, initializers and node outputs of both graphs.
  const seen = new Set<string>();
  const defined = [
    ...composed.inputs.map((i) => i.name),
    ...composed.initializers.map((t) => t.name),
    ...composed.nodes.flatMap((n) => n.outputs),
  ];
  for (const name of defined) {
    if (seen.has(name)) throw new MlError('invalid_params', `"${name}" is defined twice once the encoding is in front of the model`);
    seen.add(name);
  }
  return composed;
}

function metadataProps(model: ExportableModel, extra: Record<string, string>, { encoding, partition }: OnnxExportOptions): [string, string][] {
  const reserved = Object.keys(extra).filter((key) => key.startsWith('atelier.'));
  if (reserved.length > 0) {
    throw new MlError('invalid_params', `metadata keys starting with "atelier." are reserved: ${reserved.join(', ')}`);
  }
  return [
    [ONNX_METADATA_KEYS.features, JSON.stringify(model.features)],
    [ONNX_METADATA_KEYS.modelKind, model.kind],
    ...(encoding === undefined
      ? []
      : ([
          [ONNX_METADATA_KEYS.rawInputs, JSON.stringify(encodingGraph(encoding).rawInputs)],
          [ONNX_METADATA_KEYS.encoding, JSON.stringify(encoding)],
        ] as [string, string][])),
    ...(partition === undefined
      ? []
      : ([[ONNX_METADATA_KEYS.partition, JSON.stringify({ column: partition.column, values: partition.partitions.map((p) => p.value) })]] as [string, string][])),
    ...Object.entries(extra),
  ];
}
