import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EntityManager } from "@mikro-orm/core";
import { initOrm, migrate, type Orm } from "../../src/platform/db/orm.js";
import { recordEvent, SYSTEM_ACTOR } from "../../src/platform/outbox/outbox.js";
import { OutboxEventEntity } from "../../src/platform/outbox/outbox-event.entity.js";
import { IdempotencyRecordEntity } from "../../src/platform/idempotency/idempotency-record.entity.js";
import { installOutboxCommitHooks } from "../../src/events/index.js";
import { createScratchPostgres, type ScratchDatabase } from "../support/databases.js";

// The same key as outbox-commit-hooks.ts: the test holds it to observe who waits for it.
const OUTBOX_LOCK_KEY = "6197114116101110";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A promise that can be settled from outside, to hold a transaction open at a chosen point. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { open, opened };
}

/** Whether `p` settles within `ms`. */
function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  const settled = p.then(
    () => true,
    () => true,
  );
  return Promise.race([settled, sleep(ms).then(() => false)]);
}

function event(em: EntityManager, resource: string): OutboxEventEntity {
  return recordEvent(em, SYSTEM_ACTOR, { topic: "health", type: "health.status.changed", resource, data: {} }, new Date());
}

async function ids(orm: Orm, after = 0): Promise<number[]> {
  const rows = await orm.em.fork().find(OutboxEventEntity, { id: { $gt: after } }, { orderBy: { id: "asc" }, fields: ["id"] });
  return rows.map((r) => r.id);
}

/**
 * Starts a transaction that inserts one event, then waits for `release` before committing.
 * Resolves `inserted` with the event's id once the insert is done.
 */
function heldTransaction(orm: Orm, resource: string) {
  const inserted = gate();
  const release = gate();
  let id = 0;
  const done = orm.em.fork().transactional(async (em) => {
    const e = event(em, resource);
    await em.flush();
    id = e.id;
    inserted.open();
    await release.opened;
  });
  return { inserted: inserted.opened, release: release.open, done, id: () => id };
}

describe("event ids follow commit order on PostgreSQL", () => {
  let db: ScratchDatabase;
  let ordered: Orm;
  let plain: Orm;

  beforeAll(async () => {
    db = await createScratchPostgres("events_order");
    ordered = await initOrm(db.config);
    await migrate(ordered);
    installOutboxCommitHooks(ordered);
    // Without the hooks: the hazard the hooks exist for.
    plain = await initOrm(db.config);
  });
  afterAll(async () => {
    await ordered?.close();
    await plain?.close();
    await db?.drop();
  });

  it("without the hooks, a later id can commit first and a tailing reader skips the earlier one", async () => {
    const start = (await ids(plain)).at(-1) ?? 0;
    const first = heldTransaction(plain, "services/control-1");
    await first.inserted;
    const second = plain.em.fork();
    const later = event(second, "services/control-2");
    await second.flush();
    // The tailing reader moves past the later id while the earlier one is still uncommitted...
    const seen = await ids(plain, start);
    expect(seen).toEqual([later.id]);
    expect(first.id()).toBeLessThan(later.id);
    first.release();
    await first.done;
    // ...and reading after it never returns the earlier one.
    expect(await ids(plain, seen.at(-1))).toEqual([]);
  });

  it("with the hooks, a writer that inserts events waits for the open one to commit, so ids appear in order", async () => {
    const start = (await ids(ordered)).at(-1) ?? 0;
    const first = heldTransaction(ordered, "services/ordered-1");
    await first.inserted;
    const second = ordered.em.fork();
    const later = event(second, "services/ordered-2");
    const flushed = second.flush();
    expect(await settlesWithin(flushed, 300)).toBe(false);
    expect(await ids(ordered, start)).toEqual([]);
    first.release();
    await Promise.all([first.done, flushed]);
    expect(await ids(ordered, start)).toEqual([first.id(), later.id]);
    expect(first.id()).toBeLessThan(later.id);
  });

  it("takes the lock inside the flush's own transaction, for implicit flushes and explicit transactions alike, and only when events are written", async () => {
    // The test holds the lock in an open transaction of its own.
    const holder = heldLock(plain);
    await holder.locked;
    const implicit = ordered.em.fork();
    event(implicit, "services/implicit");
    const implicitFlush = implicit.flush();
    const explicit = ordered.em.fork().transactional(async (em) => {
      event(em, "services/explicit");
    });
    const noEvents = ordered.em.fork();
    noEvents.create(IdempotencyRecordEntity, { scope: "test", requestId: `r-${Date.now()}`, response: "", requestHash: "", createTime: new Date() });
    // A flush without events does not wait for the lock...
    expect(await settlesWithin(noEvents.flush(), 2000)).toBe(true);
    // ...flushes with events do, until the holder commits.
    expect(await settlesWithin(implicitFlush, 300)).toBe(false);
    expect(await settlesWithin(explicit, 10)).toBe(false);
    holder.release();
    await Promise.all([holder.done, implicitFlush, explicit]);
  });

  it("keeps a tailing reader complete under many concurrent writers", async () => {
    const start = (await ids(ordered)).at(-1) ?? 0;
    let writing = true;
    const tailed: number[] = [];
    const tail = (async () => {
      let last = start;
      for (;;) {
        const stillWriting = writing;
        const batch = await ids(ordered, last);
        tailed.push(...batch);
        if (batch.length > 0) last = batch.at(-1)!;
        if (!stillWriting) return;
        await sleep(1);
      }
    })();
    await Promise.all(
      Array.from({ length: 8 }, (_, w) =>
        (async () => {
          for (let t = 0; t < 12; t++) {
            await ordered.em.fork().transactional(async (em) => {
              event(em, `services/w${w}`);
              await em.flush();
              // Hold the transaction open a little after the insert, as real use cases do.
              await sleep((w * 7 + t * 3) % 5);
              event(em, `services/w${w}`);
            });
          }
        })(),
      ),
    );
    writing = false;
    await tail;
    const all = await ids(ordered, start);
    expect(all).toHaveLength(8 * 12 * 2);
    expect(tailed).toEqual(all);
  });
});

/** Holds the outbox lock in an open transaction on `orm` until `release`. */
function heldLock(orm: Orm) {
  const locked = gate();
  const release = gate();
  const done = orm.em.fork().transactional(async (em) => {
    await em.getConnection().execute(`select pg_advisory_xact_lock(${OUTBOX_LOCK_KEY})`, [], "all", em.getTransactionContext());
    locked.open();
    await release.opened;
  });
  return { locked: locked.opened, release: release.open, done };
}
