/**
 * Percentiles and five-number-style summaries of a numeric sample.
 *
 * **Percentile definition.** The same as numpy's default (`np.percentile(x, p)` /
 * `np.quantile(x, q)` with `method="linear"`, Hyndman & Fan type 7): for `n` sorted values
 * `x[0] ≤ … ≤ x[n−1]` and a fraction `q ∈ [0, 1]` (`q = p / 100` for a percentile `p`),
 *
 *     h = (n − 1) · q,   i = ⌊h⌋,   g = h − i,
 *     Q(q) = x[i] + g · (x[i+1] − x[i])            (x[n−1] when h ≥ n − 1)
 *
 * i.e. linear interpolation between the two closest ranks. The interpolation is evaluated exactly as
 * numpy evaluates it (from the upper neighbour, `x[i+1] − (1 − g)·(x[i+1] − x[i])`, when g ≥ 0.5), so
 * results agree with numpy bit for bit, not just within rounding. p50 is the usual median.
 *
 * NaN values are ignored (and counted) by {@link summarize} and {@link sortedSample}; functions that
 * take an already sorted sample expect it to contain no NaN.
 */

/** The summary of a numeric sample: see {@link summarize}. */
export interface Summary {
  /** Values summarised (NaN excluded). */
  readonly count: number;
  /** NaN values that were ignored. */
  readonly nanCount: number;
  /** Arithmetic mean (compensated summation); NaN when `count` is 0. */
  readonly mean: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  /** Smallest and largest value; NaN when `count` is 0. */
  readonly min: number;
  readonly max: number;
}

/**
 * The non-NaN values of `values`, sorted ascending, as a new Float64Array (the input is not
 * modified), and how many NaN were dropped. ±Infinity are kept (they sort to the ends).
 */
export function sortedSample(values: ArrayLike<number>): { sorted: Float64Array; nanCount: number } {
  const out = new Float64Array(values.length);
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (v === v) out[n++] = v; // v !== v only for NaN
  }
  const sorted = n === out.length ? out : out.slice(0, n);
  sorted.sort(); // typed-array sort is numeric
  return { sorted, nanCount: values.length - n };
}

/**
 * The `q`-quantile (`q ∈ [0, 1]`) of an ascending, NaN-free sample, by the linear method described
 * in the module comment (numpy `np.quantile(x, q, method="linear")`). NaN for an empty sample.
 * O(1). Throws RangeError when `q` is outside [0, 1].
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile must be within [0, 1], got ${q}`);
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const h = (n - 1) * q;
  if (h >= n - 1) return sorted[n - 1] as number;
  const i = Math.floor(h);
  const g = h - i;
  const a = sorted[i] as number;
  const b = sorted[i + 1] as number;
  const diff = b - a;
  // numpy's _lerp: the form that is exact at the nearer end.
  return g >= 0.5 ? b - diff * (1 - g) : a + diff * g;
}

/**
 * The `p`-th percentile (`p ∈ [0, 100]`) of an ascending, NaN-free sample: `quantileSorted(sorted,
 * p / 100)`, identical to `np.percentile(x, p)` (method "linear"). NaN for an empty sample. Throws
 * RangeError when `p` is outside [0, 100].
 */
export function percentile(sortedValues: ArrayLike<number>, p: number): number {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be within [0, 100], got ${p}`);
  return quantileSorted(sortedValues, p / 100);
}

/**
 * Count, mean, p50/p95/p99 ({@link percentile}), min and max of `values`, in any order. NaN values
 * are ignored and counted in `nanCount`; an empty (or all-NaN) sample gives `count: 0` and NaN for
 * every statistic. O(n log n) for the sort (about 10 ms for 100k values).
 */
export function summarize(values: ArrayLike<number>): Summary {
  const { sorted, nanCount } = sortedSample(values);
  const n = sorted.length;
  if (n === 0) {
    const nan = Number.NaN;
    return { count: 0, nanCount, mean: nan, p50: nan, p95: nan, p99: nan, min: nan, max: nan };
  }
  return {
    count: n,
    nanCount,
    mean: compensatedSum(sorted) / n,
    p50: quantileSorted(sorted, 0.5),
    p95: quantileSorted(sorted, 0.95),
    p99: quantileSorted(sorted, 0.99),
    min: sorted[0] as number,
    max: sorted[n - 1] as number,
  };
}

/** Neumaier's compensated sum: accurate to a few ulps even over 100k values of mixed magnitude. */
export function compensatedSum(values: ArrayLike<number>): number {
  let sum = 0;
  let c = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    const t = sum + v;
    c += Math.abs(sum) >= Math.abs(v) ? sum - t + v : v - t + sum;
    sum = t;
  }
  const total = sum + c;
  // With infinities the compensation term is NaN; the plain sum is then the right answer.
  return Number.isNaN(total) ? sum : total;
}
