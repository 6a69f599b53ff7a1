import { create } from "@bufbuild/protobuf";
import { durationMs, timestampFromDate, type Duration } from "@bufbuild/protobuf/wkt";
import type { TrainingTemplate } from "@artenic/gen/artenic/ensemble/v1/ensemble_service_pb";
import {
  AutoEvolvePolicySchema,
  AutoPrunePolicySchema,
  DynamicWeightingConfigSchema,
  EnsembleChangeKind,
  EnsembleSchema,
  EnsembleSnapshotSchema,
  EnsembleStrategy,
  EnsembleTask as EnsembleTaskProto,
  EvolutionRuleSchema,
  FallbackMode as FallbackModeProto,
  FallbackPolicySchema,
  LearnedStateSchema,
  MajorityVoteConfigSchema,
  MemberSchema,
  MetaLearnerConfigSchema,
  StackingConfigSchema,
  StrategyConfigSchema,
  PluginStrategyConfigSchema,
  type AutoEvolvePolicy,
  type AutoPrunePolicy,
  type Ensemble,
  type EnsembleSnapshot,
  type FallbackPolicy,
  type Member,
  type StrategyConfig,
} from "@artenic/gen/artenic/ensemble/v1/ensemble_pb";
import { parseVersionName, versionName } from "../registry/index.js";
import { etagOf } from "../platform/context.js";
import { durationFromMillis } from "../platform/duration.js";
import { invalidField } from "../platform/errors/app-error.js";
import type { EnsembleSnapshotEntity } from "./ensemble.entity.js";
import {
  DEFAULT_MEMBER_TIMEOUT_MS,
  DEFAULT_STRATEGY_SETTINGS,
  effectiveWeights,
  ensembleName,
  memberFigures,
  snapshotName,
  type AutoEvolveSpec,
  type AutoPruneSpec,
  type ChangeKind,
  type EnsembleConfig,
  type EnsembleState,
  type EnsembleTask,
  type FallbackMode,
  type FallbackSpec,
  type MemberSpec,
  type StrategyName,
  type StrategySettings,
} from "./ensemble-state.js";
import { snapshotStateOf, type MemberTrainingTemplate } from "./ensemble.use-cases.js";

const ID = "[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?";
const ENSEMBLE_NAME = new RegExp(`^ensembles/(${ID})$`);
const SNAPSHOT_NAME = new RegExp(`^ensembles/(${ID})/snapshots/([1-9][0-9]{0,17})$`);

/** Parses `ensembles/{ensemble}`. */
export function parseEnsembleName(name: string, field: string): string {
  const m = ENSEMBLE_NAME.exec(name);
  if (!m) throw invalidField(field, `"${name}" is not an ensemble name (ensembles/{ensemble})`, "INVALID_RESOURCE_NAME");
  return m[1]!;
}

/** Parses `ensembles/{ensemble}/snapshots/{snapshot}`. */
export function parseSnapshotName(name: string, field: string): { ensembleId: string; version: number } {
  const m = SNAPSHOT_NAME.exec(name);
  const version = m ? Number(m[2]) : NaN;
  if (!m || !Number.isSafeInteger(version)) throw invalidField(field, `"${name}" is not a snapshot name (ensembles/{ensemble}/snapshots/{snapshot})`, "INVALID_RESOURCE_NAME");
  return { ensembleId: m[1]!, version };
}

// ---------------------------------------------------------------- enums

const taskToProto: Record<EnsembleTask, EnsembleTaskProto> = { classification: EnsembleTaskProto.CLASSIFICATION, regression: EnsembleTaskProto.REGRESSION };

export function taskFromProto(t: EnsembleTaskProto, field: string): EnsembleTask {
  if (t === EnsembleTaskProto.CLASSIFICATION) return "classification";
  if (t === EnsembleTaskProto.REGRESSION) return "regression";
  throw invalidField(field, "is required: ENSEMBLE_TASK_CLASSIFICATION or ENSEMBLE_TASK_REGRESSION");
}

const strategyToProto: Record<StrategyName, EnsembleStrategy> = {
  WEIGHTED_AVERAGE: EnsembleStrategy.WEIGHTED_AVERAGE,
  DYNAMIC_WEIGHTING: EnsembleStrategy.DYNAMIC_WEIGHTING,
  MAJORITY_VOTE: EnsembleStrategy.MAJORITY_VOTE,
  STACKING: EnsembleStrategy.STACKING,
  META_LEARNER: EnsembleStrategy.META_LEARNER,
  PLUGIN: EnsembleStrategy.PLUGIN,
};

/** The strategy name of a proto value; undefined for UNSPECIFIED. */
function strategyName(s: EnsembleStrategy): StrategyName | undefined {
  for (const [k, v] of Object.entries(strategyToProto)) if (v === s) return k as StrategyName;
  return undefined;
}

export function strategyFromProto(s: EnsembleStrategy, field: string): StrategyName {
  const name = strategyName(s);
  if (!name) throw invalidField(field, "is required");
  return name;
}

const fallbackToProto: Record<FallbackMode, FallbackModeProto> = {
  none: FallbackModeProto.NONE,
  available_members: FallbackModeProto.AVAILABLE_MEMBERS,
  best_member: FallbackModeProto.BEST_MEMBER,
  model_version: FallbackModeProto.MODEL_VERSION,
};

const changeKindToProto: Record<ChangeKind, EnsembleChangeKind> = {
  create: EnsembleChangeKind.CREATE,
  update: EnsembleChangeKind.UPDATE,
  add_member: EnsembleChangeKind.ADD_MEMBER,
  remove_member: EnsembleChangeKind.REMOVE_MEMBER,
  restore: EnsembleChangeKind.RESTORE,
  prune: EnsembleChangeKind.PRUNE,
  auto_prune: EnsembleChangeKind.AUTO_PRUNE,
  auto_evolve: EnsembleChangeKind.AUTO_EVOLVE,
  training: EnsembleChangeKind.TRAINING,
};

// ---------------------------------------------------------------- proto → domain

/** The members of a request, with names normalised. */
export function membersFromProto(members: readonly Member[], field: string): MemberSpec[] {
  return members.map((m, i) => {
    const { modelId, number } = parseVersionName(m.modelVersion, `${field}[${i}].model_version`);
    return { modelVersion: versionName(modelId, number), weight: m.weight };
  });
}

/** Strategy settings from a proto; absent settings keep `base`'s (the defaults unless given). */
export function settingsFromProto(c: StrategyConfig | undefined, base: StrategySettings = DEFAULT_STRATEGY_SETTINGS): StrategySettings {
  const d = c?.dynamicWeighting;
  const s = c?.stacking;
  return {
    dynamicWeighting: d ? { decay: d.decay, weightFloor: d.weightFloor ?? null, lookback: d.lookback } : base.dynamicWeighting,
    majorityVote: c?.majorityVote ? { weighted: c.majorityVote.weighted } : base.majorityVote,
    stacking: s
      ? { minObservations: s.minObservations, refitInterval: s.refitInterval, l2Regularization: s.l2Regularization, nonNegative: s.nonNegative, maxFitObservations: s.maxFitObservations }
      : base.stacking,
    ...(c?.plugin ? { plugin: { name: c.plugin.name } } : base.plugin ? { plugin: base.plugin } : {}),
  };
}

/** The meta model named by a strategy config, normalised; "" when none. */
export function metaModelFromProto(c: StrategyConfig | undefined, field: string): string {
  const v = c?.metaLearner?.metaModelVersion ?? "";
  if (v === "") return "";
  const { modelId, number } = parseVersionName(v, field);
  return versionName(modelId, number);
}

export function memberTimeoutFromProto(d: Duration | undefined): number {
  if (!d) return DEFAULT_MEMBER_TIMEOUT_MS;
  return Math.max(1, Math.round(Number(d.seconds) * 1000 + d.nanos / 1e6));
}

export function fallbackFromProto(f: FallbackPolicy | undefined, field: string): FallbackSpec {
  const modes: Record<number, FallbackMode> = {
    [FallbackModeProto.UNSPECIFIED]: "none",
    [FallbackModeProto.NONE]: "none",
    [FallbackModeProto.AVAILABLE_MEMBERS]: "available_members",
    [FallbackModeProto.BEST_MEMBER]: "best_member",
    [FallbackModeProto.MODEL_VERSION]: "model_version",
  };
  const mode = modes[f?.mode ?? 0] ?? "none";
  let modelVersion = f?.modelVersion ?? "";
  if (modelVersion !== "") {
    const { modelId, number } = parseVersionName(modelVersion, `${field}.model_version`);
    modelVersion = versionName(modelId, number);
  }
  return { mode, modelVersion };
}

export function autoPruneFromProto(a: AutoPrunePolicy | undefined): AutoPruneSpec {
  return { enabled: a?.enabled ?? false, weightThreshold: a?.weightThreshold ?? null, minMembers: a?.minMembers ?? 0, minObservations: a?.minObservations ?? 0 };
}

export function autoEvolveFromProto(a: AutoEvolvePolicy | undefined, field: string): AutoEvolveSpec {
  return {
    enabled: a?.enabled ?? false,
    rules: (a?.rules ?? []).map((r, i) => ({
      from: strategyName(r.fromStrategy) ?? null,
      to: strategyFromProto(r.toStrategy, `${field}.rules[${i}].to_strategy`),
      minMembers: r.minMembers,
      minObservations: Number(r.minObservations),
    })),
  };
}

/** The configuration of a CreateEnsemble request (output-only fields ignored). */
export function configFromProto(e: Ensemble, prefix: string): EnsembleConfig {
  return {
    displayName: e.displayName,
    description: e.description,
    labels: { ...e.labels },
    task: taskFromProto(e.task, `${prefix}task`),
    members: membersFromProto(e.members, `${prefix}members`),
    strategy: strategyFromProto(e.strategy, `${prefix}strategy`),
    strategySettings: settingsFromProto(e.strategyConfig),
    metaModelVersion: metaModelFromProto(e.strategyConfig, `${prefix}strategy_config.meta_learner.meta_model_version`),
    memberTimeoutMs: memberTimeoutFromProto(e.memberTimeout),
    quorum: e.quorum,
    fallback: fallbackFromProto(e.fallback, `${prefix}fallback`),
    autoPrune: autoPruneFromProto(e.autoPrune),
    autoEvolve: autoEvolveFromProto(e.autoEvolve, `${prefix}auto_evolve`),
  };
}

// ---------------------------------------------------------------- domain → proto

function strategyConfigProto(c: EnsembleConfig): StrategyConfig {
  const s = c.strategySettings;
  return create(StrategyConfigSchema, {
    dynamicWeighting: create(DynamicWeightingConfigSchema, {
      decay: s.dynamicWeighting.decay,
      lookback: s.dynamicWeighting.lookback,
      ...(s.dynamicWeighting.weightFloor === null ? {} : { weightFloor: s.dynamicWeighting.weightFloor }),
    }),
    majorityVote: create(MajorityVoteConfigSchema, { weighted: s.majorityVote.weighted }),
    stacking: create(StackingConfigSchema, { ...s.stacking }),
    metaLearner: create(MetaLearnerConfigSchema, { metaModelVersion: c.metaModelVersion }),
    plugin: create(PluginStrategyConfigSchema, { name: s.plugin?.name ?? "" }),
  });
}

/** The Ensemble proto of a state (the current one or a snapshot's). */
export function toEnsembleProto(state: EnsembleState): Ensemble {
  const c = state.config;
  const weights = effectiveWeights(c, state.learned);
  const figures = memberFigures(state.learned);
  const l = state.learned;
  const model = l.stacking?.model;
  return create(EnsembleSchema, {
    name: ensembleName(state.id),
    displayName: c.displayName,
    description: c.description,
    labels: { ...c.labels },
    task: taskToProto[c.task],
    members: c.members.map((m, i) => {
      const f = figures.get(m.modelVersion);
      const stats = state.memberStats[m.modelVersion];
      return create(MemberSchema, {
        modelVersion: m.modelVersion,
        weight: m.weight,
        effectiveWeight: weights[i] ?? 0,
        observationCount: BigInt(f?.observationCount ?? 0),
        runningAccuracy: f?.runningAccuracy ?? 0,
        runningAbsoluteError: f?.runningAbsoluteError ?? 0,
        failureCount: BigInt(stats?.failureCount ?? 0),
        lastError: stats?.lastError ?? "",
        lastErrorTime: stats?.lastErrorTime ? timestampFromDate(new Date(stats.lastErrorTime)) : undefined,
      });
    }),
    strategy: strategyToProto[c.strategy],
    strategyConfig: strategyConfigProto(c),
    memberTimeout: durationFromMillis(c.memberTimeoutMs),
    quorum: c.quorum,
    fallback: c.fallback.mode === "none" ? undefined : create(FallbackPolicySchema, { mode: fallbackToProto[c.fallback.mode], modelVersion: c.fallback.modelVersion }),
    autoPrune: create(AutoPrunePolicySchema, {
      enabled: c.autoPrune.enabled,
      minMembers: c.autoPrune.minMembers,
      minObservations: c.autoPrune.minObservations,
      ...(c.autoPrune.weightThreshold === null ? {} : { weightThreshold: c.autoPrune.weightThreshold }),
    }),
    autoEvolve: create(AutoEvolvePolicySchema, {
      enabled: c.autoEvolve.enabled,
      rules: c.autoEvolve.rules.map((r) =>
        create(EvolutionRuleSchema, {
          fromStrategy: r.from ? strategyToProto[r.from] : EnsembleStrategy.UNSPECIFIED,
          toStrategy: strategyToProto[r.to],
          minMembers: r.minMembers,
          minObservations: BigInt(r.minObservations),
        }),
      ),
    }),
    learnedState: create(LearnedStateSchema, {
      observationCount: BigInt(l.observationCount),
      observationsSinceStrategyChange: BigInt(l.observationsSinceStrategyChange),
      intercept: c.strategy === "STACKING" && model ? model.intercept : 0,
      fitTime: l.fitTime ? timestampFromDate(new Date(l.fitTime)) : undefined,
      updateTime: l.updateTime ? timestampFromDate(new Date(l.updateTime)) : undefined,
    }),
    version: BigInt(state.version),
    currentSnapshot: snapshotName(state.id, state.version),
    createTime: timestampFromDate(state.createTime),
    updateTime: timestampFromDate(state.updateTime),
    etag: etagOf(state.version),
  });
}

export function toSnapshotProto(s: EnsembleSnapshotEntity): EnsembleSnapshot {
  const state = snapshotStateOf(s);
  return create(EnsembleSnapshotSchema, {
    name: snapshotName(state.id, s.version),
    version: BigInt(s.version),
    ensemble: toEnsembleProto(state),
    changeKind: changeKindToProto[s.changeKind as ChangeKind] ?? EnsembleChangeKind.UNSPECIFIED,
    reason: s.reason,
    actor: s.actor,
    createTime: timestampFromDate(s.createTime),
  });
}

/** The Member proto of a member as it was in `state` (for pruning reports). */
export function toMemberProto(state: EnsembleState, modelVersion: string): Member | undefined {
  return toEnsembleProto(state).members.find((m) => m.modelVersion === modelVersion);
}

/** A request's TrainingTemplate in the plain values the training port takes. */
export function templateFromProto(t: TrainingTemplate): MemberTrainingTemplate {
  return {
    image: t.image,
    command: [...t.command],
    args: [...t.args],
    env: { ...t.env },
    hyperparameters: { ...t.hyperparameters },
    provider: t.provider.replace(/^providers\//, ""),
    region: t.region,
    instanceType: t.instanceType,
    cpus: t.cpu,
    memoryBytes: Number(t.memoryMib) * 1024 * 1024,
    gpuType: t.gpuType,
    gpuCount: t.gpuCount,
    spot: t.spot,
    maxRuntimeMs: t.maxRuntime ? durationMs(t.maxRuntime as Duration) : null,
    // Converted (and its currency checked) by the training domain, which owns the platform currency.
    maxCostPerJob: t.maxCostPerJob,
    labels: { ...t.labels },
  };
}
