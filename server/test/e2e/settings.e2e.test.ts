import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomBytes, randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Writable } from "node:stream";
import { pino } from "pino";
import { Code, ConnectError, createClient, type Client } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { BadRequestSchema, ErrorInfoSchema } from "@artenic/gen/google/rpc/error_details_pb";
import { AdminService } from "@artenic/gen/artenic/admin/v1/admin_service_pb";
import { ApiKeyScope } from "@artenic/gen/artenic/admin/v1/api_key_pb";
import { SettingSource, SettingsAuditAction, SettingType, type Setting } from "@artenic/gen/artenic/admin/v1/setting_pb";
import { EventsService } from "@artenic/gen/artenic/events/v1/events_service_pb";
import { EventTopic } from "@artenic/gen/artenic/events/v1/event_pb";
import { RegistryService } from "@artenic/gen/artenic/registry/v1/registry_service_pb";
import { apiKeyInterceptor } from "@artenic/sdk";
import { startServer, type RunningServer } from "../../src/main.js";
import { loadConfig, type Config } from "../../src/platform/config/config.js";
import { createScratchDatabase, databaseKinds, type ScratchDatabase } from "../support/databases.js";
import { TrainingLeaseEntity } from "../../src/training/training-job.entity.js";

const SECRET = `s3-secret-${randomBytes(12).toString("hex")}`;
const WRONG_SECRET = `never-stored-${randomBytes(12).toString("hex")}`;

/** Every log line the server writes, as text, to check what reaches the logs. */
class LogCapture extends Writable {
  text = "";
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString("utf8");
    done();
  }
}

async function failure(p: Promise<unknown>): Promise<ConnectError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => ConnectError.from(err),
  );
  expect(e, "the call should have failed").toBeDefined();
  return e!;
}

async function until<T>(what: string, read: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const text = (v: unknown) => JSON.stringify(v, (_, x: unknown) => (typeof x === "bigint" ? String(x) : x));
const byName = (settings: readonly Setting[], key: string) => settings.find((s) => s.name.endsWith(`/settings/${key}`))!;

describe.each(databaseKinds)("runtime settings end to end on %s", (kind) => {
  let db: ScratchDatabase & { dataDir: string };
  let config: Config;
  let server: RunningServer;
  const logs = new LogCapture();
  const adminKey = `artenic_test_${randomBytes(24).toString("base64url")}`;
  let admin: Client<typeof AdminService>;
  let rescueAdmin: Client<typeof AdminService>;
  let url: string;
  const client = <S extends typeof AdminService | typeof RegistryService | typeof EventsService>(service: S, key: string) =>
    createClient(service, createGrpcTransport({ baseUrl: url, interceptors: [apiKeyInterceptor(key)] }));

  /** One key per second, in bursts of one: keys without a limit of their own run dry at once. */
  async function lowerDefaultRateLimit(): Promise<void> {
    await rescueAdmin.updateSettings({
      parent: "scopes/global/sections/auth",
      settings: [
        { key: "rate_limit_rps", value: { kind: { case: "numberValue", value: 0.001 } } },
        { key: "rate_limit_burst", value: { kind: { case: "numberValue", value: 1 } } },
      ],
    });
  }

  /** What the server logs for one call. */
  async function logsOfOneCall(): Promise<string> {
    const mark = logs.text.length;
    await client(RegistryService, adminKey).listModels({});
    await new Promise((r) => setTimeout(r, 20));
    return logs.text.slice(mark);
  }

  async function start(): Promise<void> {
    server = await startServer(config, pino({ level: "trace" }, logs));
    url = server.url;
    admin = client(AdminService, adminKey);
  }

  beforeAll(async () => {
    db = await createScratchDatabase(kind, "settings");
    const file = join(db.dataDir, "artenic.json");
    writeFileSync(file, JSON.stringify({ ARTENIC_MAX_LOADED_MODELS: 7, ARTENIC_RATE_LIMIT_BURST: 10, ARTENIC_S3_BUCKET: "from-file" }));
    config = {
      ...loadConfig({
        ARTENIC_PORT: "0",
        ARTENIC_DATA_DIR: db.dataDir,
        ARTENIC_API_KEY: adminKey,
        ARTENIC_SHUTDOWN_GRACE_MS: "2000",
        ARTENIC_CONFIG_FILE: file,
        // The environment wins over the file.
        ARTENIC_RATE_LIMIT_BURST: "5000",
      }),
      database: db.config,
    };
    await start();
    // A key with a rate limit of its own, unaffected by the default limit the tests lower.
    const created = await admin.createApiKey({ apiKey: { displayName: "rescue", scopes: [ApiKeyScope.ADMIN], rateLimit: { requestsPerSecond: 1000, burst: 1000 } } });
    rescueAdmin = client(AdminService, created.secret);
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    await db?.drop();
  });

  it("declares every key with its type, default, bounds and flags, restart-required ones included", async () => {
    const { sections } = await admin.getSettingsSchema({ scope: "global" });
    const names = sections.map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(["scopes/global/sections/auth", "scopes/global/sections/artifacts", "scopes/global/sections/mlflow", "scopes/global/sections/plugins"]));
    const auth = sections.find((s) => s.name === "scopes/global/sections/auth")!;
    expect(auth.settings.find((d) => d.key === "rate_limit_rps")).toMatchObject({
      type: SettingType.NUMBER,
      restartRequired: false,
      secret: false,
      envVar: "ARTENIC_RATE_LIMIT_RPS",
      minimum: 0.001,
      // The built-in default, not the environment's 5000 or the file's 10.
      defaultValue: { kind: { case: "numberValue", value: 1000 } },
    });
    expect(auth.settings.find((d) => d.key === "rate_limit_burst")!.defaultValue).toMatchObject({ kind: { case: "numberValue", value: 2000 } });
    const models = sections.find((s) => s.name === "scopes/global/sections/inference")!.settings.find((d) => d.key === "max_loaded_models")!;
    expect(models).toMatchObject({ type: SettingType.INTEGER, restartRequired: true, minimum: 1, maximum: 10_000 });
    const level = sections.find((s) => s.name === "scopes/global/sections/logging")!.settings[0]!;
    expect(level.choices).toContain("debug");
    const secret = sections.find((s) => s.name === "scopes/global/sections/artifacts")!.settings.find((d) => d.key === "s3_secret_access_key")!;
    expect(secret).toMatchObject({ secret: true, restartRequired: true });
    expect(secret.defaultValue).toBeUndefined();
    expect((await failure(admin.getSettingsSchema({ scope: "nowhere" }))).code).toBe(Code.NotFound);
  });

  it("says where each value in effect comes from: default, environment, file", async () => {
    const inference = await admin.listSettings({ parent: "scopes/global/sections/inference" });
    expect(byName(inference.settings, "max_loaded_models")).toMatchObject({ source: SettingSource.FILE, restartRequired: true, restartPending: false });
    expect(byName(inference.settings, "max_loaded_models").value).toMatchObject({ kind: { case: "numberValue", value: 7 } });
    expect(byName(inference.settings, "prediction_buffer").source).toBe(SettingSource.DEFAULT);
    const auth = await admin.listSettings({ parent: "scopes/global/sections/auth" });
    expect(byName(auth.settings, "rate_limit_burst")).toMatchObject({ source: SettingSource.ENV, value: { kind: { case: "numberValue", value: 5000 } } });
    const bucket = (await admin.getSetting({ name: "scopes/global/sections/artifacts/settings/s3_bucket" })).setting!;
    expect(bucket).toMatchObject({ source: SettingSource.FILE, value: { kind: { case: "stringValue", value: "from-file" } } });
    const all = await admin.listSettings({ parent: "scopes/global/sections/-" });
    expect(all.settings.length).toBeGreaterThan(20);
    expect(all.etag).toBe("");
    expect((await failure(admin.getSetting({ name: "scopes/global/sections/auth/settings/nope" }))).findDetails(ErrorInfoSchema)[0]?.reason).toBe("SETTING_NOT_FOUND");
  });

  it("refuses values that do not fit the schema, naming each offending key, and stores nothing", async () => {
    const before = await admin.listSettings({ parent: "scopes/global/sections/inference" });
    const e = await failure(
      admin.updateSettings({
        parent: "scopes/global/sections/inference",
        settings: [
          { key: "max_loaded_models", value: { kind: { case: "numberValue", value: 0 } } },
          { key: "no_such_key", value: { kind: { case: "numberValue", value: 1 } } },
          { key: "prediction_buffer", value: { kind: { case: "stringValue", value: "lots" } } },
          { key: "max_loaded_bytes", value: { kind: { case: "numberValue", value: 2048.5 } } },
        ],
      }),
    );
    expect(e.code).toBe(Code.InvalidArgument);
    const violations = e.findDetails(BadRequestSchema)[0]!.fieldViolations;
    expect(violations.map((v) => v.field)).toEqual(["settings[0].value", "settings[1].key", "settings[2].value", "settings[3].value"]);
    expect(violations[0]!.description).toMatch(/max_loaded_models must be between 1 and 10000/);
    expect(violations[1]!.description).toMatch(/has no setting "no_such_key"/);
    expect(violations[2]!.description).toMatch(/must be a number/);
    expect(violations[3]!.description).toMatch(/whole number/);
    // The choices of a string key, the items of a list.
    const choice = await failure(admin.updateSettings({ parent: "scopes/global/sections/logging", settings: [{ key: "level", value: { kind: { case: "stringValue", value: "loud" } } }] }));
    expect(choice.findDetails(BadRequestSchema)[0]!.fieldViolations[0]).toMatchObject({ field: "settings[0].value" });
    expect(choice.rawMessage).toMatch(/must be one of fatal, error, warn, info, debug, trace, silent/);
    const after = await admin.listSettings({ parent: "scopes/global/sections/inference" });
    expect(after.etag).toBe(before.etag);
    expect(after.settings).toEqual(before.settings);
    expect((await admin.listSettingsAudit({ parent: "scopes/global/sections/inference" })).entries).toHaveLength(0);
  });

  it("keeps secrets encrypted at rest and masked in responses, audit rows, events, errors and logs", async () => {
    const parent = "scopes/global/sections/artifacts";
    const updated = await admin.updateSettings({
      parent,
      settings: [
        { key: "s3_secret_access_key", value: { kind: { case: "stringValue", value: SECRET } } },
        { key: "s3_access_key_id", value: { kind: { case: "stringValue", value: "AKIAEXAMPLE" } } },
      ],
    });
    const secret = byName(updated.settings, "s3_secret_access_key");
    expect(secret).toMatchObject({ secret: true, source: SettingSource.STORED, value: { kind: { case: "stringValue", value: "********" } } });
    expect(byName(updated.settings, "s3_access_key_id").value).toMatchObject({ kind: { case: "stringValue", value: "AKIAEXAMPLE" } });
    // A bad value for a secret is refused without repeating it.
    const refused = await failure(admin.updateSettings({ parent, settings: [{ key: "s3_secret_access_key", value: { kind: { case: "numberValue", value: 42 } } }] }));
    expect(refused.code).toBe(Code.InvalidArgument);
    const refusedList = await failure(admin.updateSettings({ parent: "scopes/global/sections/server", settings: [{ key: "cors_origins", value: { kind: { case: "stringValue", value: `ftp://${WRONG_SECRET}` } } }] }));
    expect(refusedList.code).toBe(Code.InvalidArgument);

    const texts: string[] = [text((await admin.getSetting({ name: `${parent}/settings/s3_secret_access_key` })).setting)];
    texts.push(text((await admin.listSettings({ parent: "scopes/global/sections/-" })).settings));
    const audit = await admin.listSettingsAudit({ parent, filter: 'key = "s3_secret_access_key"' });
    expect(audit.entries).toHaveLength(1);
    expect(audit.entries[0]).toMatchObject({ secret: true, action: SettingsAuditAction.UPDATE, newValue: { kind: { case: "stringValue", value: "********" } }, newSource: SettingSource.STORED });
    expect(audit.entries[0]!.oldValue).toBeUndefined();
    texts.push(text(audit.entries));
    const events = await client(EventsService, adminKey).listEvents({ topics: [EventTopic.SETTINGS], pageSize: 100 });
    expect(events.events.map((e) => e.resource)).toContain(parent);
    texts.push(text(events.events));
    // At rest: the stored column holds AES-GCM ciphertext; the audit table never the value.
    const conn = server.orm.em.getConnection();
    const stored = (await conn.execute("select value from setting_value where key = 's3_secret_access_key'")) as { value: string }[];
    expect(stored[0]!.value).toMatch(/^v1\./);
    texts.push(text(stored), text(await conn.execute("select * from setting_audit")), text(await conn.execute("select * from outbox_event")));
    texts.push(logs.text, refused.message, refusedList.message);
    for (const t of texts) {
      expect(t).not.toContain(SECRET);
      expect(t).not.toContain(SECRET.slice(-8));
    }
    expect(logs.text).not.toContain(WRONG_SECRET);
    expect(logs.text).toContain("settings changed");
  });

  it("applies the training reconcile interval to the running loop without a restart", async () => {
    // Every tick of the reconcile loop renews its lease row: the renewals seen in a window tell how
    // often the loop runs.
    const renewalsWithin = async (ms: number) => {
      const seen = new Set<number>();
      const end = Date.now() + ms;
      while (Date.now() < end) {
        const lease = await server.orm.em.fork().findOne(TrainingLeaseEntity, { name: "training-reconciler" });
        if (lease) seen.add(lease.expireTime.getTime());
        await new Promise((r) => setTimeout(r, 10));
      }
      return seen.size;
    };
    const interval = (ms: number) =>
      rescueAdmin.updateSettings({ parent: "scopes/global/sections/training", settings: [{ key: "reconcile_interval_ms", value: { kind: { case: "numberValue", value: ms } } }] });
    // Slowed to an hour: once the change has reached the loop, a window sees no renewal.
    await interval(3_600_000);
    expect(await until("the hour-long interval", () => renewalsWithin(1500), (n) => n === 1)).toBe(1);
    // Sped up to 50 ms: the loop wakes from its hour-long wait and renews many times in the window.
    await interval(50);
    expect(await renewalsWithin(1500)).toBeGreaterThanOrEqual(5);
    const reset = await rescueAdmin.resetSetting({ name: "scopes/global/sections/training/settings/reconcile_interval_ms" });
    expect(reset.setting).toMatchObject({ source: SettingSource.DEFAULT, restartPending: false });
  });

  it("applies the default rate limit and the log level to the running server without a restart", async () => {
    const registry = client(RegistryService, adminKey);
    await registry.listModels({});
    await lowerDefaultRateLimit();
    // The key without a limit of its own runs dry at once; the rescue key, with its own, does not.
    const limited = await until(
      "the lowered rate limit",
      async () => (await registry.listModels({}).then(() => undefined, (e: unknown) => ConnectError.from(e)))?.code,
      (code) => code === Code.ResourceExhausted,
    );
    expect(limited).toBe(Code.ResourceExhausted);
    const reset = await rescueAdmin.resetSetting({ name: "scopes/global/sections/auth/settings/rate_limit_rps" });
    expect(reset.setting).toMatchObject({ source: SettingSource.DEFAULT, value: { kind: { case: "numberValue", value: 1000 } } });
    await rescueAdmin.resetSetting({ name: "scopes/global/sections/auth/settings/rate_limit_burst", requestId: randomUUID() });
    await until("the restored rate limit", () => registry.listModels({}).then(() => true, () => false), (ok) => ok);

    // Log level: at warn, calls write no per-RPC line; back at info, they do.
    await rescueAdmin.updateSettings({ parent: "scopes/global/sections/logging", settings: [{ key: "level", value: { kind: { case: "stringValue", value: "warn" } } }] });
    await until("the warn level", logsOfOneCall, (text) => !text.includes('"msg":"rpc"'));
    await rescueAdmin.updateSettings({ parent: "scopes/global/sections/logging", settings: [{ key: "level", value: { kind: { case: "stringValue", value: "info" } } }] });
    await until("the info level", logsOfOneCall, (text) => text.includes('"msg":"rpc"'));
    const audit = await admin.listSettingsAudit({ parent: "scopes/global/sections/auth" });
    expect(audit.entries.map((e) => [e.setting.split("/").at(-1), SettingsAuditAction[e.action]])).toEqual([
      ["rate_limit_burst", "RESET"],
      ["rate_limit_rps", "RESET"],
      ["rate_limit_burst", "UPDATE"],
      ["rate_limit_rps", "UPDATE"],
    ]);
    expect(audit.entries[0]).toMatchObject({ newSource: SettingSource.ENV, newValue: { kind: { case: "numberValue", value: 5000 } }, oldValue: { kind: { case: "numberValue", value: 1 } } });
    expect(audit.entries.every((e) => e.actor.startsWith("apiKeys/") && e.createTime !== undefined)).toBe(true);
  });

  it("applies a change made through one server to another server on the same database", async () => {
    // A second process would do the same: on PostgreSQL the event reaches it by NOTIFY, on SQLite by
    // the event log's safety poll.
    const other = await startServer({ ...config, events: { ...config.events, pollMs: 200 } }, pino({ level: "silent" }));
    try {
      const otherRegistry = createClient(RegistryService, createGrpcTransport({ baseUrl: other.url, interceptors: [apiKeyInterceptor(adminKey)] }));
      await otherRegistry.listModels({});
      await lowerDefaultRateLimit();
      await until(
        "the other server's lowered rate limit",
        async () => (await otherRegistry.listModels({}).then(() => undefined, (e: unknown) => ConnectError.from(e)))?.code,
        (code) => code === Code.ResourceExhausted,
      );
      await rescueAdmin.resetSetting({ name: "scopes/global/sections/auth/settings/rate_limit_rps" });
      await rescueAdmin.resetSetting({ name: "scopes/global/sections/auth/settings/rate_limit_burst" });
      await until("the other server's restored rate limit", () => otherRegistry.listModels({}).then(() => true, () => false), (ok) => ok);
    } finally {
      await other.stop();
    }
  }, 60_000);

  it("serialises concurrent batches: with one etag exactly one wins, without etags every batch lands", async () => {
    const parent = "scopes/global/sections/webhooks";
    const { etag } = await admin.listSettings({ parent });
    const attempts = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) => admin.updateSettings({ parent, etag, settings: [{ key: "max_attempts", value: { kind: { case: "numberValue", value: 10 + i } } }] })),
    );
    expect(attempts.filter((a) => a.status === "fulfilled")).toHaveLength(1);
    for (const a of attempts) if (a.status === "rejected") expect(ConnectError.from(a.reason).code).toBe(Code.Aborted);
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => admin.updateSettings({ parent, settings: [{ key: "timeout_ms", value: { kind: { case: "numberValue", value: 1000 + i } } }] })),
    );
    const etags = new Set(results.map((r) => r.etag));
    expect(etags.size).toBe(6);
    const final = await admin.listSettings({ parent });
    expect(final.etag).toBe(`"${Number(etag.replaceAll('"', "")) + 7}"`);
    const audit = await admin.listSettingsAudit({ parent, pageSize: 3 });
    expect(audit.totalSize).toBe(7n);
    const second = await admin.listSettingsAudit({ parent, pageSize: 3, pageToken: audit.nextPageToken });
    const third = await admin.listSettingsAudit({ parent, pageSize: 3, pageToken: second.nextPageToken });
    expect([...audit.entries, ...second.entries, ...third.entries]).toHaveLength(7);
    expect(third.nextPageToken).toBe("");
    // A stale etag is refused.
    expect((await failure(admin.updateSettings({ parent, etag, settings: [{ key: "timeout_ms", value: { kind: { case: "numberValue", value: 50 } } }] }))).code).toBe(Code.Aborted);
  });

  it("replays a retried request instead of applying it twice, and keeps writes to ADMIN keys", async () => {
    const request = { parent: "scopes/global/sections/training", requestId: randomUUID(), settings: [{ key: "watch_heartbeat_ms", value: { kind: { case: "numberValue" as const, value: 3000 } } }] };
    const first = await admin.updateSettings(request);
    const second = await admin.updateSettings(request);
    expect(second.etag).toBe(first.etag);
    expect((await admin.listSettingsAudit({ parent: request.parent, filter: 'key = "watch_heartbeat_ms"' })).entries).toHaveLength(1);
    const writer = await admin.createApiKey({ apiKey: { displayName: "writer", scopes: [ApiKeyScope.WRITE] } });
    const e = await failure(client(AdminService, writer.secret).updateSettings(request));
    expect(e.code).toBe(Code.PermissionDenied);
    // validate_only checks and previews without storing.
    const preview = await admin.updateSettings({ ...request, requestId: "", validateOnly: true, settings: [{ key: "local_max_concurrent_jobs", value: { kind: { case: "numberValue", value: 3 } } }] });
    expect(byName(preview.settings, "local_max_concurrent_jobs").source).toBe(SettingSource.STORED);
    expect(byName((await admin.listSettings({ parent: request.parent })).settings, "local_max_concurrent_jobs").source).toBe(SettingSource.DEFAULT);
  });

  it("flags restart-required changes as pending until the next start, which applies them", async () => {
    const parent = "scopes/global/sections/inference";
    const updated = await admin.updateSettings({ parent, settings: [{ key: "max_loaded_models", value: { kind: { case: "numberValue", value: 3 } } }] });
    expect(byName(updated.settings, "max_loaded_models")).toMatchObject({ restartRequired: true, restartPending: true, source: SettingSource.STORED });
    await server.stop();
    await start();
    const after = await admin.getSetting({ name: `${parent}/settings/max_loaded_models` });
    expect(after.setting).toMatchObject({ restartPending: false, source: SettingSource.STORED, value: { kind: { case: "numberValue", value: 3 } } });
    // The secret survives the restart, still masked, and its stored value still decrypts.
    const secret = await admin.getSetting({ name: "scopes/global/sections/artifacts/settings/s3_secret_access_key" });
    expect(secret.setting).toMatchObject({ source: SettingSource.STORED, value: { kind: { case: "stringValue", value: "********" } } });
    expect(logs.text).not.toContain(SECRET);
  }, 60_000);
});
