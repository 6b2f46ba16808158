import { MlError } from '../ml.error';
import { numpySum, type Values } from './metric-input.util';
import { rocAuc, type RocCurve, rocCurve } from './ranking.metrics';

/**
 * Multiclass metrics, equal to scikit-learn with `labels=range(k)`. Labels are class indices
 * 0..k-1; `probs` is the n × k row-major matrix `predictGbdt` returns for a multiclass model (row i
 * is probs[i*k .. i*k+k-1]). The predicted class is the argmax of a row, ties going to the lowest
 * index (numpy.argmax), as the ONNX `label` output (ArgMax) does.
 */

export interface MulticlassPrecisionRecallF1 {
  /** Per class, index = class; 0 when the class is never predicted (zero_division=0). */
  precision: number[];
  /** Per class; 0 when the class never occurs in y. */
  recall: number[];
  f1: number[];
  /** Rows of each class in y. */
  support: number[];
}

export type MulticlassAverage = 'macro' | 'weighted';

/** One class's ROC curve against the rest, with its area. */
export interface OneVsRestRoc extends RocCurve {
  /** NaN when the class is absent from y, or is every row of it */
  auc: number;
}

/** Labels must be integer classes in [0, k) and the matrix n × k without NaN. */
function assertMulticlassInput(y: Values, probs: Values, k: number): void {
  if (!Number.isInteger(k) || k < 2) {
    throw new MlError('invalid_metric_input', `k must be an integer >= 2, got ${k}`);
  }
  if (y.length === 0) throw new MlError('invalid_metric_input', 'metrics need at least one row');
  if (probs.length !== y.length * k) {
    throw new MlError(
      'invalid_metric_input',
      `y has ${y.length} values, so probabilities need ${y.length} × ${k} = ${y.length * k} values, got ${probs.length}`,
    );
  }
  for (let i = 0; i < y.length; i++) {
    if (!Number.isInteger(y[i]) || y[i] < 0 || y[i] >= k) {
      throw new MlError('invalid_metric_input', `label must be a class index in [0, ${k}), got ${y[i]} at ${i}`);
    }
  }
  for (let j = 0; j < probs.length; j++) {
    if (Number.isNaN(probs[j])) {
      throw new MlError('invalid_metric_input', `probability is NaN at row ${Math.floor(j / k)}, class ${j % k}`);
    }
  }
}

function assertMulticlassProbabilities(probs: Values, k: number): void {
  for (let j = 0; j < probs.length; j++) {
    if (!(probs[j] >= 0 && probs[j] <= 1)) {
      throw new MlError(
        'invalid_metric_input',
        `probability must be in [0, 1], got ${probs[j]} at row ${Math.floor(j / k)}, class ${j % k}`,
      );
    }
  }
}

/** Argmax of each row, the first maximum winning ties. */
function predictedClasses(probs: Values, n: number, k: number): Int32Array {
  const predicted = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (probs[i * k + c] > probs[i * k + best]) best = c;
    predicted[i] = best;
  }
  return predicted;
}

/**
 * sklearn.metrics.confusion_matrix(y, argmax, labels=range(k)): matrix[true][predicted] counts;
 * a class never predicted has a zero column, one absent from y a zero row.
 */
export function multiclassConfusionMatrix(y: Values, probs: Values, k: number): number[][] {
  assertMulticlassInput(y, probs, k);
  const predicted = predictedClasses(probs, y.length, k);
  const matrix = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < y.length; i++) matrix[y[i]][predicted[i]]++;
  return matrix;
}

/** sklearn.metrics.accuracy_score(y, argmax): the share of rows whose argmax is the label. */
export function multiclassAccuracy(y: Values, probs: Values, k: number): number {
  const matrix = multiclassConfusionMatrix(y, probs, k);
  let correct = 0;
  for (let c = 0; c < k; c++) correct += matrix[c][c];
  return correct / y.length;
}

/**
 * sklearn.metrics.precision_recall_fscore_support(y, argmax, labels=range(k), zero_division=0):
 * one value per class, an undefined ratio (class never predicted / never present) being 0.
 */
export function multiclassPrecisionRecallF1(y: Values, probs: Values, k: number): MulticlassPrecisionRecallF1 {
  const matrix = multiclassConfusionMatrix(y, probs, k);
  const result: MulticlassPrecisionRecallF1 = { precision: [], recall: [], f1: [], support: [] };
  for (let c = 0; c < k; c++) {
    const tp = matrix[c][c];
    let predicted = 0;
    let actual = 0;
    for (let other = 0; other < k; other++) {
      predicted += matrix[other][c];
      actual += matrix[c][other];
    }
    const fp = predicted - tp;
    const fn = actual - tp;
    result.precision.push(predicted > 0 ? tp / predicted : 0);
    result.recall.push(actual > 0 ? tp / actual : 0);
    // 2tp / (2tp + fp + fn), as sklearn computes it: exact in integers.
    result.f1.push(tp > 0 ? (2 * tp) / (2 * tp + fp + fn) : 0);
    result.support.push(actual);
  }
  return result;
}

/**
 * sklearn.metrics.f1_score(y, argmax, labels=range(k), average='macro', zero_division=0): the
 * unweighted mean of the per-class F1, so a class never predicted pulls it down with its 0.
 */
export function macroF1(y: Values, probs: Values, k: number): number {
  return numpySum(multiclassPrecisionRecallF1(y, probs, k).f1) / k;
}

/**
 * sklearn.metrics.log_loss(y, P, labels=range(k)): mean of −log of the true class's probability,
 * clipped to [ε, 1 − ε] (ε the float64 machine epsilon). As scikit-learn ≥ 1.5, rows that do not
 * sum to one are NOT renormalised (sklearn only warns); probabilities must lie in [0, 1].
 */
export function multiclassLogLoss(y: Values, probs: Values, k: number): number {
  assertMulticlassInput(y, probs, k);
  assertMulticlassProbabilities(probs, k);
  const eps = Number.EPSILON;
  const losses = new Float64Array(y.length);
  for (let i = 0; i < y.length; i++) {
    losses[i] = -Math.log(Math.min(Math.max(probs[i * k + y[i]], eps), 1 - eps));
  }
  return numpySum(losses) / y.length;
}

/**
 * sklearn.metrics.roc_auc_score(y, P, multi_class='ovr', average, labels=range(k)): the binary
 * ROC AUC of each class against the rest (ties count half), then their mean ('macro') or their
 * mean weighted by each class's rows in y ('weighted'). A class absent from y has no AUC: 'macro'
 * is then NaN, 'weighted' gives it weight 0. Like sklearn, rows must sum to 1 (numpy.allclose).
 */
export function multiclassRocAuc(y: Values, probs: Values, k: number, average: MulticlassAverage = 'macro'): number {
  assertMulticlassInput(y, probs, k);
  assertMulticlassProbabilities(probs, k);
  if (average !== 'macro' && average !== 'weighted') {
    throw new MlError('invalid_metric_input', `average must be 'macro' or 'weighted', got ${String(average)}`);
  }
  const n = y.length;
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let c = 0; c < k; c++) sum += probs[i * k + c];
    if (!(Math.abs(1 - sum) <= 1e-8 + 1e-5 * Math.abs(sum))) {
      throw new MlError('invalid_metric_input', `probabilities of row ${i} sum to ${sum}, not 1`);
    }
  }
  const scores = new Float64Array(k);
  const weights = new Float64Array(k);
  const isClass = new Float64Array(n);
  const column = new Float64Array(n);
  for (let c = 0; c < k; c++) {
    for (let i = 0; i < n; i++) {
      isClass[i] = y[i] === c ? 1 : 0;
      column[i] = probs[i * k + c];
      weights[c] += isClass[i];
    }
    scores[c] = rocAuc(isClass, column);
  }
  if (average === 'macro') return numpySum(scores) / k;
  // numpy.average: Σ score·weight / Σ weight, a class with weight 0 counting 0 (not NaN).
  const weighted = scores.map((score, c) => (weights[c] === 0 ? 0 : score * weights[c]));
  return numpySum(weighted) / numpySum(weights);
}

/**
 * The one-vs-rest ROC curve of each class: sklearn.metrics.roc_curve(y == c, probs[:, c]) and
 * roc_auc_score of the same, class by class (ties grouped, drop_intermediate=True). A class absent
 * from y has NaN true positive rates and a NaN area, as in scikit-learn (which warns). Rows need
 * not sum to one: each curve only ranks one column.
 */
export function oneVsRestRocCurves(y: Values, probs: Values, k: number): OneVsRestRoc[] {
  assertMulticlassInput(y, probs, k);
  const n = y.length;
  return Array.from({ length: k }, (_, c) => {
    const isClass = new Float64Array(n);
    const column = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      isClass[i] = y[i] === c ? 1 : 0;
      column[i] = probs[i * k + c];
    }
    return { ...rocCurve(isClass, column), auc: rocAuc(isClass, column) };
  });
}
