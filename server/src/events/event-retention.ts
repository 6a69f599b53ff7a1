import type { EntityManager } from "@mikro-orm/core";
import { PostgreSqlPlatform } from "@mikro-orm/postgresql";
import type { Logger } from "pino";
import type { Orm } from "../platform/db/orm.js";
import { OutboxEventEntity } from "../platform/outbox/outbox-event.entity.js";
import { readLogBounds } from "./event-log.repository.js";

/** How much of the event log to keep. */
export interface RetentionPolicy {
  /** Events older than this are deleted; undefined keeps events of any age. */
  readonly maxAgeMs: number | undefined;
  /** At most this many of the newest events are kept. */
  readonly maxCount: number;
}

// Rows per delete statement: each chunk is its own short transaction, so SQLite's single writer
// and PostgreSQL's row locks are held briefly even when a large backlog goes at once.
const CHUNK = 5000;
// Lets only one server process prune at a time on a shared PostgreSQL database ("artenicr").
const RETENTION_LOCK_KEY = "6197114116101110114";

/**
 * Deletes what the policy no longer keeps and returns how many events went. Retention always
 * deletes a prefix of the log (every id below a bound), never a hole in the middle, and always
 * keeps the newest event: so the oldest retained id tells exactly which cursors lost events
 * (CURSOR_EXPIRED), and the newest id always tells where the log ends, even after a long idle time.
 *
 * By age, the bound is the first event committed at or after the cutoff: an older event that
 * follows it in the log (its clock was read earlier than a concurrent commit's) is kept with it.
 * Safe to run from several processes at once: each chunk is idempotent, and on PostgreSQL a
 * process that finds another one pruning skips the round.
 */
export async function pruneEventLog(em: EntityManager, policy: RetentionPolicy, now: Date): Promise<number> {
  const { oldest, newest } = await readLogBounds(em);
  if (newest === 0) return 0;
  let bound = 0;
  const nth = await em.find(OutboxEventEntity, {}, { orderBy: { id: "desc" }, offset: policy.maxCount - 1, limit: 1, fields: ["id"] });
  if (nth[0]) bound = nth[0].id;
  if (policy.maxAgeMs !== undefined) {
    const cutoff = new Date(now.getTime() - policy.maxAgeMs);
    const first = await em.find(OutboxEventEntity, { createTime: { $gte: cutoff } }, { orderBy: { id: "asc" }, limit: 1, fields: ["id"] });
    bound = Math.max(bound, first[0]?.id ?? newest);
  }
  bound = Math.min(bound, newest);
  const postgres = em.getPlatform() instanceof PostgreSqlPlatform;
  let deleted = 0;
  for (let from = oldest; from < bound; from += CHUNK) {
    const to = Math.min(from + CHUNK, bound);
    const n = await em.fork().transactional(async (tx) => {
      if (postgres) {
        const [row] = await tx.getConnection().execute<{ locked: boolean }[]>(`select pg_try_advisory_xact_lock(${RETENTION_LOCK_KEY}) as locked`, [], "all", tx.getTransactionContext());
        if (!row?.locked) return -1;
      }
      return tx.nativeDelete(OutboxEventEntity, { id: { $gte: from, $lt: to } });
    });
    if (n < 0) break;
    deleted += n;
  }
  return deleted;
}

/** A periodic task; `stop` waits for a round in progress. */
export interface BackgroundTask {
  stop(): Promise<void>;
}

/**
 * Runs `pruneEventLog` now and every `intervalMs` on `orm`, logging what it deleted. Failures are
 * logged and retried at the next round.
 */
export function startEventRetention(options: {
  readonly orm: Orm;
  readonly policy: RetentionPolicy;
  readonly intervalMs: number;
  readonly logger: Logger;
  readonly onDeleted?: (n: number) => void;
  readonly now?: () => Date;
}): BackgroundTask {
  const { orm, policy, logger } = options;
  const now = options.now ?? (() => new Date());
  let running: Promise<void> | undefined;
  let stopped = false;
  const round = () => {
    if (running || stopped) return;
    running = pruneEventLog(orm.em.fork(), policy, now())
      .then((n) => {
        if (n > 0) logger.info({ deleted: n }, "event retention deleted old events");
        options.onDeleted?.(n);
      })
      .catch((e: unknown) => logger.warn({ err: e }, "event retention failed; retrying at the next round"))
      .finally(() => {
        running = undefined;
      });
  };
  round();
  const timer = setInterval(round, options.intervalMs).unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
