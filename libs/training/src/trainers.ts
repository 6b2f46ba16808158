import type { ModelSignature, ModelTask, NeuralNetworkParams, TrainingRequest } from '@atelier/contracts';
import {
  type Dataset,
  type ExportableModel,
  predictGbdt,
  predictLinear,
  predictNeuralNetwork,
  predictProba,
  trainGbdt,
  type TrainingHooks,
  trainLinearRegression,
  trainLogisticRegression,
  trainMultinomialLogisticRegression,
  trainNeuralNetwork,
} from '@atelier/ml';

/** A trained model with what the worker needs from it, whatever its type. */
export interface Trained {
  model: ExportableModel;
  backend: string;
  /**
   * the trainer's own predictions: P(positive) for binary classification, the value for
   * regression, an n × classes row-major matrix of class probabilities for multi-class
   */
  predict(columns: Float64Array[]): Float64Array;
}

/** What the label holds, as `checkLabels` found it: 2 for binary, K for multi-class, 1 for regression. */
export interface TrainingTarget {
  numClass: number;
}

type Trainer<T extends TrainingRequest['modelType']> = (
  train: Dataset,
  validation: Dataset,
  params: Extract<TrainingRequest, { modelType: T }>['params'],
  hooks: TrainingHooks,
  target: TrainingTarget,
) => Promise<Trained>;

/** One entry per model type of the contract; each trains through `@atelier/ml`. */
const trainers: { [T in TrainingRequest['modelType']]: Trainer<T> } = {
  logistic_regression: async (train, _validation, { task, ...params }, hooks, { numClass }) => {
    const model = task === 'multiclass' ? await trainMultinomialLogisticRegression(train, { ...params, numClass }, hooks) : await trainLogisticRegression(train, params, hooks);
    return { model, backend: model.backend, predict: (columns) => predictProba(model, columns) };
  },
  linear_regression: async (train, _validation, params, hooks) => {
    const model = await trainLinearRegression(train, params, hooks);
    return { model, backend: model.backend, predict: (columns) => predictLinear(model, columns) };
  },
  gbdt: async (train, validation, { earlyStoppingRounds, ...params }, hooks, { numClass }) => {
    const model = await trainGbdt(
      train,
      {
        ...params,
        ...(params.objective === 'multiclass' ? { numClass } : {}),
        // early stopping watches the time-later validation slice, as LightGBM's valid set does
        ...(earlyStoppingRounds > 0 ? { earlyStoppingRounds, validation } : {}),
      },
      {
        signal: hooks.signal,
        onProgress: ({ iteration, iterations, trainLoss }) => hooks.onProgress?.({ epoch: iteration, epochs: iterations, loss: trainLoss, unit: 'round' }),
      },
    );
    return { model, backend: 'typescript', predict: (columns) => predictGbdt(model, columns) };
  },
  neural_network: async (train, _validation, params: NeuralNetworkParams, hooks, { numClass }) => {
    const model = await trainNeuralNetwork(train, { ...params, ...(params.task === 'multiclass' ? { numClass } : {}) }, hooks);
    return { model, backend: model.backend, predict: (columns) => predictNeuralNetwork(model, columns) };
  },
};

/**
 * A model trained elsewhere (a search trial run by another worker process), as the trainers
 * return it: its own predictions by its kind.
 */
export function restoreTrained(model: ExportableModel, backend: string): Trained {
  const predict = (columns: Float64Array[]): Float64Array => {
    switch (model.kind) {
      case 'logistic_regression':
        return predictProba(model, columns);
      case 'linear_regression':
        return predictLinear(model, columns);
      case 'gbdt':
        return predictGbdt(model, columns);
      case 'neural_network':
        return predictNeuralNetwork(model, columns);
    }
  };
  return { model, backend, predict };
}

/** A model as JSON that keeps ±Infinity and NaN (plain JSON turns them into null). */
export function encodeModel(model: ExportableModel): string {
  return JSON.stringify(model, (_key, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? { $number: String(value) } : value));
}

export function decodeModel(text: string): ExportableModel {
  return JSON.parse(text, (_key, value: unknown) =>
    value !== null && typeof value === 'object' && '$number' in value ? Number((value as { $number: string }).$number) : value,
  ) as ExportableModel;
}

export function train(request: TrainingRequest, trainSet: Dataset, validation: Dataset, hooks: TrainingHooks, target: TrainingTarget): Promise<Trained> {
  // the contract pairs each modelType with its params, so this cast only restates that pairing
  const trainer = trainers[request.modelType] as Trainer<TrainingRequest['modelType']>;
  return trainer(trainSet, validation, request.params as never, hooks, target);
}

/**
 * The ONNX outputs of a task and which holds what: the names every exporter of `@atelier/ml`
 * uses. Multi-class versions say so in `roles` (the registry's default roles are binary or
 * regression ones), with the class indices as their labels.
 */
export function outputsOf(task: ModelTask, numClass: number): Pick<ModelSignature, 'outputs' | 'roles'> {
  switch (task) {
    case 'binary_classification':
      return { outputs: ['probability', 'label'] };
    case 'multiclass_classification':
      return {
        outputs: ['probabilities', 'label'],
        roles: { label: 'label', probabilities: 'probabilities', value: null, classes: Array.from({ length: numClass }, (_, c) => c) },
      };
    case 'regression':
      return { outputs: ['prediction'] };
  }
}
