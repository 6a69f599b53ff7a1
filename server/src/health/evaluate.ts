import { buildBaseline, driftReport, windowColumns, windowStats, type FeatureBaseline, type FeatureSample } from "./stats/index.js";
import type { PredictionRecord } from "../inference/index.js";
import {
  SEVERITY,
  type Distribution,
  type FeatureDriftResult,
  type HealthReason,
  type HealthReport,
  type HealthStatusName,
  type Levels,
  type ThresholdSettings,
} from "./health.types.js";

export interface EvaluationInput {
  /** `services/{s}` or `models/{m}/versions/{n}`. */
  readonly target: string;
  readonly thresholds: ThresholdSettings;
  /** The records of this target (already filtered), any time. */
  readonly records: readonly PredictionRecord[];
  readonly baseline: { readonly name: string; readonly inputs: readonly Distribution[]; readonly outputs: readonly Distribution[] } | null;
  /** Names of the model's first input and first numeric output, to name features. */
  readonly inputName: string;
  readonly outputName: string;
  /** For services: whether the model can load; false adds an UNHEALTHY NOT_SERVING reason. */
  readonly serving: boolean | undefined;
  readonly servingMessage: string;
  readonly now: number;
}

/** Turns a stored distribution into what the drift computation reads. */
function baselineEntry(d: Distribution): FeatureBaseline | FeatureSample {
  switch (d.kind) {
    case "histogram": {
      // The outer bins are open-ended: values below the first edge count in the first bin and above
      // the last edge in the last one (stored edges are finite, since JSON has no Infinity).
      const edges = [...d.edges];
      edges[0] = -Infinity;
      edges[edges.length - 1] = Infinity;
      return { kind: "numeric", edges, counts: d.counts };
    }
    case "categories":
      return { kind: "categorical", counts: d.counts };
    case "samples":
      return d.values;
  }
}

function levelOf(value: number, levels: Levels): HealthStatusName {
  if (!Number.isFinite(value)) return "healthy";
  if (value >= levels.unhealthy) return "unhealthy";
  if (value >= levels.degraded) return "degraded";
  return "healthy";
}

const pct = (x: number) => `${(x * 100).toFixed(x < 0.1 ? 2 : 1)}%`;

/** Feature columns of a window: `{input}[i]` from the recorded inputs, `{output}[i]` and `confidence`. */
export function featureColumns(records: readonly PredictionRecord[], start: number, end: number, inputName: string, outputName: string) {
  const inputs = renameColumns(windowColumns(records, start, end, "features", { skipErrors: true }), inputName);
  const outputs: Record<string, number[]> = renameColumns(windowColumns(records, start, end, "outputs", { skipErrors: true }), outputName);
  const confidence = records.filter((r) => r.time >= start && r.time < end && !r.error && Number.isFinite(r.confidence)).map((r) => r.confidence);
  if (confidence.length > 0) outputs["confidence"] = confidence;
  return { inputs, outputs };
}

function renameColumns(columns: Record<string, number[]>, name: string): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const [k, v] of Object.entries(columns)) out[/^\d+$/.test(k) ? `${name}[${k}]` : k] = v;
  return out;
}

/** Histograms of a window's columns, for a captured baseline. */
export function captureDistributions(columns: Record<string, number[]>, bins: number): Distribution[] {
  const built = buildBaseline(columns, { bins });
  return [...built].map(([feature, b]) =>
    b.kind === "numeric"
      ? { feature, kind: "histogram" as const, edges: b.edges.map((e) => (e === -Infinity ? -Number.MAX_VALUE : e === Infinity ? Number.MAX_VALUE : e)), counts: [...b.counts] }
      : { feature, kind: "categories" as const, counts: Object.fromEntries(b.counts instanceof Map ? b.counts : Object.entries(b.counts)) },
  );
}

/**
 * Judges a target over its rolling window: traffic, errors and latency from the recorded calls,
 * drift of inputs and outputs against the baseline, and the status as the worst of the reasons.
 * Pure: the same records and settings always give the same report.
 */
export function evaluateHealth(input: EvaluationInput): HealthReport {
  const { thresholds: t, now } = input;
  const start = now - t.windowMs;
  const inWindow = input.records.filter((r) => r.time >= start && r.time < now);
  const stats = windowStats(inWindow, start, now);
  const requestCount = inWindow.reduce((n, r) => n + (r.error ? 0 : r.rows), 0) + stats.errorCount;
  const reasons: HealthReason[] = [];

  if (input.serving === false) {
    reasons.push({ code: "not_serving", message: `the model cannot be served: ${input.servingMessage}`, metric: "", observed: 0, threshold: 0, severity: "unhealthy" });
  }

  const errorRate = stats.requestCount > 0 ? stats.errorCount / stats.requestCount : NaN;
  const p99 = stats.latency.p99;
  let inputDrift: FeatureDriftResult[] = [];
  let outputDrift: FeatureDriftResult[] = [];
  const enough = stats.requestCount >= t.minSamples;
  if (!enough) {
    reasons.push({
      code: "insufficient_data",
      message: `${stats.requestCount} predictions in the last ${Math.round(t.windowMs / 1000)} s, fewer than the ${t.minSamples} needed to judge`,
      metric: "request_count",
      observed: stats.requestCount,
      threshold: t.minSamples,
      severity: "no_data",
    });
  } else {
    const errorLevel = levelOf(errorRate, t.errorRate);
    if (errorLevel !== "healthy") {
      const limit = errorLevel === "unhealthy" ? t.errorRate.unhealthy : t.errorRate.degraded;
      reasons.push({ code: "error_rate", message: `error rate ${pct(errorRate)} is at or above ${pct(limit)} (${errorLevel})`, metric: "error_rate", observed: errorRate, threshold: limit, severity: errorLevel });
    }
    const latencyLevel = levelOf(p99, t.latencyP99Ms);
    if (latencyLevel !== "healthy") {
      const limit = latencyLevel === "unhealthy" ? t.latencyP99Ms.unhealthy : t.latencyP99Ms.degraded;
      reasons.push({ code: "latency_p99", message: `p99 latency ${p99.toFixed(1)} ms is at or above ${limit} ms (${latencyLevel})`, metric: "latency_p99_ms", observed: p99, threshold: limit, severity: latencyLevel });
    }
    if (input.baseline) {
      const columns = featureColumns(inWindow, start, now, input.inputName, input.outputName);
      const method = t.driftMethod === "psi" ? "psi" : "js";
      const judge = (baseline: readonly Distribution[], current: Record<string, number[]>, levels: Levels, code: "input_drift" | "output_drift") => {
        const base = new Map(baseline.map((d) => [d.feature, baselineEntry(d)]));
        const results = driftReport(base, current, { method, bins: t.driftBins, threshold: levels.degraded, minSamples: Math.min(t.minSamples, 100) });
        for (const r of results) {
          const level = levelOf(r.score, levels);
          if (level === "healthy") continue;
          const limit = level === "unhealthy" ? levels.unhealthy : levels.degraded;
          reasons.push({
            code,
            message: `${code === "input_drift" ? "input" : "output"} ${r.feature} drifted: ${method === "psi" ? "PSI" : "Jensen-Shannon distance"} ${r.score.toFixed(3)} is at or above ${limit} (${level})`,
            metric: `${code}.${r.feature}`,
            observed: r.score,
            threshold: limit,
            severity: level,
          });
        }
        return results.map((r) => ({ feature: r.feature, method: t.driftMethod, score: r.score, threshold: r.threshold, drifted: r.drifted, sampleCount: r.sampleCount }));
      };
      inputDrift = judge(input.baseline.inputs, columns.inputs, t.inputDrift, "input_drift");
      outputDrift = judge(input.baseline.outputs, columns.outputs, t.outputDrift, "output_drift");
    } else {
      reasons.push({ code: "no_baseline", message: "no baseline yet, so drift is not measured", metric: "", observed: 0, threshold: 0, severity: "healthy" });
    }
  }

  let status: HealthStatusName = "healthy";
  for (const r of reasons) if (SEVERITY[r.severity] > SEVERITY[status]) status = r.severity;
  return {
    target: input.target,
    status,
    reasons,
    windowMs: t.windowMs,
    evaluateTime: now,
    requestCount,
    errorCount: stats.errorCount,
    requestRate: requestCount / (t.windowMs / 1000),
    errorRate,
    latencyP50Ms: stats.latency.p50,
    latencyP95Ms: stats.latency.p95,
    latencyP99Ms: p99,
    meanConfidence: stats.meanConfidence,
    inputDrift,
    outputDrift,
    baseline: input.baseline?.name ?? "",
    modelVersions: [...new Set(inWindow.map((r) => r.modelVersion).filter((v) => v !== ""))],
  };
}
