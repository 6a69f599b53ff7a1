import { describe, expect, it } from "vitest";
import { windowColumns, windowStats, type WindowRecord } from "./window.js";

const T0 = 1_700_000_000_000;

/** Ten records, one every second from T0; records 3 and 7 failed; record 5 has no confidence. */
const RECORDS: WindowRecord[] = [
  { time: T0 + 0, latencyMs: 12, error: false, confidence: 0.9, features: [1, 10], outputs: [0.9] },
  { time: T0 + 1000, latencyMs: 8, error: false, confidence: 0.8, features: [2, 20], outputs: [0.8] },
  { time: T0 + 2000, latencyMs: 30, error: false, confidence: 0.7, features: [3, 30], outputs: [0.7] },
  { time: T0 + 3000, latencyMs: 100, error: "INVALID_INPUT", confidence: 0, features: [4, 40] },
  { time: T0 + 4000, latencyMs: 15, error: "", confidence: 0.6, features: [5, 50], outputs: [0.6] },
  { time: T0 + 5000, latencyMs: 9, error: false, confidence: Number.NaN, features: [6, 60] },
  { time: T0 + 6000, latencyMs: 11, error: false, confidence: 0.5, features: [7, 70], outputs: [0.5] },
  { time: T0 + 7000, latencyMs: 50, error: true, confidence: 0, features: [8] },
  { time: T0 + 8000, latencyMs: 10, error: false, confidence: 1, features: [9, 90], outputs: [1] },
  { time: T0 + 9000, latencyMs: 14, error: false, confidence: 0.95, features: [10, 100], outputs: [0.95] },
];

describe("windowStats", () => {
  it("computes the hand-computed figures when the window holds records 2 to 7", () => {
    // [T0+2000, T0+8000): records 2..7, latencies 30 100 15 9 11 50 → sorted 9 11 15 30 50 100.
    const s = windowStats(RECORDS, T0 + 2000, T0 + 8000);
    expect(s.requestCount).toBe(6);
    expect(s.errorCount).toBe(2);
    expect(s.errorRate).toBe(2 / 6);
    expect(s.requestRate).toBe(1); // 6 requests over 6 s
    expect(s.latency.count).toBe(6);
    expect(s.latency.min).toBe(9);
    expect(s.latency.max).toBe(100);
    expect(s.latency.mean).toBeCloseTo(215 / 6, 12);
    expect(s.latency.p50).toBe(22.5); // h = 2.5: halfway between 15 and 30
    expect(s.latency.p95).toBeCloseTo(87.5, 12); // h = 4.75: 50 + 0.75·50
    expect(s.latency.p99).toBeCloseTo(97.5, 12); // h = 4.95: 50 + 0.95·50
    // Confidences 0.7 0 0.6 (NaN skipped) 0.5 0 → 1.8 / 5.
    expect(s.confidenceCount).toBe(5);
    expect(s.meanConfidence).toBeCloseTo(1.8 / 5, 12);
  });

  it("excludes a record at the end when the window is half-open", () => {
    const s = windowStats(RECORDS, T0, T0 + 1000);
    expect(s.requestCount).toBe(1);
    expect(s.requestRate).toBe(1);
  });

  it("computes the rate over the whole window when it is longer than the traffic", () => {
    const s = windowStats(RECORDS, T0, T0 + 60_000);
    expect(s.requestCount).toBe(10);
    expect(s.requestRate).toBeCloseTo(10 / 60, 12);
    expect(s.errorRate).toBe(0.2);
  });

  it("gives zero counts and NaN rates when the window is empty", () => {
    const s = windowStats(RECORDS, T0 + 100_000, T0 + 160_000);
    expect(s).toMatchObject({ requestCount: 0, errorCount: 0, requestRate: 0, confidenceCount: 0 });
    expect(s.errorRate).toBeNaN();
    expect(s.meanConfidence).toBeNaN();
    expect(s.latency.p99).toBeNaN();
  });

  it("accepts records in any order when they are not sorted by time", () => {
    expect(windowStats([...RECORDS].reverse(), T0 + 2000, T0 + 8000)).toEqual(windowStats(RECORDS, T0 + 2000, T0 + 8000));
  });

  it("throws when the window is empty or inverted", () => {
    expect(() => windowStats(RECORDS, T0, T0)).toThrow(RangeError);
    expect(() => windowStats(RECORDS, T0 + 1, T0)).toThrow(RangeError);
  });

  it("takes well under a second when the window holds 100k records", () => {
    const records = Array.from({ length: 100_000 }, (_, i): WindowRecord => ({
      time: T0 + i,
      latencyMs: (i * 37) % 101,
      error: i % 50 === 0,
      confidence: (i % 10) / 10,
    }));
    const t0 = performance.now();
    const s = windowStats(records, T0, T0 + 100_000);
    expect(performance.now() - t0).toBeLessThan(500);
    expect(s.errorRate).toBe(0.02);
    expect(s.requestRate).toBe(1000);
  });
});

describe("windowColumns", () => {
  it("gives one column per feature position when records are in the window", () => {
    expect(windowColumns(RECORDS, T0 + 6000, T0 + 9000)).toEqual({ "0": [7, 8, 9], "1": [70, 90] });
  });

  it("names the columns when names are given", () => {
    expect(windowColumns(RECORDS, T0, T0 + 2000, "features", { names: ["a", "b"] })).toEqual({ a: [1, 2], b: [10, 20] });
  });

  it("reads outputs and skips failed calls when asked", () => {
    expect(windowColumns(RECORDS, T0, T0 + 10_000, "outputs")).toEqual({ "0": [0.9, 0.8, 0.7, 0.6, 0.5, 1, 0.95] });
    expect(windowColumns(RECORDS, T0 + 6000, T0 + 9000, "features", { skipErrors: true })).toEqual({ "0": [7, 9], "1": [70, 90] });
  });
});
