import { describe, expect, it } from 'vitest';

import { minimizeLbfgs } from './lbfgs.solver';
import { linearObjective } from './linear.objective';
import { gramObjective, gramSystem, solveRidge } from './normal-equations.solver';

/** y = 1 + 2·a − b exactly, with `a` repeated as a third column: the Gram matrix is singular. */
const rows = [
  [0, 1],
  [1, 0],
  [2, 1],
  [3, 5],
  [-1, 2],
];
const design = { values: Float64Array.from(rows.flatMap(([a, b]) => [a, b, a])), rowCount: rows.length, featureCount: 3 };
const target = Float64Array.from(rows, ([a, b]) => 1 + 2 * a - b);
const noYield = async (): Promise<void> => undefined;

describe('solveRidge', () => {
  it('without l2 drops a dependent column (weight 0) and still fits exactly', async () => {
    const system = await gramSystem(design, target, noYield);
    const theta = solveRidge(system, 0);
    expect(theta[0]).toBeCloseTo(2, 12);
    expect(theta[1]).toBeCloseTo(-1, 12);
    expect(theta[2]).toBe(0);
    expect(theta[3]).toBeCloseTo(1, 12);
    expect(gramObjective(system, 0)(theta, new Float64Array(4))).toBeCloseTo(0, 12);
  });

  it('with l2 shares the weight equally between identical columns', async () => {
    const theta = solveRidge(await gramSystem(design, target, noYield), 0.1);
    expect(theta[0]).toBeCloseTo(theta[2], 12);
    expect(theta[0]).toBeGreaterThan(0.5);
  });
});

describe('gramObjective', () => {
  it('equals the objective computed over the rows, value and gradient, without touching them', async () => {
    const system = await gramSystem(design, target, noYield);
    const theta = Float64Array.of(0.3, -1.2, 2.5, 0.7);
    const [fromGram, fromRows] = [new Float64Array(4), new Float64Array(4)];
    const value = gramObjective(system, 0.05)(theta, fromGram);
    expect(value).toBeCloseTo(linearObjective(design, target, 'squared', 0.05)(theta, fromRows), 12);
    Array.from(fromGram).forEach((g, j) => expect(g).toBeCloseTo(fromRows[j], 12));
  });

  it('under OWL-QN, a penalty larger than any pull leaves every weight at exactly 0 and the bias at the mean', async () => {
    const system = await gramSystem(design, target, noYield);
    const l1 = Float64Array.of(100, 100, 100, 0);
    const { x } = await minimizeLbfgs(gramObjective(system, 0), new Float64Array(4), { maxIterations: 50, tolerance: 1e-12, l1 });
    expect(Array.from(x.subarray(0, 3))).toEqual([0, 0, 0]);
    expect(x[3]).toBeCloseTo(target.reduce((s, y) => s + y, 0) / target.length, 12);
  });
});
