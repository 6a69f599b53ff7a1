import type { MigrationObject } from "@mikro-orm/core";
import { Migration20261126135547 } from "./Migration20261126135547.js";

/** The sqlite migrations in order; `npm run migration:create` appends to this list. */
export const sqliteMigrations: MigrationObject[] = [
  { name: "Migration20261126135547", class: Migration20261126135547 },
];
