import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { pino } from "pino";
import { Code, ConnectError, createClient, type Client } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import { timestampDate, timestampFromDate } from "@bufbuild/protobuf/wkt";
import { ErrorInfoSchema } from "@artenic/gen/google/rpc/error_details_pb";
import { EventsService } from "@artenic/gen/artenic/events/v1/events_service_pb";
import { EventTopic, type Event } from "@artenic/gen/artenic/events/v1/event_pb";
import { RegistryService } from "@artenic/gen/artenic/registry/v1/registry_service_pb";
import { apiKeyInterceptor } from "@artenic/sdk";
import { startServer, type RunningServer } from "../../src/main.js";
import { loadConfig } from "../../src/platform/config/config.js";
import { recordEvent, SYSTEM_ACTOR, type EventTopic as EventTopicName } from "../../src/platform/outbox/outbox.js";
import { OutboxEventEntity } from "../../src/platform/outbox/outbox-event.entity.js";
import { createScratchDatabase, databaseKinds, type ScratchDatabase } from "../support/databases.js";
import { EventStreamReader } from "../support/event-stream-reader.js";

function errorInfo(e: unknown) {
  return ConnectError.from(e).findDetails(ErrorInfoSchema)[0];
}

async function expectCode(p: Promise<unknown>, code: Code, reason?: string): Promise<ConnectError> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => ConnectError.from(e),
  );
  expect(error, "the call should have failed").toBeDefined();
  expect(Code[error!.code]).toBe(Code[code]);
  if (reason) expect(errorInfo(error)?.reason).toBe(reason);
  return error!;
}

/** A server on a database that outlives it, so the test can restart it on the same data. */
async function serverOn(db: ScratchDatabase & { dataDir: string }, adminKey: string, env: Record<string, string> = {}): Promise<RunningServer> {
  const config = {
    ...loadConfig({ ARTENIC_PORT: "0", ARTENIC_DATA_DIR: db.dataDir, ARTENIC_API_KEY: adminKey, ARTENIC_SHUTDOWN_GRACE_MS: "2000", ...env }),
    database: db.config,
  };
  return startServer(config, pino({ level: process.env["ARTENIC_TEST_LOG_LEVEL"] ?? "silent" }));
}

function clients(server: RunningServer, adminKey: string) {
  const transport = createGrpcTransport({ baseUrl: server.url, interceptors: [apiKeyInterceptor(adminKey)] });
  return { events: createClient(EventsService, transport), registry: createClient(RegistryService, transport) };
}

/** Writes `n` events through the server's own outbox path, `perTransaction` per commit. */
async function publish(
  server: RunningServer,
  n: number,
  options: { perTransaction?: number; resource?: (i: number) => string; bytes?: number; type?: string; topic?: EventTopicName; createTime?: Date; seqFrom?: number } = {},
) {
  const per = options.perTransaction ?? 50;
  const padding = "x".repeat(options.bytes ?? 0);
  const from = options.seqFrom ?? 0;
  for (let i = from; i < from + n; i += per) {
    await server.orm.em.fork().transactional(async (em) => {
      for (let j = i; j < Math.min(from + n, i + per); j++) {
        recordEvent(
          em,
          SYSTEM_ACTOR,
          { topic: options.topic ?? "health", type: options.type ?? "health.status.changed", resource: options.resource?.(j) ?? `services/s${j % 7}`, data: { seq: j, padding } },
          options.createTime ?? new Date(),
        );
      }
    });
  }
}

const cursors = (events: readonly Event[]) => events.map((e) => Number(e.cursor));
const seqs = (events: readonly Event[]) => events.map((e) => e.data?.["seq"]);
const key = () => `artenic_test_${randomBytes(24).toString("base64url")}`;

describe.each(databaseKinds)("EventsService on %s", (kind) => {
  it("replays exactly the missed events, in order, after a server restart, then goes live", async () => {
    const db = await createScratchDatabase(kind, "events-replay");
    const adminKey = key();
    try {
      const first = await serverOn(db, adminKey);
      let cursor: string;
      try {
        const { events, registry } = clients(first, adminKey);
        await registry.createModel({ modelId: "before-a", model: {} });
        await registry.createModel({ modelId: "before-b", model: {} });
        const seen = await events.listEvents({ topics: [EventTopic.REGISTRY] });
        expect(seen.events.map((e) => e.resource)).toEqual(["models/before-a", "models/before-b"]);
        cursor = seen.events[1]!.cursor;
      } finally {
        await first.stop();
      }

      const second = await serverOn(db, adminKey);
      try {
        const { events, registry } = clients(second, adminKey);
        await registry.createModel({ modelId: "after-a", model: {} });
        await registry.createModelVersion({ parent: "models/after-a", modelVersion: {} });
        await registry.updateModel({ model: { name: "models/before-a", description: "changed while away" }, updateMask: { paths: ["description"] } });
        const abort = new AbortController();
        const reader = new EventStreamReader(events.subscribe({ topics: [EventTopic.REGISTRY], afterCursor: cursor }, { signal: abort.signal }));
        const replayed = await reader.untilCaughtUp();
        expect(replayed.map((e) => [e.type, e.resource])).toEqual([
          ["registry.model.created", "models/after-a"],
          ["registry.model_version.created", "models/after-a/versions/1"],
          ["registry.model.updated", "models/before-a"],
        ]);
        expect(cursors(replayed).every((c, i, all) => c > Number(cursor) && (i === 0 || c > all[i - 1]!))).toBe(true);
        expect(replayed[2]!.data).toMatchObject({ description: "changed while away" });
        expect(replayed[0]!.actor).toMatch(/^apiKeys\//);
        expect(replayed[0]!.createTime).toBeDefined();
        // Then live, with nothing repeated.
        await registry.createModel({ modelId: "live", model: {} });
        const [live] = await reader.nextEvents(1);
        expect(live?.resource).toBe("models/live");
        expect(Number(live!.cursor)).toBeGreaterThan(Number(replayed[2]!.cursor));
        abort.abort();
      } finally {
        await second.stop();
      }
    } finally {
      await db.drop();
    }
  });

  describe("with one server", () => {
    let db: ScratchDatabase & { dataDir: string };
    let server: RunningServer;
    let events: Client<typeof EventsService>;
    const adminKey = key();

    beforeAll(async () => {
      db = await createScratchDatabase(kind, "events");
      server = await serverOn(db, adminKey);
      events = clients(server, adminKey).events;
    });
    afterAll(async () => {
      await server?.stop();
      await db?.drop();
    });

    it("filters by topic, exact resource, resource prefix and type prefix", async () => {
      const startCursor = (await events.listEvents({ orderBy: "create_time desc", pageSize: 1 })).events[0]!.cursor;
      const abort = new AbortController();
      const open = (request: Parameters<typeof events.subscribe>[0]) => new EventStreamReader(events.subscribe(request, { signal: abort.signal }));
      const cases = [
        { reader: open({ filter: { resources: ["models/f1", "services/f-exact"] } }), selects: (e: Event) => e.resource === "models/f1" || e.resource === "services/f-exact" },
        { reader: open({ filter: { resources: ["models/f2/*"] } }), selects: (e: Event) => e.resource.startsWith("models/f2/") },
        {
          reader: open({ topics: [EventTopic.REGISTRY], filter: { types: ["registry.model_version.*"] } }),
          selects: (e: Event) => e.topic === EventTopic.REGISTRY && e.type.startsWith("registry.model_version."),
        },
        { reader: open({ topics: [EventTopic.HEALTH, EventTopic.KEYS] }), selects: (e: Event) => e.topic === EventTopic.HEALTH || e.topic === EventTopic.KEYS },
      ];
      for (const c of cases) await c.reader.untilCaughtUp();
      const { registry } = clients(server, adminKey);
      await registry.createModel({ modelId: "f1", model: {} });
      await registry.createModel({ modelId: "f2", model: {} });
      await registry.createModel({ modelId: "f2x", model: {} });
      await registry.createModelVersion({ parent: "models/f2", modelVersion: {} });
      await registry.createModelVersion({ parent: "models/f1", modelVersion: {} });
      await registry.createModelVersion({ parent: "models/f2x", modelVersion: {} });
      await publish(server, 1, { resource: () => "services/f-exact" });
      await publish(server, 1, { resource: () => "models/f2/other", type: "health.status.changed" });
      // Two sentinels, each selected by two of the subscribers, mark the end of the expected streams.
      await publish(server, 1, { topic: "registry", resource: () => "models/f1", type: "registry.model_version.sentinel" });
      await publish(server, 1, { topic: "health", resource: () => "models/f2/sentinel", type: "health.sentinel" });

      const log = (await events.listEvents({ afterCursor: startCursor, pageSize: 1000 })).events;
      for (const c of cases) {
        const expected = log.filter(c.selects);
        expect(expected.some((e) => e.type.endsWith("sentinel"))).toBe(true);
        while (c.reader.events.length < expected.length) await c.reader.next();
        expect(c.reader.events.map((e) => `${e.cursor} ${e.type} ${e.resource}`)).toEqual(expected.map((e) => `${e.cursor} ${e.type} ${e.resource}`));
      }
      // Each subscriber saw something and missed something: the filters did filter.
      for (const c of cases) expect(c.reader.events.length).toBeGreaterThan(0);
      for (const c of cases) expect(c.reader.events.length).toBeLessThan(log.length);
      abort.abort();
    });

    it("streams identical events over gRPC, gRPC-Web and Connect, in binary and in JSON", async () => {
      const base = { baseUrl: server.url, interceptors: [apiKeyInterceptor(adminKey)] };
      const transports = {
        grpc: createGrpcTransport(base),
        grpcWeb: createGrpcWebTransport({ ...base, httpVersion: "1.1" }),
        connectJson: createConnectTransport({ ...base, httpVersion: "1.1", useBinaryFormat: false }),
        connectBinary: createConnectTransport({ ...base, httpVersion: "2", useBinaryFormat: true }),
        grpcWebJson: createGrpcWebTransport({ ...base, httpVersion: "2", useBinaryFormat: false }),
      };
      const abort = new AbortController();
      const readers = Object.entries(transports).map(
        ([name, t]) => [name, new EventStreamReader(createClient(EventsService, t).subscribe({ filter: { resources: ["services/protocols"] } }, { signal: abort.signal }))] as const,
      );
      for (const [, r] of readers) await r.untilCaughtUp();
      await server.orm.em.fork().transactional(async (em) => {
        recordEvent(em, { name: "apiKeys/k1", requestId: "req-1" }, { topic: "inference", type: "inference.service.updated", resource: "services/protocols", data: { n: 1.5, list: [1, "a", null], nested: { ok: true } } }, new Date("2026-01-02T03:04:05.678Z"));
      });
      for (const [name, r] of readers) {
        const [e] = await r.nextEvents(1);
        expect({ name, topic: e!.topic, type: e!.type, actor: e!.actor, requestId: e!.requestId, data: e!.data, time: e!.createTime && timestampDate(e!.createTime).toISOString() }).toEqual({
          name,
          topic: EventTopic.INFERENCE,
          type: "inference.service.updated",
          actor: "apiKeys/k1",
          requestId: "req-1",
          data: { n: 1.5, list: [1, "a", null], nested: { ok: true } },
          time: "2026-01-02T03:04:05.678Z",
        });
        expect(e!.cursor).toBe(readers[0]![1].events[0]!.cursor);
      }
      abort.abort();
    });

    it("replays with the same filters as it streams live", async () => {
      const before = await events.listEvents({ orderBy: "create_time desc", pageSize: 1 });
      const start = before.events[0]!.cursor;
      await publish(server, 30, { resource: (i) => `services/replay-${i % 3}` });
      const abort = new AbortController();
      const reader = new EventStreamReader(events.subscribe({ afterCursor: start, filter: { resources: ["services/replay-1"] } }, { signal: abort.signal }));
      const replayed = await reader.untilCaughtUp();
      expect(seqs(replayed)).toEqual(Array.from({ length: 10 }, (_, k) => 3 * k + 1));
      abort.abort();
    });

    it("pages through ListEvents with tokens tied to the query, in both orders and time windows", async () => {
      const marker = `list-${randomBytes(3).toString("hex")}`;
      await publish(server, 25, { resource: () => `services/${marker}`, perTransaction: 5 });
      const filter = { resources: [`services/${marker}`] };
      const all: Event[] = [];
      let pageToken = "";
      let pages = 0;
      do {
        const page = await events.listEvents({ filter, pageSize: 10, pageToken });
        expect(Number(page.totalSize)).toBe(25);
        all.push(...page.events);
        pageToken = page.nextPageToken;
        pages += 1;
      } while (pageToken !== "");
      expect(pages).toBe(3);
      expect(seqs(all)).toEqual(Array.from({ length: 25 }, (_, i) => i));
      const newest = await events.listEvents({ filter, pageSize: 3, orderBy: "create_time desc" });
      expect(seqs(newest.events)).toEqual([24, 23, 22]);
      const next = await events.listEvents({ filter, pageSize: 3, orderBy: "create_time desc", pageToken: newest.nextPageToken });
      expect(seqs(next.events)).toEqual([21, 20, 19]);
      // A token is refused with another query.
      await expectCode(events.listEvents({ filter: { resources: ["services/other"] }, pageSize: 3, pageToken: newest.nextPageToken }), Code.InvalidArgument, "INVALID_PAGE_TOKEN");
      const after = await events.listEvents({ filter, afterCursor: all[19]!.cursor });
      expect(seqs(after.events)).toEqual([20, 21, 22, 23, 24]);
      const window = await events.listEvents({ filter, startTime: all[0]!.createTime, endTime: timestampFromDate(new Date(Date.now() + 60_000)) });
      expect(window.events).toHaveLength(25);
      const none = await events.listEvents({ filter, endTime: all[0]!.createTime });
      expect(none.events).toHaveLength(0);
    });

    it("rejects malformed cursors, cursors past the log and both starting points at once", async () => {
      await expectCode(events.listEvents({ afterCursor: "abc" }), Code.InvalidArgument, "INVALID_CURSOR");
      await expectCode(events.listEvents({ afterCursor: "999999999" }), Code.InvalidArgument, "INVALID_CURSOR");
      const err = await new EventStreamReader(events.subscribe({ afterCursor: "-1" })).error();
      expect(ConnectError.from(err).code).toBe(Code.InvalidArgument);
      expect(ConnectError.from(err).message).toContain("after_cursor");
      const both = await new EventStreamReader(events.subscribe({ afterCursor: "1", fromBeginning: true })).error();
      expect(ConnectError.from(both).code).toBe(Code.InvalidArgument);
    });

    it("sends heartbeats with the read position when no event comes", async () => {
      const abort = new AbortController();
      const reader = new EventStreamReader(events.subscribe({ filter: { resources: ["services/nothing-here"] }, heartbeatInterval: { seconds: 1n } }, { signal: abort.signal }));
      await reader.untilCaughtUp();
      await publish(server, 3, { resource: () => "services/elsewhere" });
      const started = Date.now();
      const m = await reader.next(5000);
      expect(m.message.case).toBe("heartbeat");
      expect(Date.now() - started).toBeGreaterThan(500);
      const position = await events.listEvents({ orderBy: "create_time desc", pageSize: 1 });
      // The heartbeat's cursor covers the events the filter left out, so resuming skips them.
      expect(m.message.case === "heartbeat" && m.message.value.cursor).toBe(position.events[0]!.cursor);
      abort.abort();
    });
  });
});

describe("EventsService backpressure", () => {
  let db: ScratchDatabase & { dataDir: string };
  let server: RunningServer;
  let events: Client<typeof EventsService>;
  const adminKey = key();

  beforeAll(async () => {
    db = await createScratchDatabase("sqlite", "events-slow");
    server = await serverOn(db, adminKey, { ARTENIC_EVENT_SUBSCRIBER_BUFFER: "64" });
    events = clients(server, adminKey).events;
  });
  afterAll(async () => {
    await server?.stop();
    await db?.drop();
  });

  it("cuts a subscriber that stops reading off with a resume cursor, while a fast one receives everything", async () => {
    const abort = new AbortController();
    // Separate connections, as separate clients would have: HTTP/2 flow control is per stream and
    // per connection, and the point is that the slow one does not hold the fast one up.
    const fastClient = createClient(EventsService, createGrpcTransport({ baseUrl: server.url, interceptors: [apiKeyInterceptor(adminKey)] }));
    const fast = new EventStreamReader(fastClient.subscribe({ topics: [EventTopic.HEALTH] }, { signal: abort.signal }));
    const slow = new EventStreamReader(events.subscribe({ topics: [EventTopic.HEALTH] }, { signal: abort.signal }));
    await fast.untilCaughtUp();
    await slow.untilCaughtUp();
    const n = 600;
    // 2 KiB per event: the slow client's HTTP/2 window and socket buffers hold a few dozen, its
    // server-side buffer 64 more, and the rest overflows. The publisher commits 10 at a time, with
    // a pause between commits, as live traffic would come: the fast reader keeps up with it.
    const fastDone = fast.nextEvents(n, 20_000);
    for (let i = 0; i < n; i += 10) {
      await publish(server, 10, { bytes: 2048, perTransaction: 10, seqFrom: i });
      await new Promise((r) => setTimeout(r, 1));
    }
    const received = await fastDone;
    expect(seqs(received)).toEqual(Array.from({ length: n }, (_, i) => i));
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/artenic_events_subscribers_cut_off_total 1\b/);

    // Reading now, the slow one gets what was already on its way, then the verdict.
    const error = await slow.error();
    expect(ConnectError.from(error).code).toBe(Code.ResourceExhausted);
    const info = errorInfo(error);
    expect(info?.reason).toBe("SUBSCRIBER_TOO_SLOW");
    expect(slow.events.length).toBeGreaterThan(0);
    expect(slow.events.length).toBeLessThan(n);
    expect(info?.metadata["resume_cursor"]).toBe(slow.events[slow.events.length - 1]!.cursor);

    // Resuming from the cursor yields the rest: nothing lost, nothing twice.
    const resumed = new EventStreamReader(events.subscribe({ topics: [EventTopic.HEALTH], afterCursor: info!.metadata["resume_cursor"]! }, { signal: abort.signal }));
    const rest = await resumed.untilCaughtUp();
    expect([...seqs(slow.events), ...seqs(rest)]).toEqual(Array.from({ length: n }, (_, i) => i));
    abort.abort();
  });

  it("ends open subscriptions with UNAVAILABLE when the server shuts down, and frees them on cancel", async () => {
    const db2 = await createScratchDatabase("sqlite", "events-stop");
    const key2 = key();
    // A short grace: the test's client keeps its connection open after the stream ends.
    const other = await serverOn(db2, key2, { ARTENIC_SHUTDOWN_GRACE_MS: "300" });
    try {
      const client = clients(other, key2).events;
      const cancelled = new AbortController();
      const gone = new EventStreamReader(client.subscribe({}, { signal: cancelled.signal }));
      await gone.untilCaughtUp();
      const open = new EventStreamReader(client.subscribe({}));
      await open.untilCaughtUp();
      const gauge = async () => Number(/^artenic_events_subscribers (\d+)$/m.exec(await (await fetch(`${other.url}/metrics`)).text())?.[1]);
      expect(await gauge()).toBe(2);
      cancelled.abort();
      const deadline = Date.now() + 5000;
      while ((await gauge()) !== 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(await gauge()).toBe(1);
      const stopping = other.stop();
      const error = await open.error();
      expect(ConnectError.from(error).code).toBe(Code.Unavailable);
      await stopping;
    } finally {
      await other.stop();
      await db2.drop();
    }
  });
});

describe.each(databaseKinds)("event retention on %s", (kind) => {
  it("deletes a prefix of the log by age and by count, always keeps the newest event, and expires older cursors", async () => {
    const db = await createScratchDatabase(kind, "events-retention");
    const adminKey = key();
    // Retention runs at start and every 50 ms: at most 20 events, none older than a day.
    const server = await serverOn(db, adminKey, { ARTENIC_EVENT_RETENTION_COUNT: "20", ARTENIC_EVENT_RETENTION_DAYS: "1", ARTENIC_EVENT_RETENTION_INTERVAL_MS: "50" });
    const threeDaysAgo = new Date(Date.now() - 3 * 24 * 3600 * 1000);
    const ageEverything = () => server.orm.em.fork().nativeUpdate(OutboxEventEntity, {}, { createTime: threeDaysAgo });
    const listed = async () => (await events.listEvents({ pageSize: 1000 })).events;
    const eventually = async (check: (events: Event[]) => boolean) => {
      const deadline = Date.now() + 5000;
      let events = await listed();
      while (!check(events) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
        events = await listed();
      }
      return events;
    };
    const { events } = clients(server, adminKey);
    try {
      await publish(server, 10, { resource: () => "services/aged" });
      const expiredCursor = (await listed())[1]!.cursor;
      // Time passes: everything written so far is three days old; then fresh events arrive.
      await ageEverything();
      await publish(server, 5, { resource: () => "services/fresh" });
      let kept = await eventually((e) => e.length === 5);
      expect(kept.map((e) => e.resource)).toEqual(Array(5).fill("services/fresh"));

      // By count: the newest 20 of 35 fresh events stay.
      await publish(server, 30, { resource: () => "services/many" });
      kept = await eventually((e) => e.length === 20);
      expect(kept.map((e) => e.data?.["seq"])).toEqual(Array.from({ length: 20 }, (_, i) => 10 + i));

      const err = await new EventStreamReader(events.subscribe({ afterCursor: expiredCursor })).error();
      expect(ConnectError.from(err).code).toBe(Code.FailedPrecondition);
      const info = errorInfo(err);
      expect(info?.reason).toBe("CURSOR_EXPIRED");
      expect(info?.metadata["oldest_cursor"]).toBe(kept[0]!.cursor);
      await expectCode(events.listEvents({ afterCursor: expiredCursor }), Code.FailedPrecondition, "CURSOR_EXPIRED");
      // The cursor just before the oldest retained event lost nothing and is still accepted.
      expect((await events.listEvents({ afterCursor: String(Number(kept[0]!.cursor) - 1) })).events).toHaveLength(20);

      // When everything is old, the newest event stays: it keeps the end of the log known.
      await ageEverything();
      kept = await eventually((e) => e.length === 1);
      expect(kept.map((e) => e.data?.["seq"])).toEqual([29]);
    } finally {
      await server.stop();
      await db.drop();
    }
  });
});
