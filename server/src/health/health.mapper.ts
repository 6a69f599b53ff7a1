import { create } from "@bufbuild/protobuf";
import { timestampDate, timestampFromDate, timestampFromMs } from "@bufbuild/protobuf/wkt";
import {
  DriftMethod,
  FeatureDistributionSchema,
  FeatureDriftSchema,
  HealthBaselineSchema,
  HealthBaselineSource,
  HealthReasonCode,
  HealthReasonSchema,
  HealthSchema,
  HealthSnapshotSchema,
  HealthStatus,
  HealthThresholdsSchema,
  ThresholdLevelsSchema,
  type FeatureDistribution,
  type Health,
  type HealthBaseline,
  type HealthSnapshot,
  type HealthThresholds,
} from "@artenic/gen/artenic/health/v1/health_pb";
import { invalidField } from "../platform/errors/app-error.js";
import { durationFromMillis } from "../platform/duration.js";
import { etagOf } from "../platform/context.js";
import type { HealthBaselineEntity, HealthSnapshotEntity, HealthThresholdsEntity } from "./health.entity.js";
import type { Distribution, DriftMethodName, HealthReport, HealthStatusName, HealthTarget, ReasonCode, ThresholdSettings } from "./health.types.js";

const TARGET = /^(?:services\/([a-z](?:[a-z0-9-]{0,61}[a-z0-9])?)|models\/([a-z](?:[a-z0-9-]{0,61}[a-z0-9])?)\/versions\/([1-9][0-9]{0,17}))\/health(\/thresholds|\/baseline)?$/;

/** Parses `{target}/health`, `{target}/health/thresholds` or `{target}/health/baseline`. */
export function parseHealthName(name: string, field: string, suffix: "" | "/thresholds" | "/baseline"): HealthTarget {
  const m = TARGET.exec(name);
  if (!m || (m[4] ?? "") !== suffix) {
    throw invalidField(field, `"${name}" is not a name of the form services/{service}/health${suffix} or models/{model}/versions/{version}/health${suffix}`, "INVALID_RESOURCE_NAME");
  }
  return m[1] ? { kind: "service", serviceId: m[1] } : { kind: "version", modelId: m[2]!, number: Number(m[3]) };
}

const statusToProto: Record<HealthStatusName, HealthStatus> = {
  healthy: HealthStatus.HEALTHY,
  degraded: HealthStatus.DEGRADED,
  unhealthy: HealthStatus.UNHEALTHY,
  no_data: HealthStatus.NO_DATA,
};

const statusWords: Record<string, HealthStatusName> = {};
for (const [k, v] of Object.entries(statusToProto)) {
  statusWords[k.toUpperCase()] = k as HealthStatusName;
  statusWords[`HEALTH_STATUS_${k.toUpperCase()}`] = k as HealthStatusName;
  void v;
}
/** Filter words accepted for `status` in ListHealthSnapshots. */
export const STATUS_FILTER_VALUES: Readonly<Record<string, string>> = statusWords;

const reasonToProto: Record<ReasonCode, HealthReasonCode> = {
  error_rate: HealthReasonCode.ERROR_RATE,
  latency_p99: HealthReasonCode.LATENCY_P99,
  input_drift: HealthReasonCode.INPUT_DRIFT,
  output_drift: HealthReasonCode.OUTPUT_DRIFT,
  not_serving: HealthReasonCode.NOT_SERVING,
  insufficient_data: HealthReasonCode.INSUFFICIENT_DATA,
  no_baseline: HealthReasonCode.NO_BASELINE,
};

const methodToProto = (m: DriftMethodName) => (m === "psi" ? DriftMethod.PSI : DriftMethod.JENSEN_SHANNON);

export function methodFromProto(m: DriftMethod): DriftMethodName | undefined {
  return m === DriftMethod.PSI ? "psi" : m === DriftMethod.JENSEN_SHANNON ? "jensen_shannon" : undefined;
}

// NaN is not representable in every client's JSON; absent figures travel as 0.
const finite = (x: number) => (Number.isFinite(x) ? x : 0);

export function toHealthProto(r: HealthReport): Health {
  const drift = (d: HealthReport["inputDrift"][number]) =>
    create(FeatureDriftSchema, { feature: d.feature, method: methodToProto(d.method), score: finite(d.score), threshold: d.threshold, drifted: d.drifted, sampleCount: BigInt(d.sampleCount) });
  return create(HealthSchema, {
    name: `${r.target}/health`,
    status: statusToProto[r.status],
    reasons: r.reasons.map((x) =>
      create(HealthReasonSchema, { code: reasonToProto[x.code], message: x.message, metric: x.metric, observed: finite(x.observed), threshold: finite(x.threshold), severity: statusToProto[x.severity] }),
    ),
    window: durationFromMillis(r.windowMs),
    evaluateTime: timestampFromMs(r.evaluateTime),
    requestCount: BigInt(r.requestCount),
    errorCount: BigInt(r.errorCount),
    requestRate: finite(r.requestRate),
    errorRate: finite(r.errorRate),
    latencyP50Ms: finite(r.latencyP50Ms),
    latencyP95Ms: finite(r.latencyP95Ms),
    latencyP99Ms: finite(r.latencyP99Ms),
    meanConfidence: finite(r.meanConfidence),
    inputDrift: r.inputDrift.map(drift),
    outputDrift: r.outputDrift.map(drift),
    baseline: r.baseline,
    modelVersions: [...r.modelVersions],
  });
}

export function toSnapshotProto(s: HealthSnapshotEntity): HealthSnapshot {
  return create(HealthSnapshotSchema, { name: `${s.target}/health/snapshots/${s.id}`, health: toHealthProto(s.report), createTime: timestampFromDate(s.evaluateTime) });
}

export function toThresholdsProto(target: string, t: ThresholdSettings, stored: HealthThresholdsEntity | null): HealthThresholds {
  const levels = (l: { degraded: number; unhealthy: number }) => create(ThresholdLevelsSchema, { degraded: l.degraded, unhealthy: l.unhealthy });
  return create(HealthThresholdsSchema, {
    name: `${target}/health/thresholds`,
    errorRate: levels(t.errorRate),
    latencyP99Ms: levels(t.latencyP99Ms),
    inputDrift: levels(t.inputDrift),
    outputDrift: levels(t.outputDrift),
    driftMethod: methodToProto(t.driftMethod),
    driftBins: t.driftBins,
    minSamples: BigInt(t.minSamples),
    window: durationFromMillis(t.windowMs),
    autoCaptureBaseline: t.autoCaptureBaseline,
    updateTime: stored ? timestampFromDate(stored.updateTime) : undefined,
    etag: stored ? etagOf(stored.revision) : "",
  });
}

function distributionToProto(d: Distribution): FeatureDistribution {
  switch (d.kind) {
    case "histogram":
      return create(FeatureDistributionSchema, { feature: d.feature, distribution: { case: "histogram", value: { binEdges: d.edges.map((e) => (Number.isFinite(e) ? e : e > 0 ? Number.MAX_VALUE : -Number.MAX_VALUE)), counts: d.counts.map(BigInt) } } });
    case "categories":
      return create(FeatureDistributionSchema, { feature: d.feature, distribution: { case: "categories", value: { counts: Object.fromEntries(Object.entries(d.counts).map(([k, v]) => [k, BigInt(v)])) } } });
    case "samples":
      return create(FeatureDistributionSchema, { feature: d.feature, distribution: { case: "samples", value: { values: [...d.values] } } });
  }
}

export function distributionFromProto(d: FeatureDistribution, field: string): Distribution {
  const v = d.distribution;
  switch (v.case) {
    case "histogram": {
      const edges = v.value.binEdges;
      for (let i = 1; i < edges.length; i++) if (!(edges[i]! > edges[i - 1]!)) throw invalidField(`${field}.histogram.bin_edges`, "must increase strictly");
      return { feature: d.feature, kind: "histogram", edges: [...edges], counts: v.value.counts.map(Number) };
    }
    case "categories":
      return { feature: d.feature, kind: "categories", counts: Object.fromEntries(Object.entries(v.value.counts).map(([k, c]) => [k, Number(c)])) };
    case "samples":
      return { feature: d.feature, kind: "samples", values: [...v.value.values] };
    default:
      throw invalidField(field, "one of histogram, categories or samples is required");
  }
}

export function toBaselineProto(b: HealthBaselineEntity): HealthBaseline {
  return create(HealthBaselineSchema, {
    name: `${b.target}/health/baseline`,
    source: b.source === "captured" ? HealthBaselineSource.CAPTURED : HealthBaselineSource.UPLOADED,
    captureStartTime: b.captureStartTime ? timestampFromDate(b.captureStartTime) : undefined,
    captureEndTime: b.captureEndTime ? timestampFromDate(b.captureEndTime) : undefined,
    modelVersions: [...b.modelVersions],
    sampleCount: BigInt(b.sampleCount),
    inputs: b.inputs.map(distributionToProto),
    outputs: b.outputs.map(distributionToProto),
    createTime: timestampFromDate(b.createTime),
  });
}

export { timestampDate };
