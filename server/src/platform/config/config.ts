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
  readonly health: {
    /** How often every target's health is evaluated and persisted. @default 60 s */
    readonly snapshotIntervalMs: number;
    /** How long health snapshots are kept. @default 7 days */
    readonly snapshotRetentionMs: number;
  };
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

/** Parses the environment. Throws `AppError("invalid_argument")` naming the variable at fault. */
export function loadConfig(env: Env = process.env): Config {
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
    health: {
      snapshotIntervalMs: num(env, "ARTENIC_HEALTH_SNAPSHOT_SECONDS", 60, 0.05) * 1000,
      snapshotRetentionMs: num(env, "ARTENIC_HEALTH_RETENTION_DAYS", 7, 0.0001) * 24 * 3600 * 1000,
    },
  };
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

function configError(variable: string, problem: string): AppError {
  return new AppError("invalid_argument", "INVALID_CONFIGURATION", `${variable} ${problem}.`, { variable });
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v === "" ? undefined : v;
}

function str(env: Env, name: string, fallback: string): string {
  return nonEmpty(env[name]) ?? fallback;
}

function num(env: Env, name: string, fallback: number, min: number): number {
  const raw = nonEmpty(env[name]);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min) throw configError(name, `must be a number ≥ ${min}, got "${raw}"`);
  return n;
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
