/**
 * Rolling-window figures over prediction records: request count and rate, error rate, latency
 * summary and mean confidence, plus the feature/output columns that drift needs. Fed from the
 * in-memory prediction buffer; the records need not be sorted.
 */
import { summarize, type Summary } from "./percentile.js";

/**
 * The part of a prediction record these helpers read. `PredictionRecord` of the inference module
 * fits as is (its `error` is "" on success and the reason otherwise).
 */
export interface WindowRecord {
  /** When the call finished, epoch milliseconds. */
  readonly time: number;
  readonly latencyMs: number;
  /** `true`, or a non-empty reason, when the call failed. */
  readonly error: boolean | string;
  /** Top-class probability (classifiers); NaN when there is none, which is ignored. */
  readonly confidence: number;
  /** Input values of the (first) row, by position. */
  readonly features?: readonly number[];
  /** Output values of the (first) row, by position. */
  readonly outputs?: readonly number[];
}

export interface WindowStats {
  /** The window, `[start, end)` in epoch milliseconds. */
  readonly start: number;
  readonly end: number;
  /** Records with `start ≤ time < end`. */
  readonly requestCount: number;
  readonly errorCount: number;
  /** `requestCount / ((end − start) / 1000)`: requests per second over the whole window. */
  readonly requestRate: number;
  /** `errorCount / requestCount`; NaN for an empty window (no evidence either way). */
  readonly errorRate: number;
  /** Latency over every request in the window, failed ones included ({@link summarize}). */
  readonly latency: Summary;
  /** Mean of the non-NaN confidences; NaN when there are none. */
  readonly meanConfidence: number;
  /** Records that had a (non-NaN) confidence. */
  readonly confidenceCount: number;
}

/**
 * Figures of the records that fall in the window `[start, end)` (epoch ms). An empty window gives
 * zero counts and rate, NaN error rate, NaN latency figures and NaN mean confidence. One pass plus a
 * sort of the window's latencies. Throws RangeError unless `start < end` are finite.
 */
export function windowStats(records: Iterable<WindowRecord>, start: number, end: number): WindowStats {
  checkWindow(start, end);
  const latencies: number[] = [];
  let errorCount = 0;
  let confidenceSum = 0;
  let confidenceCount = 0;
  for (const r of records) {
    if (!(r.time >= start && r.time < end)) continue;
    latencies.push(r.latencyMs);
    if (r.error) errorCount++;
    if (!Number.isNaN(r.confidence)) {
      confidenceSum += r.confidence;
      confidenceCount++;
    }
  }
  const requestCount = latencies.length;
  return {
    start,
    end,
    requestCount,
    errorCount,
    requestRate: requestCount / ((end - start) / 1000),
    errorRate: requestCount === 0 ? Number.NaN : errorCount / requestCount,
    latency: summarize(latencies),
    meanConfidence: confidenceCount === 0 ? Number.NaN : confidenceSum / confidenceCount,
    confidenceCount,
  };
}

/**
 * The window's `features` (or `outputs`) as columns, for {@link driftReport}: column `j` holds value
 * `j` of every record in `[start, end)` that has one, keyed by `names[j]` when given, else by `"j"`.
 * Failed calls are included unless `skipErrors` is set (their inputs are still traffic). Records
 * shorter than others simply contribute to fewer columns.
 */
export function windowColumns(
  records: Iterable<WindowRecord>,
  start: number,
  end: number,
  field: "features" | "outputs" = "features",
  options: { readonly names?: readonly string[]; readonly skipErrors?: boolean } = {},
): Record<string, number[]> {
  checkWindow(start, end);
  const columns: number[][] = [];
  for (const r of records) {
    if (!(r.time >= start && r.time < end)) continue;
    if (options.skipErrors && r.error) continue;
    const row = r[field];
    if (!row) continue;
    for (let j = 0; j < row.length; j++) (columns[j] ??= []).push(row[j] as number);
  }
  const out: Record<string, number[]> = {};
  for (let j = 0; j < columns.length; j++) out[options.names?.[j] ?? String(j)] = columns[j] ?? [];
  return out;
}

function checkWindow(start: number, end: number): void {
  if (!(Number.isFinite(start) && Number.isFinite(end) && start < end)) {
    throw new RangeError(`window must have finite start < end, got [${start}, ${end})`);
  }
}
