import { describe, expect, it } from "vitest";
import { cls, prng, reg } from "./strategies/testing.js";
import { canonicalClasses, classOrder, evolution, learnOutcomes, membersToPrune, type JoinedOutcome } from "./ensemble-learning.js";
import { DEFAULT_MEMBER_TIMEOUT_MS, DEFAULT_STRATEGY_SETTINGS, effectiveWeights, initialLearnedState, type EnsembleConfig } from "./ensemble-state.js";

function config(members: string[], more: Partial<EnsembleConfig> = {}): EnsembleConfig {
  return {
    displayName: "",
    description: "",
    labels: {},
    task: "classification",
    members: members.map((modelVersion) => ({ modelVersion, weight: 0 })),
    strategy: "DYNAMIC_WEIGHTING",
    strategySettings: DEFAULT_STRATEGY_SETTINGS,
    metaModelVersion: "",
    memberTimeoutMs: DEFAULT_MEMBER_TIMEOUT_MS,
    quorum: 0,
    fallback: { mode: "none", modelVersion: "" },
    autoPrune: { enabled: false, weightThreshold: null, minMembers: 0, minObservations: 0 },
    autoEvolve: { enabled: false, rules: [] },
    ...more,
  };
}

/** `n` outcomes where member A is right with probability `pa` and B with `pb` (seeded). */
function stream(n: number, pa: number, pb: number, seed = 7): JoinedOutcome[] {
  const rand = prng(seed);
  return Array.from({ length: n }, () => {
    const truth = rand() < 0.5 ? "0" : "1";
    const other = truth === "0" ? "1" : "0";
    const vote = (p: number) => (rand() < p ? truth : other);
    const row = (label: string) => (label === "0" ? [0.8, 0.2] : [0.2, 0.8]);
    return { answers: [cls("A", ["0", "1"], [row(vote(pa))]), cls("B", ["0", "1"], [row(vote(pb))])], row: 0, label: truth, value: null };
  });
}

describe("ensemble learning", () => {
  it("orders class labels numerically when they are numbers, keeping a learned order first", () => {
    expect(canonicalClasses(["10", "2", "1"])).toEqual(["1", "2", "10"]);
    expect(canonicalClasses(["b", "a"])).toEqual(["a", "b"]);
    expect(classOrder(["2", "0"], [{ kind: "classification", classes: ["0", "1", "2"], probabilities: new Float64Array(3) }])).toEqual(["2", "0", "1"]);
  });

  it("moves dynamic weights toward the accurate member as outcomes arrive", () => {
    const c = config(["A", "B"]);
    let learned = initialLearnedState(c);
    let buffer = [] as ReturnType<typeof learnOutcomes>["buffer"];
    const weights: number[][] = [];
    for (const batch of [stream(20, 0.9, 0.4, 1), stream(20, 0.9, 0.4, 2), stream(20, 0.9, 0.4, 3)]) {
      const r = learnOutcomes(c, learned, buffer, batch, new Date());
      learned = r.learned;
      buffer = r.buffer;
      weights.push(effectiveWeights(c, learned));
    }
    expect(effectiveWeights(c, initialLearnedState(c))).toEqual([0.5, 0.5]);
    for (const [a, b] of weights) expect(a!).toBeGreaterThan(b!);
    expect(learned.observationCount).toBe(60);
    expect(learned.dynamic.members[0]!.runningAccuracy).toBeGreaterThan(0.7);
    expect(learned.dynamic.members[0]!.observationCount).toBe(60);
  });

  it("skips outcomes without a usable label or value, and reads numeric labels for regression", () => {
    const c = config(["A", "B"]);
    const noLabel = learnOutcomes(c, initialLearnedState(c), [], [{ answers: [cls("A", ["0", "1"], [[1, 0]])], row: 0, label: null, value: null }], new Date());
    expect(noLabel.used).toBe(0);
    const r = config(["A", "B"], { task: "regression" });
    const numeric = learnOutcomes(r, initialLearnedState(r), [], [{ answers: [reg("A", [2]), reg("B", [4])], row: 0, label: "3", value: null }], new Date());
    expect(numeric.used).toBe(1);
    expect(numeric.learned.dynamic.members.map((m) => m.runningAbsoluteError)).toEqual([1, 1]);
  });

  it("fits classification stacking once min_observations outcomes are in, favouring the informative member", () => {
    const c = config(["A", "B"], { strategy: "STACKING", strategySettings: { ...DEFAULT_STRATEGY_SETTINGS, stacking: { ...DEFAULT_STRATEGY_SETTINGS.stacking, minObservations: 40 } } });
    const first = learnOutcomes(c, initialLearnedState(c), [], stream(30, 0.95, 0.5), new Date());
    expect(first.learned.stacking?.model).toBeNull();
    expect(first.learned.classes).toEqual(["0", "1"]);
    const second = learnOutcomes(c, first.learned, first.buffer, stream(30, 0.95, 0.5, 11), new Date("2026-11-26T12:00:00Z"));
    expect(second.fitted).toBe(true);
    expect(second.learned.fitTime).toBe("2026-11-26T12:00:00.000Z");
    const [a, b] = effectiveWeights(c, second.learned);
    expect(a!).toBeGreaterThan(Math.abs(b!));
    expect(second.buffer).toHaveLength(60);
  });

  it("keeps the quorum when pruning, and evolves by the default rules", () => {
    const c = config(["A", "B", "C"], { quorum: 3, autoPrune: { enabled: true, weightThreshold: 0.9, minMembers: 1, minObservations: 1 } });
    const learned = learnOutcomes(c, initialLearnedState(c), [], stream(5, 1, 0), new Date()).learned;
    expect(membersToPrune(c, learned)).toEqual([]);
    expect(membersToPrune({ ...c, quorum: 0 }, learned).map((p) => p.id)).toContain("B");
    const wa = config(["A", "B", "C"], { strategy: "WEIGHTED_AVERAGE", autoEvolve: { enabled: true, rules: [] } });
    expect(evolution(wa, { ...initialLearnedState(wa), observationsSinceStrategyChange: 9 })).toBeNull();
    expect(evolution(wa, { ...initialLearnedState(wa), observationsSinceStrategyChange: 10 })?.to).toBe("DYNAMIC_WEIGHTING");
  });
});
