import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pino } from "pino";
import { initOrm, migrate, type Orm } from "../platform/db/orm.js";
import { AppError } from "../platform/errors/app-error.js";
import { recordEvent, SYSTEM_ACTOR } from "../platform/outbox/outbox.js";
import { compileSelector, parseCursor, type LogEvent } from "./event-log.js";
import { EventHub } from "./event-hub.js";
import { streamEvents, type StreamOutput, type StreamStart } from "./event-stream.js";
import { installOutboxCommitHooks } from "./outbox-commit-hooks.js";
import { Subscription } from "./subscription.js";

type StreamItem = { kind: "event"; event: LogEvent } | { kind: "heartbeat"; cursor: number; caughtUp: boolean };
const items: StreamOutput<StreamItem> = { event: (event) => ({ kind: "event", event }), heartbeat: (cursor, caughtUp) => ({ kind: "heartbeat", cursor, caughtUp }) };
const any = compileSelector({ topics: [], resources: [], types: [] });
const ev = (id: number, resource = "models/m", type = "registry.model.created", topic: LogEvent["topic"] = "registry"): LogEvent => ({
  id,
  topic,
  type,
  resource,
  actor: "system",
  requestId: "",
  data: {},
  createTime: new Date(),
});

describe("compileSelector", () => {
  it("matches exact resources, resources below a prefix but not the prefix itself, and type prefixes on a dot", () => {
    const s = compileSelector({ topics: ["registry"], resources: ["services/a", "models/fraud/*"], types: ["registry.model_version.*", "registry.model.deleted"] });
    expect(s.matches(ev(1, "models/fraud/versions/3", "registry.model_version.created"))).toBe(true);
    expect(s.matches(ev(1, "services/a", "registry.model.deleted"))).toBe(true);
    expect(s.matches(ev(1, "models/fraud", "registry.model_version.created"))).toBe(false);
    expect(s.matches(ev(1, "models/fraudulent/versions/1", "registry.model_version.created"))).toBe(false);
    expect(s.matches(ev(1, "services/a", "registry.model_versionx.created"))).toBe(false);
    expect(s.matches(ev(1, "services/a", "registry.model.deleted", "health"))).toBe(false);
  });
});

describe("parseCursor", () => {
  it("accepts decimal positions and refuses anything else, naming the field", () => {
    expect(parseCursor("after_cursor", "")).toBeUndefined();
    expect(parseCursor("after_cursor", "42")).toBe(42);
    for (const bad of ["0", "-1", "01", "1.5", "abc", "99999999999999999"]) {
      try {
        parseCursor("after_cursor", bad);
        expect.unreachable(bad);
      } catch (e) {
        expect((e as AppError).reason).toBe("INVALID_CURSOR");
        expect((e as AppError).metadata["field"]).toBe("after_cursor");
      }
    }
  });
});

describe("Subscription", () => {
  it("cuts itself off when its queue overflows, with the last sent position as the resume cursor", () => {
    let cut = 0;
    const sub = new Subscription(any, 3, 10, 60_000, () => (cut += 1));
    sub.offer(ev(9));
    expect(sub.pending).toBe(0);
    sub.offer(ev(11));
    sub.offer(ev(11));
    expect(sub.pending).toBe(1);
    sub.sentThrough = sub.take()!.id;
    for (const id of [12, 13, 14]) sub.offer(ev(id));
    expect(cut).toBe(0);
    sub.offer(ev(15));
    expect(cut).toBe(1);
    expect(sub.failure?.reason).toBe("SUBSCRIBER_TOO_SLOW");
    expect(sub.failure?.metadata["resume_cursor"]).toBe("11");
    expect(sub.pending).toBe(0);
    sub.offer(ev(16));
    expect(cut).toBe(1);
  });
});

describe("EventHub", () => {
  let orm: Orm;
  let hub: EventHub;

  beforeAll(async () => {
    orm = await initOrm({ kind: "sqlite", path: ":memory:" });
    await migrate(orm);
    const commits = installOutboxCommitHooks(orm);
    hub = new EventHub({
      orm,
      logger: pino({ level: "silent" }),
      wakeSources: [{ start: async (wake) => void commits.onCommit(wake), stop: async () => undefined }],
      subscriberBuffer: 100_000,
      pollMs: 60_000,
    });
    await hub.start();
  });
  afterAll(async () => {
    await hub?.stop();
    await orm?.close();
  });

  async function write(n: number, resource: (i: number) => string): Promise<void> {
    await orm.em.fork().transactional(async (em) => {
      for (let i = 0; i < n; i++) recordEvent(em, SYSTEM_ACTOR, { topic: "health", type: "health.status.changed", resource: resource(i), data: {} }, new Date());
    });
  }

  /** Consumes a subscription until it has seen `lastId`, returning the event ids. */
  async function collect(start: StreamStart, lastId: () => number | undefined, selector = any): Promise<number[]> {
    const abort = new AbortController();
    const ids: number[] = [];
    for await (const item of streamEvents(hub, { selector, start, heartbeatMs: 60_000 }, abort.signal, items)) {
      if (item.kind === "event") ids.push(item.event.id);
      const last = lastId();
      if (last !== undefined && (ids.at(-1) ?? 0) >= last) break;
    }
    abort.abort();
    return ids;
  }

  it("hands every subscriber over from replay to live with no gap and no duplicate while writers commit", async () => {
    let lastId: number | undefined;
    const subscriptions: Promise<{ start: StreamStart; ids: number[] }>[] = [];
    for (let round = 0; round < 150; round++) {
      await write(1 + (round % 4), (i) => `services/s${(round + i) % 5}`);
      if (round % 10 === 5) {
        // Starts from the beginning, from a cursor a little behind, and live, in the middle of the stream.
        const behind = Math.max(1, hub.position - 7);
        for (const start of [{ kind: "beginning" }, { kind: "after", cursor: behind }, { kind: "live" }] as StreamStart[]) {
          subscriptions.push(collect(start, () => lastId).then((ids) => ({ start, ids })));
        }
      }
      if (round % 3 === 0) await new Promise((r) => setImmediate(r));
    }
    lastId = (await hub.bounds()).newest;
    // Wakes subscribers that already read everything up to lastId and wait for more.
    await write(1, () => "services/end");
    const results = await Promise.all(subscriptions);
    expect(results).toHaveLength(45);
    for (const { start, ids } of results) {
      expect(ids.length).toBeGreaterThan(0);
      // Strictly increasing and contiguous (SQLite ids have no gaps here): nothing lost or repeated.
      for (let i = 1; i < ids.length; i++) expect(ids[i], JSON.stringify(start)).toBe(ids[i - 1]! + 1);
      expect(ids.at(-1)).toBeGreaterThanOrEqual(lastId);
      if (start.kind === "beginning") expect(ids[0]).toBe(1);
      if (start.kind === "after") expect(ids[0]).toBe(start.cursor + 1);
    }
  });

  it("indexes subscribers by exact resource and by prefix", async () => {
    const abort = new AbortController();
    const exact = streamEvents(hub, { selector: compileSelector({ topics: [], resources: ["models/x"], types: [] }), start: { kind: "live" }, heartbeatMs: 60_000 }, abort.signal, items);
    const prefix = streamEvents(hub, { selector: compileSelector({ topics: [], resources: ["models/x/*", "models/*"], types: [] }), start: { kind: "live" }, heartbeatMs: 60_000 }, abort.signal, items);
    expect((await exact.next()).value).toMatchObject({ kind: "heartbeat", caughtUp: true });
    expect((await prefix.next()).value).toMatchObject({ kind: "heartbeat", caughtUp: true });
    expect(hub.subscribers).toBe(2);
    await write(1, () => "models/y");
    await write(1, () => "models/x/versions/1");
    await write(1, () => "models/x");
    const e1 = (await exact.next()).value as StreamItem;
    expect(e1.kind === "event" && e1.event.resource).toBe("models/x");
    const resources: string[] = [];
    for (let i = 0; i < 3; i++) {
      const item = (await prefix.next()).value as StreamItem;
      if (item.kind === "event") resources.push(item.event.resource);
    }
    // Listed under two matching prefixes, each event still arrives once.
    expect(resources).toEqual(["models/y", "models/x/versions/1", "models/x"]);
    await exact.return(undefined);
    await prefix.return(undefined);
    expect(hub.subscribers).toBe(0);
  });
});
