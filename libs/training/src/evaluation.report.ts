import type { Evaluation, ModelTask, MulticlassEvaluation } from '@atelier/contracts';
import {
  calibrationCurve,
  confusionMatrix,
  type Dataset,
  logLoss,
  multiclassConfusionMatrix,
  multiclassLogLoss,
  multiclassPrecisionRecallF1,
  oneVsRestRocCurves,
  partialDependence,
  permutationImportance,
  precisionRecallCurve,
  rmse,
  rocCurve,
  selectRows,
} from '@atelier/ml';

import type { Trained } from './trainers';

// Enough for the curves and explanations to be stable, small enough to take seconds, not minutes.
const EXPLAIN_ROWS = 5000;
const CURVE_POINTS = 200;
const PARTIAL_DEPENDENCE_FEATURES = 3;

/**
 * The evaluation report stored with a version: curves and confusion matrix (binary), the
 * multi-class part (K×K confusion matrix, per-class metrics, one-vs-rest ROC curves) or residuals
 * (regression), feature importance (the trainer's own gain for trees, permutation importance on
 * the validation slice otherwise) and partial dependence of the top features (multi-class: one
 * curve per class, its mean probability).
 */
export function evaluationReport(
  task: ModelTask,
  trained: Trained,
  validation: Dataset,
  pValid: Float64Array,
  numClass: number,
): Evaluation {
  const sample = sampleRows(validation);
  const importance = featureImportance(task, trained, sample, numClass);
  const none = { roc: null, pr: null, calibration: null, confusionMatrix: null, residuals: null, multiclass: null };
  const multiclass = task === 'multiclass_classification';
  const top = [...importance].sort((a, b) => b.importance - a.importance).slice(0, PARTIAL_DEPENDENCE_FEATURES);
  const partial = top.map(({ name }) => {
    const pd = partialDependence((columns) => trained.predict(columns), sample, name, {
      gridSize: 20,
      sampleRows: 500,
      seed: 7,
      outputsPerRow: multiclass ? numClass : 1,
    });
    const byClass = pd.byClass?.map((average, label) => ({ label, average }));
    return { feature: pd.feature, grid: pd.grid, average: pd.average, ...(byClass ? { byClass } : {}) };
  });
  if (multiclass) {
    return {
      ...none,
      featureImportance: importance,
      partialDependence: partial,
      multiclass: multiclassReport(validation.label, pValid, numClass),
    };
  }
  const y = validation.label;
  if (task === 'regression') {
    const residuals = Float64Array.from(pValid, (p, i) => p - y[i]!);
    return { ...none, residuals: histogram(residuals, 30), featureImportance: importance, partialDependence: partial };
  }
  const roc = rocCurve(y, pValid);
  const pr = precisionRecallCurve(y, pValid);
  const keepRoc = thin(roc.fpr.length);
  const keepPr = thin(pr.precision.length);
  return {
    ...none,
    roc: { fpr: keepRoc.map((i) => roc.fpr[i]!), tpr: keepRoc.map((i) => roc.tpr[i]!) },
    pr: { precision: keepPr.map((i) => pr.precision[i]!), recall: keepPr.map((i) => pr.recall[i]!) },
    calibration: calibrationCurve(y, pValid, 10),
    confusionMatrix: { threshold: 0.5, ...confusionMatrix(y, pValid, 0.5) },
    featureImportance: importance,
    partialDependence: partial,
  };
}

/**
 * The multi-class part of the report from the validation labels (class indices) and the n × k
 * probabilities: classes are the indices 0..k-1.
 */
export function multiclassReport(y: Float64Array, probs: Float64Array, k: number): MulticlassEvaluation {
  const classes = Array.from({ length: k }, (_, c) => c);
  const prf = multiclassPrecisionRecallF1(y, probs, k);
  return {
    classes,
    confusionMatrix: multiclassConfusionMatrix(y, probs, k),
    perClass: classes.map((label) => ({
      label,
      precision: prf.precision[label]!,
      recall: prf.recall[label]!,
      f1: prf.f1[label]!,
      support: prf.support[label]!,
    })),
    roc: oneVsRestRocCurves(y, probs, k).map((curve, label) => {
      // a class absent from the rows (or in every row) has no curve; JSON has no NaN
      if (!Number.isFinite(curve.auc)) return { label, fpr: [], tpr: [], auc: null };
      const keep = thin(curve.fpr.length);
      return { label, fpr: keep.map((i) => curve.fpr[i]!), tpr: keep.map((i) => curve.tpr[i]!), auc: curve.auc };
    }),
  };
}

/** Importance by the loss of the task: log loss of the class probabilities, or RMSE. */
function featureImportance(task: ModelTask, trained: Trained, sample: Dataset, numClass: number): Evaluation['featureImportance'] {
  if (trained.model.kind === 'gbdt') {
    const { gain } = trained.model.featureImportance;
    return trained.model.features.map((name, i) => ({ name, importance: gain[i] ?? 0, std: null, kind: 'gain' as const }));
  }
  const multiclass = task === 'multiclass_classification';
  const metric = multiclass
    ? (y: Float64Array, p: Float64Array) => multiclassLogLoss(y, p, numClass)
    : task === 'binary_classification'
      ? logLoss
      : rmse;
  const result = permutationImportance((columns) => trained.predict(columns), sample, metric, {
    higherIsBetter: false,
    repeats: 2,
    seed: 7,
    outputsPerRow: multiclass ? numClass : 1,
  });
  return result.features.map((f) => ({ name: f.name, importance: f.importance, std: f.std, kind: 'permutation' as const }));
}

function sampleRows(dataset: Dataset): Dataset {
  if (dataset.rowCount <= EXPLAIN_ROWS) return dataset;
  const step = dataset.rowCount / EXPLAIN_ROWS;
  return selectRows(
    dataset,
    Array.from({ length: EXPLAIN_ROWS }, (_, i) => Math.floor(i * step)),
  );
}

/** Indices of at most CURVE_POINTS evenly spread points, first and last included. */
function thin(length: number): number[] {
  if (length <= CURVE_POINTS) return Array.from({ length }, (_, i) => i);
  const step = (length - 1) / (CURVE_POINTS - 1);
  return Array.from({ length: CURVE_POINTS }, (_, i) => Math.round(i * step));
}

function histogram(values: Float64Array, bins: number): { edges: number[]; counts: number[] } {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (!Number.isFinite(min)) return { edges: [], counts: [] };
  const width = (max - min) / bins || 1;
  const counts = new Array<number>(bins).fill(0);
  for (const v of values) counts[Math.min(bins - 1, Math.floor((v - min) / width))]!++;
  return { edges: Array.from({ length: bins + 1 }, (_, i) => min + i * width), counts };
}
