import type { EntityManager } from "@mikro-orm/core";
import { HealthBaselineEntity, HealthSnapshotEntity, HealthThresholdsEntity } from "./health.entity.js";
import { defaultThresholds, type Distribution, type HealthReport, type HealthTarget, type ThresholdSettings } from "./health.types.js";
import { targetName } from "./health.types.js";
import { getService } from "../inference/index.js";
import { getModelVersion } from "../registry/index.js";
import { AppError } from "../platform/errors/app-error.js";
import { checkEtag, type UseCaseContext } from "../platform/context.js";
import { recordEvent, type Actor } from "../platform/outbox/outbox.js";
import { listPage, type ListRequestLike, type ListSpec, type Page } from "../platform/query/list-query.js";
import { STATUS_FILTER_VALUES } from "./health.mapper.js";

/** Throws NOT_FOUND when the service or model version does not exist. */
export async function assertTargetExists(em: EntityManager, target: HealthTarget): Promise<void> {
  if (target.kind === "service") await getService(em, target.serviceId);
  else await getModelVersion(em, target.modelId, target.number);
}

/** Stored overrides laid over the defaults (drift limits default per method). */
export function effectiveThresholds(stored: Partial<ThresholdSettings> | undefined): ThresholdSettings {
  const base = defaultThresholds(stored?.driftMethod ?? "psi");
  return { ...base, ...(stored ?? {}) };
}

export async function getThresholds(em: EntityManager, target: HealthTarget): Promise<{ settings: ThresholdSettings; stored: HealthThresholdsEntity | null }> {
  const stored = await em.findOne(HealthThresholdsEntity, { target: targetName(target) });
  return { settings: effectiveThresholds(stored?.settings), stored };
}

/** Replaces the given fields of a target's thresholds; `undefined` resets a field to its default. */
export async function updateThresholds(
  ctx: UseCaseContext,
  target: HealthTarget,
  changes: { readonly [K in keyof ThresholdSettings]?: ThresholdSettings[K] | undefined },
  etag: string,
): Promise<{ settings: ThresholdSettings; stored: HealthThresholdsEntity }> {
  return ctx.em.transactional(async (em) => {
    await assertTargetExists(em, target);
    const name = targetName(target);
    let stored = await em.findOne(HealthThresholdsEntity, { target: name });
    if (stored) checkEtag(etag, stored.revision, `${name}/health/thresholds`);
    const settings: Record<string, unknown> = { ...(stored?.settings ?? {}) };
    for (const [k, v] of Object.entries(changes)) {
      if (v === undefined) delete settings[k];
      else settings[k] = v;
    }
    const effective = effectiveThresholds(settings as Partial<ThresholdSettings>);
    for (const key of ["errorRate", "latencyP99Ms", "inputDrift", "outputDrift"] as const) {
      if (effective[key].degraded > effective[key].unhealthy) {
        throw new AppError("invalid_argument", "INVALID_THRESHOLDS", `thresholds.${key}: degraded (${effective[key].degraded}) must not exceed unhealthy (${effective[key].unhealthy}).`, { field: `thresholds.${key}` }, {
          fieldViolations: [{ field: `thresholds.${key}`, description: "degraded must not exceed unhealthy" }],
        });
      }
    }
    if (!stored) stored = em.create(HealthThresholdsEntity, { target: name, settings, updateTime: ctx.now() });
    else {
      stored.settings = settings;
      stored.updateTime = ctx.now();
    }
    recordEvent(em, ctx.actor, { topic: "health", type: "health.thresholds.updated", resource: `${name}/health/thresholds`, data: { ...settings } }, ctx.now());
    return { settings: effective, stored };
  });
}

export interface BaselineInput {
  readonly source: "captured" | "uploaded";
  readonly captureStartTime: Date | null;
  readonly captureEndTime: Date | null;
  readonly modelVersions: readonly string[];
  readonly sampleCount: number;
  readonly inputs: readonly Distribution[];
  readonly outputs: readonly Distribution[];
}

/** Stores a target's baseline, replacing any earlier one. */
export async function putBaseline(em: EntityManager, actor: Actor, target: HealthTarget, input: BaselineInput, now: Date): Promise<HealthBaselineEntity> {
  const name = targetName(target);
  await em.nativeDelete(HealthBaselineEntity, { target: name });
  const baseline = em.create(HealthBaselineEntity, {
    target: name,
    source: input.source,
    captureStartTime: input.captureStartTime,
    captureEndTime: input.captureEndTime,
    modelVersions: [...input.modelVersions],
    sampleCount: input.sampleCount,
    inputs: [...input.inputs],
    outputs: [...input.outputs],
    createTime: now,
  });
  recordEvent(em, actor, { topic: "health", type: "health.baseline.created", resource: `${name}/health/baseline`, data: { source: input.source, sampleCount: input.sampleCount } }, now);
  return baseline;
}

export async function getBaseline(em: EntityManager, target: HealthTarget): Promise<HealthBaselineEntity | null> {
  return em.findOne(HealthBaselineEntity, { target: targetName(target) });
}

export const baselineNotFound = (name: string) => new AppError("not_found", "HEALTH_BASELINE_NOT_FOUND", `${name} has no baseline.`, { name });

export async function deleteBaseline(ctx: UseCaseContext, target: HealthTarget): Promise<void> {
  await ctx.em.transactional(async (em) => {
    const name = targetName(target);
    if ((await em.nativeDelete(HealthBaselineEntity, { target: name })) === 0) throw baselineNotFound(`${name}/health/baseline`);
    recordEvent(em, ctx.actor, { topic: "health", type: "health.baseline.deleted", resource: `${name}/health/baseline`, data: {} }, ctx.now());
  });
}

const snapshotSpec: ListSpec = {
  fields: {
    evaluate_time: { prop: "evaluateTime", type: "timestamp" },
    status: { prop: "status", type: "string", values: STATUS_FILTER_VALUES },
    error_rate: { prop: "errorRate", type: "number" },
    latency_p99_ms: { prop: "latencyP99Ms", type: "number" },
    request_count: { prop: "requestCount", type: "number" },
  },
  defaultOrder: "evaluate_time desc",
  idProp: "id",
};

export function listSnapshots(ctx: UseCaseContext, target: HealthTarget, request: ListRequestLike): Promise<Page<HealthSnapshotEntity>> {
  const name = targetName(target);
  return listPage(ctx.em, HealthSnapshotEntity, snapshotSpec, request, { target: name }, { scopeKey: name });
}

/** Persists evaluations; for each whose status differs from `previous`, a status-change event too. */
export async function saveSnapshots(
  em: EntityManager,
  actor: Actor,
  reports: readonly { report: HealthReport; previous: string | undefined }[],
): Promise<void> {
  await em.transactional(async (tx) => {
    for (const { report, previous } of reports) {
      const at = new Date(report.evaluateTime);
      tx.create(HealthSnapshotEntity, {
        target: report.target,
        status: report.status,
        requestCount: report.requestCount,
        errorRate: Number.isFinite(report.errorRate) ? report.errorRate : 0,
        latencyP99Ms: Number.isFinite(report.latencyP99Ms) ? report.latencyP99Ms : 0,
        report,
        evaluateTime: at,
      });
      if (previous !== undefined && previous !== report.status) {
        recordEvent(
          tx,
          actor,
          {
            topic: "health",
            type: "health.status.changed",
            resource: `${report.target}/health`,
            data: { from: previous, to: report.status, reasons: report.reasons.filter((r) => r.severity !== "healthy").map((r) => r.message) },
          },
          at,
        );
      }
    }
  });
}

/** The latest persisted status of a target, to detect changes across restarts. */
export async function latestStatus(em: EntityManager, target: string): Promise<string | undefined> {
  return (await em.findOne(HealthSnapshotEntity, { target }, { orderBy: { id: "desc" }, fields: ["status"] }))?.status;
}

/** Deletes snapshots older than the retention. */
export async function pruneSnapshots(em: EntityManager, before: Date): Promise<number> {
  return em.nativeDelete(HealthSnapshotEntity, { evaluateTime: { $lt: before } });
}
