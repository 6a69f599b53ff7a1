import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import type { LookupFunction } from "node:net";
import { isNonPublicAddress, refusedDestination } from "./destination.js";

/** How deliveries are sent. */
export interface SendOptions {
  /** The whole attempt, from connection to the last byte of the response. */
  readonly timeoutMs: number;
  /** Whether loopback and private addresses may be reached. */
  readonly allowPrivate: boolean;
  /** Ends the attempt early (server shutdown). */
  readonly signal?: AbortSignal;
}

/** What one attempt gave. */
export interface AttemptOutcome {
  /** The receiver answered 2xx. */
  readonly ok: boolean;
  /** The HTTP status; 0 without a response. */
  readonly status: number;
  /** Why it failed, for the delivery log; empty on success. */
  readonly error: string;
  readonly latencyMs: number;
}

const MAX_ERROR_BODY = 1024;

/** A DNS lookup that refuses names resolving to non-public addresses. */
const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, "", 0);
    const list = addresses as unknown as LookupAddress[];
    const inside = list.find((a) => isNonPublicAddress(a.address));
    if (inside || list.length === 0) {
      const refused = Object.assign(new Error(`${hostname} resolves to ${inside?.address ?? "no address"}, which the server's configuration refuses`), {
        code: "EDESTINATIONREFUSED",
      });
      return callback(refused, "", 0);
    }
    if (options.all) (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
    else callback(null, list[0]!.address, list[0]!.family);
  });
};

function describe(error: unknown, timeoutMs: number): string {
  const e = error as NodeJS.ErrnoException;
  if (e?.name === "TimeoutError") return `timeout after ${timeoutMs / 1000}s`;
  switch (e?.code) {
    case "ECONNREFUSED":
      return "connection refused";
    case "ECONNRESET":
      return "connection reset";
    case "ENOTFOUND":
      return "host not found";
    case "EDESTINATIONREFUSED":
      return e.message;
    default:
      return e?.message ? e.message.slice(0, MAX_ERROR_BODY) : "request failed";
  }
}

/**
 * POSTs one delivery. Never throws: every failure is an outcome. Redirects are not followed (a 3xx
 * is a failed attempt), and nothing is read beyond the first KiB of an error body.
 */
export function postWebhook(url: string, body: string, headers: Readonly<Record<string, string>>, options: SendOptions): Promise<AttemptOutcome> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const refused = refusedDestination(url, options.allowPrivate);
  if (refused) return Promise.resolve({ ok: false, status: 0, error: `destination ${refused}`, latencyMs: 0 });
  return new Promise<AttemptOutcome>((resolve) => {
    let settled = false;
    const finish = (outcome: AttemptOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      resolve(outcome);
    };
    const fail = (error: unknown, status = 0) => finish({ ok: false, status, error: describe(error, options.timeoutMs), latencyMs: elapsed() });
    const target = new URL(url);
    const send = target.protocol === "https:" ? httpsRequest : httpRequest;
    const payload = Buffer.from(body, "utf8");
    const req = send(
      target,
      {
        method: "POST",
        headers: { ...headers, "Content-Type": "application/json", "Content-Length": String(payload.length), "User-Agent": "Artenic-Webhooks/1" },
        ...(options.allowPrivate ? {} : { lookup: publicOnlyLookup }),
      },
      (res: IncomingMessage) => {
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) {
          res.resume();
          res.on("end", () => finish({ ok: true, status, error: "", latencyMs: elapsed() }));
          res.on("error", (e) => fail(e, status));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        const done = () => {
          const text = Buffer.concat(chunks).subarray(0, MAX_ERROR_BODY).toString("utf8");
          const redirect = status >= 300 && status < 400 ? ` (redirect to ${res.headers.location ?? "?"} not followed)` : "";
          finish({ ok: false, status, error: `HTTP ${status}${redirect}${text ? `: ${text}` : ""}`, latencyMs: elapsed() });
          res.destroy();
        };
        res.on("data", (chunk: Buffer) => {
          chunks.push(chunk);
          size += chunk.length;
          if (size >= MAX_ERROR_BODY) done();
        });
        res.on("end", done);
        res.on("error", done);
      },
    );
    const timer = setTimeout(() => {
      const e = Object.assign(new Error("timeout"), { name: "TimeoutError" });
      fail(e);
      req.destroy(e);
    }, options.timeoutMs);
    const onAbort = () => {
      fail(new Error("aborted: the server is stopping"));
      req.destroy();
    };
    options.signal?.addEventListener("abort", onAbort, { once: true });
    req.on("error", (e) => fail(e));
    req.end(payload);
  });
}
