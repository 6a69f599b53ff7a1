import type { IncomingMessage, ServerResponse } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import { cors as connectCors } from "@connectrpc/connect";
import type { Registry } from "prom-client";
import type { RequestHandler } from "./listener.js";
import { createStaticFiles, findConsoleBuild } from "./static-files.js";

export interface HttpHandlerOptions {
  /** The Connect adapter's handler: every RPC path. */
  readonly rpc: RequestHandler;
  /** True once migrations ran and RPCs are served; false again while shutting down. */
  readonly ready: () => boolean;
  readonly metrics: Registry;
  readonly corsOrigins: readonly string[];
  /** The browser console's built files; default `console/dist/www` of this repository, once built. */
  readonly consoleDir?: string;
  /**
   * Other plain-HTTP routes with their own authentication (training job transfers, by signed URL):
   * each answers and returns true, or returns false to pass the request on.
   */
  readonly routes?: readonly ((req: Req, res: Res, path: string) => boolean)[];
}

type Req = IncomingMessage | Http2ServerRequest;
type Res = ServerResponse | Http2ServerResponse;

/**
 * The plain-HTTP surface in front of the RPC handler: `/healthz` and `/readyz` for probes,
 * `/metrics` for Prometheus, the browser console's static files under `/console/` (all without a
 * key), and CORS so browsers can call gRPC-Web and Connect.
 */
export function createHttpHandler(options: HttpHandlerOptions): RequestHandler {
  const allowAny = options.corsOrigins.includes("*");
  const allowed = new Set(options.corsOrigins);
  let consoleRoot = options.consoleDir;
  // Looked up until found, so a console built after the server started is served too.
  const consolePage = createStaticFiles("/console/", () => (consoleRoot ??= findConsoleBuild()));
  return (req: Req, res: Res) => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    if (consolePage(req, res, path)) return;
    for (const route of options.routes ?? []) if (route(req, res, path)) return;
    if (req.method === "GET" && (path === "/healthz" || path === "/readyz")) {
      const ok = options.ready();
      send(res, ok ? 200 : 503, "text/plain; charset=utf-8", ok ? "ok\n" : "starting or stopping\n");
      return;
    }
    if (req.method === "GET" && path === "/metrics") {
      options.metrics.metrics().then(
        (body) => send(res, 200, options.metrics.contentType, body),
        () => send(res, 500, "text/plain; charset=utf-8", "metrics unavailable\n"),
      );
      return;
    }
    const origin = req.headers["origin"];
    if (typeof origin === "string" && (allowAny || allowed.has(origin))) {
      res.setHeader("access-control-allow-origin", allowAny ? "*" : origin);
      res.setHeader("access-control-expose-headers", [...connectCors.exposedHeaders, "x-request-id"].join(", "));
      if (!allowAny) res.setHeader("vary", "origin");
      if (req.method === "OPTIONS") {
        res.setHeader("access-control-allow-methods", connectCors.allowedMethods.join(", "));
        res.setHeader("access-control-allow-headers", [...connectCors.allowedHeaders, "authorization", "x-request-id"].join(", "));
        res.setHeader("access-control-max-age", "7200");
        send(res, 204, undefined, "");
        return;
      }
    }
    options.rpc(req, res);
  };
}

function send(res: Res, status: number, contentType: string | undefined, body: string): void {
  res.statusCode = status;
  if (contentType) res.setHeader("content-type", contentType);
  res.setHeader("cache-control", "no-store");
  res.end(body);
}
