// Applies the committed migrations to a scratch SQLite database and to a scratch PostgreSQL database,
// then asks MikroORM for the SQL that would bring each schema in line with the entities: it must be
// empty. A non-empty diff means an entity changed without `npm run migration:create`.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { initOrm, migrate } from "../src/platform/db/orm.js";
import { createScratchPostgres } from "../test/support/databases.js";

let failed = false;
const dir = mkdtempSync(join(tmpdir(), "artenic-migrations-"));
const pg = await createScratchPostgres("migrations_check");
try {
  for (const db of [{ kind: "sqlite" as const, path: join(dir, "check.sqlite") }, pg.config]) {
    const orm = await initOrm(db);
    try {
      await migrate(orm);
      const diff = (await orm.schema.getUpdateSchemaSQL({ wrap: false })).trim();
      if (diff !== "") {
        failed = true;
        console.error(`${db.kind}: the migrations do not match the entities; missing SQL:\n${diff}`);
      } else {
        console.log(`${db.kind}: migrations match the entities`);
      }
    } finally {
      await orm.close();
    }
  }
} finally {
  await pg.drop();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
