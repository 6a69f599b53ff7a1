import type { CompiledSelector, LogEvent } from "./event-log.js";
import { cursorBeyondLog, cursorExpired } from "./events.errors.js";
import type { EventHub } from "./event-hub.js";
import type { EventsMetrics } from "../platform/metrics/metrics.js";

/** Where a subscription starts. */
export type StreamStart = { readonly kind: "live" } | { readonly kind: "beginning" } | { readonly kind: "after"; readonly cursor: number };

/** What a subscription asks for. */
export interface StreamRequest {
  readonly selector: CompiledSelector;
  readonly start: StreamStart;
  /** The longest time without a message before a heartbeat is sent. */
  readonly heartbeatMs: number;
}

/**
 * Builds the messages of a subscription. Called once per message on the hot path, so the stream
 * needs no second generator to map domain items to wire messages.
 */
export interface StreamOutput<T> {
  /** An event; called with the same object for every subscriber it goes to. */
  event(event: LogEvent): T;
  /** A heartbeat: the position read so far for this subscriber, and whether the replay is over. */
  heartbeat(cursor: number, caughtUp: boolean, time: Date): T;
}

/** Events per replay read. */
const REPLAY_PAGE = 500;

/**
 * A subscription to the event log: the retained events after the start (replay, read from the
 * database page by page as fast as the client takes them), then live events from the hub, with a
 * heartbeat whenever `heartbeatMs` passes without a message and one with `caughtUp` right when the
 * replay ends.
 *
 * The handoff is gap-free and duplicate-free without buffering the live stream during the replay:
 * the replay reads up to the hub's position (and at least to the end of the log when the
 * subscription started), and once there the subscriber registers with the hub in the same
 * synchronous step (see EventHub.position). Ends when `signal` aborts (the
 * client cancelled, or the server is shutting down: the signal's reason is thrown), or with the
 * hub's verdict (SUBSCRIBER_TOO_SLOW). Throws CURSOR_EXPIRED when retention deleted events the
 * subscriber has not read yet, and INVALID_CURSOR for a cursor past the end of the log.
 */
export async function* streamEvents<T>(hub: EventHub, request: StreamRequest, signal: AbortSignal, output: StreamOutput<T>, metrics?: EventsMetrics): AsyncGenerator<T> {
  const { selector, start, heartbeatMs } = request;
  let lastMessage = performance.now();
  const heartbeat = (cursor: number, caughtUp: boolean): T => {
    lastMessage = performance.now();
    return output.heartbeat(cursor, caughtUp, new Date());
  };
  const aborted = () => signal.reason ?? new Error("the subscription was cancelled");

  // The end of the log when the subscription starts: a live subscription starts there, and a replay
  // is not caught up before it got there, even if this process's hub has not read that far yet.
  const { oldest, newest } = await hub.bounds();
  let pos = start.kind === "after" ? start.cursor : start.kind === "beginning" ? 0 : newest;
  if (start.kind === "after") {
    if (pos > newest) throw cursorBeyondLog("after_cursor", pos, newest);
    // Retention deletes a prefix of the log and always keeps its newest event, so a cursor just
    // before the oldest retained event lost nothing.
    if (pos < oldest - 1) throw cursorExpired("after_cursor", pos, oldest);
  }

  // Replay up to the end of the log and to the hub's position, whichever is further; for a live
  // subscription this only reads what the hub fanned out while the bounds were being read.
  while (pos < Math.max(newest, hub.position)) {
    const target = Math.max(newest, hub.position);
    const page = await hub.readSelected(selector, pos, target, REPLAY_PAGE);
    if (signal.aborted) throw aborted();
    // Retention may have run while this subscriber was replaying: if it deleted past the
    // position, events may be gone (whether they were rolled-back gaps cannot be told). Only a gap
    // right after the position can hide such a loss, so contiguous pages cost no extra query.
    if (pos > 0 && (page.length === 0 || page[0]!.id > pos + 1)) {
      const bounds = await hub.bounds();
      if (pos < bounds.oldest - 1) throw cursorExpired("after_cursor", pos, bounds.oldest);
    }
    for (const event of page) {
      lastMessage = performance.now();
      metrics?.delivered();
      yield output.event(event);
      if (signal.aborted) throw aborted();
    }
    pos = page.length === REPLAY_PAGE ? page[page.length - 1]!.id : target;
    if (performance.now() - lastMessage >= heartbeatMs) yield heartbeat(pos, false);
  }

  // Synchronous from the loop's last check of hub.position: nothing can be fanned out in between.
  // When the replay read past the hub, the hub's later offers up to `pos` are skipped.
  const sub = hub.open(selector, pos, heartbeatMs);
  const interrupt = () => sub.wake();
  signal.addEventListener("abort", interrupt);
  try {
    yield heartbeat(sub.sentThrough, true);
    for (;;) {
      if (sub.failure) throw sub.failure;
      const event = sub.take();
      if (event) {
        sub.sentThrough = event.id;
        sub.lastMessageTick = hub.tick;
        metrics?.delivered();
        yield output.event(event);
        continue;
      }
      if (signal.aborted) throw aborted();
      if (sub.heartbeatDue) {
        // Nothing is queued (take() just said so), so everything up to the hub's position that
        // this subscriber selects has been sent: the heartbeat's cursor may cover it.
        sub.heartbeatDue = false;
        sub.sentThrough = Math.max(sub.sentThrough, hub.position);
        sub.lastMessageTick = hub.tick;
        yield heartbeat(sub.sentThrough, true);
        continue;
      }
      await sub.wait();
    }
  } finally {
    signal.removeEventListener("abort", interrupt);
    hub.close(sub);
  }
}
