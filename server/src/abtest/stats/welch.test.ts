import { describe, expect, it } from "vitest";
import { expectClose, fixture, type FixtureLift } from "./fixture.testing.js";
import type { LiftEstimate } from "./comparison.js";
import { variantSummary } from "./summary.js";
import { welchTTest, type WelchTTestResult } from "./welch.js";

function ok(result: ReturnType<typeof welchTTest>): WelchTTestResult {
  if (result.kind !== "welch-t") throw new Error(`expected a comparison, got ${result.reason}`);
  return result;
}

function expectLift(actual: LiftEstimate | undefined, expected: FixtureLift | null): void {
  if (expected === null) {
    expect(actual).toBeUndefined();
    return;
  }
  expect(actual).toBeDefined();
  expectClose(actual!.value, expected.value, "lift");
  expectClose(actual!.ciLow, expected.ciLow, "lift ciLow");
  expectClose(actual!.ciHigh, expected.ciHigh, "lift ciHigh");
}

describe("welchTTest", () => {
  for (const [name, c] of Object.entries(fixture.welch)) {
    it(`matches scipy's ttest_ind(equal_var=False) and its t.ppf interval when comparing ${name}`, () => {
      const r = ok(welchTTest(variantSummary(c.a), variantSummary(c.b), fixture.confidence));
      expectClose(r.t, c.t, "t");
      expectClose(r.df, c.df, "df");
      expectClose(r.pValue, c.pValue, "pValue");
      expectClose(r.diff, c.diff, "diff");
      expectClose(r.standardError, c.standardError, "se");
      expectClose(r.criticalValue, c.criticalValue, "critical value");
      expectClose(r.ciLow, c.ciLow, "ciLow");
      expectClose(r.ciHigh, c.ciHigh, "ciHigh");
      expectLift(r.lift, c.lift);
      expect(r.zeroVariance).toBe(false);
      for (const [level, interval] of Object.entries(c.byConfidence)) {
        const q = ok(welchTTest(c.summaryA, c.summaryB, Number(level)));
        expectClose(q.criticalValue, interval.criticalValue, `critical value at ${level}`);
        expectClose(q.ciLow, interval.ciLow, `ciLow at ${level}`);
        expectClose(q.ciHigh, interval.ciHigh, `ciHigh at ${level}`);
      }
    });
  }

  it("gives df = n − 1 of the other side when one side is constant", () => {
    const c = fixture.welch["one_constant"]!;
    expect(c.summaryA.variance).toBe(0);
    expectClose(ok(welchTTest(c.summaryA, c.summaryB)).df, c.summaryB.n - 1, "df", 1e-15);
  });

  it("returns t = 0 and p = 1 when both sides are constant and equal", () => {
    const r = ok(welchTTest({ n: 5, mean: 3, variance: 0 }, { n: 8, mean: 3, variance: 0 }));
    expect(r).toMatchObject({ t: 0, pValue: 1, diff: 0, ciLow: 0, ciHigh: 0, standardError: 0, df: 11, zeroVariance: true });
    expect(r.lift).toEqual({ value: 0, ciLow: 0, ciHigh: 0 });
  });

  it("returns an infinite t and p = 0 when both sides are constant and differ", () => {
    const up = ok(welchTTest({ n: 5, mean: 3, variance: 0 }, { n: 8, mean: 4, variance: 0 }));
    expect(up).toMatchObject({ t: Number.POSITIVE_INFINITY, pValue: 0, diff: 1, ciLow: 1, ciHigh: 1, zeroVariance: true });
    const down = ok(welchTTest({ n: 5, mean: 3, variance: 0 }, { n: 8, mean: 2, variance: 0 }));
    expect(down.t).toBe(Number.NEGATIVE_INFINITY);
    expect(Number.isFinite(down.criticalValue)).toBe(true);
  });

  it("returns an insufficient marker when a side has fewer than two observations", () => {
    const r = welchTTest({ n: 1, mean: 3, variance: 0 }, { n: 10, mean: 4, variance: 1 });
    expect(r).toEqual({
      kind: "insufficient",
      nA: 1,
      nB: 10,
      required: 2,
      reason: "side A has 1 observation; a comparison needs at least 2 per side",
    });
    const both = welchTTest(variantSummary([]), variantSummary([1]));
    expect(both.kind).toBe("insufficient");
    if (both.kind === "insufficient") expect(both.reason).toBe("side A has 0 observations and side B has 1 observation; a comparison needs at least 2 per side");
  });

  it("leaves the lift undefined when the control mean is 0", () => {
    const r = ok(welchTTest({ n: 10, mean: 0, variance: 1 }, { n: 10, mean: 0.5, variance: 1 }));
    expect(r.lift).toBeUndefined();
    expect(Number.isFinite(r.pValue)).toBe(true);
  });

  it("divides by |mean_A| when the control mean is negative", () => {
    const c = fixture.welch["negative_control_mean"]!;
    const r = ok(welchTTest(c.summaryA, c.summaryB));
    expect(c.summaryA.mean).toBeLessThan(0);
    expect(r.diff).toBeGreaterThan(0);
    expect(r.lift!.value).toBeGreaterThan(0);
    expectClose(r.lift!.value, r.diff / Math.abs(c.summaryA.mean), "lift", 1e-15);
  });

  it("mirrors t, diff and the interval and keeps p and df when the sides are swapped", () => {
    for (const c of Object.values(fixture.welch)) {
      const ab = ok(welchTTest(c.summaryA, c.summaryB));
      const ba = ok(welchTTest(c.summaryB, c.summaryA));
      expect(ba.t).toBe(-ab.t);
      expect(ba.diff).toBe(-ab.diff);
      expect(ba.pValue).toBe(ab.pValue);
      expectClose(ba.df, ab.df, "df", 1e-14);
      expectClose(ba.ciLow, -ab.ciHigh, "ciLow", 1e-12, 1e-15);
    }
  });

  it("is significant exactly when the interval excludes 0 when the level is the same", () => {
    for (const c of Object.values(fixture.welch)) {
      for (const confidence of [0.8, 0.95, 0.99]) {
        const r = ok(welchTTest(c.summaryA, c.summaryB, confidence));
        const excludesZero = r.ciLow > 0 || r.ciHigh < 0;
        expect(r.pValue < 1 - confidence, `p=${r.pValue} ci=[${r.ciLow}, ${r.ciHigh}]`).toBe(excludesZero);
      }
    }
  });

  it("lowers p when the difference of means grows and widens the interval when the confidence grows", () => {
    let previousP = 1;
    for (let shift = 0; shift <= 2; shift += 0.1) {
      const r = ok(welchTTest({ n: 50, mean: 10, variance: 4 }, { n: 60, mean: 10 + shift, variance: 9 }));
      expect(r.pValue).toBeLessThanOrEqual(previousP);
      previousP = r.pValue;
    }
    let previousWidth = 0;
    for (const confidence of [0.8, 0.9, 0.95, 0.99, 0.999]) {
      const r = ok(welchTTest({ n: 50, mean: 10, variance: 4 }, { n: 60, mean: 11, variance: 9 }, confidence));
      expect(r.ciHigh - r.ciLow).toBeGreaterThan(previousWidth);
      previousWidth = r.ciHigh - r.ciLow;
    }
  });

  it("throws when a summary or the confidence is invalid", () => {
    const good = { n: 10, mean: 1, variance: 1 };
    expect(() => welchTTest({ n: 2.5, mean: 1, variance: 1 }, good)).toThrow(RangeError);
    expect(() => welchTTest({ n: 10, mean: Number.NaN, variance: 1 }, good)).toThrow(RangeError);
    expect(() => welchTTest(good, { n: 10, mean: 1, variance: -1 })).toThrow(RangeError);
    expect(() => welchTTest(good, good, 1)).toThrow(RangeError);
    expect(() => welchTTest(good, good, 0)).toThrow(RangeError);
  });
});
