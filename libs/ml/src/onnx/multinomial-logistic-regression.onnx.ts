import { PROBABILITIES_OUTPUT } from '../gbdt/gbdt.onnx';
import { assertMultinomialModel, type MultinomialLogisticRegressionModel } from '../linear/logistic-regression.model';
import {
  assertOnnxInputNames,
  BATCH_DIM,
  featureInputs,
  floatTensor,
  internalName as t,
  onnxNode,
  standardizerGraph,
} from '../linear/standardizer.onnx';
import { LABEL_OUTPUT } from './logistic-regression.onnx';
import { OnnxDataType, type OnnxGraph } from './onnx.proto';

/**
 * The ONNX graph of a multinomial logistic regression with its preprocessing inside:
 *
 *   features → Concat → Where(IsNaN, means) → Sub means → Div scales → MatMul Wᵀ [F,K] → Add b [K]
 *   → Softmax → `probabilities` [N,K] float; `label` [N] int64 = ArgMax of the scores (the first on
 *   ties) — the outputs of a multi-class GBDT or neural-network graph, so serving and monitoring
 *   treat them alike.
 */
export function multinomialLogisticRegressionGraph(model: MultinomialLogisticRegressionModel, name: string): OnnxGraph {
  assertMultinomialModel(model);
  assertOnnxInputNames(model.features, [PROBABILITIES_OUTPUT, LABEL_OUTPUT]);
  const preprocessing = standardizerGraph(model.features, model);
  const numClass = model.biases.length;
  // MatMul wants [F, K]: feature j's weights for every class, side by side
  const transposed = model.features.flatMap((_, j) => model.weights.map((row) => row[j]));
  return {
    name,
    nodes: [
      ...preprocessing.nodes,
      onnxNode('MatMul', [preprocessing.output, t('weights')], t('weighted_sum')),
      onnxNode('Add', [t('weighted_sum'), t('biases')], t('scores')),
      onnxNode('Softmax', [t('scores')], PROBABILITIES_OUTPUT, [{ name: 'axis', type: 'int', value: 1 }]),
      onnxNode('ArgMax', [t('scores')], LABEL_OUTPUT, [
        { name: 'axis', type: 'int', value: 1 },
        { name: 'keepdims', type: 'int', value: 0 },
      ]),
    ],
    initializers: [
      ...preprocessing.initializers,
      floatTensor(t('weights'), [model.features.length, numClass], transposed),
      floatTensor(t('biases'), [numClass], model.biases),
    ],
    inputs: featureInputs(model.features),
    outputs: [
      { name: PROBABILITIES_OUTPUT, elemType: OnnxDataType.FLOAT, shape: [BATCH_DIM, numClass] },
      { name: LABEL_OUTPUT, elemType: OnnxDataType.INT64, shape: [BATCH_DIM] },
    ],
  };
}
