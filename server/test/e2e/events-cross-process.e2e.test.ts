import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { EventsService } from "@artenic/gen/artenic/events/v1/events_service_pb";
import { EventTopic } from "@artenic/gen/artenic/events/v1/event_pb";
import { RegistryService } from "@artenic/gen/artenic/registry/v1/registry_service_pb";
import { apiKeyInterceptor } from "@artenic/sdk";
import { createScratchPostgres, type ScratchDatabase } from "../support/databases.js";
import { EventStreamReader } from "../support/event-stream-reader.js";

const main = new URL("../../dist/src/main.js", import.meta.url).pathname;

interface Spawned {
  readonly child: ChildProcess;
  readonly url: string;
  readonly dataDir: string;
}

/** Starts the compiled server as a real process on `databaseUrl` and waits for its address. */
async function spawnServer(databaseUrl: string, env: Record<string, string>): Promise<Spawned> {
  const dataDir = mkdtempSync(join(tmpdir(), "artenic-xproc-"));
  const child = spawn(process.execPath, [main], {
    env: { ...process.env, ...env, ARTENIC_PORT: "0", ARTENIC_DATA_DIR: dataDir, ARTENIC_DATABASE_URL: databaseUrl, ARTENIC_LOG_LEVEL: "info" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const deadline = Date.now() + 30_000;
  while (!/"url":"(http:\/\/[^"]+)"/.test(out)) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`server did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, url: /"url":"(http:\/\/[^"]+)"/.exec(out)![1]!, dataDir };
}

async function stop(s: Spawned | undefined): Promise<void> {
  if (!s) return;
  if (s.child.exitCode === null) {
    const exited = new Promise((r) => s.child.once("exit", r));
    s.child.kill("SIGTERM");
    await exited;
  }
  rmSync(s.dataDir, { recursive: true, force: true });
}

describe("events across server processes on PostgreSQL", () => {
  let db: ScratchDatabase;
  let a: Spawned | undefined;
  let b: Spawned | undefined;
  const adminKey = `artenic_test_${randomBytes(24).toString("base64url")}`;

  beforeAll(async () => {
    db = await createScratchPostgres("events_xproc");
    const c = db.config;
    if (c.kind !== "postgresql") throw new Error("expected PostgreSQL");
    const url = `postgresql://${encodeURIComponent(c.user)}:${encodeURIComponent(c.password)}@${c.host}:${c.port}/${encodeURIComponent(c.dbName)}`;
    // Identical secrets, as replicas have. The safety poll is set far beyond the test's deadlines:
    // an event that arrives in time came through LISTEN/NOTIFY.
    const env = { ARTENIC_SECRET_KEY: randomBytes(32).toString("hex"), ARTENIC_API_KEY: adminKey, ARTENIC_EVENT_POLL_MS: "60000", ARTENIC_SHUTDOWN_GRACE_MS: "500" };
    // One after the other: the first applies the migrations.
    a = await spawnServer(url, env);
    b = await spawnServer(url, env);
  }, 90_000);
  afterAll(async () => {
    await Promise.all([stop(a), stop(b)]);
    await db?.drop();
  });

  it("delivers an event committed by one process to subscribers connected to the other, and to its own", async () => {
    const client = (s: Spawned) => createGrpcTransport({ baseUrl: s.url, interceptors: [apiKeyInterceptor(adminKey)] });
    const abort = new AbortController();
    const onA = new EventStreamReader(createClient(EventsService, client(a!)).subscribe({ topics: [EventTopic.REGISTRY] }, { signal: abort.signal }));
    const onB = new EventStreamReader(createClient(EventsService, client(b!)).subscribe({ topics: [EventTopic.REGISTRY] }, { signal: abort.signal }));
    await onA.untilCaughtUp();
    await onB.untilCaughtUp();

    await createClient(RegistryService, client(b!)).createModel({ modelId: "from-b", model: {} });
    const [fromB] = await onA.nextEvents(1, 5000);
    expect(fromB?.resource).toBe("models/from-b");
    expect((await onB.nextEvents(1, 5000))[0]?.cursor).toBe(fromB!.cursor);

    await createClient(RegistryService, client(a!)).createModel({ modelId: "from-a", model: {} });
    const [fromA] = await onB.nextEvents(1, 5000);
    expect(fromA?.resource).toBe("models/from-a");
    expect(Number(fromA!.cursor)).toBeGreaterThan(Number(fromB!.cursor));
    expect((await onA.nextEvents(1, 5000))[0]?.cursor).toBe(fromA!.cursor);

    // Writers on both processes at once: each subscriber sees one log, the same on both, in order.
    await Promise.all([
      ...Array.from({ length: 10 }, (_, i) => createClient(RegistryService, client(a!)).createModel({ modelId: `a-${i}`, model: {} })),
      ...Array.from({ length: 10 }, (_, i) => createClient(RegistryService, client(b!)).createModel({ modelId: `b-${i}`, model: {} })),
    ]);
    const seenA = await onA.nextEvents(20, 5000);
    const seenB = await onB.nextEvents(20, 5000);
    expect(seenA.map((e) => e.cursor)).toEqual(seenB.map((e) => e.cursor));
    expect(seenA.map((e) => Number(e.cursor)).every((c, i, all) => i === 0 || c > all[i - 1]!)).toBe(true);
    expect(new Set(seenA.map((e) => e.resource)).size).toBe(20);
    abort.abort();
  });
});
