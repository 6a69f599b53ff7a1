/**
 * Binning for drift statistics: bin edges learnt from a baseline sample, histogram counts over those
 * edges, and category counts for discrete features.
 *
 * **Bin rule.** Edges `e[0] < e[1] < … < e[k]` define `k` bins; bin `i` is `[e[i], e[i+1])` (closed on
 * the left), except the last, `[e[k−1], e[k]]`, which is closed on both sides — numpy's
 * `np.histogram` rule. The edge builders here always put `-Infinity` and `+Infinity` at the ends, so
 * every non-NaN value, infinities included, falls in exactly one bin.
 *
 * **Quantile edges** ({@link binEdges}): the inner edges are the baseline's quantiles at
 * `i / bins` for `i = 1 … bins − 1` by numpy's linear method ({@link quantileSorted}), deduplicated,
 * between `-Infinity` and `+Infinity`. The numpy equivalent, used by the fixture generator:
 *
 *     inner = np.quantile(baseline, [i / bins for i in range(1, bins)], method="linear")
 *     edges = np.unique(np.concatenate(([-np.inf], inner, [np.inf])))
 *
 * Ties in the baseline (discrete or rounded values) make repeated quantiles, so such a feature gets
 * fewer than `bins` bins. A constant baseline (every value `c`) would get the two bins `< c` and
 * `≥ c`, which cannot see a move upwards; it gets three instead, `< c`, `= c` and `> c`:
 * `[-Infinity, c, nextUp(c), +Infinity]` (`np.nextafter(c, np.inf)`).
 *
 * **Uniform edges** ({@link uniformEdges}): for a known range such as a probability in [0, 1].
 */
import { sortedSample, quantileSorted } from "./percentile.js";

/** Counts of values per bin, plus what fell in no bin. */
export interface HistogramCounts {
  /** `counts[i]` values fell in bin `i` (one entry per bin, `edges.length − 1` in all). */
  readonly counts: number[];
  /** NaN values, ignored. */
  readonly nanCount: number;
  /** Values below the first edge or above the last (never with ±Infinity outer edges). */
  readonly outOfRange: number;
}

/** Category counts of a discrete sample. */
export interface CategoryCounts {
  /** Count per category, keyed by `String(value)`. */
  readonly counts: Map<string, number>;
  /** `null`, `undefined` and NaN values, ignored. */
  readonly missing: number;
}

/**
 * Quantile-based bin edges learnt from a baseline sample (see the module comment for the exact rule
 * and its numpy equivalent): `[-Infinity, …deduplicated quantiles at i/bins…, +Infinity]`, at most
 * `bins` bins, three for a constant baseline. NaN values are ignored; an empty (or all-NaN) baseline
 * gives the single bin `[-Infinity, +Infinity]`. The input need not be sorted and is not modified.
 * Throws RangeError unless `bins` is an integer ≥ 1.
 */
export function binEdges(baselineSample: ArrayLike<number>, bins: number): number[] {
  checkBins(bins);
  const { sorted } = sortedSample(baselineSample);
  const n = sorted.length;
  if (n === 0) return [-Infinity, Infinity];
  const min = sorted[0] as number;
  if (Number.isFinite(min) && min === sorted[n - 1]) return [-Infinity, min, nextUp(min), Infinity];
  const candidates: number[] = [-Infinity];
  for (let i = 1; i < bins; i++) candidates.push(quantileSorted(sorted, i / bins));
  candidates.push(Infinity);
  return uniqueSorted(candidates);
}

/**
 * `bins` equal-width bins over `[lo, hi]` whose outer bins are open-ended:
 * `[-Infinity, lo + w, lo + 2w, …, lo + (bins − 1)·w, +Infinity]` with `w = (hi − lo) / bins`
 * (each inner edge computed as `lo + ((hi − lo) · i) / bins`, numpy: `lo + (hi - lo) * np.arange(1,
 * bins) / bins`). A value below `lo` counts in the first bin and one above `hi` in the last, so a
 * probability of exactly 1 shares the top bin with 0.95. Throws RangeError unless `lo < hi` are finite
 * and `bins` is an integer ≥ 1.
 */
export function uniformEdges(lo: number, hi: number, bins: number): number[] {
  checkBins(bins);
  if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo < hi)) {
    throw new RangeError(`uniform edges need finite lo < hi, got [${lo}, ${hi}]`);
  }
  const edges: number[] = [-Infinity];
  for (let i = 1; i < bins; i++) edges.push(lo + ((hi - lo) * i) / bins);
  edges.push(Infinity);
  return uniqueSorted(edges);
}

/**
 * Counts of `values` per bin of `edges` (strictly increasing, at least two; bin rule in the module
 * comment). NaN values are skipped and counted in `nanCount`; values outside `[edges[0],
 * edges[last]]` in `outOfRange`. O(n log k) by binary search, no allocation per value. Throws
 * RangeError when the edges are not strictly increasing.
 */
export function histogram(values: ArrayLike<number>, edges: readonly number[]): HistogramCounts {
  const k = edges.length - 1;
  if (k < 1) throw new RangeError("histogram needs at least two edges");
  for (let i = 0; i < k; i++) {
    if (!((edges[i] as number) < (edges[i + 1] as number))) {
      throw new RangeError(`bin edges must be strictly increasing (edge ${i + 1} is ${edges[i + 1]})`);
    }
  }
  const counts = new Array<number>(k).fill(0);
  const first = edges[0] as number;
  const last = edges[k] as number;
  let nanCount = 0;
  let outOfRange = 0;
  for (let j = 0; j < values.length; j++) {
    const v = values[j] as number;
    if (v !== v) {
      nanCount++;
      continue;
    }
    if (v < first || v > last) {
      outOfRange++;
      continue;
    }
    // Largest i in [0, k-1] with edges[i] <= v (v === last lands in the closed last bin).
    let lo = 0;
    let hi = k - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if ((edges[mid] as number) <= v) lo = mid;
      else hi = mid - 1;
    }
    counts[lo] = (counts[lo] as number) + 1;
  }
  return { counts, nanCount, outOfRange };
}

/**
 * Category counts of a discrete sample (labels, class ids, flags), keyed by `String(value)`, so `1`
 * and `"1"` are the same category. `null`, `undefined` and NaN are skipped and counted in `missing`.
 */
export function categorical(values: ArrayLike<unknown> | Iterable<unknown>): CategoryCounts {
  const counts = new Map<string, number>();
  let missing = 0;
  const items: Iterable<unknown> = Symbol.iterator in Object(values) ? (values as Iterable<unknown>) : Array.from(values as ArrayLike<unknown>);
  for (const v of items) {
    if (v === null || v === undefined || (typeof v === "number" && Number.isNaN(v))) {
      missing++;
      continue;
    }
    const key = String(v);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return { counts, missing };
}

/**
 * Two category-count maps as aligned count vectors over the union of their categories, sorted by
 * code unit (JavaScript's default sort, which is Python's `sorted` for these keys). A category seen
 * on one side only has count 0 on the other, which {@link psi} and {@link jensenShannonDistance}
 * handle.
 */
export function alignCategories(
  expected: ReadonlyMap<string, number>,
  actual: ReadonlyMap<string, number>,
): { categories: string[]; expected: number[]; actual: number[] } {
  const categories = [...new Set([...expected.keys(), ...actual.keys()])].sort();
  return {
    categories,
    expected: categories.map((c) => expected.get(c) ?? 0),
    actual: categories.map((c) => actual.get(c) ?? 0),
  };
}

/** The smallest double greater than `x` (finite `x`), like C's `nextafter(x, +inf)`. */
export function nextUp(x: number): number {
  if (x !== x || x === Infinity) return x;
  if (x === 0) return Number.MIN_VALUE; // also for -0
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  view.setBigUint64(0, x > 0 ? bits + 1n : bits - 1n);
  return view.getFloat64(0);
}

function checkBins(bins: number): void {
  if (!(Number.isInteger(bins) && bins >= 1)) throw new RangeError(`bins must be an integer >= 1, got ${bins}`);
}

/** Sorts and drops repeats (np.unique on a NaN-free array). */
function uniqueSorted(values: number[]): number[] {
  values.sort((a, b) => a - b);
  const out: number[] = [];
  for (const v of values) if (out.length === 0 || out[out.length - 1] !== v) out.push(v);
  return out;
}
