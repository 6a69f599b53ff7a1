/**
 * Types and helpers shared by the two comparison tests ({@link welchTTest},
 * {@link twoProportionZTest}): the "insufficient samples" marker, the relative lift and the
 * confidence-level check.
 */

/** The fewest observations per side a comparison needs (a sample variance needs two). */
export const MIN_OBSERVATIONS_PER_SIDE = 2;

/**
 * The result of a comparison that cannot be computed yet: a side has fewer than
 * {@link MIN_OBSERVATIONS_PER_SIDE} observations. Never a half-filled result with NaN.
 */
export interface InsufficientSamples {
  readonly kind: "insufficient";
  /** Observations of side A (the control) and side B (the variant). */
  readonly nA: number;
  readonly nB: number;
  /** The minimum per side, {@link MIN_OBSERVATIONS_PER_SIDE}. */
  readonly required: number;
  /** One sentence, e.g. "side B has 1 observation; a comparison needs at least 2 per side". */
  readonly reason: string;
}

/**
 * The relative lift of B over A, diff / |mean_A|, and its interval: the bounds of the difference's
 * interval divided by |mean_A| (|mean_A| is treated as known, as the `ControlComparison` message
 * specifies; this is not a Fieller interval for a ratio). 0.05 means +5 %.
 */
export interface LiftEstimate {
  readonly value: number;
  readonly ciLow: number;
  readonly ciHigh: number;
}

/** The lift of a difference relative to |base|, or undefined when base is 0 (no relative scale). */
export function liftOf(diff: number, ciLow: number, ciHigh: number, base: number): LiftEstimate | undefined {
  if (base === 0) return undefined;
  const scale = Math.abs(base);
  return { value: diff / scale, ciLow: ciLow / scale, ciHigh: ciHigh / scale };
}

/** RangeError unless 0 < confidence < 1. */
export function checkConfidence(confidence: number): void {
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be within (0, 1), got ${confidence}`);
}

/** The insufficient marker when either side has fewer than the minimum, else undefined. */
export function insufficient(nA: number, nB: number): InsufficientSamples | undefined {
  const required = MIN_OBSERVATIONS_PER_SIDE;
  if (nA >= required && nB >= required) return undefined;
  const sides = [
    ...(nA < required ? [`side A has ${nA} observation${nA === 1 ? "" : "s"}`] : []),
    ...(nB < required ? [`side B has ${nB} observation${nB === 1 ? "" : "s"}`] : []),
  ];
  return {
    kind: "insufficient",
    nA,
    nB,
    required,
    reason: `${sides.join(" and ")}; a comparison needs at least ${required} per side`,
  };
}
