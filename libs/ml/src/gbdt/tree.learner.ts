import { type BinEdges, type BinnedRows, FLOAT32_MAX, MISSING_BIN } from './bin-mapper.fit';
import type { GbdtTree } from './gbdt.model';
import { buildHistogram, SLOT_WIDTH, subtractHistogram } from './histogram.kernel';
import type { WasmHistogramKernel } from './histogram.wasm';
import type { HistogramWorkerPool } from './histogram-worker.pool';
import { partitionInPlace } from './partition.kernel';

export interface TreeLearnerParams {
  growth: 'leafwise' | 'depthwise';
  maxLeaves: number;
  /** ≤ 0 means unlimited. */
  maxDepth: number;
  minChildWeight: number;
  minDataInLeaf: number;
  lambdaL2: number;
}

/** A grown tree plus what training needs beyond the model: split bins and each leaf's rows. */
export interface GrownTree {
  tree: GbdtTree;
  /** Per internal node: rows with bin ≤ splitBin (or missing and defaultLeft) go left. */
  splitBin: number[];
  /** Leaf l holds `rows[leafStart[l] .. leafEnd[l])` of the learner's row buffer. */
  leafStart: Int32Array;
  leafEnd: Int32Array;
}

/** The best split found for one leaf; `gain` is -Infinity when the leaf cannot split. */
interface SplitCandidate {
  gain: number;
  feature: number;
  bin: number;
  defaultLeft: boolean;
  leftGrad: number;
  leftHess: number;
  leftCount: number;
}

const noSplit = (): SplitCandidate => ({
  gain: -Infinity,
  feature: -1,
  bin: 0,
  defaultLeft: true,
  leftGrad: 0,
  leftHess: 0,
  leftCount: 0,
});

/**
 * Grows one regression tree on binned rows with LightGBM's histogram algorithm: per-leaf
 * gradient/hessian histograms, the smaller child built and the larger one obtained by
 * subtraction, best-first (leaf-wise) or level-by-level (depth-wise) growth. Row indices of each
 * leaf are a contiguous, ascending range of one buffer, partitioned in place at every split.
 */
export class TreeLearner {
  /** Row indices; the caller fills `rows[0..count)` (ascending) before each `grow`. */
  readonly rows: Uint32Array;
  private readonly scratch: Uint32Array;
  private readonly sideTable: Uint8Array;
  private readonly free: Float64Array[] = [];
  private readonly pool?: HistogramWorkerPool;
  private readonly kernel?: WasmHistogramKernel;

  // Per-leaf state, indexed by leaf number.
  private readonly leafStart: Int32Array;
  private readonly leafEnd: Int32Array;
  private readonly leafGrad: Float64Array;
  private readonly leafHess: Float64Array;
  private readonly leafDepth: Int32Array;
  /** Internal node whose child the leaf is (-1 for the root), and on which side. */
  private readonly leafParent: Int32Array;
  private readonly leafIsLeft: Uint8Array;
  private readonly leafHist: (Float64Array | undefined)[];
  private readonly leafSplit: SplitCandidate[];

  /**
   * With a worker pool, `rows`, `scratch` and `sideTable` must be the pool's shared buffers (the
   * side table `sideTableLength(data)` long) and `grow` must be given the pool's shared gradients
   * and hessians. With a WebAssembly `kernel` (and no pool), `rows` must be its layout's row buffer
   * and the layout's gradient pairs up to date with `grow`'s gradients.
   */
  constructor(
    private readonly data: BinnedRows,
    private readonly edges: BinEdges,
    private readonly params: TreeLearnerParams,
    options: {
      rows?: Uint32Array;
      scratch?: Uint32Array;
      sideTable?: Uint8Array;
      pool?: HistogramWorkerPool;
      kernel?: WasmHistogramKernel;
    } = {},
  ) {
    this.rows = options.rows ?? new Uint32Array(data.rowCount);
    this.pool = options.pool;
    this.kernel = options.kernel;
    this.scratch = options.scratch ?? new Uint32Array(data.rowCount);
    this.sideTable = options.sideTable ?? new Uint8Array(sideTableLength(data));
    const n = params.maxLeaves;
    this.leafStart = new Int32Array(n);
    this.leafEnd = new Int32Array(n);
    this.leafGrad = new Float64Array(n);
    this.leafHess = new Float64Array(n);
    this.leafDepth = new Int32Array(n);
    this.leafParent = new Int32Array(n);
    this.leafIsLeft = new Uint8Array(n);
    this.leafHist = new Array<Float64Array | undefined>(n);
    this.leafSplit = Array.from({ length: n }, noSplit);
  }

  /**
   * Grows a tree on `rows[0..rowCount)`. Leaf values are `-learningRate · G / (H + λ)`, rounded to
   * float32. `featureMask[j] = 0` keeps feature j out of every split of this tree.
   */
  grow(
    grad: Float64Array,
    hess: Float64Array,
    rowCount: number,
    featureMask: Uint8Array,
    learningRate: number,
    classIndex: number,
  ): GrownTree {
    const tree: GbdtTree = {
      classIndex,
      feature: [],
      threshold: [],
      defaultLeft: [],
      left: [],
      right: [],
      gain: [],
      leafValue: [],
    };
    const splitBin: number[] = [];
    const rootHist = this.takeHistogram();
    this.buildHistogram(rootHist, grad, hess, 0, rowCount);
    let rootGrad = 0;
    let rootHess = 0;
    // Every row lands in exactly one bin of feature 0, so its slots sum to the leaf totals.
    for (let b = 0; b < this.data.binCounts[0]; b++) {
      rootGrad += rootHist[b * SLOT_WIDTH];
      rootHess += rootHist[b * SLOT_WIDTH + 1];
    }
    this.initLeaf(0, 0, rowCount, rootGrad, rootHess, 0, -1, true, rootHist);
    this.findSplit(0, featureMask);

    let leafCount = 1;
    while (leafCount < this.params.maxLeaves) {
      const leaf = this.pickLeaf(leafCount);
      if (leaf < 0) break;
      this.split(leaf, leafCount, tree, splitBin, grad, hess, featureMask);
      leafCount++;
    }

    for (let l = 0; l < leafCount; l++) {
      const value = -this.leafGrad[l] / (this.leafHess[l] + this.params.lambdaL2);
      tree.leafValue.push(Number.isFinite(value) ? Math.fround(learningRate * value) : 0);
      this.releaseHistogram(l);
    }
    return {
      tree,
      splitBin,
      leafStart: this.leafStart.slice(0, leafCount),
      leafEnd: this.leafEnd.slice(0, leafCount),
    };
  }

  private buildHistogram(hist: Float64Array, grad: Float64Array, hess: Float64Array, start: number, end: number): void {
    if (this.pool) this.pool.build(hist, start, end);
    else if (this.kernel) hist.set(this.kernel.build(start, end));
    else buildHistogram(hist, this.data, grad, hess, this.rows, start, end);
  }

  private initLeaf(
    leaf: number,
    start: number,
    end: number,
    grad: number,
    hess: number,
    depth: number,
    parent: number,
    isLeft: boolean,
    hist: Float64Array,
  ): void {
    this.leafStart[leaf] = start;
    this.leafEnd[leaf] = end;
    this.leafGrad[leaf] = grad;
    this.leafHess[leaf] = hess;
    this.leafDepth[leaf] = depth;
    this.leafParent[leaf] = parent;
    this.leafIsLeft[leaf] = isLeft ? 1 : 0;
    this.leafHist[leaf] = hist;
  }

  /** Leaf-wise: the leaf with the largest gain. Depth-wise: the shallowest splittable leaf first. */
  private pickLeaf(leafCount: number): number {
    let best = -1;
    for (let l = 0; l < leafCount; l++) {
      const gain = this.leafSplit[l].gain;
      if (!(gain > 0)) continue;
      if (best < 0) {
        best = l;
        continue;
      }
      const shallower = this.leafDepth[l] < this.leafDepth[best];
      const sameDepth = this.leafDepth[l] === this.leafDepth[best];
      if (
        this.params.growth === 'depthwise' ? shallower || (sameDepth && gain > this.leafSplit[best].gain) : gain > this.leafSplit[best].gain
      ) {
        best = l;
      }
    }
    return best;
  }

  private split(
    leaf: number,
    newLeaf: number,
    tree: GbdtTree,
    splitBin: number[],
    grad: Float64Array,
    hess: Float64Array,
    featureMask: Uint8Array,
  ): void {
    const candidate = this.leafSplit[leaf];
    const node = tree.feature.length;
    const feature = candidate.feature;
    const featureEdges = this.edges[feature];
    tree.feature.push(feature);
    // Bin b's upper edge is edges[b - 1]; the last real bin is open above.
    tree.threshold.push(candidate.bin - 1 < featureEdges.length ? featureEdges[candidate.bin - 1] : FLOAT32_MAX);
    tree.defaultLeft.push(candidate.defaultLeft);
    tree.left.push(~leaf);
    tree.right.push(~newLeaf);
    tree.gain.push(candidate.gain);
    splitBin.push(candidate.bin);
    const parent = this.leafParent[leaf];
    if (parent >= 0) {
      if (this.leafIsLeft[leaf]) tree.left[parent] = node;
      else tree.right[parent] = node;
    }

    const start = this.leafStart[leaf];
    const end = this.leafEnd[leaf];
    const mid = this.partition(start, end, feature, candidate.bin, candidate.defaultLeft);
    const depth = this.leafDepth[leaf] + 1;
    const parentHist = this.leafHist[leaf] as Float64Array;
    const smallHist = this.takeHistogram();
    const leftIsSmaller = mid - start <= end - mid;
    if (leftIsSmaller) this.buildHistogram(smallHist, grad, hess, start, mid);
    else this.buildHistogram(smallHist, grad, hess, mid, end);
    subtractHistogram(parentHist, smallHist);
    const leftGrad = candidate.leftGrad;
    const leftHess = candidate.leftHess;
    const rightGrad = this.leafGrad[leaf] - leftGrad;
    const rightHess = this.leafHess[leaf] - leftHess;
    this.initLeaf(leaf, start, mid, leftGrad, leftHess, depth, node, true, leftIsSmaller ? smallHist : parentHist);
    this.initLeaf(newLeaf, mid, end, rightGrad, rightHess, depth, node, false, leftIsSmaller ? parentHist : smallHist);
    this.findSplit(leaf, featureMask);
    this.findSplit(newLeaf, featureMask);
  }

  /** Stable in-place partition of `rows[start..end)`: left rows first, both parts stay ascending. */
  private partition(start: number, end: number, feature: number, bin: number, defaultLeft: boolean): number {
    const goesLeft = this.sideTable;
    for (let b = 0; b < this.data.binCounts[feature]; b++) goesLeft[b] = b === MISSING_BIN ? Number(defaultLeft) : Number(b <= bin);
    if (this.pool) return this.pool.partition(start, end, feature);
    return partitionInPlace(this.data, this.rows, this.scratch, goesLeft, feature, start, end);
  }

  /**
   * Best split of a leaf over the allowed features; gain = G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ).
   * A leaf that cannot split now never will, so its histogram goes back to the pool at once.
   */
  private findSplit(leaf: number, featureMask: Uint8Array): void {
    this.searchSplit(leaf, featureMask);
    if (!(this.leafSplit[leaf].gain > 0)) this.releaseHistogram(leaf);
  }

  private searchSplit(leaf: number, featureMask: Uint8Array): void {
    const best = this.leafSplit[leaf];
    best.gain = -Infinity;
    const { maxDepth, minDataInLeaf, minChildWeight, lambdaL2 } = this.params;
    const count = this.leafEnd[leaf] - this.leafStart[leaf];
    if ((maxDepth > 0 && this.leafDepth[leaf] >= maxDepth) || count < 2 * minDataInLeaf) return;
    const hist = this.leafHist[leaf] as Float64Array;
    const totalGrad = this.leafGrad[leaf];
    const totalHess = this.leafHess[leaf];
    const parentScore = (totalGrad * totalGrad) / (totalHess + lambdaL2);
    const { binCounts, offsets, featureCount } = this.data;
    // As LightGBM: histograms carry no counts, a side's row count is estimated from its hessian
    // sum (exact when every hessian is 1, as in regression). Saves a third of the histogram work.
    const countPerHess = count / totalHess;

    for (let j = 0; j < featureCount; j++) {
      if (featureMask[j] === 0) continue;
      const base = offsets[j] * SLOT_WIDTH;
      const realBins = binCounts[j] - 1;
      const missGrad = hist[base];
      const missHess = hist[base + 1];
      const missCount = Math.round(missHess * countPerHess);
      let gL = 0;
      let hL = 0;
      // Splitting after the last real bin only makes sense to separate missing values.
      const lastBin = missCount > 0 ? realBins : realBins - 1;
      for (let b = 1; b <= lastBin; b++) {
        const s = base + b * SLOT_WIDTH;
        // An empty bin past the first leaves both sums, and so both candidates' gains, as the
        // previous bin had them: an equal gain never replaces the best, so it is skipped. (Bin 1
        // is not: with it alone the missing values going left is a candidate of its own.)
        if (b > 1 && hist[s] === 0 && hist[s + 1] === 0) continue;
        gL += hist[s];
        hL += hist[s + 1];
        // Missing values go right.
        const cL = Math.round(hL * countPerHess);
        let cR = count - cL;
        if (cL >= minDataInLeaf && cR >= minDataInLeaf && hL >= minChildWeight) {
          const hR = totalHess - hL;
          if (hR >= minChildWeight) {
            const gR = totalGrad - gL;
            const gain = (gL * gL) / (hL + lambdaL2) + (gR * gR) / (hR + lambdaL2) - parentScore;
            if (gain > best.gain) {
              // Without missing values in training, unseen missing values follow the larger side.
              setSplit(best, gain, j, b, missCount > 0 ? false : cL >= cR, gL, hL, cL);
            }
          }
        }
        if (missCount === 0 || b === realBins) continue;
        // Missing values go left.
        const gML = gL + missGrad;
        const hML = hL + missHess;
        const cML = Math.round(hML * countPerHess);
        cR = count - cML;
        if (cML >= minDataInLeaf && cR >= minDataInLeaf && hML >= minChildWeight) {
          const hR = totalHess - hML;
          if (hR >= minChildWeight) {
            const gR = totalGrad - gML;
            const gain = (gML * gML) / (hML + lambdaL2) + (gR * gR) / (hR + lambdaL2) - parentScore;
            if (gain > best.gain) setSplit(best, gain, j, b, true, gML, hML, cML);
          }
        }
      }
    }
  }

  /** Histograms are pooled: at most one per leaf is alive, and a tree reuses the last one's. */
  private takeHistogram(): Float64Array {
    return this.free.pop() ?? new Float64Array(this.data.totalBins * SLOT_WIDTH);
  }

  private releaseHistogram(leaf: number): void {
    const hist = this.leafHist[leaf];
    if (hist) this.free.push(hist);
    this.leafHist[leaf] = undefined;
  }
}

function setSplit(
  split: SplitCandidate,
  gain: number,
  feature: number,
  bin: number,
  defaultLeft: boolean,
  leftGrad: number,
  leftHess: number,
  leftCount: number,
): void {
  split.gain = gain;
  split.feature = feature;
  split.bin = bin;
  split.defaultLeft = defaultLeft;
  split.leftGrad = leftGrad;
  split.leftHess = leftHess;
  split.leftCount = leftCount;
}

/** Length of a learner's side table (bin → goes left): the most bins a feature has. */
export function sideTableLength(data: Pick<BinnedRows, 'binCounts'>): number {
  return data.binCounts.reduce((a, b) => Math.max(a, b), 0);
}

/** Adds a grown tree's leaf values to `scores[row * k + classIndex]`, routing rows by their bins. */
export function addTreeByBins(grown: GrownTree, data: BinnedRows, scores: Float64Array, k: number): void {
  const { tree, splitBin } = grown;
  const { slots, featureCount, rowCount, offsets } = data;
  const c = tree.classIndex;
  if (tree.feature.length === 0) {
    for (let i = 0; i < rowCount; i++) scores[i * k + c] += tree.leafValue[0];
    return;
  }
  const feature = Int32Array.from(tree.feature);
  // Compare slots directly: slot ≤ offset + bin ⇔ bin ≤ splitBin, and slot = offset is missing.
  const missingSlot = Int32Array.from(tree.feature, (f) => offsets[f]);
  const slot = Int32Array.from(splitBin, (b, node) => missingSlot[node] + b);
  const defaultLeft = Uint8Array.from(tree.defaultLeft, Number);
  const left = Int32Array.from(tree.left);
  const right = Int32Array.from(tree.right);
  const leafValue = Float64Array.from(tree.leafValue);
  for (let i = 0; i < rowCount; i++) {
    const base = i * featureCount;
    let node = 0;
    while (node >= 0) {
      const s = slots[base + feature[node]];
      const goLeft = s === missingSlot[node] ? defaultLeft[node] === 1 : s <= slot[node];
      node = goLeft ? left[node] : right[node];
    }
    scores[i * k + c] += leafValue[~node];
  }
}

/** Adds leaf values to the rows each leaf holds: the fast path when every row was in the tree. */
export function addTreeByLeafRanges(grown: GrownTree, rows: Uint32Array, scores: Float64Array, k: number): void {
  const { tree, leafStart, leafEnd } = grown;
  const c = tree.classIndex;
  for (let l = 0; l < tree.leafValue.length; l++) {
    const value = tree.leafValue[l];
    for (let p = leafStart[l]; p < leafEnd[l]; p++) scores[rows[p] * k + c] += value;
  }
}
