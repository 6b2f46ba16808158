import { assertModel, type LogisticRegressionModel } from '../linear/logistic-regression.model';
import {
  assertOnnxInputNames,
  BATCH_DIM,
  featureInputs,
  floatTensor,
  internalName as t,
  onnxNode,
  standardizerGraph,
} from '../linear/standardizer.onnx';
import { OnnxDataType, type OnnxGraph } from './onnx.proto';

/** Graph output names every Atelier binary classifier exposes; serving reads them by name. */
export const PROBABILITY_OUTPUT = 'probability';
export const LABEL_OUTPUT = 'label';

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
  assertOnnxInputNames(model.features, [PROBABILITY_OUTPUT, LABEL_OUTPUT]);
  const preprocessing = standardizerGraph(model.features, model);
  return {
    name,
    nodes: [
      ...preprocessing.nodes,
      onnxNode('MatMul', [preprocessing.output, t('weights')], t('weighted_sum')),
      onnxNode('Add', [t('weighted_sum'), t('bias')], t('logit')),
      onnxNode('Sigmoid', [t('logit')], PROBABILITY_OUTPUT),
      onnxNode('Greater', [PROBABILITY_OUTPUT, t('threshold')], t('is_positive')),
      onnxNode('Cast', [t('is_positive')], LABEL_OUTPUT, [{ name: 'to', type: 'int', value: OnnxDataType.INT64 }]),
    ],
    initializers: [
      ...preprocessing.initializers,
      floatTensor(t('weights'), [model.features.length, 1], model.weights),
      floatTensor(t('bias'), [1], [model.bias]),
      floatTensor(t('threshold'), [], [0.5]),
    ],
    inputs: featureInputs(model.features),
    outputs: [
      { name: PROBABILITY_OUTPUT, elemType: OnnxDataType.FLOAT, shape: [BATCH_DIM, 1] },
      { name: LABEL_OUTPUT, elemType: OnnxDataType.INT64, shape: [BATCH_DIM, 1] },
    ],
  };
}
