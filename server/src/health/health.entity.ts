import { defineEntity, p } from "@mikro-orm/core";
import type { Distribution, HealthReport, ThresholdSettings } from "./health.types.js";

/**
 * Health thresholds of one target (`services/{s}` or `models/{m}/versions/{n}`); absent means all
 * defaults. Only the fields the caller set are stored, so defaults can change without a migration.
 */
export const HealthThresholdsEntitySchema = defineEntity({
  name: "HealthThresholds",
  tableName: "health_thresholds",
  properties: {
    target: p.string().length(200).primary(),
    settings: p.json<Partial<ThresholdSettings>>(),
    updateTime: p.datetime(),
    revision: p.integer().version(),
  },
});
export class HealthThresholdsEntity extends HealthThresholdsEntitySchema.class {}
HealthThresholdsEntitySchema.setClass(HealthThresholdsEntity);

/** The reference distributions drift is measured against; one per target, replaced on create. */
export const HealthBaselineEntitySchema = defineEntity({
  name: "HealthBaseline",
  tableName: "health_baseline",
  properties: {
    target: p.string().length(200).primary(),
    source: p.string().length(16),
    captureStartTime: p.datetime().nullable(),
    captureEndTime: p.datetime().nullable(),
    modelVersions: p.json<string[]>(),
    sampleCount: p.integer(),
    inputs: p.json<Distribution[]>(),
    outputs: p.json<Distribution[]>(),
    createTime: p.datetime(),
  },
});
export class HealthBaselineEntity extends HealthBaselineEntitySchema.class {}
HealthBaselineEntitySchema.setClass(HealthBaselineEntity);

/** One persisted evaluation of a target's health. */
export const HealthSnapshotEntitySchema = defineEntity({
  name: "HealthSnapshot",
  tableName: "health_snapshot",
  properties: {
    id: p.integer().primary().autoincrement(),
    target: p.string().length(200),
    status: p.string().length(16),
    requestCount: p.integer(),
    errorRate: p.double().runtimeType("number").$type<number>(),
    latencyP99Ms: p.double().runtimeType("number").$type<number>(),
    report: p.json<HealthReport>(),
    evaluateTime: p.datetime().index(),
  },
  indexes: [{ properties: ["target", "evaluateTime"] }],
});
export class HealthSnapshotEntity extends HealthSnapshotEntitySchema.class {}
HealthSnapshotEntitySchema.setClass(HealthSnapshotEntity);
