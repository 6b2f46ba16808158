import { assertBinaryInput, type Values } from './metric-input.util';

/**
 * Threshold-sweep metrics (ROC, PR), computed the way scikit-learn does so the numbers in the UI
 * match what a data scientist gets in a notebook: one point per distinct score, ties grouped.
 */

export interface RocCurve {
  fpr: number[];
  tpr: number[];
  /** Decreasing; the first is +Infinity, the point (0, 0) where nothing is predicted positive. */
  thresholds: number[];
}

export interface PrecisionRecallCurve {
  /** Ends with 1 (the conventional point at recall 0). */
  precision: number[];
  /** Decreasing; ends with 0. */
  recall: number[];
  /** Increasing; one fewer than precision and recall. */
  thresholds: number[];
}

/** Cumulative true and false positives at each distinct score, highest score first. */
interface ThresholdCounts {
  thresholds: number[];
  tps: number[];
  fps: number[];
}

function thresholdCounts(y: Values, p: Values): ThresholdCounts {
  assertBinaryInput(y, p);
  const order = Array.from({ length: p.length }, (_, i) => i).sort((a, b) => p[b] - p[a]);
  const counts: ThresholdCounts = { thresholds: [], tps: [], fps: [] };
  let tp = 0;
  for (let k = 0; k < order.length; k++) {
    tp += y[order[k]];
    // Only the last row of a run of equal scores closes a threshold: ties move together.
    if (k === order.length - 1 || p[order[k + 1]] !== p[order[k]]) {
      counts.thresholds.push(p[order[k]]);
      counts.tps.push(tp);
      counts.fps.push(k + 1 - tp);
    }
  }
  return counts;
}

/** sklearn.metrics.roc_curve (drop_intermediate=True). */
export function rocCurve(y: Values, p: Values): RocCurve {
  let { thresholds, tps, fps } = thresholdCounts(y, p);
  if (fps.length > 2) {
    // Drop points collinear with both neighbours: they add no information to the curve or its area.
    const keep = fps.map(
      (_, i) =>
        i === 0 ||
        i === fps.length - 1 ||
        fps[i + 1] - 2 * fps[i] + fps[i - 1] !== 0 ||
        tps[i + 1] - 2 * tps[i] + tps[i - 1] !== 0,
    );
    thresholds = thresholds.filter((_, i) => keep[i]);
    tps = tps.filter((_, i) => keep[i]);
    fps = fps.filter((_, i) => keep[i]);
  }
  const positives = tps[tps.length - 1];
  const negatives = fps[fps.length - 1];
  return {
    fpr: [0, ...fps].map((v) => (negatives > 0 ? v / negatives : NaN)),
    tpr: [0, ...tps].map((v) => (positives > 0 ? v / positives : NaN)),
    thresholds: [Infinity, ...thresholds],
  };
}

/**
 * Area under the ROC curve, sklearn.metrics.roc_auc_score: trapezoids over the tie-grouped curve,
 * so tied scores count half. NaN when y holds a single class (the area is undefined).
 */
export function rocAuc(y: Values, p: Values): number {
  const { fpr, tpr } = rocCurve(y, p);
  if (Number.isNaN(fpr[1]) || Number.isNaN(tpr[1])) return NaN;
  return trapezoid(fpr, tpr);
}

/** sklearn.metrics.precision_recall_curve (drop_intermediate=False). */
export function precisionRecallCurve(y: Values, p: Values): PrecisionRecallCurve {
  const { thresholds, tps, fps } = thresholdCounts(y, p);
  const positives = tps[tps.length - 1];
  const precision = tps.map((tp, i) => (tp + fps[i] > 0 ? tp / (tp + fps[i]) : 0));
  // With no positives at all, sklearn defines recall as 1 everywhere.
  const recall = tps.map((tp) => (positives > 0 ? tp / positives : 1));
  return {
    precision: [...precision.reverse(), 1],
    recall: [...recall.reverse(), 0],
    thresholds: thresholds.reverse(),
  };
}

/**
 * sklearn.metrics.average_precision_score: the step-wise area under the PR curve,
 * Σ (Rₙ − Rₙ₋₁) Pₙ — no interpolation, which would be optimistic.
 */
export function averagePrecision(y: Values, p: Values): number {
  const { precision, recall } = precisionRecallCurve(y, p);
  let area = 0;
  for (let i = 0; i < recall.length - 1; i++) area += (recall[i] - recall[i + 1]) * precision[i];
  return Math.max(0, area);
}

/** Area under the precision–recall curve, defined as average precision (see above). */
export const prAuc = averagePrecision;

function trapezoid(x: number[], y: number[]): number {
  let area = 0;
  for (let i = 1; i < x.length; i++) area += ((x[i] - x[i - 1]) * (y[i] + y[i - 1])) / 2;
  return area;
}
