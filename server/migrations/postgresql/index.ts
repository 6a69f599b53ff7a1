import type { MigrationObject } from "@mikro-orm/core";
import { Migration20261126140929 } from "./Migration20261126140929.js";

/** The postgresql migrations in order; `npm run migration:create` appends to this list. */
export const postgresqlMigrations: MigrationObject[] = [
  { name: "Migration20261126140929", class: Migration20261126140929 },
];
