import type { EntityManager, FilterQuery } from "@mikro-orm/core";
import { OutboxEventEntity } from "../platform/outbox/outbox-event.entity.js";
import { listPage, type ListSpec } from "../platform/query/list-query.js";
import { invalidField } from "../platform/errors/app-error.js";
import { compileSelector, toLogEvent, type EventSelector, type LogEvent } from "./event-log.js";
import { readLogBounds, selectorWhere } from "./event-log.repository.js";
import { cursorBeyondLog, cursorExpired } from "./events.errors.js";

/** What ListEvents accepts, transport-free. */
export interface ListEventsInput {
  readonly selector: EventSelector;
  /** Only events after this log position. */
  readonly afterCursor: number | undefined;
  /** Only events committed at or after this time. */
  readonly startTime: Date | undefined;
  /** Only events committed before this time. */
  readonly endTime: Date | undefined;
  readonly pageSize: number;
  readonly pageToken: string;
  /** "", "create_time" or "create_time desc". */
  readonly orderBy: string;
}

const eventListSpec: ListSpec = {
  fields: { create_time: { prop: "createTime", type: "timestamp" } },
  defaultOrder: "create_time",
  // Equal create times keep log order.
  idProp: "id",
};

/** One page of the retained log and the number of events matching across all pages. */
export interface EventPage {
  readonly events: LogEvent[];
  readonly nextPageToken: string;
  readonly totalSize: number;
}

/**
 * Pages through the retained log with keyset page tokens tied to the query. Throws INVALID_ARGUMENT
 * for a bad page token or a time range that ends before it starts, and FAILED_PRECONDITION
 * (CURSOR_EXPIRED) when `afterCursor` is older than the retained log.
 */
export async function listEvents(em: EntityManager, input: ListEventsInput): Promise<EventPage> {
  if (input.startTime && input.endTime && input.endTime < input.startTime) {
    throw invalidField("end_time", "must not be before start_time", "INVALID_TIME_RANGE");
  }
  if (input.afterCursor !== undefined) {
    const { oldest, newest } = await readLogBounds(em);
    if (input.afterCursor > newest) throw cursorBeyondLog("after_cursor", input.afterCursor, newest);
    if (input.afterCursor < oldest - 1) throw cursorExpired("after_cursor", input.afterCursor, oldest);
  }
  const selector = compileSelector(input.selector);
  const scope: FilterQuery<OutboxEventEntity>[] = [selectorWhere(selector)];
  if (input.afterCursor !== undefined) scope.push({ id: { $gt: input.afterCursor } });
  if (input.startTime) scope.push({ createTime: { $gte: input.startTime } });
  if (input.endTime) scope.push({ createTime: { $lt: input.endTime } });
  const where = scope.filter((c) => Object.keys(c as object).length > 0);
  const scopeKey = JSON.stringify([selector.key, input.afterCursor ?? null, input.startTime?.toISOString() ?? null, input.endTime?.toISOString() ?? null]);
  const page = await listPage(
    em,
    OutboxEventEntity,
    eventListSpec,
    { pageSize: input.pageSize, pageToken: input.pageToken, filter: "", orderBy: input.orderBy },
    (where.length === 0 ? {} : where.length === 1 ? where[0]! : { $and: where }) as FilterQuery<OutboxEventEntity>,
    { scopeKey },
  );
  return { events: page.items.map(toLogEvent), nextPageToken: page.nextPageToken, totalSize: page.totalSize };
}
