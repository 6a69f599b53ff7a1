import type { MigrationObject } from "@mikro-orm/core";
import { Migration20261126135547 } from "./Migration20261126135547.js";

/** The postgresql migrations in order; `npm run migration:create` appends to this list. */
export const postgresqlMigrations: MigrationObject[] = [
  { name: "Migration20261126135547", class: Migration20261126135547 },
];
