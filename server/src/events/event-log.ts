import type { EventTopic } from "../platform/outbox/outbox.js";
import type { OutboxEventEntity } from "../platform/outbox/outbox-event.entity.js";
import { invalidField } from "../platform/errors/app-error.js";

/** One committed event of the log, as the event domain hands it around (transport-free). */
export interface LogEvent {
  /** The log position: ids follow commit order (see outbox-commit-hooks.ts). */
  readonly id: number;
  readonly topic: EventTopic;
  readonly type: string;
  readonly resource: string;
  readonly actor: string;
  readonly requestId: string;
  readonly data: Readonly<Record<string, unknown>>;
  readonly createTime: Date;
}

/** Copies an outbox row into a plain event, so that nothing holds on to an ORM-managed entity. */
export function toLogEvent(row: OutboxEventEntity): LogEvent {
  return {
    id: row.id,
    topic: row.topic as EventTopic,
    type: row.type,
    resource: row.resource,
    actor: row.actor,
    requestId: row.requestId,
    data: row.data,
    createTime: row.createTime,
  };
}

/**
 * The public cursor of a log position. It is the decimal id: opaque to clients by contract, but
 * readable in logs and stable across server versions.
 */
export function formatCursor(id: number): string {
  return id > 0 ? String(id) : "";
}

/**
 * Parses a cursor given in `field`. Returns undefined for an empty one. Throws INVALID_ARGUMENT
 * (reason INVALID_CURSOR) naming the field for anything that no server ever handed out.
 */
export function parseCursor(field: string, text: string): number | undefined {
  if (text === "") return undefined;
  const id = /^[1-9][0-9]{0,15}$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(id)) throw invalidField(field, `"${text.slice(0, 40)}" is not a cursor returned by this server`, "INVALID_CURSOR");
  return id;
}

/** Which events a subscriber or a list call wants; empty lists mean "any". */
export interface EventSelector {
  readonly topics: readonly EventTopic[];
  /** Exact resource names, or `prefix/*` for everything below `prefix`. */
  readonly resources: readonly string[];
  /** Exact types, or `prefix.*` for every type below `prefix`. */
  readonly types: readonly string[];
}

/** A selector split into exact names and prefixes, ready for the hub's index and for SQL. */
export interface CompiledSelector {
  readonly topics: ReadonlySet<string> | undefined;
  readonly exactResources: readonly string[];
  /** Each ends with "/": `models/fraud/*` becomes `models/fraud/`. */
  readonly resourcePrefixes: readonly string[];
  readonly exactTypes: readonly string[];
  /** Each ends with ".": `registry.model_version.*` becomes `registry.model_version.`. */
  readonly typePrefixes: readonly string[];
  /** A canonical text of the selector, to tie page tokens to it. */
  readonly key: string;
  /** Whether `event` is selected. */
  matches(event: LogEvent): boolean;
}

/** Compiles a selector once per subscription or query; matching is then a few set lookups. */
export function compileSelector(selector: EventSelector): CompiledSelector {
  const exactResources = selector.resources.filter((r) => !r.endsWith("/*"));
  const resourcePrefixes = selector.resources.filter((r) => r.endsWith("/*")).map((r) => r.slice(0, -1));
  const exactTypes = selector.types.filter((t) => !t.endsWith(".*"));
  const typePrefixes = selector.types.filter((t) => t.endsWith(".*")).map((t) => t.slice(0, -1));
  const topics = selector.topics.length > 0 ? new Set<string>(selector.topics) : undefined;
  const resourceSet = new Set(exactResources);
  const typeSet = new Set(exactTypes);
  const anyResource = selector.resources.length === 0;
  const anyType = selector.types.length === 0;
  const key = JSON.stringify([[...selector.topics].sort(), [...selector.resources].sort(), [...selector.types].sort()]);
  return {
    topics,
    exactResources,
    resourcePrefixes,
    exactTypes,
    typePrefixes,
    key,
    matches(e) {
      if (topics && !topics.has(e.topic)) return false;
      if (!anyResource && !resourceSet.has(e.resource) && !resourcePrefixes.some((p) => e.resource.startsWith(p))) return false;
      if (!anyType && !typeSet.has(e.type) && !typePrefixes.some((p) => e.type.startsWith(p))) return false;
      return true;
    },
  };
}
