import { describe, expect, it } from "vitest";
import { compensatedSum, percentile, quantileSorted, sortedSample, summarize } from "./percentile.js";
import { expectClose, fixture } from "./fixture.testing.js";

describe("percentile", () => {
  for (const [name, { sample, percentiles }] of Object.entries(fixture.latency)) {
    it(`equals numpy's linear percentile exactly when computed on ${name}`, () => {
      const { sorted } = sortedSample(sample);
      for (const [p, expected] of Object.entries(percentiles)) {
        expect(percentile(sorted, Number(p)), `p${p}`).toBe(expected);
      }
    });
  }

  it("interpolates between the closest ranks when the rank is fractional", () => {
    // h = (4 − 1) · 0.5 = 1.5 → halfway between 20 and 30.
    expect(percentile([10, 20, 30, 40], 50)).toBe(25);
    expect(percentile([10, 20, 30, 40], 0)).toBe(10);
    expect(percentile([10, 20, 30, 40], 100)).toBe(40);
    expect(quantileSorted([10, 20, 30, 40], 1 / 3)).toBe(20);
  });

  it("returns the value when the sample holds a single value", () => {
    for (const p of [0, 50, 99, 100]) expect(percentile([7], p)).toBe(7);
  });

  it("returns NaN when the sample is empty", () => {
    expect(percentile([], 50)).toBeNaN();
  });

  it("throws when p is outside [0, 100]", () => {
    expect(() => percentile([1], 101)).toThrow(RangeError);
    expect(() => percentile([1], -1)).toThrow(RangeError);
    expect(() => percentile([1], Number.NaN)).toThrow(RangeError);
    expect(() => quantileSorted([1], 1.5)).toThrow(RangeError);
  });
});

describe("summarize", () => {
  it("matches numpy's p50/p95/p99 and mean when given an unsorted latency sample", () => {
    const { sample, percentiles, mean } = fixture.latency["lognormal_1001"]!;
    const s = summarize(sample);
    expect(s.count).toBe(1001);
    expect(s.nanCount).toBe(0);
    expect(s.p50).toBe(percentiles["50.0"]);
    expect(s.p95).toBe(percentiles["95.0"]);
    expect(s.p99).toBe(percentiles["99.0"]);
    expect(s.min).toBe(percentiles["0.0"]);
    expect(s.max).toBe(percentiles["100.0"]);
    expectClose(s.mean, mean, 1e-12);
  });

  it("ignores NaN and counts it when the sample contains NaN", () => {
    const s = summarize([3, Number.NaN, 1, 2, Number.NaN]);
    expect(s).toEqual({ count: 3, nanCount: 2, mean: 2, p50: 2, p95: 2.9, p99: 2.98, min: 1, max: 3 });
  });

  it("gives count 0 and NaN figures when the sample is empty or all NaN", () => {
    for (const values of [[], [Number.NaN]]) {
      const s = summarize(values);
      expect(s.count).toBe(0);
      expect(s.nanCount).toBe(values.length);
      for (const k of ["mean", "p50", "p95", "p99", "min", "max"] as const) expect(s[k]).toBeNaN();
    }
  });

  it("gives the value for every figure when the sample holds a single value", () => {
    expect(summarize([4.5])).toEqual({ count: 1, nanCount: 0, mean: 4.5, p50: 4.5, p95: 4.5, p99: 4.5, min: 4.5, max: 4.5 });
  });

  it("does not modify its input when summarizing", () => {
    const values = [3, 1, 2];
    summarize(values);
    expect(values).toEqual([3, 1, 2]);
  });

  it("takes well under a second when given 100k values", () => {
    const values = Float64Array.from({ length: 100_000 }, (_, i) => ((i * 7919) % 100_003) / 7);
    const t0 = performance.now();
    const s = summarize(values);
    expect(performance.now() - t0).toBeLessThan(500);
    expect(s.count).toBe(100_000);
  });
});

describe("compensatedSum", () => {
  it("keeps small terms when they are added to a large one", () => {
    expect(compensatedSum([1e16, 1, 1, -1e16])).toBe(2);
  });
});
