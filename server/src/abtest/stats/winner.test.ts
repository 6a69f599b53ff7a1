import { describe, expect, it } from "vitest";
import { fixture } from "./fixture.testing.js";
import { compareWithControl, recommendWinner, type MeanArm, type RateArm } from "./winner.js";

function meanArm(id: string, s: { n: number; mean: number; variance: number }): MeanArm {
  return { id, kind: "mean", n: s.n, mean: s.mean, variance: s.variance };
}
function rateArm(id: string, successes: number, n: number): RateArm {
  return { id, kind: "rate", successes, n };
}

const clear = fixture.welch["clear_win"]!;
const same = fixture.welch["no_difference"]!;
const latency = fixture.welch["latency_lower"]!;

describe("compareWithControl", () => {
  it("says better when the variant is significantly higher and the goal is to maximize", () => {
    const a = compareWithControl(meanArm("a", clear.summaryA), meanArm("b", clear.summaryB), { goal: "maximize" });
    expect(a).toMatchObject({ id: "b", significant: true, verdict: "better" });
    expect(a.comparison.kind).toBe("welch-t");
  });

  it("says worse when the variant is significantly higher and the goal is to minimize", () => {
    const a = compareWithControl(meanArm("a", clear.summaryA), meanArm("b", clear.summaryB), { goal: "minimize" });
    expect(a.verdict).toBe("worse");
  });

  it("says inconclusive when the difference is not significant", () => {
    const a = compareWithControl(meanArm("a", same.summaryA), meanArm("b", same.summaryB), { goal: "maximize" });
    expect(a).toMatchObject({ significant: false, verdict: "inconclusive" });
  });

  it("says inconclusive when a side has fewer than two observations", () => {
    const a = compareWithControl(meanArm("a", { n: 1, mean: 0, variance: 0 }), meanArm("b", clear.summaryB), { goal: "maximize" });
    expect(a).toMatchObject({ significant: false, verdict: "inconclusive", comparison: { kind: "insufficient" } });
  });

  it("uses the two-proportion z-test when the arms are rates", () => {
    const c = fixture.proportion["sampled"]!;
    const a = compareWithControl(rateArm("a", c.successesA, c.nA), rateArm("b", c.successesB, c.nB), { goal: "maximize" });
    expect(a.comparison.kind).toBe("two-proportion-z");
    expect(a.mean).toBe(c.pB);
    expect(a.verdict).toBe("better");
  });

  it("throws when the arms differ in kind", () => {
    expect(() => compareWithControl(rateArm("a", 1, 10), meanArm("b", clear.summaryB), { goal: "maximize" })).toThrow(RangeError);
  });
});

describe("recommendWinner", () => {
  it("recommends the variant when it is significantly better in the goal's direction", () => {
    const r = recommendWinner(meanArm("control", clear.summaryA), [meanArm("b", clear.summaryB)], { goal: "maximize" });
    expect(r).toMatchObject({ status: "winner", winnerId: "b", controlWins: false });
    if (r.status !== "winner") throw new Error("unreachable");
    expect(r.reason).toBe("variant b is significantly higher than the control control (mean 10.86 vs 10.09, lift +7.612 %, p = 3.992e-8 < 0.05)");
  });

  it("recommends the control when no variant is significantly better", () => {
    const r = recommendWinner(meanArm("control", same.summaryA), [meanArm("b", same.summaryB)], { goal: "maximize" });
    expect(r).toMatchObject({
      status: "winner",
      winnerId: "control",
      controlWins: true,
      reason: "no variant is significantly higher than the control control at alpha 0.05",
    });
  });

  it("recommends the lower variant when the goal is to minimize and the control when it is to maximize", () => {
    const control = meanArm("a", latency.summaryA);
    const variant = meanArm("b", latency.summaryB);
    expect(recommendWinner(control, [variant], { goal: "minimize" })).toMatchObject({ winnerId: "b", controlWins: false });
    const maximize = recommendWinner(control, [variant], { goal: "maximize" });
    expect(maximize).toMatchObject({ winnerId: "a", controlWins: true });
    expect(maximize.assessments[0]!.verdict).toBe("worse");
  });

  it("picks the best mean when several variants are significantly better", () => {
    const control = meanArm("control", { n: 500, mean: 10, variance: 4 });
    const r = recommendWinner(
      control,
      [
        meanArm("small", { n: 500, mean: 10.6, variance: 4 }),
        meanArm("big", { n: 500, mean: 11.2, variance: 4 }),
        meanArm("noise", { n: 500, mean: 10.05, variance: 4 }),
        meanArm("worse", { n: 500, mean: 9, variance: 4 }),
      ],
      { goal: "maximize", alpha: 0.01 },
    );
    expect(r).toMatchObject({ status: "winner", winnerId: "big" });
    if (r.status !== "winner") throw new Error("unreachable");
    expect(r.reason).toContain("the best of 2 significantly better variants");
    expect(r.assessments.map((a) => a.verdict)).toEqual(["better", "better", "inconclusive", "worse"]);
  });

  it("names each lacking arm and its count when there are not enough samples", () => {
    const r = recommendWinner(
      meanArm("control", { n: 150, mean: 1, variance: 1 }),
      [meanArm("b", { n: 42, mean: 5, variance: 1 }), meanArm("c", { n: 100, mean: 1, variance: 1 }), meanArm("d", { n: 7, mean: 1, variance: 1 })],
      { goal: "maximize", minSamples: 100 },
    );
    expect(r).toMatchObject({
      status: "not-enough-samples",
      lacking: [
        { id: "b", n: 42, required: 100 },
        { id: "d", n: 7, required: 100 },
      ],
      message: "variant b has 42 of 100 observations, variant d has 7 of 100 observations",
    });
    // The comparisons are still reported.
    expect(r.assessments.map((a) => a.id)).toEqual(["b", "c", "d"]);
    expect(r.assessments[0]!.verdict).toBe("better");
  });

  it("counts the control as lacking when it has too few samples", () => {
    const r = recommendWinner(rateArm("control", 3, 20), [rateArm("b", 60, 200)], { goal: "maximize", minSamples: 50 });
    expect(r).toMatchObject({ status: "not-enough-samples", message: "variant control has 20 of 50 observations" });
  });

  it("follows the significance level when the p-value sits between two levels", () => {
    const c = fixture.proportion["conversion"]!; // p ≈ 0.0513
    const control = rateArm("a", c.successesA, c.nA);
    const variant = rateArm("b", c.successesB, c.nB);
    expect(recommendWinner(control, [variant], { goal: "maximize", alpha: 0.05 })).toMatchObject({ winnerId: "a" });
    expect(recommendWinner(control, [variant], { goal: "maximize", alpha: 0.1 })).toMatchObject({ winnerId: "b" });
  });

  it("recommends the control when it is the only arm", () => {
    expect(recommendWinner(meanArm("c", { n: 200, mean: 1, variance: 1 }), [], { goal: "maximize" })).toMatchObject({
      status: "winner",
      winnerId: "c",
      reason: "the control c is the only arm",
    });
  });

  it("throws when ids repeat, kinds mix or options are invalid", () => {
    const control = meanArm("a", clear.summaryA);
    expect(() => recommendWinner(control, [meanArm("a", clear.summaryB)], { goal: "maximize" })).toThrow(/duplicate/);
    expect(() => recommendWinner(control, [rateArm("b", 1, 10)], { goal: "maximize" })).toThrow(RangeError);
    expect(() => recommendWinner(control, [], { goal: "maximize", alpha: 0 })).toThrow(RangeError);
    expect(() => recommendWinner(control, [], { goal: "maximize", minSamples: -1 })).toThrow(RangeError);
    expect(() => recommendWinner(control, [], { goal: "up" as never })).toThrow(RangeError);
  });
});
