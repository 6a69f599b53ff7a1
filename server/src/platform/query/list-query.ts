import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { createHash } from "node:crypto";
import type { EntityManager, EntityName, FilterQuery } from "@mikro-orm/core";
import { PageTokenSchema } from "@artenic/gen/artenic/pagination/v1/page_token_pb";
import { AppError, invalidField } from "../errors/app-error.js";

/** How one filterable or orderable field maps onto the entity. */
export interface FieldSpec {
  /** Entity property path, e.g. `displayName`, or `model.id` through a relation. */
  readonly prop: string;
  readonly type: "string" | "number" | "timestamp" | "bool";
  /** For enum-valued fields: the accepted filter words mapped to stored values. */
  readonly values?: Readonly<Record<string, string>>;
}

/** What a List method accepts in `filter` and `order_by`. */
export interface ListSpec {
  readonly fields: Readonly<Record<string, FieldSpec>>;
  /** JSON map properties addressable as `<name>.<key>` (e.g. `labels` → `labels.team = "x"`). */
  readonly maps?: Readonly<Record<string, { prop: string; type: "string" | "number" }>>;
  /** The order when `order_by` is empty. */
  readonly defaultOrder: string;
  /** The unique property used as the last tiebreaker so that the order is total. */
  readonly idProp: string;
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 1000;

type Op = "=" | "!=" | ">" | ">=" | "<" | "<=";
const opToMikro: Record<Op, string> = { "=": "$eq", "!=": "$ne", ">": "$gt", ">=": "$gte", "<": "$lt", "<=": "$lte" };

interface ResolvedField {
  readonly path: string[];
  readonly type: "string" | "number" | "timestamp" | "bool";
  readonly values?: Readonly<Record<string, string>> | undefined;
}

function resolveField(name: string, spec: ListSpec, argument: "filter" | "order_by"): ResolvedField {
  const field = spec.fields[name];
  if (field) return { path: field.prop.split("."), type: field.type, values: field.values };
  const dot = name.indexOf(".");
  if (dot > 0) {
    const map = spec.maps?.[name.slice(0, dot)];
    const key = name.slice(dot + 1);
    if (map && /^[A-Za-z0-9_.\-/]{1,128}$/.test(key)) return { path: [map.prop, key], type: map.type };
  }
  const known = [...Object.keys(spec.fields), ...Object.keys(spec.maps ?? {}).map((m) => `${m}.<key>`)].join(", ");
  throw invalidField(argument, `unknown field "${name}"; accepted: ${known}`, argument === "filter" ? "INVALID_FILTER" : "INVALID_ORDER_BY");
}

function nest(path: string[], leaf: unknown): Record<string, unknown> {
  return path.reduceRight<unknown>((acc, key) => ({ [key]: acc }), leaf) as Record<string, unknown>;
}

const TOKEN = /\s*(?:(AND)\b|([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_\-/]+)*)|(!=|>=|<=|=|>|<)|"((?:[^"\\]|\\.)*)"|([^\s"=!<>]+))/y;

/**
 * Parses the AIP-160 subset documented on every List method: comparisons `field op value` joined by
 * `AND`, where op is one of = != > >= < <=, and value is a bare word, a number or a "quoted string".
 * Throws INVALID_ARGUMENT naming `filter` and what is wrong with it.
 */
export function parseFilter(filter: string, spec: ListSpec): FilterQuery<object> {
  const clauses: Record<string, unknown>[] = [];
  if (filter.trim() === "") return {};
  TOKEN.lastIndex = 0;
  const tokens: { kind: "and" | "ident" | "op" | "value"; text: string }[] = [];
  while (TOKEN.lastIndex < filter.length) {
    const m = TOKEN.exec(filter);
    if (!m) throw invalidField("filter", `cannot parse near "${filter.slice(TOKEN.lastIndex, TOKEN.lastIndex + 20)}"`, "INVALID_FILTER");
    if (m[0].trim() === "") break;
    if (m[1]) tokens.push({ kind: "and", text: "AND" });
    else if (m[2] !== undefined) tokens.push({ kind: "ident", text: m[2] });
    else if (m[3]) tokens.push({ kind: "op", text: m[3] });
    else if (m[4] !== undefined) tokens.push({ kind: "value", text: m[4].replace(/\\(.)/g, "$1") });
    else tokens.push({ kind: "value", text: m[5]! });
  }
  for (let i = 0; i < tokens.length; ) {
    const [name, op, value] = [tokens[i], tokens[i + 1], tokens[i + 2]];
    if (name?.kind !== "ident" || op?.kind !== "op" || !value || (value.kind !== "value" && value.kind !== "ident")) {
      throw invalidField("filter", 'expected comparisons like `stage = "PRODUCTION" AND labels.team = "vision"`', "INVALID_FILTER");
    }
    const field = resolveField(name.text, spec, "filter");
    clauses.push(nest(field.path, { [opToMikro[op.text as Op]]: convert(field, value.text, "filter") }));
    i += 3;
    if (i < tokens.length) {
      if (tokens[i]?.kind !== "and") throw invalidField("filter", "comparisons must be joined by AND", "INVALID_FILTER");
      i += 1;
      if (i === tokens.length) throw invalidField("filter", "ends with AND", "INVALID_FILTER");
    }
  }
  return clauses.length === 1 ? clauses[0]! : { $and: clauses };
}

function convert(field: ResolvedField, raw: string, argument: string): unknown {
  if (field.values) {
    const stored = field.values[raw];
    if (stored === undefined) throw invalidField(argument, `"${raw}" is not one of ${Object.keys(field.values).join(", ")}`, "INVALID_FILTER");
    return stored;
  }
  switch (field.type) {
    case "string":
      return raw;
    case "bool":
      if (raw !== "true" && raw !== "false") throw invalidField(argument, `"${raw}" is not true or false`, "INVALID_FILTER");
      return raw === "true";
    case "number": {
      const n = Number(raw);
      if (raw === "" || !Number.isFinite(n)) throw invalidField(argument, `"${raw}" is not a number`, "INVALID_FILTER");
      return n;
    }
    case "timestamp": {
      const d = new Date(raw);
      if (Number.isNaN(d.getTime())) throw invalidField(argument, `"${raw}" is not an RFC 3339 timestamp`, "INVALID_FILTER");
      return d;
    }
  }
}

interface OrderTerm {
  readonly path: string[];
  readonly desc: boolean;
  readonly type: ResolvedField["type"];
}

/** Parses `order_by` ("create_time desc, display_name"); the id is always appended as tiebreaker. */
export function parseOrderBy(orderBy: string, spec: ListSpec): OrderTerm[] {
  const text = orderBy.trim() === "" ? spec.defaultOrder : orderBy;
  const terms: OrderTerm[] = text.split(",").map((part) => {
    const words = part.trim().split(/\s+/);
    if (words.length === 0 || words.length > 2 || !words[0] || (words[1] !== undefined && !/^(asc|desc)$/i.test(words[1]))) {
      throw invalidField("order_by", `cannot parse "${part.trim()}"; expected "field" or "field desc"`, "INVALID_ORDER_BY");
    }
    const field = resolveField(words[0], spec, "order_by");
    return { path: field.path, type: field.type, desc: words[1]?.toLowerCase() === "desc" };
  });
  const last = terms[terms.length - 1]!;
  if (terms.length > 1 || last.path.join(".") !== spec.idProp) {
    terms.push({ path: [spec.idProp], type: "string", desc: last.desc });
  }
  return terms;
}

/** A decoded page token: the sort values of the last item returned, and the total counted on page one. */
type Cursor = unknown[];
interface DecodedToken {
  readonly cursor: Cursor;
  readonly total: number;
}

function queryHash(parts: readonly string[]): string {
  return createHash("sha256").update(parts.join("\u0000")).digest("hex").slice(0, 32);
}

function encodeToken(cursor: Cursor, total: number, hash: string): string {
  return Buffer.from(toBinary(PageTokenSchema, create(PageTokenSchema, { cursor: JSON.stringify([total, ...cursor]), queryHash: hash }))).toString("base64url");
}

function decodeToken(token: string, hash: string, width: number): DecodedToken {
  try {
    const decoded = fromBinary(PageTokenSchema, Buffer.from(token, "base64url"));
    const values: unknown = JSON.parse(decoded.cursor);
    if (decoded.queryHash === hash && Array.isArray(values) && values.length === width + 1 && typeof values[0] === "number") {
      return { total: values[0], cursor: values.slice(1) };
    }
  } catch {
    // fall through: every malformed token gets the same answer
  }
  throw invalidField("page_token", "is not a token returned by this List call with the same filter and order_by", "INVALID_PAGE_TOKEN");
}

function read(entity: unknown, path: string[]): unknown {
  let v: unknown = entity;
  for (const key of path) v = v == null ? undefined : (v as Record<string, unknown>)[key];
  if (v !== null && typeof v === "object" && "id" in (v as object) && !(v instanceof Date)) return (v as { id: unknown }).id;
  return v instanceof Date ? v.toISOString() : v ?? null;
}

function revive(term: OrderTerm, value: unknown): unknown {
  return term.type === "timestamp" && typeof value === "string" ? new Date(value) : value;
}

export interface ListRequestLike {
  readonly pageSize: number;
  readonly pageToken: string;
  readonly filter: string;
  readonly orderBy: string;
}

export interface Page<T> {
  readonly items: T[];
  readonly nextPageToken: string;
  readonly totalSize: number;
}

/**
 * Keyset pagination over `entity`: the page token carries the sort values of the last row, so each
 * page is an index range scan however deep the client pages (AIP-158), and a token cannot be reused
 * with another filter, order or scope. `scope` is added to the filter (e.g. the parent model).
 */
export async function listPage<T extends object>(
  em: EntityManager,
  entity: EntityName<T>,
  spec: ListSpec,
  request: ListRequestLike,
  scope: FilterQuery<T> = {} as FilterQuery<T>,
  options: { populate?: readonly string[]; scopeKey?: string } = {},
): Promise<Page<T>> {
  if (request.pageSize < 0) throw invalidField("page_size", "must not be negative", "INVALID_PAGE_SIZE");
  // AIP-158: 0 means the default; oversized values are coerced, not refused.
  const size = request.pageSize === 0 ? DEFAULT_PAGE_SIZE : Math.min(request.pageSize, MAX_PAGE_SIZE);
  const filter = parseFilter(request.filter, spec);
  const order = parseOrderBy(request.orderBy, spec);
  const hash = queryHash([request.filter, request.orderBy, options.scopeKey ?? ""]);
  const base: FilterQuery<object>[] = [scope as FilterQuery<object>, filter].filter((f) => Object.keys(f as object).length > 0);
  // Ordering by a map value (metrics.accuracy) lists only rows that have it: absent values have no place in the order.
  for (const t of order) if (t.path.length === 2 && spec.maps?.[t.path[0]!]) base.push(nest(t.path, { $ne: null }));
  const where: FilterQuery<object>[] = [...base];
  const token = request.pageToken === "" ? undefined : decodeToken(request.pageToken, hash, order.length);
  if (token) {
    const cursor = token.cursor;
    const alternatives = order.map((term, k) => {
      const equalities = order.slice(0, k).map((t, j) => nest(t.path, { $eq: revive(t, cursor[j]) }));
      const cmp = nest(term.path, { [term.desc ? "$lt" : "$gt"]: revive(term, cursor[k]) });
      return { $and: [...equalities, cmp] };
    });
    where.push({ $or: alternatives });
  }
  const orderBy = order.map((t) => nest(t.path, t.desc ? "desc" : "asc"));
  const query = (where.length === 0 ? {} : where.length === 1 ? where[0] : { $and: where }) as FilterQuery<T>;
  const total = (base.length === 0 ? {} : base.length === 1 ? base[0] : { $and: base }) as FilterQuery<T>;
  // The total is counted once, on the first page, and carried in the token: AIP-158 allows an
  // estimate, and counting again on every page would cost more than the page itself.
  const [rows, totalSize] = await Promise.all([
    em.find(entity, query as never, { orderBy: orderBy as never, limit: size + 1, populate: (options.populate ?? []) as never }),
    token ? Promise.resolve(token.total) : em.count(entity, total as never),
  ]);
  const items = rows.slice(0, size);
  const last = items[items.length - 1];
  const nextPageToken = rows.length > size && last ? encodeToken(order.map((t) => read(last, t.path)), totalSize, hash) : "";
  return { items, nextPageToken, totalSize };
}

/** Guard for ids chosen by clients: lowercase, digits and hyphens, at most 63 characters (AIP-122). */
export function assertResourceId(field: string, id: string): void {
  if (!/^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/.test(id)) {
    throw invalidField(field, `"${id}" is not a valid id: use 1-63 lowercase letters, digits and hyphens, starting with a letter`, "INVALID_RESOURCE_ID");
  }
}

export { AppError };
