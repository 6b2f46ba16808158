import type { Evaluation, ModelBaseline, ModelVersionDetail } from '@atelier/contracts';

import { api } from './api';

// A version's evaluation and baseline never change once registered, so one answer per version
// serves the report panel and the comparison alike. Failed calls are forgotten, to be retried.
const cache = new Map<string, Promise<ModelVersionDetail>>();

export function loadVersionDetail(model: string, version: number): Promise<ModelVersionDetail> {
  const key = `${model}\u0000${version}`;
  let pending = cache.get(key);
  if (!pending) {
    pending = api.getVersion(model, version);
    pending.catch(() => cache.delete(key));
    cache.set(key, pending);
  }
  return pending;
}

/**
 * The evaluation with every field present. Versions registered before reports existed, or by an
 * older API, may answer without it or with some fields missing.
 */
export function evaluationOf(detail: Pick<ModelVersionDetail, 'evaluation'> | undefined): Evaluation {
  const e: Partial<Evaluation> = detail?.evaluation ?? {};
  return {
    roc: e.roc ?? null,
    pr: e.pr ?? null,
    calibration: e.calibration ?? null,
    confusionMatrix: e.confusionMatrix ?? null,
    residuals: e.residuals ?? null,
    featureImportance: e.featureImportance ?? [],
    partialDependence: e.partialDependence ?? [],
    multiclass: e.multiclass ?? null,
    ...(e.partitions ? { partitions: e.partitions } : {}),
  };
}

export function baselineOf(detail: Pick<ModelVersionDetail, 'baseline'> | undefined): ModelBaseline {
  return { features: detail?.baseline?.features ?? [], prediction: detail?.baseline?.prediction ?? null };
}
