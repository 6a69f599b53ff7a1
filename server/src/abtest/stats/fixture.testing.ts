/** Test-only access to fixtures/abtest/stats.json (numbers computed by numpy/scipy). */
import { readFileSync } from "node:fs";
import { expect } from "vitest";

export interface FixtureSummary {
  readonly n: number;
  readonly mean: number;
  readonly variance: number;
  readonly std: number;
  readonly min: number;
  readonly max: number;
}
export interface FixtureLift {
  readonly value: number;
  readonly ciLow: number;
  readonly ciHigh: number;
}
export interface FixtureInterval {
  readonly criticalValue: number;
  readonly ciLow: number;
  readonly ciHigh: number;
}
export interface WelchCase extends FixtureInterval {
  readonly a: number[];
  readonly b: number[];
  readonly summaryA: FixtureSummary;
  readonly summaryB: FixtureSummary;
  readonly t: number;
  readonly df: number;
  readonly pValue: number;
  readonly diff: number;
  readonly standardError: number;
  readonly lift: FixtureLift | null;
  readonly byConfidence: Record<string, FixtureInterval>;
}
export interface ProportionCase extends FixtureInterval {
  readonly successesA: number;
  readonly nA: number;
  readonly successesB: number;
  readonly nB: number;
  readonly pA: number;
  readonly pB: number;
  readonly pooled: number;
  readonly z: number;
  readonly pValue: number;
  readonly diff: number;
  readonly standardError: number;
  readonly ciStandardError: number;
  readonly lift: FixtureLift | null;
  readonly chi2: number;
  readonly byConfidence: Record<string, FixtureInterval>;
}
export interface StatsFixture {
  readonly versions: { numpy: string; scipy: string };
  readonly confidence: number;
  readonly welch: Record<string, WelchCase>;
  readonly proportion: Record<string, ProportionCase>;
  readonly special: {
    /** [t, df, cdf, sf] */
    readonly tCdf: [number, number, number, number][];
    /** [p, df, ppf, isf] */
    readonly tPpf: [number, number, number, number][];
    /** [z, cdf, sf] */
    readonly normCdf: [number, number, number][];
    /** [q, ppf, isf] */
    readonly normPpf: [number, number, number][];
    /** [x, erf, erfc] */
    readonly erf: [number, number, number][];
    /** [a, b, x, betainc] */
    readonly betainc: [number, number, number, number][];
    /** [x, gammaln] */
    readonly gammaln: [number, number][];
    /** [a, b, betaln] */
    readonly betaln: [number, number, number][];
  };
}

export const fixture = JSON.parse(
  readFileSync(new URL("../../../../fixtures/abtest/stats.json", import.meta.url), "utf8"),
) as StatsFixture;

/** The tolerance the brief sets: 1e-9 relative, 1e-7 for values in extreme tails (below 1e-10). */
export function tolerance(expected: number): number {
  return Math.abs(expected) < 1e-10 ? 1e-7 : 1e-9;
}

/**
 * `actual` equals `expected` within `rel` relative error (default {@link tolerance}); exactly for an
 * expected 0 unless `abs` allows an absolute error.
 */
export function expectClose(actual: number, expected: number, label = "", rel = tolerance(expected), abs = 0): void {
  const allowed = Math.max(rel * Math.abs(expected), abs);
  if (!(Math.abs(actual - expected) <= allowed)) {
    expect.fail(`${label ? `${label}: ` : ""}${actual} differs from ${expected} by ${Math.abs(actual - expected)} (> ${allowed})`);
  }
}
