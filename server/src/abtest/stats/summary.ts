/**
 * Per-variant summaries of an A/B metric: count, mean, sample variance and standard deviation
 * (divisor n − 1), min and max — the inputs of {@link welchTTest} and the figures of the
 * `VariantResult` message.
 *
 * **Algorithm.** Welford's online update, numerically stable for data far from zero (values
 * around 10⁹ with a spread of 1 keep their variance, where Σx² − n·x̄² would cancel to nothing),
 * run on the values shifted by the first one, K (y = x − K, exact for nearby values), so that the
 * running mean's rounding scales with the spread of the data rather than with its offset:
 *
 *     n ← n + 1,   δ = y − ȳ,   ȳ ← ȳ + δ/n,   M₂ ← M₂ + δ·(y − ȳ)
 *     mean = K + ȳ,   variance = M₂ / (n − 1)
 *
 * and Chan, Golub & LeVeque's pairwise combination to merge two partial summaries (shards, time
 * buckets): with δ = mean_B − mean_A and n = n_A + n_B,
 *
 *     mean = mean_A + δ·n_B/n,   M₂ = M₂_A + M₂_B + δ²·n_A·n_B/n
 *
 * Conventions (those of the `VariantResult` message): with no observation, mean, variance, std,
 * min and max are 0 and `n` is 0 — check `n` before reading them; with one observation the
 * variance and std are 0. Non-finite values (NaN, ±∞) are not observations: they are skipped and
 * counted in `skipped`, so one bad value never turns the figures into NaN.
 */
import { percentile, sortedSample } from "../../health/stats/percentile.js";

/**
 * What the tests need of one sample: its size, mean and sample variance (divisor n − 1).
 */
export interface Summary {
  /** Number of observations, an integer ≥ 0. */
  readonly n: number;
  /** Arithmetic mean (0 when n = 0). */
  readonly mean: number;
  /** Sample variance with divisor n − 1 (0 when n < 2). */
  readonly variance: number;
}

/** The full summary of a variant's observations: see {@link variantSummary}. */
export interface VariantSummary extends Summary {
  /** Sample standard deviation, √variance (0 when n < 2). */
  readonly std: number;
  /** Smallest observation (0 when n = 0). */
  readonly min: number;
  /** Largest observation (0 when n = 0). */
  readonly max: number;
  /** Non-finite inputs that were ignored. */
  readonly skipped: number;
}

/**
 * A streaming accumulator of {@link VariantSummary}: O(1) memory, O(1) per value, mergeable.
 * Feed it values as they arrive (`add`, `addAll`), combine partial accumulators (`merge`), read the
 * figures at any time (`summary()`).
 *
 * @example
 *   const acc = new SummaryAccumulator();
 *   for (const v of stream) acc.add(v);
 *   welchTTest(control.summary(), acc.summary());
 */
export class SummaryAccumulator {
  #n = 0;
  /** The shift K: the first value accumulated. */
  #shift = 0;
  /** The running mean of the shifted values, ȳ. */
  #mean = 0;
  #m2 = 0;
  #min = Number.POSITIVE_INFINITY;
  #max = Number.NEGATIVE_INFINITY;
  #skipped = 0;

  /** Observations accumulated so far. */
  get n(): number {
    return this.#n;
  }

  /** Adds one observation (a non-finite value is skipped and counted). Returns `this`. */
  add(value: number): this {
    if (!Number.isFinite(value)) {
      this.#skipped++;
      return this;
    }
    if (this.#n === 0) this.#shift = value;
    const n = ++this.#n;
    const y = value - this.#shift;
    const delta = y - this.#mean;
    this.#mean += delta / n;
    this.#m2 += delta * (y - this.#mean);
    if (value < this.#min) this.#min = value;
    if (value > this.#max) this.#max = value;
    return this;
  }

  /** Adds every value of an array, typed array or iterable. Returns `this`. */
  addAll(values: ArrayLike<number> | Iterable<number>): this {
    if (isArrayLike(values)) {
      for (let i = 0; i < values.length; i++) this.add(values[i] as number);
    } else {
      for (const v of values) this.add(v);
    }
    return this;
  }

  /**
   * Merges the observations of `other` into this accumulator (Chan et al.'s combination; `other`
   * is unchanged). The result equals accumulating both inputs in one pass, up to rounding.
   * Returns `this`.
   */
  merge(other: SummaryAccumulator): this {
    const nB = other.#n;
    this.#skipped += other.#skipped;
    if (nB === 0) return this;
    const nA = this.#n;
    if (nA === 0) {
      this.#n = nB;
      this.#shift = other.#shift;
      this.#mean = other.#mean;
      this.#m2 = other.#m2;
      this.#min = other.#min;
      this.#max = other.#max;
      return this;
    }
    const n = nA + nB;
    // Both means relative to this accumulator's shift.
    const delta = other.#shift - this.#shift + other.#mean - this.#mean;
    this.#mean += (delta * nB) / n;
    this.#m2 += other.#m2 + ((delta * delta * nA) / n) * nB;
    this.#n = n;
    if (other.#min < this.#min) this.#min = other.#min;
    if (other.#max > this.#max) this.#max = other.#max;
    return this;
  }

  /** The figures of the observations so far (a snapshot; later `add` calls do not change it). */
  summary(): VariantSummary {
    const n = this.#n;
    if (n === 0) return { n: 0, mean: 0, variance: 0, std: 0, min: 0, max: 0, skipped: this.#skipped };
    // M₂ ≥ 0 mathematically; clamp the rounding of a constant sample.
    const variance = n < 2 ? 0 : Math.max(0, this.#m2) / (n - 1);
    return { n, mean: this.#shift + this.#mean, variance, std: Math.sqrt(variance), min: this.#min, max: this.#max, skipped: this.#skipped };
  }
}

function isArrayLike(values: ArrayLike<number> | Iterable<number>): values is ArrayLike<number> {
  return typeof (values as ArrayLike<number>).length === "number";
}

/**
 * Count, mean, sample variance and standard deviation (n − 1), min and max of `values` (any order;
 * an array, a typed array or an iterable), in one Welford pass: see {@link SummaryAccumulator}.
 * Non-finite values are skipped and counted in `skipped`.
 */
export function variantSummary(values: ArrayLike<number> | Iterable<number>): VariantSummary {
  return new SummaryAccumulator().addAll(values).summary();
}

/** The summary of a proportion (a RATE metric): see {@link rateSummary}. */
export interface RateSummary {
  /** Number of 0/1 observations. */
  readonly n: number;
  /** Number of observations equal to 1. */
  readonly successes: number;
  /** The proportion p = successes / n (0 when n = 0). */
  readonly mean: number;
  /** √(p (1 − p)), the `std_dev` the `VariantResult` message defines for a RATE metric. */
  readonly std: number;
  /** 0 when some observation is 0, else 1 (0 when n = 0). */
  readonly min: number;
  /** 1 when some observation is 1, else 0. */
  readonly max: number;
}

/**
 * The figures of a RATE metric from its counts: p = successes/n, std = √(p(1 − p)) (the
 * population form, as the `VariantResult` message specifies for rates), min and max of the 0/1
 * observations. RangeError unless 0 ≤ successes ≤ n are integers.
 */
export function rateSummary(successes: number, n: number): RateSummary {
  checkCounts(successes, n, "");
  if (n === 0) return { n: 0, successes: 0, mean: 0, std: 0, min: 0, max: 0 };
  const p = successes / n;
  const q = (n - successes) / n;
  return { n, successes, mean: p, std: Math.sqrt(p * q), min: successes === n ? 1 : 0, max: successes > 0 ? 1 : 0 };
}

/** RangeError unless `successes` and `n` are integers with 0 ≤ successes ≤ n. */
export function checkCounts(successes: number, n: number, label: string): void {
  if (!(Number.isSafeInteger(n) && n >= 0)) throw new RangeError(`${label}n must be an integer ≥ 0, got ${n}`);
  if (!(Number.isSafeInteger(successes) && successes >= 0 && successes <= n)) {
    throw new RangeError(`${label}successes must be an integer within [0, n = ${n}], got ${successes}`);
  }
}

/** Latency percentiles of a variant: see {@link latencyPercentiles}. */
export interface LatencyPercentiles {
  /** Latencies summarised (NaN excluded). */
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
}

/**
 * p50, p95 and p99 of latencies in milliseconds (any order), by the health module's
 * {@link percentile} (numpy's linear definition), so A/B results and health windows agree on what a
 * percentile is. NaN values are ignored; with no latency every figure is 0 (the `VariantResult`
 * convention).
 */
export function latencyPercentiles(latenciesMs: ArrayLike<number>): LatencyPercentiles {
  const { sorted } = sortedSample(latenciesMs);
  if (sorted.length === 0) return { count: 0, p50: 0, p95: 0, p99: 0 };
  return { count: sorted.length, p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99) };
}

/** failed / total, the `error_rate` of a variant; 0 when total is 0. RangeError unless 0 ≤ failed ≤ total are integers. */
export function errorRate(failed: number, total: number): number {
  checkCounts(failed, total, "");
  return total === 0 ? 0 : failed / total;
}
