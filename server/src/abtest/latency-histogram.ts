/**
 * Log-spaced latency buckets (from 0.05 ms, ×1.25 each, up to ~200 s): enough resolution for
 * percentiles within 12 %, small enough to store per variant and to add across processes.
 */
export const BUCKET_BASE_MS = 0.05;
export const BUCKET_GROWTH = 1.25;
export const BUCKET_COUNT = 70;

export function bucketOf(ms: number): number {
  if (!(ms > BUCKET_BASE_MS)) return 0;
  return Math.min(BUCKET_COUNT - 1, Math.ceil(Math.log(ms / BUCKET_BASE_MS) / Math.log(BUCKET_GROWTH)));
}

/** Upper bound of a bucket. */
export function bucketUpper(i: number): number {
  return BUCKET_BASE_MS * BUCKET_GROWTH ** i;
}

/** A percentile (0-100) from bucket counts, interpolating linearly inside the bucket. */
export function histogramPercentile(counts: readonly number[], p: number): number {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return NaN;
  const rank = (p / 100) * total;
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i] ?? 0;
    if (c > 0 && seen + c >= rank) {
      const lower = i === 0 ? 0 : bucketUpper(i - 1);
      return lower + ((rank - seen) / c) * (bucketUpper(i) - lower);
    }
    seen += c;
  }
  return bucketUpper(counts.length - 1);
}
