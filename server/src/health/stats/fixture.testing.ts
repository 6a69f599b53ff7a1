/** Test-only access to fixtures/health/drift.json (numbers computed by numpy/scipy). */
import { readFileSync } from "node:fs";
import { expect } from "vitest";

export interface NumericCase {
  readonly sample: number[];
  readonly counts: number[];
  readonly psi: number;
  readonly js: number;
}
export interface CategoricalCase extends NumericCase {
  readonly sample: string[] & number[];
  readonly categories: string[];
  readonly expectedCounts: number[];
}
export interface NumericFeature {
  readonly kind: "numeric";
  readonly binning: string;
  readonly baseline: number[];
  readonly innerEdges: number[];
  readonly baselineCounts: number[];
  readonly cases: Record<string, NumericCase>;
}
export interface CategoricalFeature {
  readonly kind: "categorical";
  readonly baseline: string[];
  readonly cases: Record<string, CategoricalCase>;
}
export interface DriftFixture {
  readonly versions: { numpy: string; scipy: string };
  readonly bins: number;
  readonly epsilon: number;
  readonly features: Record<string, NumericFeature | CategoricalFeature> & {
    x_normal: NumericFeature;
    x_lognormal: NumericFeature;
    x_poisson: NumericFeature;
    x_constant: NumericFeature;
    confidence: NumericFeature;
    color: CategoricalFeature;
  };
  readonly latency: Record<string, { sample: number[]; percentiles: Record<string, number>; mean: number }>;
}

export const fixture = JSON.parse(
  readFileSync(new URL("../../../../fixtures/health/drift.json", import.meta.url), "utf8"),
) as DriftFixture;

export function numericFeatures(): [string, NumericFeature][] {
  return Object.entries(fixture.features).filter((e): e is [string, NumericFeature] => e[1].kind === "numeric");
}

/** `actual` equals `expected` within `rel` relative error (exactly, for an expected 0). */
export function expectClose(actual: number, expected: number, rel = 1e-9, label = ""): void {
  const tolerance = rel * Math.abs(expected);
  if (!(Math.abs(actual - expected) <= tolerance)) {
    expect.fail(`${label ? `${label}: ` : ""}${actual} differs from ${expected} by more than ${rel} relative`);
  }
}
