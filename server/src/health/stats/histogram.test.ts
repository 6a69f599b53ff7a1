import { describe, expect, it } from "vitest";
import { alignCategories, binEdges, categorical, histogram, nextUp, uniformEdges } from "./histogram.js";
import { fixture, numericFeatures } from "./fixture.testing.js";

const withOuter = (inner: readonly number[]) => [-Infinity, ...inner, Infinity];

describe("binEdges", () => {
  for (const [name, f] of numericFeatures().filter(([, f]) => f.binning === "quantile")) {
    it(`equals numpy's deduplicated quantile edges exactly when learnt from ${name}`, () => {
      expect(binEdges(f.baseline, fixture.bins)).toEqual(withOuter(f.innerEdges));
    });
  }

  it("drops repeated quantiles when the baseline has ties", () => {
    const edges = binEdges(fixture.features.x_poisson.baseline, 10);
    expect(edges).toEqual([-Infinity, 1, 2, 3, 4, 5, Infinity]);
  });

  it("gives the bins < c, = c and > c when the baseline is constant", () => {
    expect(binEdges([2, 2, 2], 10)).toEqual([-Infinity, 2, nextUp(2), Infinity]);
    expect(nextUp(2)).toBe(2 + 2 * Number.EPSILON);
  });

  it("gives one open bin when the baseline is empty or all NaN", () => {
    expect(binEdges([], 10)).toEqual([-Infinity, Infinity]);
    expect(binEdges([Number.NaN, Number.NaN], 10)).toEqual([-Infinity, Infinity]);
  });

  it("ignores NaN when the baseline contains NaN", () => {
    expect(binEdges([4, Number.NaN, 1, 3, 2], 2)).toEqual(binEdges([1, 2, 3, 4], 2));
  });

  it("gives the 2-quantile edge when asked for two bins", () => {
    expect(binEdges([1, 2, 3, 4], 2)).toEqual([-Infinity, 2.5, Infinity]);
  });

  it("throws when bins is not a positive integer", () => {
    expect(() => binEdges([1, 2], 0)).toThrow(RangeError);
    expect(() => binEdges([1, 2], 2.5)).toThrow(RangeError);
  });

  it("takes well under a second when learnt from 100k values", () => {
    const values = Float64Array.from({ length: 100_000 }, (_, i) => Math.sin(i) * 1000);
    const t0 = performance.now();
    const edges = binEdges(values, 20);
    histogram(values, edges);
    expect(performance.now() - t0).toBeLessThan(500);
    expect(edges).toHaveLength(21);
  });
});

describe("uniformEdges", () => {
  it("equals numpy's uniform edges exactly when spanning [0, 1]", () => {
    expect(uniformEdges(0, 1, fixture.bins)).toEqual(withOuter(fixture.features.confidence.innerEdges));
  });

  it("throws when the range is empty or not finite", () => {
    expect(() => uniformEdges(1, 1, 4)).toThrow(RangeError);
    expect(() => uniformEdges(0, Infinity, 4)).toThrow(RangeError);
  });
});

describe("histogram", () => {
  for (const [name, f] of numericFeatures()) {
    it(`equals numpy's counts exactly when binning the ${name} samples`, () => {
      const edges = withOuter(f.innerEdges);
      expect(histogram(f.baseline, edges).counts).toEqual(f.baselineCounts);
      for (const [caseName, c] of Object.entries(f.cases)) {
        expect(histogram(c.sample, edges).counts, caseName).toEqual(c.counts);
      }
    });
  }

  it("puts a value equal to an edge in the bin on its right", () => {
    expect(histogram([1, 2, 3], [-Infinity, 2, Infinity]).counts).toEqual([1, 2]);
  });

  it("puts every value in a bin when the outer edges are infinite", () => {
    expect(histogram([-Infinity, -1e300, 0, 1e300, Infinity], [-Infinity, 0, Infinity])).toEqual({
      counts: [2, 3],
      nanCount: 0,
      outOfRange: 0,
    });
  });

  it("puts everything in one bin when all samples fall in one bin", () => {
    expect(histogram([5, 6, 7], [-Infinity, 0, 1, Infinity]).counts).toEqual([0, 0, 3]);
  });

  it("closes the last bin when the last edge is finite", () => {
    expect(histogram([0, 1, 2, 3], [0, 1, 2])).toEqual({ counts: [1, 2], nanCount: 0, outOfRange: 1 });
  });

  it("ignores NaN and counts it when values contain NaN", () => {
    expect(histogram([Number.NaN, 1, Number.NaN], [-Infinity, 0, Infinity])).toEqual({
      counts: [0, 1],
      nanCount: 2,
      outOfRange: 0,
    });
  });

  it("gives zero counts when values are empty", () => {
    expect(histogram([], [-Infinity, 0, Infinity]).counts).toEqual([0, 0]);
  });

  it("throws when edges are not strictly increasing", () => {
    expect(() => histogram([1], [0, 0, 1])).toThrow(RangeError);
    expect(() => histogram([1], [0])).toThrow(RangeError);
  });
});

describe("categorical", () => {
  it("equals numpy's category counts when counting the color samples", () => {
    const f = fixture.features.color;
    const base = categorical(f.baseline).counts;
    for (const [name, c] of Object.entries(f.cases)) {
      const aligned = alignCategories(base, categorical(c.sample).counts);
      expect(aligned.categories, name).toEqual(c.categories);
      expect(aligned.expected, name).toEqual(c.expectedCounts);
      expect(aligned.actual, name).toEqual(c.counts);
    }
  });

  it("skips and counts missing values when the sample has null, undefined or NaN", () => {
    const { counts, missing } = categorical(["a", null, 1, "1", undefined, Number.NaN, true, "a"]);
    expect(missing).toBe(3);
    expect([...counts]).toEqual([
      ["a", 2],
      ["1", 2],
      ["true", 1],
    ]);
  });

  it("gives a zero count on the other side when a category appears on one side only", () => {
    expect(alignCategories(new Map([["b", 2]]), new Map([["a", 1]]))).toEqual({
      categories: ["a", "b"],
      expected: [0, 2],
      actual: [1, 0],
    });
  });
});
