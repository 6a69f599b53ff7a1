import { describe, expect, it } from "vitest";
import { weightedAverage } from "./combine.js";
import {
  DYNAMIC_DEFAULTS,
  createDynamicState,
  decayedMean,
  dynamicWeightsFor,
  memberOutcomes,
  resolveDynamicConfig,
  updateDynamicWeights,
  withDynamicMembers,
  type DynamicObservation,
} from "./dynamic.js";
import { cls, fail, reg } from "./testing.js";

const weightsOf = (s: { members: readonly { weight: number }[] }) => s.members.map((m) => m.weight);
function expectClose(actual: readonly number[], expected: readonly number[], digits = 12) {
  expect(actual.length).toBe(expected.length);
  expected.forEach((e, i) => expect(actual[i]).toBeCloseTo(e, digits));
}
const right = (member: string, correct: boolean) => ({ member, correct });

describe("dynamic weighting", () => {
  it("resolves the proto defaults", () => {
    expect(resolveDynamicConfig({})).toEqual(DYNAMIC_DEFAULTS);
    expect(resolveDynamicConfig({ decay: 0, weightFloor: 0, lookback: 0 })).toEqual({ decay: 0.9, floor: 0, lookback: 20 });
    expect(resolveDynamicConfig({ decay: 0.5, lookback: 7 })).toEqual({ decay: 0.5, floor: 0.05, lookback: 7 });
  });

  it("decayed mean weighs the newest outcome most", () => {
    // [1, 0, 1], d = .5: (1·.25 + 0·.5 + 1·1) / 1.75
    expect(decayedMean([1, 0, 1], 0.5)).toBeCloseTo(1.25 / 1.75, 15);
    expect(decayedMean([1, 0, 1], 1)).toBeCloseTo(2 / 3, 15);
    expect(decayedMean([], 0.9)).toBe(0);
  });

  it("starts from the configured weights, 0 read as 1", () => {
    const s = createDynamicState("classification", [
      { id: "a", weight: 2 },
      { id: "b", weight: 0 },
      { id: "c", weight: 1 },
    ]);
    expectClose(weightsOf(s), [0.5, 0.25, 0.25]);
  });

  it("classification: decayed running accuracy, floored, renormalised (hand-computed)", () => {
    const config = { decay: 0.5, floor: 0.05, lookback: 20 };
    let s = createDynamicState("classification", ["A", "B", "C"].map((id) => ({ id, weight: 1 })));
    const obs: DynamicObservation[] = [
      [right("A", true), right("B", true), right("C", false)],
      [right("A", false), right("B", true), right("C", false)],
      [right("A", true), right("B", false), right("C", false)],
    ];
    s = updateDynamicWeights(s, obs, config);
    // A [1,0,1] → 5/7; B [1,1,0] → 3/7; C → 0, floored to .05; total 167/140.
    expectClose(
      s.members.map((m) => m.runningAccuracy),
      [5 / 7, 3 / 7, 0],
    );
    expectClose(weightsOf(s), [100 / 167, 60 / 167, 7 / 167]);
    expect(s.members.map((m) => m.observationCount)).toEqual([3, 3, 3]);
    // Applying the same outcomes one at a time gives the same state.
    let t = createDynamicState("classification", ["A", "B", "C"].map((id) => ({ id, weight: 1 })));
    for (const o of obs) t = updateDynamicWeights(t, [o], config);
    expect(weightsOf(t)).toEqual(weightsOf(s));
  });

  it("a member without outcomes keeps its configured share", () => {
    let s = createDynamicState("classification", [
      { id: "A", weight: 1 },
      { id: "B", weight: 3 },
    ]);
    s = updateDynamicWeights(s, [[right("A", true)]], DYNAMIC_DEFAULTS);
    // A scores 1, B keeps .75: 1/1.75 and .75/1.75.
    expectClose(weightsOf(s), [4 / 7, 3 / 7]);
  });

  it("regression: reciprocal of the decayed mean absolute error, rescaled (hand-computed)", () => {
    let s = createDynamicState("regression", ["A", "B", "C"].map((id) => ({ id, weight: 1 })));
    s = updateDynamicWeights(
      s,
      [
        [
          { member: "A", absoluteError: 0.5 },
          { member: "B", absoluteError: 3 },
          { member: "C", absoluteError: 0.5 },
        ],
        [
          { member: "A", absoluteError: 1.5 },
          { member: "B", absoluteError: 3 },
        ],
      ],
      { decay: 1, floor: 0.05, lookback: 20 },
    );
    // MAE: A 1, B 3, C .5 → 1/e = 1, 1/3, 2 → /(10/3) = .3, .1, .6 (all above the floor).
    expectClose(
      s.members.map((m) => m.runningAbsoluteError),
      [1, 3, 0.5],
    );
    expectClose(weightsOf(s), [0.3, 0.1, 0.6]);
    expect(s.members.map((m) => m.runningAccuracy)).toEqual([0, 0, 0]);
  });

  it("the lookback keeps only the most recent outcomes", () => {
    let s = createDynamicState("classification", [
      { id: "A", weight: 1 },
      { id: "B", weight: 1 },
    ]);
    const config = { decay: 1, floor: 0, lookback: 2 };
    s = updateDynamicWeights(
      s,
      [true, true, false, false].map((ok) => [right("A", ok), right("B", true)]),
      config,
    );
    expect(s.members[0]!.history).toEqual([0, 0]);
    expect(s.members[0]!.observationCount).toBe(4);
    expectClose(weightsOf(s), [0, 1]);
  });

  it("converges toward the accurate member and the combined answer follows it", () => {
    const config = DYNAMIC_DEFAULTS;
    let s = createDynamicState("classification", ["good", "coin", "bad"].map((id) => ({ id, weight: 1 })));
    const history: number[] = [];
    for (let i = 0; i < 60; i++) {
      // Truth alternates; "good" is always right, "coin" right every other time, "bad" never.
      const truth = i % 2 === 0 ? "a" : "b";
      const other = truth === "a" ? "b" : "a";
      const answers = [
        cls("good", ["a", "b"], [truth === "a" ? [0.8, 0.2] : [0.2, 0.8]]),
        cls("coin", ["a", "b"], [i % 4 < 2 ? [0.7, 0.3] : [0.3, 0.7]]),
        cls("bad", ["a", "b"], [other === "a" ? [0.9, 0.1] : [0.1, 0.9]]),
      ];
      s = updateDynamicWeights(s, [memberOutcomes(answers, 0, truth)], config);
      history.push(s.members[0]!.weight);
    }
    const [good, coin, bad] = weightsOf(s) as [number, number, number];
    expect(good).toBeGreaterThan(coin);
    expect(coin).toBeGreaterThan(bad);
    expect(good).toBeGreaterThan(0.6);
    expect(s.members[2]!.runningAccuracy).toBe(0);
    expect(bad).toBeCloseTo(0.05 / (1 + s.members[1]!.runningAccuracy + 0.05), 12);
    expect(history[history.length - 1]!).toBeGreaterThan(history[0]!);
    // The bad member is confident and the coin agrees with it: with the learned weights the good one wins.
    const disagree = [cls("good", ["a", "b"], [[0.8, 0.2]]), cls("coin", ["a", "b"], [[0.3, 0.7]]), cls("bad", ["a", "b"], [[0.1, 0.9]])];
    const learned = weightedAverage(disagree, dynamicWeightsFor(s, ["good", "coin", "bad"]));
    const equal = weightedAverage(disagree, [1, 1, 1]);
    expect(equal.kind === "classification" && equal.labels[0]).toBe("b");
    expect(learned.kind === "classification" && learned.labels[0]).toBe("a");
  });

  it("scores outcomes per member, skipping failures", () => {
    const answers = [
      cls("m1", ["a", "b"], [
        [0.9, 0.1],
        [0.4, 0.6],
      ]),
      fail("m2"),
      cls("m3", ["b", "a"], [
        [0.7, 0.3],
        [0.5, 0.5],
      ]),
    ];
    expect(memberOutcomes(answers, 1, "b")).toEqual([right("m1", true), right("m3", true)]);
    // m3's row 1 is a tie: with the ensemble order [a, b] it votes a.
    expect(memberOutcomes(answers, 1, "b", ["a", "b"])).toEqual([right("m1", true), right("m3", false)]);
    expect(memberOutcomes([reg("r1", [2, 5]), reg("r2", [4, 1])], 1, 3)).toEqual([
      { member: "r1", absoluteError: 2 },
      { member: "r2", absoluteError: 2 },
    ]);
  });

  it("membership changes keep the histories of kept members", () => {
    const config = { decay: 1, floor: 0.05, lookback: 20 };
    let s = createDynamicState("classification", [
      { id: "A", weight: 1 },
      { id: "B", weight: 1 },
    ]);
    s = updateDynamicWeights(s, [[right("A", true), right("B", false)], [{ member: "gone", correct: true }]], config);
    s = withDynamicMembers(
      s,
      [
        { id: "A", weight: 1 },
        { id: "C", weight: 1 },
      ],
      config,
    );
    expect(s.members.map((m) => m.id)).toEqual(["A", "C"]);
    expect(s.members[0]!.history).toEqual([1]);
    // A scores 1, C keeps its configured share 1/2.
    expectClose(weightsOf(s), [2 / 3, 1 / 3]);
  });

  it("rejects bad configs and outcomes of the wrong task", () => {
    const s = createDynamicState("classification", [{ id: "A", weight: 1 }]);
    expect(() => updateDynamicWeights(s, [], { decay: 0, floor: 0.05, lookback: 20 })).toThrow(/decay/);
    expect(() => updateDynamicWeights(s, [[{ member: "A", absoluteError: 1 }]], DYNAMIC_DEFAULTS)).toThrow(/classification/);
  });
});
