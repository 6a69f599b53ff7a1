// Generates a migration for each dialect from the difference between the entities and the last
// snapshot, then rewrites each dialect's index.ts so the compiled server lists migrations explicitly.
// SQLite runs in a scratch file; PostgreSQL needs ARTENIC_TEST_DATABASE_URL (npm test sets one up).
import { readdirSync, writeFileSync, rmSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { initOrm } from "../src/platform/db/orm.js";
import { parseDatabaseUrl } from "../src/platform/config/config.js";

const root = resolve(import.meta.dirname, "../migrations");
const name = process.argv[2];

async function generate(dialect: "sqlite" | "postgresql"): Promise<void> {
  const folder = join(root, dialect);
  const scratch = mkdtempSync(join(tmpdir(), "artenic-migrations-"));
  const db =
    dialect === "sqlite"
      ? { kind: "sqlite" as const, path: join(scratch, "scratch.sqlite") }
      : parseDatabaseUrl(process.env["ARTENIC_TEST_DATABASE_URL"] ?? "", scratch);
  if (db.kind !== dialect) throw new Error("set ARTENIC_TEST_DATABASE_URL to a PostgreSQL database to generate its migrations");
  const orm = await initOrm(db, { migrationsPath: folder });
  try {
    if (dialect === "postgresql") await orm.schema.drop({ dropMigrationsTable: true });
    await orm.migrator.up();
    const initial = readdirSync(folder).every((f) => !f.startsWith("Migration"));
    const result = await orm.migrator.create(undefined, false, initial, name);
    console.log(`${dialect}: ${result.fileName || "no changes"}`);
  } finally {
    await orm.close();
    rmSync(scratch, { recursive: true, force: true });
  }
  const files = readdirSync(folder).filter((f) => /^Migration.*\.ts$/.test(f)).sort();
  const lines = files.map((f) => f.replace(/\.ts$/, ""));
  writeFileSync(
    join(folder, "index.ts"),
    `import type { MigrationObject } from "@mikro-orm/core";\n` +
      lines.map((l) => `import { ${l} } from "./${l}.js";\n`).join("") +
      `\n/** The ${dialect} migrations in order; \`npm run migration:create\` appends to this list. */\n` +
      `export const ${dialect}Migrations: MigrationObject[] = [\n` +
      lines.map((l) => `  { name: "${l}", class: ${l} },\n`).join("") +
      `];\n`,
  );
}

await generate("sqlite");
await generate("postgresql");
