import { describe, expect, it } from "vitest";
import { EnsembleStrategyError } from "./common.js";
import { metaLearnerInput, metaLearnerOutput } from "./meta-learner.js";
import { cls, fail, reg } from "./testing.js";

function expectClose(actual: ArrayLike<number>, expected: readonly number[], digits = 6) {
  expect(actual.length).toBe(expected.length);
  expected.forEach((e, i) => expect(actual[i]).toBeCloseTo(e, digits));
}

describe("metaLearnerInput", () => {
  const ABC = ["a", "b", "c"];

  it("concatenates members' probabilities in member order, aligned to the classes", () => {
    const input = metaLearnerInput(
      [
        cls("m1", ABC, [
          [0.1, 0.2, 0.7],
          [0.5, 0.4, 0.1],
        ]),
        cls("m2", ["c", "b", "a"], [
          [0.3, 0.3, 0.4],
          [0.0, 0.2, 0.8],
        ]),
        cls("m3", ["a", "b"], [
          [0.6, 0.4],
          [0.9, 0.1],
        ]),
      ],
      ABC,
    );
    expect(input.dims).toEqual([2, 9]);
    expect(input.width).toBe(3);
    expect(input.data).toBeInstanceOf(Float32Array);
    expectClose(input.data, [0.1, 0.2, 0.7, 0.4, 0.3, 0.3, 0.6, 0.4, 0, 0.5, 0.4, 0.1, 0.8, 0.2, 0.0, 0.9, 0.1, 0]);
  });

  it("fills a failed member's slot with the mean of those that answered", () => {
    const input = metaLearnerInput(
      [
        cls("m1", ABC, [
          [0.1, 0.2, 0.7],
          [0.5, 0.4, 0.1],
        ]),
        fail("m2"),
        cls("m3", ABC, [
          [0.3, 0.4, 0.3],
          [0.1, 0.0, 0.9],
        ]),
      ],
      ABC,
    );
    // row 0 mean (.2, .3, .5); row 1 mean (.3, .2, .5)
    expectClose(input.data, [0.1, 0.2, 0.7, 0.2, 0.3, 0.5, 0.3, 0.4, 0.3, 0.5, 0.4, 0.1, 0.3, 0.2, 0.5, 0.1, 0.0, 0.9]);
  });

  it("regression: width 1, a failed member gets the mean value", () => {
    const input = metaLearnerInput([fail("m1"), reg("m2", [2, 10]), reg("m3", [4, 20])], null);
    expect(input.dims).toEqual([2, 3]);
    expectClose(input.data, [3, 2, 4, 15, 10, 20]);
  });

  it("refuses a label the meta model has no slot for, and no answers", () => {
    expect(() => metaLearnerInput([cls("m1", ["a", "z"], [[0.5, 0.5]])], ["a", "b"])).toThrow(EnsembleStrategyError);
    expect(() => metaLearnerInput([fail("m1")], null)).toThrow(/no member answered/);
  });
});

describe("metaLearnerOutput", () => {
  it("reads probabilities (argmax label, confidence) or values, with who answered", () => {
    const answers = [cls("m1", ["a", "b"], [[0.5, 0.5], [0.5, 0.5]]), fail("m2", "boom")];
    const out = metaLearnerOutput(answers, Float32Array.of(0.25, 0.75, 0.875, 0.125), ["a", "b"]);
    expect(out.kind === "classification" && out.labels).toEqual(["b", "a"]);
    expect(out.kind === "classification" && [...out.confidences]).toEqual([0.75, 0.875]);
    expect(out.failed).toEqual([{ member: "m2", error: "boom" }]);
    const r = metaLearnerOutput([reg("m1", [1, 2])], [7, 8], null);
    expect(r.kind === "regression" && [...r.values]).toEqual([7, 8]);
    expect(() => metaLearnerOutput([reg("m1", [1, 2])], [7], null)).toThrow(/expected 2 × 1/);
  });
});
