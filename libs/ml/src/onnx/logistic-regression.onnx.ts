import { assertModel, type LogisticRegressionModel } from '../linear/logistic-regression.model';
import { MlError } from '../ml.error';
import { OnnxDataType, type OnnxGraph, type OnnxNode, type OnnxTensor } from './onnx.proto';

/** Graph output names every Atelier binary classifier exposes; serving reads them by name. */
export const PROBABILITY_OUTPUT = 'probability';
export const LABEL_OUTPUT = 'label';

/** Internal tensors live under this prefix so they cannot be mistaken for feature inputs. */
const INTERNAL_PREFIX = 'atelier/';
const BATCH_DIM = 'N';

/**
 * The ONNX graph of a logistic regression with its fitted preprocessing inside, so serving feeds
 * raw feature values (NaN for missing) and nothing else:
 *
 *   features → Concat → Where(IsNaN, means) → Sub means → Div scales → MatMul W → Add b → Sigmoid
 *   → `probability` [N,1] float; `label` [N,1] int64 = probability > 0.5.
 *
 * One [N,1] input per feature, named exactly as the feature, so a request maps onto inputs by name.
 */
export function logisticRegressionGraph(model: LogisticRegressionModel, name: string): OnnxGraph {
  assertModel(model);
  assertInputNames(model.features);
  const featureCount = model.features.length;
  const t = (suffix: string): string => INTERNAL_PREFIX + suffix;

  const initializers: OnnxTensor[] = [
    floatTensor(t('means'), [1, featureCount], model.means),
    floatTensor(t('scales'), [1, featureCount], model.scales),
    floatTensor(t('weights'), [featureCount, 1], model.weights),
    floatTensor(t('bias'), [1], [model.bias]),
    floatTensor(t('threshold'), [], [0.5]),
  ];
  const nodes: OnnxNode[] = [
    node('Concat', model.features, t('x'), [{ name: 'axis', type: 'int', value: 1 }]),
    node('IsNaN', [t('x')], t('x_is_missing')),
    // Imputing with the training mean makes a missing value exactly 0 once standardised.
    node('Where', [t('x_is_missing'), t('means'), t('x')], t('x_imputed')),
    node('Sub', [t('x_imputed'), t('means')], t('x_centred')),
    node('Div', [t('x_centred'), t('scales')], t('x_standardised')),
    node('MatMul', [t('x_standardised'), t('weights')], t('weighted_sum')),
    node('Add', [t('weighted_sum'), t('bias')], t('logit')),
    node('Sigmoid', [t('logit')], PROBABILITY_OUTPUT),
    node('Greater', [PROBABILITY_OUTPUT, t('threshold')], t('is_positive')),
    node('Cast', [t('is_positive')], LABEL_OUTPUT, [{ name: 'to', type: 'int', value: OnnxDataType.INT64 }]),
  ];
  return {
    name,
    nodes,
    initializers,
    inputs: model.features.map((feature) => ({
      name: feature,
      elemType: OnnxDataType.FLOAT,
      shape: [BATCH_DIM, 1],
    })),
    outputs: [
      { name: PROBABILITY_OUTPUT, elemType: OnnxDataType.FLOAT, shape: [BATCH_DIM, 1] },
      { name: LABEL_OUTPUT, elemType: OnnxDataType.INT64, shape: [BATCH_DIM, 1] },
    ],
  };
}

function assertInputNames(features: string[]): void {
  if (new Set(features).size !== features.length) {
    throw new MlError('invalid_model', 'feature names must be unique to become ONNX inputs');
  }
  for (const feature of features) {
    if (feature === '' || feature === PROBABILITY_OUTPUT || feature === LABEL_OUTPUT || feature.startsWith(INTERNAL_PREFIX)) {
      throw new MlError(
        'invalid_model',
        `feature name "${feature}" cannot be an ONNX input: it is empty or clashes with "${PROBABILITY_OUTPUT}", "${LABEL_OUTPUT}" or the "${INTERNAL_PREFIX}" prefix`,
      );
    }
  }
}

function node(opType: string, inputs: string[], output: string, attributes?: OnnxNode['attributes']): OnnxNode {
  return { opType, name: `${INTERNAL_PREFIX}${opType.toLowerCase()}:${output}`, inputs, outputs: [output], attributes };
}

function floatTensor(name: string, dims: number[], values: number[]): OnnxTensor {
  return { name, dataType: OnnxDataType.FLOAT, dims, values: Float32Array.from(values) };
}
