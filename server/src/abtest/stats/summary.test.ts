import { describe, expect, it } from "vitest";
import { percentile, sortedSample } from "../../health/stats/percentile.js";
import { expectClose, fixture } from "./fixture.testing.js";
import { errorRate, latencyPercentiles, rateSummary, SummaryAccumulator, variantSummary } from "./summary.js";

describe("variantSummary", () => {
  for (const [name, c] of Object.entries(fixture.welch)) {
    it(`matches numpy's mean, var(ddof=1), std, min and max when summarizing the ${name} samples`, () => {
      for (const [sample, expected] of [
        [c.a, c.summaryA],
        [c.b, c.summaryB],
      ] as const) {
        const s = variantSummary(sample);
        expect(s.n).toBe(expected.n);
        expectClose(s.mean, expected.mean, "mean", 1e-12);
        expectClose(s.variance, expected.variance, "variance", 1e-10);
        expectClose(s.std, expected.std, "std", 1e-10);
        expect(s.min).toBe(expected.min);
        expect(s.max).toBe(expected.max);
        expect(s.skipped).toBe(0);
      }
    });
  }

  it("keeps the variance when values sit far from zero", () => {
    // Σx² − n·x̄² would cancel to nothing here; Welford does not.
    const values = Array.from({ length: 1000 }, (_, i) => 1e9 + (i % 10));
    const s = variantSummary(values);
    expectClose(s.mean, 1e9 + 4.5, "mean", 1e-15);
    // The variance of 0…9 repeated 100 times, divisor n − 1: 8.25 · 1000/999.
    expectClose(s.variance, (8.25 * 1000) / 999, "variance", 1e-9);
  });

  it("gives zeros when there is no value and a zero variance when there is one", () => {
    expect(variantSummary([])).toEqual({ n: 0, mean: 0, variance: 0, std: 0, min: 0, max: 0, skipped: 0 });
    expect(variantSummary([4.5])).toEqual({ n: 1, mean: 4.5, variance: 0, std: 0, min: 4.5, max: 4.5, skipped: 0 });
    const constant = variantSummary(new Array(50).fill(0.1));
    expect(constant.variance).toBeGreaterThanOrEqual(0);
    expect(constant.variance).toBeLessThan(1e-30);
  });

  it("skips and counts non-finite values when the input contains them", () => {
    const s = variantSummary([1, Number.NaN, 3, Number.POSITIVE_INFINITY, 5, Number.NEGATIVE_INFINITY]);
    expect(s).toEqual({ n: 3, mean: 3, variance: 4, std: 2, min: 1, max: 5, skipped: 3 });
  });

  it("accepts typed arrays and iterables when given them instead of arrays", () => {
    const expected = variantSummary([2, 4, 4, 4, 5, 5, 7, 9]);
    expect(variantSummary(Float64Array.of(2, 4, 4, 4, 5, 5, 7, 9))).toEqual(expected);
    expect(variantSummary(new Set([2, 4, 5, 7, 9]).values())).toEqual(variantSummary([2, 4, 5, 7, 9]));
    expect(expected.mean).toBe(5);
    expectClose(expected.variance, 32 / 7, "variance", 1e-15);
  });
});

describe("SummaryAccumulator", () => {
  it("equals one pass when partial accumulators are merged", () => {
    const { a, b } = fixture.welch["skewed_revenue"]!;
    const all = [...a, ...b];
    const whole = variantSummary(all);
    const parts = [all.slice(0, 7), all.slice(7, 500), all.slice(500, 501), all.slice(501)];
    const merged = new SummaryAccumulator();
    for (const part of parts) merged.merge(new SummaryAccumulator().addAll(part));
    const m = merged.summary();
    expect(m.n).toBe(whole.n);
    expectClose(m.mean, whole.mean, "mean", 1e-13);
    expectClose(m.variance, whole.variance, "variance", 1e-12);
    expect(m.min).toBe(whole.min);
    expect(m.max).toBe(whole.max);
  });

  it("is unchanged when an empty accumulator is merged either way", () => {
    const acc = new SummaryAccumulator().addAll([1, 2, 3]);
    const before = acc.summary();
    expect(acc.merge(new SummaryAccumulator()).summary()).toEqual(before);
    expect(new SummaryAccumulator().merge(acc).summary()).toEqual(before);
  });

  it("gives a snapshot when summary() is read before more values arrive", () => {
    const acc = new SummaryAccumulator();
    acc.add(1).add(2);
    const first = acc.summary();
    acc.add(100);
    expect(first.n).toBe(2);
    expect(acc.n).toBe(3);
    expect(acc.summary().max).toBe(100);
  });

  it("matches numpy when fed the fixture values one at a time", () => {
    const { b, summaryB } = fixture.welch["large_offset"]!;
    const acc = new SummaryAccumulator();
    for (const v of b) acc.add(v);
    expectClose(acc.summary().variance, summaryB.variance, "variance", 1e-9);
  });
});

describe("rateSummary", () => {
  it("gives p, √(p(1 − p)) and the 0/1 extremes when given counts", () => {
    expect(rateSummary(25, 100)).toEqual({ n: 100, successes: 25, mean: 0.25, std: Math.sqrt(0.25 * 0.75), min: 0, max: 1 });
    expect(rateSummary(0, 10)).toEqual({ n: 10, successes: 0, mean: 0, std: 0, min: 0, max: 0 });
    expect(rateSummary(10, 10)).toEqual({ n: 10, successes: 10, mean: 1, std: 0, min: 1, max: 1 });
    expect(rateSummary(0, 0)).toEqual({ n: 0, successes: 0, mean: 0, std: 0, min: 0, max: 0 });
  });

  it("throws when the counts are inconsistent", () => {
    expect(() => rateSummary(11, 10)).toThrow(RangeError);
    expect(() => rateSummary(-1, 10)).toThrow(RangeError);
    expect(() => rateSummary(1.5, 10)).toThrow(RangeError);
  });
});

describe("latencyPercentiles", () => {
  it("uses the health module's percentile when given latencies in any order", () => {
    const latencies = fixture.welch["latency_lower"]!.a;
    const { sorted } = sortedSample(latencies);
    expect(latencyPercentiles(latencies)).toEqual({
      count: latencies.length,
      p50: percentile(sorted, 50),
      p95: percentile(sorted, 95),
      p99: percentile(sorted, 99),
    });
    const small = latencyPercentiles([40, 10, 30, 20]);
    expect(small).toMatchObject({ count: 4, p50: 25, p95: 38.5 });
    expect(small.p99).toBeCloseTo(39.7, 12);
  });

  it("gives zeros when there is no latency", () => {
    expect(latencyPercentiles([])).toEqual({ count: 0, p50: 0, p95: 0, p99: 0 });
    expect(latencyPercentiles([Number.NaN])).toEqual({ count: 0, p50: 0, p95: 0, p99: 0 });
  });
});

describe("errorRate", () => {
  it("divides failures by samples and is 0 when there is no sample", () => {
    expect(errorRate(3, 12)).toBe(0.25);
    expect(errorRate(0, 0)).toBe(0);
    expect(() => errorRate(5, 4)).toThrow(RangeError);
  });
});
