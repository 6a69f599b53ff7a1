import type { Logger } from "pino";
import type { Orm } from "../platform/db/orm.js";
import { AppError } from "../platform/errors/app-error.js";
import type { EventsMetrics } from "../platform/metrics/metrics.js";
import type { CompiledSelector, LogEvent } from "./event-log.js";
import { readEventsAfter, readLogBounds, readSelectedEvents, type LogBounds } from "./event-log.repository.js";
import { Subscription } from "./subscription.js";

/** Something that tells the hub "the log may have grown", e.g. PostgreSQL LISTEN. */
export interface WakeSource {
  /** Starts delivering wake-ups to `wake`; resolves once listening. */
  start(wake: () => void): Promise<void>;
  stop(): Promise<void>;
}

/** How the hub is built; see `Config.events` for the meaning of the figures. */
export interface EventHubOptions {
  readonly orm: Orm;
  readonly logger: Logger;
  /** Cross-process wake-ups (PostgreSQL NOTIFY); none on SQLite. */
  readonly wakeSources?: readonly WakeSource[];
  /** Events a subscriber may have queued before it is cut off. */
  readonly subscriberBuffer: number;
  /** The safety poll: the log is read at least this often, whatever the wake-ups say. */
  readonly pollMs: number;
  /** Rows per read of the log. @default half the subscriber buffer, at most 1000 */
  readonly batchSize?: number;
  readonly metrics?: EventsMetrics;
}

const RETRY_MS = 500;
/** How often idle subscribers are checked for a due heartbeat: heartbeats may come this much late. */
export const HEARTBEAT_SWEEP_MS = 200;

/**
 * The one reader of the event log in a server process. It tails `outbox_event` by id (ids follow
 * commit order, see outbox-commit-hooks.ts) and fans each event out to the live subscribers whose
 * selectors take it. A read is triggered by a wake-up (an in-process commit, a NOTIFY from another
 * process) or by the safety poll; wake-ups during a read coalesce into one more read.
 *
 * Fan-out is indexed: subscribers filtered to exact resources are found by a map lookup, those
 * filtered to `prefix/*` by one lookup per `/` in the event's resource, and only the rest (no
 * resource filter) are checked on every event. Each subscriber has a bounded queue; one that
 * overflows is cut off, so a slow client never holds memory or slows the others.
 *
 * Invariant that makes the replay-to-live handoff exact: `position` changes only synchronously with
 * the fan-out of the events up to it, so a subscriber registered while `position` is p receives
 * every event after p and none before.
 */
export class EventHub {
  /** Every event at or before this id has been offered to the registered subscribers. */
  position = 0;
  private readonly exact = new Map<string, Set<Subscription>>();
  private readonly prefixes = new Map<string, Set<Subscription>>();
  private readonly unindexed = new Set<Subscription>();
  private readonly all = new Set<Subscription>();
  /** Followers inside the server (followEvents): served like the others, not counted as clients. */
  private readonly internal = new Set<Subscription>();
  /** Counts heartbeat sweeps; subscriptions note it on every message they send. */
  tick = 0;
  private sweep: NodeJS.Timeout | undefined;
  private reading = false;
  private again = false;
  private started = false;
  private stopped = false;
  private poll: NodeJS.Timeout | undefined;
  private retry: NodeJS.Timeout | undefined;
  private readonly batchSize: number;

  constructor(private readonly options: EventHubOptions) {
    // A read fans out at once into every matching queue, so one read must fit well within a
    // subscriber's buffer, or a burst would cut off subscribers that are keeping up.
    this.batchSize = options.batchSize ?? Math.min(1000, Math.max(1, Math.ceil(options.subscriberBuffer / 2)));
  }

  /** Live subscribers: clients' streams, not the server's own followers. */
  get subscribers(): number {
    return this.all.size - this.internal.size;
  }

  /** The buffer size of each subscriber. */
  get subscriberBuffer(): number {
    return this.options.subscriberBuffer;
  }

  /**
   * Starts listening, then takes the current end of the log as the live position. In this order,
   * a commit between the two is both below the position read and announced, never missed.
   */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    for (const source of this.options.wakeSources ?? []) await source.start(() => this.wake());
    this.position = (await this.bounds()).newest;
    this.poll = setInterval(() => this.wake(), this.options.pollMs).unref();
    this.sweep = setInterval(() => this.sweepHeartbeats(), HEARTBEAT_SWEEP_MS).unref();
    this.wake();
  }

  /** Stops reading; open subscriptions end through their own signals (server shutdown). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.poll);
    clearInterval(this.sweep);
    clearTimeout(this.retry);
    for (const source of this.options.wakeSources ?? []) await source.stop().catch(() => undefined);
  }

  /** Asks for a read of the log; cheap and safe to call often. */
  wake(): void {
    if (!this.started || this.stopped) return;
    if (this.reading) {
      this.again = true;
      return;
    }
    void this.read();
  }

  /** The retained range of the log, read from the database. */
  bounds(): Promise<LogBounds> {
    return readLogBounds(this.options.orm.em.fork());
  }

  /** One page of a replay: the selected events in `(after, upTo]`. */
  readSelected(selector: CompiledSelector, after: number, upTo: number, limit: number): Promise<LogEvent[]> {
    return readSelectedEvents(this.options.orm.em.fork(), selector, after, upTo, limit);
  }

  /**
   * Registers a live subscriber at the current position. Call it synchronously after checking
   * that the subscriber has replayed up to `position` (or from a cursor ahead of it: `floor`).
   */
  open(selector: CompiledSelector, floor: number, heartbeatMs: number, options: { internal?: boolean } = {}): Subscription {
    if (this.stopped) throw new AppError("unavailable", "SERVER_SHUTTING_DOWN", "The server is shutting down; subscribe again elsewhere.");
    const sub = new Subscription(selector, this.options.subscriberBuffer, Math.max(floor, this.position), heartbeatMs, (s) => {
      this.close(s);
      this.options.metrics?.cutOff();
    });
    if (selector.exactResources.length === 0 && selector.resourcePrefixes.length === 0) this.unindexed.add(sub);
    for (const r of selector.exactResources) addTo(this.exact, r, sub);
    for (const p of selector.resourcePrefixes) addTo(this.prefixes, p, sub);
    this.all.add(sub);
    if (options.internal) this.internal.add(sub);
    sub.lastMessageTick = this.tick;
    return sub;
  }

  /** Unregisters a subscriber; idempotent. */
  close(sub: Subscription): void {
    this.unindexed.delete(sub);
    for (const r of sub.selector.exactResources) removeFrom(this.exact, r, sub);
    for (const p of sub.selector.resourcePrefixes) removeFrom(this.prefixes, p, sub);
    this.all.delete(sub);
    this.internal.delete(sub);
  }

  private sweepHeartbeats(): void {
    this.tick += 1;
    for (const sub of this.all) {
      // One whole sweep period is discounted: the last message may have come just after a tick.
      if (sub.waiting && (this.tick - sub.lastMessageTick - 1) * HEARTBEAT_SWEEP_MS >= sub.heartbeatMs) {
        sub.heartbeatDue = true;
        sub.wake();
      }
    }
  }

  private async read(): Promise<void> {
    this.reading = true;
    try {
      do {
        this.again = false;
        let batch: LogEvent[];
        for (;;) {
          batch = await readEventsAfter(this.options.orm.em.fork(), this.position, this.batchSize);
          if (this.stopped) return;
          for (const event of batch) this.fanOut(event);
          if (batch.length > 0) this.position = batch[batch.length - 1]!.id;
          if (batch.length < this.batchSize) break;
          // Between full reads, let the subscribers' streams write what was just queued (SQLite
          // reads complete without I/O, so the loop would otherwise never give them a turn).
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
      } while (this.again);
    } catch (e) {
      // A failed read (database restarting, pool exhausted) is retried; nothing is skipped since
      // the position only moves past events that were fanned out.
      this.options.logger.warn({ err: e }, "reading the event log failed; retrying");
      clearTimeout(this.retry);
      this.retry = setTimeout(() => this.wake(), RETRY_MS).unref();
    } finally {
      this.reading = false;
    }
  }

  private fanOut(event: LogEvent): void {
    for (const sub of this.unindexed) sub.offer(event);
    const exact = this.exact.get(event.resource);
    if (exact) for (const sub of exact) sub.offer(event);
    if (this.prefixes.size > 0) {
      const r = event.resource;
      for (let i = r.indexOf("/"); i >= 0; i = r.indexOf("/", i + 1)) {
        const subs = this.prefixes.get(r.slice(0, i + 1));
        if (subs) for (const sub of subs) sub.offer(event);
      }
    }
  }
}

function addTo(index: Map<string, Set<Subscription>>, key: string, sub: Subscription): void {
  let set = index.get(key);
  if (!set) index.set(key, (set = new Set()));
  set.add(sub);
}

function removeFrom(index: Map<string, Set<Subscription>>, key: string, sub: Subscription): void {
  const set = index.get(key);
  if (set?.delete(sub) && set.size === 0) index.delete(key);
}

/**
 * Follows the log from now on inside the server process: `onEvent` is called, in log order, with
 * every committed event the selector takes (from this process or, on PostgreSQL, any other). If the
 * follower falls too far behind it is re-opened and `onGap` is called, so the caller can re-read
 * the state it derives from events. For in-process components (hot-reloaded settings...).
 */
export function followEvents(hub: EventHub, selector: CompiledSelector, onEvent: (event: LogEvent) => void, onGap: () => void): { stop(): void } {
  let stopped = false;
  let sub: Subscription | undefined;
  const DAY_MS = 24 * 3600 * 1000;
  void (async () => {
    while (!stopped) {
      try {
        sub = hub.open(selector, hub.position, DAY_MS, { internal: true });
      } catch {
        return; // The hub is stopping.
      }
      while (!stopped) {
        await sub.wait();
        sub.heartbeatDue = false;
        for (let event = sub.take(); event; event = sub.take()) onEvent(event);
        if (sub.failure) {
          hub.close(sub);
          onGap();
          break;
        }
      }
    }
  })();
  return {
    stop() {
      stopped = true;
      if (sub) {
        hub.close(sub);
        sub.wake();
      }
    },
  };
}
