import type { EntityManager } from "@mikro-orm/core";
import { ServiceEntity, ServiceTargetChangeEntity } from "./service.entity.js";
import { serviceAlreadyExists, serviceNotFound } from "./inference.errors.js";
import { checkEtag, type UseCaseContext } from "../platform/context.js";
import { recordEvent } from "../platform/outbox/outbox.js";
import { listPage, type ListRequestLike, type ListSpec, type Page } from "../platform/query/list-query.js";
import { invalidField } from "../platform/errors/app-error.js";

export const serviceName = (id: string) => `services/${id}`;

/** What a service routes to, in domain terms. */
export type TargetSpec =
  | { readonly kind: "model_version"; readonly modelId: string; readonly number: number }
  | { readonly kind: "model_alias"; readonly modelId: string; readonly alias: string }
  | { readonly kind: "model_stage"; readonly modelId: string }
  | { readonly kind: "ensemble"; readonly ensembleId: string };

export interface BatchingSettings {
  readonly enabled: boolean;
  /** Rows per merged run. */
  readonly maxBatchSize: number;
  /** How long the first request of a batch may wait for company. */
  readonly maxWaitMicros: number;
}

export interface ServiceSettings {
  readonly displayName: string;
  readonly description: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly batching: BatchingSettings;
  readonly intraOpThreads: number;
  readonly interOpThreads: number;
}

export const DEFAULT_BATCHING: BatchingSettings = { enabled: true, maxBatchSize: 64, maxWaitMicros: 2000 };

export function targetOf(s: ServiceEntity): TargetSpec {
  switch (s.targetKind) {
    case "model_version":
      return { kind: "model_version", modelId: s.targetModel, number: s.targetVersion ?? 0 };
    case "model_alias":
      return { kind: "model_alias", modelId: s.targetModel, alias: s.targetAlias };
    case "model_stage":
      return { kind: "model_stage", modelId: s.targetModel };
    default:
      return { kind: "ensemble", ensembleId: s.targetEnsemble };
  }
}

function targetColumns(t: TargetSpec) {
  return {
    targetKind: t.kind,
    targetModel: t.kind === "ensemble" ? "" : t.modelId,
    targetVersion: t.kind === "model_version" ? t.number : null,
    targetAlias: t.kind === "model_alias" ? t.alias : "",
    targetEnsemble: t.kind === "ensemble" ? t.ensembleId : "",
  };
}

/** JSON form of a target, for history rows and events. */
export function targetJson(t: TargetSpec): Record<string, unknown> {
  return { ...t };
}

export type TargetChangeCause = "created" | "target_set" | "alias_moved" | "stage_transitioned";

function addChange(em: EntityManager, ctx: UseCaseContext, service: ServiceEntity, cause: TargetChangeCause, resolved: string, previous: string, reason: string) {
  return em.create(ServiceTargetChangeEntity, {
    service,
    target: targetJson(targetOf(service)),
    resolvedModelVersion: resolved,
    previousResolvedModelVersion: previous,
    cause,
    actor: ctx.actor.name,
    reason,
    changeTime: ctx.now(),
  });
}

/**
 * Creates a service. `resolved` is the version the target resolves to now (checked and loaded by
 * the caller before the write), recorded as the first line of the service's history.
 */
export async function createService(ctx: UseCaseContext, id: string, target: TargetSpec, settings: ServiceSettings, resolved: string): Promise<ServiceEntity> {
  return ctx.em.transactional(async (em) => {
    if (await em.count(ServiceEntity, { id })) throw serviceAlreadyExists(serviceName(id));
    const now = ctx.now();
    const service = em.create(ServiceEntity, {
      id,
      displayName: settings.displayName,
      description: settings.description,
      labels: { ...settings.labels },
      ...targetColumns(target),
      batchingEnabled: settings.batching.enabled,
      maxBatchSize: settings.batching.maxBatchSize,
      maxWaitMicros: settings.batching.maxWaitMicros,
      intraOpThreads: settings.intraOpThreads,
      interOpThreads: settings.interOpThreads,
      createTime: now,
      updateTime: now,
      targetUpdateTime: now,
    });
    addChange(em, ctx, service, "created", resolved, "", "");
    recordEvent(em, ctx.actor, { topic: "inference", type: "inference.service.created", resource: serviceName(id), data: { target: targetJson(target), resolvedModelVersion: resolved } }, now);
    return service;
  });
}

export async function getService(em: EntityManager, id: string): Promise<ServiceEntity> {
  const s = await em.findOne(ServiceEntity, { id });
  if (!s) throw serviceNotFound(serviceName(id));
  return s;
}

const listSpec: ListSpec = {
  fields: {
    name: { prop: "id", type: "string" },
    display_name: { prop: "displayName", type: "string" },
    create_time: { prop: "createTime", type: "timestamp" },
    update_time: { prop: "updateTime", type: "timestamp" },
    target_update_time: { prop: "targetUpdateTime", type: "timestamp" },
    "target.model": { prop: "targetModel", type: "string" },
  },
  maps: { labels: { prop: "labels", type: "string" } },
  defaultOrder: "create_time desc",
  idProp: "id",
};

export function listServices(ctx: UseCaseContext, request: ListRequestLike): Promise<Page<ServiceEntity>> {
  return listPage(ctx.em, ServiceEntity, listSpec, request);
}

export async function updateService(ctx: UseCaseContext, id: string, changes: Partial<ServiceSettings>, etag: string): Promise<ServiceEntity> {
  return ctx.em.transactional(async (em) => {
    const s = await getService(em, id);
    checkEtag(etag, s.revision, serviceName(id));
    if (changes.displayName !== undefined) s.displayName = changes.displayName;
    if (changes.description !== undefined) s.description = changes.description;
    if (changes.labels !== undefined) s.labels = { ...changes.labels };
    if (changes.batching !== undefined) {
      s.batchingEnabled = changes.batching.enabled;
      s.maxBatchSize = changes.batching.maxBatchSize;
      s.maxWaitMicros = changes.batching.maxWaitMicros;
    }
    if (changes.intraOpThreads !== undefined) s.intraOpThreads = changes.intraOpThreads;
    if (changes.interOpThreads !== undefined) s.interOpThreads = changes.interOpThreads;
    s.updateTime = ctx.now();
    recordEvent(em, ctx.actor, { topic: "inference", type: "inference.service.updated", resource: serviceName(id), data: { ...changes } }, ctx.now());
    return s;
  });
}

export async function deleteService(ctx: UseCaseContext, id: string, etag: string): Promise<void> {
  await ctx.em.transactional(async (em) => {
    const s = await getService(em, id);
    checkEtag(etag, s.revision, serviceName(id));
    await em.nativeDelete(ServiceTargetChangeEntity, { service: id });
    em.remove(s);
    recordEvent(em, ctx.actor, { topic: "inference", type: "inference.service.deleted", resource: serviceName(id), data: {} }, ctx.now());
  });
}

/** Re-points a service atomically, recording the change with the version it now resolves to. */
export async function setServiceTarget(
  ctx: UseCaseContext,
  id: string,
  target: TargetSpec,
  resolved: string,
  previous: string,
  reason: string,
  etag: string,
): Promise<ServiceEntity> {
  return ctx.em.transactional(async (em) => {
    const s = await getService(em, id);
    checkEtag(etag, s.revision, serviceName(id));
    Object.assign(s, targetColumns(target));
    s.targetUpdateTime = ctx.now();
    s.updateTime = ctx.now();
    addChange(em, ctx, s, "target_set", resolved, previous, reason);
    recordEvent(
      em,
      ctx.actor,
      { topic: "inference", type: "inference.service.target_set", resource: serviceName(id), data: { target: targetJson(target), resolvedModelVersion: resolved, previousResolvedModelVersion: previous, reason } },
      ctx.now(),
    );
    return s;
  });
}

/**
 * Records that what a service resolves to changed without the service itself changing (an alias
 * moved, a stage changed), so its history answers "which version served when".
 */
export async function recordResolutionChange(em: EntityManager, ctx: UseCaseContext, id: string, cause: TargetChangeCause, resolved: string, previous: string, reason: string): Promise<void> {
  const s = await em.findOne(ServiceEntity, { id });
  if (!s) return;
  addChange(em, ctx, s, cause, resolved, previous, reason);
}

const historySpec: ListSpec = {
  fields: {
    cause: { prop: "cause", type: "string", values: { CREATED: "created", TARGET_SET: "target_set", ALIAS_MOVED: "alias_moved", STAGE_TRANSITIONED: "stage_transitioned" } },
    resolved_model_version: { prop: "resolvedModelVersion", type: "string" },
    change_time: { prop: "changeTime", type: "timestamp" },
    actor: { prop: "actor", type: "string" },
  },
  defaultOrder: "change_time desc",
  idProp: "id",
};

export async function listTargetHistory(ctx: UseCaseContext, id: string, request: ListRequestLike): Promise<Page<ServiceTargetChangeEntity>> {
  await getService(ctx.em, id);
  if (request.orderBy !== "" && !/^change_time( (asc|desc))?$/.test(request.orderBy.trim())) {
    throw invalidField("order_by", 'must be "change_time" or "change_time desc"', "INVALID_ORDER_BY");
  }
  return listPage(ctx.em, ServiceTargetChangeEntity, historySpec, request, { service: id }, { scopeKey: id });
}

/** Services whose target follows a model (by alias or stage): they re-resolve when it changes. */
export async function servicesFollowingModel(em: EntityManager, modelId: string): Promise<ServiceEntity[]> {
  return em.find(ServiceEntity, { targetModel: modelId });
}

/** Every service id, for warming models at start. */
export async function listAllServiceIds(em: EntityManager): Promise<string[]> {
  return (await em.find(ServiceEntity, {}, { fields: ["id"] })).map((s) => s.id);
}
