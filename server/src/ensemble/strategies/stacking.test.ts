import { describe, expect, it } from "vitest";
import type { CombinedAnswer } from "./common.js";
import {
  STACKING_DEFAULTS,
  createStackingState,
  fitStacking,
  recordStackingOutcomes,
  resolveStackingConfig,
  stackingCombine,
  stackingObservation,
  withStackingMembers,
  type StackingConfig,
  type StackingObservation,
  type StackingState,
} from "./stacking.js";
import { cls, fail, prng, reg } from "./testing.js";

function expectClose(actual: ArrayLike<number>, expected: readonly number[], digits = 12) {
  expect(actual.length).toBe(expected.length);
  expected.forEach((e, i) => expect(actual[i]).toBeCloseTo(e, digits));
}
const regObs = (values: readonly (number | null)[], target: number): StackingObservation => ({
  outputs: values.map((v) => (v === null ? null : Float64Array.of(v))),
  target,
});
const REG3 = { task: "regression" as const, memberCount: 3, width: 1 };
const OLS = { l2: 0, nonNegative: false };

/** Regression outcomes with member values uniform in [0, 10) and y = f(m1, m2, m3). */
function synthetic(n: number, seed: number, f: (m: readonly number[]) => number): StackingObservation[] {
  const rand = prng(seed);
  return Array.from({ length: n }, () => {
    const m = [rand() * 10, rand() * 10, rand() * 10];
    return regObs(m, f(m));
  });
}
const values = (a: CombinedAnswer) => (a.kind === "regression" ? [...a.values] : [...a.probabilities]);

describe("stacking fit", () => {
  it("recovers known regression weights: y = 0.7·m1 + 0.3·m2 → [0.7, 0.3, 0]", () => {
    const model = fitStacking(
      synthetic(200, 1, ([a, b]) => 0.7 * a! + 0.3 * b!),
      REG3,
      OLS,
    )!;
    expectClose(model.coefficients, [0.7, 0.3, 0], 9);
    expect(model.intercept).toBeCloseTo(0, 9);
  });

  it("fits the intercept", () => {
    const model = fitStacking(
      synthetic(100, 2, ([a, , c]) => 2 + 0.5 * a! + 0.25 * c!),
      REG3,
      OLS,
    )!;
    expectClose(model.coefficients, [0.5, 0, 0.25], 9);
    expect(model.intercept).toBeCloseTo(2, 9);
  });

  it("applies the ridge penalty to the slopes only (hand-computed)", () => {
    // x = 0, 1, 2; y = x. Centred: Σdx² = 2, Σdx·dy = 2 → OLS β = 1; λ = 2 → β = 2/4, b₀ = 1 − .5.
    const obs = [0, 1, 2].map((x) => regObs([x], x));
    const shape = { task: "regression" as const, memberCount: 1, width: 1 };
    expectClose(fitStacking(obs, shape, OLS)!.coefficients, [1]);
    const ridge = fitStacking(obs, shape, { l2: 2, nonNegative: false })!;
    expectClose(ridge.coefficients, [0.5]);
    expect(ridge.intercept).toBeCloseTo(0.5, 12);
  });

  it("non-negative: a negative coefficient ends at 0 and the others are refitted", () => {
    // m3 is correlated with m1 and enters the truth negatively.
    const rand = prng(3);
    const obs = Array.from({ length: 300 }, () => {
      const a = rand() * 10;
      const b = rand() * 10;
      const c = 0.6 * a + rand() * 4;
      return regObs([a, b, c], 0.7 * a + 0.3 * b - 0.2 * c + (rand() - 0.5));
    });
    const ols = fitStacking(obs, REG3, OLS)!;
    expect(ols.coefficients[2]!).toBeLessThan(-0.1);
    const nn = fitStacking(obs, REG3, { l2: 0, nonNegative: true })!;
    expect(nn.coefficients[2]).toBe(0);
    expect(nn.coefficients[0]!).toBeGreaterThan(0);
    expect(nn.coefficients[1]!).toBeGreaterThan(0);
    // NNLS beats clipping the unconstrained fit, and equals OLS on the remaining members.
    const sse = (m: { coefficients: readonly number[]; intercept: number }) =>
      obs.reduce((s, o) => {
        const p = m.intercept + o.outputs.reduce((t, v, j) => t + m.coefficients[j]! * v![0]!, 0);
        return s + (p - o.target) ** 2;
      }, 0);
    const clipped = { coefficients: ols.coefficients.map((c) => Math.max(0, c)), intercept: ols.intercept };
    expect(sse(nn)).toBeLessThan(sse(clipped));
    const twoMembers = fitStacking(
      obs.map((o) => ({ outputs: [o.outputs[0]!, o.outputs[1]!], target: o.target })),
      { task: "regression", memberCount: 2, width: 1 },
      OLS,
    )!;
    expectClose(nn.coefficients.slice(0, 2), twoMembers.coefficients, 9);
    expect(nn.intercept).toBeCloseTo(twoMembers.intercept, 9);
    // Already non-negative: identical to OLS.
    const pos = synthetic(50, 4, ([a, b]) => 0.7 * a! + 0.3 * b!);
    expectClose(fitStacking(pos, REG3, { l2: 0, nonNegative: true })!.coefficients, [0.7, 0.3, 0], 9);
  });

  it("recovers known classification weights from one-hot outcomes", () => {
    const rand = prng(5);
    const dirichlet = () => {
      const g = [rand(), rand(), rand()].map((u) => -Math.log(1 - u));
      const s = g[0]! + g[1]! + g[2]!;
      return g.map((v) => v / s);
    };
    const obs: StackingObservation[] = [];
    for (let i = 0; i < 6000; i++) {
      const p1 = dirichlet();
      const p2 = dirichlet();
      const p3 = dirichlet();
      const truth = p1.map((v, c) => 0.7 * v + 0.3 * p2[c]!);
      const u = rand();
      const target = u < truth[0]! ? 0 : u < truth[0]! + truth[1]! ? 1 : 2;
      obs.push({ outputs: [p1, p2, p3].map((p) => Float64Array.from(p)), target });
    }
    const model = fitStacking(obs, { task: "classification", memberCount: 3, width: 3 }, OLS)!;
    model.coefficients.forEach((c, j) => expect(Math.abs(c - [0.7, 0.3, 0][j]!)).toBeLessThan(0.05));
    expect(Math.abs(model.intercept)).toBeLessThan(0.03);
  });

  it("returns null on a singular system (identical members, constant member, too little data)", () => {
    const same = [1, 2, 4, 3].map((x, i) => regObs([x, x, i % 2], 2 * x));
    expect(fitStacking(same, REG3, OLS)).toBeNull();
    // Ridge makes it solvable and splits the weight evenly between the twins.
    const ridge = fitStacking(same, REG3, { l2: 0.01, nonNegative: false })!;
    expect(ridge.coefficients[0]).toBeCloseTo(ridge.coefficients[1]!, 9);
    expect(ridge.coefficients[0]! + ridge.coefficients[1]!).toBeCloseTo(2, 2);
    const constant = [1, 2, 3].map((x) => regObs([x, 5, x * x], x));
    expect(fitStacking(constant, REG3, OLS)).toBeNull();
    expect(fitStacking([regObs([1, 2, 3], 1)], REG3, OLS)).toBeNull();
  });

  it("imputes an absent member with the mean of the others; a never-present member gets 0", () => {
    // y = m1 + m2 exactly; m2 missing in one outcome is imputed with m1's value there.
    const obs = [regObs([1, 3, null], 4), regObs([2, 1, null], 3), regObs([4, 0, null], 4), regObs([3, null, null], 6)];
    const model = fitStacking(obs, REG3, OLS)!;
    expectClose(model.coefficients, [1, 1, 0], 9);
    expect(model.intercept).toBeCloseTo(0, 9);
  });
});

describe("stacking state", () => {
  const config: StackingConfig = { ...STACKING_DEFAULTS, minObservations: 4, refitInterval: 3 };

  it("resolves the proto defaults", () => {
    expect(resolveStackingConfig({})).toEqual(STACKING_DEFAULTS);
    expect(resolveStackingConfig({ minObservations: 1, refitInterval: 0, l2Regularization: 0.5, nonNegative: true })).toEqual({
      minObservations: 2,
      refitInterval: 50,
      l2: 0.5,
      nonNegative: true,
      maxFitObservations: 10_000,
    });
  });

  it("fits once min observations is reached, then every refit interval", () => {
    const data = synthetic(10, 6, ([a, b]) => 0.7 * a! + 0.3 * b!);
    let s: StackingState = createStackingState("regression", ["m1", "m2", "m3"]);
    const fits: boolean[] = [];
    for (const o of data) {
      const u = recordStackingOutcomes(s, [o], config);
      fits.push(u.fitted);
      s = u.state;
    }
    // outcome 4 (first fit), 7 and 10 (every 3 more)
    expect(fits).toEqual([false, false, false, true, false, false, true, false, false, true]);
    expect(s.fitCount).toBe(3);
    expect(s.observationCount).toBe(10);
    expectClose(s.model!.coefficients, [0.7, 0.3, 0], 9);
    // A batch crossing the threshold fits once.
    const batch = recordStackingOutcomes(createStackingState("regression", ["m1", "m2", "m3"]), data, config);
    expect(batch.fitted).toBe(true);
    expect(batch.state.fitCount).toBe(1);
  });

  it("keeps the previous coefficients when a refit is singular", () => {
    const small = { ...config, maxFitObservations: 4 };
    let s = recordStackingOutcomes(
      createStackingState("regression", ["m1", "m2", "m3"]),
      synthetic(4, 7, ([a, b]) => 0.7 * a! + 0.3 * b!),
      small,
    ).state;
    const before = s.model;
    expect(before).not.toBeNull();
    const twins = [1, 2, 3].map((x) => regObs([x, x, x], x));
    const u = recordStackingOutcomes(s, twins, small);
    expect(u.singular).toBe(true);
    expect(u.state.model).toBe(before);
    expect(u.state.buffer.length).toBe(4);
    s = u.state;
    expect(s.lastFitAttempt).toBe(7);
  });

  it("builds stored outcomes from batch answers (aligned labels, absent members, unknown labels)", () => {
    const s = createStackingState("classification", ["m1", "m2", "m3"], ["a", "b", "c"]);
    const answers = [
      cls("m1", ["a", "b", "c"], [
        [0.1, 0.2, 0.7],
        [0.6, 0.3, 0.1],
      ]),
      fail("m2"),
      cls("m3", ["c", "a"], [
        [0.5, 0.5],
        [0.2, 0.8],
      ]),
    ];
    const o = stackingObservation(s, answers, 1, "b")!;
    expect(o.target).toBe(1);
    expect([...o.outputs[0]!]).toEqual([0.6, 0.3, 0.1]);
    expect(o.outputs[1]).toBeNull();
    expect([...o.outputs[2]!]).toEqual([0.8, 0, 0.2]);
    expect(stackingObservation(s, answers, 0, "zzz")).toBeNull();
    expect(stackingObservation(s, [fail("m1"), fail("m2"), fail("m3")], 0, "a")).toBeNull();
  });

  it("membership changes refit on the re-laid outcomes", () => {
    const s = recordStackingOutcomes(
      createStackingState("regression", ["m1", "m2", "m3"]),
      synthetic(20, 8, ([a, b]) => 0.7 * a! + 0.3 * b!),
      config,
    ).state;
    const t = withStackingMembers(s, ["m2", "m1", "m4"], config);
    expect(t.members).toEqual(["m2", "m1", "m4"]);
    expectClose(t.model!.coefficients, [0.3, 0.7, 0], 9);
    const fresh = withStackingMembers(createStackingState("regression", ["m1"]), ["m1", "m2"], config);
    expect(fresh.model).toBeNull();
  });
});

describe("stackingCombine", () => {
  const withModel = (s: StackingState, coefficients: number[], intercept: number): StackingState => ({
    ...s,
    model: { coefficients, intercept },
  });

  it("falls back to the weighted average before the first fit", () => {
    const s = createStackingState("regression", ["m1", "m2", "m3"]);
    const out = stackingCombine([reg("m1", [1]), reg("m2", [3]), reg("m3", [5])], s, [1, 1, 2]);
    expectClose(values(out), [3.5]);
  });

  it("regression: intercept + Σ coefficient·value, absent member = mean of the others (hand-computed)", () => {
    const s = withModel(createStackingState("regression", ["m1", "m2", "m3"]), [0.5, 0.25, 0.25], 1);
    // 1 + .5·2 + .25·4 + .25·8 = 5
    expectClose(values(stackingCombine([reg("m1", [2]), reg("m2", [4]), reg("m3", [8])], s, [1, 1, 1])), [5]);
    // m2 absent → (2 + 8)/2 = 5: 1 + 1 + 1.25 + 2 = 5.25
    const out = stackingCombine([reg("m1", [2]), fail("m2"), reg("m3", [8])], s, [1, 1, 1]);
    expectClose(values(out), [5.25]);
    expect(out.answered).toEqual(["m1", "m3"]);
    expect(out.failed).toEqual([{ member: "m2", error: "timeout" }]);
  });

  it("classification: shared coefficients per class, clamped and renormalised (hand-computed)", () => {
    const s = withModel(createStackingState("classification", ["m1", "m2", "m3"], ["a", "b"]), [0.6, 0.4, 0.2], -0.05);
    const answers = [cls("m1", ["a", "b"], [[0.9, 0.1]]), cls("m2", ["a", "b"], [[0.5, 0.5]]), cls("m3", ["b", "a"], [[0.8, 0.2]])];
    // a: −.05 + .54 + .2 + .04 = .73; b: −.05 + .06 + .2 + .16 = .37; / 1.1
    const out = stackingCombine(answers, s, [1, 1, 1]);
    expectClose(values(out), [0.73 / 1.1, 0.37 / 1.1]);
    expect(out.kind === "classification" && out.labels).toEqual(["a"]);
    // m3 absent → mean of m1, m2 = (.7, .3): a = −.05 + .54 + .2 + .14 = .83, b = .27
    expectClose(values(stackingCombine([answers[0]!, answers[1]!, fail("m3")], s, [1, 1, 1])), [0.83 / 1.1, 0.27 / 1.1]);
    // Clamping: 1.5·.9 − .3 = 1.05 → 1; 1.5·.1 − .3 < 0 → 0.
    const steep = withModel(s, [1.5, 0, 0], -0.3);
    expectClose(values(stackingCombine(answers, steep, [1, 1, 1])), [1, 0]);
  });
});
