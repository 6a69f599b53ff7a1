import { defineEntity, p } from "@mikro-orm/core";

/**
 * One row of the durable event log (transactional outbox). Every state change inserts its event in
 * the same transaction as the change, so the log never claims a change that rolled back and never
 * misses one that committed. The autoincrement id is the cursor: commit order within one database.
 */
export const OutboxEventEntitySchema = defineEntity({
  name: "OutboxEvent",
  tableName: "outbox_event",
  properties: {
    id: p.integer().primary().autoincrement(),
    topic: p.string().length(32).index(),
    type: p.string().length(128),
    resource: p.string().length(512).index(),
    actor: p.string().length(256),
    requestId: p.string().length(128),
    data: p.json<Record<string, unknown>>(),
    createTime: p.datetime().index(),
  },
});

export class OutboxEventEntity extends OutboxEventEntitySchema.class {}
OutboxEventEntitySchema.setClass(OutboxEventEntity);
