import { MikroORM, NodeSqliteDialect, SqliteDriver } from "@mikro-orm/sql";
import { PostgreSqlDriver } from "@mikro-orm/postgresql";
import { Migrator } from "@mikro-orm/migrations";
import type { MigrationObject } from "@mikro-orm/core";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { DatabaseConfig } from "../config/config.js";
import { entities } from "../../entities.js";
import { sqliteMigrations } from "../../../migrations/sqlite/index.js";
import { postgresqlMigrations } from "../../../migrations/postgresql/index.js";

export type Orm = MikroORM;

export interface InitOrmOptions {
  /** Folder holding the TypeScript migrations and snapshot; only the generator script needs it. */
  readonly migrationsPath?: string;
  /** Debug SQL logging. */
  readonly debug?: boolean;
}

/**
 * Opens the database chosen by configuration: SQLite through Node's built-in `node:sqlite` (no
 * native addon to build) or PostgreSQL. Migrations are listed explicitly per dialect, so the
 * compiled server never globs the file system for them.
 */
export async function initOrm(db: DatabaseConfig, options: InitOrmOptions = {}): Promise<Orm> {
  const migrations = {
    tableName: "artenic_migrations",
    silent: true,
    // Only the generator keeps a schema snapshot (beside the migrations); the server never writes one.
    snapshot: options.migrationsPath !== undefined,
    ...(options.migrationsPath
      ? { path: options.migrationsPath, pathTs: options.migrationsPath, emit: "ts" as const, glob: "Migration*.ts", snapshotName: ".snapshot" }
      : { migrationsList: (db.kind === "sqlite" ? sqliteMigrations : postgresqlMigrations) as MigrationObject[] }),
  };
  const common = {
    entities,
    extensions: [Migrator],
    migrations,
    debug: options.debug ?? false,
    // Entities are plain schemas; nothing to discover from TypeScript metadata.
    discovery: { warnWhenNoEntities: false },
    allowGlobalContext: false,
  };
  if (db.kind === "sqlite") {
    if (db.path !== ":memory:") mkdirSync(dirname(db.path), { recursive: true });
    const orm = await MikroORM.init({
      ...common,
      driver: SqliteDriver,
      dbName: db.path,
      driverOptions: new NodeSqliteDialect(db.path),
    });
    // WAL lets readers proceed while one writer commits; the busy timeout turns brief writer
    // contention into a wait instead of SQLITE_BUSY errors.
    const conn = orm.em.getConnection();
    await conn.execute("pragma journal_mode = wal");
    await conn.execute("pragma busy_timeout = 5000");
    await conn.execute("pragma foreign_keys = on");
    await conn.execute("pragma synchronous = normal");
    return orm as unknown as Orm;
  }
  return (await MikroORM.init({
    ...common,
    driver: PostgreSqlDriver,
    host: db.host,
    port: db.port,
    user: db.user,
    password: db.password,
    dbName: db.dbName,
    schema: "public",
    pool: { min: 0, max: 10 },
  })) as unknown as Orm;
}

/** Applies every pending migration; a no-op when the schema is current. */
export async function migrate(orm: Orm): Promise<void> {
  await orm.migrator.up();
}
