import { create } from "@bufbuild/protobuf";
import { durationMs, timestampFromDate } from "@bufbuild/protobuf/wkt";
import { durationFromMillis } from "../platform/duration.js";
import {
  BatchingConfigSchema,
  ServiceSchema,
  ServiceState,
  ServiceTargetChangeCause,
  ServiceTargetChangeSchema,
  ServiceTargetSchema,
  SessionConfigSchema,
  type BatchingConfig,
  type Service,
  type ServiceTarget,
  type ServiceTargetChange,
} from "@artenic/gen/artenic/inference/v1/service_pb";
import { parseModelName, parseVersionName, toSignatureProto, type ModelSignatureInfo } from "../registry/index.js";
import type { ServiceEntity, ServiceTargetChangeEntity } from "./service.entity.js";
import { DEFAULT_BATCHING, serviceName, targetOf, type BatchingSettings, type TargetSpec } from "./service.use-cases.js";
import type { ServiceStatus } from "./model-router.js";
import { etagOf } from "../platform/context.js";
import { invalidField } from "../platform/errors/app-error.js";

const ID = /^services\/([a-z]([a-z0-9-]{0,61}[a-z0-9])?)$/;

export function parseServiceName(name: string, field: string): string {
  const m = ID.exec(name);
  if (!m) throw invalidField(field, `"${name}" is not a service name (services/{service})`, "INVALID_RESOURCE_NAME");
  return m[1]!;
}

export function targetFromProto(t: ServiceTarget | undefined, field: string): TargetSpec {
  const v = t?.target;
  switch (v?.case) {
    case "modelVersion": {
      const { modelId, number } = parseVersionName(v.value, `${field}.model_version`);
      return { kind: "model_version", modelId, number };
    }
    case "modelAlias":
      return { kind: "model_alias", modelId: parseModelName(v.value.model, `${field}.model_alias.model`), alias: v.value.alias };
    case "modelStage":
      return { kind: "model_stage", modelId: parseModelName(v.value.model, `${field}.model_stage.model`) };
    case "ensemble":
      return { kind: "ensemble", ensembleId: v.value.replace(/^ensembles\//, "") };
    default:
      throw invalidField(field, "one of model_version, model_alias, model_stage or ensemble is required");
  }
}

export function targetToProto(t: TargetSpec): ServiceTarget {
  switch (t.kind) {
    case "model_version":
      return create(ServiceTargetSchema, { target: { case: "modelVersion", value: `models/${t.modelId}/versions/${t.number}` } });
    case "model_alias":
      return create(ServiceTargetSchema, { target: { case: "modelAlias", value: { model: `models/${t.modelId}`, alias: t.alias } } });
    case "model_stage":
      return create(ServiceTargetSchema, { target: { case: "modelStage", value: { model: `models/${t.modelId}` } } });
    case "ensemble":
      return create(ServiceTargetSchema, { target: { case: "ensemble", value: `ensembles/${t.ensembleId}` } });
  }
}

/** Batching from the wire: unset means off; zeros mean the server defaults. */
export function batchingFromProto(b: BatchingConfig | undefined): BatchingSettings {
  if (!b) return { ...DEFAULT_BATCHING, enabled: false };
  return {
    enabled: b.enabled,
    maxBatchSize: b.maxBatchSize || DEFAULT_BATCHING.maxBatchSize,
    maxWaitMicros: b.maxWait ? Math.round(durationMs(b.maxWait) * 1000) : DEFAULT_BATCHING.maxWaitMicros,
  };
}

const states = { loading: ServiceState.LOADING, serving: ServiceState.SERVING, failed: ServiceState.FAILED } as const;

export function toServiceProto(s: ServiceEntity, status: ServiceStatus | undefined, signature: ModelSignatureInfo | undefined): Service {
  return create(ServiceSchema, {
    name: serviceName(s.id),
    displayName: s.displayName,
    description: s.description,
    labels: { ...s.labels },
    target: targetToProto(targetOf(s)),
    resolvedModelVersion: status?.modelVersion ?? "",
    signature: signature ? toSignatureProto(signature) : undefined,
    state: status ? states[status.state] : ServiceState.LOADING,
    stateMessage: status?.message ?? "",
    batching: create(BatchingConfigSchema, { enabled: s.batchingEnabled, maxBatchSize: s.maxBatchSize, maxWait: durationFromMillis(s.maxWaitMicros / 1000) }),
    session: create(SessionConfigSchema, { intraOpThreads: s.intraOpThreads, interOpThreads: s.interOpThreads }),
    createTime: timestampFromDate(s.createTime),
    updateTime: timestampFromDate(s.updateTime),
    targetUpdateTime: timestampFromDate(s.targetUpdateTime),
    etag: etagOf(s.revision),
  });
}

const causes: Record<string, ServiceTargetChangeCause> = {
  created: ServiceTargetChangeCause.CREATED,
  target_set: ServiceTargetChangeCause.TARGET_SET,
  alias_moved: ServiceTargetChangeCause.ALIAS_MOVED,
  stage_transitioned: ServiceTargetChangeCause.STAGE_TRANSITIONED,
};

export function toTargetChangeProto(c: ServiceTargetChangeEntity): ServiceTargetChange {
  return create(ServiceTargetChangeSchema, {
    target: targetToProto(c.target as unknown as TargetSpec),
    resolvedModelVersion: c.resolvedModelVersion,
    previousResolvedModelVersion: c.previousResolvedModelVersion,
    cause: causes[c.cause] ?? ServiceTargetChangeCause.UNSPECIFIED,
    actor: c.actor,
    reason: c.reason,
    changeTime: timestampFromDate(c.changeTime),
  });
}
