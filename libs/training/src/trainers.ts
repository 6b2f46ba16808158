import type { ModelTask, NeuralNetworkParams, TrainingRequest } from '@atelier/contracts';
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
  trainNeuralNetwork,
} from '@atelier/ml';

/** A trained model with what the worker needs from it, whatever its type. */
export interface Trained {
  model: ExportableModel;
  backend: string;
  /** the trainer's own predictions: P(positive) for classification, the value for regression */
  predict(columns: Float64Array[]): Float64Array;
}

type Trainer<T extends TrainingRequest['modelType']> = (
  train: Dataset,
  validation: Dataset,
  params: Extract<TrainingRequest, { modelType: T }>['params'],
  hooks: TrainingHooks,
) => Promise<Trained>;

/** One entry per model type of the contract; each trains through `@atelier/ml`. */
const trainers: { [T in TrainingRequest['modelType']]: Trainer<T> } = {
  logistic_regression: async (train, _validation, params, hooks) => {
    const model = await trainLogisticRegression(train, params, hooks);
    return { model, backend: model.backend, predict: (columns) => predictProba(model, columns) };
  },
  linear_regression: async (train, _validation, params, hooks) => {
    const model = await trainLinearRegression(train, params, hooks);
    return { model, backend: model.backend, predict: (columns) => predictLinear(model, columns) };
  },
  gbdt: async (train, validation, { earlyStoppingRounds, ...params }, hooks) => {
    const model = await trainGbdt(
      train,
      // early stopping watches the time-later validation slice, as LightGBM's valid set does
      { ...params, ...(earlyStoppingRounds > 0 ? { earlyStoppingRounds, validation } : {}) },
      {
        signal: hooks.signal,
        onProgress: ({ iteration, iterations, trainLoss }) => hooks.onProgress?.({ epoch: iteration, epochs: iterations, loss: trainLoss }),
      },
    );
    return { model, backend: 'typescript', predict: (columns) => predictGbdt(model, columns) };
  },
  neural_network: async (train, _validation, params: NeuralNetworkParams, hooks) => {
    const model = await trainNeuralNetwork(train, params, hooks);
    return { model, backend: model.backend, predict: (columns) => predictNeuralNetwork(model, columns) };
  },
};

export function train(request: TrainingRequest, trainSet: Dataset, validation: Dataset, hooks: TrainingHooks): Promise<Trained> {
  // the contract pairs each modelType with its params, so this cast only restates that pairing
  const trainer = trainers[request.modelType] as Trainer<TrainingRequest['modelType']>;
  return trainer(trainSet, validation, request.params as never, hooks);
}

/** ONNX outputs by task: the names every exporter of `@atelier/ml` uses. */
export function outputsOf(task: ModelTask): string[] {
  return task === 'binary_classification' ? ['probability', 'label'] : ['prediction'];
}
