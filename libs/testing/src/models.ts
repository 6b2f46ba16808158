import type { ModelSignature } from '@atelier/contracts';
import { exportOnnx, type LinearRegressionModel, type LogisticRegressionModel } from '@atelier/ml';
import type { AtelierClient } from '@atelier/sdk';

/** A one-feature logistic model on the request value `distance`. */
export const DISTANCE_MODEL: LogisticRegressionModel = {
  kind: 'logistic_regression',
  features: ['distance'],
  means: [300],
  scales: [100],
  weights: [0.5],
  bias: -0.2,
  backend: 'cpu',
};

/**
 * Registers a version of a hand-made logistic model (exported to ONNX) under `name`, with the
 * given inputs (default: `distance` from the request), as a binary classifier. Returns its number.
 */
export async function registerLogisticModel(
  client: AtelierClient,
  name: string,
  model: LogisticRegressionModel = DISTANCE_MODEL,
  inputs: ModelSignature['inputs'] = [{ name: 'distance', source: 'request', dtype: 'float' }],
): Promise<number> {
  const version = await client.createVersion(name, {
    modelType: 'logistic_regression',
    signature: { inputs, onnxInputs: model.features, outputs: ['probability', 'label'], task: 'binary_classification' },
    artifactBase64: Buffer.from(exportOnnx(model, { name })).toString('base64'),
  });
  return version.version;
}

/** A one-feature linear regressor on the request value `distance` (prediction = distance / 100). */
export async function registerLinearModel(client: AtelierClient, name: string): Promise<number> {
  const model: LinearRegressionModel = {
    kind: 'linear_regression',
    features: ['distance'],
    means: [0],
    scales: [1],
    weights: [0.01],
    bias: 0,
    backend: 'typescript',
  };
  const version = await client.createVersion(name, {
    modelType: 'linear_regression',
    signature: {
      inputs: [{ name: 'distance', source: 'request', dtype: 'float' }],
      onnxInputs: ['distance'],
      outputs: ['prediction'],
      task: 'regression',
    },
    artifactBase64: Buffer.from(exportOnnx(model, { name })).toString('base64'),
  });
  return version.version;
}
