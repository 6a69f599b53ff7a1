// One subscriber process of bench:events (started with child_process.fork). It holds a share of the
// benchmark's Subscribe streams over a few HTTP/2 connections, as separate clients would, and
// records when each event arrived. The parent joins those times with the commit times it recorded.
// The streams are read by a minimal gRPC client (grpc-subscribe-lite.ts) so that the subscribers
// leave the machine's cores to the server being measured.
import type { ClientHttp2Session } from "node:http2";
import { connectLite, subscribeLite } from "./grpc-subscribe-lite.js";

/** The parent's first message: which streams this process holds. */
export interface SubscriberInit {
  readonly type: "init";
  readonly url: string;
  readonly key: string;
  /** One stream filtered to each of these resources. */
  readonly resources: readonly string[];
  /** Streams without a filter. */
  readonly unfiltered: number;
  /** HTTP/2 connections to spread the streams over. */
  readonly connections: number;
}

/** What a process reports at the end of a phase; `ids[i]` arrived at `times[i]` (epoch ms). */
export interface SubscriberReport {
  readonly type: "collected";
  readonly ids: Float64Array;
  readonly times: Float64Array;
  /** Events that arrived out of order or twice on one stream: must be 0. */
  readonly disorder: number;
  /** Streams ended with SUBSCRIBER_TOO_SLOW (each resumed from its cursor). */
  readonly cutOffs: number;
  readonly errors: readonly string[];
  /** CPU time this process used since the previous collect, in ms. */
  readonly cpuMs: number;
}

export type ParentMessage = SubscriberInit | { readonly type: "count" } | { readonly type: "collect" } | { readonly type: "stop" };
export type ChildMessage = { readonly type: "ready" } | { readonly type: "count"; readonly received: number } | SubscriberReport;

const now = () => performance.timeOrigin + performance.now();

let ids = new Float64Array(1 << 16);
let times = new Float64Array(1 << 16);
let received = 0;
let disorder = 0;
let cutOffs = 0;
const errors: string[] = [];
const cancels: (() => void)[] = [];
let stopping = false;
let cpuSince = process.cpuUsage();

function record(id: number, t: number): void {
  if (received === ids.length) {
    const grow = (a: Float64Array) => {
      const b = new Float64Array(a.length * 2);
      b.set(a);
      return b;
    };
    ids = grow(ids);
    times = grow(times);
  }
  ids[received] = id;
  times[received] = t;
  received += 1;
}

/** Runs one subscription, resuming from its cursor whenever the server cuts it off as too slow. */
function hold(session: ClientHttp2Session, key: string, resources: readonly string[], onLive: () => void): void {
  let last = 0;
  let after = "";
  let live = false;
  const open = () => {
    cancels.push(
      subscribeLite(session, key, { resources, afterCursor: after }, {
        onEvent(cursor) {
          const t = now();
          const id = Number(cursor);
          if (id <= last) disorder += 1;
          last = id;
          after = cursor;
          record(id, t);
        },
        onHeartbeat(cursor, caughtUp) {
          if (caughtUp && !live) {
            live = true;
            after = after || cursor;
            onLive();
          }
        },
        onEnd(code, message, metadata) {
          if (stopping) return;
          const resume = metadata["resume_cursor"];
          if (code === 8 && resume !== undefined) {
            cutOffs += 1;
            after = resume;
            open();
            return;
          }
          errors.push(`gRPC status ${code}: ${message}`);
        },
      }),
    );
  };
  open();
}

function start(init: SubscriberInit): void {
  const sessions = Array.from({ length: init.connections }, () => connectLite(init.url));
  const filters = [...init.resources.map((r) => [r]), ...Array.from({ length: init.unfiltered }, () => [] as string[])];
  let pending = filters.length;
  const onLive = () => {
    pending -= 1;
    if (pending === 0) process.send!({ type: "ready" } satisfies ChildMessage);
  };
  filters.forEach((f, i) => hold(sessions[i % sessions.length]!, init.key, f, onLive));
}

process.on("message", (m: ParentMessage) => {
  switch (m.type) {
    case "init":
      start(m);
      break;
    case "count":
      process.send!({ type: "count", received } satisfies ChildMessage);
      break;
    case "collect":
      {
        const cpu = process.cpuUsage(cpuSince);
        cpuSince = process.cpuUsage();
        process.send!({ type: "collected", ids: ids.slice(0, received), times: times.slice(0, received), disorder, cutOffs, errors: [...errors], cpuMs: (cpu.user + cpu.system) / 1000 } satisfies ChildMessage);
      }
      received = 0;
      disorder = 0;
      cutOffs = 0;
      errors.length = 0;
      break;
    case "stop":
      stopping = true;
      for (const cancel of cancels) cancel();
      setTimeout(() => process.exit(0), 100).unref();
      break;
  }
});
