import type { MigrationObject } from "@mikro-orm/core";
import { Migration20261126140929 } from "./Migration20261126140929.js";

/** The sqlite migrations in order; `npm run migration:create` appends to this list. */
export const sqliteMigrations: MigrationObject[] = [
  { name: "Migration20261126140929", class: Migration20261126140929 },
];
