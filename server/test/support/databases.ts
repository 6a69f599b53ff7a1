import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { MikroORM } from "@mikro-orm/postgresql";
import { parseDatabaseUrl, type DatabaseConfig } from "../../src/platform/config/config.js";

/** The databases every database-matrix suite runs on. PostgreSQL is never skipped: npm test provides it. */
export const databaseKinds = ["sqlite", "postgresql"] as const;
export type DatabaseKind = (typeof databaseKinds)[number];

export interface ScratchDatabase {
  readonly config: DatabaseConfig;
  drop(): Promise<void>;
}

function postgresBase(): Extract<DatabaseConfig, { kind: "postgresql" }> {
  const url = process.env["ARTENIC_TEST_DATABASE_URL"];
  if (!url) throw new Error("ARTENIC_TEST_DATABASE_URL is not set: run the suites through `npm test`, which provides PostgreSQL");
  const config = parseDatabaseUrl(url, "");
  if (config.kind !== "postgresql") throw new Error("ARTENIC_TEST_DATABASE_URL must be a postgresql:// URL");
  return config;
}

async function adminExecute(sql: string): Promise<void> {
  const base = postgresBase();
  const orm = await MikroORM.init({ host: base.host, port: base.port, user: base.user, password: base.password, dbName: base.dbName, entities: [], discovery: { warnWhenNoEntities: false } });
  try {
    await orm.em.getConnection().execute(sql);
  } finally {
    await orm.close();
  }
}

/**
 * Drops a scratch database, ending the suite's leftover connections. FORCE cannot end a backend of
 * another role (an autovacuum worker that just started on the database), so that refusal is
 * retried for a few seconds until the worker is gone.
 */
async function dropDatabase(name: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await adminExecute(`drop database if exists "${name}" with (force)`);
    } catch (e) {
      if (attempt >= 30 || !/pg_signal_backend|is being accessed by other users/.test(String(e))) throw e;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** A fresh PostgreSQL database of its own for one suite, dropped afterwards. */
export async function createScratchPostgres(label: string): Promise<ScratchDatabase> {
  const base = postgresBase();
  const name = `artenic_${label.replace(/[^a-z0-9_]/g, "_")}_${randomBytes(4).toString("hex")}`;
  await adminExecute(`create database "${name}"`);
  return {
    config: { ...base, dbName: name },
    drop: () => dropDatabase(name),
  };
}

/** A fresh database of the given kind: a file in a temporary folder for SQLite. */
export async function createScratchDatabase(kind: DatabaseKind, label: string): Promise<ScratchDatabase & { dataDir: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), `artenic-${label}-`));
  if (kind === "sqlite") {
    return { config: { kind: "sqlite", path: join(dataDir, "artenic.sqlite") }, dataDir, drop: async () => rmSync(dataDir, { recursive: true, force: true }) };
  }
  const pg = await createScratchPostgres(label);
  return {
    config: pg.config,
    dataDir,
    drop: async () => {
      await pg.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
