import type { Dataset } from '../dataset/dataset.types';
import type { SmoothObjective } from './lbfgs.solver';
import type { LinearLoss } from './linear-model.params';
import { standardize, type Standardizer } from './standardizer.fit';

/** The standardised training matrix, row-major: row i is `values[i·featureCount … (i+1)·featureCount)`. */
export interface DesignMatrix {
  values: Float64Array;
  rowCount: number;
  featureCount: number;
}

/** Rows transposed at a time: their slice of the matrix stays in cache while each column is written into it. */
const TRANSPOSE_ROWS = 512;

/** Builds the design matrix once: every cell standardised, missing values at the training mean (0). */
export function designMatrix(dataset: Dataset, { means, scales }: Standardizer): DesignMatrix {
  const { rowCount, columns } = dataset;
  const featureCount = columns.length;
  const values = new Float64Array(rowCount * featureCount);
  for (let start = 0; start < rowCount; start += TRANSPOSE_ROWS) {
    const end = Math.min(start + TRANSPOSE_ROWS, rowCount);
    columns.forEach((column, j) => {
      const mean = means[j];
      const scale = scales[j];
      for (let i = start, at = start * featureCount + j; i < end; i++, at += featureCount) values[at] = standardize(column[i], mean, scale);
    });
  }
  return { values, rowCount, featureCount };
}

/**
 * Mean loss of `score = x·w + b` plus `l2`·Σw² over θ = [w…, b], value and gradient in one pass
 * over the rows. `logistic`: log(1 + e^z) − y·z against 0/1 labels, derivative sigmoid(z) − y,
 * both from e^−|z|, which never overflows. `squared`: ½·(z − y)², derivative z − y.
 */
export function linearObjective(
  { values, rowCount, featureCount }: DesignMatrix,
  target: Float64Array,
  loss: LinearLoss,
  l2: number,
): SmoothObjective {
  const logistic = loss === 'logistic';
  return (theta, gradient) => {
    const bias = theta[featureCount];
    gradient.fill(0);
    let lossSum = 0;
    let biasGradient = 0;
    for (let i = 0, row = 0; i < rowCount; i++, row += featureCount) {
      const z = bias + rowDot(values, row, theta, featureCount);
      const y = target[i];
      let residual: number; // ∂loss/∂z
      if (logistic) {
        const e = Math.exp(-Math.abs(z));
        lossSum += Math.log1p(e) + Math.max(z, 0) - y * z;
        residual = (z >= 0 ? 1 : e) / (1 + e) - y;
      } else {
        residual = z - y;
        lossSum += 0.5 * residual * residual;
      }
      addScaledRow(gradient, residual, values, row, featureCount);
      biasGradient += residual;
    }
    gradient[featureCount] = biasGradient;
    return meanWithRidge(lossSum, theta, gradient, rowCount, featureCount, l2);
  };
}

/**
 * Mean softmax cross-entropy of the class scores `z_k = x·w_k + b_k` plus `l2`·Σw² over
 * θ = [w_0…, w_1…, …, w_{K−1}…, b_0 … b_{K−1}] (class k's weights at θ[k·F … (k+1)·F)), against
 * class indices 0..K−1. Per row: log Σ_k e^{z_k} − z_y taken around the largest score
 * (log-sum-exp: no e^z overflows), derivative softmax(z)_k − [y = k].
 */
export function softmaxObjective(
  { values, rowCount, featureCount }: DesignMatrix,
  target: Float64Array,
  numClass: number,
  l2: number,
): SmoothObjective {
  const weightCount = numClass * featureCount;
  const classWeights = (v: Float64Array) =>
    Array.from({ length: numClass }, (_, k) => v.subarray(k * featureCount, (k + 1) * featureCount));
  const scores = new Float64Array(numClass);
  return (theta, gradient) => {
    const w = classWeights(theta);
    const g = classWeights(gradient);
    gradient.fill(0);
    let lossSum = 0;
    for (let i = 0, row = 0; i < rowCount; i++, row += featureCount) {
      let max = -Infinity;
      for (let k = 0; k < numClass; k++) {
        scores[k] = theta[weightCount + k] + rowDot(values, row, w[k], featureCount);
        max = Math.max(max, scores[k]);
      }
      const y = target[i];
      const label = scores[y];
      let sum = 0;
      for (let k = 0; k < numClass; k++) {
        scores[k] = Math.exp(scores[k] - max);
        sum += scores[k];
      }
      lossSum += max + Math.log(sum) - label;
      for (let k = 0; k < numClass; k++) {
        const residual = scores[k] / sum - (k === y ? 1 : 0); // ∂loss/∂z_k
        addScaledRow(g[k], residual, values, row, featureCount);
        gradient[weightCount + k] += residual;
      }
    }
    return meanWithRidge(lossSum, theta, gradient, rowCount, weightCount, l2);
  };
}

/**
 * Turns sums over rows into means and adds `l2`·Σw² over the first `penalised` entries of θ, the
 * weights; the biases after them are never penalised.
 */
function meanWithRidge(
  lossSum: number,
  theta: Float64Array,
  gradient: Float64Array,
  rowCount: number,
  penalised: number,
  l2: number,
): number {
  let penalty = 0;
  for (let j = 0; j < penalised; j++) {
    gradient[j] = gradient[j] / rowCount + 2 * l2 * theta[j];
    penalty += theta[j] * theta[j];
  }
  for (let j = penalised; j < gradient.length; j++) gradient[j] /= rowCount;
  return lossSum / rowCount + l2 * penalty;
}

// The two kernels every evaluation spends its time in. Four independent sums (and four updates a
// step) let the CPU overlap the multiply-adds; measured ~30 % faster than the plain loops in V8.

/** Σ_j values[row + j] · w[j]. */
function rowDot(values: Float64Array, row: number, w: Float64Array, count: number): number {
  let z0 = 0;
  let z1 = 0;
  let z2 = 0;
  let z3 = 0;
  let j = 0;
  for (; j + 3 < count; j += 4) {
    z0 += values[row + j] * w[j];
    z1 += values[row + j + 1] * w[j + 1];
    z2 += values[row + j + 2] * w[j + 2];
    z3 += values[row + j + 3] * w[j + 3];
  }
  for (; j < count; j++) z0 += values[row + j] * w[j];
  return z0 + z1 + (z2 + z3);
}

/** sum[j] += a · values[row + j]. */
function addScaledRow(sum: Float64Array, a: number, values: Float64Array, row: number, count: number): void {
  let j = 0;
  for (; j + 3 < count; j += 4) {
    sum[j] += a * values[row + j];
    sum[j + 1] += a * values[row + j + 1];
    sum[j + 2] += a * values[row + j + 2];
    sum[j + 3] += a * values[row + j + 3];
  }
  for (; j < count; j++) sum[j] += a * values[row + j];
}
