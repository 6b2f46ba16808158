import {
  assertOnnxInputNames,
  BATCH_DIM,
  featureInputs,
  floatTensor,
  internalName,
  onnxNode,
  PREDICTION_OUTPUT,
} from '../linear/standardizer.onnx';
import { LABEL_OUTPUT, PROBABILITY_OUTPUT } from '../onnx/logistic-regression.onnx';
import { type OnnxAttribute, OnnxDataType, type OnnxGraph, type OnnxNode, type OnnxValueInfo } from '../onnx/onnx.proto';
import { assertGbdtModel, type GbdtModel } from './gbdt.model';

/** Output of multiclass graphs: class probabilities, float32 [N, K]. */
export const PROBABILITIES_OUTPUT = 'probabilities';

/** Tree ensembles live in the `ai.onnx.ml` domain; version 3 is what onnxruntime ≥ 1.14 loads. */
export const ONNX_ML_DOMAIN = 'ai.onnx.ml';
export const ONNX_ML_OPSET_VERSION = 3;

/**
 * The ONNX graph of a GBDT model: one float32 [N, 1] input per feature → Concat →
 * `ai.onnx.ml` TreeEnsembleRegressor (raw scores, one target per class) → Sigmoid (binary) or
 * Softmax (multiclass). Every split is BRANCH_LEQ on the model's float32 threshold with
 * `nodes_missing_value_tracks_true` = default-left, exactly `predictGbdt`'s rule.
 *
 * Why not TreeEnsembleClassifier: onnxruntime's classifier has special cases for two classes —
 * with leaf weights for one class only it skips the logistic function whenever every weight is
 * non-negative, and with weights for both it rewrites class 0's score — so a multiclass model
 * with K = 2 or a binary model with all-positive leaves would score wrongly. Raw scores from the
 * regressor plus standard Sigmoid/Softmax/ArgMax ops mean the same thing in every runtime.
 *
 * Outputs: binary → `probability` [N, 1] (P(class 1)) and `label` int64 [N, 1] =
 * probability > 0.5, the same names as logistic regression's graph; multiclass →
 * `probabilities` [N, K] and `label` int64 [N] (argmax, first on ties); regression →
 * `prediction` [N, 1].
 */
export function gbdtGraph(model: GbdtModel, name: string): OnnxGraph {
  assertGbdtModel(model);
  const t = internalName;
  const outputsOf = {
    binary: [PROBABILITY_OUTPUT, LABEL_OUTPUT],
    multiclass: [PROBABILITIES_OUTPUT, LABEL_OUTPUT],
    regression: [PREDICTION_OUTPUT],
  };
  assertOnnxInputNames(model.features, outputsOf[model.objective]);
  const scoresName = model.objective === 'regression' ? PREDICTION_OUTPUT : t('raw_scores');
  const head = [
    onnxNode('Concat', model.features, t('x'), [{ name: 'axis', type: 'int', value: 1 }]),
    treeEnsembleNode(model, t('x'), scoresName),
  ];
  const inputs = featureInputs(model.features);
  switch (model.objective) {
    case 'regression':
      return { name, inputs, nodes: head, initializers: [], outputs: [floatOutput(PREDICTION_OUTPUT, [BATCH_DIM, 1])] };
    case 'binary':
      return {
        name,
        inputs,
        nodes: [
          ...head,
          onnxNode('Sigmoid', [scoresName], PROBABILITY_OUTPUT),
          onnxNode('Greater', [PROBABILITY_OUTPUT, t('threshold')], t('is_positive')),
          onnxNode('Cast', [t('is_positive')], LABEL_OUTPUT, [{ name: 'to', type: 'int', value: OnnxDataType.INT64 }]),
        ],
        initializers: [floatTensor(t('threshold'), [], [0.5])],
        outputs: [
          floatOutput(PROBABILITY_OUTPUT, [BATCH_DIM, 1]),
          { name: LABEL_OUTPUT, elemType: OnnxDataType.INT64, shape: [BATCH_DIM, 1] },
        ],
      };
    case 'multiclass':
      return {
        name,
        inputs,
        nodes: [
          ...head,
          onnxNode('Softmax', [scoresName], PROBABILITIES_OUTPUT, [{ name: 'axis', type: 'int', value: 1 }]),
          onnxNode('ArgMax', [scoresName], LABEL_OUTPUT, [
            { name: 'axis', type: 'int', value: 1 },
            { name: 'keepdims', type: 'int', value: 0 },
          ]),
        ],
        initializers: [],
        outputs: [
          floatOutput(PROBABILITIES_OUTPUT, [BATCH_DIM, model.numClass]),
          { name: LABEL_OUTPUT, elemType: OnnxDataType.INT64, shape: [BATCH_DIM] },
        ],
      };
    default:
      throw new Error(`unknown objective ${String(model.objective satisfies never)}`);
  }
}

/** The `nodes_*` attributes plus, per leaf, (tree id, node id, class/target, weight). */
interface EnsembleArrays {
  nodes: OnnxAttribute[];
  leafTree: number[];
  leafNode: number[];
  leafClass: number[];
  leafWeight: number[];
}

/** Node ids per tree: internal node i keeps id i, leaf l gets id (internal count + l). */
function ensembleAttributes(model: GbdtModel): EnsembleArrays {
  const treeIds: number[] = [];
  const nodeIds: number[] = [];
  const featureIds: number[] = [];
  const modes: string[] = [];
  const values: number[] = [];
  const trueIds: number[] = [];
  const falseIds: number[] = [];
  const missingTracksTrue: number[] = [];
  const out: EnsembleArrays = { nodes: [], leafTree: [], leafNode: [], leafClass: [], leafWeight: [] };
  model.trees.forEach((tree, treeId) => {
    const internal = tree.feature.length;
    const id = (child: number): number => (child >= 0 ? child : internal + ~child);
    for (let node = 0; node < internal; node++) {
      treeIds.push(treeId);
      nodeIds.push(node);
      featureIds.push(tree.feature[node]);
      modes.push('BRANCH_LEQ');
      values.push(tree.threshold[node]);
      trueIds.push(id(tree.left[node]));
      falseIds.push(id(tree.right[node]));
      missingTracksTrue.push(tree.defaultLeft[node] ? 1 : 0);
    }
    tree.leafValue.forEach((value, leaf) => {
      treeIds.push(treeId);
      nodeIds.push(internal + leaf);
      featureIds.push(0);
      modes.push('LEAF');
      values.push(0);
      trueIds.push(0);
      falseIds.push(0);
      missingTracksTrue.push(0);
      out.leafTree.push(treeId);
      out.leafNode.push(internal + leaf);
      out.leafClass.push(tree.classIndex);
      out.leafWeight.push(value);
    });
  });
  out.nodes = [
    { name: 'nodes_treeids', type: 'ints', value: treeIds },
    { name: 'nodes_nodeids', type: 'ints', value: nodeIds },
    { name: 'nodes_featureids', type: 'ints', value: featureIds },
    { name: 'nodes_modes', type: 'strings', value: modes },
    { name: 'nodes_values', type: 'floats', value: values },
    { name: 'nodes_truenodeids', type: 'ints', value: trueIds },
    { name: 'nodes_falsenodeids', type: 'ints', value: falseIds },
    { name: 'nodes_missing_value_tracks_true', type: 'ints', value: missingTracksTrue },
  ];
  return out;
}

/** Raw scores [N, numClass]: base score plus the leaf values of each class's trees, in float32. */
function treeEnsembleNode(model: GbdtModel, input: string, output: string): OnnxNode {
  const e = ensembleAttributes(model);
  return {
    opType: 'TreeEnsembleRegressor',
    domain: ONNX_ML_DOMAIN,
    name: internalName(`tree_ensemble:${output}`),
    inputs: [input],
    outputs: [output],
    attributes: [
      ...e.nodes,
      { name: 'target_treeids', type: 'ints', value: e.leafTree },
      { name: 'target_nodeids', type: 'ints', value: e.leafNode },
      { name: 'target_ids', type: 'ints', value: e.leafClass },
      { name: 'target_weights', type: 'floats', value: e.leafWeight },
      { name: 'n_targets', type: 'int', value: model.numClass },
      { name: 'base_values', type: 'floats', value: model.baseScores },
      { name: 'aggregate_function', type: 'string', value: 'SUM' },
      { name: 'post_transform', type: 'string', value: 'NONE' },
    ],
  };
}

function floatOutput(name: string, shape: (number | string)[]): OnnxValueInfo {
  return { name, elemType: OnnxDataType.FLOAT, shape };
}
