/**
 * The two-proportion z-test on rates (conversion, accuracy, error rate), with the confidence
 * interval of the difference and the relative lift.
 */
import { checkConfidence, insufficient, liftOf, type InsufficientSamples, type LiftEstimate } from "./comparison.js";
import { normalIsf, normalTwoSidedPValue } from "./special.js";
import { checkCounts } from "./summary.js";

/** The outcome of {@link twoProportionZTest} when both sides have at least two observations. */
export interface TwoProportionZTestResult {
  readonly kind: "two-proportion-z";
  /** p_A = successes_A / n_A and p_B. */
  readonly pA: number;
  readonly pB: number;
  /** The pooled proportion (successes_A + successes_B) / (n_A + n_B). */
  readonly pooled: number;
  /** z = diff / pooled standard error, positive when B's rate is larger. */
  readonly z: number;
  /** Two-sided p-value P(|Z| ≥ |z|). */
  readonly pValue: number;
  /** p_B − p_A. */
  readonly diff: number;
  /** The pooled standard error of the statistic, √(p̄(1 − p̄)(1/n_A + 1/n_B)). */
  readonly standardError: number;
  /** The unpooled standard error of the interval, √(p_A(1 − p_A)/n_A + p_B(1 − p_B)/n_B). */
  readonly ciStandardError: number;
  /** The normal critical value z_{1 − α/2} (α = 1 − confidence). */
  readonly criticalValue: number;
  /** The interval of the difference at `confidence`: diff ∓ criticalValue · ciStandardError. */
  readonly ciLow: number;
  readonly ciHigh: number;
  /** diff / p_A with its interval; undefined when p_A is 0. */
  readonly lift: LiftEstimate | undefined;
  /** The confidence level of the interval. */
  readonly confidence: number;
  /**
   * True when the pooled proportion is 0 or 1 (every observation on both sides is 0, or every one
   * is 1): nothing varies, so z = 0, p = 1 and the interval is [0, 0].
   */
  readonly degenerate: boolean;
}

/**
 * The two-proportion z-test of B against A:
 *
 *     p_A = x_A/n_A,   p_B = x_B/n_B,   diff = p_B − p_A,   p̄ = (x_A + x_B)/(n_A + n_B)
 *     z   = diff / √(p̄ (1 − p̄) (1/n_A + 1/n_B))                  (pooled: the null p_A = p_B)
 *     p   = 2·Φ(−|z|)                                             (two-sided)
 *     CI  = diff ∓ z_{1−α/2} · √(p_A(1 − p_A)/n_A + p_B(1 − p_B)/n_B)   (unpooled, Wald)
 *     lift = diff / p_A,   lift CI = CI / p_A                     (undefined when p_A = 0)
 *
 * z² equals Pearson's χ² of the 2×2 table without continuity correction (scipy
 * `chi2_contingency(table, correction=False)`), and p its p-value; the fixture generator checks that.
 * 1 − p is computed as failures/n, never as a subtraction.
 *
 * Edge cases: p_A = p_B ∈ {0, 1} is `degenerate` (z = 0, p = 1, CI [0, 0]); a rate of 0 or 1 on
 * one side only is an ordinary case (the pooled error is positive), though that side contributes
 * nothing to the unpooled interval, which is then narrow — the known weakness of the Wald
 * interval with extreme rates.
 *
 * Returns an {@link InsufficientSamples} marker when either side has fewer than 2 observations.
 * RangeError unless 0 ≤ successes ≤ n are integers and 0 < confidence < 1.
 */
export function twoProportionZTest(
  successesA: number,
  nA: number,
  successesB: number,
  nB: number,
  confidence = 0.95,
): TwoProportionZTestResult | InsufficientSamples {
  checkCounts(successesA, nA, "A: ");
  checkCounts(successesB, nB, "B: ");
  checkConfidence(confidence);
  const short = insufficient(nA, nB);
  if (short) return short;
  const pA = successesA / nA;
  const pB = successesB / nB;
  const qA = (nA - successesA) / nA;
  const qB = (nB - successesB) / nB;
  const n = nA + nB;
  const pooled = (successesA + successesB) / n;
  const pooledQ = (n - successesA - successesB) / n;
  const diff = pB - pA;
  const standardError = Math.sqrt(pooled * pooledQ * (1 / nA + 1 / nB));
  const ciStandardError = Math.sqrt((pA * qA) / nA + (pB * qB) / nB);
  const criticalValue = normalIsf((1 - confidence) / 2);
  const degenerate = standardError === 0; // pooled is 0 or 1, hence diff = 0 and ciStandardError = 0
  const z = degenerate ? 0 : diff / standardError;
  const ciLow = diff - criticalValue * ciStandardError;
  const ciHigh = diff + criticalValue * ciStandardError;
  return {
    kind: "two-proportion-z",
    pA,
    pB,
    pooled,
    z,
    pValue: degenerate ? 1 : normalTwoSidedPValue(z),
    diff,
    standardError,
    ciStandardError,
    criticalValue,
    ciLow,
    ciHigh,
    lift: liftOf(diff, ciLow, ciHigh, pA),
    confidence,
    degenerate,
  };
}
