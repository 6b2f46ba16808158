import { MlError } from '../ml.error';
import { OnnxDataType, type OnnxNode, type OnnxTensor, type OnnxValueInfo } from '../onnx/onnx.proto';
import type { Standardizer } from './standardizer.fit';

/**
 * Shared pieces of Atelier's ONNX graphs: raw feature inputs and the fitted preprocessing, the
 * same function as `standardize`, used by the logistic, linear and neural-network graphs.
 */

/** Output name of every Atelier regression graph; serving reads it by name. */
export const PREDICTION_OUTPUT = 'prediction';

/** Internal tensors live under this prefix so they cannot be mistaken for feature inputs. */
export const INTERNAL_PREFIX = 'atelier/';
export const BATCH_DIM = 'N';

export const internalName = (suffix: string): string => INTERNAL_PREFIX + suffix;

/**
 * features → Concat → Where(IsNaN, means) → Sub means → Div scales, ending in the returned
 * `output` tensor [N, featureCount]. Imputing with the training mean makes a missing value
 * exactly 0 once standardised.
 */
export function standardizerGraph(
  features: string[],
  { means, scales }: Standardizer,
): { nodes: OnnxNode[]; initializers: OnnxTensor[]; output: string } {
  const t = internalName;
  const initializers = [floatTensor(t('means'), [1, features.length], means), floatTensor(t('scales'), [1, features.length], scales)];
  const nodes = [
    onnxNode('Concat', features, t('x'), [{ name: 'axis', type: 'int', value: 1 }]),
    onnxNode('IsNaN', [t('x')], t('x_is_missing')),
    onnxNode('Where', [t('x_is_missing'), t('means'), t('x')], t('x_imputed')),
    onnxNode('Sub', [t('x_imputed'), t('means')], t('x_centred')),
    onnxNode('Div', [t('x_centred'), t('scales')], t('x_standardised')),
  ];
  return { nodes, initializers, output: t('x_standardised') };
}

/** One float32 [N, 1] input per feature, named exactly as the feature. */
export function featureInputs(features: string[]): OnnxValueInfo[] {
  return features.map((name) => ({ name, elemType: OnnxDataType.FLOAT, shape: [BATCH_DIM, 1] }));
}

/** Feature names must be unique and clash with neither the graph's outputs nor internal tensors. */
export function assertOnnxInputNames(features: string[], outputs: string[]): void {
  if (new Set(features).size !== features.length) {
    throw new MlError('invalid_model', 'feature names must be unique to become ONNX inputs');
  }
  for (const feature of features) {
    if (feature === '' || outputs.includes(feature) || feature.startsWith(INTERNAL_PREFIX)) {
      throw new MlError(
        'invalid_model',
        `feature name "${feature}" cannot be an ONNX input: it is empty or clashes with ${outputs.map((o) => `"${o}"`).join(', ')} or the "${INTERNAL_PREFIX}" prefix`,
      );
    }
  }
}

export function onnxNode(opType: string, inputs: string[], output: string, attributes?: OnnxNode['attributes']): OnnxNode {
  return { opType, name: `${INTERNAL_PREFIX}${opType.toLowerCase()}:${output}`, inputs, outputs: [output], attributes };
}

export function floatTensor(name: string, dims: number[], values: ArrayLike<number>): OnnxTensor {
  return { name, dataType: OnnxDataType.FLOAT, dims, values: Float32Array.from(values) };
}
