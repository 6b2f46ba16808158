import { eventLoopYielder } from './training-input.util';

/** A smooth function of `x`: returns its value and writes its gradient into `gradient`. */
export type SmoothObjective = (x: Float64Array, gradient: Float64Array) => number;

export interface LbfgsOptions {
  maxIterations: number;
  /** Converged once max |gradient| (with `l1`: the pseudo-gradient) is at most this. */
  tolerance: number;
  /** Weight of |x_i| added to the objective, per coordinate (0 = not penalised): OWL-QN when any is positive. */
  l1?: Float64Array;
  /** Correction pairs kept for the inverse-Hessian estimate. */
  memory?: number;
}

export interface LbfgsHooks {
  /** After each accepted step: its 1-based number and the whole objective (smooth part + L1) there. */
  onIteration?(iteration: number, value: number): void;
  /** Checked before every iteration; an abort rejects with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * Why the run stopped: the gradient test passed, the objective stopped changing in float64, no
 * step along even the steepest-descent direction decreased it (numerically at the optimum), or
 * the iteration budget ran out.
 */
export type LbfgsStop = 'gradient' | 'objective' | 'line_search' | 'max_iterations';

export interface LbfgsResult {
  x: Float64Array;
  value: number;
  /** max |(pseudo-)gradient| at `x` */
  gradientMax: number;
  iterations: number;
  evaluations: number;
  stop: LbfgsStop;
}

const DEFAULT_MEMORY = 10;
/** Function evaluations one line search may spend (scikit-learn gives scipy's L-BFGS-B 50 too). */
const MAX_LINE_SEARCH = 50;
/** Sufficient decrease (Armijo) and curvature constants of the Wolfe conditions, as in Nocedal & Wright. */
const ARMIJO = 1e-4;
const CURVATURE = 0.9;
/** Relative decrease below which the objective counts as unchanged: scipy's ftol as scikit-learn sets it. */
const RELATIVE_DECREASE = 64 * Number.EPSILON;

interface Point {
  x: Float64Array;
  /** gradient of the smooth part */
  g: Float64Array;
  /** smooth part + L1 */
  value: number;
  /** the (pseudo-)gradient that decides the direction and the stopping test */
  pg: Float64Array;
}

/**
 * Minimises `objective(x) + Σ l1_i·|x_i|` from `start` with L-BFGS: a strong-Wolfe line search
 * without L1, and OWL-QN (Andrew & Gao, 2007) with it — the quasi-Newton direction taken on the
 * pseudo-gradient, kept within the current orthant, and a backtracking line search that projects
 * each trial point back onto that orthant, so coordinates reach exactly 0. Deterministic: the same
 * inputs take the same steps.
 */
export async function minimizeLbfgs(
  objective: SmoothObjective,
  start: Float64Array,
  options: LbfgsOptions,
  hooks: LbfgsHooks = {},
): Promise<LbfgsResult> {
  const l1 = options.l1?.some((weight) => weight > 0) ? options.l1 : undefined;
  let evaluations = 0;
  const evaluate = (x: Float64Array): Point => {
    evaluations++;
    const g = new Float64Array(x.length);
    const value = objective(x, g) + (l1 ? l1Norm(x, l1) : 0);
    return { x, g, value, pg: l1 ? pseudoGradient(x, g, l1) : g };
  };
  const pairs = new CorrectionPairs(options.memory ?? DEFAULT_MEMORY);
  const yieldToEventLoop = eventLoopYielder();
  let point = evaluate(Float64Array.from(start));
  let iterations = 0;
  let stop: LbfgsStop = maxAbs(point.pg) <= options.tolerance ? 'gradient' : 'max_iterations';
  while (stop === 'max_iterations' && iterations < options.maxIterations) {
    hooks.signal?.throwIfAborted();
    const { direction, slope } = descentDirection(pairs, point, l1);
    const firstStep = pairs.size === 0 ? 1 / Math.sqrt(dot(point.pg, point.pg)) : 1;
    const next = l1
      ? orthantBacktracking(evaluate, point, direction, firstStep, l1)
      : strongWolfeSearch(evaluate, point, direction, slope, firstStep);
    if (!next) {
      // A stale curvature estimate can point badly; retry once from steepest descent.
      if (pairs.size > 0) {
        pairs.clear();
        continue;
      }
      stop = 'line_search';
      break;
    }
    iterations++;
    pairs.push(subtract(next.x, point.x), gradientChange(point, next, l1));
    const decrease = (point.value - next.value) / Math.max(Math.abs(point.value), Math.abs(next.value), 1);
    point = next;
    hooks.onIteration?.(iterations, point.value);
    if (maxAbs(point.pg) <= options.tolerance) stop = 'gradient';
    else if (decrease <= RELATIVE_DECREASE) stop = 'objective';
    await yieldToEventLoop(); // so an abort (or anything else waiting) can land
  }
  return { x: point.x, value: point.value, gradientMax: maxAbs(point.pg), iterations, evaluations, stop };
}

/**
 * y = ∇f(next) − ∇f(from), restricted to the coordinates that are free to move: one that an L1
 * weight holds at 0 on both sides took no step, and its gradient change would only shrink the
 * curvature estimate of the others (γ = sᵀy / yᵀy), slowing the coordinates that do move.
 */
function gradientChange(from: Point, next: Point, l1: Float64Array | undefined): Float64Array {
  return next.g.map((g, i) => (l1 && l1[i] > 0 && from.x[i] === 0 && next.x[i] === 0 ? 0 : g - from.g[i]));
}

/**
 * −H·pg from the stored pairs; with L1, components that would leave the orthant the
 * pseudo-gradient points into are dropped. Falls back to steepest descent (and forgets the pairs)
 * when that is not a descent direction.
 */
function descentDirection(pairs: CorrectionPairs, point: Point, l1: Float64Array | undefined): { direction: Float64Array; slope: number } {
  const direction = pairs.inverseHessianTimes(point.pg).map((v) => -v);
  if (l1) {
    for (let i = 0; i < direction.length; i++) if (l1[i] > 0 && direction[i] * point.pg[i] >= 0) direction[i] = 0;
  }
  const slope = dot(direction, point.pg);
  if (slope < 0) return { direction, slope };
  pairs.clear();
  return { direction: point.pg.map((v) => -v), slope: -dot(point.pg, point.pg) };
}

/** The last `memory` steps s and gradient changes y, and the two-loop recursion over them. */
class CorrectionPairs {
  private readonly pairs: { s: Float64Array; y: Float64Array; rho: number }[] = [];

  constructor(private readonly memory: number) {}

  get size(): number {
    return this.pairs.length;
  }

  /** Pairs without positive curvature (sᵀy ≤ 0, possible only where the objective is flat) are skipped. */
  push(s: Float64Array, y: Float64Array): void {
    const sy = dot(s, y);
    if (!(sy > 1e-10 * dot(y, y))) return;
    if (this.pairs.length === this.memory) this.pairs.shift();
    this.pairs.push({ s, y, rho: 1 / sy });
  }

  clear(): void {
    this.pairs.length = 0;
  }

  inverseHessianTimes(v: Float64Array): Float64Array {
    const q = Float64Array.from(v);
    const alphas: number[] = [];
    for (let k = this.pairs.length - 1; k >= 0; k--) {
      const { s, y, rho } = this.pairs[k];
      const alpha = rho * dot(s, q);
      alphas[k] = alpha;
      axpy(-alpha, y, q);
    }
    const newest = this.pairs.at(-1);
    // Initial Hessian γI with γ = sᵀy / yᵀy of the newest pair: the usual scaling.
    const gamma = newest ? 1 / (newest.rho * dot(newest.y, newest.y)) : 1;
    for (let i = 0; i < q.length; i++) q[i] *= gamma;
    this.pairs.forEach(({ s, y, rho }, k) => axpy(alphas[k] - rho * dot(y, q), s, q));
    return q;
  }
}

interface Trial {
  step: number;
  point: Point;
  /** directional derivative at the trial point */
  slope: number;
}

/**
 * A step satisfying the strong Wolfe conditions (Nocedal & Wright, algorithms 3.5 and 3.6):
 * bracket by doubling, then zoom with safeguarded cubic interpolation. Undefined when no step in
 * the budget decreased the objective.
 */
function strongWolfeSearch(
  evaluate: (x: Float64Array) => Point,
  from: Point,
  direction: Float64Array,
  slope0: number,
  firstStep: number,
): Point | undefined {
  const at = (step: number): Trial => {
    const point = evaluate(addScaled(from.x, step, direction));
    return { step, point, slope: dot(point.g, direction) };
  };
  const sufficient = (t: Trial): boolean => t.point.value <= from.value + ARMIJO * t.step * slope0;
  const curved = (t: Trial): boolean => Math.abs(t.slope) <= -CURVATURE * slope0;
  let previous: Trial = { step: 0, point: from, slope: slope0 };
  let step = firstStep;
  for (let budget = MAX_LINE_SEARCH; budget > 0; budget--) {
    const trial = at(step);
    if (!sufficient(trial) || (previous.step > 0 && trial.point.value >= previous.point.value)) {
      return zoom(previous, trial, budget - 1);
    }
    if (curved(trial)) return trial.point;
    if (trial.slope >= 0) return zoom(trial, previous, budget - 1);
    previous = trial;
    step *= 2;
  }
  return previous.step > 0 ? previous.point : undefined;

  /** `lo` satisfies sufficient decrease and is the lowest so far; the minimiser lies between lo and hi. */
  function zoom(lo: Trial, hi: Trial, budget: number): Point | undefined {
    for (; budget > 0 && Math.abs(hi.step - lo.step) > 1e-14 * Math.max(hi.step, lo.step); budget--) {
      const trial = at(interpolate(lo, hi));
      if (!sufficient(trial) || trial.point.value >= lo.point.value) {
        hi = trial;
        continue;
      }
      if (curved(trial)) return trial.point;
      if (trial.slope * (hi.step - lo.step) >= 0) hi = lo;
      lo = trial;
    }
    return lo.step > 0 ? lo.point : undefined;
  }
}

/** The minimiser of the cubic through both trials' values and slopes, or bisection when it falls near an end. */
function interpolate(a: Trial, b: Trial): number {
  const d1 = a.slope + b.slope - (3 * (a.point.value - b.point.value)) / (a.step - b.step);
  const d2 = Math.sign(b.step - a.step) * Math.sqrt(d1 * d1 - a.slope * b.slope);
  const cubic = b.step - ((b.step - a.step) * (b.slope + d2 - d1)) / (b.slope - a.slope + 2 * d2);
  const left = Math.min(a.step, b.step);
  const width = Math.abs(b.step - a.step);
  return Number.isFinite(cubic) && cubic >= left + 0.1 * width && cubic <= left + 0.9 * width ? cubic : left + width / 2;
}

/**
 * OWL-QN's line search: halve the step until the point, projected onto the orthant of `from`
 * (a zero coordinate takes the sign of −pseudo-gradient), decreases the objective enough.
 */
function orthantBacktracking(
  evaluate: (x: Float64Array) => Point,
  from: Point,
  direction: Float64Array,
  firstStep: number,
  l1: Float64Array,
): Point | undefined {
  const orthant = from.x.map((x, i) => (x !== 0 ? Math.sign(x) : -Math.sign(from.pg[i])));
  let step = firstStep;
  for (let budget = MAX_LINE_SEARCH; budget > 0; budget--, step /= 2) {
    const x = addScaled(from.x, step, direction);
    for (let i = 0; i < x.length; i++) if (l1[i] > 0 && x[i] * orthant[i] <= 0) x[i] = 0;
    const point = evaluate(x);
    if (point.value <= from.value + ARMIJO * dot(from.pg, subtract(x, from.x))) return point;
  }
  return undefined;
}

/**
 * The steepest-descent direction's negative for `f + Σ l1_i|x_i|`: the gradient plus the
 * penalty's slope where x_i ≠ 0; at x_i = 0 the one-sided slope that descends, or 0 when neither does.
 */
export function pseudoGradient(x: Float64Array, g: Float64Array, l1: Float64Array): Float64Array {
  return g.map((gi, i) => {
    const weight = l1[i];
    if (weight === 0 || x[i] > 0) return gi + weight;
    if (x[i] < 0) return gi - weight;
    if (gi + weight < 0) return gi + weight;
    if (gi - weight > 0) return gi - weight;
    return 0;
  });
}

function l1Norm(x: Float64Array, l1: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += l1[i] * Math.abs(x[i]);
  return sum;
}

function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

function maxAbs(v: Float64Array): number {
  let max = 0;
  for (const x of v) max = Math.max(max, Math.abs(x));
  return max;
}

/** y += a·x, in place. */
function axpy(a: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < y.length; i++) y[i] += a * x[i];
}

function addScaled(x: Float64Array, a: number, d: Float64Array): Float64Array {
  return x.map((v, i) => v + a * d[i]);
}

function subtract(a: Float64Array, b: Float64Array): Float64Array {
  return a.map((v, i) => v - b[i]);
}
