import type { MigrationObject } from "@mikro-orm/core";
import { Migration20261126140929 } from "./Migration20261126140929.js";
import { Migration20261126144624 } from "./Migration20261126144624.js";
import { Migration20261126145227 } from "./Migration20261126145227.js";
import { Migration20261126152112 } from "./Migration20261126152112.js";
import { Migration20261126152353 } from "./Migration20261126152353.js";
import { Migration20261126152720 } from "./Migration20261126152720.js";
import { Migration20261126163034 } from "./Migration20261126163034.js";
import { Migration20261126173611 } from "./Migration20261126173611.js";
import { Migration20261126174512 } from "./Migration20261126174512.js";

/** The postgresql migrations in order; `npm run migration:create` appends to this list. */
export const postgresqlMigrations: MigrationObject[] = [
  { name: "Migration20261126140929", class: Migration20261126140929 },
  { name: "Migration20261126144624", class: Migration20261126144624 },
  { name: "Migration20261126145227", class: Migration20261126145227 },
  { name: "Migration20261126152112", class: Migration20261126152112 },
  { name: "Migration20261126152353", class: Migration20261126152353 },
  { name: "Migration20261126152720", class: Migration20261126152720 },
  { name: "Migration20261126163034", class: Migration20261126163034 },
  { name: "Migration20261126173611", class: Migration20261126173611 },
  { name: "Migration20261126174512", class: Migration20261126174512 },
];
