import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * The Scaleway Instance API (api.scaleway.com/instance/v1/zones/{zone}) on 127.0.0.1 for tests,
 * speaking the wire format of the calls the scaleway adapter makes: X-Auth-Token (401
 * `denied_authentication` otherwise); products/servers with hourly prices; servers listed by tags,
 * created stopped with a validated body (known type and image in the zone, project, tags), their
 * cloud-init user data set with PATCH text/plain, the actions poweron / poweroff / terminate with
 * the state rules of the real API (terminate deletes the server with its local volumes; DELETE
 * needs a stopped server and leaves its volumes), volumes deleted once detached; lists paginated with
 * page/per_page and X-Total-Count; errors as {"message", "type", ...}. Every request is recorded.
 */

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly token: string;
  readonly contentType: string;
  readonly body: unknown;
}

export interface FakeProduct {
  readonly ncpus: number;
  readonly ramGiB: number;
  readonly hourly: number;
  readonly gpu?: { readonly count: number; readonly name: string; readonly memoryGiB: number };
}

export interface FakeScalewayServer {
  readonly id: string;
  readonly zone: string;
  readonly name: string;
  state: string;
  readonly commercialType: string;
  readonly image: string;
  readonly tags: string[];
  readonly volumeIds: string[];
  userData: string | undefined;
  readonly created: string;
}

export interface FakeScalewayOptions {
  readonly secretKey: string;
  readonly projectId: string;
  /** zone → commercial type → product. */
  readonly products: Readonly<Record<string, Readonly<Record<string, FakeProduct>>>>;
  readonly images: readonly string[];
  /** The most items per page whatever the client asks. @default 50 */
  readonly maxPerPage?: number;
}

const GIB = 1024 ** 3;

const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
};
const invalid = (res: ServerResponse, name: string, reason: string) =>
  send(res, 400, { details: [{ argument_name: name, reason: "constraint", help_message: reason }], message: "invalid argument(s)", type: "invalid_arguments" });
const precondition = (res: ServerResponse, message: string) => send(res, 400, { message, type: "precondition_failed", precondition: "resource_still_in_use" });
const notFound = (res: ServerResponse, resource: string, id: string) => send(res, 404, { message: "resource is not found", resource, resource_id: id, type: "not_found" });

export class FakeScaleway {
  readonly requests: RecordedRequest[] = [];
  readonly servers = new Map<string, FakeScalewayServer>();
  /** volume id → the server it is attached to, or "" once detached. */
  readonly volumes = new Map<string, string>();
  private server!: Server;
  url = "";
  /** The next PATCH of user data fails with a 500, as an API outage mid-submit would. */
  failNextUserData = false;
  /** Called when a server is powered on (tests start the "machine" running its user data). */
  onServerStarted: ((server: FakeScalewayServer) => void) | undefined;
  /** Called when a server stops existing (tests stop the "machine"). */
  onServerDeleted: ((id: string) => void) | undefined;
  /** Called as an action request arrives, before its state rules: lets a test change the state under it. */
  beforeAction: ((server: FakeScalewayServer, action: unknown) => void) | undefined;

  private constructor(private readonly options: FakeScalewayOptions) {}

  static async start(options: FakeScalewayOptions): Promise<FakeScaleway> {
    const fake = new FakeScaleway(options);
    fake.server = createServer((req, res) => {
      fake.handle(req, res).catch((e: unknown) => send(res, 500, { message: String(e), type: "internal_error" }));
    });
    await new Promise<void>((resolve) => fake.server.listen(0, "127.0.0.1", resolve));
    fake.url = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
    return fake;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  calls(): string[] {
    return this.requests.map((r) => `${r.method} ${r.path}`);
  }
  setState(id: string, state: string): void {
    const s = this.servers.get(id);
    if (!s) throw new Error(`no server ${id}`);
    s.state = state;
  }

  private view(s: FakeScalewayServer) {
    return {
      id: s.id,
      name: s.name,
      state: s.state,
      state_detail: s.state === "running" ? "booted" : "",
      commercial_type: s.commercialType,
      image: { id: s.image },
      tags: s.tags,
      project: this.options.projectId,
      zone: s.zone,
      volumes: Object.fromEntries(s.volumeIds.map((id, i) => [String(i), { id, name: `${s.name}-vol-${i}`, volume_type: "l_ssd", size: 20_000_000_000, state: "available" }])),
      public_ip: s.state === "running" ? { id: randomUUID(), address: "51.15.0.10", dynamic: true } : null,
      creation_date: s.created,
      modification_date: s.created,
    };
  }

  private page(res: ServerResponse, url: URL, total: number, slice: (start: number, end: number) => unknown, key: string): void {
    const perPage = Math.min(Number(url.searchParams.get("per_page") ?? 50), this.options.maxPerPage ?? 50);
    const page = Number(url.searchParams.get("page") ?? 1);
    if (!Number.isInteger(page) || page < 1 || !Number.isInteger(perPage) || perPage < 1) return invalid(res, "page", "must be a positive integer");
    send(res, 200, { [key]: slice((page - 1) * perPage, page * perPage) }, { "x-total-count": String(total) });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    const contentType = String(req.headers["content-type"] ?? "");
    let body: unknown = raw || undefined;
    if (raw && contentType.startsWith("application/json")) {
      try {
        body = JSON.parse(raw);
      } catch {
        return send(res, 400, { message: "invalid JSON body", type: "invalid_request_error" });
      }
    }
    const token = String(req.headers["x-auth-token"] ?? "");
    const method = req.method ?? "GET";
    this.requests.push({ method, path: url.pathname, query: Object.fromEntries(url.searchParams), token, contentType, body });
    if (token !== this.options.secretKey) return send(res, 401, { message: "authentication is denied", method: "api_key", reason: "invalid_argument", type: "denied_authentication" });

    const m = /^\/instance\/v1\/zones\/([a-z]{2}-[a-z]{3}-\d)(\/.*)$/.exec(url.pathname);
    if (!m) return send(res, 404, { message: `no route ${method} ${url.pathname}`, type: "not_found" });
    const zone = m[1]!;
    const path = m[2]!;
    const products = this.options.products[zone];
    if (!products) return invalid(res, "zone", `unknown zone ${zone}`);

    if (method === "GET" && path === "/products/servers") {
      const entries = Object.entries(products).sort(([a], [b]) => a.localeCompare(b));
      return this.page(
        res,
        url,
        entries.length,
        (s, e) =>
          Object.fromEntries(
            entries.slice(s, e).map(([type, p]) => [
              type,
              {
                alt_names: [],
                arch: "x86_64",
                ncpus: p.ncpus,
                ram: p.ramGiB * GIB,
                gpu: p.gpu?.count ?? 0,
                gpu_info: p.gpu ? { gpu_manufacturer: "NVIDIA", gpu_name: p.gpu.name, gpu_memory: p.gpu.memoryGiB * GIB } : null,
                hourly_price: p.hourly,
                monthly_price: Math.round(p.hourly * 730 * 100) / 100,
                baremetal: false,
                end_of_service: false,
                volumes_constraint: { min_size: 0, max_size: 0 },
              },
            ]),
          ),
        "servers",
      );
    }
    if (method === "GET" && path === "/servers") {
      const tags = (url.searchParams.get("tags") ?? "").split(",").filter(Boolean);
      const list = [...this.servers.values()].filter((s) => s.zone === zone && tags.every((t) => s.tags.includes(t)));
      return this.page(res, url, list.length, (s, e) => list.slice(s, e).map((x) => this.view(x)), "servers");
    }
    if (method === "POST" && path === "/servers") return this.create(zone, body, res);
    const v = /^\/volumes\/([^/]+)$/.exec(path);
    if (v && method === "DELETE") {
      const attached = this.volumes.get(v[1]!);
      if (attached === undefined) return notFound(res, "instance_volume", v[1]!);
      if (attached !== "") return precondition(res, "volume is attached to a server");
      this.volumes.delete(v[1]!);
      res.writeHead(204).end();
      return;
    }
    const s = /^\/servers\/([^/]+)(\/action|\/user_data\/cloud-init)?$/.exec(path);
    if (s) {
      const server = this.servers.get(s[1]!);
      if (!server || server.zone !== zone) return notFound(res, "instance_server", s[1]!);
      if (!s[2] && method === "GET") {
        if (server.state === "starting") server.state = "running";
        return send(res, 200, { server: this.view(server) });
      }
      if (!s[2] && method === "DELETE") {
        if (server.state !== "stopped" && server.state !== "stopped in place") return precondition(res, "server should be stopped");
        this.remove(server, false);
        res.writeHead(204).end();
        return;
      }
      if (s[2] === "/user_data/cloud-init" && method === "PATCH") {
        if (!contentType.startsWith("text/plain")) return invalid(res, "content-type", "must be text/plain");
        if (this.failNextUserData) {
          this.failNextUserData = false;
          return send(res, 500, { message: "internal error", type: "internal_error" });
        }
        server.userData = raw;
        res.writeHead(204).end();
        return;
      }
      if (s[2] === "/action" && method === "POST") return this.action(server, body, res);
    }
    send(res, 404, { message: `no route ${method} ${path}`, type: "not_found" });
  }

  private remove(server: FakeScalewayServer, withVolumes: boolean): void {
    this.servers.delete(server.id);
    for (const id of server.volumeIds) {
      if (withVolumes) this.volumes.delete(id);
      else this.volumes.set(id, "");
    }
    this.onServerDeleted?.(server.id);
  }

  private action(server: FakeScalewayServer, body: unknown, res: ServerResponse): void {
    const action = (body as { action?: unknown })?.action;
    this.beforeAction?.(server, action);
    const stopped = server.state === "stopped" || server.state === "stopped in place";
    switch (action) {
      case "poweron":
        if (!stopped) return precondition(res, "server should be stopped");
        server.state = "starting";
        this.onServerStarted?.(server);
        break;
      case "poweroff":
        if (server.state !== "running") return precondition(res, "server should be running");
        server.state = "stopped";
        break;
      case "terminate":
        if (stopped) return precondition(res, "server should be running");
        this.remove(server, true);
        break;
      default:
        return invalid(res, "action", `unknown action ${String(action)}`);
    }
    send(res, 202, { task: { id: randomUUID(), description: `server_${String(action)}`, status: "pending", href_from: `/servers/${server.id}/action`, progress: 0, started_at: new Date().toISOString(), terminated_at: null, zone: server.zone } });
  }

  private create(zone: string, body: unknown, res: ServerResponse): void {
    const b = (body ?? {}) as Record<string, unknown>;
    const known = new Set(["name", "commercial_type", "image", "project", "tags", "dynamic_ip_required", "volumes", "boot_type", "enable_ipv6", "public_ip", "security_group", "placement_group"]);
    const extra = Object.keys(b).filter((k) => !known.has(k));
    if (extra.length) return invalid(res, extra[0]!, "unknown field");
    if (typeof b["name"] !== "string" || b["name"] === "") return invalid(res, "name", "required");
    if (typeof b["commercial_type"] !== "string" || !(b["commercial_type"] in this.options.products[zone]!)) return invalid(res, "commercial_type", `${String(b["commercial_type"])} is not available in ${zone}`);
    if (!this.options.images.includes(String(b["image"]))) return send(res, 404, { message: "resource is not found", resource: "instance_image", resource_id: String(b["image"]), type: "not_found" });
    if (b["project"] !== this.options.projectId) return send(res, 403, { message: "insufficient permissions", type: "permissions_denied", details: [{ resource: "instance_server", action: "create" }] });
    if (!Array.isArray(b["tags"]) || b["tags"].some((t) => typeof t !== "string")) return invalid(res, "tags", "must be a list of strings");
    if (b["dynamic_ip_required"] !== undefined && typeof b["dynamic_ip_required"] !== "boolean") return invalid(res, "dynamic_ip_required", "must be a boolean");
    const id = randomUUID();
    const volumeId = randomUUID();
    const server: FakeScalewayServer = {
      id,
      zone,
      name: b["name"],
      state: "stopped",
      commercialType: b["commercial_type"],
      image: String(b["image"]),
      tags: b["tags"] as string[],
      volumeIds: [volumeId],
      userData: undefined,
      created: new Date(Date.now() + this.servers.size).toISOString(),
    };
    this.servers.set(id, server);
    this.volumes.set(volumeId, id);
    send(res, 201, { server: this.view(server) });
  }
}
