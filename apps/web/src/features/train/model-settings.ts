import type { ModelChoiceInput, ModelTask, ModelType } from '@atelier/contracts';

import { splitList } from '../../lib/format';
import { type FieldSchema, type ParamBase, paramOf, PARAMS, type SearchableParam } from './search-params';

/** What a model learns; the request says it per model type (GBDT `objective`, network and logistic regression `task`). */
export type Task = 'binary' | 'multiclass' | 'regression';

interface ModelTypeInfo {
  label: string;
  /** the tasks it can learn, the first the contract's default */
  tasks: Task[];
  /** the parameter holding the task, if the type learns more than one */
  taskParam?: 'task' | 'objective';
  /** the training budget (epochs, boosting rounds or the solver's iteration cap): its field is named `epochs` */
  budget: string;
  /** its label */
  rounds: string;
  /** the parameters shown; the others are behind the "advanced" disclosure */
  basic: string[];
}

const LINEAR_BASIC = ['solver', 'maxIterations', 'l2'];

/** The model types, the tasks each learns, and which of its parameters the form shows first. */
export const MODEL_TYPES: Record<ModelType, ModelTypeInfo> = {
  logistic_regression: {
    label: 'Logistic regression',
    tasks: ['binary', 'multiclass'],
    taskParam: 'task',
    budget: 'maxIterations',
    rounds: 'Max iterations',
    basic: LINEAR_BASIC,
  },
  gbdt: {
    label: 'Gradient-boosted trees',
    tasks: ['binary', 'multiclass', 'regression'],
    taskParam: 'objective',
    budget: 'numIterations',
    rounds: 'Boosting rounds',
    basic: ['numIterations', 'learningRate', 'maxLeaves'],
  },
  neural_network: {
    label: 'Neural network',
    tasks: ['binary', 'multiclass', 'regression'],
    taskParam: 'task',
    budget: 'epochs',
    rounds: 'Epochs',
    basic: ['hiddenLayers', 'epochs', 'learningRate', 'activation'],
  },
  linear_regression: {
    label: 'Linear regression (numeric label)',
    tasks: ['regression'],
    budget: 'maxIterations',
    rounds: 'Max iterations',
    basic: LINEAR_BASIC,
  },
};

export const TASKS: Record<Task, { label: string; labelHint: string; modelTask: ModelTask }> = {
  binary: {
    label: 'Binary classification',
    labelHint: 'Over source columns; 1 is the positive class, 0 the other.',
    modelTask: 'binary_classification',
  },
  multiclass: {
    label: 'Multi-class classification',
    labelHint: 'Over source columns; a class number 0, 1, 2, … (at most 50 classes, each with training rows).',
    modelTask: 'multiclass_classification',
  },
  regression: { label: 'Regression', labelHint: 'Over source columns; the number to predict.', modelTask: 'regression' },
};

/** One line per parameter; `<modelType>.<name>` where the meaning differs between model types. */
const HINTS: Record<string, string> = {
  solver: 'lbfgs: the whole training set, to the optimum (max iterations, tolerance); adam: mini-batches (epochs, learning rate, batch size, seed).',
  maxIterations: 'lbfgs: the most solver iterations.',
  tolerance: 'lbfgs stops once every partial derivative of the objective is at most this.',
  epochs: 'adam: passes over the training rows.',
  learningRate: 'adam: the step size.',
  batchSize: 'adam: training rows per gradient step.',
  l1: 'L1 penalty on the weights: drives some of them to exactly 0.',
  l2: 'L2 penalty on the weights: keeps them small.',
  seed: 'Seeds every random draw (initial weights, shuffles, samples): the same seed trains the same model.',
  numIterations: 'Trees in the ensemble, one per boosting round.',
  'gbdt.learningRate': 'Shrinks each tree’s contribution: smaller needs more rounds and overfits less.',
  maxLeaves: 'Leaves per tree: more fits finer interactions, and overfits sooner.',
  minDataInLeaf: 'The fewest training rows a leaf may hold.',
  lambdaL2: 'L2 penalty on the leaf values.',
  maxBins: 'Histogram bins per feature when looking for splits.',
  featureFraction: 'Share of the features each tree may split on.',
  baggingFraction: 'Share of the training rows each tree is fitted on.',
  earlyStoppingRounds: 'Stop when the validation loss has not improved for this many rounds; 0: never.',
  hiddenLayers: 'Units per dense layer, comma-separated (at most 10 layers).',
  activation: 'The hidden layers’ activation function.',
  dropout: 'Share of a hidden layer’s units dropped at each training step.',
  batchNorm: 'Batch normalization after each hidden layer.',
  'neural_network.epochs': 'Passes over the training rows.',
  'neural_network.learningRate': 'Adam’s step size.',
  'neural_network.batchSize': 'Training rows per gradient step.',
};

/** A parameter of a model type as the contract describes it: a number, an enum, a switch or a list of whole numbers. */
export type ModelParam = (SearchableParam | (ParamBase & { type: 'list'; default: number[] })) & { hint: string; basic: boolean };

/** Every parameter of the model type but its task, in the contract's order (the task has a field of its own). */
export function modelParams(modelType: ModelType): ModelParam[] {
  const info = MODEL_TYPES[modelType];
  const shape = PARAMS[modelType].shape as Record<string, FieldSchema>;
  return Object.entries(shape)
    .filter(([name]) => name !== info.taskParam)
    .map(([name, field]) => {
      const hint = HINTS[`${modelType}.${name}`] ?? HINTS[name] ?? '';
      const basic = info.basic.includes(name);
      const scalar = paramOf(name, field)[0];
      return scalar ? { ...scalar, hint, basic } : { ...listParamOf(name, field), hint, basic };
    });
}

function listParamOf(name: string, field: FieldSchema): ParamBase & { type: 'list'; default: number[] } {
  const fallback = field.safeParse(undefined).data;
  const problem = (value: unknown) => {
    const result = field.safeParse(value);
    return result.success ? undefined : (result.error?.issues[0]?.message ?? 'not allowed');
  };
  return { name, type: 'list', default: Array.isArray(fallback) ? (fallback as number[]) : [], problem };
}

/** `0.0001 to 1`, `> 0 to 10`: the bounds of a number, read from its schema (an excluded end shown as such). */
export function rangeOf(param: ModelParam): string | undefined {
  if (param.type !== 'int' && param.type !== 'float') return undefined;
  const { min, max } = param;
  if (min === null && max === null) return undefined;
  const low = min === null ? '' : param.problem(min) ? `> ${min}` : `${min}`;
  const high = max === null ? '' : `${max}`;
  return low && high ? `${low} to ${high}` : low ? `from ${low}` : `up to ${high}`;
}

/** The model part of the training form. */
export interface ModelSettings {
  modelType: ModelType;
  task: Task;
  /** parameters as typed, per model type (switching the type and back keeps them); absent: the contract's default */
  params: Partial<Record<ModelType, Record<string, string>>>;
}

export type ModelAction = { type: 'modelType'; modelType: ModelType } | { type: 'task'; task: Task } | { type: 'param'; name: string; value: string };

export function initialModelSettings(modelType: ModelType = 'logistic_regression'): ModelSettings {
  return { modelType, task: MODEL_TYPES[modelType].tasks[0]!, params: {} };
}

/** Choosing a model type keeps the task when the type can learn it, else takes the type's first. */
export function modelReducer(state: ModelSettings, action: ModelAction): ModelSettings {
  switch (action.type) {
    case 'modelType': {
      const info = MODEL_TYPES[action.modelType];
      const task = info.tasks.includes(state.task) ? state.task : info.tasks[0]!;
      return { ...state, modelType: action.modelType, task };
    }
    case 'task':
      return { ...state, task: action.task };
    case 'param': {
      const typed = state.params[state.modelType] ?? {};
      return { ...state, params: { ...state.params, [state.modelType]: { ...typed, [action.name]: action.value } } };
    }
  }
}

/** The text of a parameter's field: as typed, or its default. */
export function paramText(settings: ModelSettings, param: ModelParam): string {
  return settings.params[settings.modelType]?.[param.name] ?? defaultText(param);
}

export function defaultText(param: ModelParam): string {
  return Array.isArray(param.default) ? param.default.join(',') : String(param.default);
}

/** A field's text as the parameter's value; blank: the default (undefined). */
function valueOf(param: ModelParam, text: string): { value?: unknown; error?: string } {
  switch (param.type) {
    case 'choice':
      return { value: typeof param.default === 'boolean' ? text === 'true' : text };
    case 'list': {
      const items = splitList(text).map(Number);
      return items.some((n) => !Number.isFinite(n)) ? { error: 'enter whole numbers, comma-separated' } : { value: items };
    }
    case 'int':
    case 'float':
      if (text.trim() === '') return {};
      return Number.isFinite(Number(text)) ? { value: Number(text) } : { error: 'enter a number' };
  }
}

/**
 * The model half of a training request, checked with the model type's own schema as the user
 * types: `errors` by parameter (the contract's message). Parameters left at their default are
 * not sent (the API fills them in), nor is the default task; a parameter with a problem is left
 * out too, so the form must refuse to send while there are `errors`.
 */
export function checkModel(settings: ModelSettings): { choice: ModelChoiceInput; errors: Record<string, string> } {
  const { modelType, task } = settings;
  const info = MODEL_TYPES[modelType];
  const typed = settings.params[modelType] ?? {};
  const params: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  if (info.taskParam && task !== info.tasks[0]) params[info.taskParam] = task;
  for (const param of modelParams(modelType)) {
    const text = typed[param.name];
    if (text === undefined) continue;
    const { value, error } = valueOf(param, text);
    if (error) errors[param.name] = error;
    else if (value !== undefined && JSON.stringify(value) !== JSON.stringify(param.default)) params[param.name] = value;
  }
  for (const issue of PARAMS[modelType].safeParse(params).error?.issues ?? []) {
    errors[String(issue.path[0] ?? info.taskParam ?? 'params')] ??= issue.message;
  }
  for (const name of Object.keys(errors)) delete params[name];
  return { choice: { modelType, params } as ModelChoiceInput, errors };
}

/** The model half of a training request (see `checkModel`). */
export function modelChoice(settings: ModelSettings): ModelChoiceInput {
  return checkModel(settings).choice;
}

/** `params.l2: …` lines for the form's list of problems. */
export function modelIssueLines(errors: Record<string, string>): string[] {
  return Object.entries(errors).map(([key, message]) => `params.${key}: ${message}`);
}

/** A stored request's model as the form holds it: the task, and every parameter that is not its default, as text. */
export function modelSettingsOf(modelType: ModelType, stored: Record<string, unknown>): ModelSettings {
  const info = MODEL_TYPES[modelType];
  // a logistic regression stored before `task` had a default has none: the type's first
  const storedTask = info.taskParam ? stored[info.taskParam] : undefined;
  const task = info.tasks.find((t) => t === storedTask) ?? info.tasks[0]!;
  const typed: Record<string, string> = {};
  for (const param of modelParams(modelType)) {
    const value = stored[param.name];
    if (value === undefined || JSON.stringify(value) === JSON.stringify(param.default)) continue;
    typed[param.name] = Array.isArray(value) ? value.join(',') : String(value);
  }
  return { modelType, task, params: { [modelType]: typed } };
}
