import { defineEntity, p } from "@mikro-orm/core";

/**
 * The first response of a creating call that carried a `request_id` (AIP-155). A retry with the same
 * id, by the same caller, on the same method, replays it instead of doing the work twice. The
 * unique key makes two concurrent first attempts race safely: one commits, the other replays.
 */
export const IdempotencyRecordEntitySchema = defineEntity({
  name: "IdempotencyRecord",
  tableName: "idempotency_record",
  properties: {
    id: p.integer().primary().autoincrement(),
    scope: p.string().length(512),
    requestId: p.string().length(128),
    response: p.text(),
    requestHash: p.string().length(64),
    createTime: p.datetime().index(),
  },
  uniques: [{ properties: ["scope", "requestId"] }],
});

export class IdempotencyRecordEntity extends IdempotencyRecordEntitySchema.class {}
IdempotencyRecordEntitySchema.setClass(IdempotencyRecordEntity);
