/**
 * One learning step: folds reported outcomes, joined to what each member answered, into an
 * ensemble's learned state (dynamic weights and stacking), and decides the automatic changes that
 * follow (auto-prune, auto-evolution). Pure: the use case persists what this returns.
 */
import {
  createStackingState,
  effectiveQuorum,
  evolveStrategy,
  memberOutcomes,
  pruneCandidates,
  recordStackingOutcomes,
  stackingObservation,
  unionClasses,
  updateDynamicWeights,
  type ClassificationOutput,
  type DynamicObservation,
  type EvolutionDecision,
  type MemberAnswer,
  type PruneCandidate,
  type StackingObservation,
} from "./strategies/index.js";
import {
  dynamicConfigOf,
  effectiveWeights,
  evolutionRulesOf,
  pruneConfigOf,
  splitStackingState,
  stackingConfigOf,
  stackingStateOf,
  type EnsembleConfig,
  type LearnedState,
  type StoredObservation,
} from "./ensemble-state.js";

/** One reported outcome joined to the member answers of the prediction it is about. */
export interface JoinedOutcome {
  /** Every member's result for the predicted batch, in the member order of that prediction. */
  readonly answers: readonly MemberAnswer[];
  /** The row of the batch the outcome is about. */
  readonly row: number;
  /** The reported label, if any. */
  readonly label: string | null;
  /** The reported value, if any. */
  readonly value: number | null;
}

/** The outcome a task learns from: a label for classification, a finite value for regression. */
function outcomeFor(task: EnsembleConfig["task"], o: JoinedOutcome): string | number | undefined {
  if (task === "classification") return o.label ?? (o.value !== null && Number.isFinite(o.value) ? String(o.value) : undefined);
  if (o.value !== null && Number.isFinite(o.value)) return o.value;
  const parsed = o.label === null || o.label.trim() === "" ? NaN : Number(o.label);
  return Number.isFinite(parsed) ? parsed : undefined;
}

/** Orders class labels canonically: numerically when every label is a number, else as text. */
export function canonicalClasses(labels: readonly string[]): string[] {
  const numeric = labels.every((l) => l.trim() !== "" && Number.isFinite(Number(l)));
  return [...labels].sort(numeric ? (a, b) => Number(a) - Number(b) : (a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * The class order of a classification ensemble: the learned order first (it must stay stable once
 * coefficients depend on it), then any other label in canonical order.
 */
export function classOrder(known: readonly string[] | null, outputs: readonly ClassificationOutput[]): string[] {
  const all = unionClasses(outputs);
  if (known === null) return canonicalClasses(all);
  const seen = new Set(known);
  return [...known, ...canonicalClasses(all.filter((c) => !seen.has(c)))];
}

export interface LearningResult {
  readonly learned: LearnedState;
  readonly buffer: StoredObservation[];
  /** Outcomes that could be used (the task matched and at least one member had answered). */
  readonly used: number;
  /** Whether stacking fitted new coefficients. */
  readonly fitted: boolean;
}

/**
 * Folds outcomes into the learned state. Outcomes without a label (classification) or a value
 * (regression; a numeric label counts), about a row
 * outside the batch, or where no current member answered are skipped. Both dynamic weighting and
 * stacking learn whatever the strategy, so that a later strategy change (by hand or by evolution)
 * starts from what was learned.
 */
export function learnOutcomes(
  config: EnsembleConfig,
  learned: LearnedState,
  buffer: readonly StoredObservation[],
  outcomes: readonly JoinedOutcome[],
  now: Date,
): LearningResult {
  const task = config.task;
  const usable = outcomes.flatMap((o) => {
    const outcome = outcomeFor(task, o);
    return outcome === undefined ? [] : [{ answers: o.answers, row: o.row, outcome }];
  });
  let classes = learned.classes;
  if (task === "classification" && usable.length > 0) {
    const outputs = usable.flatMap((o) => o.answers.flatMap((a) => (a.result.kind === "classification" ? [a.result] : [])));
    classes = classOrder(learned.classes, outputs);
  }
  const dynamicObservations: DynamicObservation[] = [];
  let stacking = learned.stacking ? stackingStateOf(task, learned.stacking, buffer) : null;
  if (stacking === null && usable.length > 0) {
    stacking = createStackingState(task, config.members.map((m) => m.modelVersion), task === "classification" ? (classes ?? []) : undefined);
  }
  const stackingObservations: StackingObservation[] = [];
  const members = new Set(config.members.map((m) => m.modelVersion));
  let used = 0;
  for (const o of usable) {
    const current = o.answers.filter((a) => members.has(a.member));
    try {
      const scored = memberOutcomes(current, o.row, o.outcome, classes ?? undefined);
      if (scored.length === 0) continue;
      const observation = stacking ? stackingObservation(stacking, current, o.row, o.outcome) : null;
      dynamicObservations.push(scored);
      if (observation) stackingObservations.push(observation);
      used += 1;
    } catch {
      // A malformed joined answer (a row outside its batch, a mixed task) teaches nothing.
    }
  }
  if (used === 0) return { learned, buffer: [...buffer], used: 0, fitted: false };
  const dynamic = updateDynamicWeights(learned.dynamic, dynamicObservations, dynamicConfigOf(config));
  let fitted = false;
  let stackingSummary = learned.stacking;
  let nextBuffer = [...buffer];
  if (stacking) {
    const update = recordStackingOutcomes(stacking, stackingObservations, stackingConfigOf(config));
    fitted = update.fitted;
    const split = splitStackingState(update.state);
    stackingSummary = split.summary;
    nextBuffer = split.buffer;
  }
  return {
    learned: {
      ...learned,
      classes,
      dynamic,
      stacking: stackingSummary,
      observationCount: learned.observationCount + used,
      observationsSinceStrategyChange: learned.observationsSinceStrategyChange + used,
      fitTime: fitted ? now.toISOString() : learned.fitTime,
      updateTime: now.toISOString(),
    },
    buffer: nextBuffer,
    used,
    fitted,
  };
}

/**
 * The members pruning would remove (lowest weight first). Besides the policy's `min_members`, it
 * never goes below the configured quorum, so pruning cannot leave an ensemble that always fails.
 */
export function membersToPrune(
  config: EnsembleConfig,
  learned: LearnedState,
  overrides: { weightThreshold?: number | undefined; minMembers?: number | undefined } = {},
): PruneCandidate[] {
  const policy = pruneConfigOf(config, overrides);
  const weights = effectiveWeights(config, learned);
  const observations = new Map(learned.dynamic.members.map((m) => [m.id, m.observationCount]));
  const keep = Math.max(policy.minMembers, config.quorum, 1);
  return pruneCandidates(
    config.members.map((m, i) => ({ id: m.modelVersion, weight: weights[i]!, observations: observations.get(m.modelVersion) ?? 0 })),
    { ...policy, minMembers: keep },
  );
}

/** The strategy change auto-evolution makes now, or null. */
export function evolution(config: EnsembleConfig, learned: LearnedState): EvolutionDecision | null {
  return evolveStrategy(
    config.strategy,
    {
      memberCount: config.members.length,
      observations: learned.observationsSinceStrategyChange,
      task: config.task,
      metaModelConfigured: config.metaModelVersion !== "",
      stackingMinObservations: config.strategySettings.stacking.minObservations,
    },
    evolutionRulesOf(config),
  );
}

/** The quorum actually required of a configuration (its default resolved). */
export function requiredQuorum(config: EnsembleConfig): number {
  return effectiveQuorum(config.members.length, config.quorum);
}
