import type { AppError } from "../platform/errors/app-error.js";
import type { CompiledSelector, LogEvent } from "./event-log.js";
import { subscriberTooSlow } from "./events.errors.js";

/**
 * One live subscriber as the hub sees it: a selector and a bounded queue of events waiting to be
 * sent. The hub offers events in log order; the subscriber's stream takes them one at a time as
 * fast as its client reads. When the queue is full the subscriber is cut off, never the hub slowed.
 */
export class Subscription {
  /** Why the subscriber was ended by the hub; the stream throws it on its next step. */
  failure: AppError | undefined;
  /** The cursor up to which the client has been sent everything it selects; the resume point. */
  sentThrough: number;
  /** Set by the hub's heartbeat sweep when the stream has been idle for its heartbeat interval. */
  heartbeatDue = false;
  /** The hub's sweep tick of the last message sent; the sweep compares it with the interval. */
  lastMessageTick = 0;
  private readonly queue: (LogEvent | undefined)[] = [];
  private head = 0;
  private lastOffered = 0;
  private waiter: (() => void) | undefined;

  /**
   * @param floor events at or before this position were already replayed (or precede the start):
   *   the hub may still offer some of them when the client's cursor is ahead of the hub.
   * @param heartbeatMs the longest idle time before a heartbeat.
   * @param onCutOff called once when the queue overflows, so the hub can drop the subscriber.
   */
  constructor(
    readonly selector: CompiledSelector,
    readonly capacity: number,
    readonly floor: number,
    readonly heartbeatMs: number,
    private readonly onCutOff: (s: Subscription) => void,
  ) {
    this.sentThrough = floor;
  }

  /** Events waiting to be sent. */
  get pending(): number {
    return this.queue.length - this.head;
  }

  /** Whether the stream is parked in `wait`. */
  get waiting(): boolean {
    return this.waiter !== undefined;
  }

  /** Queues `event` if selected; an overflow ends the subscription with SUBSCRIBER_TOO_SLOW. */
  offer(event: LogEvent): void {
    // The hub's index may list a subscriber under several keys that match one event.
    if (this.failure || event.id <= this.floor || event.id === this.lastOffered) return;
    this.lastOffered = event.id;
    if (!this.selector.matches(event)) return;
    if (this.pending >= this.capacity) {
      this.fail(subscriberTooSlow(this.sentThrough, this.capacity));
      this.onCutOff(this);
      return;
    }
    this.queue.push(event);
    this.wake();
  }

  /** Ends the subscription with `error` (thrown by its stream) and frees its queue. */
  fail(error: AppError): void {
    if (this.failure) return;
    this.failure = error;
    this.queue.length = 0;
    this.head = 0;
    this.wake();
  }

  /** The next queued event, if any. */
  take(): LogEvent | undefined {
    if (this.head >= this.queue.length) return undefined;
    const event = this.queue[this.head];
    this.queue[this.head++] = undefined;
    // Reset when drained, and compact a long-busy queue now and then, instead of shifting on every
    // take: a queue that is never quite empty must not grow without bound either.
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    return event;
  }

  /**
   * Resolves when an event is queued, the subscription fails, a heartbeat falls due or `wake` is
   * called. There is no timer per wait: the hub's sweep marks heartbeats due for every subscriber
   * at once, which keeps an idle-then-busy subscriber from creating a timer per event.
   */
  wait(): Promise<void> {
    if (this.pending > 0 || this.failure || this.heartbeatDue) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.waiter = resolve;
    });
  }

  /** Resumes a pending `wait` (a new event, a failure, a heartbeat, or the stream's abort). */
  wake(): void {
    const w = this.waiter;
    if (w) {
      this.waiter = undefined;
      w();
    }
  }
}
