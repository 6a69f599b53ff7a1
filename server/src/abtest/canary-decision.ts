import { driftReport } from "../health/stats/index.js";
import { windowStats } from "../health/stats/index.js";
import type { PredictionRecord } from "../inference/index.js";
import type { ArmMetrics, CanaryRolloutEntity, CanaryObservationRecord } from "./ab-test.entity.js";

/** What the controller should do with a rollout now. */
export type CanaryVerdict =
  | { readonly action: "none"; readonly observation: CanaryObservationRecord | null }
  | { readonly action: "roll_back"; readonly reason: string; readonly observation: CanaryObservationRecord }
  | { readonly action: "advance"; readonly reason: string; readonly observation: CanaryObservationRecord }
  | { readonly action: "promote" | "await_promotion"; readonly reason: string; readonly observation: CanaryObservationRecord };

function armMetrics(records: readonly PredictionRecord[], start: number, end: number): ArmMetrics {
  const s = windowStats(records, start, end);
  return { requestCount: s.requestCount, errorRate: s.requestCount ? s.errorCount / s.requestCount : 0, latencyP50Ms: s.latency.p50, latencyP99Ms: s.latency.p99 };
}

/**
 * Decides a rollout's next move from the predictions of the current step: roll back as soon as the
 * candidate has `min_requests` and breaches a threshold against the control (even while paused or
 * awaiting promotion); advance when the step's window has elapsed with `min_requests` and no
 * breach; at the last step, promote (or wait for a person when promotion is manual).
 */
export function decideCanary(rollout: CanaryRolloutEntity, records: readonly PredictionRecord[], now: number): CanaryVerdict {
  const step = rollout.steps[rollout.currentStepIndex];
  if (!step || !rollout.stepStartTime) return { action: "none", observation: null };
  const start = rollout.stepStartTime.getTime();
  const name = `canaryRollouts/${rollout.id}`;
  const mine = records.filter((r) => r.canaryRollout === name && !r.shadow);
  const candidateRecords = mine.filter((r) => r.variant === "candidate");
  const controlRecords = mine.filter((r) => r.variant === "control");
  const candidate = armMetrics(candidateRecords, start, now + 1);
  const control = armMetrics(controlRecords, start, now + 1);
  // Output drift of the candidate against the control's outputs over the same step.
  const feature = (rs: readonly PredictionRecord[]) => {
    const values: number[] = [];
    for (const r of rs) if (!r.error) values.push(Number.isFinite(r.confidence) ? r.confidence : (r.outputs[0] ?? NaN));
    return values.filter(Number.isFinite);
  };
  const drift = driftReport({ output: feature(controlRecords) }, { output: feature(candidateRecords) }, { method: "psi", minSamples: 30 })[0];
  const driftScore = drift && Number.isFinite(drift.score) ? drift.score : undefined;
  const t = rollout.thresholds;
  const breached: string[] = [];
  if (candidate.requestCount >= step.minRequests) {
    if (candidate.errorRate - control.errorRate > t.maxErrorRateDelta) breached.push("error_rate");
    if (Number.isFinite(control.latencyP99Ms) && control.latencyP99Ms > 0 && candidate.latencyP99Ms / control.latencyP99Ms > t.maxP99LatencyRatio) breached.push("latency_p99");
    if (driftScore !== undefined && driftScore > t.maxDriftScore) breached.push("drift");
  }
  const observation: CanaryObservationRecord = {
    stepIndex: rollout.currentStepIndex,
    candidate: { ...candidate, ...(driftScore !== undefined ? { driftScore } : {}) },
    control,
    breached,
    observeTime: new Date(now).toISOString(),
  };
  if (breached.length > 0) {
    const why = breached
      .map((b) =>
        b === "error_rate"
          ? `error rate ${(candidate.errorRate * 100).toFixed(1)}% vs control ${(control.errorRate * 100).toFixed(1)}% (max delta ${(t.maxErrorRateDelta * 100).toFixed(1)} points)`
          : b === "latency_p99"
            ? `p99 ${candidate.latencyP99Ms.toFixed(1)} ms vs control ${control.latencyP99Ms.toFixed(1)} ms (max ×${t.maxP99LatencyRatio})`
            : `output drift ${driftScore?.toFixed(3)} (max ${t.maxDriftScore})`,
      )
      .join("; ");
    return { action: "roll_back", reason: `candidate breached: ${why}`, observation };
  }
  if (rollout.state !== "progressing") return { action: "none", observation };
  const elapsed = now - start >= step.evaluationWindowMs;
  if (!elapsed || candidate.requestCount < step.minRequests) return { action: "none", observation };
  const last = rollout.currentStepIndex >= rollout.steps.length - 1;
  const health = `${candidate.requestCount} candidate requests, error rate ${(candidate.errorRate * 100).toFixed(1)}%, p99 ${candidate.latencyP99Ms.toFixed(1)} ms`;
  if (!last) return { action: "advance", reason: `step ${rollout.currentStepIndex + 1} healthy (${health})`, observation };
  return rollout.manualPromotion
    ? { action: "await_promotion", reason: `last step healthy (${health}); waiting for a manual promotion`, observation }
    : { action: "promote", reason: `last step healthy (${health})`, observation };
}
