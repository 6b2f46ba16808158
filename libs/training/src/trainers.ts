import { type ModelTask, taskOf, type TrainingRequest } from '@atelier/contracts';
import {
  type Dataset,
  type ExportableModel,
  predictProba,
  type TrainingHooks,
  trainLogisticRegression,
} from '@atelier/ml';

/** A trained model with what the worker needs from it, whatever its type. */
export interface Trained {
  model: ExportableModel;
  backend: string;
  /** the trainer's own predictions: P(positive) for classification, the value for regression */
  predict(columns: Float64Array[]): Float64Array;
}

type Trainer = (train: Dataset, validation: Dataset, request: TrainingRequest, hooks: TrainingHooks) => Promise<Trained>;

/** One entry per model type of the contract; each trains through `@atelier/ml`. */
const trainers: Record<TrainingRequest['modelType'], Trainer> = {
  logistic_regression: async (train, _validation, request, hooks) => {
    const model = await trainLogisticRegression(train, request.params, hooks);
    return { model, backend: model.backend, predict: (columns) => predictProba(model, columns) };
  },
  linear_regression: () => Promise.reject(new Error('linear regression is not available in this build yet')),
  gbdt: () => Promise.reject(new Error('gradient-boosted trees are not available in this build yet')),
  neural_network: () => Promise.reject(new Error('neural networks are not available in this build yet')),
};

export function trainerFor(request: TrainingRequest): Trainer {
  return trainers[request.modelType];
}

/** ONNX outputs by task: the names every exporter of `@atelier/ml` uses. */
export function outputsOf(task: ModelTask): string[] {
  return task === 'binary_classification' ? ['probability', 'label'] : ['prediction'];
}

export { taskOf };
