import { raw, type EntityManager, type FilterQuery } from "@mikro-orm/core";
import { OutboxEventEntity } from "../platform/outbox/outbox-event.entity.js";
import type { SqlEntityManager } from "@mikro-orm/sql";
import type { EventTopic } from "../platform/outbox/outbox.js";
import type { CompiledSelector, LogEvent } from "./event-log.js";

/** The retained range of the log: the oldest and newest ids, 0 and 0 when it is empty. */
export interface LogBounds {
  readonly oldest: number;
  readonly newest: number;
}

/** Reads the retained range with one index lookup at each end of the primary key. */
export async function readLogBounds(em: EntityManager): Promise<LogBounds> {
  const rows = await em.getConnection().execute<{ oldest: number | string | null; newest: number | string | null }[]>(
    "select min(id) as oldest, max(id) as newest from outbox_event",
  );
  const row = rows[0];
  return { oldest: Number(row?.oldest ?? 0), newest: Number(row?.newest ?? 0) };
}

/** The next `limit` events after `after`, every topic, in log order: what the hub tails. */
export function readEventsAfter(em: EntityManager, after: number, limit: number): Promise<LogEvent[]> {
  return readRows(em, { id: { $gt: after } }, limit);
}

/**
 * The next `limit` events in `(after, upTo]` that `selector` selects, in log order: one page of a
 * subscriber's replay. The selector is applied in SQL so a narrow subscriber does not pull the
 * whole log through the server.
 */
export function readSelectedEvents(em: EntityManager, selector: CompiledSelector, after: number, upTo: number, limit: number): Promise<LogEvent[]> {
  return readRows(em, { $and: [{ id: { $gt: after, $lte: upTo } }, selectorWhere(selector)] }, limit);
}

interface OutboxRow {
  readonly id: number | string;
  readonly topic: string;
  readonly type: string;
  readonly resource: string;
  readonly actor: string;
  readonly request_id: string;
  readonly data: string | Record<string, unknown>;
  readonly create_time: number | string | Date;
}

/**
 * Reads rows without hydrating entities: the log is read-only here, and building a managed entity
 * per row per read was the largest cost of tailing the log under load.
 */
async function readRows(em: EntityManager, where: FilterQuery<OutboxEventEntity>, limit: number): Promise<LogEvent[]> {
  const rows = await (em as SqlEntityManager)
    .createQueryBuilder(OutboxEventEntity)
    .select(["id", "topic", "type", "resource", "actor", "requestId", "data", "createTime"])
    .where(where as never)
    .orderBy({ id: "asc" })
    .limit(limit)
    .execute<OutboxRow[]>("all", false);
  return rows.map((r) => ({
    id: Number(r.id),
    topic: r.topic as EventTopic,
    type: r.type,
    resource: r.resource,
    actor: r.actor,
    requestId: r.request_id,
    // SQLite keeps JSON as text and times as epoch milliseconds; PostgreSQL returns jsonb parsed and
    // timestamptz as text ("2026-01-02 03:04:05.678+00").
    data: typeof r.data === "string" ? (JSON.parse(r.data) as Record<string, unknown>) : r.data,
    createTime: r.create_time instanceof Date ? r.create_time : new Date(typeof r.create_time === "string" ? isoTime(r.create_time) : r.create_time),
  }));
}

function isoTime(text: string): string {
  return text.replace(" ", "T").replace(/([+-]\d\d)$/, "$1:00");
}

/**
 * The SQL form of a selector. Prefixes compare a leading substring for equality rather than using
 * LIKE: `_` is a LIKE wildcard that resource names contain, SQLite has no default LIKE escape, and
 * equality does not depend on the database collation as a range comparison would.
 */
export function selectorWhere(selector: CompiledSelector): FilterQuery<OutboxEventEntity> {
  const clauses: FilterQuery<OutboxEventEntity>[] = [];
  if (selector.topics) clauses.push({ topic: { $in: [...selector.topics] } });
  const anyOf = (column: "resource" | "type", exact: readonly string[], prefixes: readonly string[]) => {
    const alternatives: FilterQuery<OutboxEventEntity>[] = [];
    if (exact.length > 0) alternatives.push({ [column]: { $in: [...exact] } });
    for (const prefix of prefixes) {
      // The length is ours (an integer), the prefix travels as a parameter.
      alternatives.push({ [raw((alias: string) => `substr(${alias}.${column}, 1, ${prefix.length}) = ?`, [prefix])]: [] } as FilterQuery<OutboxEventEntity>);
    }
    // Always under $or: a raw fragment is a symbol key, invisible to code that checks Object.keys.
    if (alternatives.length > 0) clauses.push({ $or: alternatives });
  };
  anyOf("resource", selector.exactResources, selector.resourcePrefixes);
  anyOf("type", selector.exactTypes, selector.typePrefixes);
  return clauses.length === 0 ? {} : { $and: clauses };
}
