import { defineEntity, p } from "@mikro-orm/core";

/**
 * A registered webhook. Its secret is stored only sealed (AES-256-GCM under the server's secrets
 * key, bound to the webhook's name). `cursor` is the webhook's high-water mark in the event log:
 * every event with a larger id is still to be turned into deliveries (see delivery-worker.ts).
 */
export const WebhookEntitySchema = defineEntity({
  name: "Webhook",
  tableName: "webhook",
  properties: {
    id: p.string().length(63).primary(),
    displayName: p.string().length(128),
    description: p.text(),
    labels: p.json<Record<string, string>>(),
    url: p.string().length(2048),
    /** Exact types or `prefix.*`; empty means every event. */
    eventTypes: p.json<string[]>(),
    secretSealed: p.text(),
    /** The rotated-out secret, sealed, while it still signs deliveries; empty otherwise. */
    previousSecretSealed: p.text(),
    previousSecretExpireTime: p.datetime().nullable(),
    secretUpdateTime: p.datetime(),
    enabled: p.boolean(),
    /** The id of the last event of the log that was considered for this webhook. */
    cursor: p.bigint("number"),
    createTime: p.datetime().index(),
    updateTime: p.datetime(),
    /** Optimistic lock of the settings, exposed as `etag`; the worker moves `cursor` without it. */
    revision: p.integer().version(),
  },
});
export class WebhookEntity extends WebhookEntitySchema.class {}
WebhookEntitySchema.setClass(WebhookEntity);

/**
 * One event's delivery to one webhook, across all its attempts: the delivery log. The body is
 * frozen when the delivery is queued, so every attempt (and a manual retry) sends the same bytes
 * under the same delivery id, even after the event left the log. `leaseUntil`/`leaseToken` claim
 * an attempt for one worker, so several server processes never send the same attempt twice.
 */
export const WebhookDeliveryEntitySchema = defineEntity({
  name: "WebhookDelivery",
  tableName: "webhook_delivery",
  properties: {
    /** A UUID: the `Artenic-Delivery` header and the last segment of the delivery's name. */
    id: p.string().length(36).primary(),
    webhook: () => p.manyToOne(WebhookEntity).deleteRule("cascade"),
    /** The event's log id; null for a test delivery. */
    eventId: p.bigint("number").nullable(),
    eventType: p.string().length(128),
    eventResource: p.string().length(512),
    test: p.boolean(),
    /** The URL at the time the delivery was queued. */
    url: p.string().length(2048),
    body: p.text(),
    /** `pending`, `succeeded`, `failed` or `retrying`. */
    state: p.string().length(16),
    attemptCount: p.integer(),
    httpStatus: p.integer(),
    error: p.text(),
    latencyMs: p.integer(),
    nextAttemptTime: p.datetime().nullable(),
    /** The epoch (1970) until the first attempt, so that it can be ordered on. */
    lastAttemptTime: p.datetime(),
    createTime: p.datetime(),
    leaseUntil: p.datetime().nullable(),
    leaseToken: p.string().length(36),
  },
  uniques: [{ properties: ["webhook", "eventId"] }],
  indexes: [{ properties: ["state", "nextAttemptTime"] }, { properties: ["webhook", "createTime"] }, { properties: ["createTime"] }],
});
export class WebhookDeliveryEntity extends WebhookDeliveryEntitySchema.class {}
WebhookDeliveryEntitySchema.setClass(WebhookDeliveryEntity);
