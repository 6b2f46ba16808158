import { type ModelTask, SEARCH_SCORES, type SearchTrialResult, type TrainingRequest } from '@atelier/contracts';
import {
  type Dataset,
  multiclassLogLoss,
  planSuccessiveHalving,
  randomSearch,
  rmse,
  rocAuc,
  type SearchObjective,
  type SearchResult,
  type SearchSpace,
  type SearchTrial,
  successiveHalving,
} from '@atelier/ml';

import { train, type Trained, type TrainingTarget } from './trainers';

export interface SearchOutcome {
  trained: Trained;
  params: TrainingRequest['params'];
  trials: SearchTrialResult[];
  score: number;
}

export interface SearchHooks {
  signal: AbortSignal;
  /** after each trial, with how many evaluations are planned in all */
  onTrial(trial: SearchTrialResult, planned: number): Promise<void>;
  /**
   * Trains one trial's model, e.g. as a job on the trials queue that any worker process takes;
   * default: here. Scoring stays here, on the validation rows the search holds.
   */
  trainTrial?: TrialTrainer;
  /** trials trained at once (default 1); the result is the same at any number */
  concurrency?: number;
}

/** Trains the model of one trial: the job's request with the trial's model type and parameters. */
export type TrialTrainer = (candidate: TrainingRequest, trialId: number, signal: AbortSignal) => Promise<Trained>;

/** The default trial trainer: in this process. */
export function localTrials(trainSet: Dataset, validation: Dataset, target: TrainingTarget): TrialTrainer {
  return (candidate, _trialId, signal) => train(candidate, trainSet, validation, { signal }, target);
}

/**
 * Runs the request's hyper-parameter search: every trial trains on the training slice and is
 * scored on the validation slice; the winning trial's model is the one registered, so the
 * winner is not trained twice.
 */
export async function searchAndTrain(
  request: TrainingRequest,
  trainSet: Dataset,
  validation: Dataset,
  task: ModelTask,
  target: TrainingTarget,
  hooks: SearchHooks,
): Promise<SearchOutcome> {
  const search = request.search!;
  const resourceKey = searchResource(request);
  const maxResource = (request.params as Record<string, unknown>)[resourceKey] as number;
  const score = searchScore(task, target.numClass);
  const models = new Map<number, { trained: Trained; params: TrainingRequest['params'] }>();

  const trainTrial = hooks.trainTrial ?? localTrials(trainSet, validation, target);
  const objective: SearchObjective = async (sampled, ctx) => {
    const params = { ...request.params, ...sampled, ...(ctx.resource ? { [resourceKey]: ctx.resource } : {}) } as TrainingRequest['params'];
    const trained = await trainTrial({ ...request, params } as TrainingRequest, ctx.trialId, ctx.signal ?? hooks.signal);
    const p = trained.predict(validation.columns);
    models.set(ctx.trialId, { trained, params });
    return score.of(validation.label, p);
  };
  const common = {
    space: search.space as SearchSpace,
    objective,
    direction: score.direction,
    seed: search.seed,
    signal: hooks.signal,
    budget: search.maxSeconds ? { maxSeconds: search.maxSeconds } : undefined,
    concurrency: hooks.concurrency ?? 1,
  };

  let result: SearchResult;
  if (search.strategy === 'successive_halving') {
    const minResource = Math.max(1, Math.round(maxResource / 9));
    const planned = planSuccessiveHalving(search.trials, minResource, maxResource).reduce((sum, rung) => sum + rung.configs, 0);
    result = await successiveHalving({ ...common, n: search.trials, minResource, maxResource, onTrial: (t) => hooks.onTrial(toTrialResult(t), planned) });
  } else {
    result = await randomSearch({ ...common, trials: search.trials, onTrial: (t) => hooks.onTrial(toTrialResult(t), search.trials) });
  }
  hooks.signal.throwIfAborted();
  const winner = result.best ? models.get(result.best.trialId) : undefined;
  if (!result.best || !winner) {
    const reason = result.trials.find((t) => t.error)?.error ?? 'no trial finished';
    throw new Error(`every trial of the search failed: ${reason}`);
  }
  return { ...winner, trials: result.trials.map(toTrialResult), score: result.best.score };
}

/**
 * The parameter successive halving spends: boosting rounds, the iteration budget of the linear
 * models' full-batch solver, epochs of mini-batch training.
 */
function searchResource(request: TrainingRequest): string {
  switch (request.modelType) {
    case 'gbdt':
      return 'numIterations';
    case 'logistic_regression':
    case 'linear_regression':
      return request.params.solver === 'lbfgs' ? 'maxIterations' : 'epochs';
    case 'neural_network':
      return 'epochs';
  }
}

/**
 * What a trial is scored by on the validation slice: AUC (binary), log loss (multi-class: it
 * rewards calibrated probabilities of every class, where accuracy only sees the top one), RMSE.
 */
export function searchScore(task: ModelTask, numClass: number): { of: (y: Float64Array, p: Float64Array) => number; direction: 'maximize' | 'minimize' } {
  const { direction } = SEARCH_SCORES[task];
  switch (task) {
    case 'binary_classification':
      return { of: rocAuc, direction };
    case 'multiclass_classification':
      return { of: (y, p) => multiclassLogLoss(y, p, numClass), direction };
    case 'regression':
      return { of: rmse, direction };
  }
}

/** A search's trial as the job keeps it. */
export function toTrialResult(trial: SearchTrial): SearchTrialResult {
  return {
    id: trial.id,
    params: trial.params,
    score: trial.score,
    ...(trial.resource !== undefined ? { resource: trial.resource } : {}),
    ...(trial.rung !== undefined ? { rung: trial.rung } : {}),
    seconds: trial.seconds,
    status: trial.status,
    ...(trial.error ? { error: trial.error } : {}),
  };
}
