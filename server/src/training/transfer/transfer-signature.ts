import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Signed transfer URLs: the server's answer to "GPU clouds have no object store". A job's bootstrap
 * gets one URL per object and verb (GET its code, PUT its status, logs and outputs), each carrying
 * an expiry, a size bound for uploads and an HMAC-SHA256 over all of it with a key derived from the
 * server's secret. Nothing else authenticates these routes, so a URL grants exactly one verb on one
 * object of one job, until it expires.
 */

export type TransferMethod = "GET" | "PUT";

/** Object keys: `jobs/<id>/...` segments of safe characters, never `.` or `..`. */
const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
export const MAX_KEY_LENGTH = 512;

/** Whether `key` is an object key the transfer may hold (no traversal, no empty or dot segments). */
export function isTransferKey(key: string): boolean {
  if (key.length === 0 || key.length > MAX_KEY_LENGTH) return false;
  const segments = key.split("/");
  return segments.length <= 8 && segments.every((s) => SEGMENT.test(s) && s !== "." && s !== "..");
}

export interface SignedTransfer {
  readonly method: TransferMethod;
  readonly key: string;
  /** Unix seconds after which the URL is refused. */
  readonly expires: number;
  /** The largest upload accepted (PUT); 0 for GET. */
  readonly maxBytes: number;
}

/** The URL path prefix the transfer routes answer under. */
export const TRANSFER_PATH_PREFIX = "/training-transfer/v1/";

export class TransferSigner {
  private readonly key: Buffer;

  /** `secret` is a server key; a key of its own is derived from it, so signatures cannot stand in for anything else. */
  constructor(secret: Buffer) {
    this.key = createHmac("sha256", secret).update("artenic training transfer v1").digest();
  }

  private mac(t: SignedTransfer): Buffer {
    return createHmac("sha256", this.key).update(`${t.method}\n${t.key}\n${t.expires}\n${t.maxBytes}`).digest();
  }

  /** The path and query of a signed URL (append to the server's public base URL). */
  sign(t: SignedTransfer): string {
    if (!isTransferKey(t.key)) throw new Error(`"${t.key}" is not a transfer object key`);
    const query = new URLSearchParams({ expires: String(t.expires), max: String(t.maxBytes), sig: this.mac(t).toString("base64url") });
    return `${TRANSFER_PATH_PREFIX}${t.key}?${query.toString()}`;
  }

  /**
   * What a request may do, or why not. `path` is the URL path, `query` its search part. The
   * signature is compared in constant time, before the expiry is looked at.
   */
  verify(method: string, path: string, query: URLSearchParams, nowMs: number): { ok: true; transfer: SignedTransfer } | { ok: false; status: 400 | 403; reason: string } {
    if (!path.startsWith(TRANSFER_PATH_PREFIX)) return { ok: false, status: 400, reason: "not a transfer path" };
    let key: string;
    try {
      key = decodeURIComponent(path.slice(TRANSFER_PATH_PREFIX.length));
    } catch {
      return { ok: false, status: 400, reason: "malformed object key" };
    }
    if (!isTransferKey(key)) return { ok: false, status: 400, reason: "malformed object key" };
    if (method !== "GET" && method !== "PUT") return { ok: false, status: 403, reason: "only GET and PUT are signed" };
    const expires = Number(query.get("expires"));
    const maxBytes = Number(query.get("max"));
    const sig = query.get("sig") ?? "";
    if (!Number.isSafeInteger(expires) || !Number.isSafeInteger(maxBytes) || maxBytes < 0 || !/^[A-Za-z0-9_-]{43}$/.test(sig)) {
      return { ok: false, status: 403, reason: "missing or malformed signature" };
    }
    const transfer: SignedTransfer = { method, key, expires, maxBytes };
    const expected = this.mac(transfer);
    const given = Buffer.from(sig, "base64url");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, status: 403, reason: "signature does not match" };
    if (nowMs > expires * 1000) return { ok: false, status: 403, reason: "the URL has expired" };
    return { ok: true, transfer };
  }
}
