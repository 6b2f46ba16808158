/**
 * Distances between a baseline distribution and a live one, as drift monitoring reports them.
 * Each matches SciPy's function of the same meaning exactly (checked against
 * `fixtures/drift.scipy.json`): the numbers a data scientist gets in a notebook are the numbers
 * the platform alerts on.
 */

/**
 * Two-sample Kolmogorov–Smirnov statistic: the largest gap between the two empirical CDFs, taken
 * over every value of either sample (SciPy `ks_2samp(a, b).statistic`). NaN is left out; null
 * when either side has no values.
 */
export function ksStatistic(a: ArrayLike<number>, b: ArrayLike<number>): number | null {
  const x = sortedFinite(a);
  const y = sortedFinite(b);
  if (x.length === 0 || y.length === 0) return null;
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < x.length && j < y.length) {
    const v = Math.min(x[i]!, y[j]!);
    while (i < x.length && x[i]! <= v) i++;
    while (j < y.length && y[j]! <= v) j++;
    d = Math.max(d, Math.abs(i / x.length - j / y.length));
  }
  return d;
}

/**
 * First Wasserstein (earth mover's) distance between two samples: the area between their
 * empirical CDFs (SciPy `wasserstein_distance(a, b)`), in the feature's own unit. NaN is left
 * out; null when either side has no values.
 */
export function wassersteinDistance(a: ArrayLike<number>, b: ArrayLike<number>): number | null {
  const x = sortedFinite(a);
  const y = sortedFinite(b);
  if (x.length === 0 || y.length === 0) return null;
  let i = 0;
  let j = 0;
  let area = 0;
  let previous = Math.min(x[0]!, y[0]!);
  while (i < x.length || j < y.length) {
    const v = Math.min(i < x.length ? x[i]! : Infinity, j < y.length ? y[j]! : Infinity);
    area += Math.abs(i / x.length - j / y.length) * (v - previous);
    while (i < x.length && x[i]! <= v) i++;
    while (j < y.length && y[j]! <= v) j++;
    previous = v;
  }
  return area;
}

/**
 * `ksStatistic(sample, live)` and `wassersteinDistance(sample, live)` at once, for a small sorted
 * reference (a baseline's order statistics) against many live values, without sorting them: each
 * live value is placed among the sample's distinct values by binary search and counted (and its
 * distance to the next sample value summed) per interval. Between two sample values the
 * reference CDF is constant, so the KS gap is largest at the first or last live value of an
 * interval, and the area between the CDFs follows from the counts and sums — unless the live CDF
 * crosses the reference's inside the interval; only those intervals' values are sorted. Equal to
 * the two functions (KS exactly, Wasserstein to rounding); live values ±∞ fall back to them.
 */
export function sampleDistances(sample: ArrayLike<number>, live: ArrayLike<number>): { ks: number | null; wasserstein: number | null } {
  const s = sortedFinite(sample);
  for (let i = 0; i < live.length; i++) {
    if (live[i] === Infinity || live[i] === -Infinity)
      return { ks: ksStatistic(sample, live), wasserstein: wassersteinDistance(sample, live) };
  }
  // the sample's distinct values u[0..d) and how many sample values are ≤ each
  const u = new Float64Array(s.length);
  const atOrBelow = new Float64Array(s.length);
  let d = 0;
  for (let i = 0; i < s.length; i++) {
    if (d > 0 && u[d - 1] === s[i]) atOrBelow[d - 1]!++;
    else {
      u[d] = s[i]!;
      atOrBelow[d] = (d > 0 ? atOrBelow[d - 1]! : 0) + 1;
      d++;
    }
  }
  // interval j < d holds live values strictly between u[j−1] and u[j] (u[−1] = −∞); interval d those above u[d−1].
  // `slot` records each live value's place: 2j for interval j, 2j + 1 for a value equal to u[j] (−1: NaN)
  const between = new Float64Array(d + 1);
  const gaps = new Float64Array(d + 1); // Σ (u[j] − v) in interval j < d; Σ (v − u[d−1]) in interval d
  const equal = new Float64Array(d);
  // each interval's smallest live value and how many times it occurs (the first step of the live CDF there)
  const lowest = new Float64Array(d + 1).fill(Infinity);
  const lowestCount = new Float64Array(d + 1);
  const slot = new Int32Array(live.length);
  // a lookup table over [u[0], u[d−1]] in equal cells: cellStart[c] is the first index whose value
  // is ≥ the start of cell c, so a value is placed by a lookup and a step or two — a binary search
  // over the cell's own indices where the cell holds many (a heavy tail)
  const first = u[0] ?? 0;
  const last = d > 0 ? u[d - 1]! : 0;
  const cells = d > 1 && last > first ? LOOKUP_CELLS : 0;
  const scale = cells > 0 ? cells / (last - first) : 0;
  const cellStart = new Int32Array(cells + 2);
  for (let c = 0, index = 0; c <= cells; c++) {
    const edge = first + c / scale;
    while (index < d && u[index]! < edge) index++;
    cellStart[c] = index;
  }
  cellStart[cells + 1] = d;
  let n = 0;
  for (let i = 0; i < live.length; i++) {
    const v = live[i]!;
    if (v !== v) {
      slot[i] = -1;
      continue;
    }
    n++;
    // the first index with u[index] ≥ v (d when none)
    let lo: number;
    if (v <= first) lo = 0;
    else if (v > last) lo = d;
    else if (cells === 0) lo = d > 0 && u[0]! < v ? 1 : 0;
    else {
      const cell = Math.min(cells - 1, ((v - first) * scale) | 0);
      lo = cellStart[cell]!;
      let hi = cellStart[cell + 2]!;
      if (hi - lo > 8) {
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (u[mid]! < v) lo = mid + 1;
          else hi = mid;
        }
      }
      // exact whatever the rounding at the cell's edges
      while (lo > 0 && u[lo - 1]! >= v) lo--;
      while (lo < d && u[lo]! < v) lo++;
    }
    if (lo < d && u[lo] === v) {
      equal[lo]!++;
      slot[i] = 2 * lo + 1;
      continue;
    }
    slot[i] = 2 * lo;
    between[lo]!++;
    gaps[lo]! += lo < d ? u[lo]! - v : v - u[d - 1]!;
    if (v < lowest[lo]!) {
      lowest[lo] = v;
      lowestCount[lo] = 1;
    } else if (v === lowest[lo]) lowestCount[lo]!++;
  }
  const m = s.length;
  if (m === 0 || n === 0) return { ks: null, wasserstein: null };

  let ks = 0;
  let area = 0;
  const crossing: number[] = [];
  const belowAt = new Float64Array(d + 1); // live values ≤ u[j−1], per interval
  let below = 0;
  for (let j = 0; j <= d; j++) {
    belowAt[j] = below;
    const c = j === 0 ? 0 : atOrBelow[j - 1]! / m; // reference CDF inside interval j
    const q = between[j]!;
    // KS at the interval's first and last live value (the first with its ties)
    if (q > 0) ks = Math.max(ks, Math.abs(c - (below + lowestCount[j]!) / n), Math.abs(c - (below + q) / n));
    if (j > 0 && j < d) {
      const width = u[j]! - u[j - 1]!;
      // ∫ F_live over the interval = (below · width + Σ (u[j] − v)) / n
      const integral = (below * width + gaps[j]!) / n;
      if ((below + q) / n <= c) area += c * width - integral;
      else if (below / n >= c) area += integral - c * width;
      else crossing.push(j);
    } else {
      // below the sample F_ref = 0: ∫ F_live = Σ (u[0] − v) / n; above it F_ref = 1: ∫ (1 − F_live) = Σ (v − u[d−1]) / n
      area += gaps[j]! / n;
    }
    below += q;
    if (j < d) {
      below += equal[j]!;
      ks = Math.max(ks, Math.abs(atOrBelow[j]! / m - below / n));
    }
  }
  if (crossing.length > 0) area += crossingArea({ u, atOrBelow, m, n, live, slot, crossing, between, belowAt });
  return { ks, wasserstein: area };
}

/**
 * The area between the CDFs inside the intervals where the live CDF crosses the reference's:
 * those intervals' live values gathered (by the slots of the first pass) and sorted.
 */
/** Cells of `sampleDistances`'s lookup table over the reference's range. */
const LOOKUP_CELLS = 8192;

function crossingArea(t: {
  u: Float64Array;
  atOrBelow: Float64Array;
  m: number;
  n: number;
  live: ArrayLike<number>;
  slot: Int32Array;
  crossing: number[];
  between: Float64Array;
  belowAt: Float64Array;
}): number {
  const { u, atOrBelow, m, n, live, slot, crossing, between, belowAt } = t;
  // where each crossing interval's values go in one buffer
  const offset = new Int32Array(u.length + 1).fill(-1);
  let total = 0;
  for (const j of crossing) {
    offset[j] = total;
    total += between[j]!;
  }
  const values = new Float64Array(total);
  const filled = new Int32Array(u.length + 1);
  for (let i = 0; i < live.length; i++) {
    const k = slot[i]!;
    if (k < 0 || k & 1) continue;
    const j = k >> 1;
    if (offset[j]! < 0) continue;
    values[offset[j]! + filled[j]!++] = live[i]!;
  }
  let area = 0;
  for (const j of crossing) {
    const c = atOrBelow[j - 1]! / m;
    const own = values.subarray(offset[j]!, offset[j]! + between[j]!).sort();
    let count = belowAt[j]!;
    let previous = u[j - 1]!;
    for (const v of own) {
      area += Math.abs(c - count / n) * (v - previous);
      count++;
      previous = v;
    }
    area += Math.abs(c - count / n) * (u[j]! - previous);
  }
  return area;
}

/**
 * Jensen–Shannon distance between two histograms over the same bins (counts or shares, each
 * normalised to 1), natural logarithm: √(½ KL(p‖m) + ½ KL(q‖m)) with m = (p + q) / 2 — SciPy
 * `spatial.distance.jensenshannon(p, q)`. Between 0 (same) and √ln 2 ≈ 0.833 (disjoint); null when
 * either side is empty.
 */
export function jensenShannonDistance(p: readonly number[], q: readonly number[]): number | null {
  if (p.length !== q.length) throw new RangeError(`jensenShannonDistance: ${p.length} bins against ${q.length}`);
  const sp = sum(p);
  const sq = sum(q);
  if (!(sp > 0) || !(sq > 0)) return null;
  let divergence = 0;
  for (let k = 0; k < p.length; k++) {
    const pk = p[k]! / sp;
    const qk = q[k]! / sq;
    const m = (pk + qk) / 2;
    if (pk > 0) divergence += pk * Math.log(pk / m);
    if (qk > 0) divergence += qk * Math.log(qk / m);
  }
  return Math.sqrt(Math.max(divergence, 0) / 2);
}

/**
 * Pearson's chi-square goodness-of-fit test of observed counts against expected shares (scaled to
 * the observed total), k − 1 degrees of freedom — SciPy `stats.chisquare(observed, expected)`.
 * Every expected share must be positive (smooth the baseline first); null without observations
 * or with fewer than two categories.
 */
export function chiSquareTest(observed: readonly number[], expected: readonly number[]): { statistic: number; pValue: number } | null {
  if (observed.length !== expected.length) throw new RangeError(`chiSquareTest: ${observed.length} categories against ${expected.length}`);
  const total = sum(observed);
  const shares = sum(expected);
  if (!(total > 0) || !(shares > 0) || observed.length < 2) return null;
  let statistic = 0;
  for (let k = 0; k < observed.length; k++) {
    const e = (expected[k]! / shares) * total;
    if (!(e > 0)) throw new RangeError('chiSquareTest: every expected share must be positive');
    statistic += (observed[k]! - e) ** 2 / e;
  }
  return { statistic, pValue: chiSquareSurvival(statistic, observed.length - 1) };
}

/** P(X > x) for X ~ χ²(dof): the regularized upper incomplete gamma Q(dof / 2, x / 2). */
export function chiSquareSurvival(x: number, dof: number): number {
  if (x <= 0) return 1;
  return upperIncompleteGammaRatio(dof / 2, x / 2);
}

// Q(a, x) by the series of P for x < a + 1 and Lentz's continued fraction beyond (Numerical
// Recipes §6.2); both converge to machine precision within a few hundred terms here.
function upperIncompleteGammaRatio(a: number, x: number): number {
  const logPrefix = a * Math.log(x) - x - logGamma(a);
  if (x < a + 1) {
    let term = 1 / a;
    let series = term;
    for (let n = 1; n < 10_000; n++) {
      term *= x / (a + n);
      series += term;
      if (Math.abs(term) < Math.abs(series) * 1e-17) break;
    }
    return Math.max(0, 1 - series * Math.exp(logPrefix));
  }
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let n = 1; n < 10_000; n++) {
    const an = -n * (n - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(logPrefix) * h;
}

// Lanczos approximation (g = 7, 9 terms): ~15 significant digits for a > 0.
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
  -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

function logGamma(a: number): number {
  if (a < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * a))) - logGamma(1 - a);
  const z = a - 1;
  let s = LANCZOS[0]!;
  for (let k = 1; k < LANCZOS.length; k++) s += LANCZOS[k]! / (z + k);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(s);
}

function sortedFinite(values: ArrayLike<number>): Float64Array {
  const out = Float64Array.from(values).filter((v) => !Number.isNaN(v));
  return out.sort();
}

function sum(values: readonly number[]): number {
  let s = 0;
  for (const v of values) s += v;
  return s;
}
