import type { TrainingRequest } from '@atelier/contracts';

import { type AutoMlSettings, autoMlSettingsOf } from './automl-settings';
import { type InputSettings, inputsOf } from './input-settings';
import { type ModelSettings, modelSettingsOf } from './model-settings';
import { type SearchSettings, searchSettingsOf } from './search-settings';

/** A past job's request as the training form holds it, and what the form cannot hold. */
export interface ClonedForm {
  modelName: string;
  source: string;
  features: string[];
  inputs: InputSettings;
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
  if (request.partition && request.partition.maxPartitions !== 20) left.push(`at most ${request.partition.maxPartitions} partitions (the form trains up to 20)`);
  return {
    modelName: request.modelName,
    source: request.source.group,
    features: [...request.features],
    inputs: inputsOf(request),
    partitionColumn: request.partition?.column ?? '',
    partitionMinRows: String(request.partition?.minRows ?? 1000),
    joinKeys: Object.entries(request.joinKeys).map(([entity, column]) => ({ entity, column })),
    label: request.label,
    start: request.window.start,
    validationStart: request.window.validationStart,
    end: request.window.end,
    model: modelSettingsOf(request.modelType, request.params as Record<string, unknown>),
    search: searchSettingsOf(request, left),
    automl: autoMlSettingsOf(request),
    left,
  };
}
