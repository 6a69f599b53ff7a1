import { create } from "@bufbuild/protobuf";
import { durationMs, timestampDate } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import { EventsService, ListEventsResponseSchema } from "@artenic/gen/artenic/events/v1/events_service_pb";
import { useCaseContext } from "../platform/context.js";
import { invalidField } from "../platform/errors/app-error.js";
import type { EventsMetrics } from "../platform/metrics/metrics.js";
import { compileSelector, parseCursor } from "./event-log.js";
import type { EventHub } from "./event-hub.js";
import { streamEvents, type StreamStart } from "./event-stream.js";
import { listEvents } from "./events.use-cases.js";
import { selectorFromProto, subscribeOutput, subscribeOutputBinary, toEventProto } from "./event.mapper.js";

/** What the EventsService handler needs. */
export interface EventsHandlerDeps {
  /** This process's event hub, started. */
  readonly hub: EventHub;
  /** Heartbeat interval when a subscriber sets none. */
  readonly defaultHeartbeatMs: number;
  readonly metrics?: EventsMetrics;
}

/**
 * `artenic.events.v1.EventsService`: Subscribe streams the log through the hub (replay, then live);
 * ListEvents pages through the retained history. Subscribe ends on the client's cancel and on
 * server shutdown, both of which abort `ctx.signal` (the shutdown with UNAVAILABLE).
 */
export function createEventsServiceHandler(deps: EventsHandlerDeps): ServiceImpl<typeof EventsService> {
  const { hub, metrics } = deps;
  return {
    // A plain function returning the stream: one generator between the hub and Connect.
    subscribe(req, ctx) {
      if (req.afterCursor !== "" && req.fromBeginning) {
        throw invalidField("after_cursor", "must not be set together with from_beginning", "INVALID_ARGUMENT");
      }
      const after = parseCursor("after_cursor", req.afterCursor);
      const start: StreamStart = after !== undefined ? { kind: "after", cursor: after } : req.fromBeginning ? { kind: "beginning" } : { kind: "live" };
      const selector = compileSelector(selectorFromProto(req.topics, req.filter));
      const heartbeatMs = req.heartbeatInterval ? durationMs(req.heartbeatInterval) : deps.defaultHeartbeatMs;
      // Every protocol names its codec in the content type: application/grpc(+proto),
      // application/grpc-web(+proto), application/connect+proto, or a "+json" variant.
      const json = (ctx.requestHeader.get("content-type") ?? "").includes("json");
      return streamEvents(hub, { selector, start, heartbeatMs }, ctx.signal, json ? subscribeOutput : subscribeOutputBinary, metrics);
    },

    async listEvents(req, ctx) {
      const { em } = useCaseContext(ctx);
      const page = await listEvents(em, {
        selector: selectorFromProto(req.topics, req.filter),
        afterCursor: parseCursor("after_cursor", req.afterCursor),
        startTime: req.startTime ? timestampDate(req.startTime) : undefined,
        endTime: req.endTime ? timestampDate(req.endTime) : undefined,
        pageSize: req.pageSize,
        pageToken: req.pageToken,
        orderBy: req.orderBy,
      });
      return create(ListEventsResponseSchema, { events: page.events.map(toEventProto), nextPageToken: page.nextPageToken, totalSize: BigInt(page.totalSize) });
    },
  };
}
