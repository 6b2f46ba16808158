import { histogramBin } from './distribution.stats';

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
 * live value is placed among the sample's distinct values (a lookup table, then a step) and
 * counted (and its distance to the next sample value summed) per interval. Between two sample
 * values the reference CDF is constant, so the KS gap is largest at an end of an interval, and
 * the area between the CDFs follows from the counts and sums — unless the live CDF crosses the
 * reference's inside the interval; only those intervals' values are sorted. Equal to the two
 * functions (KS exactly, Wasserstein to rounding); live values ±∞ fall back to them.
 *
 * With `binEdges` (a histogram's edges, as `histogramBin` reads them) the same pass also counts
 * the live values per bin — a drift check's PSI and Jensen–Shannon — from each value's place.
 */
export function sampleDistances(sample: ArrayLike<number>, live: ArrayLike<number>, binEdges?: readonly number[]): SampleDistances {
  const s = sortedFinite(sample);
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
  const slot = new Int32Array(live.length);
  // a lookup table over [u[0], u[d−1]] in equal cells, cell(x) = ⌊(x − u[0]) · scale⌋: rounding
  // keeps it non-decreasing in x, so every u[i] of an earlier cell than v's is < v and every one
  // of a later cell is > v. cellStart[c] is the first index whose cell is ≥ c: a value is placed
  // by a lookup and a step or two — a binary search over its cell's indices where the cell holds
  // many (a heavy tail)
  const first = u[0] ?? 0;
  const last = d > 0 ? u[d - 1]! : 0;
  const cells = d > 1 && last > first ? LOOKUP_CELLS : 0;
  const scale = cells > 0 ? cells / (last - first) : 0;
  const cellStart = new Int32Array(cells + 1);
  let crowded = 0; // the most values one cell holds
  for (let c = 0, index = 0; c <= cells; c++) {
    while (index < d && Math.min(cells - 1, ((u[index]! - first) * scale) | 0) < c) index++;
    cellStart[c] = index;
    if (c > 0) crowded = Math.max(crowded, index - cellStart[c - 1]!);
  }
  // a value's index is at most this many steps past its cell's start; stepping that many times
  // whatever the comparisons say (a step past the value's place is never taken: the next value is
  // larger) avoids a branch the processor cannot predict
  const steps = Math.min(crowded, MAX_STEPS);
  // each cell's first value: with one step, the comparison needs no load that waits for another
  const cellValue = new Float64Array(cells + 1);
  for (let c = 0; c <= cells; c++) cellValue[c] = cellStart[c]! < d ? u[cellStart[c]!]! : Infinity;
  // the histogram's bin of each live value, from its place among u (see `placeBins`): only values
  // of an interval that an inner edge splits are binned one by one; the others count with their
  // interval (`binCounts`, after the pass)
  const bins = binEdges ? placeBins(u, d, binEdges) : null;
  const counts = new Array<number>(binEdges ? binEdges.length - 1 : 0).fill(0);
  let n = 0;
  for (let i = 0; i < live.length; i++) {
    const v = live[i]!;
    if (v !== v) {
      slot[i] = -1;
      continue;
    }
    n++;
    // the first index with u[index] ≥ v (d when none); values at or beyond the ends first
    if (v > last) {
      slot[i] = 2 * d;
      between[d]!++;
      gaps[d]! += v - last;
      if (bins && bins.between[d]! < 0) counts[binBetween(bins, d, v, binEdges!)]!++;
      continue;
    }
    let lo: number;
    if (v <= first) lo = 0;
    else if (cells === 0) lo = 1;
    else {
      const cell = Math.min(cells - 1, ((v - first) * scale) | 0);
      lo = cellStart[cell]!;
      let hi = cellStart[cell + 1]!;
      if (hi - lo > steps) {
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (u[mid]! < v) lo = mid + 1;
          else hi = mid;
        }
      } else if (steps === 1) lo += +(cellValue[cell]! < v);
      else for (let k = 0; k < steps; k++) lo += +(u[lo]! < v);
    }
    const at = u[lo]!;
    if (at === v) {
      equal[lo]!++;
      slot[i] = 2 * lo + 1;
    } else {
      slot[i] = 2 * lo;
      between[lo]!++;
      gaps[lo]! += at - v;
      if (bins && bins.between[lo]! < 0) counts[binBetween(bins, lo, v, binEdges!)]!++;
    }
  }
  // a live −∞ or +∞ makes an end's sum infinite: the sorting functions answer those exactly
  if (d > 0 && (!Number.isFinite(gaps[0]!) || !Number.isFinite(gaps[d]!))) {
    const exact: SampleDistances = { ks: ksStatistic(sample, live), wasserstein: wassersteinDistance(sample, live) };
    if (binEdges) exact.counts = countBins(binEdges, live);
    return exact;
  }
  if (bins) binCounts(bins, between, equal, counts);
  const m = s.length;
  if (m === 0 || n === 0)
    return binEdges
      ? { ks: null, wasserstein: null, counts: m === 0 ? countBins(binEdges, live) : counts }
      : { ks: null, wasserstein: null };

  let ks = 0;
  let area = 0;
  const crossing: number[] = [];
  const belowAt = new Float64Array(d + 1); // live values ≤ u[j−1], per interval
  let below = 0;
  for (let j = 0; j <= d; j++) {
    belowAt[j] = below;
    const c = j === 0 ? 0 : atOrBelow[j - 1]! / m; // reference CDF inside interval j
    const q = between[j]!;
    // KS inside the interval: the live CDF climbs from below/n to (below + q)/n against a constant
    // c, so the largest gap is at an end — the lower one is the gap at u[j−1], already taken
    if (q > 0) ks = Math.max(ks, Math.abs(c - (below + q) / n));
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
  return binEdges ? { ks, wasserstein: area, counts } : { ks, wasserstein: area };
}

/**
 * The area between the CDFs inside the intervals where the live CDF crosses the reference's:
 * those intervals' live values gathered (by the slots of the first pass) and sorted.
 */
/** Cells of `sampleDistances`'s lookup table over the reference's range. */
const LOOKUP_CELLS = 8192;
/** Unconditional steps within a lookup cell at most; a fuller cell is binary-searched. */
const MAX_STEPS = 4;

export interface SampleDistances {
  ks: number | null;
  wasserstein: number | null;
  /** with `binEdges`: the live values counted per bin, as `histogramBin` places them (NaN left out) */
  counts?: number[];
}

/**
 * Histogram bins by place among the reference's distinct values u[0..d): a bin is the number of
 * inner edges (edges[1..bins−1]) at or below a value. `at[j]` is the bin of u[j]; for values
 * strictly inside interval j (between u[j−1] and u[j], open ends beyond), `between[j]` is their
 * bin when no inner edge lies inside the interval, −1 when one does (`split[j]`: values from it
 * on are one bin higher) and −2 when several do (then `histogramBin` itself).
 */
interface PlacedBins {
  at: Int32Array;
  between: Int32Array;
  split: Float64Array;
}

function placeBins(u: Float64Array, d: number, edges: readonly number[]): PlacedBins {
  const inner = edges.slice(1, Math.max(1, edges.length - 1));
  const at = new Int32Array(d);
  const between = new Int32Array(d + 1);
  const split = new Float64Array(d + 1);
  // atOrBelow: inner edges ≤ the interval's lower end; below: inner edges < its upper end
  let atOrBelow = 0;
  let below = 0;
  for (let j = 0; j <= d; j++) {
    const upper = j < d ? u[j]! : Infinity;
    while (below < inner.length && inner[below]! < upper) below++;
    const inside = below - atOrBelow;
    between[j] = inside === 0 ? atOrBelow : inside === 1 ? -1 : -2;
    split[j] = inside === 1 ? inner[atOrBelow]! : NaN;
    if (j < d) {
      atOrBelow = below;
      while (atOrBelow < inner.length && inner[atOrBelow]! <= upper) atOrBelow++;
      at[j] = atOrBelow;
    }
  }
  return { at, between, split };
}

/** The bin of a value strictly inside interval j (see `placeBins`). */
function binBetween(bins: PlacedBins, j: number, v: number, edges: readonly number[]): number {
  const b = bins.between[j]!;
  if (b >= 0) return b;
  if (b === -1) return j === 0 ? (v >= bins.split[0]! ? 1 : 0) : bins.at[j - 1]! + (v >= bins.split[j]! ? 1 : 0);
  return histogramBin(edges, v);
}

/** Adds the values of the intervals no inner edge splits, and of u itself, to their bins. */
function binCounts(bins: PlacedBins, between: Float64Array, equal: Float64Array, counts: number[]): void {
  for (let j = 0; j < bins.between.length; j++) {
    if (bins.between[j]! >= 0) counts[bins.between[j]!]! += between[j]!;
    if (j < equal.length) counts[bins.at[j]!]! += equal[j]!;
  }
}

function countBins(edges: readonly number[], live: ArrayLike<number>): number[] {
  const counts = new Array<number>(edges.length - 1).fill(0);
  for (let i = 0; i < live.length; i++) if (live[i] === live[i]) counts[histogramBin(edges, live[i]!)]!++;
  return counts;
}

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
