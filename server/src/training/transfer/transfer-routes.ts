import type { IncomingMessage, ServerResponse } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import { pipeline } from "node:stream/promises";
import type { Logger } from "pino";
import { TRANSFER_PATH_PREFIX, type TransferSigner } from "./transfer-signature.js";
import { TransferTooLargeError, type TransferStore } from "./transfer-store.js";

type Req = IncomingMessage | Http2ServerRequest;
type Res = ServerResponse | Http2ServerResponse;

function send(res: Res, status: number, body: string): void {
  res.statusCode = status;
  res.setHeader("content-type", "text/plain; charset=utf-8");
  res.setHeader("cache-control", "no-store");
  res.end(`${body}\n`);
}

/**
 * The plain-HTTP routes of job transfers, on the server's one port: `GET` and `PUT` of
 * `/training-transfer/v1/<key>?expires=&max=&sig=`. The signature is the only credential (the
 * bootstrap has no API key); a PUT over its signed bound is refused with 413 (by Content-Length
 * up front, or when the streamed body crosses it) and stores nothing. Returns false for other
 * paths, so the caller passes the request on.
 */
export function createTransferRoutes(deps: { signer: TransferSigner; store: TransferStore; logger?: Logger; now?: () => number }) {
  const now = deps.now ?? Date.now;
  return (req: Req, res: Res, path: string): boolean => {
    if (!path.startsWith(TRANSFER_PATH_PREFIX)) return false;
    const query = new URLSearchParams((req.url ?? "").split("?")[1] ?? "");
    const verdict = deps.signer.verify(req.method ?? "", path, query, now());
    if (!verdict.ok) {
      // Drain what a refused upload sends, so the connection stays usable.
      req.resume();
      send(res, verdict.status, verdict.reason);
      return true;
    }
    const { transfer } = verdict;
    if (transfer.method === "GET") {
      deps.store.open(transfer.key).then(
        async (found) => {
          if (!found) return send(res, 404, "no such object");
          res.statusCode = 200;
          res.setHeader("content-type", "application/octet-stream");
          res.setHeader("content-length", String(found.size));
          res.setHeader("cache-control", "no-store");
          await pipeline(found.stream, res as NodeJS.WritableStream);
        },
        (e: unknown) => {
          deps.logger?.error({ err: e, key: transfer.key }, "transfer read failed");
          send(res, 500, "read failed");
        },
      ).catch((e: unknown) => deps.logger?.warn({ err: e, key: transfer.key }, "transfer download interrupted"));
      return true;
    }
    const declared = Number(req.headers["content-length"] ?? "0");
    if (Number.isFinite(declared) && declared > transfer.maxBytes) {
      req.resume();
      send(res, 413, `the upload exceeds its bound of ${transfer.maxBytes} bytes`);
      return true;
    }
    deps.store.write(transfer.key, req, transfer.maxBytes).then(
      (size) => send(res, 201, `stored ${size} bytes`),
      (e: unknown) => {
        if (e instanceof TransferTooLargeError) {
          req.resume();
          send(res, 413, e.message);
          return;
        }
        deps.logger?.warn({ err: e, key: transfer.key }, "transfer upload failed");
        if (!res.headersSent) send(res, 400, "upload interrupted");
      },
    );
    return true;
  };
}
