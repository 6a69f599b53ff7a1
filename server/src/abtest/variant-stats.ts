import type { EntityManager } from "@mikro-orm/core";
import type { Logger } from "pino";
import type { PredictionRecord, PredictionRecorder } from "../inference/index.js";
import { ABVariantStatsEntity } from "./ab-test.entity.js";
import { BUCKET_COUNT, bucketOf } from "./latency-histogram.js";

interface Accumulator {
  requests: number;
  errors: number;
  latencyCount: number;
  latencySum: number;
  latencySumSquares: number;
  latencyMin: number;
  latencyMax: number;
  buckets: number[];
}

const empty = (): Accumulator => ({ requests: 0, errors: 0, latencyCount: 0, latencySum: 0, latencySumSquares: 0, latencyMin: Infinity, latencyMax: -Infinity, buckets: new Array<number>(BUCKET_COUNT).fill(0) });

/**
 * Adds up, in memory, the predictions that A/B tests routed (from the prediction buffer's stream of
 * records), and flushes the sums into `ab_variant_stats` every few seconds — no database write per
 * prediction, and figures that survive restarts and add up across server processes.
 */
export class VariantStatsCollector {
  private pending = new Map<string, Accumulator>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;

  constructor(
    recorder: PredictionRecorder,
    private readonly em: () => EntityManager,
    private readonly logger: Logger,
    private readonly intervalMs = 2000,
  ) {
    recorder.onRecord((r) => this.add(r));
  }

  private add(r: PredictionRecord): void {
    if (!r.abTest) return;
    const key = `${r.abTest.slice("abTests/".length)}\u0000${r.variant ?? ""}`;
    let a = this.pending.get(key);
    if (!a) this.pending.set(key, (a = empty()));
    a.requests += Math.max(1, r.rows);
    if (r.error) {
      a.errors += Math.max(1, r.rows);
      return;
    }
    a.latencyCount += 1;
    a.latencySum += r.latencyMs;
    a.latencySumSquares += r.latencyMs * r.latencyMs;
    a.latencyMin = Math.min(a.latencyMin, r.latencyMs);
    a.latencyMax = Math.max(a.latencyMax, r.latencyMs);
    a.buckets[bucketOf(r.latencyMs)]! += 1;
  }

  /** Writes what accumulated since the last flush (one transaction; rows locked while added to). */
  async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    const em = this.em();
    await em.transactional(async (tx) => {
      for (const [key, a] of batch) {
        const [abTest, variantId] = key.split("\u0000") as [string, string];
        // The no-op update takes the row's lock before it is read, so concurrent flushes add up.
        await tx.getConnection().execute("update ab_variant_stats set requests = requests where ab_test = ? and variant_id = ?", [abTest, variantId], "run", tx.getTransactionContext());
        const row = await tx.findOne(ABVariantStatsEntity, { abTest, variantId }, { refresh: true });
        if (!row) {
          tx.create(ABVariantStatsEntity, {
            abTest,
            variantId,
            requests: a.requests,
            errors: a.errors,
            latencyCount: a.latencyCount,
            latencySum: a.latencySum,
            latencySumSquares: a.latencySumSquares,
            latencyMin: a.latencyCount ? a.latencyMin : 0,
            latencyMax: a.latencyCount ? a.latencyMax : 0,
            latencyBuckets: a.buckets,
            updateTime: new Date(),
          });
          continue;
        }
        row.latencyMin = row.latencyCount === 0 ? a.latencyMin : Math.min(row.latencyMin, a.latencyMin);
        row.latencyMax = row.latencyCount === 0 ? a.latencyMax : Math.max(row.latencyMax, a.latencyMax);
        row.requests += a.requests;
        row.errors += a.errors;
        row.latencyCount += a.latencyCount;
        row.latencySum += a.latencySum;
        row.latencySumSquares += a.latencySumSquares;
        row.latencyBuckets = row.latencyBuckets.map((c, i) => c + (a.buckets[i] ?? 0));
        row.updateTime = new Date();
      }
    }).catch((e: unknown) => {
      // Put the sums back: they are added on the next flush instead of being lost.
      for (const [key, a] of batch) {
        const b = this.pending.get(key);
        if (!b) this.pending.set(key, a);
        else {
          b.requests += a.requests;
          b.errors += a.errors;
          b.latencyCount += a.latencyCount;
          b.latencySum += a.latencySum;
          b.latencySumSquares += a.latencySumSquares;
          b.latencyMin = Math.min(b.latencyMin, a.latencyMin);
          b.latencyMax = Math.max(b.latencyMax, a.latencyMax);
          b.buckets = b.buckets.map((c, i) => c + (a.buckets[i] ?? 0));
        }
      }
      this.logger.warn({ err: e }, "flushing A/B statistics failed; will retry");
    });
  }

  start(): void {
    this.timer ??= setInterval(() => {
      this.flushing ??= this.flush().finally(() => (this.flushing = undefined));
    }, this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flushing;
    await this.flush();
  }
}
