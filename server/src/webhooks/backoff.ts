/** Retry timing of webhook deliveries. */
export interface BackoffPolicy {
  /** The cap of the first retry's delay. */
  readonly baseMs: number;
  /** The largest cap. */
  readonly maxMs: number;
}

/** The cap of the delay after `failedAttempts` failures (1 for the first): base × 2^(n−1), at most max. */
export function backoffCapMs(policy: BackoffPolicy, failedAttempts: number): number {
  return Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, Math.min(failedAttempts - 1, 52)));
}

/**
 * Exponential backoff with full jitter: a uniform delay in [0, cap]. Spreading retries over the
 * whole interval keeps a receiver that failed for every webhook at once from being hit by all
 * retries at the same instant.
 */
export function backoffDelayMs(policy: BackoffPolicy, failedAttempts: number, random: () => number = Math.random): number {
  return Math.floor(random() * backoffCapMs(policy, failedAttempts));
}
