import { describe, expect, it } from "vitest";
import { assign, mirrored } from "./assignment.js";

describe("assign", () => {
  const arms = [
    { item: "a", weight: 70 },
    { item: "b", weight: 20 },
    { item: "c", weight: 10 },
  ];

  it("splits 10,000 routing keys within 2 points of the weights", () => {
    const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < 10_000; i++) counts[assign(arms, "abTests/t", `user-${i}`, true)]! += 1;
    expect(counts["a"]! / 10_000).toBeCloseTo(0.7, 1);
    expect(Math.abs(counts["a"]! / 10_000 - 0.7)).toBeLessThan(0.02);
    expect(Math.abs(counts["b"]! / 10_000 - 0.2)).toBeLessThan(0.02);
    expect(Math.abs(counts["c"]! / 10_000 - 0.1)).toBeLessThan(0.02);
  });

  it("gives a key the same arm every time, and depends on the test it is salted with", () => {
    const first = Array.from({ length: 200 }, (_, i) => assign(arms, "abTests/t", `k${i}`, true));
    const again = Array.from({ length: 200 }, (_, i) => assign(arms, "abTests/t", `k${i}`, true));
    expect(again).toEqual(first);
    const other = Array.from({ length: 200 }, (_, i) => assign(arms, "abTests/other", `k${i}`, true));
    expect(other).not.toEqual(first);
  });

  it("moves only the keys whose bucket changes owner when weights change", () => {
    const before = Array.from({ length: 1000 }, (_, i) => assign(arms, "s", `k${i}`, true));
    const after = Array.from({ length: 1000 }, (_, i) => assign([{ item: "a", weight: 60 }, { item: "b", weight: 30 }, { item: "c", weight: 10 }], "s", `k${i}`, true));
    // Shrinking a from 70 to 60 frees the slice [60, 70): only a's keys may move, and only to b.
    before.forEach((x, i) => {
      if (x !== after[i]) expect([x, after[i]]).toEqual(["a", "b"]);
    });
    expect(before.filter((x, i) => x !== after[i]).length).toBeGreaterThan(50);
  });

  it("never picks an arm of weight 0, and draws at random without a key", () => {
    const drained = [{ item: "a", weight: 0 }, { item: "b", weight: 5 }];
    for (let i = 0; i < 100; i++) expect(assign(drained, "s", `k${i}`, true)).toBe("b");
    expect(assign(arms, "s", "", true, () => 0.95)).toBe("c");
    expect(assign(arms, "s", "k", false, () => 0.0)).toBe("a");
    expect(() => assign([{ item: "a", weight: 0 }], "s", "k", true)).toThrow(RangeError);
  });
});

describe("mirrored", () => {
  it("copies about the given share of keys, stably", () => {
    const share = Array.from({ length: 10_000 }, (_, i) => mirrored(25, "s", `k${i}`)).filter(Boolean).length / 10_000;
    expect(Math.abs(share - 0.25)).toBeLessThan(0.02);
    expect(mirrored(25, "s", "same")).toBe(mirrored(25, "s", "same"));
    expect(mirrored(100, "s", "k")).toBe(true);
  });
});
