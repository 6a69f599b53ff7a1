/**
 * Token buckets per key, in memory. Each bucket refills continuously at `requestsPerSecond` up to
 * `burst`. The map is bounded: when full, the least recently used bucket is dropped (a dropped
 * bucket comes back full, which only ever errs in the caller's favour).
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; updatedMs: number }>();

  constructor(
    private readonly now: () => number = () => performance.now(),
    private readonly maxBuckets = 100_000,
  ) {}

  /**
   * Takes one token for `key`. Returns 0 when allowed, else the milliseconds until a token will be
   * available (for `google.rpc.RetryInfo`).
   */
  take(key: string, limit: { readonly requestsPerSecond: number; readonly burst: number }): number {
    const now = this.now();
    let bucket = this.buckets.get(key);
    if (bucket) {
      this.buckets.delete(key);
      bucket.tokens = Math.min(limit.burst, bucket.tokens + ((now - bucket.updatedMs) / 1000) * limit.requestsPerSecond);
      bucket.updatedMs = now;
    } else {
      bucket = { tokens: limit.burst, updatedMs: now };
      if (this.buckets.size >= this.maxBuckets) {
        const oldest = this.buckets.keys().next().value;
        if (oldest !== undefined) this.buckets.delete(oldest);
      }
    }
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - bucket.tokens) / limit.requestsPerSecond) * 1000);
  }

  /** Forgets a key's bucket, e.g. when the key's limit changes. */
  reset(key: string): void {
    this.buckets.delete(key);
  }
}
