import { create, toBinary, type JsonObject } from "@bufbuild/protobuf";
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { EventSchema, EventTopic as EventTopicProto, type Event } from "@artenic/gen/artenic/events/v1/event_pb";
import { HeartbeatSchema, SubscribeResponseSchema, type EventFilter, type SubscribeResponse } from "@artenic/gen/artenic/events/v1/events_service_pb";
import type { EventTopic } from "../platform/outbox/outbox.js";
import { formatCursor, type EventSelector, type LogEvent } from "./event-log.js";
import type { StreamOutput } from "./event-stream.js";

const topicToProto: Record<EventTopic, EventTopicProto> = {
  registry: EventTopicProto.REGISTRY,
  inference: EventTopicProto.INFERENCE,
  abtest: EventTopicProto.ABTEST,
  ensemble: EventTopicProto.ENSEMBLE,
  health: EventTopicProto.HEALTH,
  training: EventTopicProto.TRAINING,
  budget: EventTopicProto.BUDGET,
  keys: EventTopicProto.KEYS,
  settings: EventTopicProto.SETTINGS,
};
const topicFromProto = new Map<EventTopicProto, EventTopic>(Object.entries(topicToProto).map(([k, v]) => [v, k as EventTopic]));

/** The proto topic of a stored topic; UNSPECIFIED for a topic this server version does not know. */
export function toTopicProto(topic: string): EventTopicProto {
  return Object.hasOwn(topicToProto, topic) ? topicToProto[topic as EventTopic] : EventTopicProto.UNSPECIFIED;
}

/** The domain selector of a request's `topics` and `filter` (already checked by protovalidate). */
export function selectorFromProto(topics: readonly EventTopicProto[], filter: EventFilter | undefined): EventSelector {
  return {
    // protovalidate refuses UNSPECIFIED and undefined values, so every topic maps.
    topics: topics.map((t) => topicFromProto.get(t)).filter((t): t is EventTopic => t !== undefined),
    resources: filter?.resources ?? [],
    types: filter?.types ?? [],
  };
}

/** The proto message of an event; `data` is the stored JSON payload as a google.protobuf.Struct. */
export function toEventProto(e: LogEvent): Event {
  return create(EventSchema, {
    cursor: formatCursor(e.id),
    topic: toTopicProto(e.topic),
    type: e.type,
    resource: e.resource,
    actor: e.actor,
    createTime: timestampFromDate(e.createTime),
    data: e.data as JsonObject,
    requestId: e.requestId,
  });
}

// Every subscriber of one event gets the same LogEvent object from the hub: its message is built
// once, then shared by every subscriber (and dropped with the event).
const structured = new WeakMap<LogEvent, SubscribeResponse>();
const preEncoded = new WeakMap<LogEvent, SubscribeResponse>();

function heartbeatResponse(cursor: number, caughtUp: boolean, time: Date): SubscribeResponse {
  return create(SubscribeResponseSchema, {
    message: { case: "heartbeat", value: create(HeartbeatSchema, { cursor: formatCursor(cursor), time: timestampFromDate(time), caughtUp }) },
  });
}

/** The Subscribe messages of a stream whose client reads JSON: regular messages, shared per event. */
export const subscribeOutput: StreamOutput<SubscribeResponse> = {
  event(e) {
    let response = structured.get(e);
    if (!response) {
      response = create(SubscribeResponseSchema, { message: { case: "event", value: toEventProto(e) } });
      structured.set(e, response);
    }
    return response;
  },
  heartbeat: heartbeatResponse,
};

/**
 * The Subscribe messages of a stream whose client reads the binary protobuf format. Each event is
 * encoded once, and every subscriber's message carries those bytes as field 1 (`event`) through
 * protobuf-es's unknown-field passthrough: serializing it per subscriber then copies bytes instead
 * of walking the event and converting its `data` to a google.protobuf.Struct every time, which was
 * a large share of the server's CPU per delivered event. The bytes on the wire are exactly those of
 * a SubscribeResponse with `event` set. JSON has no such passthrough, hence the two outputs.
 */
export const subscribeOutputBinary: StreamOutput<SubscribeResponse> = {
  event(e) {
    let response = preEncoded.get(e);
    if (!response) {
      const event = toBinary(EventSchema, toEventProto(e));
      response = create(SubscribeResponseSchema);
      response.$unknown = [{ no: 1, wireType: WireType.LengthDelimited, data: new BinaryWriter().bytes(event).finish() }];
      preEncoded.set(e, response);
    }
    return response;
  },
  heartbeat: heartbeatResponse,
};
