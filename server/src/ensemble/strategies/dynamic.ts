/**
 * Dynamic weighting: member weights learned from reported outcomes (DynamicWeightingConfig).
 *
 * Each member keeps its last `lookback` per-outcome scores, newest last. Over that history
 * s_0..s_{k-1} its running figure is the decayed mean Σ s_i·d^(k-1-i) / Σ d^(k-1-i):
 * - classification: s_i = 1 when the member's argmax label equalled the reported label, else 0;
 *   the decayed mean is the member's running accuracy and is its score;
 * - regression: s_i = |member value − reported value|; the decayed mean is its running absolute
 *   error e, and its score is 1/e rescaled so that the scores of the members with outcomes sum to
 *   1 (e is clamped to at least {@link MIN_ABSOLUTE_ERROR} so an exact member gets a huge but
 *   finite score). The reciprocal is taken of the decayed mean, not averaged per outcome: one
 *   lucky exact hit must not dominate a member's whole history.
 *
 * Raw weight: max(score, floor) for a member with outcomes; a member without outcomes keeps its
 * configured weight, read as a share (configured weights are normalised to sum to 1 first, 0
 * meaning 1). The effective weights are the raw weights renormalised to sum to 1 (all zero →
 * equal). Combining then uses `weightedAverage` with these weights.
 */
import {
  EnsembleStrategyError,
  classIndexMap,
  normaliseWeights,
  resolveConfiguredWeight,
  rowsOf,
  type EnsembleTask,
  type MemberAnswer,
} from "./common.js";

/** The settings of dynamic weighting, resolved (see {@link resolveDynamicConfig}). */
export interface DynamicWeightingConfig {
  /** The decay d, in (0, 1]; 1 weighs every outcome in the lookback equally. */
  readonly decay: number;
  /** The smallest raw weight of a member with outcomes, in [0, 1]. */
  readonly floor: number;
  /** How many recent outcomes per member count, ≥ 1. */
  readonly lookback: number;
}

/** The proto's documented defaults: decay 0.9, floor 0.05, lookback 20. */
export const DYNAMIC_DEFAULTS: DynamicWeightingConfig = Object.freeze({ decay: 0.9, floor: 0.05, lookback: 20 });

/** The smallest running absolute error used in a regression score (avoids dividing by 0). */
export const MIN_ABSOLUTE_ERROR = 1e-12;

/**
 * Resolves the proto's DynamicWeightingConfig: `decay` 0 → 0.9, `weightFloor` unset → 0.05,
 * `lookback` 0 → 20.
 */
export function resolveDynamicConfig(raw: {
  readonly decay?: number | undefined;
  readonly weightFloor?: number | undefined;
  readonly lookback?: number | undefined;
} = {}): DynamicWeightingConfig {
  return {
    decay: raw.decay === undefined || raw.decay === 0 ? DYNAMIC_DEFAULTS.decay : raw.decay,
    floor: raw.weightFloor ?? DYNAMIC_DEFAULTS.floor,
    lookback: raw.lookback === undefined || raw.lookback === 0 ? DYNAMIC_DEFAULTS.lookback : raw.lookback,
  };
}

/** One member's reported outcome: right or wrong (classification), or its absolute error (regression). */
export type MemberOutcome =
  | { readonly member: string; readonly correct: boolean }
  | { readonly member: string; readonly absoluteError: number };

/** One reported outcome: the scores of the members that answered that prediction. */
export type DynamicObservation = readonly MemberOutcome[];

/** What dynamic weighting knows of one member. */
export interface DynamicMemberState {
  readonly id: string;
  /** The configured weight (0 already read as 1). */
  readonly configuredWeight: number;
  /** Per-outcome scores, newest last, at most `lookback` (1/0, or absolute errors). */
  readonly history: readonly number[];
  /** Every outcome joined to this member since it joined (not bounded by the lookback). */
  readonly observationCount: number;
  /** Classification: decayed share of correct outcomes; 0 for regression. */
  readonly runningAccuracy: number;
  /** Regression: decayed mean absolute error; 0 for classification. */
  readonly runningAbsoluteError: number;
  /** The effective weight, normalised over the members (sums to 1). */
  readonly weight: number;
}

/** The learned state of dynamic weighting, members in member order. */
export interface DynamicWeightingState {
  readonly task: EnsembleTask;
  readonly members: readonly DynamicMemberState[];
}

/**
 * A fresh state: no outcomes, effective weights = configured weights normalised (0 read as 1).
 * @param members the members in member order with their configured weights.
 */
export function createDynamicState(
  task: EnsembleTask,
  members: readonly { readonly id: string; readonly weight: number }[],
  config: DynamicWeightingConfig = DYNAMIC_DEFAULTS,
): DynamicWeightingState {
  return withDynamicMembers({ task, members: [] }, members, config);
}

/**
 * The state for a new member list: members kept by id keep their history, new ones start empty,
 * removed ones are dropped; configured weights are taken from `members`. Weights are recomputed
 * with `config` (pass the ensemble's own: a shorter lookback trims the histories).
 */
export function withDynamicMembers(
  state: DynamicWeightingState,
  members: readonly { readonly id: string; readonly weight: number }[],
  config: DynamicWeightingConfig,
): DynamicWeightingState {
  const old = new Map(state.members.map((m) => [m.id, m]));
  const next = members.map((m): DynamicMemberState => {
    const prev = old.get(m.id);
    return {
      id: m.id,
      configuredWeight: resolveConfiguredWeight(m.weight),
      history: prev?.history ?? [],
      observationCount: prev?.observationCount ?? 0,
      runningAccuracy: prev?.runningAccuracy ?? 0,
      runningAbsoluteError: prev?.runningAbsoluteError ?? 0,
      weight: 0,
    };
  });
  return recompute(state.task, next, config);
}

/**
 * The decayed mean Σ s_i·d^(k-1-i) / Σ d^(k-1-i) of a history s_0..s_{k-1} (newest last); 0 when empty.
 */
export function decayedMean(history: readonly number[], decay: number): number {
  let num = 0;
  let den = 0;
  let f = 1;
  for (let i = history.length - 1; i >= 0; i--) {
    num += history[i]! * f;
    den += f;
    f *= decay;
  }
  return den > 0 ? num / den : 0;
}

function checkConfig(config: DynamicWeightingConfig): void {
  const { decay, floor, lookback } = config;
  if (!(decay > 0 && decay <= 1)) throw new EnsembleStrategyError("INVALID_ARGUMENT", `decay must be in (0, 1], got ${decay}`);
  if (!(floor >= 0 && floor <= 1)) throw new EnsembleStrategyError("INVALID_ARGUMENT", `floor must be in [0, 1], got ${floor}`);
  if (!(Number.isInteger(lookback) && lookback >= 1)) {
    throw new EnsembleStrategyError("INVALID_ARGUMENT", `lookback must be a positive integer, got ${lookback}`);
  }
}

function recompute(task: EnsembleTask, members: DynamicMemberState[], config: DynamicWeightingConfig): DynamicWeightingState {
  checkConfig(config);
  const configured = normaliseWeights(members.map((m) => m.configuredWeight));
  const trimmed = members.map((m) => {
    const history = m.history.length > config.lookback ? m.history.slice(m.history.length - config.lookback) : m.history;
    const mean = decayedMean(history, config.decay);
    return {
      ...m,
      history,
      runningAccuracy: task === "classification" ? mean : 0,
      runningAbsoluteError: task === "regression" ? mean : 0,
    };
  });
  // Regression: reciprocal errors rescaled over the members with outcomes.
  let inverseSum = 0;
  if (task === "regression") {
    for (const m of trimmed) if (m.history.length > 0) inverseSum += 1 / Math.max(m.runningAbsoluteError, MIN_ABSOLUTE_ERROR);
  }
  const raw = trimmed.map((m, i) => {
    if (m.history.length === 0) return configured[i]!;
    const score =
      task === "classification" ? m.runningAccuracy : 1 / Math.max(m.runningAbsoluteError, MIN_ABSOLUTE_ERROR) / inverseSum;
    return Math.max(score, config.floor);
  });
  const weights = normaliseWeights(raw);
  return { task, members: trimmed.map((m, i) => ({ ...m, weight: weights[i]! })) };
}

/**
 * Folds reported outcomes into the state and recomputes every weight (see the module comment).
 * Observations are applied in order; an outcome naming a member that is no longer in the state is
 * ignored (it was removed after predicting). With no observations this only re-applies `config`
 * (e.g. a shorter lookback).
 *
 * @param observations one entry per reported outcome, listing the members that answered it.
 * @throws EnsembleStrategyError `INVALID_ARGUMENT` on a bad config, an outcome of the wrong task
 *   or a negative/non-finite error.
 */
export function updateDynamicWeights(
  state: DynamicWeightingState,
  observations: readonly DynamicObservation[],
  config: DynamicWeightingConfig,
): DynamicWeightingState {
  checkConfig(config);
  const index = new Map(state.members.map((m, i) => [m.id, i]));
  const histories = state.members.map((m) => [...m.history]);
  const counts = state.members.map((m) => m.observationCount);
  for (const observation of observations) {
    for (const outcome of observation) {
      const i = index.get(outcome.member);
      if (i === undefined) continue;
      let score: number;
      if ("correct" in outcome) {
        if (state.task !== "classification") {
          throw new EnsembleStrategyError("INVALID_ARGUMENT", `a regression ensemble got a right/wrong outcome for ${outcome.member}`);
        }
        score = outcome.correct ? 1 : 0;
      } else {
        if (state.task !== "regression") {
          throw new EnsembleStrategyError("INVALID_ARGUMENT", `a classification ensemble got an error outcome for ${outcome.member}`);
        }
        if (!(Number.isFinite(outcome.absoluteError) && outcome.absoluteError >= 0)) {
          throw new EnsembleStrategyError("INVALID_ARGUMENT", `absolute error of ${outcome.member} must be finite and ≥ 0`);
        }
        score = outcome.absoluteError;
      }
      const h = histories[i]!;
      h.push(score); // trimmed to the lookback by recompute()
      counts[i]!++;
    }
  }
  return recompute(
    state.task,
    state.members.map((m, i) => ({ ...m, history: histories[i]!, observationCount: counts[i]! })),
    config,
  );
}

/**
 * The effective weights for `memberIds` (e.g. the members of `answers`, in order); a member unknown
 * to the state gets 0 (a member added since is expected to be synced with {@link withDynamicMembers}).
 */
export function dynamicWeightsFor(state: DynamicWeightingState, memberIds: readonly string[]): number[] {
  const byId = new Map(state.members.map((m) => [m.id, m.weight]));
  return memberIds.map((id) => byId.get(id) ?? 0);
}

/**
 * Scores each answering member of one predicted row against the reported outcome: classification
 * → `correct` = the member's argmax label equals `outcome` (a tie inside the member goes to the
 * class earliest in `classes` when given, else in the member's own column order); regression →
 * `absoluteError` = |value − outcome|. Failed members are left out.
 *
 * @param row the row of the batch the outcome is about.
 * @param outcome the reported label (classification) or value (regression).
 * @throws EnsembleStrategyError `INVALID_ARGUMENT` when the outcome's type does not fit a member's task
 *   or `row` is out of range.
 */
export function memberOutcomes(
  answers: readonly MemberAnswer[],
  row: number,
  outcome: string | number,
  classes?: readonly string[],
): MemberOutcome[] {
  const out: MemberOutcome[] = [];
  for (const a of answers) {
    const r = a.result;
    if (r.kind === "failure") continue;
    const rows = rowsOf(r, a.member);
    if (!(Number.isInteger(row) && row >= 0 && row < rows)) {
      throw new EnsembleStrategyError("INVALID_ARGUMENT", `row ${row} is outside ${a.member}'s ${rows} rows`);
    }
    if (r.kind === "regression") {
      if (typeof outcome !== "number") throw new EnsembleStrategyError("INVALID_ARGUMENT", "a regression outcome must be a number");
      out.push({ member: a.member, absoluteError: Math.abs(r.values[row]! - outcome) });
      continue;
    }
    if (typeof outcome !== "string") throw new EnsembleStrategyError("INVALID_ARGUMENT", "a classification outcome must be a label");
    const width = r.classes.length;
    const order = classes === undefined ? null : classIndexMap(r, classes);
    const rank = (j: number) => (order === null || order[j]! < 0 ? (classes?.length ?? 0) + j : order[j]!);
    let top = 0;
    for (let j = 1; j < width; j++) {
      const v = r.probabilities[row * width + j]!;
      const t = r.probabilities[row * width + top]!;
      if (v > t || (v === t && rank(j) < rank(top))) top = j;
    }
    out.push({ member: a.member, correct: r.classes[top] === outcome });
  }
  return out;
}
