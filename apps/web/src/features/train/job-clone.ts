import { ModelChoice, type TrainingRequest } from '@atelier/contracts';

import { type AutoMlSettings, autoMlSettingsOf } from './automl-settings';
import { type ModelSettings, type Task } from './model-settings';
import { type SearchSettings, searchSettingsOf } from './search-settings';

/** A past job's request as the training form holds it, and what the form cannot hold. */
export interface ClonedForm {
  modelName: string;
  source: string;
  features: string[];
  requestFeatures: string;
  categoricalFeatures: string;
  partitionColumn: string;
  partitionMinRows: string;
  joinKeys: Array<{ entity: string; column: string }>;
  label: string;
  start: string;
  validationStart: string;
  end: string;
  model: ModelSettings;
  search: SearchSettings;
  automl: AutoMlSettings;
  /** parts of the request the form has no field for: named, so nothing is dropped silently */
  left: string[];
}

/** The form's fields from a job's request (as the API stored it, defaults filled in). */
export function cloneRequest(request: TrainingRequest): ClonedForm {
  const left: string[] = [];
  if (request.transforms.length > 0) left.push(`transforms (${request.transforms.map((t) => t.name).join(', ')})`);
  if (request.partition && request.partition.maxPartitions !== 20) left.push(`at most ${request.partition.maxPartitions} partitions (the form trains up to 20)`);
  const notOneHot = request.categoricalFeatures.filter((c) => c.encoding !== 'one_hot');
  if (notOneHot.length > 0) left.push(`${notOneHot.map((c) => `${c.column} (${c.encoding})`).join(', ')} encoded one-hot instead`);
  return {
    modelName: request.modelName,
    source: request.source.group,
    features: [...request.features],
    requestFeatures: request.requestFeatures.join(','),
    categoricalFeatures: request.categoricalFeatures.map((c) => c.column).join(','),
    partitionColumn: request.partition?.column ?? '',
    partitionMinRows: String(request.partition?.minRows ?? 1000),
    joinKeys: Object.entries(request.joinKeys).map(([entity, column]) => ({ entity, column })),
    label: request.label,
    start: request.window.start,
    validationStart: request.window.validationStart,
    end: request.window.end,
    model: modelSettingsOf(request, left),
    search: searchSettingsOf(request, left),
    automl: autoMlSettingsOf(request),
    left,
  };
}

/** The parameters the form has fields for, by model type; others keep the form's defaults. */
const IN_THE_FORM: Record<TrainingRequest['modelType'], string[]> = {
  logistic_regression: ['maxIterations', 'solver', 'epochs', 'task'],
  linear_regression: ['maxIterations', 'solver', 'epochs'],
  gbdt: ['objective', 'numIterations', 'learningRate'],
  neural_network: ['task', 'epochs', 'learningRate', 'hiddenLayers'],
};

function modelSettingsOf(request: TrainingRequest, left: string[]): ModelSettings {
  const defaults = ModelChoice.parse({ modelType: request.modelType }).params as Record<string, unknown>;
  const changed = Object.entries(request.params as Record<string, unknown>).filter(
    ([key, value]) => !IN_THE_FORM[request.modelType].includes(key) && JSON.stringify(value) !== JSON.stringify(defaults[key]),
  );
  if (changed.length > 0) left.push(`parameters ${changed.map(([key, value]) => `${key}=${JSON.stringify(value)}`).join(', ')}`);
  const base = { learningRate: '', hiddenLayers: '32,16' };
  switch (request.modelType) {
    case 'logistic_regression':
    case 'linear_regression': {
      const p = request.params;
      if (p.solver === 'adam') left.push(`the adam solver (${p.epochs} epochs): the form trains with L-BFGS`);
      // a logistic regression stored before `task` had a default has none: binary
      const task: Task = request.modelType === 'linear_regression' ? 'regression' : request.params.task === 'multiclass' ? 'multiclass' : 'binary';
      return { ...base, modelType: request.modelType, task, rounds: String(p.maxIterations) };
    }
    case 'gbdt': {
      const p = request.params;
      return { ...base, modelType: 'gbdt', task: p.objective, rounds: String(p.numIterations), learningRate: String(p.learningRate) };
    }
    case 'neural_network': {
      const p = request.params;
      return {
        modelType: 'neural_network',
        task: p.task,
        rounds: String(p.epochs),
        learningRate: String(p.learningRate),
        hiddenLayers: p.hiddenLayers.join(','),
      };
    }
  }
}
