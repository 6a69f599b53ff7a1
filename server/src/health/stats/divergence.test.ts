import { describe, expect, it } from "vitest";
import { jensenShannonDistance, psi, PSI_EPSILON } from "./divergence.js";
import { alignCategories, categorical } from "./histogram.js";
import { expectClose, fixture, numericFeatures } from "./fixture.testing.js";

describe("psi", () => {
  it("uses the fixture's epsilon by default", () => {
    expect(PSI_EPSILON).toBe(fixture.epsilon);
  });

  for (const [name, f] of numericFeatures()) {
    it(`equals numpy's PSI within 1e-9 relative when comparing the ${name} samples`, () => {
      for (const [caseName, c] of Object.entries(f.cases)) {
        expectClose(psi(f.baselineCounts, c.counts), c.psi, 1e-9, caseName);
      }
    });
  }

  it("equals numpy's PSI within 1e-9 relative when comparing category counts", () => {
    for (const c of Object.values(fixture.features.color.cases)) expectClose(psi(c.expectedCounts, c.counts), c.psi);
  });

  it("is 0 when both distributions are the same", () => {
    expect(psi([10, 20, 30], [1, 2, 3])).toBe(0);
  });

  it("replaces an empty bin's proportion by epsilon when one side has no values there", () => {
    const expected = (0.5 - 1e-4) * Math.log(0.5 / 1e-4) + (0.5 - 1) * Math.log(0.5 / 1);
    expectClose(psi([1, 1], [0, 2]), expected, 1e-15);
    expectClose(psi([1, 1], [0, 2], 1e-6), (0.5 - 1e-6) * Math.log(0.5 / 1e-6) - 0.5 * Math.log(0.5), 1e-15);
  });

  it("ignores a bin when it is empty on both sides", () => {
    expect(psi([1, 0, 1], [1, 0, 1])).toBe(0);
  });

  it("is symmetric when the two sides are swapped", () => {
    expectClose(psi([5, 3, 2], [2, 3, 5]), psi([2, 3, 5], [5, 3, 2]), 1e-15);
  });

  it("returns NaN when either side is empty", () => {
    expect(psi([0, 0], [1, 1])).toBeNaN();
    expect(psi([], [])).toBeNaN();
  });

  it("throws when the vectors are not aligned or a count is invalid", () => {
    expect(() => psi([1, 2], [1])).toThrow(RangeError);
    expect(() => psi([1, -1], [1, 1])).toThrow(RangeError);
    expect(() => psi([1, Number.NaN], [1, 1])).toThrow(RangeError);
    expect(() => psi([1], [1], 0)).toThrow(RangeError);
  });
});

describe("jensenShannonDistance", () => {
  for (const [name, f] of numericFeatures()) {
    it(`equals scipy's jensenshannon(base=2) within 1e-9 relative when comparing the ${name} samples`, () => {
      for (const [caseName, c] of Object.entries(f.cases)) {
        expectClose(jensenShannonDistance(f.baselineCounts, c.counts), c.js, 1e-9, caseName);
      }
    });
  }

  it("equals scipy's jensenshannon(base=2) within 1e-9 relative when comparing category counts", () => {
    const base = categorical(fixture.features.color.baseline).counts;
    for (const c of Object.values(fixture.features.color.cases)) {
      const aligned = alignCategories(base, categorical(c.sample).counts);
      expectClose(jensenShannonDistance(aligned.expected, aligned.actual), c.js);
    }
  });

  it("is 0 when both distributions are the same", () => {
    expect(jensenShannonDistance([1, 2, 3], [2, 4, 6])).toBe(0);
  });

  it("is 1 in base 2 when the supports are disjoint", () => {
    expectClose(jensenShannonDistance([1, 0], [0, 1]), 1, 1e-15);
  });

  it("scales with the base when another base is given", () => {
    const p = [3, 1, 0];
    const q = [1, 1, 2];
    expectClose(jensenShannonDistance(p, q, Math.E), jensenShannonDistance(p, q, 2) * Math.sqrt(Math.LN2), 1e-12);
  });

  it("returns NaN when either side is empty", () => {
    expect(jensenShannonDistance([0, 0], [1, 1])).toBeNaN();
  });

  it("throws when the vectors are not aligned or the base is invalid", () => {
    expect(() => jensenShannonDistance([1, 2], [1])).toThrow(RangeError);
    expect(() => jensenShannonDistance([1], [1], 1)).toThrow(RangeError);
  });
});
