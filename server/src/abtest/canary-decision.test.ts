import { describe, expect, it } from "vitest";
import type { PredictionRecord } from "../inference/index.js";
import { CanaryRolloutEntity } from "./ab-test.entity.js";
import { decideCanary } from "./canary-decision.js";

const START = 1_000_000;

function rollout(over: Partial<CanaryRolloutEntity> = {}): CanaryRolloutEntity {
  return Object.assign(new CanaryRolloutEntity(), {
    id: "c",
    service: "s",
    steps: [
      { trafficPercent: 10, evaluationWindowMs: 60_000, minRequests: 50 },
      { trafficPercent: 100, evaluationWindowMs: 60_000, minRequests: 50 },
    ],
    thresholds: { maxErrorRateDelta: 0.01, maxP99LatencyRatio: 1.5, maxDriftScore: 0.2 },
    manualPromotion: false,
    state: "progressing",
    currentStepIndex: 0,
    currentTrafficPercent: 10,
    stepStartTime: new Date(START),
    ...over,
  }) as CanaryRolloutEntity;
}

function records(variant: "candidate" | "control", n: number, opts: { errors?: number; latency?: number; confidence?: (i: number) => number } = {}): PredictionRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    time: START + 10 + i,
    serviceId: "s",
    modelVersion: "models/m/versions/1",
    predictionId: `${variant}-${i}`,
    rows: 1,
    latencyMs: opts.latency ?? 5,
    error: i < (opts.errors ?? 0) ? "INFERENCE_FAILED" : "",
    confidence: opts.confidence ? opts.confidence(i) : 0.5 + (i % 10) / 20,
    features: [],
    outputs: [],
    canaryRollout: "canaryRollouts/c",
    variant,
  }));
}

describe("decideCanary", () => {
  it("waits while the candidate has fewer requests than the step needs", () => {
    expect(decideCanary(rollout(), [...records("candidate", 20, { errors: 20 }), ...records("control", 100)], START + 120_000).action).toBe("none");
  });

  it("rolls back as soon as the candidate's error rate exceeds the control's by more than the delta", () => {
    const v = decideCanary(rollout(), [...records("candidate", 60, { errors: 6 }), ...records("control", 200)], START + 1000);
    expect(v.action).toBe("roll_back");
    expect(v.observation?.breached).toEqual(["error_rate"]);
    expect(v.action === "roll_back" && v.reason).toMatch(/error rate 10\.0% vs control 0\.0%/);
  });

  it("rolls back on p99 latency against the control, even while paused", () => {
    const v = decideCanary(rollout({ state: "paused" }), [...records("candidate", 60, { latency: 40 }), ...records("control", 200, { latency: 10 })], START + 1000);
    expect(v.action).toBe("roll_back");
    expect(v.observation?.breached).toContain("latency_p99");
  });

  it("rolls back when the candidate's outputs drift from the control's", () => {
    const v = decideCanary(rollout(), [...records("candidate", 200, { confidence: () => 0.99 }), ...records("control", 200)], START + 1000);
    expect(v.observation?.breached).toContain("drift");
  });

  it("advances a healthy step only after its window, then promotes at the last step", () => {
    const healthy = [...records("candidate", 100), ...records("control", 300)];
    expect(decideCanary(rollout(), healthy, START + 30_000).action).toBe("none");
    expect(decideCanary(rollout(), healthy, START + 61_000).action).toBe("advance");
    expect(decideCanary(rollout({ currentStepIndex: 1 }), healthy, START + 61_000).action).toBe("promote");
    expect(decideCanary(rollout({ currentStepIndex: 1, manualPromotion: true }), healthy, START + 61_000).action).toBe("await_promotion");
  });

  it("ignores predictions of other rollouts and of earlier steps", () => {
    const other = records("candidate", 100, { errors: 100 }).map((r) => ({ ...r, canaryRollout: "canaryRollouts/other" }));
    const early = records("candidate", 100, { errors: 100 }).map((r) => ({ ...r, time: START - 1000 }));
    expect(decideCanary(rollout(), [...other, ...early, ...records("candidate", 60), ...records("control", 60)], START + 1000).action).toBe("none");
  });
});
