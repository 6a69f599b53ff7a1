import { existsSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { dirname, extname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";

type Req = IncomingMessage | Http2ServerRequest;
type Res = ServerResponse | Http2ServerResponse;

const contentTypes: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
};

/**
 * The page may load only its own files and call only its own origin: the API key typed into it can
 * never leave for another host.
 */
const csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/**
 * Serves the browser console's built files under `prefix` (`/console/`) with GET and HEAD, without
 * a key (the RPCs the page makes need one). Paths are confined to `root`; `prefix` without its
 * trailing slash redirects to it; a missing build answers 404 saying how to build it. Returns
 * false when the request is not for the console, so the caller passes it on.
 */
export function createStaticFiles(prefix: string, root: () => string | undefined) {
  const bare = prefix.replace(/\/$/, "");
  return (req: Req, res: Res, path: string): boolean => {
    if (path !== bare && !path.startsWith(prefix)) return false;
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.statusCode = 405;
      res.setHeader("allow", "GET, HEAD");
      res.end();
      return true;
    }
    if (path === bare) {
      res.statusCode = 308;
      res.setHeader("location", prefix);
      res.end();
      return true;
    }
    void serve(req, res, path.slice(prefix.length) || "index.html", root());
    return true;
  };
}

async function serve(req: Req, res: Res, relative: string, root: string | undefined): Promise<void> {
  const send = (status: number, type: string, body: string | Buffer) => {
    res.statusCode = status;
    res.setHeader("content-type", type);
    res.setHeader("cache-control", "no-cache");
    res.setHeader("x-content-type-options", "nosniff");
    res.setHeader("content-security-policy", csp);
    res.setHeader("referrer-policy", "no-referrer");
    res.setHeader("content-length", Buffer.byteLength(body));
    if (req.method === "HEAD") res.end();
    else res.end(body);
  };
  if (!root) {
    send(404, "text/plain; charset=utf-8", "The console is not built: run `npm run build` (or `npm start`) at the repository root.\n");
    return;
  }
  let decoded: string;
  try {
    decoded = decodeURIComponent(relative);
  } catch {
    send(400, "text/plain; charset=utf-8", "bad path\n");
    return;
  }
  const file = resolve(root, decoded);
  if (!(file === root || file.startsWith(root + sep)) || decoded.includes("\0")) {
    send(404, "text/plain; charset=utf-8", "not found\n");
    return;
  }
  try {
    const info = await stat(file);
    const target = info.isDirectory() ? join(file, "index.html") : file;
    const body = await readFile(target);
    send(200, contentTypes[extname(target)] ?? "application/octet-stream", body);
  } catch {
    send(404, "text/plain; charset=utf-8", "not found\n");
  }
}

/**
 * Where the console build lives: `console/dist/www` in the repository that holds this file, found by
 * walking up from it (the server runs from `server/dist/src/...` after a build and from
 * `server/src/...` in tests). Undefined until the console is built.
 */
export function findConsoleBuild(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const candidate = join(dir, "console", "dist", "www");
    if (existsSync(join(candidate, "index.html"))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return undefined;
}
