import { describe, expect, it } from "vitest";
import { AppError } from "../errors/app-error.js";
import { loadConfig, parseDatabaseUrl } from "./config.js";

describe("loadConfig", () => {
  it("has defaults that serve on loopback with SQLite in ./data", () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ host: "127.0.0.1", port: 8080, dataDir: "./data", database: { kind: "sqlite", path: "./data/artenic.sqlite" }, bootstrapApiKey: undefined });
  });

  it("selects the S3 artifact store with path-style addressing for custom endpoints, and MLflow when a tracking URI is set", () => {
    const c = loadConfig({
      ARTENIC_ARTIFACT_STORE: "s3",
      ARTENIC_S3_BUCKET: "models",
      ARTENIC_S3_PREFIX: "prod/",
      ARTENIC_S3_ENDPOINT: "http://minio.local:9000",
      ARTENIC_S3_ACCESS_KEY_ID: "id",
      ARTENIC_S3_SECRET_ACCESS_KEY: "secret",
      ARTENIC_MLFLOW_TRACKING_URI: "http://mlflow.local:5000/",
    });
    expect(c.artifacts).toEqual({
      kind: "s3",
      presignSeconds: 3600,
      s3: { bucket: "models", prefix: "prod/", region: "us-east-1", endpoint: "http://minio.local:9000", forcePathStyle: true, credentials: { accessKeyId: "id", secretAccessKey: "secret", sessionToken: undefined }, partSizeBytes: 8 * 1024 ** 2 },
    });
    expect(c.mlflow).toMatchObject({ trackingUri: "http://mlflow.local:5000", experimentName: undefined });
    expect(loadConfig({ ARTENIC_ARTIFACT_STORE: "s3", ARTENIC_S3_BUCKET: "models" }).artifacts).toMatchObject({ s3: { forcePathStyle: false, endpoint: undefined, credentials: undefined } });
    expect(loadConfig({}).artifacts).toEqual({ kind: "local" });
    expect(loadConfig({}).mlflow).toBeUndefined();
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
    [{ ARTENIC_ARTIFACT_STORE: "gcs" }, "ARTENIC_ARTIFACT_STORE"],
    [{ ARTENIC_ARTIFACT_STORE: "s3" }, "ARTENIC_S3_BUCKET"],
    [{ ARTENIC_ARTIFACT_STORE: "s3", ARTENIC_S3_BUCKET: "Bad_Bucket" }, "ARTENIC_S3_BUCKET"],
    [{ ARTENIC_ARTIFACT_STORE: "s3", ARTENIC_S3_BUCKET: "b-1", ARTENIC_S3_ACCESS_KEY_ID: "id" }, "ARTENIC_S3_ACCESS_KEY_ID"],
    [{ ARTENIC_ARTIFACT_STORE: "s3", ARTENIC_S3_BUCKET: "b-1", ARTENIC_S3_PART_SIZE_BYTES: "1024" }, "ARTENIC_S3_PART_SIZE_BYTES"],
    [{ ARTENIC_MLFLOW_TRACKING_URI: "mlflow.local:5000" }, "ARTENIC_MLFLOW_TRACKING_URI"],
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
