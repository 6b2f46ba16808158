import {
  AUTOML_MODEL_TYPES,
  AutoMlRequest,
  type ModelTask,
  type ModelType,
  type TrainingRequest,
  type TrainingRequestInput,
} from '@atelier/contracts';

import { MODEL_TYPES } from './model-settings';
import { optionalNumber } from './search-settings';

type AutoMlInput = NonNullable<TrainingRequestInput['automl']>;
export type AutoMlField = 'trials' | 'maxSeconds' | 'seed';

/** The AutoML section of the training form. */
export interface AutoMlSettings {
  on: boolean;
  /** as typed; blank: the contract's default (max seconds: no limit) */
  trials: string;
  maxSeconds: string;
  seed: string;
  /**
   * the model types checked, in the order they are drawn from (a cloned job's order is kept);
   * null: every type that suits the task (the contract's default), so changing the task offers
   * all of the new task's types
   */
  modelTypes: ModelType[] | null;
}

export type AutoMlAction =
  | { type: 'on'; on: boolean }
  | { type: 'set'; field: AutoMlField; value: string }
  | { type: 'modelType'; task: ModelTask; modelType: ModelType; on: boolean };

/** Off, with the contract's defaults and every model type checked. */
export function initialAutoMlSettings(): AutoMlSettings {
  return {
    on: false,
    trials: String(AutoMlRequest.shape.trials.parse(undefined)),
    maxSeconds: '',
    seed: String(AutoMlRequest.shape.seed.parse(undefined)),
    modelTypes: null,
  };
}

export function autoMlReducer(state: AutoMlSettings, action: AutoMlAction): AutoMlSettings {
  switch (action.type) {
    case 'on':
      return { ...state, on: action.on };
    case 'set':
      return { ...state, [action.field]: action.value };
    case 'modelType': {
      // a click puts the list in the contract's order, and all of them checked is the default again
      const { task, modelType, on } = action;
      const checked = chosenTypes(state, task).filter((type) => type !== modelType);
      const modelTypes = AUTOML_MODEL_TYPES[task].filter((type) => checked.includes(type) || (on && type === modelType));
      return { ...state, modelTypes: modelTypes.length === AUTOML_MODEL_TYPES[task].length ? null : modelTypes };
    }
  }
}

/** The model types AutoML can try for the task, in the contract's order, each with its checkbox. */
export function autoMlModelTypes(settings: AutoMlSettings, task: ModelTask): Array<{ modelType: ModelType; on: boolean }> {
  const chosen = chosenTypes(settings, task);
  return AUTOML_MODEL_TYPES[task].map((modelType) => ({ modelType, on: chosen.includes(modelType) }));
}

/** The checked types that suit the task, in their order (a type of another task stays unchecked). */
function chosenTypes(settings: AutoMlSettings, task: ModelTask): ModelType[] {
  const suitable = AUTOML_MODEL_TYPES[task];
  return settings.modelTypes === null ? suitable : settings.modelTypes.filter((type) => suitable.includes(type));
}

/**
 * The form's AutoML as a request, checked with the contract's `AutoMlRequest` as the user types:
 * `errors` by field (`trials`, `maxSeconds`, `seed`, `modelTypes`). `modelTypes` is left out while
 * the form has not changed which are checked (the API then tries every type of the task), and
 * keeps its order otherwise: the types are drawn in that order, so a cloned job draws the same.
 * No `automl` when the section is off.
 */
export function checkAutoMl(settings: AutoMlSettings, task: ModelTask): { automl?: AutoMlInput; errors: Record<string, string> } {
  if (!settings.on) return { errors: {} };
  const chosen = chosenTypes(settings, task);
  const automl: AutoMlInput = {
    ...optionalNumber('trials', settings.trials),
    ...optionalNumber('maxSeconds', settings.maxSeconds),
    ...optionalNumber('seed', settings.seed),
    ...(settings.modelTypes === null ? {} : { modelTypes: chosen }),
  };
  const errors: Record<string, string> = {};
  // the contract's own message for an empty list is about arrays, not checkboxes
  if (chosen.length === 0) errors.modelTypes = 'check at least one model type';
  for (const issue of AutoMlRequest.safeParse(automl).error?.issues ?? []) errors[String(issue.path[0] ?? 'automl')] ??= issue.message;
  return { automl, errors };
}

/** `automl.trials: …` lines for the form's list of problems. */
export function autoMlIssueLines(errors: Record<string, string>): string[] {
  return Object.entries(errors).map(([key, message]) => `automl.${key}: ${message}`);
}

/** A stored job's AutoML as the form holds it; the section off when the job had none. */
export function autoMlSettingsOf(request: TrainingRequest): AutoMlSettings {
  if (!request.automl) return initialAutoMlSettings();
  const { trials, maxSeconds, seed, modelTypes } = request.automl;
  return {
    on: true,
    trials: String(trials),
    maxSeconds: maxSeconds === undefined ? '' : String(maxSeconds),
    seed: String(seed),
    modelTypes: modelTypes ? [...modelTypes] : null,
  };
}

/** `gradient-boosted trees`: a model type in a sentence. */
export function modelTypeName(modelType: ModelType): string {
  return MODEL_TYPES[modelType].label.replace(/ \(.*\)$/, '').toLowerCase();
}
