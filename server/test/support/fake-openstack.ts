import { createHmac, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * An OpenStack cloud on 127.0.0.1 for tests, speaking the wire format of the calls the openstack
 * adapter makes:
 * - Keystone v3 (`/identity/v3/auth/tokens`): password auth scoped to a project; the token in
 *   X-Subject-Token, a service catalog with public compute and object-store endpoints per region;
 *   errors as {"error": {"code", "message", "title"}}.
 * - Nova v2.1 (`/compute/v2.1`): flavors/detail paginated with limit/marker and a `flavors_links`
 *   next link; servers/detail with the `name` regex filter; POST /servers validating the body (known
 *   flavor and image, base64 user data within 65535 bytes, string metadata of at most 255
 *   characters); GET/DELETE /servers/{id}; errors as {"badRequest"|"itemNotFound": {"code", "message"}}.
 * - Swift (`/swift/v1/AUTH_<project>`): account and container HEAD/POST metadata, container PUT and
 *   JSON listings (prefix, marker, limit), object PUT/GET/HEAD/DELETE, authenticated by token or by a
 *   temp URL whose HMAC (sha1, sha256 or sha512, hex) the fake verifies against the account and
 *   container keys, with expiry.
 * Every request is recorded; tests drive the servers' lifecycle (active, shut off, error, gone).
 */

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly token: string;
  readonly body: unknown;
}

export interface FakeFlavor {
  readonly id: string;
  readonly name: string;
  readonly vcpus: number;
  readonly ram: number;
  readonly disk: number;
}

export interface FakeServer {
  readonly id: string;
  readonly name: string;
  status: string;
  readonly flavorRef: string;
  readonly imageRef: string;
  readonly userData: string;
  readonly metadata: Record<string, string>;
  readonly networks: unknown;
  readonly created: string;
  fault?: string;
}

export interface FakeOpenStackOptions {
  readonly username: string;
  readonly password: string;
  readonly userDomain?: string;
  readonly projectId: string;
  readonly region: string;
  readonly flavors: readonly FakeFlavor[];
  readonly images: readonly string[];
  readonly networks?: readonly string[];
  /** Flavors per page whatever the client asks (pagination must be followed). */
  readonly flavorPageSize?: number;
  /** An account-level temp URL key; none means the container key must be used. */
  readonly accountTempUrlKey?: string;
  /** BUILD lasts this long before ACTIVE. @default 20 */
  readonly buildMs?: number;
  /**
   * Serves OVHcloud's public order catalog (GET /1.0/order/catalog/public/cloud?ovhSubsidiary=..)
   * with these hourly prices per flavor, in the catalog's format (integers in 10^-8 of the currency).
   */
  readonly ovhCatalog?: { readonly currency: string; readonly hourly: Readonly<Record<string, number>> };
}

interface StoredObject {
  readonly bytes: Buffer;
  readonly contentType: string;
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
};
const empty = (res: ServerResponse, status: number, headers: Record<string, string> = {}) => {
  res.writeHead(status, { "content-length": "0", ...headers });
  res.end();
};
const novaError = (res: ServerResponse, status: number, message: string) =>
  json(res, status, { [status === 404 ? "itemNotFound" : status === 409 ? "conflictingRequest" : "badRequest"]: { code: status, message } });

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

export class FakeOpenStack {
  readonly requests: RecordedRequest[] = [];
  readonly servers = new Map<string, FakeServer>();
  /** container → object name → object. */
  readonly objects = new Map<string, Map<string, StoredObject>>();
  readonly containerKeys = new Map<string, string>();
  private readonly tokens = new Set<string>();
  private accountKey: string | undefined;
  private server!: Server;
  url = "";
  /** Called when a server is created (tests start the "machine" running its user data). */
  onServerCreated: ((server: FakeServer) => void) | undefined;
  /** Called when a server is deleted (tests stop the "machine"). */
  onServerDeleted: ((id: string) => void) | undefined;

  private constructor(private readonly options: FakeOpenStackOptions) {
    this.accountKey = options.accountTempUrlKey;
  }

  static async start(options: FakeOpenStackOptions): Promise<FakeOpenStack> {
    const fake = new FakeOpenStack(options);
    fake.server = createServer((req, res) => {
      fake.handle(req, res).catch((e: unknown) => json(res, 500, { error: { code: 500, message: String(e) } }));
    });
    await new Promise<void>((resolve) => fake.server.listen(0, "127.0.0.1", resolve));
    fake.url = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
    return fake;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  get authUrl() {
    return `${this.url}/identity/v3`;
  }
  get accountPath() {
    return `/swift/v1/AUTH_${this.options.projectId}`;
  }
  calls(): string[] {
    return this.requests.map((r) => `${r.method} ${r.path}`);
  }

  /** Makes every issued token invalid, as a revocation or an early expiry would. */
  revokeTokens(): void {
    this.tokens.clear();
  }
  setStatus(id: string, status: string, fault?: string): void {
    const s = this.servers.get(id);
    if (!s) throw new Error(`no server ${id}`);
    s.status = status;
    if (fault) s.fault = fault;
  }
  object(container: string, name: string): Buffer | undefined {
    return this.objects.get(container)?.get(name)?.bytes;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", this.url);
    const raw = await readBody(req);
    const isJson = (req.headers["content-type"] ?? "").startsWith("application/json");
    let body: unknown = raw.length > 0 ? raw.toString("utf8") : undefined;
    if (isJson && raw.length > 0) {
      try {
        body = JSON.parse(raw.toString("utf8"));
      } catch {
        return json(res, 400, { badRequest: { code: 400, message: "Malformed request body" } });
      }
    }
    const token = String(req.headers["x-auth-token"] ?? "");
    const method = req.method ?? "GET";
    this.requests.push({ method, path: url.pathname, query: Object.fromEntries(url.searchParams), token, body: url.pathname.startsWith("/swift/") ? undefined : body });

    if (url.pathname === "/identity/v3/auth/tokens" && method === "POST") return this.authenticate(body, res);
    if (url.pathname === "/1.0/order/catalog/public/cloud" && method === "GET" && this.options.ovhCatalog) return this.ovhCatalog(url, res);
    if (url.pathname.startsWith("/compute/v2.1/")) {
      if (!this.tokens.has(token)) return json(res, 401, { error: { code: 401, message: "The request you have made requires authentication.", title: "Unauthorized" } });
      return this.nova(method, url, body, res);
    }
    if (url.pathname.startsWith(`${this.accountPath}`)) return this.swift(method, url, raw, req, token, res);
    return json(res, 404, { error: { code: 404, message: `no route ${method} ${url.pathname}`, title: "Not Found" } });
  }

  // ------------------------------------------------------------------ Keystone

  private authenticate(body: unknown, res: ServerResponse): void {
    const o = this.options;
    const b = body as { auth?: { identity?: { methods?: unknown; password?: { user?: { name?: unknown; domain?: { name?: unknown }; password?: unknown } } }; scope?: { project?: { id?: unknown } } } };
    const identity = b?.auth?.identity;
    const user = identity?.password?.user;
    if (JSON.stringify(identity?.methods) !== '["password"]' || typeof user?.name !== "string" || typeof user?.password !== "string" || typeof user?.domain?.name !== "string") {
      return json(res, 400, { error: { code: 400, message: "Expecting to find identity.password.user with name, domain and password in auth.", title: "Bad Request" } });
    }
    if (user.name !== o.username || user.password !== o.password || user.domain.name !== (o.userDomain ?? "Default")) {
      return json(res, 401, { error: { code: 401, message: "The request you have made requires authentication.", title: "Unauthorized" } });
    }
    if (b.auth?.scope?.project?.id !== o.projectId) return json(res, 401, { error: { code: 401, message: `User has no access to project ${String(b.auth?.scope?.project?.id)}`, title: "Unauthorized" } });
    const token = `gAAAA${randomBytes(24).toString("hex")}`;
    this.tokens.add(token);
    const endpoint = (url: string) => ({ id: randomUUID(), interface: "public", region_id: o.region, region: o.region, url });
    json(
      res,
      201,
      {
        token: {
          methods: ["password"],
          expires_at: new Date(Date.now() + 3_600_000).toISOString(),
          project: { id: o.projectId, name: "artenic", domain: { id: "default", name: "Default" } },
          catalog: [
            { type: "identity", name: "keystone", endpoints: [endpoint(this.authUrl)] },
            // Another region's endpoints come first: the adapter must pick its own region.
            { type: "compute", name: "nova", endpoints: [{ ...endpoint("http://127.0.0.1:9/other"), region_id: "OTHER1", region: "OTHER1" }, endpoint(`${this.url}/compute/v2.1`), { ...endpoint(`${this.url}/internal`), interface: "internal" }] },
            { type: "object-store", name: "swift", endpoints: [endpoint(`${this.url}${this.accountPath}`)] },
          ],
        },
      },
      { "x-subject-token": token },
    );
  }

  // ------------------------------------------------------------------ Nova

  private view(s: FakeServer) {
    return {
      id: s.id,
      name: s.name,
      status: s.status,
      metadata: s.metadata,
      created: s.created,
      updated: s.created,
      flavor: { id: s.flavorRef },
      image: { id: s.imageRef },
      tenant_id: this.options.projectId,
      ...(s.fault ? { fault: { code: 500, message: s.fault, created: s.created } } : {}),
    };
  }

  private nova(method: string, url: URL, body: unknown, res: ServerResponse): void {
    const path = url.pathname.slice("/compute/v2.1".length);
    if (method === "GET" && path === "/flavors/detail") {
      const flavors = [...this.options.flavors].sort((a, b) => a.id.localeCompare(b.id));
      const marker = url.searchParams.get("marker");
      const start = marker ? flavors.findIndex((f) => f.id === marker) + 1 : 0;
      if (marker && start === 0) return novaError(res, 400, `marker [${marker}] not found`);
      const limit = Math.min(Number(url.searchParams.get("limit") ?? 1000), this.options.flavorPageSize ?? 1000);
      const page = flavors.slice(start, start + limit);
      const links = start + limit < flavors.length ? [{ rel: "next", href: `https://compute.example.invalid/v2.1/flavors/detail?limit=${limit}&marker=${page[page.length - 1]!.id}` }] : [];
      return json(res, 200, {
        flavors: page.map((f) => ({ ...f, "OS-FLV-EXT-DATA:ephemeral": 0, swap: "", rxtx_factor: 1, "os-flavor-access:is_public": true, links: [] })),
        ...(links.length ? { flavors_links: links } : {}),
      });
    }
    if (method === "GET" && path === "/servers/detail") {
      const filter = url.searchParams.get("name");
      const re = filter ? new RegExp(filter) : undefined;
      return json(res, 200, { servers: [...this.servers.values()].filter((s) => !re || re.test(s.name)).map((s) => this.view(s)) });
    }
    if (method === "POST" && path === "/servers") return this.createServer(body, res);
    const m = /^\/servers\/([^/]+)$/.exec(path);
    if (m) {
      const s = this.servers.get(decodeURIComponent(m[1]!));
      if (!s) return novaError(res, 404, `Instance ${m[1]} could not be found.`);
      if (method === "GET") {
        if (s.status === "BUILD" && Date.now() - Date.parse(s.created) >= (this.options.buildMs ?? 20)) s.status = "ACTIVE";
        return json(res, 200, { server: this.view(s) });
      }
      if (method === "DELETE") {
        this.servers.delete(s.id);
        this.onServerDeleted?.(s.id);
        return empty(res, 204);
      }
    }
    return novaError(res, 404, `no route ${method} ${path}`);
  }

  private createServer(body: unknown, res: ServerResponse): void {
    const s = (body as { server?: Record<string, unknown> })?.server;
    if (!s || typeof s !== "object") return novaError(res, 400, "Invalid input for field/attribute server. Value: None. None is not of type 'object'");
    const allowed = new Set(["name", "flavorRef", "imageRef", "user_data", "metadata", "networks", "key_name", "security_groups"]);
    const extra = Object.keys(s).filter((k) => !allowed.has(k));
    if (extra.length) return novaError(res, 400, `Invalid input for field/attribute server. Additional properties are not allowed (${extra.map((k) => `'${k}'`).join(", ")} were unexpected)`);
    if (typeof s["name"] !== "string" || s["name"] === "" || s["name"].length > 255) return novaError(res, 400, "Invalid input for field/attribute name.");
    if (!this.options.flavors.some((f) => f.id === s["flavorRef"])) return novaError(res, 400, `Flavor ${String(s["flavorRef"])} could not be found.`);
    if (!this.options.images.includes(String(s["imageRef"]))) return novaError(res, 400, `Image ${String(s["imageRef"])} could not be found.`);
    const userData = s["user_data"];
    if (typeof userData !== "string" || userData.length > 65535 || !/^[A-Za-z0-9+/]*={0,2}$/.test(userData) || userData.length % 4 !== 0) {
      return novaError(res, 400, "Invalid input for field/attribute user_data. Value: must be base64 of at most 65535 bytes");
    }
    const metadata = s["metadata"] ?? {};
    if (typeof metadata !== "object" || Array.isArray(metadata) || Object.entries(metadata as object).some(([k, v]) => typeof v !== "string" || k.length > 255 || (v as string).length > 255)) {
      return novaError(res, 400, "Invalid input for field/attribute metadata. Value: string values of at most 255 characters");
    }
    const networks = s["networks"];
    if (networks !== undefined) {
      const known = this.options.networks ?? [];
      if (!Array.isArray(networks) || networks.some((n) => !known.includes((n as { uuid?: string }).uuid ?? ""))) return novaError(res, 400, `Network ${JSON.stringify(networks)} could not be found.`);
    }
    const id = randomUUID();
    const created: FakeServer = {
      id,
      name: s["name"],
      status: "BUILD",
      flavorRef: String(s["flavorRef"]),
      imageRef: String(s["imageRef"]),
      userData: Buffer.from(userData, "base64").toString("utf8"),
      metadata: metadata as Record<string, string>,
      networks,
      created: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
    };
    this.servers.set(id, created);
    this.onServerCreated?.(created);
    json(res, 202, { server: { id, links: [{ rel: "self", href: `${this.url}/compute/v2.1/servers/${id}` }], adminPass: randomBytes(8).toString("hex"), "OS-DCF:diskConfig": "MANUAL", security_groups: [{ name: "default" }] } });
  }

  // ------------------------------------------------------------------ OVHcloud order catalog

  private ovhCatalog(url: URL, res: ServerResponse): void {
    const catalog = this.options.ovhCatalog!;
    if (!url.searchParams.get("ovhSubsidiary")) return json(res, 400, { class: "Client::BadRequest", message: "Missing parameter: ovhSubsidiary" });
    const addon = (flavor: string, mode: "consumption" | "monthly", price: number) => ({
      planCode: `${flavor}.${mode}`,
      invoiceName: `${flavor} instance`,
      product: `publiccloud-instance-${flavor}`,
      pricingType: mode === "consumption" ? "consumption" : "rental",
      pricings: [{ capacities: [mode === "consumption" ? "consumption" : "renew"], mode, phase: 1, interval: mode === "consumption" ? 1 : 1, intervalUnit: mode === "consumption" ? "none" : "month", price, tax: 0, type: mode, promotions: [] }],
      blobs: { commercial: { name: flavor } },
    });
    json(res, 200, {
      catalogId: 1234,
      locale: { currencyCode: catalog.currency, subsidiary: url.searchParams.get("ovhSubsidiary"), taxRate: 20 },
      plans: [{ planCode: "project.2018", addonFamilies: [{ name: "instance", addons: Object.keys(catalog.hourly).map((f) => `${f}.consumption`) }] }],
      addons: Object.entries(catalog.hourly).flatMap(([flavor, hourly]) => [addon(flavor, "consumption", Math.round(hourly * 1e8)), addon(flavor, "monthly", Math.round(hourly * 730 * 0.5 * 1e8))]),
    });
  }

  // ------------------------------------------------------------------ Swift

  private tempUrlValid(method: string, url: URL, container: string): boolean {
    const sig = url.searchParams.get("temp_url_sig") ?? "";
    const expires = Number(url.searchParams.get("temp_url_expires"));
    if (!sig || !Number.isInteger(expires) || expires * 1000 < Date.now()) return false;
    const digest = sig.length === 40 ? "sha1" : sig.length === 64 ? "sha256" : sig.length === 128 ? "sha512" : undefined;
    if (!digest) return false;
    const path = decodeURIComponent(url.pathname);
    const keys = [this.accountKey, this.containerKeys.get(container)].filter((k): k is string => !!k);
    // HEAD is allowed with a GET or PUT signature, as Swift does.
    const methods = method === "HEAD" ? ["HEAD", "GET", "PUT"] : [method];
    return keys.some((key) =>
      methods.some((m) => {
        const expected = Buffer.from(createHmac(digest, key).update(`${m}\n${expires}\n${path}`).digest("hex"));
        return expected.length === sig.length && timingSafeEqual(expected, Buffer.from(sig));
      }),
    );
  }

  private swift(method: string, url: URL, raw: Buffer, req: IncomingMessage, token: string, res: ServerResponse): void {
    const rest = url.pathname.slice(this.accountPath.length).replace(/^\//, "");
    const [containerPart, ...objectParts] = rest === "" ? [] : rest.split("/");
    const container = containerPart ? decodeURIComponent(containerPart) : undefined;
    const objectName = objectParts.length ? decodeURIComponent(objectParts.join("/")) : undefined;
    const authorised = this.tokens.has(token) || (container !== undefined && objectName !== undefined && ["GET", "HEAD", "PUT"].includes(method) && this.tempUrlValid(method, url, container));
    if (!authorised) return empty(res, 401, { "www-authenticate": 'Swift realm="AUTH_x"' });
    if (!container) {
      if (method === "HEAD" || method === "GET") return empty(res, 204, { "x-account-container-count": String(this.objects.size), ...(this.accountKey ? { "x-account-meta-temp-url-key": this.accountKey } : {}) });
      if (method === "POST") {
        const key = req.headers["x-account-meta-temp-url-key"];
        if (typeof key === "string") this.accountKey = key;
        return empty(res, 204);
      }
    }
    if (container && objectName === undefined) {
      const objects = this.objects.get(container);
      if (method === "PUT") {
        const existed = this.objects.has(container);
        if (!existed) this.objects.set(container, new Map());
        return empty(res, existed ? 202 : 201);
      }
      if (!objects) return empty(res, 404);
      if (method === "HEAD") return empty(res, 204, { "x-container-object-count": String(objects.size), ...(this.containerKeys.has(container) ? { "x-container-meta-temp-url-key": this.containerKeys.get(container)! } : {}) });
      if (method === "POST") {
        const key = req.headers["x-container-meta-temp-url-key"];
        if (typeof key === "string") this.containerKeys.set(container, key);
        return empty(res, 204);
      }
      if (method === "GET") {
        if (url.searchParams.get("format") !== "json") return empty(res, 400);
        const prefix = url.searchParams.get("prefix") ?? "";
        const marker = url.searchParams.get("marker") ?? "";
        const limit = Math.min(Number(url.searchParams.get("limit") ?? 10000), 10000);
        const names = [...objects.keys()].filter((n) => n.startsWith(prefix) && n > marker).sort().slice(0, limit);
        return json(res, 200, names.map((n) => ({ name: n, bytes: objects.get(n)!.bytes.length, content_type: objects.get(n)!.contentType, hash: "", last_modified: "" })));
      }
    }
    if (container && objectName !== undefined) {
      const objects = this.objects.get(container);
      if (!objects) return empty(res, 404);
      if (method === "PUT") {
        objects.set(objectName, { bytes: raw, contentType: String(req.headers["content-type"] ?? "application/octet-stream") });
        return empty(res, 201, { etag: "" });
      }
      const o = objects.get(objectName);
      if (!o) return empty(res, 404);
      if (method === "GET") {
        const range = /^bytes=(\d+)-(\d*)$/.exec(String(req.headers["range"] ?? ""));
        if (range) {
          const start = Number(range[1]);
          if (start >= o.bytes.length) return empty(res, 416, { "content-range": `bytes */${o.bytes.length}` });
          const end = range[2] ? Math.min(Number(range[2]), o.bytes.length - 1) : o.bytes.length - 1;
          const part = o.bytes.subarray(start, end + 1);
          res.writeHead(206, { "content-type": o.contentType, "content-length": part.length, "content-range": `bytes ${start}-${end}/${o.bytes.length}` });
          return void res.end(part);
        }
        res.writeHead(200, { "content-type": o.contentType, "content-length": o.bytes.length });
        return void res.end(o.bytes);
      }
      if (method === "HEAD") {
        res.writeHead(200, { "content-type": o.contentType, "content-length": o.bytes.length });
        return void res.end();
      }
      if (method === "DELETE") {
        objects.delete(objectName);
        return empty(res, 204);
      }
    }
    empty(res, 405);
  }
}
