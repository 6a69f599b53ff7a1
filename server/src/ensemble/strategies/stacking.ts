/**
 * Stacking (StackingConfig): a linear combination of member outputs with an intercept, fitted by
 * least squares on reported outcomes.
 *
 * Model: ŷ = b₀ + Σ_m β_m·x_m, one coefficient per member.
 * - Regression: x_m is the member's value, y the reported value.
 * - Classification: one design row per (outcome, class c): x_m = the member's probability of c,
 *   y = 1 if c is the reported label else 0 (one-hot). The coefficients are shared by all classes;
 *   at prediction time each class gets b₀ + Σ β_m·p_mc, clamped to [0, 1], and the row is
 *   renormalised to sum to 1 (a row that clamps to all zeros falls back to the plain mean of the
 *   answering members' probabilities).
 *
 * Fit: ordinary least squares on the centred normal equations (so the intercept is never
 * penalised), with the optional ridge penalty λ added to the diagonal of XᵀX, solved by Cholesky.
 * With `nonNegative`, the coefficients are constrained to β ≥ 0 by an active-set non-negative
 * least squares (Lawson–Hanson on the normal equations, intercept free): coefficients that would
 * be negative end at exactly 0 as the proto says, and — unlike clipping an unconstrained fit — the
 * remaining ones are refitted without them. A singular system (pivot below 1e-10 of its diagonal
 * entry, e.g. two members with identical outputs, or a member whose output never varies, without
 * ridge) yields no model: the previous coefficients are kept.
 *
 * Missing members: wherever a member did not answer (in stored outcomes and at prediction time)
 * its slot takes the mean of the members that did answer, for that row and class — the same rule
 * as the meta-learner's input. A member absent from every stored outcome (e.g. just added) is left
 * out of the fit with coefficient 0.
 *
 * Schedule: the first fit happens once `minObservations` outcomes were recorded, then one every
 * `refitInterval` further outcomes, on the most recent `maxFitObservations`. The schedule is
 * checked after each {@link recordStackingOutcomes} call, so a batch that crosses a threshold
 * triggers one fit that uses the whole batch. A singular attempt is retried `refitInterval`
 * outcomes later. Until the first successful fit the ensemble combines like WEIGHTED_AVERAGE.
 */
import { weightedAverage, type CombineOptions } from "./combine.js";
import {
  EnsembleStrategyError,
  alignProbabilities,
  answeredBatch,
  classificationAnswer,
  participation,
  regressionAnswer,
  unionClasses,
  type CombinedAnswer,
  type EnsembleTask,
  type MemberAnswer,
} from "./common.js";

/** The settings of stacking, resolved (see {@link resolveStackingConfig}). */
export interface StackingConfig {
  /** Outcomes needed before the first fit, ≥ 2. */
  readonly minObservations: number;
  /** New outcomes that trigger a refit, ≥ 1. */
  readonly refitInterval: number;
  /** The ridge penalty λ ≥ 0 (0: plain least squares). */
  readonly l2: number;
  /** Constrain the coefficients to be ≥ 0. */
  readonly nonNegative: boolean;
  /** How many of the most recent outcomes are kept and fitted on, ≥ 1. */
  readonly maxFitObservations: number;
}

/** The proto's documented defaults: 50 outcomes before the first fit, refit every 50, window 10,000. */
export const STACKING_DEFAULTS: StackingConfig = Object.freeze({
  minObservations: 50,
  refitInterval: 50,
  l2: 0,
  nonNegative: false,
  maxFitObservations: 10_000,
});

/**
 * Resolves the proto's StackingConfig: 0 (or unset) means the default for `minObservations`,
 * `refitInterval` and `maxFitObservations`; `minObservations` is at least 2.
 */
export function resolveStackingConfig(raw: {
  readonly minObservations?: number | undefined;
  readonly refitInterval?: number | undefined;
  readonly l2Regularization?: number | undefined;
  readonly nonNegative?: boolean | undefined;
  readonly maxFitObservations?: number | undefined;
} = {}): StackingConfig {
  const or = (v: number | undefined, d: number) => (v === undefined || v === 0 ? d : v);
  return {
    minObservations: Math.max(2, or(raw.minObservations, STACKING_DEFAULTS.minObservations)),
    refitInterval: or(raw.refitInterval, STACKING_DEFAULTS.refitInterval),
    l2: raw.l2Regularization ?? 0,
    nonNegative: raw.nonNegative ?? false,
    maxFitObservations: or(raw.maxFitObservations, STACKING_DEFAULTS.maxFitObservations),
  };
}

/** Fitted coefficients, one per member in the state's member order, and the intercept. */
export interface StackingModel {
  readonly coefficients: readonly number[];
  readonly intercept: number;
}

/** One stored outcome: what each member answered for the row (null: did not answer) and the truth. */
export interface StackingObservation {
  /** Per member in the state's member order: its probabilities in the state's class order, or its value (length 1). */
  readonly outputs: readonly (Float64Array | null)[];
  /** The reported class index (classification) or value (regression). */
  readonly target: number;
}

/** The learned state of stacking. */
export interface StackingState {
  readonly task: EnsembleTask;
  /** The members, in member order; coefficients and stored outputs follow this order. */
  readonly members: readonly string[];
  /** Classification: the class order of stored outputs; null for regression. */
  readonly classes: readonly string[] | null;
  /** The most recent outcomes, oldest first, at most `maxFitObservations`. */
  readonly buffer: readonly StackingObservation[];
  /** Outcomes recorded since the state was created (not bounded by the buffer). */
  readonly observationCount: number;
  /** `observationCount` at the last fit attempt; null before the first. */
  readonly lastFitAttempt: number | null;
  /** The current model; null before the first successful fit. */
  readonly model: StackingModel | null;
  /** Successful fits so far. */
  readonly fitCount: number;
}

/** What {@link recordStackingOutcomes} did. */
export interface StackingUpdate {
  readonly state: StackingState;
  /** A fit was attempted and produced new coefficients. */
  readonly fitted: boolean;
  /** A fit was attempted and the system was singular (previous coefficients kept). */
  readonly singular: boolean;
}

/**
 * A fresh stacking state.
 * @param classes the ensemble's class order; required (non-empty, unique) for classification.
 * @throws EnsembleStrategyError `INVALID_ARGUMENT` on missing or duplicate classes.
 */
export function createStackingState(task: EnsembleTask, members: readonly string[], classes?: readonly string[]): StackingState {
  if (task === "classification") {
    if (classes === undefined || classes.length === 0 || new Set(classes).size !== classes.length) {
      throw new EnsembleStrategyError("INVALID_ARGUMENT", "classification stacking needs a non-empty list of distinct classes");
    }
  }
  return {
    task,
    members: [...members],
    classes: task === "classification" ? [...classes!] : null,
    buffer: [],
    observationCount: 0,
    lastFitAttempt: null,
    model: null,
    fitCount: 0,
  };
}

function width(state: StackingState): number {
  return state.classes === null ? 1 : state.classes.length;
}

/**
 * Builds the stored form of one reported outcome from the batch answers: each state member's
 * output for `row` (classification: probabilities in the state's class order, a label the member
 * does not report = 0, a label outside the state's classes ignored), null for a member that did
 * not answer. Returns null when the outcome cannot be used: no state member answered, or the
 * reported label is not one of the state's classes.
 *
 * @param outcome the reported label (classification) or value (regression).
 * @throws EnsembleStrategyError `INVALID_ARGUMENT` on a wrong outcome type or row.
 */
export function stackingObservation(
  state: StackingState,
  answers: readonly MemberAnswer[],
  row: number,
  outcome: string | number,
): StackingObservation | null {
  let target: number;
  if (state.classes === null) {
    if (typeof outcome !== "number" || !Number.isFinite(outcome)) {
      throw new EnsembleStrategyError("INVALID_ARGUMENT", "a regression outcome must be a finite number");
    }
    target = outcome;
  } else {
    if (typeof outcome !== "string") throw new EnsembleStrategyError("INVALID_ARGUMENT", "a classification outcome must be a label");
    target = state.classes.indexOf(outcome);
    if (target < 0) return null;
  }
  const byId = new Map(answers.map((a) => [a.member, a.result]));
  const w = width(state);
  let present = 0;
  const outputs = state.members.map((id): Float64Array | null => {
    const r = byId.get(id);
    if (r === undefined || r.kind === "failure") return null;
    if (r.kind !== state.task) throw new EnsembleStrategyError("MIXED_TASKS", `${id} answered ${r.kind} to a ${state.task} ensemble`);
    const v = new Float64Array(w);
    if (r.kind === "regression") {
      if (!(Number.isInteger(row) && row >= 0 && row < r.values.length)) {
        throw new EnsembleStrategyError("INVALID_ARGUMENT", `row ${row} is outside ${id}'s ${r.values.length} rows`);
      }
      v[0] = r.values[row]!;
    } else {
      const k = r.classes.length;
      if (!(Number.isInteger(row) && row >= 0 && (row + 1) * k <= r.probabilities.length)) {
        throw new EnsembleStrategyError("INVALID_ARGUMENT", `row ${row} is outside ${id}'s rows`);
      }
      const classes = state.classes!;
      r.classes.forEach((label, j) => {
        const c = classes.indexOf(label);
        if (c >= 0) v[c] = r.probabilities[row * k + j]!;
      });
    }
    present++;
    return v;
  });
  return present === 0 ? null : { outputs, target };
}

function checkConfig(config: StackingConfig): void {
  const intOk = (v: number, min: number) => Number.isInteger(v) && v >= min;
  if (!intOk(config.minObservations, 2) || !intOk(config.refitInterval, 1) || !intOk(config.maxFitObservations, 1)) {
    throw new EnsembleStrategyError("INVALID_ARGUMENT", "stacking needs minObservations ≥ 2, refitInterval ≥ 1, maxFitObservations ≥ 1");
  }
  if (!(Number.isFinite(config.l2) && config.l2 >= 0)) {
    throw new EnsembleStrategyError("INVALID_ARGUMENT", `l2 must be finite and ≥ 0, got ${config.l2}`);
  }
}

function checkObservation(state: StackingState, o: StackingObservation): void {
  const w = width(state);
  if (o.outputs.length !== state.members.length || o.outputs.some((v) => v !== null && v.length !== w)) {
    throw new EnsembleStrategyError("SHAPE_MISMATCH", `a stacking observation needs ${state.members.length} outputs of width ${w}`);
  }
  if (!Number.isFinite(o.target) || (state.classes !== null && !(Number.isInteger(o.target) && o.target >= 0 && o.target < w))) {
    throw new EnsembleStrategyError("INVALID_ARGUMENT", `bad stacking target ${o.target}`);
  }
}

/**
 * Appends outcomes to the state and refits when due (see the module comment for the schedule).
 * @throws EnsembleStrategyError `INVALID_ARGUMENT`/`SHAPE_MISMATCH` on a bad config or observation.
 */
export function recordStackingOutcomes(
  state: StackingState,
  observations: readonly StackingObservation[],
  config: StackingConfig,
): StackingUpdate {
  checkConfig(config);
  for (const o of observations) checkObservation(state, o);
  const all = observations.length === 0 ? state.buffer : [...state.buffer, ...observations];
  const buffer = all.length > config.maxFitObservations ? all.slice(all.length - config.maxFitObservations) : all;
  const observationCount = state.observationCount + observations.length;
  const next: StackingState = { ...state, buffer, observationCount };
  const due =
    observationCount >= config.minObservations &&
    (state.lastFitAttempt === null || observationCount - state.lastFitAttempt >= config.refitInterval);
  if (!due) return { state: next, fitted: false, singular: false };
  return attemptFit(next, config);
}

function attemptFit(state: StackingState, config: StackingConfig): StackingUpdate {
  const model = fitStacking(
    state.buffer,
    { task: state.task, memberCount: state.members.length, width: width(state) },
    { l2: config.l2, nonNegative: config.nonNegative },
  );
  const tried = { ...state, lastFitAttempt: state.observationCount };
  if (model === null) return { state: tried, fitted: false, singular: true };
  return { state: { ...tried, model, fitCount: state.fitCount + 1 }, fitted: true, singular: false };
}

/**
 * The state for a new member list: stored outputs are re-laid by member id (a new member is
 * "did not answer" in past outcomes), and when the state had a model, or has enough outcomes, it
 * is refitted at once on the re-laid outcomes (coefficients of removed members cannot be reused).
 * A refit that is singular or lacks data leaves no model (weighted average until the next fit).
 */
export function withStackingMembers(state: StackingState, members: readonly string[], config: StackingConfig): StackingState {
  checkConfig(config);
  const old = new Map(state.members.map((id, i) => [id, i]));
  const buffer = state.buffer.map((o) => ({
    target: o.target,
    outputs: members.map((id) => {
      const i = old.get(id);
      return i === undefined ? null : o.outputs[i]!;
    }),
  }));
  const next: StackingState = { ...state, members: [...members], buffer, model: null };
  if (state.model === null && state.observationCount < config.minObservations) return next;
  return attemptFit(next, config).state;
}

/**
 * Fits the stacking coefficients on stored outcomes (see the module comment for the model, the
 * solver, the missing-member rule and the non-negative constraint).
 *
 * @param observations stored outcomes; those where no member answered are skipped.
 * @param shape the task, the number of members and the output width (classes, or 1).
 * @returns the model, or null when there is too little data (< 2 design rows) or the system is singular.
 */
export function fitStacking(
  observations: readonly StackingObservation[],
  shape: { readonly task: EnsembleTask; readonly memberCount: number; readonly width: number },
  options: { readonly l2: number; readonly nonNegative: boolean },
): StackingModel | null {
  const { memberCount: m, width: w, task } = shape;
  // Members present in at least one outcome take part in the fit.
  const active: number[] = [];
  for (let j = 0; j < m; j++) if (observations.some((o) => o.outputs[j] != null)) active.push(j);
  const q = active.length;
  if (q === 0) return null;
  const x = new Float64Array(q);
  /** Calls `visit` with each design row (x over active members, y). */
  const forEachRow = (visit: (y: number) => void) => {
    for (const o of observations) {
      let present = 0;
      for (const j of active) if (o.outputs[j] != null) present++;
      if (present === 0) continue;
      for (let c = 0; c < w; c++) {
        let mean = 0;
        for (const j of active) {
          const v = o.outputs[j];
          if (v != null) mean += v[c]!;
        }
        mean /= present;
        for (let k = 0; k < q; k++) {
          const v = o.outputs[active[k]!];
          x[k] = v != null ? v[c]! : mean;
        }
        visit(task === "classification" ? (o.target === c ? 1 : 0) : o.target);
      }
    }
  };
  // Pass 1: means.
  let n = 0;
  let yMean = 0;
  const xMean = new Float64Array(q);
  forEachRow((y) => {
    n++;
    yMean += y;
    for (let k = 0; k < q; k++) xMean[k]! += x[k]!;
  });
  if (n < 2) return null;
  yMean /= n;
  for (let k = 0; k < q; k++) xMean[k]! /= n;
  // Pass 2: centred normal equations G β = b.
  const G = new Float64Array(q * q);
  const b = new Float64Array(q);
  const d = new Float64Array(q);
  forEachRow((y) => {
    for (let k = 0; k < q; k++) d[k] = x[k]! - xMean[k]!;
    const dy = y - yMean;
    for (let k = 0; k < q; k++) {
      const dk = d[k]!;
      b[k]! += dk * dy;
      for (let l = 0; l <= k; l++) G[k * q + l]! += dk * d[l]!;
    }
  });
  for (let k = 0; k < q; k++) {
    for (let l = 0; l < k; l++) G[l * q + k] = G[k * q + l]!;
    G[k * q + k]! += options.l2;
  }
  const beta = options.nonNegative ? nnls(G, b, q) : solveSubset(G, b, q, range(q));
  if (beta === null) return null;
  const coefficients = new Array<number>(m).fill(0);
  let intercept = yMean;
  active.forEach((j, k) => {
    coefficients[j] = beta[k]!;
    intercept -= beta[k]! * xMean[k]!;
  });
  return { coefficients, intercept };
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** Relative pivot tolerance of the Cholesky factorisation: below it the system is singular. */
const PIVOT_TOLERANCE = 1e-10;

/** Solves G[idx,idx] z = b[idx] by Cholesky; null when not positive definite (singular). */
function solveSubset(G: Float64Array, b: Float64Array, q: number, idx: readonly number[]): Float64Array | null {
  const k = idx.length;
  const L = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j <= i; j++) {
      let s = G[idx[i]! * q + idx[j]!]!;
      for (let t = 0; t < j; t++) s -= L[i * k + t]! * L[j * k + t]!;
      if (i === j) {
        const diag = G[idx[i]! * q + idx[i]!]!;
        if (!(diag > 0) || !(s > PIVOT_TOLERANCE * diag)) return null;
        L[i * k + i] = Math.sqrt(s);
      } else {
        L[i * k + j] = s / L[j * k + j]!;
      }
    }
  }
  const z = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    let s = b[idx[i]!]!;
    for (let t = 0; t < i; t++) s -= L[i * k + t]! * z[t]!;
    z[i] = s / L[i * k + i]!;
  }
  for (let i = k - 1; i >= 0; i--) {
    let s = z[i]!;
    for (let t = i + 1; t < k; t++) s -= L[t * k + i]! * z[t]!;
    z[i] = s / L[i * k + i]!;
  }
  return z;
}

/**
 * Non-negative least squares on the normal equations: minimises ½βᵀGβ − bᵀβ subject to β ≥ 0
 * (Lawson–Hanson active set). Null when a passive-set system is singular.
 */
function nnls(G: Float64Array, b: Float64Array, q: number): Float64Array | null {
  const beta = new Float64Array(q);
  const passive = new Array<boolean>(q).fill(false);
  let scale = 0;
  for (let k = 0; k < q; k++) scale = Math.max(scale, Math.abs(b[k]!));
  const tol = 1e-12 * Math.max(scale, Number.MIN_VALUE);
  const gradient = () => {
    const w = new Float64Array(q);
    for (let k = 0; k < q; k++) {
      let s = b[k]!;
      for (let l = 0; l < q; l++) s -= G[k * q + l]! * beta[l]!;
      w[k] = s;
    }
    return w;
  };
  for (let outer = 0; outer < 3 * q + 3; outer++) {
    const w = gradient();
    let enter = -1;
    for (let k = 0; k < q; k++) if (!passive[k] && w[k]! > tol && (enter < 0 || w[k]! > w[enter]!)) enter = k;
    if (enter < 0) break;
    passive[enter] = true;
    for (let inner = 0; inner <= q; inner++) {
      const idx = range(q).filter((k) => passive[k]);
      const z = solveSubset(G, b, q, idx);
      if (z === null) return null;
      if (z.every((v) => v > 0)) {
        beta.fill(0);
        idx.forEach((k, i) => (beta[k] = z[i]!));
        break;
      }
      // Step from β toward z as far as feasibility allows, then drop the coefficients that hit 0.
      let alpha = 1;
      idx.forEach((k, i) => {
        if (z[i]! <= 0) alpha = Math.min(alpha, beta[k]! / (beta[k]! - z[i]!));
      });
      let size = 0;
      idx.forEach((k, i) => {
        beta[k] = beta[k]! + alpha * (z[i]! - beta[k]!);
        size = Math.max(size, Math.abs(beta[k]!));
      });
      idx.forEach((k, i) => {
        // Only coefficients heading to z ≤ 0 can reach 0; rounding leaves them within ~1e-16.
        if (beta[k]! <= 0 || (z[i]! <= 0 && beta[k]! <= 1e-12 * size)) {
          beta[k] = 0;
          passive[k] = false;
        }
      });
    }
  }
  return beta;
}

/**
 * Combines a batch with the fitted model (see the module comment): the answering members' outputs
 * with their coefficients, an absent member's slot taking the mean of those that answered.
 * Before the first fit — or when none of the model's members answered — this is
 * `weightedAverage(answers, weights)`. Members of `answers` unknown to the state do not take part
 * in the linear combination (they still appear in `answered`).
 *
 * @param weights one weight per entry of `answers`, used before the first fit (configured weights).
 * @throws EnsembleStrategyError as {@link weightedAverage}, and `MIXED_TASKS` when the answers'
 *   task differs from the state's.
 */
export function stackingCombine(
  answers: readonly MemberAnswer[],
  state: StackingState,
  weights: readonly number[],
  options: CombineOptions = {},
): CombinedAnswer {
  const classesOption = options.classes ?? state.classes ?? undefined;
  const model = state.model;
  if (model === null) return weightedAverage(answers, weights, { classes: classesOption });
  const batch = answeredBatch(answers);
  if (batch.task !== state.task) {
    throw new EnsembleStrategyError("MIXED_TASKS", `members answered ${batch.task} to a ${state.task} stacking model`);
  }
  const byId = new Map(batch.entries.map((e) => [e.member, e]));
  const slots = state.members.map((id) => byId.get(id) ?? null);
  if (slots.every((s) => s === null)) return weightedAverage(answers, weights, { classes: classesOption });
  const part = participation(answers);
  const rows = batch.rows;
  const beta = model.coefficients;
  if (batch.task === "regression") {
    const values = new Float64Array(rows);
    for (let r = 0; r < rows; r++) {
      let sum = 0;
      let present = 0;
      for (const s of slots) {
        if (s !== null && s.output.kind === "regression") {
          sum += s.output.values[r]!;
          present++;
        }
      }
      const mean = sum / present;
      let v = model.intercept;
      slots.forEach((s, j) => {
        v += beta[j]! * (s !== null && s.output.kind === "regression" ? s.output.values[r]! : mean);
      });
      values[r] = v;
    }
    return regressionAnswer(part, values);
  }
  const classes = unionClasses(
    batch.entries.map((e) => e.output),
    classesOption,
  );
  const c = classes.length;
  const aligned = slots.map((s) => (s !== null && s.output.kind === "classification" ? alignProbabilities(s.output, classes, s.member) : null));
  const present = aligned.filter((a): a is Float64Array => a !== null);
  const probabilities = new Float64Array(rows * c);
  const mean = new Float64Array(c);
  for (let r = 0; r < rows; r++) {
    const base = r * c;
    mean.fill(0);
    for (const a of present) for (let k = 0; k < c; k++) mean[k]! += a[base + k]! / present.length;
    let total = 0;
    for (let k = 0; k < c; k++) {
      let v = model.intercept;
      aligned.forEach((a, j) => {
        v += beta[j]! * (a !== null ? a[base + k]! : mean[k]!);
      });
      v = Math.min(1, Math.max(0, v));
      probabilities[base + k] = v;
      total += v;
    }
    for (let k = 0; k < c; k++) probabilities[base + k] = total > 0 ? probabilities[base + k]! / total : mean[k]!;
  }
  return classificationAnswer(part, rows, classes, probabilities);
}
