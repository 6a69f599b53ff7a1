import { describe, expect, it } from "vitest";
import { bestMember, majorityVote, weightedAverage } from "./combine.js";
import { EnsembleStrategyError, type CombinedAnswer, type CombinedClassification, type CombinedRegression } from "./common.js";
import { cls, fail, reg } from "./testing.js";

function asCls(a: CombinedAnswer): CombinedClassification {
  if (a.kind !== "classification") throw new Error("expected classification");
  return a;
}
function asReg(a: CombinedAnswer): CombinedRegression {
  if (a.kind !== "regression") throw new Error("expected regression");
  return a;
}
function expectClose(actual: ArrayLike<number>, expected: readonly number[], digits = 12) {
  expect(actual.length).toBe(expected.length);
  expected.forEach((e, i) => expect(actual[i]).toBeCloseTo(e, digits));
}
function code(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof EnsembleStrategyError) return e.code;
    throw e;
  }
  return "none";
}

const AB = ["a", "b"];
const three = [
  cls("m1", AB, [
    [0.9, 0.1],
    [0.2, 0.8],
  ]),
  cls("m2", AB, [
    [0.6, 0.4],
    [0.3, 0.7],
  ]),
  cls("m3", AB, [
    [0.2, 0.8],
    [0.6, 0.4],
  ]),
];

describe("weightedAverage", () => {
  it("averages probabilities with the weights (hand-computed)", () => {
    const out = asCls(weightedAverage(three, [0.5, 0.3, 0.2]));
    // row 0: a = .5·.9 + .3·.6 + .2·.2 = .67; row 1: a = .5·.2 + .3·.3 + .2·.6 = .31
    expectClose(out.probabilities, [0.67, 0.33, 0.31, 0.69]);
    expect(out.classes).toEqual(["a", "b"]);
    expect(out.labels).toEqual(["a", "b"]);
    expectClose(out.confidences, [0.67, 0.69]);
    expect(out.answered).toEqual(["m1", "m2", "m3"]);
    expect(out.failed).toEqual([]);
  });

  it("unnormalised weights give the same answer", () => {
    const a = asCls(weightedAverage(three, [5, 3, 2]));
    expectClose(a.probabilities, [0.67, 0.33, 0.31, 0.69]);
  });

  it("excludes failed members and renormalises the others' weights", () => {
    const answers = [three[0]!, fail("m2", "deadline exceeded"), three[2]!];
    const out = asCls(weightedAverage(answers, [0.5, 0.3, 0.2]));
    // weights .5/.7 and .2/.7: row 0 a = (.45 + .04)/.7 = .7; row 1 a = (.10 + .12)/.7
    expectClose(out.probabilities, [0.7, 0.3, 0.22 / 0.7, 0.48 / 0.7]);
    expect(out.labels).toEqual(["a", "b"]);
    expect(out.answered).toEqual(["m1", "m3"]);
    expect(out.failed).toEqual([{ member: "m2", error: "deadline exceeded" }]);
  });

  it("aligns classes by label across members (union, missing class = 0)", () => {
    const answers = [cls("m1", ["a", "b"], [[0.7, 0.3]]), cls("m2", ["b", "c"], [[0.6, 0.4]]), cls("m3", ["c", "a", "b"], [[0.1, 0.5, 0.4]])];
    const out = asCls(weightedAverage(answers, [1, 1, 1]));
    expect(out.classes).toEqual(["a", "b", "c"]);
    // a = (.7 + 0 + .5)/3, b = (.3 + .6 + .4)/3, c = (0 + .4 + .1)/3
    expectClose(out.probabilities, [0.4, 1.3 / 3, 0.5 / 3]);
    expect(out.labels).toEqual(["b"]);
    const ordered = asCls(weightedAverage(answers, [1, 1, 1], { classes: ["c", "b", "a"] }));
    expect(ordered.classes).toEqual(["c", "b", "a"]);
    expectClose(ordered.probabilities, [0.5 / 3, 1.3 / 3, 0.4]);
  });

  it("averages regression values (hand-computed)", () => {
    const answers = [reg("m1", [1, 2]), reg("m2", [3, 4]), reg("m3", [5, 0])];
    const out = asReg(weightedAverage(answers, [1, 1, 2]));
    expectClose(out.values, [3.5, 1.5]); // (1+3+10)/4, (2+4+0)/4
    const without = asReg(weightedAverage([answers[0]!, fail("m2"), answers[2]!], [1, 1, 2]));
    expectClose(without.values, [11 / 3, 2 / 3]); // (1 + 10)/3, (2 + 0)/3
    expect(without.failed).toEqual([{ member: "m2", error: "timeout" }]);
  });

  it("all-zero weights become equal weights; argmax ties go to the first class", () => {
    const out = asCls(weightedAverage([cls("m1", AB, [[0.8, 0.2]]), cls("m2", AB, [[0.2, 0.8]])], [0, 0]));
    expectClose(out.probabilities, [0.5, 0.5]);
    expect(out.labels).toEqual(["a"]);
  });

  it("rejects unusable inputs with a coded error", () => {
    expect(code(() => weightedAverage([fail("m1"), fail("m2")], [1, 1]))).toBe("NO_ANSWERS");
    expect(code(() => weightedAverage([three[0]!, reg("m2", [1, 2])], [1, 1]))).toBe("MIXED_TASKS");
    expect(code(() => weightedAverage([reg("m1", [1]), reg("m2", [1, 2])], [1, 1]))).toBe("SHAPE_MISMATCH");
    expect(code(() => weightedAverage(three, [1, 1]))).toBe("INVALID_WEIGHTS");
    expect(code(() => weightedAverage(three, [1, -1, 1]))).toBe("INVALID_WEIGHTS");
    expect(code(() => weightedAverage([cls("m1", ["a", "a"], [[0.5, 0.5]])], [1]))).toBe("SHAPE_MISMATCH");
  });
});

describe("majorityVote", () => {
  const XYZ = ["x", "y", "z"];

  it("counts one vote per member; probabilities are vote shares", () => {
    const out = majorityVote([
      cls("m1", XYZ, [[0.6, 0.3, 0.1]]),
      cls("m2", XYZ, [[0.2, 0.5, 0.3]]),
      cls("m3", XYZ, [[0.5, 0.4, 0.1]]),
    ]);
    expect(out.labels).toEqual(["x"]);
    expectClose(out.probabilities, [2 / 3, 1 / 3, 0]);
    expectClose(out.confidences, [2 / 3]);
  });

  it("breaks a vote tie by the voters' mean probability, then by class order", () => {
    // x, y, z get one vote each; y's voter was the most confident.
    const byProb = majorityVote([
      cls("m1", XYZ, [[0.4, 0.35, 0.25]]),
      cls("m2", XYZ, [[0.05, 0.9, 0.05]]),
      cls("m3", XYZ, [[0.2, 0.3, 0.5]]),
    ]);
    expect(byProb.labels).toEqual(["y"]);
    expectClose(byProb.confidences, [1 / 3]);
    // Same votes, same confidence: the earlier class wins, whatever the member order.
    const a = [cls("m1", AB, [[0.6, 0.4]]), cls("m2", AB, [[0.4, 0.6]])];
    expect(majorityVote(a).labels).toEqual(["a"]);
    expect(majorityVote([a[1]!, a[0]!]).labels).toEqual(["a"]);
    // A member whose own top is a tie votes for the earlier class.
    expect(majorityVote([cls("m1", AB, [[0.5, 0.5]])]).labels).toEqual(["a"]);
  });

  it("weighted votes count the renormalised weights, with a float-tolerant tie", () => {
    const answers = [cls("m1", AB, [[0.9, 0.1]]), cls("m2", AB, [[0.9, 0.1]]), cls("m3", AB, [[0.4, 0.6]])];
    // .2 + .5 > .3 → a; unweighted would also give a; flip the weights to make b win.
    expect(majorityVote(answers, [0.2, 0.5, 0.3]).labels).toEqual(["a"]);
    const heavy = majorityVote(answers, [0.1, 0.1, 0.8]);
    expect(heavy.labels).toEqual(["b"]);
    expectClose(heavy.confidences, [0.8]);
    // 1/6 + 2/6 vs 3/6 is a tie despite rounding: a's voters were more confident (.9 > .6).
    expect(majorityVote(answers, [0.1, 0.2, 0.3]).labels).toEqual(["a"]);
    const lessSure = [cls("m1", AB, [[0.55, 0.45]]), cls("m2", AB, [[0.55, 0.45]]), cls("m3", AB, [[0.1, 0.9]])];
    expect(majorityVote(lessSure, [0.1, 0.2, 0.3]).labels).toEqual(["b"]);
  });

  it("ignores failed members and aligns labels", () => {
    const out = majorityVote([cls("m1", ["a", "b"], [[0.3, 0.7]]), fail("m2"), cls("m3", ["b", "a"], [[0.8, 0.2]])]);
    expect(out.labels).toEqual(["b"]);
    expectClose(out.confidences, [1]);
    expect(out.failed).toEqual([{ member: "m2", error: "timeout" }]);
  });

  it("refuses regression", () => {
    expect(code(() => majorityVote([reg("m1", [1])]))).toBe("UNSUPPORTED_TASK");
  });
});

describe("bestMember", () => {
  it("answers with the highest-weighted member that answered", () => {
    const out = asCls(bestMember([three[0]!, fail("m2"), three[2]!], [0.2, 0.5, 0.3]));
    expectClose(out.probabilities, [0.2, 0.8, 0.6, 0.4]);
    expect(out.answered).toEqual(["m1", "m3"]);
    expect(code(() => bestMember([fail("m1")], [1]))).toBe("NO_ANSWERS");
  });
});
