import { describe, expect, it } from "vitest";
import {
  buildBaseline,
  DEFAULT_DRIFT_THRESHOLDS,
  driftReport,
  type DriftMethod,
  type FeatureDrift,
  type FeatureSample,
} from "./drift.js";
import { uniformEdges } from "./histogram.js";
import { expectClose, fixture } from "./fixture.testing.js";

const f = fixture.features;

/** Unshifted current samples (same distribution as the baseline, other seed). */
const UNSHIFTED: [string, FeatureSample, FeatureSample][] = [
  ["x_normal", f.x_normal.baseline, f.x_normal.cases["same"]!.sample],
  ["x_lognormal", f.x_lognormal.baseline, f.x_lognormal.cases["same"]!.sample],
  ["x_poisson", f.x_poisson.baseline, f.x_poisson.cases["same"]!.sample],
  ["x_constant", f.x_constant.baseline, f.x_constant.cases["same"]!.sample],
  ["confidence", f.confidence.baseline, f.confidence.cases["same"]!.sample],
  ["color", f.color.baseline, f.color.cases["same"]!.sample],
];

/** Shifted current samples that both methods must flag at the default thresholds. */
const SHIFTED: [string, string, FeatureSample, FeatureSample][] = [
  ["x_normal", "mean shifted by 0.5 sd", f.x_normal.baseline, f.x_normal.cases["mean_shift_0_5sd"]!.sample],
  ["x_normal", "mean shifted by 1 sd", f.x_normal.baseline, f.x_normal.cases["mean_shift_1sd"]!.sample],
  ["x_normal", "sd doubled", f.x_normal.baseline, f.x_normal.cases["scale_2x"]!.sample],
  ["x_lognormal", "scaled by 1.3", f.x_lognormal.baseline, f.x_lognormal.cases["scale_1_3x"]!.sample],
  ["x_poisson", "rate 3 → 4", f.x_poisson.baseline, f.x_poisson.cases["rate_4"]!.sample],
  ["x_constant", "30 % moved above the constant", f.x_constant.baseline, f.x_constant.cases["some_above"]!.sample],
  ["confidence", "confidence degraded", f.confidence.baseline, f.confidence.cases["degraded"]!.sample],
  ["color", "frequencies changed", f.color.baseline, f.color.cases["changed"]!.sample],
  ["color", "a new category appeared", f.color.baseline, f.color.cases["new_category"]!.sample],
];

const UNIFORM = { confidence: [0, 1] } as const;

function one(method: DriftMethod, feature: string, baseline: FeatureSample, current: FeatureSample): FeatureDrift {
  const [report] = driftReport({ [feature]: baseline }, { [feature]: current }, { method, uniform: UNIFORM });
  return report!;
}

describe("driftReport", () => {
  for (const method of ["psi", "js"] as const) {
    for (const [feature, baseline, current] of UNSHIFTED) {
      it(`reports no drift by ${method} when ${feature} keeps its distribution`, () => {
        const r = one(method, feature, baseline, current);
        expect(r.drifted).toBe(false);
        expect(r.score).toBeLessThan(DEFAULT_DRIFT_THRESHOLDS[method] / 2);
        expect(r.threshold).toBe(DEFAULT_DRIFT_THRESHOLDS[method]);
      });
    }
    for (const [feature, change, baseline, current] of SHIFTED) {
      it(`reports drift by ${method} when ${feature} has its ${change}`, () => {
        const r = one(method, feature, baseline, current);
        expect(r.drifted).toBe(true);
        expect(r.score).toBeGreaterThan(r.threshold);
      });
    }
  }

  it("scores each feature with the fixture's PSI and JS when given the baseline samples", () => {
    for (const [name, feature] of Object.entries(fixture.features)) {
      for (const [caseName, c] of Object.entries(feature.cases)) {
        if (c.sample.length < 100) continue;
        const label = `${name}/${caseName}`;
        expectClose(one("psi", name, feature.baseline, c.sample).score, c.psi, 1e-9, label);
        expectClose(one("js", name, feature.baseline, c.sample).score, c.js, 1e-9, label);
      }
    }
  });

  it("reports a PSI in the moderate band but JS drift when the sd grows by half", () => {
    const current = f.x_normal.cases["scale_1_5x"]!.sample;
    const byPsi = one("psi", "x_normal", f.x_normal.baseline, current);
    expect(byPsi.score).toBeGreaterThan(0.1);
    expect(byPsi.drifted).toBe(false);
    expect(one("js", "x_normal", f.x_normal.baseline, current).drifted).toBe(true);
  });

  it("reports NaN and no drift when the current window has too few samples", () => {
    const small = f.x_normal.cases["small"]!;
    const r = one("psi", "x_normal", f.x_normal.baseline, small.sample);
    expect(r).toMatchObject({ drifted: false, sampleCount: 50, baselineCount: 3000, reason: "too-few-samples" });
    expect(r.score).toBeNaN();
    // The same 50 values would otherwise score above the threshold: sampling noise, not drift.
    expect(small.psi).toBeGreaterThan(DEFAULT_DRIFT_THRESHOLDS.psi);
    expect(driftReport({ x: f.x_normal.baseline }, { x: small.sample }, { minSamples: 50 })[0]!.score).toBeCloseTo(small.psi, 12);
  });

  it("reports NaN and no drift when the baseline has too few samples", () => {
    const r = driftReport({ x: [1, 2, 3] }, { x: f.x_normal.baseline })[0]!;
    expect(r).toMatchObject({ drifted: false, baselineCount: 3, reason: "too-few-samples" });
  });

  it("ignores NaN values and does not count them when the current window contains NaN", () => {
    const current = [...f.x_normal.cases["same"]!.sample, Number.NaN, Number.NaN];
    const r = one("psi", "x_normal", f.x_normal.baseline, current);
    expect(r.sampleCount).toBe(1500);
    expectClose(r.score, f.x_normal.cases["same"]!.psi);
  });

  it("reports a feature with sample count 0 when it is missing from the current window", () => {
    const [r] = driftReport({ x: f.x_normal.baseline }, {});
    expect(r).toMatchObject({ feature: "x", sampleCount: 0, drifted: false, reason: "too-few-samples" });
  });

  it("reports no-baseline when a current feature has no baseline", () => {
    const report = driftReport({ a: f.x_normal.baseline }, { a: f.x_normal.baseline, b: [1, 2, 3], c: ["x", null] });
    expect(report.map((r) => [r.feature, r.kind, r.reason ?? "", r.sampleCount])).toEqual([
      ["a", "numeric", "", 3000],
      ["b", "numeric", "no-baseline", 3],
      ["c", "categorical", "no-baseline", 1],
    ]);
  });

  it("scores 0 when a constant feature stays constant", () => {
    const r = driftReport({ k: new Array(500).fill(3) }, { k: new Array(200).fill(3) })[0]!;
    expect(r.score).toBe(0);
    expect(r.drifted).toBe(false);
  });

  it("reports drift when a constant feature moves either way", () => {
    const base = { k: new Array(500).fill(3) };
    expect(driftReport(base, { k: new Array(200).fill(3.0001) })[0]!.drifted).toBe(true);
    expect(driftReport(base, { k: new Array(200).fill(2.9999) })[0]!.drifted).toBe(true);
  });

  it("reports drift when a varied feature becomes constant", () => {
    expect(driftReport({ x: f.x_normal.baseline }, { x: new Array(500).fill(10) })[0]!.drifted).toBe(true);
  });

  it("treats numbers as categories when the feature is listed as categorical", () => {
    const base = Array.from({ length: 400 }, (_, i) => i % 4);
    const current = Array.from({ length: 400 }, (_, i) => (i % 8 === 0 ? 7 : i % 4));
    const [r] = driftReport({ cls: base }, { cls: current }, { categorical: ["cls"] });
    expect(r).toMatchObject({ kind: "categorical", drifted: true });
  });

  it("gives the same report when the baseline is prebuilt as when it is given as samples", () => {
    const samples = { x_normal: f.x_normal.baseline, color: f.color.baseline, confidence: f.confidence.baseline };
    const current = {
      x_normal: f.x_normal.cases["mean_shift_0_5sd"]!.sample,
      color: f.color.cases["changed"]!.sample,
      confidence: f.confidence.cases["same"]!.sample,
    };
    const prebuilt = buildBaseline(samples, { uniform: UNIFORM });
    expect(prebuilt.get("confidence")).toMatchObject({ kind: "numeric", edges: uniformEdges(0, 1, 10) });
    for (const method of ["psi", "js"] as const) {
      expect(driftReport(prebuilt, current, { method })).toEqual(driftReport(samples, current, { method, uniform: UNIFORM }));
    }
  });

  it("uses the given threshold and bins when options set them", () => {
    const current = f.x_normal.cases["scale_1_5x"]!.sample;
    const r = driftReport({ x: f.x_normal.baseline }, { x: current }, { threshold: 0.1, bins: 20 })[0]!;
    expect(r.threshold).toBe(0.1);
    expect(r.drifted).toBe(true);
  });

  it("takes well under a second when given 100k-value windows of several features", () => {
    const make = (seed: number) => Float64Array.from({ length: 100_000 }, (_, i) => Math.sin(i * seed));
    const baseline = { a: make(1), b: make(2), c: make(3) };
    const current = { a: make(4), b: make(5), c: make(6) };
    const t0 = performance.now();
    const report = driftReport(baseline, current, { method: "js" });
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(report).toHaveLength(3);
  });
});
