import type { ModelChoiceInput, ModelTask, ModelType } from '@atelier/contracts';

import { splitList } from '../../lib/format';

/** What a model learns; the request says it per model type (GBDT `objective`, network and logistic regression `task`). */
export type Task = 'binary' | 'multiclass' | 'regression';

interface ModelTypeInfo {
  label: string;
  /** the tasks it can learn, the first by default */
  tasks: Task[];
  /** what the budget field means: epochs, boosting rounds, or the solver's iteration cap */
  rounds: string;
  epochs: string;
  /** absent when the model type's solver has none (the linear models' L-BFGS) */
  learningRate?: string;
}

/** What the tuning fields mean, their defaults, and the tasks of each model type. */
export const MODEL_TYPES: Record<ModelType, ModelTypeInfo> = {
  logistic_regression: { label: 'Logistic regression', tasks: ['binary', 'multiclass'], rounds: 'Max iterations', epochs: '1000' },
  gbdt: {
    label: 'Gradient-boosted trees',
    tasks: ['binary', 'multiclass', 'regression'],
    rounds: 'Boosting rounds',
    epochs: '100',
    learningRate: '0.1',
  },
  neural_network: {
    label: 'Neural network',
    tasks: ['binary', 'multiclass', 'regression'],
    rounds: 'Epochs',
    epochs: '20',
    learningRate: '0.01',
  },
  linear_regression: { label: 'Linear regression (numeric label)', tasks: ['regression'], rounds: 'Max iterations', epochs: '1000' },
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

/** The model part of the training form. */
export interface ModelSettings {
  modelType: ModelType;
  task: Task;
  /** boosting rounds, epochs or max iterations, as typed */
  rounds: string;
  learningRate: string;
  hiddenLayers: string;
}

export type ModelAction =
  | { type: 'modelType'; modelType: ModelType }
  | { type: 'set'; field: 'task'; value: Task }
  | { type: 'set'; field: 'rounds' | 'learningRate' | 'hiddenLayers'; value: string };

export function initialModelSettings(modelType: ModelType = 'logistic_regression'): ModelSettings {
  const info = MODEL_TYPES[modelType];
  return { modelType, task: info.tasks[0]!, rounds: info.epochs, learningRate: info.learningRate ?? '', hiddenLayers: '32,16' };
}

/** Choosing a model type resets its tuning defaults, and the task when the type cannot learn it. */
export function modelReducer(state: ModelSettings, action: ModelAction): ModelSettings {
  switch (action.type) {
    case 'modelType': {
      const info = MODEL_TYPES[action.modelType];
      const task = info.tasks.includes(state.task) ? state.task : info.tasks[0]!;
      return { ...state, modelType: action.modelType, task, rounds: info.epochs, learningRate: info.learningRate ?? '' };
    }
    case 'set':
      return { ...state, [action.field]: action.value };
  }
}

/** The model half of a training request. */
export function modelChoice({ modelType, task, rounds, learningRate, hiddenLayers }: ModelSettings): ModelChoiceInput {
  const epochs = Number(rounds);
  const rate = Number(learningRate);
  switch (modelType) {
    // the linear models' default solver, L-BFGS, runs to convergence within this many iterations; no learning rate
    case 'logistic_regression':
      return { modelType, params: { task: task === 'multiclass' ? 'multiclass' : 'binary', maxIterations: epochs } };
    case 'linear_regression':
      return { modelType, params: { maxIterations: epochs } };
    case 'gbdt':
      return { modelType, params: { objective: task, numIterations: epochs, learningRate: rate } };
    case 'neural_network':
      return { modelType, params: { task, epochs, learningRate: rate, hiddenLayers: splitList(hiddenLayers).map(Number) } };
  }
}
