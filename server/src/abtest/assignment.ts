import { createHash } from "node:crypto";

/** A live arm with its weight, in the order the test declares them. */
export interface Weighted<T> {
  readonly item: T;
  readonly weight: number;
}

/**
 * Picks an arm by weight. With a routing key the choice is the bucket of SHA-256("{salt}/{key}")
 * among the cumulative weights: the same key always lands on the same arm, in every process and
 * across restarts, and changing weights moves only the keys whose bucket changes owner. Without a
 * key (or when not sticky) it is a weighted random draw.
 */
export function assign<T>(arms: readonly Weighted<T>[], salt: string, routingKey: string, sticky: boolean, random: () => number = Math.random): T {
  const total = arms.reduce((n, a) => n + a.weight, 0);
  if (total <= 0 || arms.length === 0) throw new RangeError("no arm has a positive weight");
  let point: number;
  if (sticky && routingKey !== "") {
    // 48 bits of the hash, scaled to [0, total): uniform enough for any total up to 10k × 10 arms.
    const h = createHash("sha256").update(`${salt}/${routingKey}`).digest();
    point = (h.readUIntBE(0, 6) / 2 ** 48) * total;
  } else {
    point = random() * total;
  }
  for (const a of arms) {
    if (point < a.weight) return a.item;
    point -= a.weight;
  }
  return arms.filter((a) => a.weight > 0).at(-1)!.item;
}

/** Whether a request is copied to a shadow at `percent` (stable per key when sticky). */
export function mirrored(percent: number, salt: string, routingKey: string, random: () => number = Math.random): boolean {
  if (percent >= 100) return true;
  const u = routingKey !== "" ? createHash("sha256").update(`${salt}/mirror/${routingKey}`).digest().readUIntBE(0, 6) / 2 ** 48 : random();
  return u * 100 < percent;
}
