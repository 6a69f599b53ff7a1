import { describe, expect, it } from "vitest";
import type { PredictionRecord } from "../inference/index.js";
import { evaluateHealth, type EvaluationInput } from "./evaluate.js";
import { defaultThresholds } from "./health.types.js";

const NOW = 1_000_000;

function records(latencies: number[], errors: number[] = [], at = (i: number) => NOW - 1000 - i): PredictionRecord[] {
  return latencies.map((latencyMs, i) => ({
    time: at(i),
    serviceId: "s",
    modelVersion: "models/m/versions/1",
    predictionId: `p${i}`,
    rows: 1,
    latencyMs,
    error: errors.includes(i) ? "INVALID_INPUT" : "",
    confidence: 0.9,
    features: [i % 10],
    outputs: [],
  }));
}

function input(over: Partial<EvaluationInput> = {}): EvaluationInput {
  return {
    target: "services/s",
    thresholds: { ...defaultThresholds(), minSamples: 10, windowMs: 60_000 },
    records: [],
    baseline: null,
    inputName: "x",
    outputName: "y",
    serving: true,
    servingMessage: "",
    now: NOW,
    ...over,
  };
}

describe("evaluateHealth", () => {
  it("reports NO_DATA when the window holds fewer predictions than min_samples", () => {
    const r = evaluateHealth(input({ records: records([1, 2, 3]) }));
    expect(r.status).toBe("no_data");
    expect(r.reasons.map((x) => x.code)).toEqual(["insufficient_data"]);
    expect(r.requestCount).toBe(3);
  });

  it("computes percentiles, error rate and request rate of the window by hand", () => {
    // Latencies 1..100 ms; numpy-style linear percentiles: p50 = 50.5, p95 = 95.05, p99 = 99.01.
    const lat = Array.from({ length: 100 }, (_, i) => i + 1);
    const r = evaluateHealth(input({ records: records(lat, [3, 50]) }));
    expect(r.latencyP50Ms).toBeCloseTo(50.5, 9);
    expect(r.latencyP95Ms).toBeCloseTo(95.05, 9);
    expect(r.latencyP99Ms).toBeCloseTo(99.01, 9);
    expect(r.errorCount).toBe(2);
    expect(r.errorRate).toBeCloseTo(0.02, 12);
    expect(r.requestRate).toBeCloseTo(100 / 60, 12);
    expect(r.meanConfidence).toBeCloseTo(0.9, 12);
  });

  it("leaves out predictions older than the window", () => {
    const old = records([5, 5, 5], [], (i) => NOW - 61_000 - i);
    const r = evaluateHealth(input({ records: [...old, ...records(Array(10).fill(1))] }));
    expect(r.requestCount).toBe(10);
  });

  it("grades by the worst reason: 2% errors is DEGRADED, 6% is UNHEALTHY, with a readable reason", () => {
    const lat = Array(100).fill(1);
    const degraded = evaluateHealth(input({ records: records(lat, [1, 2]) }));
    expect(degraded.status).toBe("degraded");
    expect(degraded.reasons[0]).toMatchObject({ code: "error_rate", severity: "degraded", threshold: 0.01 });
    expect(degraded.reasons[0]?.message).toMatch(/error rate 2\.00% is at or above 1\.00% \(degraded\)/);
    const unhealthy = evaluateHealth(input({ records: records(lat, [1, 2, 3, 4, 5, 6]) }));
    expect(unhealthy.status).toBe("unhealthy");
  });

  it("grades p99 latency against its thresholds", () => {
    const r = evaluateHealth(input({ records: records([...Array(98).fill(10), 2000, 2000]) }));
    expect(r.reasons.find((x) => x.code === "latency_p99")?.severity).toBe("unhealthy");
  });

  it("is UNHEALTHY when the service's model cannot be served, whatever the traffic", () => {
    const r = evaluateHealth(input({ serving: false, servingMessage: "ONNX Runtime refused it" }));
    expect(r.status).toBe("unhealthy");
    expect(r.reasons[0]).toMatchObject({ code: "not_serving" });
  });

  it("measures input drift against a histogram baseline and flags a shifted feature", () => {
    const baseline = { name: "services/s/health/baseline", inputs: [{ feature: "x[0]", kind: "histogram" as const, edges: [-Infinity, 2.5, 5, 7.5, Infinity], counts: [25, 25, 25, 25] }], outputs: [] };
    const same = records(Array(200).fill(1)).map((r, i) => ({ ...r, features: [(i % 10) + 0.1] }));
    expect(evaluateHealth(input({ records: same, baseline })).inputDrift[0]?.drifted).toBe(false);
    const shifted = same.map((r) => ({ ...r, features: [9.5] }));
    const report = evaluateHealth(input({ records: shifted, baseline }));
    expect(report.inputDrift[0]).toMatchObject({ feature: "x[0]", drifted: true, method: "psi" });
    expect(report.status).toBe("unhealthy");
    expect(report.reasons.find((x) => x.code === "input_drift")?.metric).toBe("input_drift.x[0]");
  });
});
