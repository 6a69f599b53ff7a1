import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { pino } from "pino";
import { initOrm, migrate, type Orm } from "../platform/db/orm.js";
import { loadConfig } from "../platform/config/config.js";
import { SettingsRuntime } from "./settings-runtime.js";
import { computeBaseline, updateSettings } from "./settings.use-cases.js";
import { StoredSettingEntity } from "./setting.entity.js";
import { AppError } from "../platform/errors/app-error.js";

/** Stored artifacts and MLflow settings reach the configuration the next start builds from. */
describe("SettingsRuntime.applyTo on an in-memory database", () => {
  let orm: Orm;
  const secretsKey = randomBytes(32);
  const config = loadConfig({ ARTENIC_DATA_DIR: "/tmp/artenic-settings-test", ARTENIC_S3_REGION: "eu-west-3" });
  const deps = { secretsKey, baseline: computeBaseline(config), logger: pino({ level: "silent" }), em: () => orm.em.fork() };
  const store = (section: string, updates: { key: string; value: unknown }[]) =>
    orm.em.fork().transactional((tx) =>
      updateSettings(tx, { em: tx, actor: { name: "apiKeys/admin", requestId: "r" }, now: () => new Date() }, deps, { scope: "global", section, updates, etag: "", validateOnly: false }),
    );

  beforeAll(async () => {
    orm = await initOrm({ kind: "sqlite", path: ":memory:" });
    await migrate(orm);
  });
  afterAll(async () => orm?.close());

  it("builds the S3 artifact store and the MLflow mirror from stored values over the environment's", async () => {
    expect(config.artifacts).toEqual({ kind: "local" });
    expect(config.mlflow).toBeUndefined();
    await store("artifacts", [
      { key: "backend", value: "s3" },
      { key: "s3_bucket", value: "models-prod" },
      { key: "s3_endpoint", value: "http://127.0.0.1:9000" },
      { key: "s3_access_key_id", value: "AKIATEST" },
      { key: "s3_secret_access_key", value: "s3cr3t" },
    ]);
    await store("mlflow", [{ key: "tracking_uri", value: "http://127.0.0.1:5000/" }]);
    const applied = (await SettingsRuntime.load(deps)).applyTo(config);
    expect(applied.artifacts).toMatchObject({ kind: "s3", s3: { bucket: "models-prod", endpoint: "http://127.0.0.1:9000", region: "eu-west-3", credentials: { accessKeyId: "AKIATEST", secretAccessKey: "s3cr3t" } } });
    expect(applied.mlflow).toMatchObject({ trackingUri: "http://127.0.0.1:5000", experimentName: undefined });
  });

  it("keeps the environment's store when the stored values do not make a valid one", async () => {
    await store("artifacts", [{ key: "s3_bucket", value: "" }]);
    const applied = (await SettingsRuntime.load(deps)).applyTo(config);
    expect(applied.artifacts).toEqual({ kind: "local" });
  });

  it("refuses a plugin file path through the API and ignores one stored by an older server, while the environment may name one", async () => {
    const refused = await store("plugins", [{ key: "packages", value: ["@acme/artenic-plugin", "/srv/artenic/data/objects/ab/cd"] }]).then(
      () => undefined,
      (e: unknown) => e as AppError,
    );
    expect(refused).toBeInstanceOf(AppError);
    expect(refused!.kind).toBe("invalid_argument");
    expect(refused!.fieldViolations).toEqual([
      { field: "settings[0].value", description: expect.stringContaining('"/srv/artenic/data/objects/ab/cd" that only the server\'s environment or configuration file may set') as unknown },
    ]);
    // Written as a server before this rule would have stored it: ignored at the next start.
    const em = orm.em.fork();
    em.create(StoredSettingEntity, { scope: "global", section: "plugins", key: "packages", value: JSON.stringify(["/tmp/evil.mjs"]), updateTime: new Date(), updater: "apiKeys/old" });
    await em.flush();
    const operator = loadConfig({ ARTENIC_DATA_DIR: "/tmp/artenic-settings-test", ARTENIC_PLUGINS: "/opt/artenic/plugins/local-gpu.mjs" });
    const runtime = await SettingsRuntime.load({ ...deps, baseline: computeBaseline(operator) });
    expect(runtime.applyTo(operator).plugins).toEqual(["/opt/artenic/plugins/local-gpu.mjs"]);
    // Package names are fine to store.
    await orm.em.fork().nativeDelete(StoredSettingEntity, { section: "plugins" });
    await store("plugins", [{ key: "packages", value: ["@acme/artenic-plugin"] }]);
    expect((await SettingsRuntime.load(deps)).applyTo(config).plugins).toEqual(["@acme/artenic-plugin"]);
  });
});
