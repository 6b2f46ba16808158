import type { Optimizer, Scalar, Tensor, Variable } from '@tensorflow/tfjs';

import { createRng, normal, permutation } from '../random/prng.util';
import { selectTfBackend, tfjs } from '../tf/tf-backend.loader';
import { fitLinearWeightsFullBatch } from './linear-full-batch.fit';
import type { FitLinearInput, LinearModelParams } from './linear-model.params';
import type { LinearModelBackend } from './linear-model.util';
import { divergedError, eventLoopYielder, standardizedBatch, type TrainingHooks } from './training-input.util';

/**
 * Weights and bias of `score = x_std · w + b` minimising mean loss + l2·Σw² + l1·Σ|w| with the
 * chosen solver, and what ran it: `typescript` for `lbfgs`, the TensorFlow.js backend for `adam`.
 */
export async function fitLinearWeights(
  input: FitLinearInput,
  params: LinearModelParams,
  hooks: TrainingHooks,
): Promise<{ weights: number[]; bias: number; backend: LinearModelBackend }> {
  switch (params.solver) {
    case 'lbfgs':
      return { ...(await fitLinearWeightsFullBatch(input, params, hooks)), backend: 'typescript' };
    case 'adam': {
      const { backend } = await selectTfBackend();
      return { ...(await fitLinearWeightsAdam(input, params, hooks)), backend };
    }
  }
}

// Adam's usual constants; epsilon as in TensorFlow.js.
const BETA1 = 0.9;
const BETA2 = 0.999;
const EPSILON = 1e-7;

/**
 * Weights and bias of `score = x_std · w + b` minimising mean loss + l2·Σw² + l1·Σ|w| with Adam on
 * seeded mini-batches. Without l1 this is TensorFlow.js' own Adam; with l1 it is proximal Adam:
 * an Adam step on the smooth part, then soft-thresholding each weight by its own step size × l1.
 * Its fixed points are exactly the elastic-net optimum (0 ∈ ∇loss + l1·∂|w|) whatever the
 * per-weight step sizes are, and useless weights land on exactly 0.
 */
async function fitLinearWeightsAdam(
  { dataset, standardizer, target, loss, initialBias }: FitLinearInput,
  params: LinearModelParams,
  hooks: TrainingHooks,
): Promise<{ weights: number[]; bias: number }> {
  const tf = tfjs();
  const featureCount = dataset.features.length;
  const rng = createRng(params.seed);

  // Small random weights break symmetry reproducibly.
  const initialWeights = Float32Array.from({ length: featureCount }, () => 0.01 * normal(rng));
  // tidy disposes the initial-value tensors; the variables keep their own copy of the data.
  const [w, b] = tf.tidy(() => [tf.variable(tf.tensor2d(initialWeights, [featureCount, 1])), tf.variable(tf.scalar(initialBias))]);
  const optimizer = params.l1 > 0 ? new ProximalAdam(w, b, params) : new PlainAdam(w, b, params);
  const yieldToEventLoop = eventLoopYielder();
  try {
    for (let epoch = 1; epoch <= params.epochs; epoch++) {
      const order = permutation(dataset.rowCount, rng);
      let lossSum = 0;
      for (let start = 0; start < dataset.rowCount; start += params.batchSize) {
        hooks.signal?.throwIfAborted();
        const rows = order.subarray(start, Math.min(start + params.batchSize, dataset.rowCount));
        const { x, y } = standardizedBatch(dataset, standardizer, target, rows);
        const cost = tf.tidy(() => {
          const xs = tf.tensor2d(x, [rows.length, featureCount]);
          const ys = tf.tensor2d(y, [rows.length, 1]);
          return optimizer.step(() => {
            const score = xs.matMul(w).add(b);
            // Mean loss over the batch: a rank-0 tensor, whatever its static type says.
            const dataLoss: Scalar =
              loss === 'logistic' ? (tf.losses.sigmoidCrossEntropy(ys, score) as Scalar) : ys.sub(score).square().mean().mul<Scalar>(0.5);
            return params.l2 > 0 ? dataLoss.add<Scalar>(w.square().sum().mul(params.l2)) : dataLoss;
          });
        });
        const [batchLoss] = await cost.data();
        cost.dispose();
        lossSum += batchLoss * rows.length;
        await yieldToEventLoop(); // so an abort (or anything else waiting) can land
      }
      const epochLoss = lossSum / dataset.rowCount;
      if (!Number.isFinite(epochLoss)) throw divergedError(epoch, epochLoss);
      hooks.onProgress?.({ epoch, epochs: params.epochs, loss: epochLoss });
    }
    // `+ 0` turns the −0 a soft-threshold can leave into 0, so a zeroed weight reads as 0.
    return { weights: Array.from(await w.data(), (v) => v + 0), bias: (await b.data())[0] };
  } finally {
    w.dispose();
    b.dispose();
    optimizer.dispose();
  }
}

/** One optimisation step on `w`, `b` (call inside tidy); returns the whole objective before the step. */
interface LinearOptimizer {
  step(smoothLoss: () => Scalar): Scalar;
  dispose(): void;
}

class PlainAdam implements LinearOptimizer {
  private readonly adam: Optimizer;

  constructor(
    private readonly w: Variable,
    private readonly b: Variable,
    { learningRate }: LinearModelParams,
  ) {
    this.adam = tfjs().train.adam(learningRate);
  }

  step(smoothLoss: () => Scalar): Scalar {
    const cost = this.adam.minimize(smoothLoss, true, [this.w, this.b]);
    if (cost === null) throw new Error('optimizer.minimize(returnCost = true) returned no cost');
    return cost;
  }

  dispose(): void {
    this.adam.dispose();
  }
}

class ProximalAdam implements LinearOptimizer {
  private readonly moments: { w: [m: Variable, v: Variable]; b: [m: Variable, v: Variable] };
  private steps = 0;

  constructor(
    private readonly w: Variable,
    private readonly b: Variable,
    private readonly params: LinearModelParams,
  ) {
    const tf = tfjs();
    const zeros = (like: Variable): [Variable, Variable] =>
      tf.tidy(() => [tf.variable(tf.zerosLike(like), false), tf.variable(tf.zerosLike(like), false)]);
    this.moments = { w: zeros(w), b: zeros(b) };
  }

  step(smoothLoss: () => Scalar): Scalar {
    const { value, grads } = tfjs().variableGrads(smoothLoss, [this.w, this.b]);
    // The reported loss is the whole objective, at the weights the gradient was taken at.
    const objective = value.add<Scalar>(this.w.abs().sum().mul(this.params.l1));
    this.steps++;
    this.update(this.w, grads[this.w.name], this.moments.w, this.params.l1);
    this.update(this.b, grads[this.b.name], this.moments.b, 0);
    return objective;
  }

  /** Adam's update of `param` in place, then soft-thresholding by the step size × l1. */
  private update(param: Variable, grad: Tensor, [m, v]: [Variable, Variable], l1: number): void {
    const tf = tfjs();
    m.assign(m.mul(BETA1).add(grad.mul(1 - BETA1)));
    v.assign(v.mul(BETA2).add(grad.square().mul(1 - BETA2)));
    const mHat = m.div(1 - BETA1 ** this.steps);
    const vHat = v.div(1 - BETA2 ** this.steps);
    const stepSize = tf.div(this.params.learningRate, vHat.sqrt().add(EPSILON));
    const moved = param.sub(stepSize.mul(mHat));
    param.assign(l1 > 0 ? moved.sign().mul(tf.relu(moved.abs().sub(stepSize.mul(l1)))) : moved);
  }

  dispose(): void {
    [...this.moments.w, ...this.moments.b].forEach((variable) => variable.dispose());
  }
}
