/**
 * Shared types and helpers of the ensemble combination strategies: what a member answers, what
 * the ensemble answers, class-label alignment and weight normalisation. Pure and dependency-free.
 *
 * Conventions used by every strategy:
 * - `answers` lists the members in member order; a member that failed or timed out is a
 *   {@link MemberFailure} and does not take part in combining.
 * - Classification outputs are row-major `rows × classes` probability matrices. Members are
 *   aligned by label, not by position: the ensemble's classes are the union of the answering
 *   members' labels (see {@link unionClasses}), and a class a member does not report has
 *   probability 0 for that member.
 * - Argmax ties (equal probabilities within a row) go to the class that comes first in the
 *   ensemble's class order.
 */

/** What an ensemble's members predict. */
export type EnsembleTask = "classification" | "regression";

/** The combination strategies, named like the proto's `EnsembleStrategy` values without prefix. */
export type StrategyName = "WEIGHTED_AVERAGE" | "DYNAMIC_WEIGHTING" | "MAJORITY_VOTE" | "STACKING" | "META_LEARNER" | "PLUGIN";

/**
 * A combination strategy added from outside the domain (a plugin): an ensemble with the PLUGIN
 * strategy names one. It must be pure, fast and synchronous, like the built-in ones.
 */
export interface CustomStrategy {
  /** UPPER_SNAKE_CASE, e.g. `MEDIAN`. */
  readonly name: string;
  /** The tasks it can combine. */
  readonly tasks: readonly EnsembleTask[];
  /** Combines one batch: `answers` in member order (failures included), `weights` the configured ones in the same order. */
  combine(answers: readonly MemberAnswer[], weights: readonly number[]): CombinedAnswer;
}

/** Every built-in strategy name, plus the BEST_MEMBER fallback: names plugins may not take. */
export const BUILTIN_STRATEGY_NAMES: readonly string[] = ["WEIGHTED_AVERAGE", "DYNAMIC_WEIGHTING", "MAJORITY_VOTE", "STACKING", "META_LEARNER", "PLUGIN", "BEST_MEMBER"];

/** A classifier member's answer for a batch: per-class probabilities, one row per input row. */
export interface ClassificationOutput {
  readonly kind: "classification";
  /** The member's class labels, in the order of the probability columns; no duplicates. */
  readonly classes: readonly string[];
  /** Row-major `rows × classes.length` probabilities. */
  readonly probabilities: Float64Array;
}

/** A regression member's answer for a batch: one value per input row. */
export interface RegressionOutput {
  readonly kind: "regression";
  /** One value per row. */
  readonly values: Float64Array;
}

/** A member that failed or timed out on the batch. */
export interface MemberFailure {
  readonly kind: "failure";
  /** Why it failed, as reported in the response's "failed" list. */
  readonly error: string;
}

/** An answer a member actually gave. */
export type MemberOutput = ClassificationOutput | RegressionOutput;

/** A member's result for a batch: an output or a failure. */
export type MemberResult = MemberOutput | MemberFailure;

/** One member's result, tagged with the member's identifier (e.g. its model version name). */
export interface MemberAnswer {
  /** The member's identifier, e.g. `models/iris/versions/3`. */
  readonly member: string;
  readonly result: MemberResult;
}

/** A member that did not answer, with the reason. */
export interface FailedMember {
  readonly member: string;
  readonly error: string;
}

/** Who answered and who failed, in member order. */
export interface Participation {
  readonly answered: readonly string[];
  readonly failed: readonly FailedMember[];
}

/** The ensemble's classification answer: combined probabilities, plus the label and confidence per row. */
export interface CombinedClassification extends Participation {
  readonly kind: "classification";
  readonly rows: number;
  /** The ensemble's class order (the columns of `probabilities`). */
  readonly classes: readonly string[];
  /** Row-major `rows × classes.length`. */
  readonly probabilities: Float64Array;
  /** The argmax label of each row (ties: earliest class in `classes`). */
  readonly labels: readonly string[];
  /** The probability (or vote share) of each row's label. */
  readonly confidences: Float64Array;
}

/** The ensemble's regression answer. */
export interface CombinedRegression extends Participation {
  readonly kind: "regression";
  readonly rows: number;
  readonly values: Float64Array;
}

/** The ensemble's answer for a batch. */
export type CombinedAnswer = CombinedClassification | CombinedRegression;

/** Machine-readable reason of an {@link EnsembleStrategyError}. */
export type EnsembleStrategyErrorCode =
  | "NO_ANSWERS"
  | "MIXED_TASKS"
  | "SHAPE_MISMATCH"
  | "INVALID_WEIGHTS"
  | "UNSUPPORTED_TASK"
  | "INVALID_ARGUMENT";

/**
 * Thrown by the strategies on inputs they cannot combine. `NO_ANSWERS` means no member answered
 * (the runtime should have applied the quorum/fallback first); the others are caller or member
 * contract violations (mismatched row counts, mixed tasks, bad weights…).
 */
export class EnsembleStrategyError extends Error {
  /** The machine-readable reason. */
  readonly code: EnsembleStrategyErrorCode;
  /** @param code the reason; @param message a sentence naming the member or argument at fault. */
  constructor(code: EnsembleStrategyErrorCode, message: string) {
    super(message);
    this.name = "EnsembleStrategyError";
    this.code = code;
  }
}

/** An answering member with its position in `answers`. */
export interface AnsweredEntry<T extends MemberOutput = MemberOutput> {
  readonly index: number;
  readonly member: string;
  readonly output: T;
}

/** The answering members of a batch, checked to share one task and one row count. */
export type AnsweredBatch =
  | { readonly task: "classification"; readonly rows: number; readonly entries: readonly AnsweredEntry<ClassificationOutput>[] }
  | { readonly task: "regression"; readonly rows: number; readonly entries: readonly AnsweredEntry<RegressionOutput>[] };

/**
 * Who answered and who failed, in member order.
 * @param answers every member's result, in member order.
 */
export function participation(answers: readonly MemberAnswer[]): Participation {
  const answered: string[] = [];
  const failed: FailedMember[] = [];
  for (const a of answers) {
    if (a.result.kind === "failure") failed.push({ member: a.member, error: a.result.error });
    else answered.push(a.member);
  }
  return { answered, failed };
}

/**
 * The number of rows of a member output, after checking its shape (a classification output needs
 * at least one class, no duplicate label and `probabilities.length` a multiple of the class count).
 * @throws EnsembleStrategyError `SHAPE_MISMATCH` on a malformed output.
 */
export function rowsOf(output: MemberOutput, member = "member"): number {
  if (output.kind === "regression") return output.values.length;
  const c = output.classes.length;
  if (c === 0) throw new EnsembleStrategyError("SHAPE_MISMATCH", `${member} reported no class labels`);
  if (new Set(output.classes).size !== c) {
    throw new EnsembleStrategyError("SHAPE_MISMATCH", `${member} reported duplicate class labels`);
  }
  if (output.probabilities.length % c !== 0) {
    throw new EnsembleStrategyError(
      "SHAPE_MISMATCH",
      `${member} returned ${output.probabilities.length} probabilities, not a multiple of its ${c} classes`,
    );
  }
  return output.probabilities.length / c;
}

/**
 * The members that answered, checked to share one task and one row count.
 * @throws EnsembleStrategyError `NO_ANSWERS` when every member failed, `MIXED_TASKS` when
 *   classifiers and regressors are mixed, `SHAPE_MISMATCH` on differing row counts.
 */
export function answeredBatch(answers: readonly MemberAnswer[]): AnsweredBatch {
  let task: EnsembleTask | null = null;
  let rows = -1;
  const entries: AnsweredEntry[] = [];
  answers.forEach((a, index) => {
    const r = a.result;
    if (r.kind === "failure") return;
    if (task !== null && r.kind !== task) {
      throw new EnsembleStrategyError("MIXED_TASKS", `${a.member} answered ${r.kind} while others answered ${task}`);
    }
    task = r.kind;
    const n = rowsOf(r, a.member);
    if (rows >= 0 && n !== rows) {
      throw new EnsembleStrategyError("SHAPE_MISMATCH", `${a.member} answered ${n} rows, others ${rows}`);
    }
    rows = n;
    entries.push({ index, member: a.member, output: r });
  });
  if (task === null) throw new EnsembleStrategyError("NO_ANSWERS", "no member answered");
  return { task, rows, entries } as AnsweredBatch;
}

/**
 * The ensemble's class order: `base` first (when given), then every label of the outputs not
 * seen yet, in member order and, within a member, in that member's column order.
 */
export function unionClasses(outputs: readonly ClassificationOutput[], base: readonly string[] = []): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  const add = (label: string) => {
    if (!seen.has(label)) {
      seen.add(label);
      out.push(label);
    }
  };
  base.forEach(add);
  for (const o of outputs) o.classes.forEach(add);
  return out;
}

/**
 * For each column of `output`, its index in `classes` (−1 when the label is absent from `classes`).
 */
export function classIndexMap(output: ClassificationOutput, classes: readonly string[]): Int32Array {
  const position = new Map<string, number>();
  classes.forEach((c, i) => position.set(c, i));
  const map = new Int32Array(output.classes.length);
  output.classes.forEach((label, j) => {
    map[j] = position.get(label) ?? -1;
  });
  return map;
}

/**
 * The output's probabilities re-laid in `classes` order, `rows × classes.length`; a class the
 * member does not report gets 0.
 * @throws EnsembleStrategyError `SHAPE_MISMATCH` when the member reports a label outside `classes`.
 */
export function alignProbabilities(output: ClassificationOutput, classes: readonly string[], member = "member"): Float64Array {
  const rows = rowsOf(output, member);
  const width = output.classes.length;
  const map = classIndexMap(output, classes);
  const missing = output.classes.filter((_, j) => map[j]! < 0);
  if (missing.length > 0) {
    throw new EnsembleStrategyError("SHAPE_MISMATCH", `${member} reported unknown class label(s) ${missing.join(", ")}`);
  }
  const c = classes.length;
  const out = new Float64Array(rows * c);
  const p = output.probabilities;
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < width; j++) out[r * c + map[j]!] = p[r * width + j]!;
  }
  return out;
}

/**
 * Checks weights (finite, ≥ 0) and scales them to sum to 1. When they sum to 0, every weight
 * becomes 1/n (equal weights), so an all-zero configuration still answers.
 * @throws EnsembleStrategyError `INVALID_WEIGHTS` on a negative or non-finite weight.
 */
export function normaliseWeights(weights: readonly number[]): Float64Array {
  let sum = 0;
  for (const w of weights) {
    if (!Number.isFinite(w) || w < 0) {
      throw new EnsembleStrategyError("INVALID_WEIGHTS", `weights must be finite and non-negative, got ${w}`);
    }
    sum += w;
  }
  const n = weights.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = sum > 0 ? weights[i]! / sum : 1 / n;
  return out;
}

/**
 * The proto's reading of a configured member weight: 0 means 1 (so an ensemble created without
 * weights is an equal-weight ensemble).
 */
export function resolveConfiguredWeight(weight: number): number {
  return weight === 0 ? 1 : weight;
}

/**
 * The argmax label and its value for each row of a `rows × classes.length` matrix. Ties go to the
 * earliest class; NaN never wins over a number.
 */
export function argmaxRows(
  probabilities: Float64Array,
  rows: number,
  classes: readonly string[],
): { labels: string[]; confidences: Float64Array } {
  const c = classes.length;
  const labels: string[] = new Array<string>(rows);
  const confidences = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = -1;
    let bestValue = -Infinity;
    for (let j = 0; j < c; j++) {
      const v = probabilities[r * c + j]!;
      if (v > bestValue) {
        bestValue = v;
        best = j;
      }
    }
    if (best < 0) {
      best = 0;
      bestValue = probabilities[r * c]!;
    }
    labels[r] = classes[best]!;
    confidences[r] = bestValue;
  }
  return { labels, confidences };
}

/** Builds a classification answer from combined probabilities (label and confidence = argmax). */
export function classificationAnswer(
  part: Participation,
  rows: number,
  classes: readonly string[],
  probabilities: Float64Array,
): CombinedClassification {
  const { labels, confidences } = argmaxRows(probabilities, rows, classes);
  return { kind: "classification", rows, classes, probabilities, labels, confidences, answered: part.answered, failed: part.failed };
}

/** Builds a regression answer. */
export function regressionAnswer(part: Participation, values: Float64Array): CombinedRegression {
  return { kind: "regression", rows: values.length, values, answered: part.answered, failed: part.failed };
}

/**
 * Checks that `weights` has one entry per answer.
 * @throws EnsembleStrategyError `INVALID_WEIGHTS` otherwise.
 */
export function checkWeightCount(answers: readonly MemberAnswer[], weights: readonly number[]): void {
  if (weights.length !== answers.length) {
    throw new EnsembleStrategyError(
      "INVALID_WEIGHTS",
      `expected one weight per member (${answers.length}), got ${weights.length}`,
    );
  }
}
