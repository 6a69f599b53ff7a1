/**
 * Comparing variants with the control and recommending a winner, the rules of `ABTestResults`:
 * a comparison is significant when its p-value is below α = 1 − confidence level; the verdict reads
 * it in the goal's direction; the recommended winner is, among the variants significantly better
 * than the control, the one with the best mean, else the control — and nothing while any arm has
 * fewer observations than the minimum.
 */
import type { InsufficientSamples } from "./comparison.js";
import { twoProportionZTest, type TwoProportionZTestResult } from "./proportion.js";
import { welchTTest, type WelchTTestResult } from "./welch.js";

/** Which direction of the metric is better. */
export type Goal = "maximize" | "minimize";

/** A comparison with the control read in the goal's direction. */
export type Verdict = "better" | "worse" | "inconclusive";

/** One arm of a test for a MEAN metric: its id and the summary of its observations. */
export interface MeanArm {
  readonly id: string;
  readonly kind: "mean";
  readonly n: number;
  readonly mean: number;
  /** Sample variance (divisor n − 1). */
  readonly variance: number;
}

/** One arm of a test for a RATE metric: its id, observations and successes (1s). */
export interface RateArm {
  readonly id: string;
  readonly kind: "rate";
  readonly n: number;
  readonly successes: number;
}

/** An arm; the control and every variant of one call must be of the same kind. */
export type Arm = MeanArm | RateArm;

/** The comparison of one variant with the control, and how to read it. */
export interface Assessment {
  readonly id: string;
  /** The arm's observation count and mean (a proportion for a rate). */
  readonly n: number;
  readonly mean: number;
  /** The test's outcome, or the insufficient marker when either side has fewer than 2 observations. */
  readonly comparison: WelchTTestResult | TwoProportionZTestResult | InsufficientSamples;
  /** pValue < α (false for an insufficient comparison). */
  readonly significant: boolean;
  /** "better"/"worse" when significant, by the sign of the difference and the goal; else "inconclusive". */
  readonly verdict: Verdict;
}

/** An arm that has fewer observations than the minimum. */
export interface LackingArm {
  readonly id: string;
  readonly n: number;
  readonly required: number;
}

/** The outcome of {@link recommendWinner}. */
export type Recommendation =
  | {
      readonly status: "not-enough-samples";
      /** The arms below the minimum, control first, then variants in input order. */
      readonly lacking: readonly LackingArm[];
      /** E.g. "variant b has 42 of 100 observations, variant c has 7 of 100 observations". */
      readonly message: string;
      /** The comparisons as they stand (reported, but no winner is recommended). */
      readonly assessments: readonly Assessment[];
    }
  | {
      readonly status: "winner";
      /** The recommended arm: a variant significantly better than the control, or the control. */
      readonly winnerId: string;
      /** True when no variant is significantly better and the control is recommended. */
      readonly controlWins: boolean;
      /** Why, in one sentence. */
      readonly reason: string;
      readonly assessments: readonly Assessment[];
    };

/** Options of {@link recommendWinner} and {@link compareWithControl}. */
export interface WinnerOptions {
  /** Whether larger or smaller values of the metric are better. */
  readonly goal: Goal;
  /** Significance level; a comparison is significant when p < alpha. Default 0.05. Intervals use 1 − alpha. */
  readonly alpha?: number;
  /** Observations every arm needs before a winner is recommended. Default 100. */
  readonly minSamples?: number;
}

/** Default significance level (confidence 0.95). */
export const DEFAULT_ALPHA = 0.05;
/** Default minimum observations per arm, as `min_samples_per_variant` = 0 means. */
export const DEFAULT_MIN_SAMPLES = 100;

/**
 * Compares `variant` with `control`: Welch's t-test for mean arms, the two-proportion z-test for
 * rate arms, at confidence 1 − alpha, and the verdict in the goal's direction (significant and
 * diff > 0 is "better" when maximizing, "worse" when minimizing; not significant, or fewer than two
 * observations on a side, is "inconclusive"). RangeError when the arms differ in kind.
 */
export function compareWithControl(control: Arm, variant: Arm, options: Pick<WinnerOptions, "goal" | "alpha">): Assessment {
  const alpha = options.alpha ?? DEFAULT_ALPHA;
  checkAlpha(alpha);
  checkGoal(options.goal);
  const confidence = 1 - alpha;
  let comparison: Assessment["comparison"];
  if (control.kind === "mean" && variant.kind === "mean") {
    comparison = welchTTest(control, variant, confidence);
  } else if (control.kind === "rate" && variant.kind === "rate") {
    comparison = twoProportionZTest(control.successes, control.n, variant.successes, variant.n, confidence);
  } else {
    throw new RangeError(`arms "${control.id}" and "${variant.id}" differ in kind (${control.kind} vs ${variant.kind})`);
  }
  const significant = comparison.kind !== "insufficient" && comparison.pValue < alpha;
  let verdict: Verdict = "inconclusive";
  if (significant && comparison.kind !== "insufficient" && comparison.diff !== 0) {
    const up = comparison.diff > 0;
    verdict = up === (options.goal === "maximize") ? "better" : "worse";
  }
  return { id: variant.id, n: variant.n, mean: armMean(variant), comparison, significant, verdict };
}

/**
 * Recommends the winner of a test:
 *
 * 1. Every variant is compared with the control ({@link compareWithControl}, at confidence 1 − alpha).
 * 2. When any arm (control included) has fewer than `minSamples` observations, the result is
 *    "not-enough-samples", naming each such arm and its count; no winner.
 * 3. Otherwise the winner is, among the variants whose verdict is "better" (p < alpha in the goal's
 *    direction), the one with the best mean in that direction (the first in input order on a tie);
 *    the control when there is none.
 *
 * Callers pass the arms that may win (a shadow variant too, if its metric is attributable to it).
 * RangeError on duplicate ids, arms of mixed kinds, alpha outside (0, 1), or a negative or
 * non-integer `minSamples`.
 */
export function recommendWinner(control: Arm, variants: readonly Arm[], options: WinnerOptions): Recommendation {
  const alpha = options.alpha ?? DEFAULT_ALPHA;
  const minSamples = options.minSamples ?? DEFAULT_MIN_SAMPLES;
  checkAlpha(alpha);
  checkGoal(options.goal);
  if (!(Number.isSafeInteger(minSamples) && minSamples >= 0)) {
    throw new RangeError(`minSamples must be an integer ≥ 0, got ${minSamples}`);
  }
  const ids = new Set<string>([control.id]);
  for (const v of variants) {
    if (ids.has(v.id)) throw new RangeError(`duplicate arm id "${v.id}"`);
    ids.add(v.id);
  }
  const assessments = variants.map((v) => compareWithControl(control, v, { goal: options.goal, alpha }));

  const lacking = [control, ...variants].filter((arm) => arm.n < minSamples).map((arm) => ({ id: arm.id, n: arm.n, required: minSamples }));
  if (lacking.length > 0) {
    const message = lacking.map((l) => `variant ${l.id} has ${l.n} of ${l.required} observations`).join(", ");
    return { status: "not-enough-samples", lacking, message, assessments };
  }

  const sign = options.goal === "maximize" ? 1 : -1;
  let best: Assessment | undefined;
  for (const a of assessments) {
    if (a.verdict === "better" && (best === undefined || sign * a.mean > sign * best.mean)) best = a;
  }
  const level = `alpha ${fmt(alpha)}`;
  if (best === undefined || best.comparison.kind === "insufficient") {
    return {
      status: "winner",
      winnerId: control.id,
      controlWins: true,
      reason:
        variants.length === 0
          ? `the control ${control.id} is the only arm`
          : `no variant is significantly ${options.goal === "maximize" ? "higher" : "lower"} than the control ${control.id} at ${level}`,
      assessments,
    };
  }
  const c = best.comparison;
  const others = assessments.filter((a) => a.verdict === "better").length - 1;
  const lift = c.lift === undefined ? "" : `, lift ${c.lift.value >= 0 ? "+" : ""}${fmt(c.lift.value * 100)} %`;
  const among = others > 0 ? `, the best of ${others + 1} significantly better variants` : "";
  return {
    status: "winner",
    winnerId: best.id,
    controlWins: false,
    reason:
      `variant ${best.id} is significantly ${options.goal === "maximize" ? "higher" : "lower"} than the control ${control.id} ` +
      `(mean ${fmt(best.mean)} vs ${fmt(armMean(control))}${lift}, p = ${fmt(c.pValue)} < ${fmt(alpha)})${among}`,
    assessments,
  };
}

function armMean(arm: Arm): number {
  if (arm.kind === "mean") return arm.mean;
  return arm.n === 0 ? 0 : arm.successes / arm.n;
}

/** Four significant digits, without trailing zeros: 0.001234, 1.235e-7, 12.5. */
function fmt(x: number): string {
  if (x === 0 || !Number.isFinite(x)) return String(x);
  return String(Number(x.toPrecision(4)));
}

function checkAlpha(alpha: number): void {
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be within (0, 1), got ${alpha}`);
}

function checkGoal(goal: Goal): void {
  if (goal !== "maximize" && goal !== "minimize") throw new RangeError(`goal must be "maximize" or "minimize", got ${String(goal)}`);
}
