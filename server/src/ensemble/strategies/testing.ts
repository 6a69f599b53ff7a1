/**
 * Builders of member answers for the strategy tests (not used by production code).
 */
import type { MemberAnswer } from "./common.js";

/** A classifier answer from a list of probability rows. */
export function cls(member: string, classes: readonly string[], rows: readonly (readonly number[])[]): MemberAnswer {
  return { member, result: { kind: "classification", classes, probabilities: Float64Array.from(rows.flat()) } };
}

/** A regression answer. */
export function reg(member: string, values: readonly number[]): MemberAnswer {
  return { member, result: { kind: "regression", values: Float64Array.from(values) } };
}

/** A failed member. */
export function fail(member: string, error = "timeout"): MemberAnswer {
  return { member, result: { kind: "failure", error } };
}

/** A small deterministic PRNG (mulberry32) returning numbers in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
