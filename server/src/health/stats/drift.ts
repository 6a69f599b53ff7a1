/**
 * Per-feature drift of a current window against a baseline, by PSI or Jensen–Shannon distance.
 *
 * How a feature is scored:
 * - **Numeric** features are binned with edges learnt from the baseline ({@link binEdges}: `bins`
 *   quantile bins, deduplicated, open-ended; or {@link uniformEdges} for the features listed in
 *   `options.uniform`), and the current values are counted in the same bins.
 * - **Categorical** features (those listed in `options.categorical`, or whose sample holds strings
 *   or booleans) are counted per category ({@link categorical}) and aligned on the union of
 *   categories ({@link alignCategories}); a category new in the current window is an empty bin of the
 *   baseline.
 * - The score is {@link psi} (with `epsilon`) or {@link jensenShannonDistance} (base 2) of the two
 *   count vectors, and the feature is `drifted` when `score > threshold`.
 *
 * **Thresholds** (defaults, {@link DEFAULT_DRIFT_THRESHOLDS}): PSI 0.2 — inside the conventional
 * "moderate" band (0.1–0.25), above what sampling noise gives at the default sizes, and reached by a
 * mean shift of about half a standard deviation; JS distance 0.1 (base 2) — about the same shifts,
 * and ≥ 2× the noise floor once both sides hold a few hundred values.
 *
 * **Too few samples.** When the current window (or the baseline) holds fewer than `minSamples`
 * usable values (default 100; NaN and missing values do not count), the feature is still reported,
 * with `score: NaN`, `drifted: false` and `reason: "too-few-samples"`: histogram distances on a
 * handful of values are mostly noise, and a missing figure is better than a false alarm. A feature of
 * the current window without a baseline is reported the same way with `reason: "no-baseline"`.
 *
 * **Constant features.** A constant baseline gets the three bins `< c`, `= c`, `> c`, so a current
 * window that stays at `c` scores 0 and one that moves either way is detected. A constant current
 * window against a varied baseline is simply a concentrated distribution, and scores high.
 */
import { alignCategories, binEdges, categorical, histogram, uniformEdges } from "./histogram.js";
import { jensenShannonDistance, psi, PSI_EPSILON } from "./divergence.js";

export type DriftMethod = "psi" | "js";

/** Default `threshold` per method: see the module comment for the reasoning. */
export const DEFAULT_DRIFT_THRESHOLDS: Readonly<Record<DriftMethod, number>> = { psi: 0.2, js: 0.1 };

/** Default minimum number of usable values on each side for a feature to be scored. */
export const DEFAULT_MIN_SAMPLES = 100;

/** Default number of quantile bins. */
export const DEFAULT_BINS = 10;

/** A feature's values: numbers for a numeric feature; strings, numbers or booleans for a categorical one. */
export type FeatureSample = ArrayLike<number> | readonly (string | number | boolean | null | undefined)[];

/** A feature's baseline reduced to what drift needs (what a stored or uploaded baseline holds). */
export type FeatureBaseline =
  | {
      readonly kind: "numeric";
      /** Strictly increasing bin edges, normally from {@link binEdges} or {@link uniformEdges}. */
      readonly edges: readonly number[];
      /** Baseline counts per bin (`edges.length − 1` entries). */
      readonly counts: readonly number[];
    }
  | {
      readonly kind: "categorical";
      /** Baseline count per category (`String(value)`). */
      readonly counts: ReadonlyMap<string, number> | Readonly<Record<string, number>>;
    };

/** Something keyed by feature name: a plain object or a Map. */
export type ByFeature<T> = Readonly<Record<string, T>> | ReadonlyMap<string, T>;

export interface DriftOptions {
  /** "psi" (default) or "js" (Jensen–Shannon distance, base 2). */
  readonly method?: DriftMethod;
  /** Quantile bins for numeric features built from a baseline sample (default 10). */
  readonly bins?: number;
  /** `score > threshold` means drifted (default per method: {@link DEFAULT_DRIFT_THRESHOLDS}). */
  readonly threshold?: number;
  /** PSI's stand-in proportion for empty bins (default {@link PSI_EPSILON}). */
  readonly epsilon?: number;
  /** Minimum usable values on each side (default {@link DEFAULT_MIN_SAMPLES}). */
  readonly minSamples?: number;
  /** Features to treat as categorical even when their values are numbers (class ids, codes). */
  readonly categorical?: readonly string[];
  /** Features binned on `bins` equal-width bins over a known `[lo, hi]` instead of quantiles. */
  readonly uniform?: Readonly<Record<string, readonly [number, number]>>;
}

export interface FeatureDrift {
  readonly feature: string;
  readonly method: DriftMethod;
  readonly kind: "numeric" | "categorical";
  /** PSI or JS distance; NaN when the feature was not scored (see `reason`). */
  readonly score: number;
  readonly threshold: number;
  /** `score > threshold`; false when not scored. */
  readonly drifted: boolean;
  /** Usable (non-NaN, non-missing) values in the current window. */
  readonly sampleCount: number;
  /** Values in the baseline (sum of its counts). */
  readonly baselineCount: number;
  /** Why the score is NaN, when it is. */
  readonly reason?: "too-few-samples" | "no-baseline";
}

/**
 * Reduces baseline samples to {@link FeatureBaseline}s (edges and counts, or category counts), for
 * storage or for scoring many windows against one baseline without re-sorting it. Same options and
 * feature-kind rules as {@link driftReport}.
 */
export function buildBaseline(
  samplesByFeature: ByFeature<FeatureSample>,
  options: Pick<DriftOptions, "bins" | "categorical" | "uniform"> = {},
): Map<string, FeatureBaseline> {
  const out = new Map<string, FeatureBaseline>();
  for (const [feature, sample] of entries(samplesByFeature)) out.set(feature, baselineOf(feature, sample, options));
  return out;
}

/**
 * Drift of every feature of `current` against `baseline`, one {@link FeatureDrift} per feature: the
 * baseline's features in its order, then current-only features (`reason: "no-baseline"`). A baseline
 * entry may be a raw sample (binned here) or a prebuilt {@link FeatureBaseline}; a baseline feature
 * absent from `current` is reported with `sampleCount: 0` and `reason: "too-few-samples"`. See the
 * module comment for binning, thresholds, small samples and constant features.
 */
export function driftReport(
  baseline: ByFeature<FeatureSample | FeatureBaseline>,
  current: ByFeature<FeatureSample>,
  options: DriftOptions = {},
): FeatureDrift[] {
  const method = options.method ?? "psi";
  if (method !== "psi" && method !== "js") throw new RangeError(`unknown drift method ${String(method)}`);
  const threshold = options.threshold ?? DEFAULT_DRIFT_THRESHOLDS[method];
  const minSamples = options.minSamples ?? DEFAULT_MIN_SAMPLES;
  const epsilon = options.epsilon ?? PSI_EPSILON;
  const currentMap = new Map(entries(current));
  const report: FeatureDrift[] = [];
  const seen = new Set<string>();

  for (const [feature, base] of entries(baseline)) {
    seen.add(feature);
    const b = isFeatureBaseline(base) ? base : baselineOf(feature, base, options);
    const sample = currentMap.get(feature) ?? [];
    let expected: readonly number[];
    let actual: number[];
    let sampleCount: number;
    if (b.kind === "numeric") {
      const values = toNumbers(sample);
      const h = histogram(values, b.edges);
      expected = b.counts;
      actual = h.counts;
      sampleCount = values.length - h.nanCount - h.outOfRange;
    } else {
      const c = categorical(sample);
      const aligned = alignCategories(toMap(b.counts), c.counts);
      expected = aligned.expected;
      actual = aligned.actual;
      sampleCount = sample.length - c.missing;
    }
    const baselineCount = expected.reduce((s, x) => s + x, 0);
    const common = { feature, method, kind: b.kind, threshold, sampleCount, baselineCount };
    if (sampleCount < minSamples || baselineCount < minSamples || sampleCount === 0 || baselineCount === 0) {
      report.push({ ...common, score: Number.NaN, drifted: false, reason: "too-few-samples" });
      continue;
    }
    const score = method === "psi" ? psi(expected, actual, epsilon) : jensenShannonDistance(expected, actual, 2);
    report.push({ ...common, score, drifted: score > threshold });
  }

  for (const [feature, sample] of currentMap) {
    if (seen.has(feature)) continue;
    const kind = isCategorical(feature, sample, options) ? "categorical" : "numeric";
    const sampleCount = kind === "numeric" ? countNumbers(sample) : sample.length - categorical(sample).missing;
    report.push({ feature, method, kind, threshold, score: Number.NaN, drifted: false, sampleCount, baselineCount: 0, reason: "no-baseline" });
  }
  return report;
}

function baselineOf(feature: string, sample: FeatureSample, options: Pick<DriftOptions, "bins" | "categorical" | "uniform">): FeatureBaseline {
  if (isCategorical(feature, sample, options)) return { kind: "categorical", counts: categorical(sample).counts };
  const bins = options.bins ?? DEFAULT_BINS;
  const values = toNumbers(sample);
  const range = options.uniform?.[feature];
  const edges = range ? uniformEdges(range[0], range[1], bins) : binEdges(values, bins);
  return { kind: "numeric", edges, counts: histogram(values, edges).counts };
}

function isCategorical(feature: string, sample: FeatureSample, options: Pick<DriftOptions, "categorical">): boolean {
  if (options.categorical?.includes(feature)) return true;
  for (let i = 0; i < sample.length; i++) {
    const v = sample[i];
    if (v === null || v === undefined) continue;
    return typeof v === "string" || typeof v === "boolean";
  }
  return false;
}

function isFeatureBaseline(x: FeatureSample | FeatureBaseline): x is FeatureBaseline {
  return !Array.isArray(x) && !ArrayBuffer.isView(x) && typeof (x as { kind?: unknown }).kind === "string";
}

/** Numbers as they are; anything else (strings, booleans, null) becomes NaN and is ignored. */
function toNumbers(sample: FeatureSample): ArrayLike<number> {
  if (ArrayBuffer.isView(sample)) return sample as ArrayLike<number>;
  const arr = sample as ArrayLike<unknown>;
  for (let i = 0; i < arr.length; i++) {
    if (typeof arr[i] !== "number") return Array.from(arr, (v) => (typeof v === "number" ? v : Number.NaN));
  }
  return arr as ArrayLike<number>;
}

function countNumbers(sample: FeatureSample): number {
  const values = toNumbers(sample);
  let n = 0;
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i])) n++;
  return n;
}

function toMap(counts: ReadonlyMap<string, number> | Readonly<Record<string, number>>): ReadonlyMap<string, number> {
  return counts instanceof Map ? counts : new Map(Object.entries(counts));
}

function entries<T>(byFeature: ByFeature<T>): [string, T][] {
  return byFeature instanceof Map ? [...byFeature.entries()] : Object.entries(byFeature as Readonly<Record<string, T>>);
}
