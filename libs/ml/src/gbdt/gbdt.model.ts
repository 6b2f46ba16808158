import { sigmoid } from '../linear/logistic-regression.model';
import { MlError } from '../ml.error';

export type GbdtObjective = 'binary' | 'regression' | 'multiclass';

/**
 * One regression tree, stored as parallel arrays over its internal nodes (node 0 is the root).
 * A child index `>= 0` is another internal node; a child `< 0` is leaf `~child` (LightGBM's
 * convention). A tree without internal nodes is a single leaf, `leafValue[0]`.
 *
 * A row goes left when its value, rounded to float32, is `<= threshold`, or when it is missing
 * and `defaultLeft` is set. Thresholds and leaf values are float32-exact, so the exported ONNX
 * graph (which compares and sums in float32) takes the same branches as `predictGbdt`.
 */
export interface GbdtTree {
  /** The class whose raw score this tree adds to; always 0 unless the objective is multiclass. */
  classIndex: number;
  feature: number[];
  threshold: number[];
  defaultLeft: boolean[];
  left: number[];
  right: number[];
  /** Loss reduction of each split, the source of gain importance. */
  gain: number[];
  leafValue: number[];
}

/**
 * A trained gradient-boosted tree ensemble. Plain JSON-serialisable data (no typed arrays, no
 * `NaN` or `Infinity`), so it can be stored next to its ONNX export.
 *
 * Raw score of class k = `baseScores[k]` + the leaf values of every tree with `classIndex` k;
 * binary applies the logistic function, multiclass a softmax, regression nothing.
 */
export interface GbdtModel {
  kind: 'gbdt';
  objective: GbdtObjective;
  features: string[];
  /** Number of raw scores per row: `numClass` for multiclass, otherwise 1. */
  numClass: number;
  baseScores: number[];
  /** Iteration-major: trees `[i * numClass, (i + 1) * numClass)` were grown in iteration i. */
  trees: GbdtTree[];
  /** Iterations kept in `trees` (the best one on validation when early stopping ran). */
  bestIteration: number;
  /** Per feature, in `features` order: summed split gain and number of splits. */
  featureImportance: { gain: number[]; split: number[] };
}

/**
 * The trainer's own predictions: binary → P(class 1) per row; regression → the value;
 * multiclass → an n × numClass row-major matrix of class probabilities. `columns` holds one
 * column per model feature, in `model.features` order, `NaN` = missing.
 */
export function predictGbdt(model: GbdtModel, columns: Float64Array[]): Float64Array {
  const raw = predictGbdtRaw(model, columns);
  switch (model.objective) {
    case 'regression':
      return raw;
    case 'binary':
      return raw.map(sigmoid);
    case 'multiclass':
      softmaxRowsInPlace(raw, model.numClass);
      return raw;
    default:
      return assertNever(model.objective);
  }
}

/** Raw scores (log-odds, value or per-class logits), n × numClass row-major. */
export function predictGbdtRaw(model: GbdtModel, columns: Float64Array[]): Float64Array {
  assertGbdtModel(model);
  if (columns.length !== model.features.length) {
    throw new MlError('invalid_dataset', `model expects ${model.features.length} columns, got ${columns.length}`);
  }
  const rowCount = columns.length > 0 ? columns[0].length : 0;
  columns.forEach((column, j) => {
    if (column.length !== rowCount) {
      throw new MlError('invalid_dataset', `column "${model.features[j]}" has ${column.length} rows, expected ${rowCount}`);
    }
  });
  const k = model.numClass;
  const scores = new Float64Array(rowCount * k);
  for (let i = 0; i < rowCount; i++) for (let c = 0; c < k; c++) scores[i * k + c] = model.baseScores[c];
  // Float32 copies: the comparison ONNX Runtime makes, and a quarter of the memory traffic.
  const values = columns.map((column) => Float32Array.from(column));
  for (const tree of model.trees) addTreeScores(tree, values, scores, k);
  return scores;
}

function addTreeScores(tree: GbdtTree, values: Float32Array[], scores: Float64Array, k: number): void {
  const rowCount = scores.length / k;
  const offset = tree.classIndex;
  if (tree.feature.length === 0) {
    for (let i = 0; i < rowCount; i++) scores[i * k + offset] += tree.leafValue[0];
    return;
  }
  const feature = Int32Array.from(tree.feature);
  const threshold = Float32Array.from(tree.threshold);
  const defaultLeft = Uint8Array.from(tree.defaultLeft, Number);
  const left = Int32Array.from(tree.left);
  const right = Int32Array.from(tree.right);
  const leafValue = Float64Array.from(tree.leafValue);
  for (let i = 0; i < rowCount; i++) {
    let node = 0;
    while (node >= 0) {
      const v = values[feature[node]][i];
      const goLeft = v !== v ? defaultLeft[node] === 1 : v <= threshold[node];
      node = goLeft ? left[node] : right[node];
    }
    scores[i * k + offset] += leafValue[~node];
  }
}

export function softmaxRowsInPlace(scores: Float64Array, k: number): void {
  for (let base = 0; base < scores.length; base += k) {
    let max = -Infinity;
    for (let c = 0; c < k; c++) max = Math.max(max, scores[base + c]);
    let sum = 0;
    for (let c = 0; c < k; c++) {
      const e = Math.exp(scores[base + c] - max);
      scores[base + c] = e;
      sum += e;
    }
    for (let c = 0; c < k; c++) scores[base + c] /= sum;
  }
}

export function assertGbdtModel(model: GbdtModel): void {
  if (model.kind !== 'gbdt') throw new MlError('invalid_model', `expected a gbdt model, got kind ${String(model.kind)}`);
  const featureCount = model.features.length;
  if (featureCount === 0) throw new MlError('invalid_model', 'model has no features');
  const expectedClasses = model.objective === 'multiclass' ? model.numClass : 1;
  if (!(Number.isInteger(model.numClass) && model.numClass === expectedClasses && model.numClass >= 1)) {
    throw new MlError('invalid_model', `numClass ${model.numClass} does not fit objective ${model.objective}`);
  }
  if (model.baseScores.length !== model.numClass || !model.baseScores.every(Number.isFinite)) {
    throw new MlError('invalid_model', `model needs ${model.numClass} finite base scores`);
  }
  model.trees.forEach((tree, t) => assertTree(tree, t, featureCount, model.numClass));
}

function assertTree(tree: GbdtTree, t: number, featureCount: number, numClass: number): void {
  const fail = (what: string): never => {
    throw new MlError('invalid_model', `tree ${t}: ${what}`);
  };
  const internal = tree.feature.length;
  if (!(Number.isInteger(tree.classIndex) && tree.classIndex >= 0 && tree.classIndex < numClass)) fail('bad classIndex');
  for (const [name, values] of [
    ['threshold', tree.threshold],
    ['defaultLeft', tree.defaultLeft],
    ['left', tree.left],
    ['right', tree.right],
    ['gain', tree.gain],
  ] as const) {
    if (values.length !== internal) fail(`${internal} nodes but ${values.length} ${name}`);
  }
  if (tree.leafValue.length !== internal + 1) fail(`${internal} internal nodes need ${internal + 1} leaves`);
  if (!tree.leafValue.every(Number.isFinite) || !tree.threshold.every(Number.isFinite)) fail('non-finite values');
  for (let node = 0; node < internal; node++) {
    const f = tree.feature[node];
    if (!(Number.isInteger(f) && f >= 0 && f < featureCount)) fail(`node ${node} has feature index ${f}`);
    for (const child of [tree.left[node], tree.right[node]]) {
      // Children always come after their parent, which also rules out cycles.
      const ok = child >= 0 ? child > node && child < internal : ~child <= internal;
      if (!Number.isInteger(child) || !ok) fail(`node ${node} has child ${child}`);
    }
  }
}

function assertNever(value: never): never {
  throw new MlError('invalid_model', `unknown objective ${String(value)}`);
}
