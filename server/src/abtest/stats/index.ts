/**
 * The statistics of A/B tests: pure, dependency-free functions over summaries and counts.
 *
 * - {@link variantSummary} / {@link SummaryAccumulator}: count, mean, variance, std, min, max
 *   (Welford, mergeable); {@link rateSummary} for proportions; {@link latencyPercentiles} and
 *   {@link errorRate} for the per-variant operational figures.
 * - {@link welchTTest}: means, Welch's t-test with Welch–Satterthwaite df, CI and lift.
 * - {@link twoProportionZTest}: rates, pooled z statistic, unpooled CI and lift.
 * - {@link compareWithControl} / {@link recommendWinner}: verdicts in the goal's direction, the
 *   recommended winner or "not enough samples".
 * - special functions ({@link studentTCdf}, {@link studentTQuantile}, {@link normalCdf},
 *   {@link normalQuantile}, {@link erf}, {@link erfc}, {@link regularizedIncompleteBeta}, …) that
 *   give the p-values and critical values without a library.
 *
 * Every figure is pinned against scipy 1.17 / numpy 2.4 by fixtures/abtest/stats.json (generated
 * by scripts/make-abtest-fixtures.sh).
 */
export {
  erf,
  erfc,
  logBeta,
  logGamma,
  normalCdf,
  normalIsf,
  normalPdf,
  normalQuantile,
  normalSf,
  normalTwoSidedPValue,
  regularizedIncompleteBeta,
  studentTCdf,
  studentTIsf,
  studentTPdf,
  studentTQuantile,
  studentTSf,
  studentTTwoSidedPValue,
} from "./special.js";
export {
  checkCounts,
  errorRate,
  latencyPercentiles,
  rateSummary,
  SummaryAccumulator,
  variantSummary,
  type LatencyPercentiles,
  type RateSummary,
  type Summary,
  type VariantSummary,
} from "./summary.js";
export { MIN_OBSERVATIONS_PER_SIDE, type InsufficientSamples, type LiftEstimate } from "./comparison.js";
export { welchTTest, type WelchTTestResult } from "./welch.js";
export { twoProportionZTest, type TwoProportionZTestResult } from "./proportion.js";
export {
  compareWithControl,
  DEFAULT_ALPHA,
  DEFAULT_MIN_SAMPLES,
  recommendWinner,
  type Arm,
  type Assessment,
  type Goal,
  type LackingArm,
  type MeanArm,
  type RateArm,
  type Recommendation,
  type Verdict,
  type WinnerOptions,
} from "./winner.js";
