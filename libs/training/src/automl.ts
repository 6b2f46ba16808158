import {
  AUTOML_MODEL_TYPES,
  ModelChoice,
  type ModelTask,
  type ModelType,
  type SearchTrialResult,
  type TrainingRequest,
} from '@atelier/contracts';
import {
  accuracy,
  type Dataset,
  logLoss,
  mae,
  multiclassAccuracy,
  multiclassLogLoss,
  planSuccessiveHalving,
  rmse,
  rocAuc,
  type SearchObjective,
  type SearchParams,
  type SearchSpace,
  type SearchTrial,
  successiveHalving,
} from '@atelier/ml';

import { localTrials, type SearchHooks, searchScore, toTrialResult } from './hyperparameter.search';
import { type Trained, type TrainingTarget } from './trainers';

/** What AutoML registers: the best candidate, its type and parameters, and the leaderboard. */
export interface AutoMlOutcome {
  trained: Trained;
  modelType: ModelType;
  params: TrainingRequest['params'];
  trials: SearchTrialResult[];
  score: number;
}

/**
 * A model type as AutoML tries it: the parameters that set the task, the parameter successive
 * halving spends (with its full budget) and the space the others are drawn from.
 */
interface Candidate {
  task(task: ModelTask): Record<string, unknown>;
  resource: { name: string; max: number };
  space: SearchSpace;
}

/** Hidden layers as a choice of strings (a search space holds scalars): "32,16" → [32, 16]. */
const LAYERS = ['16', '32,16', '64,32'];

/** The linear models: L-BFGS, its iterations the budget, the L2 penalty drawn. */
const LINEAR = { resource: { name: 'maxIterations', max: 300 }, space: { l2: { type: 'float', min: 1e-6, max: 0.1, log: true } } } as const;

const CANDIDATES: Record<ModelType, Candidate> = {
  logistic_regression: {
    ...LINEAR,
    task: (task) => ({ solver: 'lbfgs', task: task === 'multiclass_classification' ? 'multiclass' : 'binary' }),
  },
  linear_regression: { ...LINEAR, task: () => ({ solver: 'lbfgs' }) },
  gbdt: {
    task: (task) => ({
      objective: task === 'binary_classification' ? 'binary' : task === 'multiclass_classification' ? 'multiclass' : 'regression',
    }),
    resource: { name: 'numIterations', max: 100 },
    space: {
      learningRate: { type: 'float', min: 0.03, max: 0.3, log: true },
      maxLeaves: { type: 'int', min: 7, max: 63, log: true },
      minDataInLeaf: { type: 'int', min: 5, max: 100, log: true },
      featureFraction: { type: 'float', min: 0.5, max: 1 },
    },
  },
  neural_network: {
    task: (task) => ({
      task: task === 'binary_classification' ? 'binary' : task === 'multiclass_classification' ? 'multiclass' : 'regression',
    }),
    resource: { name: 'epochs', max: 20 },
    space: {
      learningRate: { type: 'float', min: 1e-3, max: 0.05, log: true },
      hiddenLayers: { type: 'choice', values: LAYERS },
      dropout: { type: 'float', min: 0, max: 0.3 },
    },
  },
};

/** Successive halving's resource in units of a type's full budget: rungs at 1/9, 1/3 and all of it. */
const UNITS = 9;

/**
 * AutoML: successive halving over candidates that each draw a model type and that type's
 * parameters from one seeded space (`modelType`, then `<type>.<param>` for every type), so the
 * draw, the rungs and the winner repeat for a seed. Each rung gives a candidate a share of its
 * type's own budget (boosting rounds, epochs, solver iterations); the best third go on with three
 * times as much, and the best of the last rung is registered without being trained again. Every
 * trial on the leaderboard carries its type, its own parameters, its validation metrics and its
 * training seconds.
 */
export async function autoMlAndTrain(
  request: TrainingRequest,
  trainSet: Dataset,
  validation: Dataset,
  task: ModelTask,
  target: TrainingTarget,
  hooks: SearchHooks,
): Promise<AutoMlOutcome> {
  const automl = request.automl!;
  const types = automl.modelTypes ?? AUTOML_MODEL_TYPES[task];
  const score = searchScore(task, target.numClass);
  const models = new Map<number, Omit<AutoMlOutcome, 'trials' | 'score'>>();
  const metricsOf = new Map<number, Record<string, number>>();

  const trainTrial = hooks.trainTrial ?? localTrials(trainSet, validation, target);
  const objective: SearchObjective = async (sampled, ctx) => {
    const { modelType, params } = candidateOf(sampled, task, ctx.resource ?? UNITS);
    const choice = ModelChoice.parse({ modelType, params });
    const candidate = { ...request, ...choice } as TrainingRequest;
    const trained = await trainTrial(candidate, ctx.trialId, ctx.signal ?? hooks.signal);
    const p = trained.predict(validation.columns);
    models.set(ctx.trialId, { trained, modelType, params: choice.params });
    const metrics = validationMetrics(task, target.numClass, validation.label, p);
    metricsOf.set(ctx.trialId, metrics);
    return score.of(validation.label, p);
  };
  const leaderboardEntry = (trial: SearchTrial): SearchTrialResult => {
    const { modelType, params } = candidateOf(trial.params, task, trial.resource ?? UNITS, false);
    const metrics = metricsOf.get(trial.id);
    return { ...toTrialResult(trial), modelType, params: params as SearchTrialResult['params'], ...(metrics ? { metrics } : {}) };
  };

  const planned = planSuccessiveHalving(automl.trials, 1, UNITS).reduce((sum, rung) => sum + rung.configs, 0);
  const result = await successiveHalving({
    space: autoMlSpace(types),
    objective,
    direction: score.direction,
    seed: automl.seed,
    signal: hooks.signal,
    budget: automl.maxSeconds ? { maxSeconds: automl.maxSeconds } : undefined,
    n: automl.trials,
    minResource: 1,
    maxResource: UNITS,
    concurrency: hooks.concurrency ?? 1,
    onTrial: (t) => hooks.onTrial(leaderboardEntry(t), planned),
  });
  hooks.signal.throwIfAborted();
  const winner = result.best ? models.get(result.best.trialId) : undefined;
  if (!result.best || !winner) {
    const reason = result.trials.find((t) => t.error)?.error ?? 'no candidate finished';
    throw new Error(`every candidate of AutoML failed: ${reason}`);
  }
  return { ...winner, trials: result.trials.map(leaderboardEntry), score: result.best.score };
}

/** One seeded space for every type: the type, then each type's parameters under its name. */
export function autoMlSpace(types: ModelType[]): SearchSpace {
  const space: SearchSpace = { modelType: { type: 'choice', values: [...types] } };
  for (const type of types) {
    for (const [name, spec] of Object.entries(CANDIDATES[type].space)) space[`${type}.${name}`] = spec;
  }
  return space;
}

/**
 * A sampled point → the candidate's model type and parameters: its type's sampled parameters,
 * the ones that set the task, and its share (`units` of UNITS) of the type's budget. For the
 * leaderboard (`forTraining` false): only what was drawn, as drawn, and the budget.
 */
export function candidateOf(
  sampled: SearchParams,
  task: ModelTask,
  units: number,
  forTraining = true,
): { modelType: ModelType; params: Record<string, unknown> } {
  const modelType = sampled.modelType as ModelType;
  const candidate = CANDIDATES[modelType];
  const prefix = `${modelType}.`;
  const drawn = Object.fromEntries(
    Object.entries(sampled)
      .filter(([key]) => key.startsWith(prefix))
      .map(([key, value]) => [
        key.slice(prefix.length),
        forTraining && key === `${prefix}hiddenLayers` ? String(value).split(',').map(Number) : value,
      ]),
  );
  const budget = Math.max(1, Math.round((candidate.resource.max * units) / UNITS));
  return { modelType, params: { ...(forTraining ? candidate.task(task) : {}), ...drawn, [candidate.resource.name]: budget } };
}

/** A candidate's figures on the validation slice, by task (the search's score among them). */
export function validationMetrics(task: ModelTask, numClass: number, y: Float64Array, p: Float64Array): Record<string, number> {
  switch (task) {
    case 'binary_classification':
      return { auc: rocAuc(y, p), log_loss: logLoss(y, p), accuracy: accuracy(y, p) };
    case 'multiclass_classification':
      return { log_loss: multiclassLogLoss(y, p, numClass), accuracy: multiclassAccuracy(y, p, numClass) };
    case 'regression':
      return { rmse: rmse(y, p), mae: mae(y, p) };
  }
}
