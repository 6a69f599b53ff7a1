/**
 * Fixed-weight combination: weighted average (also used by dynamic weighting, and by stacking
 * before its first fit), majority vote, and the best-member fallback.
 */
import {
  EnsembleStrategyError,
  alignProbabilities,
  answeredBatch,
  checkWeightCount,
  classificationAnswer,
  normaliseWeights,
  participation,
  regressionAnswer,
  unionClasses,
  type CombinedAnswer,
  type CombinedClassification,
  type MemberAnswer,
} from "./common.js";

/** Options shared by the combining functions. */
export interface CombineOptions {
  /**
   * The ensemble's class order. The combined classes are these first, then any other label a
   * member reports (see `unionClasses`). Unset: the answering members' labels in order of first
   * appearance.
   */
  readonly classes?: readonly string[] | undefined;
}

/**
 * Two vote totals closer than this (relative to the total vote, which is 1) are a tie: weighted
 * votes are sums of floating-point shares, so 0.1 + 0.2 and 0.3 must compare equal.
 */
export const VOTE_TIE_TOLERANCE = 1e-9;

/**
 * The weighted mean of the answering members' outputs.
 *
 * Weights are renormalised over the members that answered (a failed member's weight is dropped
 * and the rest scaled to sum to 1; all-zero weights become equal weights). Classification
 * averages the probability vectors aligned by label (union of labels; a class a member does not
 * report counts as probability 0 for it); each row's label is the argmax (ties: earliest class)
 * and its confidence that probability. Regression averages the values.
 *
 * @param answers every member's result, in member order (failures included).
 * @param weights one non-negative weight per entry of `answers` (same order).
 * @throws EnsembleStrategyError `NO_ANSWERS`, `MIXED_TASKS`, `SHAPE_MISMATCH`, `INVALID_WEIGHTS`.
 */
export function weightedAverage(
  answers: readonly MemberAnswer[],
  weights: readonly number[],
  options: CombineOptions = {},
): CombinedAnswer {
  checkWeightCount(answers, weights);
  const batch = answeredBatch(answers);
  const part = participation(answers);
  const w = normaliseWeights(batch.entries.map((e) => weights[e.index]!));
  const rows = batch.rows;
  if (batch.task === "regression") {
    const values = new Float64Array(rows);
    batch.entries.forEach((e, k) => {
      const wk = w[k]!;
      if (wk === 0) return;
      const v = e.output.values;
      for (let r = 0; r < rows; r++) values[r]! += wk * v[r]!;
    });
    return regressionAnswer(part, values);
  }
  const classes = unionClasses(
    batch.entries.map((e) => e.output),
    options.classes,
  );
  const c = classes.length;
  const probabilities = new Float64Array(rows * c);
  batch.entries.forEach((e, k) => {
    const wk = w[k]!;
    if (wk === 0) return;
    const aligned = alignProbabilities(e.output, classes, e.member);
    for (let i = 0; i < aligned.length; i++) probabilities[i]! += wk * aligned[i]!;
  });
  return classificationAnswer(part, rows, classes, probabilities);
}

/**
 * Majority vote (classification only). In each row, every answering member votes for its top
 * label (its argmax; a tie inside a member goes to the class earliest in the ensemble's class
 * order). A vote counts 1, or the member's weight when `weights` is given (renormalised over the
 * members that answered, all-zero → equal).
 *
 * The label with the largest vote wins. Ties (within {@link VOTE_TIE_TOLERANCE}) are broken, in
 * order, by: (1) the higher mean probability that the label's voters gave it (weighted by their
 * votes), then (2) the class earliest in the ensemble's class order — so the result never depends
 * on timing or hashing. The output probabilities are the vote shares (summing to 1 per row) and
 * the confidence is the winning vote share.
 *
 * @param answers every member's result, in member order (failures included).
 * @param weights optional, one non-negative weight per entry of `answers`; unset = one vote each.
 * @throws EnsembleStrategyError `UNSUPPORTED_TASK` for regression, plus those of {@link weightedAverage}.
 */
export function majorityVote(
  answers: readonly MemberAnswer[],
  weights?: readonly number[],
  options: CombineOptions = {},
): CombinedClassification {
  if (weights !== undefined) checkWeightCount(answers, weights);
  const batch = answeredBatch(answers);
  if (batch.task !== "classification") {
    throw new EnsembleStrategyError("UNSUPPORTED_TASK", "majority vote combines classifiers only");
  }
  const part = participation(answers);
  const w = normaliseWeights(batch.entries.map((e) => (weights === undefined ? 1 : weights[e.index]!)));
  const rows = batch.rows;
  const classes = unionClasses(
    batch.entries.map((e) => e.output),
    options.classes,
  );
  const c = classes.length;
  const aligned = batch.entries.map((e) => alignProbabilities(e.output, classes, e.member));
  const shares = new Float64Array(rows * c);
  const labels: string[] = new Array<string>(rows);
  const confidences = new Float64Array(rows);
  const probSum = new Float64Array(c);
  for (let r = 0; r < rows; r++) {
    probSum.fill(0);
    const base = r * c;
    for (let k = 0; k < aligned.length; k++) {
      const p = aligned[k]!;
      let top = 0;
      for (let j = 1; j < c; j++) if (p[base + j]! > p[base + top]!) top = j;
      shares[base + top]! += w[k]!;
      probSum[top]! += w[k]! * p[base + top]!;
    }
    let best = -1;
    for (let j = 0; j < c; j++) {
      const votes = shares[base + j]!;
      if (votes <= 0) continue;
      if (best < 0) {
        best = j;
        continue;
      }
      const bestVotes = shares[base + best]!;
      if (votes > bestVotes + VOTE_TIE_TOLERANCE) best = j;
      else if (votes >= bestVotes - VOTE_TIE_TOLERANCE) {
        // Tie on votes: the higher mean probability among the voters wins; equal → earlier class.
        if (probSum[j]! / votes > probSum[best]! / bestVotes) best = j;
      }
    }
    if (best < 0) best = 0; // only when every weight is 0, impossible after normalisation
    labels[r] = classes[best]!;
    confidences[r] = shares[base + best]!;
  }
  return {
    kind: "classification",
    rows,
    classes,
    probabilities: shares,
    labels,
    confidences,
    answered: part.answered,
    failed: part.failed,
  };
}

/**
 * The answer of the single answering member with the highest weight (ties: the earliest member),
 * for the BEST_MEMBER fallback. Its classes are aligned like {@link weightedAverage}'s.
 *
 * @param answers every member's result, in member order (failures included).
 * @param weights one weight per entry of `answers` (e.g. the effective weights).
 * @throws EnsembleStrategyError `NO_ANSWERS` when no member answered.
 */
export function bestMember(
  answers: readonly MemberAnswer[],
  weights: readonly number[],
  options: CombineOptions = {},
): CombinedAnswer {
  checkWeightCount(answers, weights);
  let best = -1;
  answers.forEach((a, i) => {
    if (a.result.kind === "failure") return;
    if (best < 0 || weights[i]! > weights[best]!) best = i;
  });
  if (best < 0) throw new EnsembleStrategyError("NO_ANSWERS", "no member answered");
  const only = answers.map((a, i) => (i === best ? 1 : 0));
  const combined = weightedAverage(answers, only, options);
  return combined;
}
