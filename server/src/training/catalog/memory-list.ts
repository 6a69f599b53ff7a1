import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { createHash } from "node:crypto";
import { PageTokenSchema } from "@artenic/gen/artenic/pagination/v1/page_token_pb";
import { invalidField } from "../../platform/errors/app-error.js";
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, parseFilter, parseOrderBy, type ListRequestLike, type ListSpec, type Page } from "../../platform/query/list-query.js";

/**
 * AIP-132/158/160 listing over rows held in memory (providers, instance types): the same filter and
 * order_by grammar as the database lists (platform/query/list-query.ts parses both), evaluated here,
 * with offset page tokens bound to the query.
 */

type Row = Readonly<Record<string, unknown>>;

function valueAt(row: Row, path: readonly string[]): unknown {
  let v: unknown = row;
  for (const key of path) v = v == null ? undefined : (v as Record<string, unknown>)[key];
  return v;
}

function compareValues(a: unknown, b: unknown): number {
  if (a instanceof Date && b instanceof Date) return a.getTime() - b.getTime();
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "boolean" && typeof b === "boolean") return Number(a) - Number(b);
  return String(a).localeCompare(String(b));
}

const ops: Record<string, (c: number) => boolean> = {
  $eq: (c) => c === 0,
  $ne: (c) => c !== 0,
  $gt: (c) => c > 0,
  $gte: (c) => c >= 0,
  $lt: (c) => c < 0,
  $lte: (c) => c <= 0,
};

/** Evaluates the MikroORM-shaped condition `parseFilter` returns against one row. */
function matches(row: Row, node: unknown, path: readonly string[] = []): boolean {
  if (node === null || typeof node !== "object" || node instanceof Date) return false;
  return Object.entries(node as Record<string, unknown>).every(([key, value]) => {
    if (key === "$and") return (value as unknown[]).every((c) => matches(row, c, path));
    const op = ops[key];
    if (op) {
      const actual = valueAt(row, path);
      if (actual === undefined || actual === null) return key === "$ne";
      return op(compareValues(actual, value));
    }
    return matches(row, value, [...path, key]);
  });
}

export interface MemoryListOptions {
  /** Folded into the token's query hash, so a token cannot be replayed on another scope. */
  readonly scopeKey?: string;
  /** Order-by paths (entity props) whose missing values sort last in either direction. */
  readonly nullsLast?: readonly string[];
}

/** Filters, orders and pages `rows` (plain objects keyed by the spec's `prop`s). */
export function listInMemory<T extends Row>(rows: readonly T[], spec: ListSpec, request: ListRequestLike, options: MemoryListOptions = {}): Page<T> {
  if (request.pageSize < 0) throw invalidField("page_size", "must not be negative", "INVALID_PAGE_SIZE");
  const size = request.pageSize === 0 ? DEFAULT_PAGE_SIZE : Math.min(request.pageSize, MAX_PAGE_SIZE);
  const filter = parseFilter(request.filter, spec);
  const order = parseOrderBy(request.orderBy, spec);
  const hash = createHash("sha256").update([request.filter, request.orderBy, options.scopeKey ?? ""].join("\u0000")).digest("hex").slice(0, 32);
  const nullsLast = new Set(options.nullsLast ?? []);
  const selected = rows.filter((r) => matches(r, filter));
  selected.sort((a, b) => {
    for (const term of order) {
      const va = valueAt(a, term.path);
      const vb = valueAt(b, term.path);
      const missingA = va === undefined || va === null;
      const missingB = vb === undefined || vb === null;
      if (missingA || missingB) {
        if (missingA && missingB) continue;
        if (nullsLast.has(term.path.join("."))) return missingA ? 1 : -1;
        return (missingA ? -1 : 1) * (term.desc ? -1 : 1);
      }
      const c = compareValues(va, vb);
      if (c !== 0) return term.desc ? -c : c;
    }
    return 0;
  });
  const offset = request.pageToken === "" ? 0 : decodeOffset(request.pageToken, hash);
  const items = selected.slice(offset, offset + size);
  const next = offset + size < selected.length ? encodeOffset(offset + size, hash) : "";
  return { items, nextPageToken: next, totalSize: selected.length };
}

function encodeOffset(offset: number, hash: string): string {
  return Buffer.from(toBinary(PageTokenSchema, create(PageTokenSchema, { cursor: JSON.stringify({ offset }), queryHash: hash }))).toString("base64url");
}

function decodeOffset(token: string, hash: string): number {
  try {
    const decoded = fromBinary(PageTokenSchema, Buffer.from(token, "base64url"));
    const value: unknown = JSON.parse(decoded.cursor);
    const offset = (value as { offset?: unknown }).offset;
    if (decoded.queryHash === hash && typeof offset === "number" && Number.isInteger(offset) && offset >= 0) return offset;
  } catch {
    // fall through: every malformed token gets the same answer
  }
  throw invalidField("page_token", "is not a token returned by this List call with the same filter and order_by", "INVALID_PAGE_TOKEN");
}
