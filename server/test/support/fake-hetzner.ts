import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * The Hetzner Cloud API (api.hetzner.cloud/v1) on 127.0.0.1 for tests, speaking the wire format of
 * the calls the hetzner adapter makes: Bearer token (401 `unauthorized` otherwise); server_types with
 * per-location prices; servers listed with label_selector, created with a validated body (known
 * type, image and location, user_data within 32 KiB, labels following Hetzner's label rules, unique
 * name), read, powered off and deleted, each write returning an action; lists paginated with
 * page/per_page and `meta.pagination`; errors as {"error": {"code", "message", "details"}}.
 * Every request is recorded; tests drive the servers' status.
 */

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly authorization: string;
  readonly body: unknown;
}

export interface FakeServerType {
  readonly name: string;
  readonly cores: number;
  readonly memory: number;
  readonly disk: number;
  readonly architecture: "x86" | "arm";
  /** location → EUR per hour, net. */
  readonly prices: Readonly<Record<string, string>>;
}

export interface FakeHetznerServer {
  readonly id: number;
  readonly name: string;
  status: string;
  readonly serverType: string;
  readonly image: string;
  readonly location: string;
  readonly userData: string;
  readonly labels: Record<string, string>;
  readonly created: string;
}

export interface FakeHetznerOptions {
  readonly token: string;
  readonly serverTypes: readonly FakeServerType[];
  readonly images?: readonly string[];
  /** initializing lasts this long before running. @default 20 */
  readonly bootMs?: number;
  /** The most items per page whatever the client asks. @default 50 */
  readonly maxPerPage?: number;
}

const LABEL_KEY = /^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;
const HOSTNAME = /^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/;

const send = (res: ServerResponse, status: number, body: unknown) => {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
};
const error = (res: ServerResponse, status: number, code: string, message: string, details: unknown = {}) => send(res, status, { error: { code, message, details } });

export class FakeHetzner {
  readonly requests: RecordedRequest[] = [];
  readonly servers = new Map<number, FakeHetznerServer>();
  private nextId = 4711;
  private nextAction = 90_000;
  private readonly actions = new Map<number, { id: number; command: string; status: string; resources: { id: number; type: string }[]; error: null | { code: string; message: string } }>();
  private server!: Server;
  url = "";
  /** The create action of the next server fails with this message (placement error). */
  failNextCreate: string | undefined;
  /** Called when a server is created (tests start the "machine" running its user data). */
  onServerCreated: ((server: FakeHetznerServer) => void) | undefined;
  /** Called when a server is deleted (tests stop the "machine"). */
  onServerDeleted: ((id: number) => void) | undefined;

  private constructor(private readonly options: FakeHetznerOptions) {}

  static async start(options: FakeHetznerOptions): Promise<FakeHetzner> {
    const fake = new FakeHetzner(options);
    fake.server = createServer((req, res) => {
      fake.handle(req, res).catch((e: unknown) => error(res, 500, "server_error", String(e)));
    });
    await new Promise<void>((resolve) => fake.server.listen(0, "127.0.0.1", resolve));
    fake.url = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}/v1`;
    return fake;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  calls(): string[] {
    return this.requests.map((r) => `${r.method} ${r.path}`);
  }
  setStatus(id: number, status: string): void {
    const s = this.servers.get(id);
    if (!s) throw new Error(`no server ${id}`);
    s.status = status;
  }

  private action(command: string, resourceId: number, failure?: string) {
    const a = {
      id: this.nextAction++,
      command,
      status: failure ? "error" : "running",
      progress: failure ? 100 : 0,
      started: new Date().toISOString(),
      finished: failure ? new Date().toISOString() : null,
      resources: [{ id: resourceId, type: "server" }],
      error: failure ? { code: "placement_error", message: failure } : null,
    };
    this.actions.set(a.id, a);
    return a;
  }

  private view(s: FakeHetznerServer) {
    return {
      id: s.id,
      name: s.name,
      status: s.status,
      created: s.created,
      labels: s.labels,
      server_type: { name: s.serverType },
      datacenter: { name: `${s.location}-dc14`, location: { name: s.location } },
      image: { name: s.image },
      public_net: { ipv4: { ip: "203.0.113.10" }, ipv6: { ip: "2001:db8::/64" } },
      primary_disk_size: 40,
      protection: { delete: false, rebuild: false },
    };
  }

  private page<T>(res: ServerResponse, url: URL, key: string, items: T[]): void {
    const perPage = Math.min(Number(url.searchParams.get("per_page") ?? 25), this.options.maxPerPage ?? 50);
    const page = Number(url.searchParams.get("page") ?? 1);
    if (!Number.isInteger(page) || page < 1 || !Number.isInteger(perPage) || perPage < 1) return error(res, 400, "invalid_input", "invalid input in fields 'page', 'per_page'");
    const last = Math.max(1, Math.ceil(items.length / perPage));
    send(res, 200, {
      [key]: items.slice((page - 1) * perPage, page * perPage),
      meta: { pagination: { page, per_page: perPage, previous_page: page > 1 ? page - 1 : null, next_page: page < last ? page + 1 : null, last_page: last, total_entries: items.length } },
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    let body: unknown;
    if (raw) {
      if (!(req.headers["content-type"] ?? "").startsWith("application/json")) return error(res, 400, "json_error", "content-type must be application/json");
      try {
        body = JSON.parse(raw);
      } catch {
        return error(res, 400, "json_error", "invalid JSON");
      }
    }
    const authorization = String(req.headers["authorization"] ?? "");
    const method = req.method ?? "GET";
    const path = url.pathname.replace(/^\/v1/, "");
    this.requests.push({ method, path, query: Object.fromEntries(url.searchParams), authorization, body });
    if (authorization !== `Bearer ${this.options.token}`) return error(res, 401, "unauthorized", "unable to authenticate");

    if (method === "GET" && path === "/server_types") {
      const types = this.options.serverTypes.map((t, i) => ({
        id: i + 1,
        name: t.name,
        description: t.name.toUpperCase(),
        cores: t.cores,
        memory: t.memory,
        disk: t.disk,
        deprecated: false,
        deprecation: null,
        storage_type: "local",
        cpu_type: "shared",
        architecture: t.architecture,
        prices: Object.entries(t.prices).map(([location, net]) => ({
          location,
          price_hourly: { net, gross: (Number(net) * 1.19).toFixed(10) },
          price_monthly: { net: (Number(net) * 730).toFixed(10), gross: (Number(net) * 730 * 1.19).toFixed(10) },
          included_traffic: 21990232555520,
          price_per_tb_traffic: { net: "1.0000000000", gross: "1.1900000000" },
        })),
      }));
      return this.page(res, url, "server_types", types);
    }
    if (method === "GET" && path === "/servers") {
      const selector = url.searchParams.get("label_selector");
      let servers = [...this.servers.values()];
      if (selector) {
        const m = /^([^=!]+)(?:==?(.*))?$/.exec(selector);
        if (!m || !LABEL_KEY.test(m[1]!)) return error(res, 400, "invalid_input", `invalid label_selector '${selector}'`);
        // `key=value` (or `key==value`) selects by value, a bare `key` by presence.
        servers = servers.filter((s) => (m[2] === undefined ? m[1]! in s.labels : s.labels[m[1]!] === m[2]));
      }
      return this.page(res, url, "servers", servers.map((s) => this.view(s)));
    }
    if (method === "POST" && path === "/servers") return this.create(body, res);
    const action = /^\/actions\/(\d+)$/.exec(path);
    if (action && method === "GET") {
      const a = this.actions.get(Number(action[1]));
      return a ? send(res, 200, { action: a }) : error(res, 404, "not_found", `action with ID '${action[1]}' not found`);
    }
    const serverActions = /^\/servers\/(\d+)\/actions$/.exec(path);
    if (serverActions && method === "GET") {
      if (!this.servers.has(Number(serverActions[1]))) return error(res, 404, "not_found", `server with ID '${serverActions[1]}' not found`);
      const status = url.searchParams.get("status");
      if (status && !["running", "success", "error"].includes(status)) return error(res, 400, "invalid_input", "invalid input in field 'status'");
      const list = [...this.actions.values()].filter((a) => a.resources.some((r) => r.type === "server" && r.id === Number(serverActions[1])) && (!status || a.status === status));
      return this.page(res, url, "actions", list);
    }
    const m = /^\/servers\/(\d+)(\/actions\/(poweroff|shutdown))?$/.exec(path);
    if (m) {
      const s = this.servers.get(Number(m[1]));
      if (!s) return error(res, 404, "not_found", `server with ID '${m[1]}' not found`);
      if (method === "GET" && !m[2]) {
        if (s.status === "initializing" && Date.now() - Date.parse(s.created) >= (this.options.bootMs ?? 20)) s.status = "running";
        return send(res, 200, { server: this.view(s) });
      }
      if (method === "DELETE" && !m[2]) {
        this.servers.delete(s.id);
        this.onServerDeleted?.(s.id);
        return send(res, 200, { action: this.action("delete_server", s.id) });
      }
      if (method === "POST" && m[3]) {
        s.status = "off";
        return send(res, 201, { action: this.action(m[3] === "poweroff" ? "stop_server" : "shutdown_server", s.id) });
      }
    }
    error(res, 404, "not_found", `no route ${method} ${path}`);
  }

  private create(body: unknown, res: ServerResponse): void {
    const b = (body ?? {}) as Record<string, unknown>;
    const invalid = (fields: string[]) => error(res, 400, "invalid_input", `invalid input in field${fields.length > 1 ? "s" : ""} ${fields.map((f) => `'${f}'`).join(", ")}`, { fields: fields.map((name) => ({ name, messages: ["is invalid"] })) });
    const bad: string[] = [];
    if (typeof b["name"] !== "string" || !HOSTNAME.test(b["name"])) bad.push("name");
    if (typeof b["user_data"] !== "string" || Buffer.byteLength(b["user_data"]) > 32 * 1024) bad.push("user_data");
    const labels = b["labels"];
    if (labels !== undefined && (typeof labels !== "object" || labels === null || Object.entries(labels).some(([k, v]) => !LABEL_KEY.test(k) || typeof v !== "string" || !LABEL_VALUE.test(v)))) bad.push("labels");
    if (typeof b["start_after_create"] !== "boolean") bad.push("start_after_create");
    const known = new Set(["name", "server_type", "image", "location", "user_data", "labels", "start_after_create", "public_net", "ssh_keys", "datacenter", "networks", "firewalls", "volumes", "automount", "placement_group"]);
    bad.push(...Object.keys(b).filter((k) => !known.has(k)));
    if (bad.length) return invalid(bad);
    const type = this.options.serverTypes.find((t) => t.name === b["server_type"]);
    if (!type) return error(res, 400, "invalid_input", `server type ${String(b["server_type"])} not found`);
    if (!(this.options.images ?? ["ubuntu-24.04"]).includes(String(b["image"]))) return error(res, 400, "invalid_input", `image ${String(b["image"])} not found`);
    if (!(String(b["location"]) in type.prices)) return error(res, 412, "resource_unavailable", `server type ${type.name} is not available in location ${String(b["location"])}`);
    if ([...this.servers.values()].some((s) => s.name === b["name"])) return error(res, 409, "uniqueness_error", "server name is already used", { fields: [{ name: "name" }] });
    const id = this.nextId++;
    const failure = this.failNextCreate;
    this.failNextCreate = undefined;
    const server: FakeHetznerServer = {
      id,
      name: String(b["name"]),
      status: failure ? "off" : "initializing",
      serverType: type.name,
      image: String(b["image"]),
      location: String(b["location"]),
      userData: String(b["user_data"]),
      labels: (labels ?? {}) as Record<string, string>,
      created: new Date().toISOString().replace(/\.\d{3}Z$/, "+00:00"),
    };
    this.servers.set(id, server);
    if (!failure) this.onServerCreated?.(server);
    send(res, 201, { server: this.view(server), action: this.action("create_server", id, failure), next_actions: [this.action("start_server", id)], root_password: null });
  }
}
