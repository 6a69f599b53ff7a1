import { randomBytes } from "node:crypto";
import type { EntityManager } from "@mikro-orm/core";
import {
  getModelVersion,
  parseVersionName,
  versionName,
  type ModelSignatureInfo,
  type ModelVersionEntity,
  type TensorInfo,
  type VersionReferenceChecker,
} from "../registry/index.js";
import { getService, listAllServiceIds, serviceName, targetOf } from "../inference/index.js";
import type { GroupJobTemplate, GroupMemberJob, PlannedGroup, TrainingGroups } from "../training/index.js";
import { checkEtag, type UseCaseContext } from "../platform/context.js";
import { AppError, invalidField } from "../platform/errors/app-error.js";
import { recordEvent, SYSTEM_ACTOR } from "../platform/outbox/outbox.js";
import { listPage, type ListRequestLike, type ListSpec, type Page } from "../platform/query/list-query.js";
import { EnsembleEntity, EnsembleSnapshotEntity, EnsembleTrainingGroupEntity, type SnapshotState } from "./ensemble.entity.js";
import {
  ensembleAlreadyExists,
  ensembleNotFound,
  ensembleReferenced,
  lastMember,
  memberAlreadyExists,
  memberNotFound,
  memberNotServable,
  membersIncompatible,
  memberTaskMismatch,
  metaModelIncompatible,
  quorumAboveMembers,
  snapshotNotFound,
  snapshotNotRestorable,
  strategyNotForTask,
  pluginStrategyNotLoaded,
  tooManyMembers,
} from "./ensemble.errors.js";
import {
  ensembleName,
  initialLearnedState,
  MAX_MEMBERS,
  memberIndexOf,
  referencedVersions,
  relearnForConfig,
  snapshotName,
  type ChangeKind,
  type EnsembleConfig,
  type EnsembleState,
  type MemberSpec,
  type MemberStats,
  type StoredObservation,
  type StrategyName,
  type StrategySettings,
} from "./ensemble-state.js";
import { evolution, learnOutcomes, membersToPrune, type JoinedOutcome } from "./ensemble-learning.js";
import type { CustomStrategy, PruneCandidate } from "./strategies/index.js";

// ---------------------------------------------------------------- ports

/**
 * Other domains register what refers to an ensemble (services, A/B variants, canary rollouts), so
 * that DeleteEnsemble refuses without depending on them.
 */
export interface EnsembleReferenceChecker {
  /** A description of the first referrer (e.g. `services/fraud`), or undefined. */
  findReference(em: EntityManager, ensembleId: string): Promise<string | undefined>;
}

/**
 * Told of every new version of an ensemble: inside the transaction that made it (so what a
 * listener records commits with it, e.g. a service's history line), and after the commit (to
 * re-resolve routes at once).
 */
export interface EnsembleChangeListener {
  ensembleChanged(em: EntityManager, ctx: UseCaseContext, ensembleId: string, snapshot: string, reason: string): Promise<void>;
  afterEnsembleChanged(ensembleId: string): void;
}

export interface EnsembleDeps {
  readonly referenceCheckers: readonly EnsembleReferenceChecker[];
  readonly listeners: readonly EnsembleChangeListener[];
  /** Jobs for TrainEnsembleMembers; without it the method answers TRAINING_NOT_AVAILABLE. */
  readonly training?: EnsembleTrainingPort;
  /** Strategies added by plugins, by name, for the PLUGIN strategy. */
  readonly customStrategies?: ReadonlyMap<string, CustomStrategy>;
}

/** Tells listeners, after the commit, that an ensemble has a new version. */
export function notifyAfterCommit(deps: EnsembleDeps, ensembleId: string): void {
  for (const l of deps.listeners) l.afterEnsembleChanged(ensembleId);
}

// ---------------------------------------------------------------- entity ⇄ state

/** The configuration stored in an ensemble row. */
export function configOf(e: EnsembleEntity): EnsembleConfig {
  return {
    displayName: e.displayName,
    description: e.description,
    labels: e.labels,
    task: e.task as EnsembleConfig["task"],
    members: e.members,
    strategy: e.strategy as StrategyName,
    strategySettings: e.strategySettings,
    metaModelVersion: e.metaModelVersion,
    memberTimeoutMs: e.memberTimeoutMs,
    quorum: e.quorum,
    fallback: { mode: e.fallbackMode as EnsembleConfig["fallback"]["mode"], modelVersion: e.fallbackModelVersion },
    autoPrune: e.autoPrune,
    autoEvolve: e.autoEvolve,
  };
}

/** The state of an ensemble row, as served and mapped. */
export function stateOf(e: EnsembleEntity): EnsembleState {
  return { id: e.id, config: configOf(e), learned: e.learned, memberStats: e.memberStats, version: e.configVersion, createTime: e.createTime, updateTime: e.updateTime };
}

/** The state a snapshot captured. */
export function snapshotStateOf(s: EnsembleSnapshotEntity): EnsembleState {
  return { ...s.state, createTime: new Date(s.state.createTime), updateTime: new Date(s.state.updateTime) };
}

/** The columns that hold a configuration. */
function configColumns(c: EnsembleConfig) {
  return {
    displayName: c.displayName,
    description: c.description,
    labels: { ...c.labels },
    task: c.task,
    strategy: c.strategy,
    strategySettings: c.strategySettings,
    members: c.members.map((m) => ({ modelVersion: m.modelVersion, weight: m.weight })),
    memberIndex: memberIndexOf(c.members),
    metaModelVersion: c.metaModelVersion,
    memberTimeoutMs: c.memberTimeoutMs,
    quorum: c.quorum,
    fallbackMode: c.fallback.mode,
    fallbackModelVersion: c.fallback.mode === "model_version" ? c.fallback.modelVersion : "",
    autoPrune: c.autoPrune,
    autoEvolve: c.autoEvolve,
  };
}

function applyConfig(e: EnsembleEntity, c: EnsembleConfig): void {
  Object.assign(e, configColumns(c));
}

/** Failures of members no longer in the ensemble are forgotten. */
function statsFor(stats: Readonly<Record<string, MemberStats>>, members: readonly MemberSpec[]): Record<string, MemberStats> {
  const out: Record<string, MemberStats> = {};
  for (const m of members) if (stats[m.modelVersion]) out[m.modelVersion] = stats[m.modelVersion]!;
  return out;
}

// ---------------------------------------------------------------- validation

const isFloat = (t: TensorInfo) => t.kind === "tensor" && (t.dataType === "float32" || t.dataType === "float64");
const isLabel = (t: TensorInfo) => t.kind === "tensor" && (t.dataType === "int64" || t.dataType === "int32" || t.dataType === "string");

function describeInputs(s: ModelSignatureInfo): string {
  return s.inputs.map((t) => `${t.name}: ${t.dataType} [${t.shape.map((d) => (d < 0 ? "N" : String(d))).join(", ")}]`).join(", ");
}

function sameInputs(a: ModelSignatureInfo, b: ModelSignatureInfo): boolean {
  if (a.inputs.length !== b.inputs.length) return false;
  return a.inputs.every((t) => {
    const u = b.inputs.find((x) => x.name === t.name);
    return u !== undefined && u.kind === t.kind && u.dataType === t.dataType && u.shape.length === t.shape.length && u.shape.every((d, i) => d === t.shape[i] || (d < 0 && t.shape[i]! < 0));
  });
}

/** Why a signature cannot serve the task, or undefined when it can. */
function taskProblem(s: ModelSignatureInfo, task: EnsembleConfig["task"]): string | undefined {
  const maps = s.outputs.some((o) => o.kind === "sequence_of_maps");
  const label = s.outputs.some(isLabel);
  if (task === "classification") return maps || label ? undefined : "it outputs no class labels or probabilities";
  if (maps || label) return "it outputs class labels (a classifier)";
  return s.outputs.some(isFloat) ? undefined : "it outputs no real-valued tensor";
}

/** The class-label key type of a classifier's probability maps, when it has some. */
const labelKeyType = (s: ModelSignatureInfo) => s.outputs.find((o) => o.kind === "sequence_of_maps")?.keyType;

/** Loads a version named in a request; NOT_FOUND when it does not exist, FAILED_PRECONDITION when it cannot serve. */
async function servableVersion(em: EntityManager, name: string, field: string): Promise<{ name: string; signature: ModelSignatureInfo }> {
  const { modelId, number } = parseVersionName(name, field);
  const v: ModelVersionEntity = await getModelVersion(em, modelId, number);
  if (v.artifactFormat !== "onnx" || !v.signature) throw memberNotServable(name, "it needs an ONNX artifact with a signature");
  if (v.artifactExternal) throw memberNotServable(name, "its artifact is not stored in the platform");
  return { name: versionName(modelId, number), signature: v.signature as ModelSignatureInfo };
}

/** Field names of a configuration in the request being checked. */
interface ConfigFields {
  readonly member: (index: number) => string;
  readonly prefix: string;
}

/**
 * Checks what protovalidate cannot: every referenced version exists and can serve, the members
 * share the first member's inputs and suit the task (and, for classification, the same kind of
 * class labels), the strategy suits the task, the meta model is set and shaped for the members,
 * and the fallback names a version exactly when its mode needs one.
 */
async function checkConfig(em: EntityManager, deps: EnsembleDeps, c: EnsembleConfig, fields: ConfigFields): Promise<void> {
  const p = fields.prefix;
  if (c.strategy === "PLUGIN") {
    const name = c.strategySettings.plugin?.name ?? "";
    if (name === "") throw invalidField(`${p}strategy_config.plugin.name`, "is required for the PLUGIN strategy");
    const custom = deps.customStrategies?.get(name);
    if (!custom) throw pluginStrategyNotLoaded(name);
    if (!custom.tasks.includes(c.task)) throw strategyNotForTask(name, c.task);
  }
  if (c.members.length === 0) throw invalidField(`${p}members`, "an ensemble needs at least one member");
  if (c.members.length > MAX_MEMBERS) throw invalidField(`${p}members`, `at most ${MAX_MEMBERS} members`);
  const seen = new Set<string>();
  c.members.forEach((m, i) => {
    if (seen.has(m.modelVersion)) throw invalidField(fields.member(i), `${m.modelVersion} is listed twice; each model version can be a member only once`);
    seen.add(m.modelVersion);
    if (!Number.isFinite(m.weight) || m.weight < 0) throw invalidField(`${p}members[${i}].weight`, "must be a finite number from 0 to 1,000,000");
  });
  if (c.strategy === "MAJORITY_VOTE" && c.task === "regression") throw strategyNotForTask("MAJORITY_VOTE", "regression");
  if (c.strategy === "META_LEARNER" && c.metaModelVersion === "") {
    throw invalidField(`${p}strategy_config.meta_learner.meta_model_version`, "is required for the META_LEARNER strategy");
  }
  if (c.fallback.mode === "model_version" && c.fallback.modelVersion === "") throw invalidField(`${p}fallback.model_version`, "is required for FALLBACK_MODE_MODEL_VERSION");
  if (c.fallback.mode !== "model_version" && c.fallback.modelVersion !== "") throw invalidField(`${p}fallback.model_version`, "must be empty unless the mode is FALLBACK_MODE_MODEL_VERSION");
  if (!(c.memberTimeoutMs >= 1 && c.memberTimeoutMs <= 300_000)) throw invalidField(`${p}member_timeout`, "must be from 1 millisecond to 5 minutes");

  const members = [];
  for (const [i, m] of c.members.entries()) members.push(await servableVersion(em, m.modelVersion, fields.member(i)));
  const first = members[0]!;
  for (const m of members) {
    const problem = taskProblem(m.signature, c.task);
    if (problem) throw memberTaskMismatch(m.name, c.task, problem);
    if (m === first) continue;
    if (!sameInputs(first.signature, m.signature)) {
      throw membersIncompatible(m.name, first.name, `it takes ${describeInputs(m.signature)} where the first member takes ${describeInputs(first.signature)}`);
    }
    if (c.task === "classification" && labelKeyType(m.signature) !== undefined && labelKeyType(first.signature) !== undefined && labelKeyType(m.signature) !== labelKeyType(first.signature)) {
      throw membersIncompatible(m.name, first.name, `its class labels are ${labelKeyType(m.signature)} where the first member's are ${labelKeyType(first.signature)}`);
    }
  }
  if (c.metaModelVersion !== "") {
    const meta = await servableVersion(em, c.metaModelVersion, `${p}strategy_config.meta_learner.meta_model_version`);
    if (c.strategy === "META_LEARNER") checkMetaShape(meta.name, meta.signature, c);
  }
  if (c.fallback.mode === "model_version") {
    const fallback = await servableVersion(em, c.fallback.modelVersion, `${p}fallback.model_version`);
    if (!sameInputs(first.signature, fallback.signature)) {
      throw membersIncompatible(fallback.name, first.name, `the fallback takes ${describeInputs(fallback.signature)} where the members take ${describeInputs(first.signature)}`);
    }
    const problem = taskProblem(fallback.signature, c.task);
    if (problem) throw memberTaskMismatch(fallback.name, c.task, problem);
  }
}

/** The meta model takes one float32 [batch, members × width] tensor and returns probabilities or values. */
function checkMetaShape(name: string, s: ModelSignatureInfo, c: EnsembleConfig): void {
  const input = s.inputs[0];
  if (s.inputs.length !== 1 || !input) throw metaModelIncompatible(name, `it must take exactly one input, not ${s.inputs.length}`);
  if (input.kind !== "tensor" || input.dataType !== "float32" || input.shape.length !== 2) {
    throw metaModelIncompatible(name, `its input ${input.name} must be a float32 tensor [batch, members × width]`);
  }
  const cols = input.shape[1]!;
  const n = c.members.length;
  if (cols >= 0) {
    if (c.task === "regression" && cols !== n) throw metaModelIncompatible(name, `it takes ${cols} columns where the ${n} members give ${n}`);
    if (c.task === "classification" && (cols % n !== 0 || cols < 2 * n)) {
      throw metaModelIncompatible(name, `it takes ${cols} columns, which is not the ${n} members times their number of classes`);
    }
  }
  const usable = c.task === "regression" ? s.outputs.some(isFloat) : s.outputs.some((o) => isFloat(o) || o.kind === "sequence_of_maps");
  if (!usable) throw metaModelIncompatible(name, c.task === "regression" ? "it outputs no real-valued tensor" : "it outputs no class probabilities");
}

function checkQuorum(name: string, c: EnsembleConfig): void {
  if (c.quorum > c.members.length) throw quorumAboveMembers(name, c.quorum, c.members.length);
}

// ---------------------------------------------------------------- versions

/**
 * Serializes changes to one ensemble: a no-op write on its row takes SQLite's write lock or
 * PostgreSQL's row lock for the rest of the transaction, so concurrent changes (a caller's, the
 * learner's, another process's) happen one after another and version numbers never collide.
 */
async function lockEnsemble(em: EntityManager, id: string): Promise<EnsembleEntity> {
  await em.getConnection().execute("update ensemble set config_version = config_version where id = ?", [id], "run", em.getTransactionContext());
  const e = await em.findOne(EnsembleEntity, { id }, { refresh: true });
  if (!e) throw ensembleNotFound(ensembleName(id));
  return e;
}

const eventTypes: Record<ChangeKind, string> = {
  create: "ensemble.ensemble.created",
  update: "ensemble.ensemble.updated",
  add_member: "ensemble.ensemble.member_added",
  remove_member: "ensemble.ensemble.member_removed",
  restore: "ensemble.ensemble.restored",
  prune: "ensemble.ensemble.pruned",
  auto_prune: "ensemble.ensemble.auto_pruned",
  auto_evolve: "ensemble.ensemble.evolved",
  training: "ensemble.ensemble.members_trained",
};

function snapshotJson(e: EnsembleEntity): SnapshotState {
  const s = stateOf(e);
  return { ...s, createTime: s.createTime.toISOString(), updateTime: s.updateTime.toISOString() };
}

/**
 * Makes the entity's current configuration a new version: bumps the number, writes the snapshot
 * and the event in the same unit of work, and tells the listeners inside the transaction.
 */
async function commitVersion(
  em: EntityManager,
  ctx: UseCaseContext,
  deps: EnsembleDeps,
  e: EnsembleEntity,
  kind: ChangeKind,
  reason: string,
  data: Record<string, unknown> = {},
): Promise<void> {
  const now = ctx.now();
  if (kind !== "create") e.configVersion += 1;
  e.updateTime = now;
  em.create(EnsembleSnapshotEntity, { ensemble: e, version: e.configVersion, state: snapshotJson(e), changeKind: kind, reason, actor: ctx.actor.name, createTime: now });
  const snapshot = snapshotName(e.id, e.configVersion);
  recordEvent(
    em,
    ctx.actor,
    {
      topic: "ensemble",
      type: eventTypes[kind],
      resource: ensembleName(e.id),
      data: { version: e.configVersion, snapshot, changeKind: kind, reason, strategy: e.strategy, members: e.members.map((m) => m.modelVersion), ...data },
    },
    now,
  );
  await em.flush();
  for (const l of deps.listeners) await l.ensembleChanged(em, ctx, e.id, snapshot, reason);
}

/** Changes the configuration of a locked ensemble, carrying the learned state over. */
function reconfigure(e: EnsembleEntity, next: EnsembleConfig): void {
  const before = configOf(e);
  const { learned, buffer } = relearnForConfig(e.learned, e.stackingBuffer, before, next);
  applyConfig(e, next);
  e.learned = learned;
  e.stackingBuffer = buffer;
  e.memberStats = statsFor(e.memberStats, next.members);
}

/** Applies auto-evolution when enabled and a rule matches, as its own version. */
async function maybeEvolve(em: EntityManager, ctx: UseCaseContext, deps: EnsembleDeps, e: EnsembleEntity): Promise<void> {
  const config = configOf(e);
  if (!config.autoEvolve.enabled) return;
  const decision = evolution(config, e.learned);
  if (!decision) return;
  reconfigure(e, { ...config, strategy: decision.to });
  await commitVersion(em, ctx, deps, e, "auto_evolve", decision.reason, { from: decision.from, to: decision.to });
}

// ---------------------------------------------------------------- CRUD

/** Creates an ensemble at version 1 with its first snapshot. */
export async function createEnsemble(ctx: UseCaseContext, deps: EnsembleDeps, id: string, config: EnsembleConfig): Promise<EnsembleEntity> {
  return ctx.em.transactional(async (em) => {
    const name = ensembleName(id);
    if (await em.count(EnsembleEntity, { id })) throw ensembleAlreadyExists(name);
    if (config.quorum > config.members.length) throw invalidField("ensemble.quorum", "cannot exceed the number of members");
    await checkConfig(em, deps, config, { prefix: "ensemble.", member: (i) => `ensemble.members[${i}].model_version` });
    const now = ctx.now();
    const e = em.create(EnsembleEntity, {
      id,
      ...configColumns(config),
      learned: initialLearnedState(config),
      stackingBuffer: [],
      memberStats: {},
      configVersion: 1,
      createTime: now,
      updateTime: now,
    });
    await commitVersion(em, ctx, deps, e, "create", "");
    return e;
  });
}

export async function getEnsemble(em: EntityManager, id: string): Promise<EnsembleEntity> {
  const e = await em.findOne(EnsembleEntity, { id });
  if (!e) throw ensembleNotFound(ensembleName(id));
  return e;
}

const strategyValues: Record<string, string> = {};
for (const s of ["WEIGHTED_AVERAGE", "DYNAMIC_WEIGHTING", "MAJORITY_VOTE", "STACKING", "META_LEARNER"]) {
  strategyValues[s] = s;
  strategyValues[`ENSEMBLE_STRATEGY_${s}`] = s;
}

const ensembleListSpec: ListSpec = {
  fields: {
    name: { prop: "id", type: "string" },
    display_name: { prop: "displayName", type: "string" },
    task: {
      prop: "task",
      type: "string",
      values: { CLASSIFICATION: "classification", REGRESSION: "regression", ENSEMBLE_TASK_CLASSIFICATION: "classification", ENSEMBLE_TASK_REGRESSION: "regression" },
    },
    strategy: { prop: "strategy", type: "string", values: strategyValues },
    create_time: { prop: "createTime", type: "timestamp" },
    update_time: { prop: "updateTime", type: "timestamp" },
  },
  maps: { labels: { prop: "labels", type: "string" } },
  defaultOrder: "create_time desc",
  idProp: "id",
};

const MEMBER_CLAUSE = /^(.*?)\bmember\s*=\s*"?(models\/[a-z0-9-]+\/versions\/\d+)"?(.*)$/;

/**
 * Lists ensembles. A `member = models/m/versions/3` clause matches the ensembles that contain that
 * version (the members are a list, so it is answered from the member index, not by the generic
 * filter).
 */
export function listEnsembles(ctx: UseCaseContext, request: ListRequestLike): Promise<Page<EnsembleEntity>> {
  const match = MEMBER_CLAUSE.exec(request.filter);
  if (!match) return listPage(ctx.em, EnsembleEntity, ensembleListSpec, request);
  const filter = `${match[1]!} ${match[3]!}`.trim().replace(/^AND\s+|\s+AND$/g, "");
  return listPage(ctx.em, EnsembleEntity, ensembleListSpec, { ...request, filter }, { memberIndex: { $like: `%|${match[2]!}|%` } }, { scopeKey: request.filter });
}

/** What UpdateEnsemble may change; `strategySettings` entries replace only the settings they name. */
export type ConfigChanges = Partial<Omit<EnsembleConfig, "task" | "strategySettings">> & { readonly strategySettings?: Partial<StrategySettings> };

/** Updates an ensemble as one new version; the learned state follows the members it keeps. */
export async function updateEnsemble(ctx: UseCaseContext, deps: EnsembleDeps, id: string, changes: ConfigChanges, reason: string, etag: string): Promise<EnsembleEntity> {
  return ctx.em.transactional(async (em) => {
    const e = await lockEnsemble(em, id);
    const name = ensembleName(id);
    checkEtag(etag, e.configVersion, name);
    const current = configOf(e);
    const { strategySettings, ...rest } = changes;
    const given = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)) as Partial<EnsembleConfig>;
    const next: EnsembleConfig = { ...current, ...given, strategySettings: { ...current.strategySettings, ...strategySettings } };
    checkQuorum(name, next);
    await checkConfig(em, deps, next, { prefix: "ensemble.", member: (i) => `ensemble.members[${i}].model_version` });
    reconfigure(e, next);
    await commitVersion(em, ctx, deps, e, "update", reason, { paths: Object.keys(changes) });
    return e;
  });
}

/** Deletes an ensemble and its snapshots, unless something still uses it. */
export async function deleteEnsemble(ctx: UseCaseContext, deps: EnsembleDeps, id: string, etag: string): Promise<void> {
  await ctx.em.transactional(async (em) => {
    const e = await lockEnsemble(em, id);
    const name = ensembleName(id);
    checkEtag(etag, e.configVersion, name);
    for (const checker of deps.referenceCheckers) {
      const by = await checker.findReference(em, id);
      if (by) throw ensembleReferenced(name, by);
    }
    await em.nativeDelete(EnsembleSnapshotEntity, { ensemble: id });
    em.remove(e);
    recordEvent(em, ctx.actor, { topic: "ensemble", type: "ensemble.ensemble.deleted", resource: name, data: { version: e.configVersion } }, ctx.now());
  });
}

// ---------------------------------------------------------------- members

export async function addEnsembleMember(ctx: UseCaseContext, deps: EnsembleDeps, id: string, member: MemberSpec, reason: string, etag: string): Promise<EnsembleEntity> {
  return ctx.em.transactional(async (em) => {
    const e = await lockEnsemble(em, id);
    const name = ensembleName(id);
    checkEtag(etag, e.configVersion, name);
    const current = configOf(e);
    const { modelId, number } = parseVersionName(member.modelVersion, "member.model_version");
    const version = versionName(modelId, number);
    if (current.members.some((m) => m.modelVersion === version)) throw memberAlreadyExists(name, version);
    if (current.members.length >= MAX_MEMBERS) throw tooManyMembers(name, MAX_MEMBERS);
    const next: EnsembleConfig = { ...current, members: [...current.members, { modelVersion: version, weight: member.weight }] };
    const n = current.members.length;
    await checkConfig(em, deps, next, { prefix: "", member: (i) => (i === n ? "member.model_version" : `members[${i}]`) });
    reconfigure(e, next);
    await commitVersion(em, ctx, deps, e, "add_member", reason, { modelVersion: version });
    await maybeEvolve(em, ctx, deps, e);
    return e;
  });
}

export async function removeEnsembleMember(ctx: UseCaseContext, deps: EnsembleDeps, id: string, modelVersion: string, reason: string, etag: string): Promise<EnsembleEntity> {
  return ctx.em.transactional(async (em) => {
    const e = await lockEnsemble(em, id);
    const name = ensembleName(id);
    checkEtag(etag, e.configVersion, name);
    const current = configOf(e);
    if (!current.members.some((m) => m.modelVersion === modelVersion)) throw memberNotFound(name, modelVersion);
    if (current.members.length === 1) throw lastMember(name, modelVersion);
    const next: EnsembleConfig = { ...current, members: current.members.filter((m) => m.modelVersion !== modelVersion) };
    checkQuorum(name, next);
    if (next.strategy === "META_LEARNER") await checkConfig(em, deps, next, { prefix: "", member: (i) => `members[${i}]` });
    reconfigure(e, next);
    await commitVersion(em, ctx, deps, e, "remove_member", reason, { modelVersion });
    await maybeEvolve(em, ctx, deps, e);
    return e;
  });
}

// ---------------------------------------------------------------- snapshots

const changeKindValues: Record<string, string> = {};
for (const k of ["create", "update", "add_member", "remove_member", "restore", "prune", "auto_prune", "auto_evolve", "training"]) {
  changeKindValues[k.toUpperCase()] = k;
  changeKindValues[`ENSEMBLE_CHANGE_KIND_${k.toUpperCase()}`] = k;
}

const snapshotListSpec: ListSpec = {
  fields: {
    change_kind: { prop: "changeKind", type: "string", values: changeKindValues },
    actor: { prop: "actor", type: "string" },
    version: { prop: "version", type: "number" },
    create_time: { prop: "createTime", type: "timestamp" },
  },
  defaultOrder: "version desc",
  idProp: "id",
};

export async function listEnsembleSnapshots(ctx: UseCaseContext, id: string, request: ListRequestLike): Promise<Page<EnsembleSnapshotEntity>> {
  await getEnsemble(ctx.em, id);
  return listPage(ctx.em, EnsembleSnapshotEntity, snapshotListSpec, request, { ensemble: id }, { scopeKey: id });
}

export async function getEnsembleSnapshot(em: EntityManager, id: string, version: number): Promise<EnsembleSnapshotEntity> {
  const s = await em.findOne(EnsembleSnapshotEntity, { ensemble: id, version });
  if (!s) throw snapshotNotFound(snapshotName(id, version));
  return s;
}

/** Re-lays stored stacking outcomes from one member order to another (absent members: no answer). */
function relayBuffer(buffer: readonly StoredObservation[], from: readonly string[], to: readonly string[]): StoredObservation[] {
  const index = new Map(from.map((id, i) => [id, i]));
  return buffer.map((o) => ({ target: o.target, outputs: to.map((id) => (index.has(id) ? (o.outputs[index.get(id)!] ?? null) : null)) }));
}

/**
 * Makes a snapshot's configuration and learned state current, as a new version. Stored stacking
 * outcomes are kept (re-laid for the restored members) so that learning goes on from the restored
 * coefficients with today's data.
 */
export async function restoreEnsembleSnapshot(ctx: UseCaseContext, deps: EnsembleDeps, id: string, version: number, reason: string, etag: string): Promise<EnsembleEntity> {
  return ctx.em.transactional(async (em) => {
    const e = await lockEnsemble(em, id);
    checkEtag(etag, e.configVersion, ensembleName(id));
    const snapshot = await getEnsembleSnapshot(em, id, version);
    const restored = snapshotStateOf(snapshot);
    const name = snapshotName(id, version);
    for (const v of referencedVersions(restored.config)) {
      const { modelId, number } = parseVersionName(v, "name");
      try {
        await getModelVersion(em, modelId, number);
      } catch (err) {
        if (err instanceof AppError && err.kind === "not_found") throw snapshotNotRestorable(name, v);
        throw err;
      }
    }
    const currentStacking = e.learned.stacking;
    const restoredStacking = restored.learned.stacking;
    e.stackingBuffer = currentStacking && restoredStacking ? relayBuffer(e.stackingBuffer, currentStacking.members, restoredStacking.members) : [];
    applyConfig(e, restored.config);
    e.learned = restored.learned;
    e.memberStats = statsFor(e.memberStats, restored.config.members);
    await commitVersion(em, ctx, deps, e, "restore", reason || `restored from ${name}`, { restoredFrom: name });
    return e;
  });
}

// ---------------------------------------------------------------- pruning

export interface PruneResult {
  /** The ensemble after pruning (unchanged for a dry run or when nothing qualified). */
  readonly ensemble: EnsembleEntity;
  /** The state before pruning, to report the removed members as they were. */
  readonly before: EnsembleState;
  readonly pruned: readonly PruneCandidate[];
}

/** Removes the members whose effective weight is below the threshold (see AutoPrunePolicy), as one version. */
export async function pruneEnsembleMembers(
  ctx: UseCaseContext,
  deps: EnsembleDeps,
  id: string,
  options: { dryRun: boolean; weightThreshold: number | undefined; minMembers: number; reason: string; etag: string },
): Promise<PruneResult> {
  return ctx.em.transactional(async (em) => {
    const e = await lockEnsemble(em, id);
    checkEtag(options.etag, e.configVersion, ensembleName(id));
    const before = stateOf(e);
    const pruned = membersToPrune(before.config, before.learned, { weightThreshold: options.weightThreshold, minMembers: options.minMembers || undefined });
    if (options.dryRun || pruned.length === 0) return { ensemble: e, before, pruned };
    await applyPrune(em, ctx, deps, e, pruned, "prune", options.reason);
    await maybeEvolve(em, ctx, deps, e);
    return { ensemble: e, before, pruned };
  });
}

async function applyPrune(em: EntityManager, ctx: UseCaseContext, deps: EnsembleDeps, e: EnsembleEntity, pruned: readonly PruneCandidate[], kind: "prune" | "auto_prune", reason: string): Promise<void> {
  const gone = new Set(pruned.map((p) => p.id));
  const current = configOf(e);
  reconfigure(e, { ...current, members: current.members.filter((m) => !gone.has(m.modelVersion)) });
  const why = pruned.map((p) => `${p.id}: ${p.reason}`).join("; ");
  await commitVersion(em, ctx, deps, e, kind, reason || why, { pruned: pruned.map((p) => ({ modelVersion: p.id, weight: p.weight, reason: p.reason })) });
}

// ---------------------------------------------------------------- training

/**
 * What an ensemble needs from the training domain to retrain its members (the training module's
 * `groups`, wired in app.ts): plan a group's placement outside any transaction, create its jobs
 * inside the caller's transaction (the budgets admit the whole group or nothing), and tell how
 * they ended. Only its types are imported here: the domain is handed the implementation.
 */
export type EnsembleTrainingPort = Pick<TrainingGroups, "plan" | "createJobs" | "outcomes">;
export type MemberTrainingTemplate = GroupJobTemplate;
export type MemberTrainingJobInput = GroupMemberJob;

export interface TrainMembersRequest {
  readonly template: MemberTrainingTemplate;
  /** Empty means every member. */
  readonly modelVersions: readonly string[];
  readonly replaceMembers: boolean;
}

/** The members a request retrains, checked against the ensemble (each must exist and be a member). */
async function membersToTrain(em: EntityManager, e: EnsembleEntity, modelVersions: readonly string[]): Promise<string[]> {
  const name = ensembleName(e.id);
  if (modelVersions.length === 0) return e.members.map((m) => m.modelVersion);
  const out: string[] = [];
  for (const [i, v] of modelVersions.entries()) {
    const { modelId, number } = parseVersionName(v, `model_versions[${i}]`);
    await getModelVersion(em, modelId, number);
    const canonical = versionName(modelId, number);
    if (!e.members.some((m) => m.modelVersion === canonical)) throw invalidField(`model_versions[${i}]`, `${v} is not a member of ${name}`);
    out.push(canonical);
  }
  return out;
}

const newGroupId = () => `tg-${Date.now().toString(36)}${randomBytes(5).toString("hex")}`;

/**
 * Dispatches one training job per member to retrain, as one group: each job runs the template with
 * ARTENIC_ENSEMBLE, ARTENIC_MEMBER_MODEL_VERSION and ARTENIC_TRAINING_GROUP set, carries the label
 * `training_group`, and registers its output as a new version of the member's model. The group is
 * recorded in the same transaction as its jobs, so the settle loop follows every group that exists.
 * Call it inside a transaction (`ctx.em`), after `training.plan` ran outside one.
 */
export async function dispatchTrainingGroup(
  ctx: UseCaseContext,
  training: EnsembleTrainingPort,
  planned: PlannedGroup,
  id: string,
  request: TrainMembersRequest,
): Promise<{ group: EnsembleTrainingGroupEntity; jobs: { modelVersion: string; job: string }[] }> {
  const em = ctx.em;
  const e = await lockEnsemble(em, id);
  const name = ensembleName(e.id);
  const members = await membersToTrain(em, e, request.modelVersions);
  const groupId = newGroupId();
  const inputs = members.map((mv) => ({
    outputModel: parseVersionName(mv, "member").modelId,
    displayName: `${e.id}: retrain ${mv}`.slice(0, 256),
    description: `Retrains ${mv} of ${name} (training group ${groupId}).`,
    env: { ARTENIC_ENSEMBLE: name, ARTENIC_MEMBER_MODEL_VERSION: mv, ARTENIC_TRAINING_GROUP: groupId },
    labels: { ...request.template.labels, training_group: groupId, ensemble: e.id },
  }));
  const jobs = await training.createJobs({ ...ctx, em }, planned, inputs);
  const now = ctx.now();
  const group = em.create(EnsembleTrainingGroupEntity, {
    id: groupId,
    ensemble: e.id,
    replaceMembers: request.replaceMembers,
    members: members.map((modelVersion, i) => ({ modelVersion, job: jobs[i]!, state: "active", outputModelVersion: "", message: "" })),
    state: "running",
    stateMessage: `${jobs.length} job(s) dispatched`,
    resultVersion: 0,
    creator: ctx.actor.name,
    createTime: now,
    updateTime: now,
  });
  recordEvent(em, ctx.actor, { topic: "ensemble", type: "ensemble.ensemble.training_dispatched", resource: name, data: { trainingGroup: groupId, replaceMembers: request.replaceMembers, jobs: group.members.map((m) => ({ modelVersion: m.modelVersion, trainingJob: m.job })) } }, now);
  await em.flush();
  return { group, jobs: group.members.map((m) => ({ modelVersion: m.modelVersion, job: m.job })) };
}

/** Checks a request before anything is planned (the ensemble exists, the versions are members). */
export async function checkTrainingRequest(em: EntityManager, id: string, modelVersions: readonly string[]): Promise<void> {
  await membersToTrain(em, await getEnsemble(em, id), modelVersions);
}

/**
 * Follows running training groups one step: records how their jobs are doing and, once every job
 * ended, closes the group. A group whose jobs all succeeded and that asked to replace its members
 * swaps each member still in the ensemble for the version its job registered (same weight), as one
 * TRAINING version; members removed meanwhile are left out, and a replacement the ensemble refuses
 * (e.g. an incompatible signature) fails the group without changing anything. Returns the ids of
 * ensembles that changed (for the caller to notify after commit).
 */
export async function settleTrainingGroups(em: EntityManager, deps: EnsembleDeps, training: EnsembleTrainingPort, now: () => Date): Promise<string[]> {
  const running = await em.fork().find(EnsembleTrainingGroupEntity, { state: "running" }, { orderBy: { createTime: "asc" }, limit: 100 });
  const changed: string[] = [];
  for (const g of running) {
    const outcomes = await training.outcomes(em.fork(), g.members.map((m) => m.job));
    const members = g.members.map((m) => {
      const o = outcomes.get(m.job);
      return o ? { ...m, state: o.state, outputModelVersion: o.outputModelVersion, message: o.message } : m;
    });
    const ctx: UseCaseContext = { em, actor: SYSTEM_ACTOR, now };
    const updated = await em.fork().transactional(async (tx) => {
      const group = await tx.findOne(EnsembleTrainingGroupEntity, { id: g.id, state: "running" });
      if (!group) return false; // another replica settled it
      group.members = members;
      group.updateTime = now();
      if (members.some((m) => m.state === "active")) {
        group.stateMessage = `${members.filter((m) => m.state !== "active").length} of ${members.length} job(s) ended`;
        return false;
      }
      const failed = members.filter((m) => m.state === "failed");
      if (failed.length > 0) {
        close(tx, group, "failed", `${failed.length} job(s) did not succeed: ${failed.map((m) => `${m.job} (${m.message})`).join("; ")}`.slice(0, 4000), now());
        return false;
      }
      if (!group.replaceMembers) {
        close(tx, group, "succeeded", "every job succeeded; members left as they are (replace_members was false)", now());
        return false;
      }
      return replaceTrainedMembers({ ...ctx, em: tx }, deps, group);
    });
    if (updated) changed.push(g.ensemble);
  }
  return changed;
}

function close(em: EntityManager, group: EnsembleTrainingGroupEntity, state: "succeeded" | "failed" | "skipped", message: string, now: Date): void {
  group.state = state;
  group.stateMessage = message;
  group.updateTime = now;
  recordEvent(em, SYSTEM_ACTOR, { topic: "ensemble", type: `ensemble.training_group.${state}`, resource: ensembleName(group.ensemble), data: { trainingGroup: group.id, message, version: group.resultVersion } }, now);
}

async function replaceTrainedMembers(ctx: UseCaseContext, deps: EnsembleDeps, group: EnsembleTrainingGroupEntity): Promise<boolean> {
  const em = ctx.em;
  const locked = await lockEnsemble(em, group.ensemble).catch((e: unknown) => {
    if (e instanceof AppError && e.kind === "not_found") return undefined;
    throw e;
  });
  if (!locked) {
    close(em, group, "skipped", `${ensembleName(group.ensemble)} no longer exists`, ctx.now());
    return false;
  }
  const current = configOf(locked);
  const swap = new Map(group.members.map((m) => [m.modelVersion, m.outputModelVersion] as const));
  const kept = current.members.filter((m) => swap.has(m.modelVersion));
  if (kept.length === 0) {
    close(em, group, "skipped", "none of the retrained members is still in the ensemble", ctx.now());
    return false;
  }
  const next = { ...current, members: current.members.map((m) => (swap.has(m.modelVersion) ? { ...m, modelVersion: swap.get(m.modelVersion)! } : m)) };
  try {
    await checkConfig(em, deps, next, { prefix: "", member: (i) => `members[${i}]` });
  } catch (err) {
    close(em, group, "failed", `the trained versions cannot replace the members: ${(err as Error).message}`, ctx.now());
    return false;
  }
  reconfigure(locked, next);
  const replaced = kept.map((m) => ({ from: m.modelVersion, to: swap.get(m.modelVersion)! }));
  await commitVersion(em, ctx, deps, locked, "training", `training group ${group.id}`, { trainingGroup: group.id, replaced });
  group.resultVersion = locked.configVersion;
  close(em, group, "succeeded", `replaced ${replaced.map((r) => `${r.from} → ${r.to}`).join(", ")} as version ${locked.configVersion}`, ctx.now());
  return true;
}

// ---------------------------------------------------------------- learning

/** Serving failures of one member since the last flush. */
export interface FailureDelta {
  readonly count: number;
  readonly lastError: string;
  readonly lastErrorTime: Date;
}

/** What one learning pass did to an ensemble. */
export interface LearningOutcome {
  readonly ensemble: EnsembleEntity;
  readonly used: number;
  /** Whether a new configuration version was made (auto-prune, auto-evolution). */
  readonly changed: boolean;
}

/**
 * Folds outcomes joined to member answers and serving failures into an ensemble, then applies
 * auto-prune and auto-evolution when enabled (each a version of its own, by `system`). The
 * learned update itself is not a configuration version; it writes an `ensemble.ensemble.learned`
 * event. Returns undefined when the ensemble no longer exists.
 */
export async function recordEnsembleOutcomes(
  em0: EntityManager,
  deps: EnsembleDeps,
  id: string,
  outcomes: readonly JoinedOutcome[],
  failures: ReadonlyMap<string, FailureDelta>,
  now: () => Date,
): Promise<LearningOutcome | undefined> {
  return em0.transactional(async (em) => {
    if (!(await em.count(EnsembleEntity, { id }))) return undefined;
    const e = await lockEnsemble(em, id);
    const ctx: UseCaseContext = { em, actor: SYSTEM_ACTOR, now };
    const config = configOf(e);
    const stats = { ...e.memberStats };
    for (const [member, f] of failures) {
      if (!config.members.some((m) => m.modelVersion === member)) continue;
      const before = stats[member];
      stats[member] = { failureCount: (before?.failureCount ?? 0) + f.count, lastError: f.lastError, lastErrorTime: f.lastErrorTime.toISOString() };
    }
    e.memberStats = stats;
    const result = learnOutcomes(config, e.learned, e.stackingBuffer, outcomes, now());
    const versionBefore = e.configVersion;
    if (result.used > 0) {
      e.learned = result.learned;
      e.stackingBuffer = result.buffer;
      recordEvent(
        em,
        SYSTEM_ACTOR,
        {
          topic: "ensemble",
          type: "ensemble.ensemble.learned",
          resource: ensembleName(id),
          data: {
            version: e.configVersion,
            outcomes: result.used,
            observationCount: result.learned.observationCount,
            fitted: result.fitted,
            weights: Object.fromEntries(result.learned.dynamic.members.map((m) => [m.id, m.weight])),
          },
        },
        now(),
      );
      if (config.autoPrune.enabled) {
        const pruned = membersToPrune(config, e.learned);
        if (pruned.length > 0) await applyPrune(em, ctx, deps, e, pruned, "auto_prune", "");
      }
      await maybeEvolve(em, ctx, deps, e);
    }
    await em.flush();
    return { ensemble: e, used: result.used, changed: e.configVersion !== versionBefore };
  });
}

// ---------------------------------------------------------------- references

/**
 * Refuses deleting a model version (or a model) that an ensemble uses as a member, meta model or
 * fallback. The registry calls it; register it with the registry's reference checkers.
 */
export function createEnsembleVersionReferenceChecker(): VersionReferenceChecker {
  return {
    async findReference(em, modelId, versionNumber) {
      const exact = versionNumber !== undefined;
      const name = exact ? versionName(modelId, versionNumber) : `models/${modelId}/versions/`;
      const e = await em.findOne(EnsembleEntity, {
        $or: [
          { memberIndex: { $like: exact ? `%|${name}|%` : `%|${name}%` } },
          { metaModelVersion: exact ? name : { $like: `${name}%` } },
          { fallbackModelVersion: exact ? name : { $like: `${name}%` } },
        ],
      });
      return e ? ensembleName(e.id) : undefined;
    },
  };
}

/**
 * Refuses deleting an ensemble that a service targets, through the inference domain's public
 * reads. One query per service: deletion is rare, and the inference domain may replace this with
 * an indexed lookup of its own (`service.target_ensemble`).
 */
export function createServiceEnsembleReferenceChecker(): EnsembleReferenceChecker {
  return {
    async findReference(em, ensembleId) {
      for (const id of await listAllServiceIds(em)) {
        const s = await getService(em, id).catch(() => undefined);
        if (!s) continue;
        const t = targetOf(s);
        if (t.kind === "ensemble" && t.ensembleId === ensembleId) return serviceName(id);
      }
      return undefined;
    },
  };
}
