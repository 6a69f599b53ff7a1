import { defineEntity, p } from "@mikro-orm/core";
import type {
  AutoEvolveSpec,
  AutoPruneSpec,
  EnsembleState,
  LearnedState,
  MemberSpec,
  MemberStats,
  StoredObservation,
  StrategySettings,
} from "./ensemble-state.js";

/**
 * An ensemble: model versions whose outputs are combined into one prediction. Its id is the last
 * segment of `ensembles/{ensemble}`. `configVersion` counts configuration versions (each with a
 * snapshot) and is what the etag shows; `revision` is the optimistic lock of the row, which
 * learning also bumps.
 */
export const EnsembleEntitySchema = defineEntity({
  name: "Ensemble",
  tableName: "ensemble",
  properties: {
    id: p.string().length(63).primary(),
    displayName: p.string().length(256),
    description: p.text(),
    labels: p.json<Record<string, string>>(),
    /** "classification" or "regression"; immutable. */
    task: p.string().length(16),
    /** A StrategyName, e.g. "WEIGHTED_AVERAGE". */
    strategy: p.string().length(24).index(),
    strategySettings: p.json<StrategySettings>(),
    members: p.json<MemberSpec[]>(),
    /** `|models/a/versions/1|models/b/versions/2|`, for the `member` filter and reference checks. */
    memberIndex: p.text(),
    metaModelVersion: p.string().length(200),
    memberTimeoutMs: p.integer(),
    quorum: p.integer(),
    fallbackMode: p.string().length(24),
    fallbackModelVersion: p.string().length(200),
    autoPrune: p.json<AutoPruneSpec>(),
    autoEvolve: p.json<AutoEvolveSpec>(),
    /** Learned weights and coefficients; copied into snapshots. */
    learned: p.json<LearnedState>(),
    /** Recent outcomes stacking fits on (bounded by max_fit_observations); not snapshotted. */
    stackingBuffer: p.json<StoredObservation[]>(),
    /** Serving failures per member, by model version. */
    memberStats: p.json<Record<string, MemberStats>>(),
    configVersion: p.integer(),
    createTime: p.datetime().index(),
    updateTime: p.datetime(),
    revision: p.integer().version(),
  },
});
export class EnsembleEntity extends EnsembleEntitySchema.class {}
EnsembleEntitySchema.setClass(EnsembleEntity);

/** The JSON form of an ensemble state kept by a snapshot (times as ISO strings). */
export type SnapshotState = Omit<EnsembleState, "createTime" | "updateTime"> & { readonly createTime: string; readonly updateTime: string };

/**
 * The configuration and learned state of an ensemble at one version:
 * `ensembles/{ensemble}/snapshots/{version}`. Immutable; deleted with the ensemble.
 */
export const EnsembleSnapshotEntitySchema = defineEntity({
  name: "EnsembleSnapshot",
  tableName: "ensemble_snapshot",
  properties: {
    id: p.integer().primary().autoincrement(),
    ensemble: () => p.manyToOne(EnsembleEntity).deleteRule("cascade"),
    version: p.integer(),
    state: p.json<SnapshotState>(),
    /** A ChangeKind, e.g. "auto_prune". */
    changeKind: p.string().length(24),
    reason: p.text(),
    actor: p.string().length(256),
    createTime: p.datetime(),
  },
  uniques: [{ properties: ["ensemble", "version"] }],
});
export class EnsembleSnapshotEntity extends EnsembleSnapshotEntitySchema.class {}
EnsembleSnapshotEntitySchema.setClass(EnsembleSnapshotEntity);

/** One member job of a training group: the member it retrains and the job that does it. */
export interface TrainingGroupMember {
  readonly modelVersion: string;
  readonly job: string;
  /** "active", "succeeded" or "failed", as last seen. */
  readonly state: string;
  /** The version the job registered (`models/{m}/versions/{n}`), once it succeeded. */
  readonly outputModelVersion: string;
  readonly message: string;
}

/**
 * A group of training jobs dispatched by TrainEnsembleMembers. The settle loop follows it until
 * every job ended; with `replaceMembers`, a group whose jobs all succeeded swaps the members for the
 * versions the jobs registered as one TRAINING version of the ensemble. Persisted, so a restart
 * resumes following it.
 */
export const EnsembleTrainingGroupEntitySchema = defineEntity({
  name: "EnsembleTrainingGroup",
  tableName: "ensemble_training_group",
  properties: {
    id: p.string().length(64).primary(),
    ensemble: p.string().length(63).index(),
    replaceMembers: p.boolean(),
    members: p.json<TrainingGroupMember[]>(),
    /** "running" until every job ended, then "succeeded" (members replaced when asked), "failed" or "skipped". */
    state: p.string().length(16).index(),
    stateMessage: p.text(),
    /** The ensemble version the replacement made, or 0. */
    resultVersion: p.integer(),
    creator: p.string().length(256),
    createTime: p.datetime(),
    updateTime: p.datetime(),
  },
});
export class EnsembleTrainingGroupEntity extends EnsembleTrainingGroupEntitySchema.class {}
EnsembleTrainingGroupEntitySchema.setClass(EnsembleTrainingGroupEntity);
