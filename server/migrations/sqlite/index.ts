import type { MigrationObject } from "@mikro-orm/core";
import { Migration20261126140929 } from "./Migration20261126140929.js";
import { Migration20261126144624 } from "./Migration20261126144624.js";
import { Migration20261126145226 } from "./Migration20261126145226.js";
import { Migration20261126152112 } from "./Migration20261126152112.js";
import { Migration20261126152353 } from "./Migration20261126152353.js";
import { Migration20261126152720 } from "./Migration20261126152720.js";
import { Migration20261126163031 } from "./Migration20261126163031.js";
import { Migration20261126173608 } from "./Migration20261126173608.js";
import { Migration20261126174511 } from "./Migration20261126174511.js";

/** The sqlite migrations in order; `npm run migration:create` appends to this list. */
export const sqliteMigrations: MigrationObject[] = [
  { name: "Migration20261126140929", class: Migration20261126140929 },
  { name: "Migration20261126144624", class: Migration20261126144624 },
  { name: "Migration20261126145226", class: Migration20261126145226 },
  { name: "Migration20261126152112", class: Migration20261126152112 },
  { name: "Migration20261126152353", class: Migration20261126152353 },
  { name: "Migration20261126152720", class: Migration20261126152720 },
  { name: "Migration20261126163031", class: Migration20261126163031 },
  { name: "Migration20261126173608", class: Migration20261126173608 },
  { name: "Migration20261126174511", class: Migration20261126174511 },
];
