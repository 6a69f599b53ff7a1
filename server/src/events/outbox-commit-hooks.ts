import { ChangeSetType, type EntityManager, type EventSubscriber, type FlushEventArgs, type Transaction, type TransactionEventArgs, type UnitOfWork } from "@mikro-orm/core";
import { PostgreSqlPlatform } from "@mikro-orm/postgresql";
import type { Orm } from "../platform/db/orm.js";
import { OutboxEventEntity } from "../platform/outbox/outbox-event.entity.js";

/** The PostgreSQL NOTIFY channel that announces commits which added events to the log. */
export const EVENTS_CHANNEL = "artenic_events";

// One transaction-level advisory lock serializes, on PostgreSQL, every transaction that writes to
// the event log, from its first event insert to its commit. An arbitrary constant ("artenic" in
// ASCII digits), unlikely to clash with another application's lock on a shared database.
const OUTBOX_LOCK_KEY = "6197114116101110";

/** Announces commits that may have added events to the log, to the in-process event hub. */
export interface OutboxCommitSignal {
  /** Calls `listener` after every commit that may have added events; returns the unsubscribe. */
  onCommit(listener: () => void): () => void;
  /** Whether ids follow commit order through the advisory lock (PostgreSQL), or by nature (SQLite). */
  readonly dialect: "postgresql" | "sqlite";
}

const installed = new WeakMap<Orm, OutboxCommitSignal>();

/**
 * Makes the event log's ids follow commit order, and reports commits to the event hub. Install it
 * once, right after the ORM is created and before anything writes; calling it again on the same
 * ORM returns the same signal.
 *
 * Why: an autoincrement id is taken at insert time, not at commit. On PostgreSQL two transactions
 * can take ids 7 and 8 and commit 8 first; a reader tailing `id > last` would then move past 7 and
 * never see it. So every flush that inserts events takes `pg_advisory_xact_lock` in its own
 * transaction before the inserts: the next writer's ids are drawn only after this one committed (and
 * became visible, since PostgreSQL releases locks after the commit is visible). The same statement
 * queues `pg_notify`, which PostgreSQL delivers at commit to every listening server process. SQLite
 * has a single writer, so its ids already follow commit order; there the hub is woken in-process.
 *
 * Only events written through the unit of work (`recordEvent` then flush) are covered; bulk native
 * inserts into the outbox would bypass the lock.
 */
export function installOutboxCommitHooks(orm: Orm): OutboxCommitSignal {
  const existing = installed.get(orm);
  if (existing) return existing;
  const dialect = orm.em.getPlatform() instanceof PostgreSqlPlatform ? "postgresql" : "sqlite";
  const listeners = new Set<() => void>();
  const lockAndNotify = (em: EntityManager, trx: Transaction) =>
    em.getConnection("write").execute(`select pg_advisory_xact_lock(${OUTBOX_LOCK_KEY}), pg_notify('${EVENTS_CHANNEL}', '')`, [], "all", trx);

  const subscriber: EventSubscriber = {
    // A flush inside an explicit transaction (em.transactional, em.begin) runs in it: lock there,
    // before this flush's inserts.
    async onFlush({ em, uow }: FlushEventArgs) {
      if (dialect !== "postgresql" || !insertsEvents(uow)) return;
      const trx = em.getTransactionContext();
      if (trx) await lockAndNotify(em, trx);
    },
    // A flush outside one opens its own (implicit) transaction after onFlush: lock as soon as it
    // starts. The unit of work holds change sets only while a flush runs, so a transaction started
    // any other way never sees outbox inserts here.
    async afterTransactionStart({ em, uow, transaction }: TransactionEventArgs) {
      if (dialect !== "postgresql" || !uow || !transaction || transaction.savepointName !== undefined || !insertsEvents(uow)) return;
      await lockAndNotify(em, transaction);
    },
    afterTransactionCommit({ transaction }: TransactionEventArgs) {
      // PostgreSQL's NOTIFY reaches this process too; SQLite has no such channel. A savepoint
      // release is not a commit. Which root commits carried events is not tracked through nested
      // savepoints, so every root commit wakes the hub: a spare wake-up costs one indexed read.
      if (dialect !== "sqlite" || transaction?.savepointName !== undefined) return;
      for (const l of listeners) l();
    },
  };
  orm.em.getEventManager().registerSubscriber(subscriber);

  const signal: OutboxCommitSignal = {
    dialect,
    onCommit(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  installed.set(orm, signal);
  return signal;
}

function insertsEvents(uow: UnitOfWork): boolean {
  for (const cs of uow.getChangeSets()) {
    if (cs.type === ChangeSetType.CREATE && cs.entity instanceof OutboxEventEntity) return true;
  }
  return false;
}
