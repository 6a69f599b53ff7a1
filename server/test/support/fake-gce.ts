import { createVerify, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * Google Cloud for tests, on one plain-HTTP port of 127.0.0.1: the OAuth 2.0 token endpoint with the
 * service-account JWT-bearer grant (the assertion's RS256 signature is verified against the
 * account's public key, and its iss, aud, scope and expiry checked), the Compute Engine v1 REST paths
 * the gcp adapter uses (zonal instances, disks and operations, with `requestId` idempotency, the
 * `{error:{code,message,errors:[{reason}]}}` shape, `filter` and `pageToken` pagination), and the
 * Cloud Billing Catalog `services/{id}/skus` listing (pageToken pages). Requests without a token the
 * fake issued get 401. Every request is recorded. An instance "boots" once inserted (`onBoot` gets
 * its startup-script); the test drives the rest (guest shutdown, preemption).
 */

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface RecordedGoogleRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly authorization: string;
  readonly body: unknown;
}

export interface FakeGceOptions {
  readonly project: string;
  readonly clientEmail: string;
  /** PEM public key of the service account. */
  readonly publicKey: string;
  readonly onBoot?: (instance: { name: string; startupScript: string; body: Obj }) => void;
  readonly onDelete?: (name: string) => void;
  /** Billing Catalog SKUs of service 6F81-5844-456A. */
  readonly skus?: readonly Obj[];
  /** SKUs per page. @default 2 */
  readonly skuPageSize?: number;
  /** Operations per list page. @default 1 */
  readonly operationPageSize?: number;
}

const TOKEN_AUD = "https://oauth2.googleapis.com/token";
const NAME = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;

function googleError(res: ServerResponse, code: number, reason: string, message: string): void {
  res.writeHead(code, { "content-type": "application/json; charset=UTF-8" });
  res.end(JSON.stringify({ error: { code, message, errors: [{ message, domain: "global", reason }] } }));
}

export class FakeGce {
  readonly requests: RecordedGoogleRequest[] = [];
  readonly url: string;
  private readonly tokens = new Set<string>();
  private readonly instances = new Map<string, Obj>();
  private readonly disks = new Map<string, Obj>();
  private readonly operations: Obj[] = [];
  private readonly byRequestId = new Map<string, Obj>();
  private nextId = 1000;

  private constructor(
    private readonly server: Server,
    port: number,
    private readonly options: FakeGceOptions,
  ) {
    this.url = `http://127.0.0.1:${port}`;
  }

  static async start(options: FakeGceOptions): Promise<FakeGce> {
    let fake: FakeGce | undefined;
    const server = createServer((req, res) => {
      void fake!.handle(req, res).catch((e: unknown) => {
        if (!res.headersSent) googleError(res, 500, "backendError", String(e));
        else res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    fake = new FakeGce(server, (server.address() as AddressInfo).port, options);
    return fake;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- inspection and driving ---------------------------------------------------------------

  instance(zone: string, name: string): Obj | undefined {
    const i = this.instances.get(`${zone}/${name}`);
    return i ? structuredClone(i) : undefined;
  }

  /** `zone/name` of every instance and disk that exists, sorted. */
  resources(): string[] {
    return [...[...this.instances.keys()].map((k) => `instances/${k}`), ...[...this.disks.keys()].map((k) => `disks/${k}`)].sort();
  }

  /** Compute calls (not token or billing calls) as `METHOD path`. */
  computeCalls(): string[] {
    return this.requests.filter((r) => r.path.startsWith("/compute/")).map((r) => `${r.method} ${r.path}`);
  }

  /** The guest shut itself down: TERMINATED, disks kept. */
  powerOff(zone: string, name: string): void {
    const i = this.instances.get(`${zone}/${name}`);
    if (i) i["status"] = "TERMINATED";
  }

  /**
   * A Spot preemption: Compute Engine stops the instance (instanceTerminationAction STOP) and logs a
   * `compute.instances.preempted` operation on it.
   */
  preempt(zone: string, name: string): void {
    const i = this.instances.get(`${zone}/${name}`);
    if (!i) return;
    i["status"] = "TERMINATED";
    this.operation(zone, "compute.instances.preempted", i, "DONE", "system");
  }

  // ---- HTTP ---------------------------------------------------------------------------------

  private link(path: string): string {
    return `https://www.googleapis.com/compute/v1/projects/${this.options.project}/${path}`;
  }

  private operation(zone: string, type: string, target: Obj, status: "RUNNING" | "DONE", user = this.options.clientEmail): Obj {
    const id = String(this.nextId++);
    const name = `operation-${Date.now()}-${randomBytes(6).toString("hex")}`;
    const op = {
      kind: "compute#operation",
      id,
      name,
      zone: this.link(`zones/${zone}`),
      operationType: type,
      targetLink: target["selfLink"],
      targetId: target["id"],
      status,
      user,
      progress: status === "DONE" ? 100 : 0,
      insertTime: new Date().toISOString(),
      startTime: new Date().toISOString(),
      ...(status === "DONE" ? { endTime: new Date().toISOString() } : {}),
      selfLink: this.link(`zones/${zone}/operations/${name}`),
    };
    this.operations.push(op);
    return op;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    const url = new URL(req.url ?? "/", this.url);
    const query = Object.fromEntries(url.searchParams);
    const type = req.headers["content-type"] ?? "";
    const body: unknown = raw && type.includes("json") ? JSON.parse(raw) : raw && type.includes("x-www-form-urlencoded") ? Object.fromEntries(new URLSearchParams(raw)) : raw;
    this.requests.push({ method: req.method ?? "", path: url.pathname, query, authorization: req.headers.authorization ?? "", body });
    const json = (status: number, o: unknown) => {
      res.writeHead(status, { "content-type": "application/json; charset=UTF-8" });
      res.end(JSON.stringify(o));
    };

    if (url.pathname === "/token" && req.method === "POST") return this.token(body as Record<string, string>, json);

    const auth = req.headers.authorization ?? "";
    if (!auth.startsWith("Bearer ") || !this.tokens.has(auth.slice(7))) {
      return googleError(res, 401, "authError", "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.");
    }

    if (url.pathname === "/v1/services/6F81-5844-456A/skus" && req.method === "GET") return this.skus(url, json);

    const prefix = `/compute/v1/projects/${this.options.project}/zones/`;
    if (!url.pathname.startsWith(prefix)) return googleError(res, 404, "notFound", `The resource '${url.pathname}' was not found`);
    const [zone, collection, name, ...rest] = url.pathname.slice(prefix.length).split("/");
    if (!zone || rest.length > 0) return googleError(res, 404, "notFound", `The resource '${url.pathname}' was not found`);
    if (collection === "operations") {
      if (name) {
        const op = this.operations.find((o) => o["name"] === name);
        return op ? json(200, op) : googleError(res, 404, "notFound", `The resource 'projects/${this.options.project}/zones/${zone}/operations/${name}' was not found`);
      }
      return this.listOperations(zone, url, res, json);
    }
    if (collection === "instances") {
      if (!name && req.method === "POST") return this.insert(zone, body as Obj, query["requestId"], res, json);
      if (!name && req.method === "GET") {
        const items = [...this.instances.values()].filter((i) => i["zone"].endsWith(`/zones/${zone}`));
        const max = Number(query["maxResults"] ?? "500");
        return json(200, { kind: "compute#instanceList", id: `projects/${this.options.project}/zones/${zone}/instances`, items: items.slice(0, max), ...(items.length > max ? { nextPageToken: "next" } : {}) });
      }
      const key = `${zone}/${name}`;
      const instance = this.instances.get(key);
      const missing = () => googleError(res, 404, "notFound", `The resource 'projects/${this.options.project}/zones/${zone}/instances/${name}' was not found`);
      if (req.method === "GET") return instance ? json(200, instance) : missing();
      if (req.method === "DELETE") {
        if (!instance) return missing();
        instance["status"] = "STOPPING";
        const op = this.operation(zone, "delete", instance, "RUNNING");
        setTimeout(() => this.removeInstance(zone, name!, op), 30);
        return json(200, op);
      }
    }
    if (collection === "disks" && name) {
      const disk = this.disks.get(`${zone}/${name}`);
      const missing = () => googleError(res, 404, "notFound", `The resource 'projects/${this.options.project}/zones/${zone}/disks/${name}' was not found`);
      if (req.method === "GET") return disk ? json(200, disk) : missing();
      if (req.method === "DELETE") {
        if (!disk) return missing();
        if ((disk["users"] ?? []).length > 0) return googleError(res, 400, "resourceInUseByAnotherResource", `The disk resource '${disk["selfLink"]}' is already being used by '${disk["users"][0]}'`);
        this.disks.delete(`${zone}/${name}`);
        return json(200, this.operation(zone, "delete", disk, "DONE"));
      }
    }
    return googleError(res, 404, "notFound", `The resource '${url.pathname}' was not found`);
  }

  private token(form: Record<string, string>, json: (s: number, o: unknown) => void): void {
    if (form["grant_type"] !== "urn:ietf:params:oauth:grant-type:jwt-bearer") return json(400, { error: "unsupported_grant_type", error_description: "Invalid grant_type." });
    const parts = (form["assertion"] ?? "").split(".");
    if (parts.length !== 3) return json(400, { error: "invalid_grant", error_description: "Invalid JWT: malformed assertion." });
    const verifier = createVerify("RSA-SHA256");
    verifier.update(`${parts[0]}.${parts[1]}`);
    if (!verifier.verify(this.options.publicKey, Buffer.from(parts[2]!, "base64url"))) return json(400, { error: "invalid_grant", error_description: "Invalid JWT Signature." });
    const header = JSON.parse(Buffer.from(parts[0]!, "base64url").toString()) as Obj;
    const claims = JSON.parse(Buffer.from(parts[1]!, "base64url").toString()) as Obj;
    const now = Date.now() / 1000;
    if (header["alg"] !== "RS256") return json(400, { error: "invalid_grant", error_description: "Invalid JWT: alg must be RS256." });
    if (claims["iss"] !== this.options.clientEmail) return json(400, { error: "invalid_grant", error_description: "Invalid grant: account not found" });
    if (claims["aud"] !== TOKEN_AUD) return json(400, { error: "invalid_grant", error_description: `Invalid JWT: aud must be ${TOKEN_AUD}` });
    if (typeof claims["exp"] !== "number" || claims["exp"] < now || claims["exp"] - claims["iat"] > 3600) return json(400, { error: "invalid_grant", error_description: "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe." });
    if (!String(claims["scope"] ?? "").split(" ").includes("https://www.googleapis.com/auth/cloud-platform")) return json(400, { error: "invalid_scope", error_description: "Invalid OAuth scope or ID token audience provided." });
    const token = `ya29.${randomBytes(16).toString("hex")}`;
    this.tokens.add(token);
    json(200, { access_token: token, expires_in: 3599, token_type: "Bearer" });
  }

  private insert(zone: string, body: Obj, requestId: string | undefined, res: ServerResponse, json: (s: number, o: unknown) => void): void {
    if (requestId) {
      const previous = this.byRequestId.get(requestId);
      if (previous) return json(200, previous);
    }
    const name = body?.["name"] as string;
    const bad = (message: string) => googleError(res, 400, "invalid", message);
    if (!NAME.test(name ?? "")) return bad(`Invalid value for field 'resource.name': '${name}'. Must be a match of regex '(?:[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?)'`);
    if (!new RegExp(`^zones/${zone}/machineTypes/[a-z0-9-]+$`).test(body["machineType"] ?? "")) return bad(`Invalid value for field 'resource.machineType': '${body["machineType"]}'.`);
    const boot = (body["disks"] ?? []).find((d: Obj) => d.boot);
    if (!boot?.initializeParams?.sourceImage || boot.autoDelete !== true) return bad("Invalid value for field 'resource.disks': a boot disk with initializeParams.sourceImage and autoDelete is required.");
    if (!(body["networkInterfaces"] ?? [])[0]?.network && !(body["networkInterfaces"] ?? [])[0]?.subnetwork) return bad("Invalid value for field 'resource.networkInterfaces[0]'.");
    const script = (body["metadata"]?.items ?? []).find((i: Obj) => i.key === "startup-script")?.value;
    if (typeof script !== "string") return bad("The instance has no startup-script metadata.");
    const s = body["scheduling"] ?? {};
    if (s.provisioningModel === "SPOT" && (s.automaticRestart !== false || s.onHostMaintenance !== "TERMINATE")) return bad("Invalid value for field 'resource.scheduling': Spot VMs need automaticRestart false and onHostMaintenance TERMINATE.");
    for (const [k, v] of Object.entries(body["labels"] ?? {})) {
      if (!/^[a-z][a-z0-9_-]{0,62}$/.test(k) || !/^[a-z0-9_-]{0,63}$/.test(String(v))) return bad(`Invalid value for field 'resource.labels': '${k}'.`);
    }
    const key = `${zone}/${name}`;
    if (this.instances.has(key)) return googleError(res, 409, "alreadyExists", `The resource 'projects/${this.options.project}/zones/${zone}/instances/${name}' already exists`);
    const id = String(this.nextId++);
    const selfLink = this.link(`zones/${zone}/instances/${name}`);
    const diskName = boot.deviceName ?? boot.initializeParams.diskName ?? name;
    const diskLink = this.link(`zones/${zone}/disks/${diskName}`);
    this.disks.set(`${zone}/${diskName}`, { kind: "compute#disk", id: String(this.nextId++), name: diskName, zone: this.link(`zones/${zone}`), selfLink: diskLink, users: [selfLink], status: "READY" });
    const instance: Obj = {
      ...structuredClone(body),
      kind: "compute#instance",
      id,
      status: "PROVISIONING",
      zone: this.link(`zones/${zone}`),
      selfLink,
      creationTimestamp: new Date().toISOString(),
      disks: [{ ...boot, source: diskLink, deviceName: diskName }],
    };
    this.instances.set(key, instance);
    const op = this.operation(zone, "insert", instance, "RUNNING");
    if (requestId) this.byRequestId.set(requestId, op);
    setTimeout(() => {
      op["status"] = "DONE";
      op["progress"] = 100;
      if (this.instances.get(key) !== instance) return;
      instance["status"] = "RUNNING";
      instance["lastStartTimestamp"] = new Date().toISOString();
      this.options.onBoot?.({ name, startupScript: script, body: structuredClone(instance) });
    }, 10);
    json(200, op);
  }

  private removeInstance(zone: string, name: string, op: Obj): void {
    const key = `${zone}/${name}`;
    const instance = this.instances.get(key);
    op["status"] = "DONE";
    op["progress"] = 100;
    if (!instance) return;
    this.instances.delete(key);
    for (const d of instance["disks"] ?? []) {
      const diskKey = `${zone}/${d.deviceName}`;
      if (d.autoDelete) this.disks.delete(diskKey);
      else {
        const disk = this.disks.get(diskKey);
        if (disk) disk["users"] = [];
      }
    }
    this.options.onDelete?.(name);
  }

  /** `filter` as Compute Engine writes it: `(field = "value") AND (field2 = value2)`, = and != only. */
  private listOperations(zone: string, url: URL, res: ServerResponse, json: (s: number, o: unknown) => void): void {
    const filter = url.searchParams.get("filter") ?? "";
    const clauses = filter.trim() === "" ? [] : filter.split(/\s+AND\s+/);
    const tests: ((o: Obj) => boolean)[] = [];
    for (const c of clauses) {
      const m = /^\(?\s*([a-zA-Z.]+)\s*(=|!=)\s*"?([^"()]*)"?\s*\)?$/.exec(c.trim());
      if (!m) return googleError(res, 400, "invalid", `Invalid list filter expression '${filter}'.`);
      tests.push((o) => (String(o[m[1]!]) === m[3]) === (m[2] === "="));
    }
    const matching = this.operations.filter((o) => o["zone"].endsWith(`/zones/${zone}`) && tests.every((t) => t(o)));
    const size = Number(url.searchParams.get("maxResults") ?? this.options.operationPageSize ?? 1);
    const start = Number(url.searchParams.get("pageToken") || "0");
    const page = matching.slice(start, start + size);
    json(200, { kind: "compute#operationList", id: `projects/${this.options.project}/zones/${zone}/operations`, items: page, ...(start + size < matching.length ? { nextPageToken: String(start + size) } : {}), selfLink: this.link(`zones/${zone}/operations`) });
  }

  private skus(url: URL, json: (s: number, o: unknown) => void): void {
    const currency = url.searchParams.get("currencyCode") ?? "USD";
    const rate = currency === "EUR" ? 0.9 : 1;
    const all = (this.options.skus ?? []).map((s) => ({
      ...s,
      pricingInfo: (s["pricingInfo"] as Obj[]).map((p) => ({
        ...p,
        currencyConversionRate: rate,
        pricingExpression: {
          ...p["pricingExpression"],
          tieredRates: (p["pricingExpression"].tieredRates as Obj[]).map((t) => {
            const total = (Number(t["unitPrice"].units) + t["unitPrice"].nanos / 1e9) * rate;
            return { ...t, unitPrice: { currencyCode: currency, units: String(Math.floor(total)), nanos: Math.round((total - Math.floor(total)) * 1e9) } };
          }),
        },
      })),
    }));
    // Pages hold at most the requested size and at most the fake's own page size.
    const size = Math.min(Number(url.searchParams.get("pageSize") || 5000), this.options.skuPageSize ?? 2);
    const start = Number(url.searchParams.get("pageToken") || "0");
    json(200, { skus: all.slice(start, start + size), nextPageToken: start + size < all.length ? String(start + size) : "" });
  }
}

/** A Cloud Billing Catalog SKU of Compute Engine, in the API's shape. */
export function billingSku(description: string, regions: readonly string[], usageType: "OnDemand" | "Preemptible" | "Commit1Yr", usageUnit: "h" | "GiBy.h", price: number, resourceGroup = "CPU"): Obj {
  const units = Math.floor(price);
  return {
    name: `services/6F81-5844-456A/skus/${randomBytes(6).toString("hex").toUpperCase()}`,
    skuId: randomBytes(6).toString("hex").toUpperCase(),
    description,
    category: { serviceDisplayName: "Compute Engine", resourceFamily: "Compute", resourceGroup, usageType },
    serviceRegions: [...regions],
    pricingInfo: [
      {
        summary: "",
        pricingExpression: {
          usageUnit,
          displayQuantity: 1,
          tieredRates: [{ startUsageAmount: 0, unitPrice: { currencyCode: "USD", units: String(units), nanos: Math.round((price - units) * 1e9) } }],
          usageUnitDescription: usageUnit === "h" ? "hour" : "gibibyte hour",
          baseUnit: usageUnit === "h" ? "s" : "By.s",
          baseUnitDescription: usageUnit === "h" ? "second" : "byte second",
          baseUnitConversionFactor: usageUnit === "h" ? 3600 : 3865470566400,
        },
        currencyConversionRate: 1,
        effectiveTime: "2026-11-01T00:00:00Z",
      },
    ],
    serviceProviderName: "Google",
  };
}
