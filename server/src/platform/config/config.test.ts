import { describe, expect, it } from "vitest";
import { AppError } from "../errors/app-error.js";
import { loadConfig, parseDatabaseUrl } from "./config.js";

describe("loadConfig", () => {
  it("has defaults that serve on loopback with SQLite in ./data", () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ host: "127.0.0.1", port: 8080, dataDir: "./data", database: { kind: "sqlite", path: "./data/artenic.sqlite" }, bootstrapApiKey: undefined });
  });

  it("reads PostgreSQL URLs into fields, decoding credentials", () => {
    expect(parseDatabaseUrl("postgresql://u%40x:p%2Fw@db.local:6543/artenic", "")).toEqual({
      kind: "postgresql",
      host: "db.local",
      port: 6543,
      user: "u@x",
      password: "p/w",
      dbName: "artenic",
    });
  });

  it.each([
    [{ ARTENIC_PORT: "99999" }, "ARTENIC_PORT"],
    [{ ARTENIC_PORT: "http" }, "ARTENIC_PORT"],
    [{ ARTENIC_DATABASE_URL: "mysql://x/y" }, "ARTENIC_DATABASE_URL"],
    [{ ARTENIC_DATABASE_URL: "postgresql://host/db" }, "ARTENIC_DATABASE_URL"],
    [{ ARTENIC_TLS_CERT_FILE: "/x.pem" }, "ARTENIC_TLS_CERT_FILE"],
  ])("refuses %j naming %s", (env, variable) => {
    try {
      loadConfig(env);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(AppError);
      expect((e as AppError).metadata["variable"]).toBe(variable);
    }
  });
});
