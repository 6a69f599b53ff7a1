/** What health is computed for. */
export type HealthTarget =
  | { readonly kind: "service"; readonly serviceId: string }
  | { readonly kind: "version"; readonly modelId: string; readonly number: number };

export function targetName(t: HealthTarget): string {
  return t.kind === "service" ? `services/${t.serviceId}` : `models/${t.modelId}/versions/${t.number}`;
}

export type HealthStatusName = "healthy" | "degraded" | "unhealthy" | "no_data";

/** Ordering of severities: the worst reason decides the status. */
export const SEVERITY: Record<HealthStatusName, number> = { healthy: 0, no_data: 1, degraded: 2, unhealthy: 3 };

export type DriftMethodName = "psi" | "jensen_shannon";

/** A pair of limits on one figure; reaching `degraded` makes the target DEGRADED, and so on. */
export interface Levels {
  readonly degraded: number;
  readonly unhealthy: number;
}

/** Effective thresholds of a target (stored overrides over the defaults). */
export interface ThresholdSettings {
  readonly errorRate: Levels;
  readonly latencyP99Ms: Levels;
  readonly inputDrift: Levels;
  readonly outputDrift: Levels;
  readonly driftMethod: DriftMethodName;
  readonly driftBins: number;
  readonly minSamples: number;
  readonly windowMs: number;
  readonly autoCaptureBaseline: boolean;
}

export function defaultThresholds(method: DriftMethodName = "psi"): ThresholdSettings {
  const drift = method === "psi" ? { degraded: 0.1, unhealthy: 0.25 } : { degraded: 0.1, unhealthy: 0.2 };
  return {
    errorRate: { degraded: 0.01, unhealthy: 0.05 },
    latencyP99Ms: { degraded: 250, unhealthy: 1000 },
    inputDrift: drift,
    outputDrift: drift,
    driftMethod: method,
    driftBins: 10,
    minSamples: 100,
    windowMs: 5 * 60 * 1000,
    autoCaptureBaseline: true,
  };
}

export type ReasonCode = "error_rate" | "latency_p99" | "input_drift" | "output_drift" | "not_serving" | "insufficient_data" | "no_baseline";

export interface HealthReason {
  readonly code: ReasonCode;
  readonly message: string;
  readonly metric: string;
  readonly observed: number;
  readonly threshold: number;
  readonly severity: HealthStatusName;
}

export interface FeatureDriftResult {
  readonly feature: string;
  readonly method: DriftMethodName;
  readonly score: number;
  readonly threshold: number;
  readonly drifted: boolean;
  readonly sampleCount: number;
}

/** One evaluation of a target's health over its rolling window. */
export interface HealthReport {
  readonly target: string;
  readonly status: HealthStatusName;
  readonly reasons: readonly HealthReason[];
  readonly windowMs: number;
  /** Epoch ms; the window ends here. */
  readonly evaluateTime: number;
  readonly requestCount: number;
  readonly errorCount: number;
  readonly requestRate: number;
  readonly errorRate: number;
  readonly latencyP50Ms: number;
  readonly latencyP95Ms: number;
  readonly latencyP99Ms: number;
  readonly meanConfidence: number;
  readonly inputDrift: readonly FeatureDriftResult[];
  readonly outputDrift: readonly FeatureDriftResult[];
  /** The baseline's resource name, or "" without one. */
  readonly baseline: string;
  readonly modelVersions: readonly string[];
}

/** A reference distribution of one feature. */
export type Distribution =
  | { readonly feature: string; readonly kind: "histogram"; readonly edges: readonly number[]; readonly counts: readonly number[] }
  | { readonly feature: string; readonly kind: "categories"; readonly counts: Readonly<Record<string, number>> }
  | { readonly feature: string; readonly kind: "samples"; readonly values: readonly number[] };
