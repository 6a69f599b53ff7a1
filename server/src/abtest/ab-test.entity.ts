import { defineEntity, p } from "@mikro-orm/core";

/** What answers a variant or a canary arm: a pinned model version or an ensemble. */
export type ArmTarget =
  | { readonly kind: "model_version"; readonly modelId: string; readonly number: number }
  | { readonly kind: "ensemble"; readonly ensembleId: string };

export interface VariantSpec {
  readonly variantId: string;
  readonly displayName: string;
  readonly target: ArmTarget;
  readonly weight: number;
  readonly control: boolean;
  readonly shadow: boolean;
  /** For shadows: percent of routed requests copied (1-100). */
  readonly mirrorPercent: number;
}

export interface PrimaryMetricSpec {
  readonly name: string;
  readonly kind: "mean" | "rate";
  readonly goal: "maximize" | "minimize";
}

export interface PromotionRecord {
  readonly target: string;
  readonly previousTarget: string;
  readonly action: "alias_moved" | "stage_transitioned" | "service_repointed";
  readonly alias: string;
  readonly promoteTime: string;
}

/** An A/B test: a split of one service's traffic between variants, measured against a control. */
export const ABTestEntitySchema = defineEntity({
  name: "ABTest",
  tableName: "ab_test",
  properties: {
    id: p.string().length(63).primary(),
    displayName: p.string().length(256),
    description: p.text(),
    labels: p.json<Record<string, string>>(),
    service: p.string().length(63).index(),
    variants: p.json<VariantSpec[]>(),
    primaryMetric: p.json<PrimaryMetricSpec>(),
    minSamples: p.integer(),
    confidenceLevel: p.double().runtimeType("number").$type<number>(),
    sticky: p.boolean(),
    state: p.string().length(16).index(),
    winnerVariantId: p.string().length(63),
    conclusionReason: p.text(),
    promotion: p.json<PromotionRecord | null>().nullable(),
    /** Results frozen at conclusion. */
    frozenResults: p.json<unknown>().nullable(),
    createTime: p.datetime().index(),
    updateTime: p.datetime(),
    startTime: p.datetime(),
    endTime: p.datetime().nullable(),
    revision: p.integer().version(),
  },
});
export class ABTestEntity extends ABTestEntitySchema.class {}
ABTestEntitySchema.setClass(ABTestEntity);

/**
 * Running per-variant figures of an A/B test, added to by every server process from its own
 * traffic (flushed every few seconds), so results survive restarts and add up across replicas.
 */
export const ABVariantStatsEntitySchema = defineEntity({
  name: "ABVariantStats",
  tableName: "ab_variant_stats",
  properties: {
    id: p.integer().primary().autoincrement(),
    abTest: p.string().length(63),
    variantId: p.string().length(63),
    requests: p.integer(),
    errors: p.integer(),
    /** Latency of successful predictions: count, sum, sum of squares, min, max, and a log histogram. */
    latencyCount: p.integer(),
    latencySum: p.double().runtimeType("number").$type<number>(),
    latencySumSquares: p.double().runtimeType("number").$type<number>(),
    latencyMin: p.double().runtimeType("number").$type<number>(),
    latencyMax: p.double().runtimeType("number").$type<number>(),
    latencyBuckets: p.json<number[]>(),
    updateTime: p.datetime(),
  },
  uniques: [{ properties: ["abTest", "variantId"] }],
});
export class ABVariantStatsEntity extends ABVariantStatsEntitySchema.class {}
ABVariantStatsEntitySchema.setClass(ABVariantStatsEntity);

export interface CanaryStepSpec {
  readonly trafficPercent: number;
  readonly evaluationWindowMs: number;
  readonly minRequests: number;
}

export interface CanaryThresholdSpec {
  readonly maxErrorRateDelta: number;
  readonly maxP99LatencyRatio: number;
  readonly maxDriftScore: number;
}

export interface ArmMetrics {
  readonly requestCount: number;
  readonly errorRate: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  readonly driftScore?: number;
}

export interface CanaryObservationRecord {
  readonly stepIndex: number;
  readonly candidate: ArmMetrics;
  readonly control: ArmMetrics;
  readonly breached: readonly string[];
  readonly observeTime: string;
}

export interface CanaryDecisionRecord {
  readonly stepIndex: number;
  readonly action: "start" | "advance" | "promote" | "roll_back" | "pause" | "resume" | "abort" | "await_promotion";
  readonly reason: string;
  readonly observation: CanaryObservationRecord | null;
  readonly trafficPercent: number;
  readonly actor: string;
  readonly decideTime: string;
}

/** A canary rollout: a service moved to a candidate in traffic steps gated by its health. */
export const CanaryRolloutEntitySchema = defineEntity({
  name: "CanaryRollout",
  tableName: "canary_rollout",
  properties: {
    id: p.string().length(63).primary(),
    displayName: p.string().length(256),
    description: p.text(),
    labels: p.json<Record<string, string>>(),
    service: p.string().length(63).index(),
    candidate: p.json<ArmTarget>(),
    /** What the service served when the rollout began, as a version name. */
    control: p.string().length(200),
    steps: p.json<CanaryStepSpec[]>(),
    thresholds: p.json<CanaryThresholdSpec>(),
    manualPromotion: p.boolean(),
    state: p.string().length(24).index(),
    currentStepIndex: p.integer(),
    currentTrafficPercent: p.integer(),
    stepStartTime: p.datetime().nullable(),
    lastObservation: p.json<CanaryObservationRecord | null>().nullable(),
    decisions: p.json<CanaryDecisionRecord[]>(),
    promotion: p.json<PromotionRecord | null>().nullable(),
    createTime: p.datetime().index(),
    updateTime: p.datetime(),
    startTime: p.datetime().nullable(),
    endTime: p.datetime().nullable(),
    revision: p.integer().version(),
  },
});
export class CanaryRolloutEntity extends CanaryRolloutEntitySchema.class {}
CanaryRolloutEntitySchema.setClass(CanaryRolloutEntity);
