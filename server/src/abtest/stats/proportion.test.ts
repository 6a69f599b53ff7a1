import { describe, expect, it } from "vitest";
import { expectClose, fixture } from "./fixture.testing.js";
import { twoProportionZTest, type TwoProportionZTestResult } from "./proportion.js";

function ok(result: ReturnType<typeof twoProportionZTest>): TwoProportionZTestResult {
  if (result.kind !== "two-proportion-z") throw new Error(`expected a comparison, got ${result.reason}`);
  return result;
}

describe("twoProportionZTest", () => {
  for (const [name, c] of Object.entries(fixture.proportion)) {
    it(`matches numpy/scipy's pooled z, 2·norm.sf and unpooled norm.ppf interval when comparing ${name}`, () => {
      const r = ok(twoProportionZTest(c.successesA, c.nA, c.successesB, c.nB, fixture.confidence));
      expectClose(r.pA, c.pA, "pA");
      expectClose(r.pB, c.pB, "pB");
      expectClose(r.pooled, c.pooled, "pooled");
      expectClose(r.z, c.z, "z");
      expectClose(r.z * r.z, c.chi2, "z² vs Pearson χ²");
      expectClose(r.pValue, c.pValue, "pValue");
      expectClose(r.diff, c.diff, "diff");
      expectClose(r.standardError, c.standardError, "pooled se");
      expectClose(r.ciStandardError, c.ciStandardError, "unpooled se");
      expectClose(r.criticalValue, c.criticalValue, "critical value");
      expectClose(r.ciLow, c.ciLow, "ciLow");
      expectClose(r.ciHigh, c.ciHigh, "ciHigh");
      if (c.lift === null) {
        expect(r.lift).toBeUndefined();
      } else {
        expectClose(r.lift!.value, c.lift.value, "lift");
        expectClose(r.lift!.ciLow, c.lift.ciLow, "lift ciLow");
        expectClose(r.lift!.ciHigh, c.lift.ciHigh, "lift ciHigh");
      }
      expect(r.degenerate).toBe(false);
      for (const [level, interval] of Object.entries(c.byConfidence)) {
        const q = ok(twoProportionZTest(c.successesA, c.nA, c.successesB, c.nB, Number(level)));
        expectClose(q.criticalValue, interval.criticalValue, `critical value at ${level}`);
        expectClose(q.ciLow, interval.ciLow, `ciLow at ${level}`);
        expectClose(q.ciHigh, interval.ciHigh, `ciHigh at ${level}`);
      }
    });
  }

  it("returns z = 0, p = 1 and an empty interval when both rates are 0", () => {
    const r = ok(twoProportionZTest(0, 100, 0, 150));
    expect(r).toMatchObject({ z: 0, pValue: 1, diff: 0, ciLow: 0, ciHigh: 0, pooled: 0, degenerate: true });
    expect(r.lift).toBeUndefined();
  });

  it("returns z = 0, p = 1 and a zero lift when both rates are 1", () => {
    const r = ok(twoProportionZTest(40, 40, 7, 7));
    expect(r).toMatchObject({ z: 0, pValue: 1, diff: 0, ciLow: 0, ciHigh: 0, pooled: 1, degenerate: true });
    expect(r.lift).toEqual({ value: 0, ciLow: 0, ciHigh: 0 });
  });

  it("gives a finite z and a zero-width interval when one side is all 0 and the other all 1", () => {
    const r = ok(twoProportionZTest(0, 30, 30, 30));
    expect(r.degenerate).toBe(false);
    expectClose(r.z, 1 / Math.sqrt(0.25 * (2 / 30)), "z", 1e-15);
    expect(r.pValue).toBeLessThan(1e-12);
    expect([r.ciLow, r.ciHigh]).toEqual([1, 1]);
  });

  it("returns an insufficient marker when a side has fewer than two observations", () => {
    const r = twoProportionZTest(1, 1, 5, 10);
    expect(r).toMatchObject({ kind: "insufficient", nA: 1, nB: 10, required: 2 });
    expect(twoProportionZTest(0, 0, 0, 0).kind).toBe("insufficient");
  });

  it("negates z and keeps p when the sides are swapped", () => {
    for (const c of Object.values(fixture.proportion)) {
      const ab = ok(twoProportionZTest(c.successesA, c.nA, c.successesB, c.nB));
      const ba = ok(twoProportionZTest(c.successesB, c.nB, c.successesA, c.nA));
      expect(ba.z).toBe(-ab.z);
      expect(ba.pValue).toBe(ab.pValue);
      expectClose(ba.ciHigh, -ab.ciLow, "ci", 1e-12, 1e-15);
    }
  });

  it("lowers p when the variant's successes grow above the control's", () => {
    let previous = 1;
    for (let x = 100; x <= 200; x += 5) {
      const p = ok(twoProportionZTest(100, 1000, x, 1000)).pValue;
      expect(p).toBeLessThanOrEqual(previous);
      previous = p;
    }
  });

  it("throws when the counts or the confidence are invalid", () => {
    expect(() => twoProportionZTest(11, 10, 1, 10)).toThrow(RangeError);
    expect(() => twoProportionZTest(1, 10, -1, 10)).toThrow(RangeError);
    expect(() => twoProportionZTest(1, 10.5, 1, 10)).toThrow(RangeError);
    expect(() => twoProportionZTest(1, 10, 1, 10, 1.2)).toThrow(RangeError);
  });
});
