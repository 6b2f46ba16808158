import type { SmoothObjective } from './lbfgs.solver';
import type { DesignMatrix } from './linear.objective';

/**
 * The least-squares objective ½·mean((x·w + b − y)²) as a quadratic in θ = [w…, b]:
 * ½·θᵀAθ − cᵀθ + ½·mean(y²), with A = [X 1]ᵀ[X 1] / n (row-major, (F+1)²) and c = [X 1]ᵀy / n.
 */
export interface GramSystem {
  a: Float64Array;
  c: Float64Array;
  meanSquaredTarget: number;
  size: number;
}

/** Rows accumulated between two calls of `between` (so a long pass can yield and be aborted). */
const ROW_BLOCK = 16_384;

/** One pass over the rows: the upper triangle of A accumulated row by row, then mirrored. */
export async function gramSystem(design: DesignMatrix, target: Float64Array, between: () => Promise<void>): Promise<GramSystem> {
  const { values, rowCount, featureCount } = design;
  const size = featureCount + 1;
  const a = new Float64Array(size * size);
  const c = new Float64Array(size);
  let squares = 0;
  for (let start = 0; start < rowCount; start += ROW_BLOCK) {
    await between();
    for (let i = start, row = start * featureCount; i < Math.min(start + ROW_BLOCK, rowCount); i++, row += featureCount) {
      const y = target[i];
      squares += y * y;
      for (let p = 0; p < featureCount; p++) {
        const xp = values[row + p];
        c[p] += xp * y;
        for (let q = p, at = p * size + p; q < featureCount; q++, at++) a[at] += xp * values[row + q];
        a[p * size + featureCount] += xp; // the bias column, all ones
      }
      c[featureCount] += y;
    }
  }
  a[size * size - 1] = rowCount;
  for (let p = 0; p < size; p++) {
    c[p] /= rowCount;
    for (let q = p; q < size; q++) a[q * size + p] = a[p * size + q] /= rowCount;
  }
  return { a, c, meanSquaredTarget: squares / rowCount, size };
}

/**
 * Exact ridge: solves (A + 2·l2·I_w)θ = c (the bias unpenalised) by Cholesky. A column that is a
 * linear combination of earlier ones (a constant feature, a duplicate) makes a pivot vanish
 * without `l2`; that coordinate is set to 0, which leaves the least-squares fit unchanged.
 */
export function solveRidge({ a, c, size }: GramSystem, l2: number): Float64Array {
  const m = Float64Array.from(a);
  for (let j = 0; j < size - 1; j++) m[j * size + j] += 2 * l2;
  const dropped = choleskyInPlace(m, size);
  // forward substitution L·z = c, then back substitution Lᵀ·θ = z
  const z = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    if (dropped[i]) continue;
    let sum = c[i];
    for (let k = 0; k < i; k++) sum -= m[i * size + k] * z[k];
    z[i] = sum / m[i * size + i];
  }
  const theta = new Float64Array(size);
  for (let i = size - 1; i >= 0; i--) {
    if (dropped[i]) continue;
    let sum = z[i];
    for (let k = i + 1; k < size; k++) sum -= m[k * size + i] * theta[k];
    theta[i] = sum / m[i * size + i];
  }
  return theta;
}

/** Pivots below this share of their diagonal entry are treated as zero (a dependent column). */
const PIVOT_TOLERANCE = 1e-12;

/** Lower-triangular L with LLᵀ = m, written over m's lower triangle; returns which columns were dropped. */
function choleskyInPlace(m: Float64Array, size: number): boolean[] {
  const dropped: boolean[] = [];
  for (let j = 0; j < size; j++) {
    let pivot = m[j * size + j];
    for (let k = 0; k < j; k++) pivot -= m[j * size + k] ** 2;
    dropped[j] = !(pivot > PIVOT_TOLERANCE * m[j * size + j]);
    const diagonal = dropped[j] ? 1 : Math.sqrt(pivot);
    m[j * size + j] = diagonal;
    for (let i = j + 1; i < size; i++) {
      if (dropped[j]) {
        m[i * size + j] = 0;
        continue;
      }
      let sum = m[i * size + j];
      for (let k = 0; k < j; k++) sum -= m[i * size + k] * m[j * size + k];
      m[i * size + j] = sum / diagonal;
    }
  }
  return dropped;
}

/**
 * The least-squares objective ½θᵀAθ − cᵀθ + ½·mean(y²) + l2·Σw² as a function of θ, with its
 * gradient Aθ − c + 2·l2·w: O((F+1)²) per evaluation, no pass over the rows. With an L1 weight
 * it is what OWL-QN minimises for lasso and elastic net.
 */
export function gramObjective({ a, c, size, meanSquaredTarget }: GramSystem, l2: number): SmoothObjective {
  return (theta, gradient) => {
    let value = 0.5 * meanSquaredTarget;
    for (let p = 0; p < size; p++) {
      let row = 0;
      for (let q = 0; q < size; q++) row += a[p * size + q] * theta[q];
      value += theta[p] * (0.5 * row - c[p]);
      gradient[p] = row - c[p];
      if (p < size - 1) {
        value += l2 * theta[p] ** 2;
        gradient[p] += 2 * l2 * theta[p];
      }
    }
    return value;
  };
}
