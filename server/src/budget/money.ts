/**
 * Amounts are integer micro-units (1e-6) of the platform currency inside the budget domain: sums
 * and comparisons are then exact, which floating-point currency units are not (0.1 + 0.2 > 0.3).
 * 2^53 micro-units is about nine billion units of currency, far above any training budget.
 */
export const MICROS_PER_UNIT = 1_000_000;

/** Currency units (as the training domain's estimates come) to micro-units, rounded to the nearest. */
export function unitsToMicros(amount: number): number {
  return Math.round(amount * MICROS_PER_UNIT);
}

/** Micro-units to currency units, for reports and event payloads. */
export function microsToUnits(micros: number): number {
  return micros / MICROS_PER_UNIT;
}

/** A decimal text of an amount without trailing zeros, e.g. `37`, `0.25`, `-1.5`: for messages and metadata. */
export function formatMicros(micros: number): string {
  const sign = micros < 0 ? "-" : "";
  const abs = Math.abs(micros);
  const units = Math.floor(abs / MICROS_PER_UNIT);
  const fraction = String(abs % MICROS_PER_UNIT).padStart(6, "0").replace(/0+$/, "");
  return `${sign}${units}${fraction ? `.${fraction}` : ""}`;
}

/** `(spent + reserved) / amount × 100`. */
export function percentUsed(amountMicros: number, spentMicros: number, reservedMicros: number): number {
  return amountMicros > 0 ? ((spentMicros + reservedMicros) / amountMicros) * 100 : 0;
}
