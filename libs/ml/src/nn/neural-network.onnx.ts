import { PROBABILITIES_OUTPUT } from '../gbdt/gbdt.onnx';
import {
  assertOnnxInputNames,
  BATCH_DIM,
  featureInputs,
  floatTensor,
  internalName as t,
  onnxNode,
  PREDICTION_OUTPUT,
  standardizerGraph,
} from '../linear/standardizer.onnx';
import { LABEL_OUTPUT, PROBABILITY_OUTPUT } from '../onnx/logistic-regression.onnx';
import { OnnxDataType, type OnnxGraph, type OnnxNode, type OnnxTensor, type OnnxValueInfo } from '../onnx/onnx.proto';
import { assertNeuralNetworkModel, foldBatchNorm, type LayerActivation, type NeuralNetworkModel, outputWidth } from './neural-network.model';

const ACTIVATION_OPS: Record<LayerActivation, string | undefined> = {
  relu: 'Relu',
  tanh: 'Tanh',
  sigmoid: 'Sigmoid',
  softmax: 'Softmax',
  linear: undefined,
};

/** The value the output layer's activation writes, by task. */
const ACTIVATED_OUTPUT = { binary: PROBABILITY_OUTPUT, multiclass: PROBABILITIES_OUTPUT, regression: PREDICTION_OUTPUT } as const;

/**
 * The ONNX graph of a neural network with its preprocessing inside:
 *
 *   features → Concat → Where(IsNaN, means) → Sub means → Div scales → (Gemm → Relu|Tanh)* → Gemm
 *   → binary: Sigmoid → `probability` [N,1] float, `label` [N,1] int64 = probability > 0.5
 *   → multiclass: Softmax → `probabilities` [N,K] float, `label` [N] int64 = ArgMax of the logits
 *     (the first on ties), the outputs of a multiclass GBDT graph
 *   → regression: `prediction` [N,1] float.
 *
 * Batch normalisation is folded into the Gemm before it (`foldBatchNorm`), so the graph is the
 * same shape with or without it.
 */
export function neuralNetworkGraph(model: NeuralNetworkModel, name: string): OnnxGraph {
  assertNeuralNetworkModel(model);
  const outputs = networkOutputs(model);
  assertOnnxInputNames(
    model.features,
    outputs.map((o) => o.name),
  );
  const preprocessing = standardizerGraph(model.features, model);
  const nodes: OnnxNode[] = [...preprocessing.nodes];
  const initializers: OnnxTensor[] = [...preprocessing.initializers];
  let input = preprocessing.output;
  model.layers.forEach((layer, l) => {
    const isOutput = l === model.layers.length - 1;
    const { weights, bias } = foldBatchNorm(layer);
    initializers.push(
      floatTensor(t(`layer${l}/weights`), [weights.length, bias.length], weights.flat()),
      floatTensor(t(`layer${l}/bias`), [bias.length], bias),
    );
    const op = ACTIVATION_OPS[layer.activation];
    const activated = isOutput ? ACTIVATED_OUTPUT[model.task] : t(`layer${l}/output`);
    const gemmOutput = op ? t(`layer${l}/linear`) : activated;
    nodes.push(onnxNode('Gemm', [input, t(`layer${l}/weights`), t(`layer${l}/bias`)], gemmOutput));
    const axis = layer.activation === 'softmax' ? [{ name: 'axis', type: 'int' as const, value: 1 }] : undefined;
    if (op) nodes.push(onnxNode(op, [gemmOutput], activated, axis));
    input = isOutput ? gemmOutput : activated;
  });
  if (model.task === 'multiclass') {
    // `input` is now the logits: their argmax is the softmax's, without its rounding
    nodes.push(
      onnxNode('ArgMax', [input], LABEL_OUTPUT, [
        { name: 'axis', type: 'int', value: 1 },
        { name: 'keepdims', type: 'int', value: 0 },
      ]),
    );
  }
  if (model.task === 'binary') {
    initializers.push(floatTensor(t('threshold'), [], [0.5]));
    nodes.push(
      onnxNode('Greater', [PROBABILITY_OUTPUT, t('threshold')], t('is_positive')),
      onnxNode('Cast', [t('is_positive')], LABEL_OUTPUT, [{ name: 'to', type: 'int', value: OnnxDataType.INT64 }]),
    );
  }
  return { name, nodes, initializers, inputs: featureInputs(model.features), outputs };
}

function networkOutputs(model: NeuralNetworkModel): OnnxValueInfo[] {
  switch (model.task) {
    case 'binary':
      return [
        { name: PROBABILITY_OUTPUT, elemType: OnnxDataType.FLOAT, shape: [BATCH_DIM, 1] },
        { name: LABEL_OUTPUT, elemType: OnnxDataType.INT64, shape: [BATCH_DIM, 1] },
      ];
    case 'multiclass':
      return [
        { name: PROBABILITIES_OUTPUT, elemType: OnnxDataType.FLOAT, shape: [BATCH_DIM, outputWidth(model)] },
        { name: LABEL_OUTPUT, elemType: OnnxDataType.INT64, shape: [BATCH_DIM] },
      ];
    case 'regression':
      return [{ name: PREDICTION_OUTPUT, elemType: OnnxDataType.FLOAT, shape: [BATCH_DIM, 1] }];
  }
}
