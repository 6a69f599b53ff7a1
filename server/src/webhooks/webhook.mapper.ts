import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { WebhookDeliverySchema, WebhookDeliveryState, WebhookSchema, type Webhook, type WebhookDelivery } from "@artenic/gen/artenic/budget/v1/webhook_pb";
import type { WebhookDeliveryEntity, WebhookEntity } from "./webhook.entity.js";
import { deliveryName, webhookName } from "./delivery-attempt.js";
import { etagOf } from "../platform/context.js";
import { durationFromMillis } from "../platform/duration.js";
import { invalidField } from "../platform/errors/app-error.js";

const ID = "[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?";

/** Parses `webhooks/{webhook}`; with `allowWildcard`, `webhooks/-` gives undefined (every webhook). */
export function parseWebhookName(name: string, field: string, allowWildcard = false): string | undefined {
  if (allowWildcard && name === "webhooks/-") return undefined;
  const m = new RegExp(`^webhooks/(${ID})$`).exec(name);
  if (!m) throw invalidField(field, `"${name}" is not a webhook name (webhooks/{webhook})`, "INVALID_RESOURCE_NAME");
  return m[1]!;
}

/** Parses `webhooks/{webhook}/deliveries/{delivery}`. */
export function parseDeliveryName(name: string, field: string): { webhookId: string; deliveryId: string } {
  const m = new RegExp(`^webhooks/(${ID})/deliveries/([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)$`).exec(name);
  if (!m) throw invalidField(field, `"${name}" is not a delivery name (webhooks/{webhook}/deliveries/{delivery})`, "INVALID_RESOURCE_NAME");
  return { webhookId: m[1]!, deliveryId: m[2]! };
}

/** The webhook without its secret: the secret leaves the server only in Create and Rotate responses. */
export function toWebhookProto(w: WebhookEntity): Webhook {
  return create(WebhookSchema, {
    name: webhookName(w.id),
    displayName: w.displayName,
    description: w.description,
    labels: { ...w.labels },
    url: w.url,
    eventTypes: [...w.eventTypes],
    enabled: w.enabled,
    createTime: timestampFromDate(w.createTime),
    updateTime: timestampFromDate(w.updateTime),
    secretUpdateTime: timestampFromDate(w.secretUpdateTime),
    etag: etagOf(w.revision),
  });
}

const states: Record<string, WebhookDeliveryState> = {
  pending: WebhookDeliveryState.PENDING,
  succeeded: WebhookDeliveryState.SUCCEEDED,
  failed: WebhookDeliveryState.FAILED,
  retrying: WebhookDeliveryState.RETRYING,
};

export function toDeliveryProto(d: WebhookDeliveryEntity): WebhookDelivery {
  const webhookId = (d.webhook as unknown as { id: string }).id;
  const attempted = d.lastAttemptTime.getTime() > 0;
  const waiting = d.state === "pending" || d.state === "retrying";
  return create(WebhookDeliverySchema, {
    name: deliveryName(webhookId, d.id),
    eventCursor: d.eventId === null ? "" : String(d.eventId),
    eventType: d.eventType,
    eventResource: d.eventResource,
    test: d.test,
    state: states[d.state] ?? WebhookDeliveryState.UNSPECIFIED,
    attemptCount: d.attemptCount,
    httpStatus: d.httpStatus,
    error: d.error,
    latency: attempted ? durationFromMillis(d.latencyMs) : undefined,
    nextAttemptTime: waiting && d.nextAttemptTime ? timestampFromDate(d.nextAttemptTime) : undefined,
    lastAttemptTime: attempted ? timestampFromDate(d.lastAttemptTime) : undefined,
    createTime: timestampFromDate(d.createTime),
  });
}
