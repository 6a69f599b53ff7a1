/**
 * The ensemble in domain terms: its configuration, what it has learned, and the figures derived
 * from both (effective weights, resolved strategy settings). Transport-free and storage-free: the
 * entity stores these shapes as columns and JSON, the mapper turns them into protos, and snapshots
 * keep a whole {@link EnsembleState} as JSON.
 */
import {
  createDynamicState,
  normaliseWeights,
  resolveConfiguredWeight,
  resolveDynamicConfig,
  resolvePruneConfig,
  resolveStackingConfig,
  withDynamicMembers,
  withStackingMembers,
  type DynamicWeightingConfig,
  type DynamicWeightingState,
  type EnsembleTask,
  type EvolutionRule,
  type PruneConfig,
  type StackingConfig,
  type StackingModel,
  type StackingObservation,
  type StackingState,
  type StrategyName,
} from "./strategies/index.js";

export type { EnsembleTask, StrategyName } from "./strategies/index.js";

export const STRATEGIES: readonly StrategyName[] = ["WEIGHTED_AVERAGE", "DYNAMIC_WEIGHTING", "MAJORITY_VOTE", "STACKING", "META_LEARNER", "PLUGIN"];

/** What the quorum fallback does; "none" also stands for the proto's UNSPECIFIED. */
export type FallbackMode = "none" | "available_members" | "best_member" | "model_version";

/** What produced an ensemble version (the proto's EnsembleChangeKind without prefix). */
export type ChangeKind = "create" | "update" | "add_member" | "remove_member" | "restore" | "prune" | "auto_prune" | "auto_evolve" | "training";

/** The default member timeout of the proto: 30 seconds. */
export const DEFAULT_MEMBER_TIMEOUT_MS = 30_000;

/** Most members an ensemble may have. */
export const MAX_MEMBERS = 32;

/** One member as configured: a model version and its weight (0 means 1). */
export interface MemberSpec {
  /** `models/{m}/versions/{n}`. */
  readonly modelVersion: string;
  readonly weight: number;
}

/**
 * The settings of every strategy as the caller set them (zeros kept, so that the proto's "0 means
 * the default" survives a round trip and defaults may change later). The meta model lives in
 * {@link EnsembleConfig.metaModelVersion}.
 */
export interface StrategySettings {
  readonly dynamicWeighting: { readonly decay: number; readonly weightFloor: number | null; readonly lookback: number };
  readonly majorityVote: { readonly weighted: boolean };
  readonly stacking: {
    readonly minObservations: number;
    readonly refitInterval: number;
    readonly l2Regularization: number;
    readonly nonNegative: boolean;
    readonly maxFitObservations: number;
  };
  /** The plugin strategy PLUGIN uses; absent in rows written before plugins existed. */
  readonly plugin?: { readonly name: string };
}

export const DEFAULT_STRATEGY_SETTINGS: StrategySettings = {
  dynamicWeighting: { decay: 0, weightFloor: null, lookback: 0 },
  majorityVote: { weighted: false },
  stacking: { minObservations: 0, refitInterval: 0, l2Regularization: 0, nonNegative: false, maxFitObservations: 0 },
};

export interface FallbackSpec {
  readonly mode: FallbackMode;
  /** For "model_version": `models/{m}/versions/{n}`; "" otherwise. */
  readonly modelVersion: string;
}

export interface AutoPruneSpec {
  readonly enabled: boolean;
  /** null means the default (0.05); 0 is a real threshold. */
  readonly weightThreshold: number | null;
  readonly minMembers: number;
  readonly minObservations: number;
}

export interface EvolutionRuleSpec {
  /** null: any strategy other than `to`. */
  readonly from: StrategyName | null;
  readonly to: StrategyName;
  readonly minMembers: number;
  readonly minObservations: number;
}

export interface AutoEvolveSpec {
  readonly enabled: boolean;
  readonly rules: readonly EvolutionRuleSpec[];
}

/** Everything a caller configures; every change of it is a new version. */
export interface EnsembleConfig {
  readonly displayName: string;
  readonly description: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly task: EnsembleTask;
  readonly members: readonly MemberSpec[];
  readonly strategy: StrategyName;
  readonly strategySettings: StrategySettings;
  /** The META_LEARNER meta model, `models/{m}/versions/{n}`, or "". */
  readonly metaModelVersion: string;
  readonly memberTimeoutMs: number;
  /** 0 means the default, max(1, floor(members / 2)). */
  readonly quorum: number;
  readonly fallback: FallbackSpec;
  readonly autoPrune: AutoPruneSpec;
  readonly autoEvolve: AutoEvolveSpec;
}

/** The stacking state without its buffer of outcomes (which is kept apart and not snapshotted). */
export interface StackingSummary {
  readonly members: readonly string[];
  readonly classes: readonly string[] | null;
  readonly observationCount: number;
  readonly lastFitAttempt: number | null;
  readonly model: StackingModel | null;
  readonly fitCount: number;
}

/** What the ensemble learned from reported outcomes. */
export interface LearnedState {
  readonly observationCount: number;
  readonly observationsSinceStrategyChange: number;
  /** The class order of a classification ensemble once outcomes were learned; null before. */
  readonly classes: readonly string[] | null;
  /** Always maintained, whatever the strategy, so evolution can carry the weights over. */
  readonly dynamic: DynamicWeightingState;
  /** Maintained from the first classification/regression outcome on; null before. */
  readonly stacking: StackingSummary | null;
  /** ISO time of the last successful stacking fit, or null. */
  readonly fitTime: string | null;
  /** ISO time of the last learned update, or null. */
  readonly updateTime: string | null;
}

/** Failures observed per member while serving (not configuration). */
export interface MemberStats {
  readonly failureCount: number;
  readonly lastError: string;
  /** ISO time, or null when it never failed. */
  readonly lastErrorTime: string | null;
}

/** One stored stacking outcome, JSON-friendly. */
export interface StoredObservation {
  readonly outputs: readonly (readonly number[] | null)[];
  readonly target: number;
}

/** A whole ensemble at one version, as served, mapped, and kept in snapshots. */
export interface EnsembleState {
  readonly id: string;
  readonly config: EnsembleConfig;
  readonly learned: LearnedState;
  readonly memberStats: Readonly<Record<string, MemberStats>>;
  readonly version: number;
  readonly createTime: Date;
  readonly updateTime: Date;
}

export const ensembleName = (id: string) => `ensembles/${id}`;
export const snapshotName = (id: string, version: number) => `ensembles/${id}/snapshots/${version}`;

/** The resolved dynamic weighting settings of a configuration. */
export function dynamicConfigOf(config: EnsembleConfig): DynamicWeightingConfig {
  const d = config.strategySettings.dynamicWeighting;
  return resolveDynamicConfig({ decay: d.decay, weightFloor: d.weightFloor ?? undefined, lookback: d.lookback });
}

/** The resolved stacking settings of a configuration. */
export function stackingConfigOf(config: EnsembleConfig): StackingConfig {
  return resolveStackingConfig(config.strategySettings.stacking);
}

/** The resolved auto-prune settings, with per-call overrides. */
export function pruneConfigOf(config: EnsembleConfig, overrides: { weightThreshold?: number | undefined; minMembers?: number | undefined } = {}): PruneConfig {
  const a = config.autoPrune;
  return resolvePruneConfig({
    weightThreshold: overrides.weightThreshold ?? a.weightThreshold ?? undefined,
    minMembers: overrides.minMembers || a.minMembers,
    minObservations: a.minObservations,
  });
}

/** The evolution rules as the strategies module takes them. */
export function evolutionRulesOf(config: EnsembleConfig): EvolutionRule[] {
  return config.autoEvolve.rules.map((r) => ({ from: r.from ?? undefined, to: r.to, minMembers: r.minMembers, minObservations: r.minObservations }));
}

/** A fresh learned state for a configuration. */
export function initialLearnedState(config: EnsembleConfig): LearnedState {
  return {
    observationCount: 0,
    observationsSinceStrategyChange: 0,
    classes: null,
    dynamic: createDynamicState(config.task, config.members.map((m) => ({ id: m.modelVersion, weight: m.weight })), dynamicConfigOf(config)),
    stacking: null,
    fitTime: null,
    updateTime: null,
  };
}

/** Rebuilds a full stacking state from its summary and buffer. */
export function stackingStateOf(task: EnsembleTask, summary: StackingSummary, buffer: readonly StoredObservation[]): StackingState {
  return {
    task,
    members: summary.members,
    classes: summary.classes,
    observationCount: summary.observationCount,
    lastFitAttempt: summary.lastFitAttempt,
    model: summary.model,
    fitCount: summary.fitCount,
    buffer: buffer.map((o) => ({ target: o.target, outputs: o.outputs.map((v) => (v === null ? null : Float64Array.from(v))) })),
  };
}

/** Splits a stacking state into its summary and its stored buffer (values rounded to 7 digits). */
export function splitStackingState(state: StackingState): { summary: StackingSummary; buffer: StoredObservation[] } {
  const round = (v: number) => Number(v.toPrecision(7));
  return {
    summary: {
      members: state.members,
      classes: state.classes,
      observationCount: state.observationCount,
      lastFitAttempt: state.lastFitAttempt,
      model: state.model,
      fitCount: state.fitCount,
    },
    buffer: state.buffer.map((o: StackingObservation) => ({ target: o.target, outputs: o.outputs.map((v) => (v === null ? null : Array.from(v, round))) })),
  };
}

/**
 * The learned state after a configuration change: dynamic weighting keeps each remaining member's
 * history (new members start empty), stacking re-lays its outcomes by member and refits, and the
 * outcome counter of evolution restarts when the strategy changed.
 */
export function relearnForConfig(
  learned: LearnedState,
  buffer: readonly StoredObservation[],
  before: EnsembleConfig,
  after: EnsembleConfig,
): { learned: LearnedState; buffer: StoredObservation[] } {
  const members = after.members.map((m) => ({ id: m.modelVersion, weight: m.weight }));
  const dynamic = withDynamicMembers(learned.dynamic, members, dynamicConfigOf(after));
  let stacking = learned.stacking;
  let nextBuffer = [...buffer];
  const sameMembers = before.members.length === after.members.length && before.members.every((m, i) => m.modelVersion === after.members[i]!.modelVersion);
  const stackingSettingsChanged = JSON.stringify(before.strategySettings.stacking) !== JSON.stringify(after.strategySettings.stacking);
  if (stacking !== null && (!sameMembers || stackingSettingsChanged)) {
    const split = splitStackingState(withStackingMembers(stackingStateOf(after.task, stacking, buffer), after.members.map((m) => m.modelVersion), stackingConfigOf(after)));
    stacking = split.summary;
    nextBuffer = split.buffer;
  }
  return {
    learned: {
      ...learned,
      dynamic,
      stacking,
      observationsSinceStrategyChange: before.strategy === after.strategy ? learned.observationsSinceStrategyChange : 0,
    },
    buffer: nextBuffer,
  };
}

/** The configured weights, 0 read as 1, normalised to sum to 1. */
export function configuredWeights(config: EnsembleConfig): number[] {
  return Array.from(normaliseWeights(config.members.map((m) => resolveConfiguredWeight(m.weight))));
}

/**
 * The weight each member has under the current strategy (in member order): normalised configured
 * weights for WEIGHTED_AVERAGE and META_LEARNER, learned weights for DYNAMIC_WEIGHTING, vote
 * weights for MAJORITY_VOTE (equal unless weighted), and the fitted coefficients for STACKING
 * (configured weights until the first fit).
 */
export function effectiveWeights(config: EnsembleConfig, learned: LearnedState): number[] {
  const ids = config.members.map((m) => m.modelVersion);
  switch (config.strategy) {
    case "DYNAMIC_WEIGHTING": {
      const byId = new Map(learned.dynamic.members.map((m) => [m.id, m.weight]));
      const raw = ids.map((id) => byId.get(id) ?? 0);
      return Array.from(normaliseWeights(raw));
    }
    case "MAJORITY_VOTE":
      return config.strategySettings.majorityVote.weighted ? configuredWeights(config) : ids.map(() => 1 / ids.length);
    case "STACKING": {
      const s = learned.stacking;
      if (s?.model) {
        const byId = new Map(s.members.map((id, i) => [id, s.model!.coefficients[i] ?? 0]));
        return ids.map((id) => byId.get(id) ?? 0);
      }
      return configuredWeights(config);
    }
    default:
      return configuredWeights(config);
  }
}

/** Per-member learned figures (observations, running accuracy or error), by model version. */
export function memberFigures(learned: LearnedState): Map<string, { observationCount: number; runningAccuracy: number; runningAbsoluteError: number }> {
  return new Map(learned.dynamic.members.map((m) => [m.id, { observationCount: m.observationCount, runningAccuracy: m.runningAccuracy, runningAbsoluteError: m.runningAbsoluteError }]));
}

/** Every model version a configuration refers to: members, meta model and fallback. */
export function referencedVersions(config: EnsembleConfig): string[] {
  const out = config.members.map((m) => m.modelVersion);
  if (config.metaModelVersion !== "") out.push(config.metaModelVersion);
  if (config.fallback.mode === "model_version" && config.fallback.modelVersion !== "") out.push(config.fallback.modelVersion);
  return [...new Set(out)];
}

/** `|a|b|`: the members as one searchable string (ListEnsembles' `member` filter). */
export function memberIndexOf(members: readonly MemberSpec[]): string {
  return `|${members.map((m) => m.modelVersion).join("|")}|`;
}
