import { create } from "@bufbuild/protobuf";
import { durationFromMillis } from "../platform/duration.js";
import { durationMs, timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  ABTestSchema,
  ABTestState,
  MetricGoal,
  MetricKind,
  PrimaryMetricSchema,
  VariantSchema,
  type ABTest,
  type PrimaryMetric,
  type Variant,
} from "@artenic/gen/artenic/abtest/v1/ab_test_pb";
import {
  CanaryDecisionAction,
  CanaryDecisionSchema,
  CanaryObservationSchema,
  CanaryRolloutSchema,
  CanaryRolloutState,
  CanaryStepSchema,
  CanaryThresholdsSchema,
  CanaryWindowMetricsSchema,
  type CanaryRollout,
  type CanaryStep,
  type CanaryThresholds,
} from "@artenic/gen/artenic/abtest/v1/canary_rollout_pb";
import { PromotionAction, PromotionSchema } from "@artenic/gen/artenic/abtest/v1/promotion_pb";
import { parseVersionName } from "../registry/index.js";
import { etagOf } from "../platform/context.js";
import { invalidField } from "../platform/errors/app-error.js";
import type {
  ABTestEntity,
  ArmMetrics,
  ArmTarget,
  CanaryObservationRecord,
  CanaryRolloutEntity,
  CanaryStepSpec,
  CanaryThresholdSpec,
  PrimaryMetricSpec,
  PromotionRecord,
  VariantSpec,
} from "./ab-test.entity.js";
import { DEFAULT_CANARY_THRESHOLDS } from "./canary.use-cases.js";

const ID = "[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?";

export function parseName(name: string, collection: "abTests" | "canaryRollouts", field: string): string {
  const m = new RegExp(`^${collection}/(${ID})$`).exec(name);
  if (!m) throw invalidField(field, `"${name}" is not a name of the form ${collection}/{id}`, "INVALID_RESOURCE_NAME");
  return m[1]!;
}

export function parseServiceRef(name: string, field: string): string {
  const m = new RegExp(`^services/(${ID})$`).exec(name);
  if (!m) throw invalidField(field, `"${name}" is not a service name (services/{service})`, "INVALID_RESOURCE_NAME");
  return m[1]!;
}

export function armTarget(kind: "modelVersion" | "ensemble" | undefined, value: string | undefined, field: string): ArmTarget {
  if (kind === "modelVersion" && value) {
    const { modelId, number } = parseVersionName(value, field);
    return { kind: "model_version", modelId, number };
  }
  if (kind === "ensemble" && value) {
    const m = new RegExp(`^ensembles/(${ID})$`).exec(value);
    if (!m) throw invalidField(field, `"${value}" is not an ensemble name`, "INVALID_RESOURCE_NAME");
    return { kind: "ensemble", ensembleId: m[1]! };
  }
  throw invalidField(field, "a model_version or an ensemble is required");
}

export function variantFromProto(v: Variant, field: string): VariantSpec {
  return {
    variantId: v.variantId,
    displayName: v.displayName,
    target: armTarget(v.target.case, v.target.value, `${field}.target`),
    weight: v.weight,
    control: v.control,
    shadow: v.shadow,
    mirrorPercent: v.mirrorPercent,
  };
}

export function metricFromProto(m: PrimaryMetric | undefined): PrimaryMetricSpec {
  if (!m) throw invalidField("ab_test.primary_metric", "is required");
  return { name: m.name, kind: m.kind === MetricKind.RATE ? "rate" : "mean", goal: m.goal === MetricGoal.MINIMIZE ? "minimize" : "maximize" };
}

function armTargetName(t: ArmTarget): string {
  return t.kind === "model_version" ? `models/${t.modelId}/versions/${t.number}` : `ensembles/${t.ensembleId}`;
}

const promotionActions = { alias_moved: PromotionAction.ALIAS_MOVED, stage_transitioned: PromotionAction.STAGE_TRANSITIONED, service_repointed: PromotionAction.SERVICE_REPOINTED } as const;

function promotionProto(p: PromotionRecord | null | undefined) {
  if (!p) return undefined;
  return create(PromotionSchema, { target: p.target, previousTarget: p.previousTarget, action: promotionActions[p.action], alias: p.alias, promoteTime: timestampFromDate(new Date(p.promoteTime)) });
}

const abStates = { running: ABTestState.AB_TEST_STATE_RUNNING, paused: ABTestState.AB_TEST_STATE_PAUSED, concluded: ABTestState.AB_TEST_STATE_CONCLUDED } as const;

export function toABTestProto(t: ABTestEntity): ABTest {
  return create(ABTestSchema, {
    name: `abTests/${t.id}`,
    displayName: t.displayName,
    description: t.description,
    labels: { ...t.labels },
    service: `services/${t.service}`,
    variants: t.variants.map((v) =>
      create(VariantSchema, {
        variantId: v.variantId,
        displayName: v.displayName,
        target: v.target.kind === "model_version" ? { case: "modelVersion", value: armTargetName(v.target) } : { case: "ensemble", value: armTargetName(v.target) },
        weight: v.weight,
        control: v.control,
        shadow: v.shadow,
        mirrorPercent: v.mirrorPercent,
      }),
    ),
    primaryMetric: create(PrimaryMetricSchema, {
      name: t.primaryMetric.name,
      kind: t.primaryMetric.kind === "rate" ? MetricKind.RATE : MetricKind.MEAN,
      goal: t.primaryMetric.goal === "minimize" ? MetricGoal.MINIMIZE : MetricGoal.MAXIMIZE,
    }),
    minSamplesPerVariant: BigInt(t.minSamples),
    confidenceLevel: t.confidenceLevel,
    sticky: t.sticky,
    state: abStates[t.state as keyof typeof abStates],
    winnerVariantId: t.winnerVariantId,
    conclusionReason: t.conclusionReason,
    promotion: promotionProto(t.promotion),
    createTime: timestampFromDate(t.createTime),
    updateTime: timestampFromDate(t.updateTime),
    startTime: timestampFromDate(t.startTime),
    endTime: t.endTime ? timestampFromDate(t.endTime) : undefined,
    etag: etagOf(t.revision),
  });
}

export function stepFromProto(s: CanaryStep, field: string): CanaryStepSpec {
  return { trafficPercent: s.trafficPercent, evaluationWindowMs: s.evaluationWindow ? durationMs(s.evaluationWindow) : 5 * 60 * 1000, minRequests: Number(s.minRequests || 100n) };
  void field;
}

export function thresholdsFromProto(t: CanaryThresholds | undefined): CanaryThresholdSpec {
  return {
    maxErrorRateDelta: t?.maxErrorRateDelta ?? DEFAULT_CANARY_THRESHOLDS.maxErrorRateDelta,
    maxP99LatencyRatio: t?.maxP99LatencyRatio ?? DEFAULT_CANARY_THRESHOLDS.maxP99LatencyRatio,
    maxDriftScore: t?.maxDriftScore ?? DEFAULT_CANARY_THRESHOLDS.maxDriftScore,
  };
}

const canaryStates = {
  pending: CanaryRolloutState.PENDING,
  progressing: CanaryRolloutState.PROGRESSING,
  paused: CanaryRolloutState.PAUSED,
  awaiting_promotion: CanaryRolloutState.AWAITING_PROMOTION,
  promoted: CanaryRolloutState.PROMOTED,
  rolled_back: CanaryRolloutState.ROLLED_BACK,
  aborted: CanaryRolloutState.ABORTED,
} as const;

const actions = {
  start: CanaryDecisionAction.START,
  advance: CanaryDecisionAction.ADVANCE,
  promote: CanaryDecisionAction.PROMOTE,
  roll_back: CanaryDecisionAction.ROLL_BACK,
  pause: CanaryDecisionAction.PAUSE,
  resume: CanaryDecisionAction.RESUME,
  abort: CanaryDecisionAction.ABORT,
  await_promotion: CanaryDecisionAction.AWAIT_PROMOTION,
} as const;

const finite = (x: number) => (Number.isFinite(x) ? x : 0);

function metricsProto(m: ArmMetrics) {
  return create(CanaryWindowMetricsSchema, {
    requestCount: BigInt(m.requestCount),
    errorRate: finite(m.errorRate),
    latencyP50Ms: finite(m.latencyP50Ms),
    latencyP99Ms: finite(m.latencyP99Ms),
    ...(m.driftScore !== undefined ? { driftScore: m.driftScore } : {}),
  });
}

function observationProto(o: CanaryObservationRecord | null | undefined) {
  if (!o) return undefined;
  return create(CanaryObservationSchema, {
    stepIndex: o.stepIndex,
    candidate: metricsProto(o.candidate),
    control: metricsProto(o.control),
    breachedThresholds: [...o.breached],
    observeTime: timestampFromDate(new Date(o.observeTime)),
  });
}

export function toCanaryProto(r: CanaryRolloutEntity): CanaryRollout {
  return create(CanaryRolloutSchema, {
    name: `canaryRollouts/${r.id}`,
    displayName: r.displayName,
    description: r.description,
    labels: { ...r.labels },
    service: `services/${r.service}`,
    candidate: r.candidate.kind === "model_version" ? { case: "candidateModelVersion", value: armTargetName(r.candidate) } : { case: "candidateEnsemble", value: armTargetName(r.candidate) },
    control: r.control,
    steps: r.steps.map((s) => create(CanaryStepSchema, { trafficPercent: s.trafficPercent, evaluationWindow: durationFromMillis(s.evaluationWindowMs), minRequests: BigInt(s.minRequests) })),
    thresholds: create(CanaryThresholdsSchema, {
      maxErrorRateDelta: r.thresholds.maxErrorRateDelta,
      maxP99LatencyRatio: r.thresholds.maxP99LatencyRatio,
      maxDriftScore: r.thresholds.maxDriftScore,
    }),
    manualPromotion: r.manualPromotion,
    state: canaryStates[r.state as keyof typeof canaryStates],
    currentStepIndex: r.currentStepIndex,
    currentTrafficPercent: r.currentTrafficPercent,
    stepStartTime: r.stepStartTime ? timestampFromDate(r.stepStartTime) : undefined,
    lastObservation: observationProto(r.lastObservation),
    decisions: r.decisions.map((d) =>
      create(CanaryDecisionSchema, {
        stepIndex: d.stepIndex,
        action: actions[d.action],
        reason: d.reason,
        observation: observationProto(d.observation),
        trafficPercent: d.trafficPercent,
        actor: d.actor,
        decideTime: timestampFromDate(new Date(d.decideTime)),
      }),
    ),
    promotion: promotionProto(r.promotion),
    createTime: timestampFromDate(r.createTime),
    updateTime: timestampFromDate(r.updateTime),
    startTime: r.startTime ? timestampFromDate(r.startTime) : undefined,
    endTime: r.endTime ? timestampFromDate(r.endTime) : undefined,
    etag: etagOf(r.revision),
  });
}
