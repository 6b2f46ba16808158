import type { OnnxGraph } from '../onnx/onnx.proto';
import { OnnxDataType } from '../onnx/onnx.proto';
import { assertLinearRegressionModel, type LinearRegressionModel } from './linear-regression.model';
import {
  assertOnnxInputNames,
  BATCH_DIM,
  featureInputs,
  floatTensor,
  internalName as t,
  onnxNode,
  PREDICTION_OUTPUT,
  standardizerGraph,
} from './standardizer.onnx';

/**
 * The ONNX graph of a linear regression with its preprocessing inside:
 *
 *   features → Concat → Where(IsNaN, means) → Sub means → Div scales → MatMul W → Add b
 *   → `prediction` [N,1] float.
 */
export function linearRegressionGraph(model: LinearRegressionModel, name: string): OnnxGraph {
  assertLinearRegressionModel(model);
  assertOnnxInputNames(model.features, [PREDICTION_OUTPUT]);
  const preprocessing = standardizerGraph(model.features, model);
  return {
    name,
    nodes: [
      ...preprocessing.nodes,
      onnxNode('MatMul', [preprocessing.output, t('weights')], t('weighted_sum')),
      onnxNode('Add', [t('weighted_sum'), t('bias')], PREDICTION_OUTPUT),
    ],
    initializers: [
      ...preprocessing.initializers,
      floatTensor(t('weights'), [model.features.length, 1], model.weights),
      floatTensor(t('bias'), [1], [model.bias]),
    ],
    inputs: featureInputs(model.features),
    outputs: [{ name: PREDICTION_OUTPUT, elemType: OnnxDataType.FLOAT, shape: [BATCH_DIM, 1] }],
  };
}
