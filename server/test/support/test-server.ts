import { randomBytes } from "node:crypto";
import { pino, type Logger } from "pino";
import { startServer, type RunningServer } from "../../src/main.js";
import type { AppDeps } from "../../src/app.js";
import { loadConfig } from "../../src/platform/config/config.js";
import { createScratchDatabase, type DatabaseKind, type ScratchDatabase } from "./databases.js";

export interface TestServer extends RunningServer {
  /** The admin key the server was started with. */
  readonly adminKey: string;
  readonly dataDir: string;
  /** For PostgreSQL: the URL of the server's database, to start another process on it. */
  readonly databaseUrl: string;
  /** Stops the server and drops its database and data directory. */
  dispose(): Promise<void>;
}

/**
 * A real server on a random loopback port with a database of its own, as `npm start` would run it,
 * with logs silenced (or sent to `logger`). `env` overrides configuration variables.
 */
export async function startTestServer(
  kind: DatabaseKind = "sqlite",
  env: Record<string, string> = {},
  options: Pick<AppDeps, "extraRoutes"> & { readonly logger?: Logger } = {},
): Promise<TestServer> {
  const db = await createScratchDatabase(kind, "e2e");
  const adminKey = `artenic_test_${randomBytes(24).toString("base64url")}`;
  const config = {
    ...loadConfig({ ARTENIC_PORT: "0", ARTENIC_DATA_DIR: db.dataDir, ARTENIC_API_KEY: adminKey, ARTENIC_SHUTDOWN_GRACE_MS: "2000", ...env }),
    database: db.config,
  };
  const { logger, ...extra } = options;
  const server = await startServer(config, logger ?? pino({ level: process.env["ARTENIC_TEST_LOG_LEVEL"] ?? "silent" }), extra);
  return {
    ...server,
    adminKey,
    dataDir: db.dataDir,
    databaseUrl:
      db.config.kind === "postgresql"
        ? `postgresql://${encodeURIComponent(db.config.user)}:${encodeURIComponent(db.config.password)}@${db.config.host}:${db.config.port}/${db.config.dbName}`
        : "",
    async dispose() {
      await server.stop();
      await db.drop();
    },
  };
}

/**
 * A real server on a database the test keeps (to restart on it, or to share it), with `env` over
 * the usual test configuration; logs silenced unless a logger is given.
 */
export async function startServerOn(
  db: ScratchDatabase & { dataDir: string },
  adminKey: string,
  env: Record<string, string> = {},
  logger: Logger = pino({ level: process.env["ARTENIC_TEST_LOG_LEVEL"] ?? "silent" }),
): Promise<RunningServer> {
  const config = {
    ...loadConfig({ ARTENIC_PORT: "0", ARTENIC_DATA_DIR: db.dataDir, ARTENIC_API_KEY: adminKey, ARTENIC_SHUTDOWN_GRACE_MS: "1000", ...env }),
    database: db.config,
  };
  return startServer(config, logger);
}
