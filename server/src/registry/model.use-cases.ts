import type { EntityManager } from "@mikro-orm/core";
import { ModelAliasEntity, ModelEntity, ModelTransitionEntity, ModelVersionEntity } from "./model.entity.js";
import {
  aliasNotFound,
  illegalStageTransition,
  modelAlreadyExists,
  modelHasVersions,
  modelNotFound,
  modelVersionNotFound,
  noVersionSelected,
  noVersionWithMetric,
  versionHasAliases,
  versionInProduction,
  versionReferenced,
} from "./registry.errors.js";
import type { ArtifactStore } from "./artifacts/artifact-store.js";
import type { ModelSignatureInfo } from "./onnx-signature.js";
import { checkEtag, type UseCaseContext } from "../platform/context.js";
import { recordEvent } from "../platform/outbox/outbox.js";
import { listPage, parseFilter, type ListRequestLike, type ListSpec, type Page } from "../platform/query/list-query.js";

export type Stage = "none" | "staging" | "production" | "archived";
export type ArtifactFormat = "onnx" | "other";

export const modelName = (id: string) => `models/${id}`;
export const versionName = (modelId: string, n: number) => `models/${modelId}/versions/${n}`;

/** Legal stage moves; anything else, staying put included, is refused. */
const legalMoves: Record<Stage, readonly Stage[]> = {
  none: ["staging", "production", "archived"],
  staging: ["production", "none", "archived"],
  production: ["archived", "staging"],
  archived: ["staging", "none"],
};

export function isLegalMove(from: Stage, to: Stage): boolean {
  return legalMoves[from].includes(to);
}

/**
 * Other domains register here what refers to a model version (services, A/B tests, ensembles), so
 * that the registry refuses to delete it without depending on them.
 */
export interface VersionReferenceChecker {
  /** Returns a description of the first referrer (e.g. `services/fraud`), or undefined. */
  findReference(em: EntityManager, modelId: string, versionNumber: number | undefined): Promise<string | undefined>;
}

/**
 * Other domains that follow a model's aliases or stages (services) register here. The registry
 * calls them inside the transaction that moved an alias or a stage, so what they record commits or
 * rolls back with the move, and again after the commit.
 */
export interface RegistryListener {
  modelRoutingChanged(em: EntityManager, ctx: UseCaseContext, modelId: string, cause: "alias_moved" | "stage_transitioned", reason: string): Promise<void>;
  afterModelRoutingChanged(modelId: string): void;
}

export interface RegistryDeps {
  readonly store: ArtifactStore;
  readonly referenceCheckers: readonly VersionReferenceChecker[];
  readonly listeners: readonly RegistryListener[];
}

async function notify(em: EntityManager, ctx: UseCaseContext, listeners: readonly RegistryListener[], modelId: string, cause: "alias_moved" | "stage_transitioned", reason: string) {
  for (const l of listeners) await l.modelRoutingChanged(em, ctx, modelId, cause, reason);
}

/** Tells listeners, after the commit, that a model's routing moved. */
export function notifyAfterCommit(listeners: readonly RegistryListener[], modelId: string): void {
  for (const l of listeners) l.afterModelRoutingChanged(modelId);
}

/**
 * Serializes changes to one model: a no-op write on its row takes SQLite's write lock or
 * PostgreSQL's row lock for the rest of the transaction, so concurrent promotions, alias moves and
 * version numbering of the same model happen one after another.
 */
async function lockModel(em: EntityManager, modelId: string): Promise<ModelEntity> {
  await em.getConnection().execute("update model set next_version_number = next_version_number where id = ?", [modelId], "run", em.getTransactionContext());
  const model = await em.findOne(ModelEntity, { id: modelId }, { refresh: true });
  if (!model) throw modelNotFound(modelName(modelId));
  return model;
}

// ---------------------------------------------------------------- models

export interface ModelInput {
  readonly displayName: string;
  readonly description: string;
  readonly framework: string;
  readonly labels: Readonly<Record<string, string>>;
}

export async function createModel(ctx: UseCaseContext, id: string, input: ModelInput): Promise<ModelEntity> {
  return ctx.em.transactional(async (em) => {
    if (await em.count(ModelEntity, { id })) throw modelAlreadyExists(modelName(id));
    const now = ctx.now();
    const model = em.create(ModelEntity, {
      id,
      displayName: input.displayName,
      description: input.description,
      framework: input.framework,
      labels: { ...input.labels },
      nextVersionNumber: 1,
      createTime: now,
      updateTime: now,
    });
    recordEvent(em, ctx.actor, { topic: "registry", type: "registry.model.created", resource: modelName(id), data: { ...input } }, now);
    return model;
  });
}

export async function getModel(em: EntityManager, id: string): Promise<ModelEntity> {
  const model = await em.findOne(ModelEntity, { id });
  if (!model) throw modelNotFound(modelName(id));
  return model;
}

const modelListSpec: ListSpec = {
  fields: {
    name: { prop: "id", type: "string" },
    display_name: { prop: "displayName", type: "string" },
    framework: { prop: "framework", type: "string" },
    create_time: { prop: "createTime", type: "timestamp" },
    update_time: { prop: "updateTime", type: "timestamp" },
  },
  maps: { labels: { prop: "labels", type: "string" } },
  defaultOrder: "create_time desc",
  idProp: "id",
};

export function listModels(ctx: UseCaseContext, request: ListRequestLike): Promise<Page<ModelEntity>> {
  return listPage(ctx.em, ModelEntity, modelListSpec, request);
}

export async function updateModel(ctx: UseCaseContext, id: string, changes: Partial<ModelInput>, etag: string): Promise<ModelEntity> {
  return ctx.em.transactional(async (em) => {
    const model = await getModel(em, id);
    checkEtag(etag, model.revision, modelName(id));
    if (changes.displayName !== undefined) model.displayName = changes.displayName;
    if (changes.description !== undefined) model.description = changes.description;
    if (changes.framework !== undefined) model.framework = changes.framework;
    if (changes.labels !== undefined) model.labels = { ...changes.labels };
    model.updateTime = ctx.now();
    recordEvent(em, ctx.actor, { topic: "registry", type: "registry.model.updated", resource: modelName(id), data: { ...changes } }, ctx.now());
    return model;
  });
}

/** Deletes a model; with `force`, its versions and stored artifacts too (after the commit). */
export async function deleteModel(ctx: UseCaseContext, deps: RegistryDeps, id: string, force: boolean, etag: string): Promise<void> {
  const artifacts = await ctx.em.transactional(async (em) => {
    const model = await lockModel(em, id);
    checkEtag(etag, model.revision, modelName(id));
    const versions = await em.find(ModelVersionEntity, { model: id });
    if (versions.length > 0 && !force) throw modelHasVersions(modelName(id), versions.length);
    const inProduction = versions.find((v) => v.stage === "production");
    if (inProduction) throw versionInProduction(versionName(id, inProduction.number));
    for (const checker of deps.referenceCheckers) {
      const by = await checker.findReference(em, id, undefined);
      if (by) throw versionReferenced(modelName(id), by);
    }
    await em.nativeDelete(ModelAliasEntity, { model: id });
    await em.nativeDelete(ModelTransitionEntity, { model: id });
    await em.nativeDelete(ModelVersionEntity, { model: id });
    em.remove(model);
    recordEvent(em, ctx.actor, { topic: "registry", type: "registry.model.deleted", resource: modelName(id), data: { versions: versions.length } }, ctx.now());
    return versions.map((v) => v.artifactUri).filter((uri) => uri !== "" && deps.store.owns(uri));
  });
  // Files go after the rows are gone: a crash in between leaves an orphan file, never a dangling row.
  await Promise.all(artifacts.map((uri) => deps.store.delete(uri).catch(() => undefined)));
}

// ---------------------------------------------------------------- versions

export interface VersionInput {
  readonly description: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly metrics: Readonly<Record<string, number>>;
  readonly params: Readonly<Record<string, string>>;
  readonly sourceTrainingJob: string;
}

export interface ArtifactInput {
  readonly uri: string;
  readonly format: ArtifactFormat;
  readonly sizeBytes: number;
  readonly sha256: string;
  readonly contentType: string;
  readonly external: boolean;
  readonly signature: ModelSignatureInfo | null;
}

const noArtifactInput: ArtifactInput = { uri: "", format: "other", sizeBytes: 0, sha256: "", contentType: "", external: false, signature: null };

/**
 * Creates the next version of a model in one transaction: the number comes from the model's counter
 * (never reused), under the model lock so concurrent creations get distinct numbers.
 */
export async function createModelVersion(
  ctx: UseCaseContext,
  modelId: string,
  input: VersionInput,
  artifact: ArtifactInput = noArtifactInput,
): Promise<ModelVersionEntity> {
  return ctx.em.transactional(async (em) => {
    const model = await lockModel(em, modelId);
    const number = model.nextVersionNumber;
    await em.getConnection().execute("update model set next_version_number = ? where id = ?", [number + 1, modelId], "run", em.getTransactionContext());
    const now = ctx.now();
    const version = em.create(ModelVersionEntity, {
      model,
      number,
      description: input.description,
      labels: { ...input.labels },
      stage: "none",
      metrics: { ...input.metrics },
      params: { ...input.params },
      artifactUri: artifact.uri,
      artifactFormat: artifact.format,
      artifactSizeBytes: artifact.sizeBytes,
      artifactSha256: artifact.sha256,
      artifactContentType: artifact.contentType,
      artifactExternal: artifact.external,
      signature: artifact.signature,
      sourceTrainingJob: input.sourceTrainingJob,
      creator: ctx.actor.name,
      createTime: now,
      updateTime: now,
      stageUpdateTime: now,
    });
    recordEvent(
      em,
      ctx.actor,
      {
        topic: "registry",
        type: "registry.model_version.created",
        resource: versionName(modelId, number),
        data: { format: artifact.format, sizeBytes: artifact.sizeBytes, sha256: artifact.sha256, sourceTrainingJob: input.sourceTrainingJob },
      },
      now,
    );
    return version;
  });
}

export async function getModelVersion(em: EntityManager, modelId: string, number: number): Promise<ModelVersionEntity> {
  const version = await em.findOne(ModelVersionEntity, { model: modelId, number });
  if (!version) throw modelVersionNotFound(versionName(modelId, number));
  return version;
}

const stageValues: Record<string, Stage> = {};
for (const s of ["none", "staging", "production", "archived"] as const) {
  stageValues[s.toUpperCase()] = s;
  stageValues[`MODEL_VERSION_STAGE_${s.toUpperCase()}`] = s;
}

const versionListSpec: ListSpec = {
  fields: {
    stage: { prop: "stage", type: "string", values: stageValues },
    version_number: { prop: "number", type: "number" },
    create_time: { prop: "createTime", type: "timestamp" },
    update_time: { prop: "updateTime", type: "timestamp" },
    source_training_job: { prop: "sourceTrainingJob", type: "string" },
    creator: { prop: "creator", type: "string" },
    model: { prop: "model.id", type: "string" },
  },
  maps: { labels: { prop: "labels", type: "string" }, metrics: { prop: "metrics", type: "number" }, params: { prop: "params", type: "string" } },
  defaultOrder: "create_time desc",
  idProp: "id",
};

/** Lists versions of one model, or of every model when `modelId` is `-` (AIP-159). */
export function listModelVersions(ctx: UseCaseContext, modelId: string, request: ListRequestLike): Promise<Page<ModelVersionEntity>> {
  const scope = modelId === "-" ? {} : { model: modelId };
  return listPage(ctx.em, ModelVersionEntity, versionListSpec, request, scope, { scopeKey: modelId });
}

export async function updateModelVersion(
  ctx: UseCaseContext,
  modelId: string,
  number: number,
  changes: Partial<Omit<VersionInput, "sourceTrainingJob">>,
  etag: string,
): Promise<ModelVersionEntity> {
  return ctx.em.transactional(async (em) => {
    const version = await getModelVersion(em, modelId, number);
    checkEtag(etag, version.revision, versionName(modelId, number));
    if (changes.description !== undefined) version.description = changes.description;
    if (changes.labels !== undefined) version.labels = { ...changes.labels };
    if (changes.metrics !== undefined) version.metrics = { ...changes.metrics };
    if (changes.params !== undefined) version.params = { ...changes.params };
    version.updateTime = ctx.now();
    recordEvent(
      em,
      ctx.actor,
      { topic: "registry", type: "registry.model_version.updated", resource: versionName(modelId, number), data: { ...changes } },
      ctx.now(),
    );
    return version;
  });
}

export async function deleteModelVersion(ctx: UseCaseContext, deps: RegistryDeps, modelId: string, number: number, etag: string): Promise<void> {
  const name = versionName(modelId, number);
  const uri = await ctx.em.transactional(async (em) => {
    await lockModel(em, modelId);
    const version = await getModelVersion(em, modelId, number);
    checkEtag(etag, version.revision, name);
    if (version.stage === "production") throw versionInProduction(name);
    const aliases = await em.find(ModelAliasEntity, { model: modelId, versionNumber: number });
    if (aliases.length > 0) throw versionHasAliases(name, aliases.map((a) => a.alias));
    for (const checker of deps.referenceCheckers) {
      const by = await checker.findReference(em, modelId, number);
      if (by) throw versionReferenced(name, by);
    }
    em.remove(version);
    recordEvent(em, ctx.actor, { topic: "registry", type: "registry.model_version.deleted", resource: name, data: { stage: version.stage } }, ctx.now());
    return version.artifactUri;
  });
  if (uri !== "" && deps.store.owns(uri)) await deps.store.delete(uri).catch(() => undefined);
}

// ---------------------------------------------------------------- stages and aliases

export interface StageChange {
  readonly version: ModelVersionEntity;
  readonly transition: ModelTransitionEntity;
  readonly archived: ModelVersionEntity[];
}

function addTransition(
  em: EntityManager,
  ctx: UseCaseContext,
  model: ModelEntity,
  fields: Pick<ModelTransitionEntity, "kind" | "versionNumber" | "fromStage" | "toStage" | "alias" | "previousVersionNumber" | "reason">,
): ModelTransitionEntity {
  return em.create(ModelTransitionEntity, { model, actor: ctx.actor.name, createTime: ctx.now(), ...fields });
}

/**
 * Moves a version to another stage. Promotion to PRODUCTION archives the model's other PRODUCTION
 * versions in the same transaction (unless `keepExistingProduction`), each with its own history row.
 */
export async function transitionStage(
  ctx: UseCaseContext,
  modelId: string,
  number: number,
  to: Stage,
  reason: string,
  keepExistingProduction: boolean,
  etag: string,
  listeners: readonly RegistryListener[] = [],
): Promise<StageChange> {
  return ctx.em.transactional(async (em) => {
    const model = await lockModel(em, modelId);
    const version = await getModelVersion(em, modelId, number);
    const name = versionName(modelId, number);
    checkEtag(etag, version.revision, name);
    const from = version.stage as Stage;
    if (!isLegalMove(from, to)) throw illegalStageTransition(name, from.toUpperCase(), to.toUpperCase());
    const now = ctx.now();
    const archived: ModelVersionEntity[] = [];
    if (to === "production" && !keepExistingProduction) {
      const current = await em.find(ModelVersionEntity, { model: modelId, stage: "production", number: { $ne: number } });
      for (const old of current) {
        old.stage = "archived";
        old.stageUpdateTime = now;
        old.updateTime = now;
        archived.push(old);
        addTransition(em, ctx, model, {
          kind: "stage_change",
          versionNumber: old.number,
          fromStage: "production",
          toStage: "archived",
          alias: "",
          previousVersionNumber: null,
          reason: `replaced in PRODUCTION by version ${number}`,
        });
        recordEvent(
          em,
          ctx.actor,
          { topic: "registry", type: "registry.model_version.stage_changed", resource: versionName(modelId, old.number), data: { from: "production", to: "archived", reason: `replaced by version ${number}` } },
          now,
        );
      }
    }
    version.stage = to;
    version.stageUpdateTime = now;
    version.updateTime = now;
    const transition = addTransition(em, ctx, model, { kind: "stage_change", versionNumber: number, fromStage: from, toStage: to, alias: "", previousVersionNumber: null, reason });
    recordEvent(em, ctx.actor, { topic: "registry", type: "registry.model_version.stage_changed", resource: name, data: { from, to, reason } }, now);
    await em.flush();
    await notify(em, ctx, listeners, modelId, "stage_transitioned", reason);
    return { version, transition, archived };
  });
}

/** Points an alias at a version, atomically; returns no transition when it already pointed there. */
export async function setAlias(
  ctx: UseCaseContext,
  modelId: string,
  alias: string,
  number: number,
  reason: string,
  listeners: readonly RegistryListener[] = [],
): Promise<{ model: ModelEntity; transition: ModelTransitionEntity | undefined }> {
  return ctx.em.transactional(async (em) => {
    const model = await lockModel(em, modelId);
    await getModelVersion(em, modelId, number);
    const existing = await em.findOne(ModelAliasEntity, { model: modelId, alias });
    if (existing?.versionNumber === number) return { model, transition: undefined };
    const previous = existing?.versionNumber ?? null;
    if (existing) {
      existing.versionNumber = number;
      existing.updateTime = ctx.now();
    } else {
      em.create(ModelAliasEntity, { model, alias, versionNumber: number, updateTime: ctx.now() });
    }
    const transition = addTransition(em, ctx, model, { kind: "alias_set", versionNumber: number, fromStage: "", toStage: "", alias, previousVersionNumber: previous, reason });
    recordEvent(
      em,
      ctx.actor,
      {
        topic: "registry",
        type: "registry.model.alias_set",
        resource: modelName(modelId),
        data: { alias, version: versionName(modelId, number), previous: previous === null ? "" : versionName(modelId, previous), reason },
      },
      ctx.now(),
    );
    await em.flush();
    await notify(em, ctx, listeners, modelId, "alias_moved", reason);
    return { model, transition };
  });
}

export async function deleteAlias(
  ctx: UseCaseContext,
  modelId: string,
  alias: string,
  reason: string,
  listeners: readonly RegistryListener[] = [],
): Promise<{ model: ModelEntity; transition: ModelTransitionEntity }> {
  return ctx.em.transactional(async (em) => {
    const model = await lockModel(em, modelId);
    const existing = await em.findOne(ModelAliasEntity, { model: modelId, alias });
    if (!existing) throw aliasNotFound(modelName(modelId), alias);
    em.remove(existing);
    const transition = addTransition(em, ctx, model, {
      kind: "alias_removed",
      versionNumber: existing.versionNumber,
      fromStage: "",
      toStage: "",
      alias,
      previousVersionNumber: null,
      reason,
    });
    recordEvent(
      em,
      ctx.actor,
      { topic: "registry", type: "registry.model.alias_removed", resource: modelName(modelId), data: { alias, version: versionName(modelId, existing.versionNumber), reason } },
      ctx.now(),
    );
    await em.flush();
    await notify(em, ctx, listeners, modelId, "alias_moved", reason);
    return { model, transition };
  });
}

export type VersionSelector =
  | { readonly kind: "alias"; readonly alias: string }
  | { readonly kind: "stage"; readonly stage: Stage }
  | { readonly kind: "latest" }
  | { readonly kind: "number"; readonly number: number };

/** Resolves an alias, a stage (the version most recently moved into it), `latest` or a number. */
export async function resolveVersion(em: EntityManager, modelId: string, selector: VersionSelector): Promise<ModelVersionEntity> {
  await getModel(em, modelId);
  let found: ModelVersionEntity | null = null;
  let described: string;
  switch (selector.kind) {
    case "number":
      return getModelVersion(em, modelId, selector.number);
    case "alias": {
      described = `aliased "${selector.alias}"`;
      if (selector.alias === "latest") {
        found = await em.findOne(ModelVersionEntity, { model: modelId }, { orderBy: { number: "desc" } });
        break;
      }
      const alias = await em.findOne(ModelAliasEntity, { model: modelId, alias: selector.alias });
      if (!alias) throw aliasNotFound(modelName(modelId), selector.alias);
      found = await em.findOne(ModelVersionEntity, { model: modelId, number: alias.versionNumber });
      break;
    }
    case "stage":
      described = `in stage ${selector.stage.toUpperCase()}`;
      found = await em.findOne(ModelVersionEntity, { model: modelId, stage: selector.stage }, { orderBy: { stageUpdateTime: "desc", number: "desc" } });
      break;
    case "latest":
      described = "the latest";
      found = await em.findOne(ModelVersionEntity, { model: modelId }, { orderBy: { number: "desc" } });
      break;
  }
  if (!found) throw noVersionSelected(modelName(modelId), described);
  return found;
}

/** The version with the highest (or lowest) value of a metric; ties go to the newest version. */
export async function getBestVersion(ctx: UseCaseContext, modelId: string, metric: string, maximize: boolean, filter: string): Promise<ModelVersionEntity> {
  await getModel(ctx.em, modelId);
  const where = { $and: [{ model: modelId }, parseFilter(filter, versionListSpec), { metrics: { [metric]: { $ne: null } } }] };
  const best = await ctx.em.findOne(ModelVersionEntity, where as never, {
    orderBy: [{ metrics: { [metric]: maximize ? "desc" : "asc" } }, { number: "desc" }] as never,
  });
  if (!best) throw noVersionWithMetric(modelName(modelId), metric);
  return best;
}

const transitionKinds: Record<string, string> = {
  STAGE_CHANGE: "stage_change",
  ALIAS_SET: "alias_set",
  ALIAS_REMOVED: "alias_removed",
  MODEL_TRANSITION_KIND_STAGE_CHANGE: "stage_change",
  MODEL_TRANSITION_KIND_ALIAS_SET: "alias_set",
  MODEL_TRANSITION_KIND_ALIAS_REMOVED: "alias_removed",
};

const transitionListSpec: ListSpec = {
  fields: {
    kind: { prop: "kind", type: "string", values: transitionKinds },
    version_number: { prop: "versionNumber", type: "number" },
    alias: { prop: "alias", type: "string" },
    actor: { prop: "actor", type: "string" },
    create_time: { prop: "createTime", type: "timestamp" },
  },
  // Changes of one transaction share a create time; the id tiebreaker keeps their order.
  defaultOrder: "create_time desc",
  idProp: "id",
};

/**
 * The model's history, newest first. A `model_version = models/m/versions/3` filter matches both the
 * version a change is about and the version an alias moved away from.
 */
export async function listTransitions(ctx: UseCaseContext, modelId: string, request: ListRequestLike): Promise<Page<ModelTransitionEntity>> {
  await getModel(ctx.em, modelId);
  const match = /^(.*?)\bmodel_version\s*=\s*"?models\/([a-z0-9-]+)\/versions\/(\d+)"?(.*)$/.exec(request.filter);
  let scope: Record<string, unknown> = { model: modelId };
  let filter = request.filter;
  if (match) {
    if (match[2] !== modelId) throw modelVersionNotFound(versionName(match[2]!, Number(match[3])));
    const n = Number(match[3]);
    scope = { model: modelId, $or: [{ versionNumber: n }, { previousVersionNumber: n }] };
    filter = `${match[1]!} ${match[4]!}`.trim().replace(/^AND\s+|\s+AND$/g, "");
  }
  return listPage(ctx.em, ModelTransitionEntity, transitionListSpec, { ...request, filter, orderBy: "" }, scope as never, { scopeKey: `${modelId}|${request.filter}` });
}

// ---------------------------------------------------------------- read models for mapping

/** Facts about models that are not columns of their row: aliases, counts, latest and production versions. */
export interface ModelFacts {
  readonly aliases: Map<string, Map<string, number>>;
  readonly versionCount: Map<string, number>;
  readonly latest: Map<string, number>;
  readonly production: Map<string, number>;
}

/** Loads the facts of a page of models in three queries, whatever the page size. */
export async function loadModelFacts(em: EntityManager, modelIds: readonly string[]): Promise<ModelFacts> {
  const facts: ModelFacts = { aliases: new Map(), versionCount: new Map(), latest: new Map(), production: new Map() };
  if (modelIds.length === 0) return facts;
  const [aliases, stats, production] = await Promise.all([
    em.find(ModelAliasEntity, { model: { $in: [...modelIds] } }),
    em.getConnection().execute<{ model_id: string; n: number | string; latest: number | string }[]>(
      `select model_id, count(*) as n, max(number) as latest from model_version where model_id in (${modelIds.map(() => "?").join(",")}) group by model_id`,
      [...modelIds],
      "all",
      em.getTransactionContext(),
    ),
    em.find(ModelVersionEntity, { model: { $in: [...modelIds] }, stage: "production" }, { orderBy: { stageUpdateTime: "asc", number: "asc" }, fields: ["model", "number", "stageUpdateTime"] as never }),
  ]);
  for (const a of aliases) {
    const id = (a.model as unknown as { id: string }).id;
    if (!facts.aliases.has(id)) facts.aliases.set(id, new Map());
    facts.aliases.get(id)!.set(a.alias, a.versionNumber);
  }
  for (const row of stats) {
    facts.versionCount.set(row.model_id, Number(row.n));
    facts.latest.set(row.model_id, Number(row.latest));
  }
  // Ascending by stage time: the last one written per model is the most recent promotion.
  for (const v of production) facts.production.set((v.model as unknown as { id: string }).id, v.number);
  return facts;
}

/** Aliases that point at each version of the given models. */
export async function loadVersionAliases(em: EntityManager, modelIds: readonly string[]): Promise<Map<string, string[]>> {
  const byVersion = new Map<string, string[]>();
  if (modelIds.length === 0) return byVersion;
  for (const a of await em.find(ModelAliasEntity, { model: { $in: [...new Set(modelIds)] } }, { orderBy: { alias: "asc" } })) {
    const key = versionName((a.model as unknown as { id: string }).id, a.versionNumber);
    byVersion.set(key, [...(byVersion.get(key) ?? []), a.alias]);
  }
  return byVersion;
}
