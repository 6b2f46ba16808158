import type { GbdtModel } from '../gbdt/gbdt.model';
import { gbdtGraph, ONNX_ML_DOMAIN, ONNX_ML_OPSET_VERSION } from '../gbdt/gbdt.onnx';
import type { LinearRegressionModel } from '../linear/linear-regression.model';
import { linearRegressionGraph } from '../linear/linear-regression.onnx';
import type { LogisticRegressionModel } from '../linear/logistic-regression.model';
import { MlError } from '../ml.error';
import type { NeuralNetworkModel } from '../nn/neural-network.model';
import { neuralNetworkGraph } from '../nn/neural-network.onnx';
import { logisticRegressionGraph } from './logistic-regression.onnx';
import { encodeModel, type OnnxGraph } from './onnx.proto';

/** Every model `exportOnnx` accepts; later trainers (GBDT, neural nets) join this union. */
export type ExportableModel = LogisticRegressionModel | LinearRegressionModel | NeuralNetworkModel | GbdtModel;

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
} as const;

// IR 8 + opset 17 is the newest pair every onnxruntime since 1.14 loads, which is as wide a
// reach as the ops used here need.
const IR_VERSION = 8;
const OPSET_VERSION = 17;
const PRODUCER_NAME = 'atelier';

/** Serialises a trained model as an ONNX ModelProto, preprocessing included. */
export function exportOnnx(model: ExportableModel, meta: OnnxExportMeta): Uint8Array {
  if (meta.version !== undefined && !(Number.isSafeInteger(meta.version) && meta.version >= 0)) {
    throw new MlError('invalid_params', `version must be a non-negative integer, got ${meta.version}`);
  }
  return encodeModel({
    irVersion: IR_VERSION,
    opsetImports: [
      { domain: '', version: OPSET_VERSION },
      // Tree ensembles are ai.onnx.ml operators; other graphs keep the single default import.
      ...(model.kind === 'gbdt' ? [{ domain: ONNX_ML_DOMAIN, version: ONNX_ML_OPSET_VERSION }] : []),
    ],
    producerName: PRODUCER_NAME,
    modelVersion: meta.version,
    docString: meta.description,
    graph: graphOf(model, meta.name),
    metadataProps: metadataProps(model, meta.extra ?? {}),
  });
}

function graphOf(model: ExportableModel, name: string): OnnxGraph {
  switch (model.kind) {
    case 'logistic_regression':
      return logisticRegressionGraph(model, name);
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

function metadataProps(model: ExportableModel, extra: Record<string, string>): [string, string][] {
  const reserved = Object.keys(extra).filter((key) => key.startsWith('atelier.'));
  if (reserved.length > 0) {
    throw new MlError('invalid_params', `metadata keys starting with "atelier." are reserved: ${reserved.join(', ')}`);
  }
  return [
    [ONNX_METADATA_KEYS.features, JSON.stringify(model.features)],
    [ONNX_METADATA_KEYS.modelKind, model.kind],
    ...Object.entries(extra),
  ];
}
