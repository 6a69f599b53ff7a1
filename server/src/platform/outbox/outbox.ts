import type { EntityManager } from "@mikro-orm/core";
import { OutboxEventEntity } from "./outbox-event.entity.js";

/** The topics of the event log, one per domain. */
export type EventTopic = "registry" | "inference" | "abtest" | "ensemble" | "health" | "training" | "budget" | "keys" | "settings";

/** Who did it and on behalf of which request; carried into every event a call writes. */
export interface Actor {
  /** `apiKeys/{api_key}`, or `system` for background work. */
  readonly name: string;
  readonly requestId: string;
}

export const SYSTEM_ACTOR: Actor = { name: "system", requestId: "" };

export interface NewEvent {
  readonly topic: EventTopic;
  /** `<topic>.<resource kind>.<verb>`, e.g. `registry.model_version.stage_changed`. */
  readonly type: string;
  /** The resource name the event is about. */
  readonly resource: string;
  /** JSON-safe payload; never secrets. */
  readonly data: Record<string, unknown>;
}

/**
 * Adds an event to the unit of work. It is written by the same flush, inside the same transaction,
 * as the change it describes (transactional outbox).
 */
export function recordEvent(em: EntityManager, actor: Actor, event: NewEvent, now: Date): OutboxEventEntity {
  return em.create(OutboxEventEntity, {
    topic: event.topic,
    type: event.type,
    resource: event.resource,
    actor: actor.name,
    requestId: actor.requestId,
    data: event.data,
    createTime: now,
  });
}
