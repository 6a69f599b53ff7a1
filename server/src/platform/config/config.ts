import { readFileSync } from "node:fs";
import { AppError } from "../errors/app-error.js";

/**
 * The server's configuration, parsed and validated once at start from `ARTENIC_*` environment
 * variables, then passed down explicitly. Nothing else reads `process.env`.
 */
export interface Config {
  /** Interface to listen on. @default "127.0.0.1" */
  readonly host: string;
  /** Port for every protocol (gRPC, gRPC-Web, Connect; h2c and HTTP/1.1). 0 picks a free port. @default 8080 */
  readonly port: number;
  /** Directory for the SQLite file, artifacts and the generated secret key. @default "./data" */
  readonly dataDir: string;
  /** Where the database lives. */
  readonly database: DatabaseConfig;
  /** Taken verbatim as an admin key at start when set. */
  readonly bootstrapApiKey: string | undefined;
  /** Master secret for key hashing and encryption at rest; generated into the data dir when unset. */
  readonly secretKey: string | undefined;
  /** Largest accepted model artifact, in bytes. @default 2 GiB */
  readonly maxArtifactBytes: number;
  /** Largest accepted single protocol message, in bytes. @default 16 MiB */
  readonly maxMessageBytes: number;
  /**
   * Serve uncompressed gRPC over HTTP/2 (unary and every stream kind) on the direct path
   * (platform/http/grpc-fast-path.ts) instead of Connect-Node's generic pipeline; off leaves every
   * call to Connect-Node. @default true
   */
  readonly grpcFastPath: boolean;
  /** Default token bucket per API key. */
  readonly rateLimit: { readonly requestsPerSecond: number; readonly burst: number };
  /** Origins allowed by CORS; `*` allows any (keys travel in headers, never in cookies). @default ["*"] */
  readonly corsOrigins: readonly string[];
  /** PEM files for TLS; plaintext (h2c + HTTP/1.1) when unset. */
  readonly tls: { readonly certFile: string; readonly keyFile: string } | undefined;
  /** pino level. @default "info" */
  readonly logLevel: string;
  /** How long a graceful shutdown waits for in-flight calls before closing connections. @default 8000 */
  readonly shutdownGraceMs: number;
  readonly inference: {
    /** Model sessions kept loaded at most. @default 16 */
    readonly maxLoadedModels: number;
    /** Artifact bytes of loaded sessions at most. @default 4 GiB */
    readonly maxLoadedBytes: number;
    /** Recent predictions kept in memory for health and A/B statistics. @default 100000 */
    readonly recorderCapacity: number;
  };
  /** The event log and its subscribers (server/src/events). */
  readonly events: {
    /** Events older than this many days are deleted; 0 keeps events of any age. @default 30 */
    readonly retentionDays: number;
    /** At most this many of the newest events are kept. @default 1000000 */
    readonly retentionCount: number;
    /** How often the retention task runs. @default 600000 (10 minutes) */
    readonly retentionIntervalMs: number;
    /** Events a subscriber may have waiting before it is cut off as too slow. @default 1024 */
    readonly subscriberBuffer: number;
    /** Heartbeat interval of a subscription that does not choose one. @default 15000 */
    readonly heartbeatMs: number;
    /** The safety poll of the log, behind in-process and NOTIFY wake-ups. @default 2000 */
    readonly pollMs: number;
  };
  /** How often the canary controller looks at active rollouts. @default 1000 */
  readonly canaryTickMs: number;
  /**
   * The one currency of every amount the platform handles (budgets, prices, costs), an ISO 4217
   * code. Budgets in another currency are refused. @default "USD"
   */
  readonly currency: string;
  /** Webhook deliveries (server/src/webhooks). */
  readonly webhooks: {
    /** How long one delivery attempt may take, connection to last response byte. @default 10000 */
    readonly timeoutMs: number;
    /** The backoff cap of the first retry; each further retry doubles it, with full jitter. @default 10000 */
    readonly backoffBaseMs: number;
    /** The largest backoff cap. @default 3600000 (1 hour) */
    readonly backoffMaxMs: number;
    /** Attempts per delivery before it is FAILED. @default 10 */
    readonly maxAttempts: number;
    /** How often the delivery worker looks for new events and due retries. @default 1000 */
    readonly pollMs: number;
    /** Attempts in flight at once, across webhooks. @default 16 */
    readonly concurrency: number;
    /** Finished deliveries older than this many days are removed. @default 30 */
    readonly retentionDays: number;
    /**
     * Whether webhook URLs may point at loopback, private, link-local and other non-public
     * addresses (checked on the URL and again on every resolved address). @default false
     */
    readonly allowPrivateDestinations: boolean;
  };
  /** Training jobs and their providers (server/src/training). */
  readonly training: {
    /** Adapters enabled for new jobs, by provider id (`local`, `fake`, `kubernetes`...). @default ["local"] */
    readonly providers: readonly string[];
    /** How often the reconcile loop looks at every unfinished job. @default 2000 */
    readonly reconcileIntervalMs: number;
    /** How long the reconcile leader's lease lasts unrenewed before another process takes over. @default 15000 */
    readonly leaseMs: number;
    /** The API base URL handed to jobs as ARTENIC_ENDPOINT; the server's own address when unset. */
    readonly endpoint: string | undefined;
    /** Absolute directories under which `code.local_path` may point; none by default. */
    readonly codeRoots: readonly string[];
    /** Local subprocess jobs running at once at most; excess jobs stay QUEUED. @default 2 */
    readonly localMaxConcurrentJobs: number;
    /** The price per hour of the host for local jobs, in the platform currency. @default 0 */
    readonly localPricePerHour: number;
    /** Silence after which WatchTrainingJob sends a heartbeat. @default 15000 */
    readonly watchHeartbeatMs: number;
    /**
     * How long the job objects of GPU-cloud jobs (platform transfers or `training-jobs/` in S3)
     * are kept after the job ended when its cleanup did not remove them; the sweep removes them
     * after that. @default 7 days
     */
    readonly transferRetentionMs: number;
  };
  /**
   * Plugin packages loaded at start (server/src/plugins): npm package names resolved from the
   * server's installation, or absolute paths. @default []
   */
  readonly plugins: readonly string[];
  /**
   * Where each `ARTENIC_*` variable that was set came from: the environment, or the configuration
   * file named by ARTENIC_CONFIG_FILE (the environment wins). Runtime settings report it as the
   * source of their defaults.
   */
  readonly origins: Readonly<Record<string, "env" | "file">>;
  /**
   * The raw text of every `ARTENIC_*` variable that was set (environment over file), except the
   * master secret, the bootstrap key and the database URL. Runtime settings without a typed field
   * here (S3, MLflow...) take their defaults from it.
   */
  readonly variables: Readonly<Record<string, string>>;
  /** Where model artifacts are stored (server/src/registry/artifacts). @default local, under the data dir */
  readonly artifacts: ArtifactStoreConfig;
  /** The optional MLflow mirror of training jobs (server/src/mlflow); off when undefined. */
  readonly mlflow: MlflowConfig | undefined;
  readonly health: {
    /** How often every target's health is evaluated and persisted. @default 60 s */
    readonly snapshotIntervalMs: number;
    /** How long health snapshots are kept. @default 7 days */
    readonly snapshotRetentionMs: number;
  };
}

export type ArtifactStoreConfig =
  | { readonly kind: "local" }
  | {
      readonly kind: "s3";
      readonly s3: S3Config;
      /** How long pre-signed URLs handed to training jobs stay valid, in seconds. @default 3600 */
      readonly presignSeconds: number;
    };

/** An S3-compatible location. `credentials` is a secret: never log this object whole. */
export interface S3Config {
  readonly bucket: string;
  /** Key prefix inside the bucket, e.g. `artenic/`. @default "" */
  readonly prefix: string;
  /** @default "us-east-1" */
  readonly region: string;
  /** A non-AWS endpoint (MinIO, Ceph, moto...); AWS when undefined. */
  readonly endpoint: string | undefined;
  /** `endpoint/bucket/key` addressing. @default true with an endpoint, false without */
  readonly forcePathStyle: boolean;
  /** Static credentials; the AWS default chain (environment, shared files, instance role) when undefined. */
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken: string | undefined } | undefined;
  /** Multipart part size in bytes. @default 8 MiB */
  readonly partSizeBytes: number;
}

export interface MlflowConfig {
  /** Base URL of the tracking server, e.g. `http://mlflow.internal:5000`. */
  readonly trackingUri: string;
  /** One experiment for every job when set; else one per output model (`artenic/<model>`), `artenic` without one. */
  readonly experimentName: string | undefined;
  /** Sent as `Authorization: Bearer` when set (a secret). */
  readonly token: string | undefined;
  /** Sent as basic auth when both are set (`password` is a secret). */
  readonly username: string | undefined;
  readonly password: string | undefined;
  /** How long one request may take. @default 10000 */
  readonly timeoutMs: number;
  /** How often the outbox of MLflow records is looked at for due ones. @default 2000 */
  readonly pollMs: number;
  /** Backoff cap of the first retry, doubled after each failure up to `backoffMaxMs`. @default 2000 */
  readonly backoffBaseMs: number;
  /** @default 300000 (5 minutes) */
  readonly backoffMaxMs: number;
}

export type DatabaseConfig =
  | { readonly kind: "sqlite"; readonly path: string }
  | {
      readonly kind: "postgresql";
      readonly host: string;
      readonly port: number;
      readonly user: string;
      readonly password: string;
      readonly dbName: string;
    };

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Parses the environment, over the configuration file named by `ARTENIC_CONFIG_FILE` when set (a
 * JSON object whose keys are the same variable names; values are strings, numbers, booleans or
 * lists of strings). Throws `AppError("invalid_argument")` naming the variable at fault.
 */
export function loadConfig(processEnv: Env = process.env): Config {
  const fileName = nonEmpty(processEnv["ARTENIC_CONFIG_FILE"]);
  const fromFile = fileName === undefined ? {} : readConfigFile(fileName);
  const origins: Record<string, "env" | "file"> = {};
  for (const name of Object.keys(fromFile)) origins[name] = "file";
  const env: Record<string, string | undefined> = { ...fromFile };
  for (const [name, value] of Object.entries(processEnv)) {
    if (!name.startsWith("ARTENIC_") || nonEmpty(value) === undefined) continue;
    env[name] = value;
    origins[name] = "env";
  }
  const variables: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (value !== undefined && !UNLISTED_VARIABLES.has(name)) variables[name] = value;
  const dataDir = str(env, "ARTENIC_DATA_DIR", "./data");
  const tlsCert = env["ARTENIC_TLS_CERT_FILE"];
  const tlsKey = env["ARTENIC_TLS_KEY_FILE"];
  if (Boolean(tlsCert) !== Boolean(tlsKey)) {
    throw configError("ARTENIC_TLS_CERT_FILE", "ARTENIC_TLS_CERT_FILE and ARTENIC_TLS_KEY_FILE must be set together");
  }
  return {
    host: str(env, "ARTENIC_HOST", "127.0.0.1"),
    port: int(env, "ARTENIC_PORT", 8080, 0, 65535),
    dataDir,
    database: parseDatabaseUrl(env["ARTENIC_DATABASE_URL"] ?? "", dataDir),
    bootstrapApiKey: nonEmpty(env["ARTENIC_API_KEY"]),
    secretKey: nonEmpty(env["ARTENIC_SECRET_KEY"]),
    maxArtifactBytes: int(env, "ARTENIC_MAX_ARTIFACT_BYTES", 2 * 1024 ** 3, 1, Number.MAX_SAFE_INTEGER),
    maxMessageBytes: int(env, "ARTENIC_MAX_MESSAGE_BYTES", 16 * 1024 ** 2, 1024, 1024 ** 3),
    grpcFastPath: bool(env, "ARTENIC_GRPC_FAST_PATH", true),
    rateLimit: {
      requestsPerSecond: num(env, "ARTENIC_RATE_LIMIT_RPS", 1000, 0.001),
      burst: int(env, "ARTENIC_RATE_LIMIT_BURST", 2000, 1, 1e9),
    },
    corsOrigins: str(env, "ARTENIC_CORS_ORIGINS", "*").split(",").map((o) => o.trim()).filter(Boolean),
    tls: tlsCert && tlsKey ? { certFile: tlsCert, keyFile: tlsKey } : undefined,
    logLevel: str(env, "ARTENIC_LOG_LEVEL", "info"),
    shutdownGraceMs: int(env, "ARTENIC_SHUTDOWN_GRACE_MS", 8000, 0, 60_000),
    inference: {
      maxLoadedModels: int(env, "ARTENIC_MAX_LOADED_MODELS", 16, 1, 10_000),
      maxLoadedBytes: int(env, "ARTENIC_MAX_LOADED_BYTES", 4 * 1024 ** 3, 1024, Number.MAX_SAFE_INTEGER),
      recorderCapacity: int(env, "ARTENIC_PREDICTION_BUFFER", 100_000, 100, 10_000_000),
    },
    events: {
      retentionDays: num(env, "ARTENIC_EVENT_RETENTION_DAYS", 30, 0),
      retentionCount: int(env, "ARTENIC_EVENT_RETENTION_COUNT", 1_000_000, 1, Number.MAX_SAFE_INTEGER),
      retentionIntervalMs: int(env, "ARTENIC_EVENT_RETENTION_INTERVAL_MS", 10 * 60 * 1000, 10, 24 * 3600 * 1000),
      subscriberBuffer: int(env, "ARTENIC_EVENT_SUBSCRIBER_BUFFER", 1024, 1, 1_000_000),
      heartbeatMs: int(env, "ARTENIC_EVENT_HEARTBEAT_MS", 15_000, 1000, 300_000),
      pollMs: int(env, "ARTENIC_EVENT_POLL_MS", 2000, 10, 60_000),
    },
    canaryTickMs: int(env, "ARTENIC_CANARY_TICK_MS", 1000, 10, 3_600_000),
    currency: currency(env, "ARTENIC_CURRENCY", "USD"),
    webhooks: {
      timeoutMs: int(env, "ARTENIC_WEBHOOK_TIMEOUT_MS", 10_000, 10, 300_000),
      backoffBaseMs: int(env, "ARTENIC_WEBHOOK_BACKOFF_BASE_MS", 10_000, 1, 24 * 3600 * 1000),
      backoffMaxMs: int(env, "ARTENIC_WEBHOOK_BACKOFF_MAX_MS", 3600 * 1000, 1, 7 * 24 * 3600 * 1000),
      maxAttempts: int(env, "ARTENIC_WEBHOOK_MAX_ATTEMPTS", 10, 1, 100),
      pollMs: int(env, "ARTENIC_WEBHOOK_POLL_MS", 1000, 5, 600_000),
      concurrency: int(env, "ARTENIC_WEBHOOK_CONCURRENCY", 16, 1, 1000),
      retentionDays: num(env, "ARTENIC_WEBHOOK_RETENTION_DAYS", 30, 0.0001),
      allowPrivateDestinations: bool(env, "ARTENIC_WEBHOOK_ALLOW_PRIVATE_DESTINATIONS", false),
    },
    training: {
      providers: list(env, "ARTENIC_TRAINING_PROVIDERS", ["local"]),
      reconcileIntervalMs: int(env, "ARTENIC_TRAINING_RECONCILE_MS", 2000, 10, 3_600_000),
      leaseMs: int(env, "ARTENIC_TRAINING_LEASE_MS", 15_000, 100, 3_600_000),
      endpoint: nonEmpty(env["ARTENIC_TRAINING_ENDPOINT"]),
      codeRoots: list(env, "ARTENIC_TRAINING_CODE_ROOTS", []).map((root) => {
        if (!root.startsWith("/")) throw configError("ARTENIC_TRAINING_CODE_ROOTS", `must list absolute directories, got "${root}"`);
        return root.replace(/\/+$/, "") || "/";
      }),
      localMaxConcurrentJobs: int(env, "ARTENIC_TRAINING_LOCAL_MAX_CONCURRENT", 2, 1, 1000),
      localPricePerHour: num(env, "ARTENIC_TRAINING_LOCAL_PRICE_PER_HOUR", 0, 0),
      watchHeartbeatMs: int(env, "ARTENIC_TRAINING_WATCH_HEARTBEAT_MS", 15_000, 50, 300_000),
      transferRetentionMs: num(env, "ARTENIC_TRAINING_TRANSFER_RETENTION_DAYS", 7, 0.0001) * 24 * 3600 * 1000,
    },
    plugins: list(env, "ARTENIC_PLUGINS", []),
    origins,
    variables,
    artifacts: parseArtifactStore(env),
    mlflow: parseMlflow(env),
    health: {
      snapshotIntervalMs: num(env, "ARTENIC_HEALTH_SNAPSHOT_SECONDS", 60, 0.05) * 1000,
      snapshotRetentionMs: num(env, "ARTENIC_HEALTH_RETENTION_DAYS", 7, 0.0001) * 24 * 3600 * 1000,
    },
  };
}

/** Variables never kept in `Config.variables`: they hold credentials and have typed fields of their own. */
const UNLISTED_VARIABLES = new Set(["ARTENIC_SECRET_KEY", "ARTENIC_API_KEY", "ARTENIC_DATABASE_URL"]);

/**
 * Reads the configuration file: a JSON object of `ARTENIC_*` variables. Lists become comma-separated
 * strings, numbers and booleans their text, so that the file and the environment parse alike.
 */
function readConfigFile(path: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw configError("ARTENIC_CONFIG_FILE", `could not be read as JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw configError("ARTENIC_CONFIG_FILE", "must hold a JSON object of ARTENIC_* variables");
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(parsed)) {
    if (!/^ARTENIC_[A-Z0-9_]+$/.test(name) || name === "ARTENIC_CONFIG_FILE") throw configError("ARTENIC_CONFIG_FILE", `has the key "${name.slice(0, 64)}", which is not an ARTENIC_* variable`);
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") out[name] = String(value);
    else if (Array.isArray(value) && value.every((v) => typeof v === "string")) out[name] = value.join(",");
    else throw configError(name, "in ARTENIC_CONFIG_FILE must be a string, a number, a boolean or a list of strings");
  }
  return out;
}

/**
 * `postgresql://user:pass@host:port/db` selects PostgreSQL; empty selects SQLite in the data dir.
 * MikroORM ignores socket parameters in URLs, so the URL is taken apart here and passed as fields.
 */
export function parseDatabaseUrl(url: string, dataDir: string): DatabaseConfig {
  if (url.trim() === "") return { kind: "sqlite", path: `${dataDir}/artenic.sqlite` };
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw configError("ARTENIC_DATABASE_URL", "is not a URL (expected postgresql://user:pass@host:port/db)");
  }
  if (parsed.protocol === "sqlite:") return { kind: "sqlite", path: decodeURIComponent(parsed.pathname) };
  if (parsed.protocol !== "postgresql:" && parsed.protocol !== "postgres:") {
    throw configError("ARTENIC_DATABASE_URL", `unsupported scheme ${parsed.protocol} (expected postgresql:)`);
  }
  const dbName = decodeURIComponent(parsed.pathname.replace(/^\//, ""));
  if (!dbName) throw configError("ARTENIC_DATABASE_URL", "names no database");
  if (!parsed.username) throw configError("ARTENIC_DATABASE_URL", "names no user");
  return {
    kind: "postgresql",
    host: parsed.hostname || "127.0.0.1",
    port: parsed.port ? Number(parsed.port) : 5432,
    user: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
    dbName,
  };
}

/** The artifact store from `ARTENIC_ARTIFACT_STORE` and `ARTENIC_S3_*` (runtime settings reuse it for stored values). */
export function parseArtifactStore(env: Env): ArtifactStoreConfig {
  const kind = str(env, "ARTENIC_ARTIFACT_STORE", "local");
  if (kind === "local") return { kind: "local" };
  if (kind !== "s3") throw configError("ARTENIC_ARTIFACT_STORE", `must be local or s3, got "${kind}"`);
  const bucket = nonEmpty(env["ARTENIC_S3_BUCKET"]);
  if (!bucket) throw configError("ARTENIC_S3_BUCKET", "must name a bucket when ARTENIC_ARTIFACT_STORE is s3");
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) throw configError("ARTENIC_S3_BUCKET", `is not a valid bucket name: "${bucket}"`);
  const endpoint = nonEmpty(env["ARTENIC_S3_ENDPOINT"]);
  if (endpoint !== undefined && !/^https?:\/\/[^/]+/.test(endpoint)) throw configError("ARTENIC_S3_ENDPOINT", "must be an http(s):// URL");
  const accessKeyId = nonEmpty(env["ARTENIC_S3_ACCESS_KEY_ID"]);
  const secretAccessKey = nonEmpty(env["ARTENIC_S3_SECRET_ACCESS_KEY"]);
  if (Boolean(accessKeyId) !== Boolean(secretAccessKey)) {
    throw configError("ARTENIC_S3_ACCESS_KEY_ID", "and ARTENIC_S3_SECRET_ACCESS_KEY must be set together");
  }
  return {
    kind: "s3",
    s3: {
      bucket,
      prefix: str(env, "ARTENIC_S3_PREFIX", ""),
      region: str(env, "ARTENIC_S3_REGION", "us-east-1"),
      endpoint,
      forcePathStyle: bool(env, "ARTENIC_S3_FORCE_PATH_STYLE", endpoint !== undefined),
      credentials: accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey, sessionToken: nonEmpty(env["ARTENIC_S3_SESSION_TOKEN"]) } : undefined,
      partSizeBytes: int(env, "ARTENIC_S3_PART_SIZE_BYTES", 8 * 1024 ** 2, 5 * 1024 ** 2, 5 * 1024 ** 3),
    },
    presignSeconds: int(env, "ARTENIC_S3_PRESIGN_SECONDS", 3600, 1, 7 * 24 * 3600),
  };
}

/** The MLflow mirror from `ARTENIC_MLFLOW_*` (runtime settings reuse it for stored values). */
export function parseMlflow(env: Env): MlflowConfig | undefined {
  const trackingUri = nonEmpty(env["ARTENIC_MLFLOW_TRACKING_URI"]);
  if (trackingUri === undefined) return undefined;
  if (!/^https?:\/\/[^/]+/.test(trackingUri)) throw configError("ARTENIC_MLFLOW_TRACKING_URI", "must be an http(s):// URL");
  return {
    trackingUri: trackingUri.replace(/\/+$/, ""),
    experimentName: nonEmpty(env["ARTENIC_MLFLOW_EXPERIMENT"]),
    token: nonEmpty(env["ARTENIC_MLFLOW_TOKEN"]),
    username: nonEmpty(env["ARTENIC_MLFLOW_USERNAME"]),
    password: nonEmpty(env["ARTENIC_MLFLOW_PASSWORD"]),
    timeoutMs: int(env, "ARTENIC_MLFLOW_TIMEOUT_MS", 10_000, 10, 300_000),
    pollMs: int(env, "ARTENIC_MLFLOW_POLL_MS", 2000, 5, 600_000),
    backoffBaseMs: int(env, "ARTENIC_MLFLOW_BACKOFF_BASE_MS", 2000, 1, 3_600_000),
    backoffMaxMs: int(env, "ARTENIC_MLFLOW_BACKOFF_MAX_MS", 300_000, 1, 24 * 3_600_000),
  };
}

function configError(variable: string, problem: string): AppError {
  return new AppError("invalid_argument", "INVALID_CONFIGURATION", `${variable} ${problem}.`, { variable });
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v === "" ? undefined : v;
}

function str(env: Env, name: string, fallback: string): string {
  return nonEmpty(env[name]) ?? fallback;
}

/** A comma-separated list; empty items are dropped. */
function list(env: Env, name: string, fallback: readonly string[]): readonly string[] {
  const raw = nonEmpty(env[name]);
  if (raw === undefined) return fallback;
  return raw.split(",").map((v) => v.trim()).filter(Boolean);
}

function num(env: Env, name: string, fallback: number, min: number): number {
  const raw = nonEmpty(env[name]);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min) throw configError(name, `must be a number ≥ ${min}, got "${raw}"`);
  return n;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = nonEmpty(env[name]);
  if (raw === undefined) return fallback;
  if (raw === "true" || raw === "1") return true;
  if (raw === "false" || raw === "0") return false;
  throw configError(name, `must be true or false, got "${raw}"`);
}

function currency(env: Env, name: string, fallback: string): string {
  const raw = nonEmpty(env[name]) ?? fallback;
  if (!/^[A-Z]{3}$/.test(raw)) throw configError(name, `must be an ISO 4217 currency code such as USD, got "${raw}"`);
  return raw;
}

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = nonEmpty(env[name]);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw configError(name, `must be an integer between ${min} and ${max}, got "${raw}"`);
  }
  return n;
}
