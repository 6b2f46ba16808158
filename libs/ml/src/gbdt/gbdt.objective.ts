import { sigmoid } from '../linear/logistic-regression.model';
import type { GbdtObjective } from './gbdt.model';
import { softmaxRowsInPlace } from './gbdt.model';

/** Keeps Newton steps finite where the loss is flat (a confidently right prediction). */
const MIN_HESSIAN = 1e-16;
/** Log-loss clipping, as scikit-learn's `log_loss`. */
const EPS = 1e-15;

/**
 * What boosting needs from a loss: the starting raw scores, first and second derivatives per row
 * and class, and the loss itself (log loss, RMSE or multi-class log loss) for progress and early
 * stopping. Raw scores are n × numClass row-major.
 */
export interface BoostingObjective {
  numClass: number;
  baseScores(label: Float64Array): number[];
  /** Called once per iteration before `gradients` of each class. */
  prepare(scores: Float64Array): void;
  gradients(label: Float64Array, scores: Float64Array, classIndex: number, grad: Float64Array, hess: Float64Array): void;
  loss(label: Float64Array, scores: Float64Array): number;
}

export function boostingObjective(objective: GbdtObjective, numClass: number): BoostingObjective {
  switch (objective) {
    case 'binary':
      return binaryObjective;
    case 'regression':
      return regressionObjective;
    case 'multiclass':
      return multiclassObjective(numClass);
    default:
      throw new Error(`unknown objective ${String(objective satisfies never)}`);
  }
}

const binaryObjective: BoostingObjective = {
  numClass: 1,
  baseScores(label) {
    // Clamped so a single-class training set starts from a finite score.
    const rate = Math.min(Math.max(mean(label), 1e-6), 1 - 1e-6);
    return [Math.fround(Math.log(rate / (1 - rate)))];
  },
  prepare() {},
  gradients(label, scores, _classIndex, grad, hess) {
    binaryGradients(label, scores, grad, hess, 0, label.length);
  },
  loss(label, scores) {
    let sum = 0;
    for (let i = 0; i < label.length; i++) {
      const p = Math.min(Math.max(sigmoid(scores[i]), EPS), 1 - EPS);
      sum -= label[i] === 1 ? Math.log(p) : Math.log(1 - p);
    }
    return sum / label.length;
  },
};

const regressionObjective: BoostingObjective = {
  numClass: 1,
  baseScores: (label) => [Math.fround(mean(label))],
  prepare() {},
  gradients(label, scores, _classIndex, grad, hess) {
    for (let i = 0; i < label.length; i++) {
      grad[i] = scores[i] - label[i];
      hess[i] = 1;
    }
  },
  loss(label, scores) {
    let sum = 0;
    for (let i = 0; i < label.length; i++) sum += (scores[i] - label[i]) ** 2;
    return Math.sqrt(sum / label.length);
  },
};

function multiclassObjective(k: number): BoostingObjective {
  let probabilities = new Float64Array(0);
  // LightGBM's factor: the softmax hessian's diagonal scaled by K/(K−1).
  const factor = k / (k - 1);
  return {
    numClass: k,
    baseScores(label) {
      const counts = new Float64Array(k);
      for (const y of label) counts[y]++;
      return Array.from(counts, (c) => Math.fround(Math.log(Math.max(c / label.length, 1e-6))));
    },
    prepare(scores) {
      probabilities = scores.slice();
      softmaxRowsInPlace(probabilities, k);
    },
    gradients(label, _scores, classIndex, grad, hess) {
      for (let i = 0; i < label.length; i++) {
        const p = probabilities[i * k + classIndex];
        grad[i] = p - (label[i] === classIndex ? 1 : 0);
        hess[i] = Math.max(factor * p * (1 - p), MIN_HESSIAN);
      }
    },
    loss(label, scores) {
      const p = scores.slice();
      softmaxRowsInPlace(p, k);
      let sum = 0;
      for (let i = 0; i < label.length; i++) sum -= Math.log(Math.min(Math.max(p[i * k + label[i]], EPS), 1 - EPS));
      return sum / label.length;
    },
  };
}

/**
 * Log-loss gradients and hessians of rows [start, end) of a binary model: p = σ(score), g = p − y,
 * h = max(p (1 − p), MIN_HESSIAN); with `pairs`, written there instead, interleaved (g, h), for
 * the WebAssembly histogram kernel (which reads nothing else). Self-contained on purpose: histogram workers run its source
 * (histogram-worker.pool.ts), hence the constant written out.
 */
export function binaryGradients(
  label: Float64Array,
  scores: Float64Array,
  grad: Float64Array,
  hess: Float64Array,
  start: number,
  end: number,
  pairs?: Float64Array,
): void {
  if (pairs) {
    for (let i = start; i < end; i++) {
      const p = 1 / (1 + Math.exp(-scores[i]));
      pairs[2 * i] = p - label[i];
      pairs[2 * i + 1] = Math.max(p * (1 - p), 1e-16);
    }
    return;
  }
  for (let i = start; i < end; i++) {
    // exp overflowing to Infinity still gives the right limit (0), so no branch is needed.
    const p = 1 / (1 + Math.exp(-scores[i]));
    grad[i] = p - label[i];
    hess[i] = Math.max(p * (1 - p), 1e-16); // MIN_HESSIAN
  }
}

function mean(values: Float64Array): number {
  let sum = 0;
  for (const v of values) sum += v;
  return values.length > 0 ? sum / values.length : 0;
}
