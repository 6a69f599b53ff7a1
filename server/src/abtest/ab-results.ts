import type { EntityManager } from "@mikro-orm/core";
import { feedbackOf } from "../inference/index.js";
import { versionName } from "../registry/index.js";
import { ABVariantStatsEntity, type ABTestEntity, type VariantSpec } from "./ab-test.entity.js";
import { histogramPercentile } from "./latency-histogram.js";
import { compareWithControl, rateSummary, recommendWinner, variantSummary, type Arm, type Assessment } from "./stats/index.js";

/** The figures of one variant, as GetABTestResults reports them. */
export interface VariantResultModel {
  readonly variantId: string;
  readonly control: boolean;
  readonly shadow: boolean;
  readonly sampleCount: number;
  readonly feedbackCount: number;
  readonly observationCount: number;
  readonly mean: number;
  readonly stdDev: number;
  readonly min: number;
  readonly max: number;
  readonly errorRate: number;
  readonly latencyP50Ms: number;
  readonly latencyP95Ms: number;
  readonly latencyP99Ms: number;
  readonly trafficShare: number;
  readonly comparison: Assessment | undefined;
}

export interface ResultsModel {
  readonly variants: readonly VariantResultModel[];
  readonly enoughSamples: boolean;
  readonly lacking: readonly string[];
  readonly notEnoughMessage: string;
  readonly recommendedWinner: string;
  readonly recommendationReason: string;
  readonly computeTime: string;
}

const BUILT_IN = new Set(["latency_ms", "error_rate", "accuracy"]);

function targetName(v: VariantSpec): string {
  return v.target.kind === "model_version" ? versionName(v.target.modelId, v.target.number) : `ensembles/${v.target.ensembleId}`;
}

/**
 * Computes an A/B test's results: traffic, errors and latency from the per-variant statistics the
 * server processes flushed, the primary metric from those statistics (latency_ms, error_rate) or
 * from the feedback callers reported (accuracy, business metrics), and each variant's comparison
 * with the control (Welch's t-test for means, the two-proportion z-test for rates).
 */
export async function computeResults(em: EntityManager, test: ABTestEntity, now: Date): Promise<ResultsModel> {
  const stats = new Map((await em.find(ABVariantStatsEntity, { abTest: test.id })).map((s) => [s.variantId, s]));
  const metric = test.primaryMetric;
  const name = `abTests/${test.id}`;

  // Feedback per variant: attributed at report time, or by the version that answered when the
  // prediction had left the buffer (variants serve distinct targets, so that is unambiguous).
  const byTarget = new Map(test.variants.map((v) => [targetName(v), v.variantId]));
  const feedback = new Map<string, { values: number[]; correct: number; labelled: number; count: number }>();
  if (!BUILT_IN.has(metric.name) || metric.name === "accuracy") {
    for await (const f of feedbackOf(em, { service: test.service, from: test.startTime, to: test.endTime ?? new Date(now.getTime() + 1) })) {
      const variant = f.abTest === name ? f.variant : f.abTest === "" ? byTarget.get(f.answeredBy.replace(/\/snapshots\/\d+$/, "")) : undefined;
      if (!variant) continue;
      let acc = feedback.get(variant);
      if (!acc) feedback.set(variant, (acc = { values: [], correct: 0, labelled: 0, count: 0 }));
      acc.count += 1;
      if (metric.name === "accuracy") {
        if (f.label !== null && f.predictedLabel !== null) {
          acc.labelled += 1;
          if (f.label === f.predictedLabel) acc.correct += 1;
        }
      } else {
        const v = f.metrics[metric.name] ?? (metric.name === "value" && f.value !== null ? f.value : undefined);
        if (v !== undefined && Number.isFinite(v)) acc.values.push(v);
      }
    }
  }

  const arms = new Map<string, Arm>();
  const models: Omit<VariantResultModel, "comparison">[] = test.variants.map((v) => {
    const s = stats.get(v.variantId);
    const requests = s?.requests ?? 0;
    const errors = s?.errors ?? 0;
    const fb = feedback.get(v.variantId);
    let arm: Arm;
    let figures: { observationCount: number; mean: number; stdDev: number; min: number; max: number };
    if (metric.name === "latency_ms") {
      const n = s?.latencyCount ?? 0;
      const mean = n ? s!.latencySum / n : 0;
      const variance = n > 1 ? Math.max(0, (s!.latencySumSquares - n * mean * mean) / (n - 1)) : 0;
      arm = { id: v.variantId, kind: "mean", n, mean, variance };
      figures = { observationCount: n, mean, stdDev: Math.sqrt(variance), min: n ? s!.latencyMin : 0, max: n ? s!.latencyMax : 0 };
    } else if (metric.name === "error_rate") {
      const r = rateSummary(errors, requests);
      arm = { id: v.variantId, kind: "rate", n: requests, successes: errors };
      figures = { observationCount: requests, mean: r.mean, stdDev: r.std, min: r.min, max: r.max };
    } else if (metric.name === "accuracy") {
      const r = rateSummary(fb?.correct ?? 0, fb?.labelled ?? 0);
      arm = { id: v.variantId, kind: "rate", n: fb?.labelled ?? 0, successes: fb?.correct ?? 0 };
      figures = { observationCount: r.n, mean: r.mean, stdDev: r.std, min: r.min, max: r.max };
    } else if (metric.kind === "rate") {
      const values = fb?.values ?? [];
      const successes = values.filter((x) => x === 1).length;
      const r = rateSummary(successes, values.length);
      arm = { id: v.variantId, kind: "rate", n: values.length, successes };
      figures = { observationCount: r.n, mean: r.mean, stdDev: r.std, min: r.min, max: r.max };
    } else {
      const summary = variantSummary(fb?.values ?? []);
      arm = { id: v.variantId, kind: "mean", n: summary.n, mean: summary.mean, variance: summary.variance };
      figures = { observationCount: summary.n, mean: summary.mean, stdDev: summary.std, min: summary.min, max: summary.max };
    }
    arms.set(v.variantId, arm);
    const buckets = s?.latencyBuckets ?? [];
    return {
      variantId: v.variantId,
      control: v.control,
      shadow: v.shadow,
      sampleCount: requests,
      feedbackCount: fb?.count ?? 0,
      ...figures,
      errorRate: requests ? errors / requests : 0,
      latencyP50Ms: histogramPercentile(buckets, 50),
      latencyP95Ms: histogramPercentile(buckets, 95),
      latencyP99Ms: histogramPercentile(buckets, 99),
      trafficShare: 0,
    };
  });
  const liveRequests = models.filter((m) => !m.shadow).reduce((n, m) => n + m.sampleCount, 0);
  const control = test.variants.find((v) => v.control)!;
  const controlArm = arms.get(control.variantId)!;
  const alpha = 1 - test.confidenceLevel;
  const live = test.variants.filter((v) => !v.shadow && !v.control).map((v) => arms.get(v.variantId)!);
  const recommendation = recommendWinner(controlArm, live, { goal: metric.goal, alpha, minSamples: test.minSamples });
  const variants: VariantResultModel[] = models.map((m) => ({
    ...m,
    trafficShare: m.shadow || liveRequests === 0 ? 0 : m.sampleCount / liveRequests,
    comparison: m.control ? undefined : compareWithControl(controlArm, arms.get(m.variantId)!, { goal: metric.goal, alpha }),
  }));
  return {
    variants,
    enoughSamples: recommendation.status === "winner",
    lacking: recommendation.status === "not-enough-samples" ? recommendation.lacking.map((l) => l.id) : [],
    notEnoughMessage: recommendation.status === "not-enough-samples" ? recommendation.message : "",
    recommendedWinner: recommendation.status === "winner" ? recommendation.winnerId : "",
    recommendationReason: recommendation.status === "winner" ? recommendation.reason : recommendation.message,
    computeTime: now.toISOString(),
  };
}
