import { create, toJsonString, type JsonObject } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { EventSchema, EventTopic } from "@artenic/gen/artenic/events/v1/event_pb";
import type { OutboxEventEntity } from "../platform/outbox/outbox-event.entity.js";

/** An event as a webhook receives it: its type, its resource and the exact body bytes to send. */
export interface WebhookPayload {
  readonly type: string;
  readonly resource: string;
  /** artenic.events.v1.Event in canonical proto3 JSON. */
  readonly body: string;
}

function topicOf(topic: string): EventTopic {
  const value = (EventTopic as unknown as Record<string, EventTopic | undefined>)[topic.toUpperCase()];
  return value ?? EventTopic.UNSPECIFIED;
}

/** The payload of a committed event of the log; its cursor is the log id, as EventsService gives it. */
export function payloadOfEvent(row: Pick<OutboxEventEntity, "id" | "topic" | "type" | "resource" | "actor" | "requestId" | "data" | "createTime">): WebhookPayload {
  const event = create(EventSchema, {
    cursor: String(row.id),
    topic: topicOf(row.topic),
    type: row.type,
    resource: row.resource,
    actor: row.actor,
    createTime: timestampFromDate(row.createTime),
    // Through JSON once, as the log stores it: a stray undefined or Date in a payload cannot make
    // the Struct conversion throw and stall every webhook behind this event.
    data: JSON.parse(JSON.stringify(row.data ?? {})) as JsonObject,
    requestId: row.requestId,
  });
  return { type: row.type, resource: row.resource, body: toJsonString(EventSchema, event) };
}

/** The synthetic event TestWebhook sends: never written to the log, so it has no cursor. */
export function testPayload(webhook: string, actor: string, requestId: string, now: Date): WebhookPayload {
  const type = "budget.webhook.tested";
  const event = create(EventSchema, {
    cursor: "",
    topic: EventTopic.BUDGET,
    type,
    resource: webhook,
    actor,
    createTime: timestampFromDate(now),
    data: { webhook, message: "A test delivery requested with TestWebhook." },
    requestId,
  });
  return { type, resource: webhook, body: toJsonString(EventSchema, event) };
}

/** Whether a webhook's `event_types` select an event type: empty selects all; `x.*` selects `x.` prefixes. */
export function selectsEventType(eventTypes: readonly string[], type: string): boolean {
  if (eventTypes.length === 0) return true;
  return eventTypes.some((t) => (t.endsWith(".*") ? type.startsWith(t.slice(0, -1)) : t === type));
}
