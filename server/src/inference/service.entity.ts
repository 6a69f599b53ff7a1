import { defineEntity, p } from "@mikro-orm/core";

/**
 * A service: a named deployment that binds a stable name to what answers it. The target columns
 * hold one of: a pinned version (model + number), a model's alias, a model's PRODUCTION stage, or
 * an ensemble.
 */
export const ServiceEntitySchema = defineEntity({
  name: "Service",
  tableName: "service",
  properties: {
    id: p.string().length(63).primary(),
    displayName: p.string().length(200),
    description: p.text(),
    labels: p.json<Record<string, string>>(),
    targetKind: p.string().length(16),
    targetModel: p.string().length(63).index(),
    targetVersion: p.integer().nullable(),
    targetAlias: p.string().length(63),
    targetEnsemble: p.string().length(63),
    batchingEnabled: p.boolean(),
    maxBatchSize: p.integer(),
    maxWaitMicros: p.integer(),
    intraOpThreads: p.integer(),
    interOpThreads: p.integer(),
    createTime: p.datetime().index(),
    updateTime: p.datetime(),
    targetUpdateTime: p.datetime(),
    revision: p.integer().version(),
  },
});
export class ServiceEntity extends ServiceEntitySchema.class {}
ServiceEntitySchema.setClass(ServiceEntity);

/** One line of a service's routing history: "which version served when, and why". */
export const ServiceTargetChangeEntitySchema = defineEntity({
  name: "ServiceTargetChange",
  tableName: "service_target_change",
  properties: {
    id: p.integer().primary().autoincrement(),
    service: () => p.manyToOne(ServiceEntity).deleteRule("cascade"),
    target: p.json<Record<string, unknown>>(),
    resolvedModelVersion: p.string().length(200),
    previousResolvedModelVersion: p.string().length(200),
    cause: p.string().length(32),
    actor: p.string().length(256),
    reason: p.text(),
    changeTime: p.datetime(),
  },
  indexes: [{ properties: ["service", "id"] }],
});
export class ServiceTargetChangeEntity extends ServiceTargetChangeEntitySchema.class {}
ServiceTargetChangeEntitySchema.setClass(ServiceTargetChangeEntity);

/**
 * An observed outcome for a prediction, joined later by A/B results and ensemble learning. One row
 * per prediction and row: a later report replaces an earlier one.
 */
export const FeedbackEntitySchema = defineEntity({
  name: "Feedback",
  tableName: "feedback",
  properties: {
    id: p.integer().primary().autoincrement(),
    predictionId: p.string().length(256),
    row: p.integer(),
    service: p.string().length(63).index(),
    modelVersion: p.string().length(200),
    label: p.string().length(256).nullable(),
    /** The label the model predicted, when the prediction was still in the buffer at report time. */
    predictedLabel: p.string().length(256).nullable(),
    /** The A/B test or canary rollout and variant that answered, when known. */
    abTest: p.string().length(200).default(""),
    canaryRollout: p.string().length(200).default(""),
    variant: p.string().length(63).default(""),
    value: p.double().runtimeType("number").$type<number>().nullable(),
    metrics: p.json<Record<string, number>>(),
    predictTime: p.datetime(),
    createTime: p.datetime(),
    updateTime: p.datetime(),
  },
  uniques: [{ properties: ["predictionId", "row"] }],
});
export class FeedbackEntity extends FeedbackEntitySchema.class {}
FeedbackEntitySchema.setClass(FeedbackEntity);
