import type { Event } from "@artenic/gen/artenic/events/v1/event_pb";
import type { Heartbeat, SubscribeResponse } from "@artenic/gen/artenic/events/v1/events_service_pb";

/**
 * Reads a Subscribe stream with deadlines, so a missing event fails the test with what did arrive
 * instead of hanging it.
 */
export class EventStreamReader {
  private readonly it: AsyncIterator<SubscribeResponse>;
  /** Every event read so far, in order. */
  readonly events: Event[] = [];
  /** Every heartbeat read so far. */
  readonly heartbeats: Heartbeat[] = [];

  constructor(stream: AsyncIterable<SubscribeResponse>) {
    this.it = stream[Symbol.asyncIterator]();
  }

  /** The next message; throws the stream's error, or after `timeoutMs`. */
  async next(timeoutMs = 10_000): Promise<SubscribeResponse> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no message within ${timeoutMs} ms; events so far: ${this.describe()}`)), timeoutMs);
    });
    try {
      const r = await Promise.race([this.it.next(), timeout]);
      if (r.done) throw new Error(`the stream ended; events so far: ${this.describe()}`);
      if (r.value.message.case === "event") this.events.push(r.value.message.value);
      if (r.value.message.case === "heartbeat") this.heartbeats.push(r.value.message.value);
      return r.value;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Reads until a heartbeat with `caught_up`, returning the events read before it. */
  async untilCaughtUp(timeoutMs = 10_000): Promise<Event[]> {
    const from = this.events.length;
    for (;;) {
      const m = await this.next(timeoutMs);
      if (m.message.case === "heartbeat" && m.message.value.caughtUp) return this.events.slice(from);
    }
  }

  /** Reads until `n` more events arrived, returning them. */
  async nextEvents(n: number, timeoutMs = 10_000): Promise<Event[]> {
    const from = this.events.length;
    while (this.events.length < from + n) await this.next(timeoutMs);
    return this.events.slice(from);
  }

  /** Reads until the stream fails, returning the error (and keeping the events read on the way). */
  async error(timeoutMs = 10_000): Promise<unknown> {
    for (;;) {
      try {
        await this.next(timeoutMs);
      } catch (e) {
        return e;
      }
    }
  }

  private describe(): string {
    return `[${this.events.map((e) => `${e.cursor}:${e.type}:${e.resource}`).join(", ")}]`;
  }
}
