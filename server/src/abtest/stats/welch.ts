/**
 * Welch's unequal-variances t-test on two summaries, with the confidence interval of the
 * difference of means and the relative lift.
 */
import { checkConfidence, insufficient, liftOf, type InsufficientSamples, type LiftEstimate } from "./comparison.js";
import { studentTIsf, studentTTwoSidedPValue } from "./special.js";
import type { Summary } from "./summary.js";

/** The outcome of {@link welchTTest} when both sides have at least two observations. */
export interface WelchTTestResult {
  readonly kind: "welch-t";
  /** t = diff / se, positive when B's mean is larger. */
  readonly t: number;
  /** Welch–Satterthwaite degrees of freedom (n_A + n_B − 2 when both variances are 0). */
  readonly df: number;
  /** Two-sided p-value P(|T_df| ≥ |t|). */
  readonly pValue: number;
  /** mean_B − mean_A. */
  readonly diff: number;
  /** The standard error of the difference, √(s_A²/n_A + s_B²/n_B). */
  readonly standardError: number;
  /** The t critical value t_{1 − α/2, df} of the interval (α = 1 − confidence). */
  readonly criticalValue: number;
  /** The interval of the difference at `confidence`: diff ∓ criticalValue · standardError. */
  readonly ciLow: number;
  readonly ciHigh: number;
  /** diff / |mean_A| with its interval; undefined when mean_A is 0. */
  readonly lift: LiftEstimate | undefined;
  /** The confidence level of the intervals. */
  readonly confidence: number;
  /**
   * True when both sample variances are 0 (se = 0): the difference is then known exactly, t is
   * 0 (equal means, p = 1) or ±∞ (different means, p = 0), and the interval has zero width.
   */
  readonly zeroVariance: boolean;
}

/**
 * Welch's t-test of B against A (scipy `ttest_ind(b, a, equal_var=False)`), from summaries:
 *
 *     diff = x̄_B − x̄_A,   se = √(s_A²/n_A + s_B²/n_B),   t = diff / se
 *     df   = (s_A²/n_A + s_B²/n_B)² / ((s_A²/n_A)²/(n_A − 1) + (s_B²/n_B)²/(n_B − 1))   (Welch–Satterthwaite)
 *     p    = P(|T_df| ≥ |t|)   (two-sided)
 *     CI   = diff ∓ t_{1−α/2, df} · se,   α = 1 − confidence
 *     lift = diff / |x̄_A|,   lift CI = CI / |x̄_A|   (undefined when x̄_A = 0)
 *
 * where s² is the sample variance (divisor n − 1). df is computed in the overflow-free form
 * 1 / (f_A²/(n_A − 1) + f_B²/(n_B − 1)) with f = (s²/n)/se². One zero variance is no special case
 * (df becomes n − 1 of the other side); both zero is (`zeroVariance`).
 *
 * Returns an {@link InsufficientSamples} marker when either side has fewer than 2 observations.
 * RangeError when a summary is invalid (n not a non-negative integer, mean not finite, variance
 * negative or not finite) or `confidence` is not within (0, 1).
 */
export function welchTTest(a: Summary, b: Summary, confidence = 0.95): WelchTTestResult | InsufficientSamples {
  checkSummary(a, "a");
  checkSummary(b, "b");
  checkConfidence(confidence);
  const short = insufficient(a.n, b.n);
  if (short) return short;
  const diff = b.mean - a.mean;
  const wA = a.variance / a.n;
  const wB = b.variance / b.n;
  const se2 = wA + wB;
  const alpha = 1 - confidence;
  if (se2 === 0) {
    const df = a.n + b.n - 2;
    const t = diff === 0 ? 0 : diff > 0 ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
    return {
      kind: "welch-t",
      t,
      df,
      pValue: diff === 0 ? 1 : 0,
      diff,
      standardError: 0,
      criticalValue: studentTIsf(alpha / 2, df),
      ciLow: diff,
      ciHigh: diff,
      lift: liftOf(diff, diff, diff, a.mean),
      confidence,
      zeroVariance: true,
    };
  }
  const se = Math.sqrt(se2);
  const fA = wA / se2;
  const fB = wB / se2;
  const df = 1 / ((fA * fA) / (a.n - 1) + (fB * fB) / (b.n - 1));
  const t = diff / se;
  const criticalValue = studentTIsf(alpha / 2, df);
  const ciLow = diff - criticalValue * se;
  const ciHigh = diff + criticalValue * se;
  return {
    kind: "welch-t",
    t,
    df,
    pValue: studentTTwoSidedPValue(t, df),
    diff,
    standardError: se,
    criticalValue,
    ciLow,
    ciHigh,
    lift: liftOf(diff, ciLow, ciHigh, a.mean),
    confidence,
    zeroVariance: false,
  };
}

function checkSummary(s: Summary, label: string): void {
  if (!(Number.isSafeInteger(s.n) && s.n >= 0)) throw new RangeError(`${label}.n must be an integer ≥ 0, got ${s.n}`);
  if (!Number.isFinite(s.mean)) throw new RangeError(`${label}.mean must be finite, got ${s.mean}`);
  if (!(s.variance >= 0 && Number.isFinite(s.variance))) {
    throw new RangeError(`${label}.variance must be finite and ≥ 0, got ${s.variance}`);
  }
}
