import { describe, expect, it } from 'vitest';

import { minimizeLbfgs, pseudoGradient, type SmoothObjective } from './lbfgs.solver';

/** Rosenbrock's banana: minimum 0 at (1, 1), a curved valley that needs a good line search. */
const rosenbrock: SmoothObjective = ([x, y], g) => {
  g[0] = -2 * (1 - x) - 400 * x * (y - x * x);
  g[1] = 200 * (y - x * x);
  return (1 - x) ** 2 + 100 * (y - x * x) ** 2;
};

/** ½·Σ d_i (x_i − c_i)²: an ill-conditioned separable quadratic with minimum at c. */
function quadratic(d: number[], c: number[]): SmoothObjective {
  return (x, g) => {
    let value = 0;
    x.forEach((xi, i) => {
      g[i] = d[i] * (xi - c[i]);
      value += 0.5 * d[i] * (xi - c[i]) ** 2;
    });
    return value;
  };
}

describe('minimizeLbfgs', () => {
  it('finds the minimum of the Rosenbrock function from the classic start, lowering the objective every step', async () => {
    const values: number[] = [];
    const result = await minimizeLbfgs(
      rosenbrock,
      Float64Array.of(-1.2, 1),
      { maxIterations: 200, tolerance: 1e-10 },
      { onIteration: (_, v) => values.push(v) },
    );
    // so close to 0 that the objective stops changing in float64 before the gradient is below 1e-10
    expect(['gradient', 'objective']).toContain(result.stop);
    expect(result.x[0]).toBeCloseTo(1, 8);
    expect(result.x[1]).toBeCloseTo(1, 8);
    expect(result.iterations).toBe(values.length);
    expect(result.iterations).toBeLessThan(60);
    values.slice(1).forEach((v, i) => expect(v).toBeLessThan(values[i]));
  });

  it('solves an ill-conditioned quadratic (condition number 10⁶)', async () => {
    const d = [1e-3, 1, 10, 1e3];
    const c = [3, -2, 0.5, 7];
    const result = await minimizeLbfgs(quadratic(d, c), new Float64Array(4), { maxIterations: 500, tolerance: 1e-6 });
    expect(result).toMatchObject({ stop: 'gradient' });
    expect(result.gradientMax).toBeLessThanOrEqual(1e-6);
    Array.from(result.x).forEach((x, i) => expect(x).toBeCloseTo(c[i], 3));
  });

  it('with l1 (OWL-QN) lands on the soft-thresholded optimum, exact zeros included, and leaves unpenalised coordinates alone', async () => {
    // min ½·Σ d_i (x_i − c_i)² + λ_i |x_i| has x_i = sign(c_i)·max(|c_i| − λ_i/d_i, 0)
    const d = [1, 2, 0.5, 4];
    const c = [3, -0.2, -2, 1];
    const l1 = Float64Array.of(1, 1, 0.5, 0);
    const result = await minimizeLbfgs(quadratic(d, c), new Float64Array(4), { maxIterations: 100, tolerance: 1e-8, l1 });
    expect(result.stop).toBe('gradient');
    expect(result.x[0]).toBeCloseTo(2, 7);
    expect(result.x[1]).toBe(0);
    expect(result.x[2]).toBeCloseTo(-1, 7);
    expect(result.x[3]).toBeCloseTo(1, 7);
    expect(result.value).toBeCloseTo(0.5 * (1 + 2 * 0.2 ** 2 + 0.5) + 2 + 0.5, 8);
  });

  it('stops at the iteration budget and reports why', async () => {
    const result = await minimizeLbfgs(rosenbrock, Float64Array.of(-1.2, 1), { maxIterations: 3, tolerance: 1e-10 });
    expect(result).toMatchObject({ stop: 'max_iterations', iterations: 3 });
  });

  it('returns the start untouched when it already satisfies the tolerance', async () => {
    const result = await minimizeLbfgs(quadratic([1], [2]), Float64Array.of(2), { maxIterations: 10, tolerance: 1e-8 });
    expect(result).toMatchObject({ stop: 'gradient', iterations: 0, evaluations: 1 });
  });

  it('rejects with the abort reason between iterations', async () => {
    const controller = new AbortController();
    const run = minimizeLbfgs(
      rosenbrock,
      Float64Array.of(-1.2, 1),
      { maxIterations: 100, tolerance: 1e-12 },
      {
        signal: controller.signal,
        onIteration: (iteration) => iteration === 2 && controller.abort(),
      },
    );
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('pseudoGradient', () => {
  it('adds the penalty slope away from zero and takes the descending one-sided slope (or 0) at zero', () => {
    const x = Float64Array.of(1, -1, 0, 0, 0, 0);
    const g = Float64Array.of(0.5, 0.5, -2, 2, 0.3, 0.3);
    const l1 = Float64Array.of(1, 1, 1, 1, 1, 0);
    expect(Array.from(pseudoGradient(x, g, l1))).toEqual([1.5, -0.5, -1, 1, 0, 0.3]);
  });
});
