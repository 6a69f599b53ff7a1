import { describe, expect, it } from "vitest";
import {
  PRUNE_DEFAULTS,
  defaultEvolutionRules,
  effectiveQuorum,
  evolveStrategy,
  pruneCandidates,
  quorumMet,
  resolvePruneConfig,
  type PruneMember,
} from "./policy.js";

describe("quorum", () => {
  it("0 means max(1, floor(n/2))", () => {
    expect([1, 2, 3, 4, 5, 32].map((n) => effectiveQuorum(n, 0))).toEqual([1, 1, 1, 2, 2, 16]);
    expect(quorumMet(1, 3, 0)).toBe(true);
    expect(quorumMet(1, 4, 0)).toBe(false);
    expect(quorumMet(2, 4, 0)).toBe(true);
    expect(quorumMet(0, 1, 0)).toBe(false);
    expect(quorumMet(0, 0, 0)).toBe(false);
  });

  it("uses a configured quorum, capped at the member count", () => {
    expect(quorumMet(2, 5, 3)).toBe(false);
    expect(quorumMet(3, 5, 3)).toBe(true);
    expect(effectiveQuorum(2, 3)).toBe(2);
    expect(quorumMet(2, 2, 3)).toBe(true);
    expect(() => effectiveQuorum(3, -1)).toThrow(/non-negative/);
  });
});

describe("auto-prune", () => {
  const m = (id: string, weight: number, observations = 100): PruneMember => ({ id, weight, observations });

  it("resolves the proto defaults", () => {
    expect(resolvePruneConfig({})).toEqual(PRUNE_DEFAULTS);
    expect(resolvePruneConfig({ weightThreshold: 0, minMembers: 0, minObservations: 0 })).toEqual({
      threshold: 0,
      minMembers: 2,
      minObservations: 50,
    });
  });

  it("removes low weights with enough outcomes, lowest first, keeping the best minMembers", () => {
    const members = [m("a", 0.5), m("b", 0.02), m("c", 0.3), m("d", 0.04, 10), m("e", 0.01), m("f", 0.13)];
    const out = pruneCandidates(members, PRUNE_DEFAULTS);
    expect(out.map((c) => c.id)).toEqual(["e", "b"]); // d has too few outcomes
    expect(out[0]!.reason).toBe("weight 0.01 below threshold 0.05");
  });

  it("never goes below the minimum", () => {
    const low = [m("a", 0.01), m("b", 0.03), m("c", 0.02)];
    expect(pruneCandidates(low, PRUNE_DEFAULTS).map((c) => c.id)).toEqual(["a"]);
    expect(pruneCandidates(low, { ...PRUNE_DEFAULTS, minMembers: 3 })).toEqual([]);
    expect(pruneCandidates(low, { ...PRUNE_DEFAULTS, minMembers: 5 })).toEqual([]);
    expect(pruneCandidates(low, { ...PRUNE_DEFAULTS, minMembers: 1 }).map((c) => c.id)).toEqual(["a", "c"]);
    expect(pruneCandidates([], PRUNE_DEFAULTS)).toEqual([]);
  });

  it("breaks equal weights by member order (earlier kept), and ranks negative/NaN weights lowest", () => {
    expect(pruneCandidates([m("x", 0.01), m("y", 0.01), m("z", 0.9)], PRUNE_DEFAULTS).map((c) => c.id)).toEqual(["y"]);
    const stacked = [m("a", 0.8), m("b", -0.2), m("c", Number.NaN), m("d", 0.4)];
    expect(pruneCandidates(stacked, PRUNE_DEFAULTS).map((c) => c.id)).toEqual(["c", "b"]);
  });
});

describe("auto-evolution", () => {
  it("default rules: weighted average → dynamic at 3 members and 10 outcomes", () => {
    expect(evolveStrategy("WEIGHTED_AVERAGE", { memberCount: 3, observations: 10 })?.to).toBe("DYNAMIC_WEIGHTING");
    expect(evolveStrategy("WEIGHTED_AVERAGE", { memberCount: 2, observations: 100 })).toBeNull();
    expect(evolveStrategy("WEIGHTED_AVERAGE", { memberCount: 5, observations: 9 })).toBeNull();
  });

  it("default rules: dynamic → stacking at 5 members and the stacking min observations", () => {
    expect(evolveStrategy("DYNAMIC_WEIGHTING", { memberCount: 5, observations: 49 })).toBeNull();
    const d = evolveStrategy("DYNAMIC_WEIGHTING", { memberCount: 5, observations: 50 })!;
    expect(d).toMatchObject({ from: "DYNAMIC_WEIGHTING", to: "STACKING", ruleIndex: 1 });
    expect(d.reason).toContain("DYNAMIC_WEIGHTING → STACKING");
    expect(evolveStrategy("DYNAMIC_WEIGHTING", { memberCount: 4, observations: 500 })).toBeNull();
    expect(evolveStrategy("DYNAMIC_WEIGHTING", { memberCount: 5, observations: 20, stackingMinObservations: 20 })?.to).toBe("STACKING");
    expect(evolveStrategy("STACKING", { memberCount: 32, observations: 1e6 })).toBeNull();
    expect(evolveStrategy("MAJORITY_VOTE", { memberCount: 32, observations: 1e6 })).toBeNull();
    expect(defaultEvolutionRules()).toEqual(defaultEvolutionRules(50));
  });

  it("custom rules: first match wins; unset from means any other strategy; unusable targets skipped", () => {
    const rules = [
      { to: "META_LEARNER" as const, minMembers: 2, minObservations: 0 },
      { to: "MAJORITY_VOTE" as const, minMembers: 2, minObservations: 0 },
      { from: "MAJORITY_VOTE" as const, to: "WEIGHTED_AVERAGE" as const, minMembers: 0, minObservations: 5 },
    ];
    expect(evolveStrategy("WEIGHTED_AVERAGE", { memberCount: 2, observations: 0 }, rules)?.to).toBe("MAJORITY_VOTE");
    expect(evolveStrategy("WEIGHTED_AVERAGE", { memberCount: 2, observations: 0, metaModelConfigured: true }, rules)).toMatchObject({
      to: "META_LEARNER",
      ruleIndex: 0,
    });
    expect(evolveStrategy("WEIGHTED_AVERAGE", { memberCount: 2, observations: 0, task: "regression" }, rules)).toBeNull();
    expect(evolveStrategy("MAJORITY_VOTE", { memberCount: 1, observations: 5 }, rules)?.to).toBe("WEIGHTED_AVERAGE");
    expect(evolveStrategy("MAJORITY_VOTE", { memberCount: 2, observations: 4 }, rules)).toBeNull();
  });
});
