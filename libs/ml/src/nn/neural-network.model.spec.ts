import { describe, expect, it } from 'vitest';

import { type DenseLayer, foldBatchNorm, type NeuralNetworkModel, predictNeuralNetwork } from './neural-network.model';

/** 2 features → 2 relu units with batch norm → 1 sigmoid unit, small enough to compute by hand. */
const model: NeuralNetworkModel = {
  kind: 'neural_network',
  task: 'binary',
  features: ['a', 'b'],
  means: [10, 0],
  scales: [2, 1],
  layers: [
    {
      weights: [
        [1, -1],
        [0.5, 2],
      ],
      bias: [0.1, -0.2],
      activation: 'relu',
      batchNorm: { gamma: [2, 1], beta: [0.5, 0], movingMean: [0.2, 0], movingVariance: [3.75, 0.75], epsilon: 0.25 },
    },
    { weights: [[1.5], [-0.5]], bias: [0.25], activation: 'sigmoid' },
  ],
  backend: 'cpu',
};

describe('predictNeuralNetwork', () => {
  it('standardises, then applies dense → batch norm → activation layer by layer in float64', () => {
    // x_std = [(14 − 10)/2, 1] = [2, 1]; dense: [2 + 0.5 + 0.1, −2 + 2 − 0.2] = [2.6, −0.2]
    // batch norm (√(σ² + ε) = [2, 1]): [2·(2.6 − 0.2)/2 + 0.5, (−0.2 − 0)/1] = [2.9, −0.2]; relu: [2.9, 0]
    const [p] = predictNeuralNetwork(model, [Float64Array.of(14), Float64Array.of(1)]);
    expect(p).toBeCloseTo(1 / (1 + Math.exp(-(0.25 + 1.5 * 2.9))), 14);
  });

  it('imputes missing values with the training mean', () => {
    const [missing, atMean] = predictNeuralNetwork(model, [Float64Array.of(NaN, 10), Float64Array.of(NaN, 0)]);
    expect(missing).toBe(atMean);
  });

  it('checks the model and the columns', () => {
    expect(() => predictNeuralNetwork(model, [new Float64Array(1)])).toThrow(/expects 2 columns/);
    const wrongOutput = { ...model, task: 'regression' as const };
    expect(() => predictNeuralNetwork(wrongOutput, [])).toThrow(/layer 1 activation must be linear, got sigmoid/);
    const ragged = { ...model, layers: [{ ...model.layers[0], weights: [[1, 2]] }, model.layers[1]] };
    expect(() => predictNeuralNetwork(ragged, [])).toThrow(/layer 0 has 1 weight rows, expected 2/);
  });
});

describe('predictNeuralNetwork (multiclass)', () => {
  it('applies a softmax over the output units, row by row', () => {
    // one feature standardised to x = (3 − 1)/2 = 1 → logits [1·1 + 0, 2·1 − 1, 0·1 + 0] = [1, 1, 0]
    const softmax: NeuralNetworkModel = {
      kind: 'neural_network',
      task: 'multiclass',
      features: ['a'],
      means: [1],
      scales: [2],
      layers: [{ weights: [[1, 2, 0]], bias: [0, -1, 0], activation: 'softmax' }],
      backend: 'cpu',
    };
    const [p0, p1, p2] = predictNeuralNetwork(softmax, [Float64Array.of(3)]);
    const total = 2 * Math.E + 1;
    expect(p0).toBeCloseTo(Math.E / total, 14);
    expect(p1).toBeCloseTo(Math.E / total, 14);
    expect(p2).toBeCloseTo(1 / total, 14);
    expect(() => predictNeuralNetwork({ ...softmax, layers: [{ ...softmax.layers[0], activation: 'sigmoid' }] }, [])).toThrow(
      /layer 0 activation must be softmax, got sigmoid/,
    );
    const oneUnit = { ...softmax, layers: [{ weights: [[1]], bias: [0], activation: 'softmax' as const }] };
    expect(() => predictNeuralNetwork(oneUnit, [])).toThrow(/a unit per class \(at least 2\), got 1/);
  });
});

describe('foldBatchNorm', () => {
  it('gives a plain dense layer with the same pre-activations', () => {
    const layer = model.layers[0];
    const folded: DenseLayer = { ...foldBatchNorm(layer), activation: 'relu' };
    const withNorm = predictNeuralNetwork(model, [Float64Array.of(3, 14, 9), Float64Array.of(-1, 1, 0.3)]);
    const withFold = predictNeuralNetwork({ ...model, layers: [folded, model.layers[1]] }, [
      Float64Array.of(3, 14, 9),
      Float64Array.of(-1, 1, 0.3),
    ]);
    withFold.forEach((p, i) => expect(p).toBeCloseTo(withNorm[i], 14));
  });
});
