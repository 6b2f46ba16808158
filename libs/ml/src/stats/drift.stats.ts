import { histogramBin } from './distribution.stats';
import { LOOKUP_STEPS, lookupTable } from './lookup-table';

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
  // the sample's distinct values u[0..d) and how many sample values are ≤ each; past d, +∞ (the
  // placing below compares with LOOKUP_STEPS values from a cell's start)
  const u = new Float64Array(s.length + LOOKUP_STEPS).fill(Infinity);
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
  // `slot` records each live value's place: 2j for interval j, 2j + 1 for a value equal to u[j], 2d + 1 for NaN
  const between = new Int32Array(d + 1);
  const equal = new Int32Array(d);
  const slot = new Int32Array(live.length);
  // each value placed among u by a lookup table over [u[0], u[d−1]] (see `lookupTable`)
  const { first, last, cells, scale, cellStart } = lookupTable(u, d, LOOKUP_CELLS);
  let missing = 0;
  for (let i = 0; i < live.length; i++) {
    const v = live[i]!;
    if (v !== v) {
      slot[i] = 2 * d + 1;
      missing++;
      continue;
    }
    // the first index with u[index] ≥ v (d when none)
    if (v > last) {
      slot[i] = 2 * d;
      between[d]!++;
      continue;
    }
    const cell = Math.min(cells - 1, Math.max(0, (v - first) * scale)) | 0;
    let lo = cellStart[cell]!;
    let hi = cellStart[cell + 1]!;
    if (hi - lo > LOOKUP_STEPS) {
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (u[mid]! < v) lo = mid + 1;
        else hi = mid;
      }
    } else lo += +(u[lo]! < v) + +(u[lo + 1]! < v) + +(u[lo + 2]! < v) + +(u[lo + 3]! < v); // LOOKUP_STEPS of them
    if (u[lo] === v) {
      equal[lo]!++;
      slot[i] = 2 * lo + 1;
    } else {
      slot[i] = 2 * lo;
      between[lo]!++;
    }
  }
  const n = live.length - missing;
  // the histogram's bin of each live value, from its place among u (see `placeBins`): the values
  // of an interval no inner edge splits count with their interval; the others are binned one by
  // one, gathered with the crossing intervals' below
  const bins = binEdges ? placeBins(u, d, binEdges) : null;
  const counts = new Array<number>(binEdges ? binEdges.length - 1 : 0).fill(0);
  if (bins) binCounts(bins, between, equal, counts);
  const m = s.length;
  if (m === 0 || n === 0)
    return binEdges
      ? { ks: null, wasserstein: null, counts: m === 0 ? countBins(binEdges, live) : counts }
      : { ks: null, wasserstein: null };

  // KS from the counts. The area between the CDFs: in interval j the reference CDF is a constant
  // c and ∫ F_live = (below · width + Σ (u[j] − v)) / n, so where the live CDF stays on one side
  // of c the interval adds ±(c − below / n) · width now and ∓ Σ (u[j] − v) / n in the pass over
  // the values below (its `weight`); where it crosses c (`crossing`) the values are gathered
  let ks = 0;
  let area = 0;
  const crossing: number[] = [];
  const weight = new Float64Array(d + 1);
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
      if ((below + q) / n <= c) {
        area += (c - below / n) * width;
        weight[j] = -1;
      } else if (below / n >= c) {
        area -= (c - below / n) * width;
        weight[j] = 1;
      } else crossing.push(j);
    } else {
      // below the sample F_ref = 0: ∫ F_live = Σ (u[0] − v) / n; above it F_ref = 1: ∫ (1 − F_live) = Σ (v − u[d−1]) / n
      weight[j] = j === 0 ? 1 : -1;
    }
    below += q;
    if (j < d) {
      below += equal[j]!;
      ks = Math.max(ks, Math.abs(atOrBelow[j]! / m - below / n));
    }
  }
  // one pass over the values: the weighted sums, and the values of the crossing intervals and of
  // those an inner bin edge splits gathered, each interval's together from `offset[j]`
  const split: number[] = [];
  if (bins) for (let j = 0; j <= d; j++) if (bins.between[j]! < 0 && between[j]! > 0) split.push(j);
  const offset = new Int32Array(d + 1).fill(-1);
  let total = 0;
  for (const j of crossing.concat(split)) {
    if (offset[j]! >= 0) continue;
    offset[j] = total;
    total += between[j]!;
  }
  const values = new Float64Array(total);
  const filled = new Int32Array(d + 1);
  u[d] = last; // interval d's sum is of v − u[d−1] (the placing is done with the +∞ past d)
  let sum = 0;
  for (let i = 0; i < live.length; i++) {
    const k = slot[i]!;
    if (k & 1) continue;
    const j = k >> 1;
    const v = live[i]!;
    sum += weight[j]! * (u[j]! - v);
    if (offset[j]! >= 0) values[offset[j]! + filled[j]!++] = v;
  }
  // a live −∞ or +∞ makes the sum infinite (or NaN): the sorting functions answer those exactly
  if (!Number.isFinite(sum)) {
    const exact: SampleDistances = { ks: ksStatistic(sample, live), wasserstein: wassersteinDistance(sample, live) };
    if (binEdges) exact.counts = countBins(binEdges, live);
    return exact;
  }
  area += sum / n;
  if (crossing.length > 0) area += crossingArea({ u, atOrBelow, m, n, crossing, between, belowAt, values, offset });
  for (const j of split) {
    for (let i = offset[j]!; i < offset[j]! + between[j]!; i++) counts[binBetween(bins!, j, values[i]!, binEdges!)]!++;
  }
  return binEdges ? { ks, wasserstein: area, counts } : { ks, wasserstein: area };
}

/** Cells of `sampleDistances`'s lookup table over the reference's range. */
const LOOKUP_CELLS = 8192;

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
function binCounts(bins: PlacedBins, between: Int32Array, equal: Int32Array, counts: number[]): void {
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

/**
 * The area between the CDFs inside the intervals where the live CDF crosses the reference's,
 * from those intervals' gathered values.
 */
function crossingArea(t: {
  u: Float64Array;
  atOrBelow: Float64Array;
  m: number;
  n: number;
  crossing: number[];
  between: Int32Array;
  belowAt: Float64Array;
  values: Float64Array;
  offset: Int32Array;
}): number {
  const { u, atOrBelow, m, n, crossing, between, belowAt, values, offset } = t;
  let area = 0;
  for (const j of crossing) {
    // the live CDF reaches the reference's c at the interval's k-th smallest value: below it the
    // gap is c − F_live, from it on F_live − c — a selection, not a sort
    const a = u[j - 1]!;
    const b = u[j]!;
    const c = atOrBelow[j - 1]! / m;
    const start = offset[j]!;
    const end = start + between[j]!;
    const below = belowAt[j]!;
    const k = Math.max(1, Math.ceil(c * n - below)) - 1; // 0-based: the first value where (below + k + 1) / n ≥ c
    const at = select(values, start, end, start + k);
    // ∫_a^at (c − F_live) = (c − below/n)(at − a) − Σ_{v before at} (at − v)/n
    let lower = 0;
    for (let i = start; i < start + k; i++) lower += at - values[i]!;
    // ∫_at^b (F_live − c) = (below + k)(b − at)/n + Σ_{v from at on} (b − v)/n − c(b − at)
    let upper = 0;
    for (let i = start + k; i < end; i++) upper += b - values[i]!;
    area += (c - below / n) * (at - a) - lower / n + ((below + k) * (b - at) + upper) / n - c * (b - at);
  }
  return area;
}

/**
 * Rearranges values[start..end) so that values[index] holds the value a sort would put there,
 * every value before it ≤ it and every value after it ≥ it (Hoare's selection); returns it.
 */
function select(values: Float64Array, start: number, end: number, index: number): number {
  let lo = start;
  let hi = end - 1;
  while (hi > lo) {
    // the median of three as pivot
    const mid = (lo + hi) >> 1;
    let p = values[mid]!;
    const x = values[lo]!;
    const y = values[hi]!;
    if (x > p !== x > y) p = x;
    else if (y > p !== y > x) p = y;
    let i = lo;
    let k = hi;
    while (i <= k) {
      while (values[i]! < p) i++;
      while (values[k]! > p) k--;
      if (i <= k) {
        const t = values[i]!;
        values[i] = values[k]!;
        values[k] = t;
        i++;
        k--;
      }
    }
    if (index <= k) hi = k;
    else if (index >= i) lo = i;
    else break;
  }
  return values[index]!;
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

/** The values without NaN, ascending (a baseline's order statistics come sorted: checked, not sorted again). */
function sortedFinite(values: ArrayLike<number>): Float64Array {
  const out = Float64Array.from(values).filter((v) => !Number.isNaN(v));
  for (let i = 1; i < out.length; i++) if (out[i - 1]! > out[i]!) return out.sort();
  return out;
}

function sum(values: readonly number[]): number {
  let s = 0;
  for (const v of values) s += v;
  return s;
}
