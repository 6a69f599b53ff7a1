import { createHash, createPublicKey, randomBytes, verify, type KeyObject } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * Oracle Cloud Infrastructure on 127.0.0.1 for tests: Compute (/20160918/instances), Identity
 * (/20160918/availabilityDomains) and Object Storage (/n/..., pre-authenticated requests under /p/).
 * Every API request must carry a valid HTTP Signature: the fake parses the Authorization header,
 * checks the key id, the algorithm, the signed header list OCI requires for the method (with the
 * body headers for POST/PUT, except object uploads), the x-content-sha256 of the body and the date's
 * skew, rebuilds the signing string from the request it received and verifies it with the public
 * key (401 NotAuthenticated otherwise). LaunchInstance validates its body and honours
 * opc-retry-token; object listing pages with nextStartWith, instance listing with opc-next-page; PAR
 * URLs work without credentials for their object and access type until they expire. Errors are
 * {"code", "message"} with an opc-request-id header. Every request is recorded.
 */

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  /** The headers the signature covered ("" for PAR requests). */
  readonly signedHeaders: string;
  readonly body: unknown;
  readonly headers: Readonly<Record<string, string>>;
}

export interface FakeOciInstance {
  readonly id: string;
  readonly displayName: string;
  lifecycleState: string;
  readonly shape: string;
  readonly shapeConfig: unknown;
  readonly userData: string;
  readonly freeformTags: Record<string, string>;
  readonly preemptible: boolean;
  readonly timeCreated: string;
  bootVolumeDeleted?: boolean;
}

export interface FakeOciOptions {
  readonly keyId: string;
  readonly publicKey: string;
  readonly compartmentId: string;
  readonly namespace: string;
  readonly buckets: readonly string[];
  readonly availabilityDomains: readonly string[];
  readonly images: readonly string[];
  readonly subnets: readonly string[];
  readonly shapes: readonly string[];
  /** Objects per listing page. @default 1000 */
  readonly objectPageSize?: number;
  /** PROVISIONING lasts this long before RUNNING. @default 20 */
  readonly provisionMs?: number;
}

interface Par {
  readonly id: string;
  readonly token: string;
  readonly bucket: string;
  readonly objectName: string;
  readonly accessType: string;
  readonly expires: number;
}

const BODY_HEADERS = ["x-content-sha256", "content-type", "content-length"];

export class FakeOci {
  readonly requests: RecordedRequest[] = [];
  readonly instances = new Map<string, FakeOciInstance>();
  /** bucket → object name → bytes. */
  readonly objects = new Map<string, Map<string, Buffer>>();
  readonly pars = new Map<string, Par>();
  private readonly retryTokens = new Map<string, string>();
  private readonly publicKey: KeyObject;
  private server!: Server;
  url = "";
  onInstanceLaunched: ((instance: FakeOciInstance) => void) | undefined;
  onInstanceTerminated: ((id: string) => void) | undefined;

  private constructor(private readonly options: FakeOciOptions) {
    this.publicKey = createPublicKey(options.publicKey);
    for (const b of options.buckets) this.objects.set(b, new Map());
  }

  static async start(options: FakeOciOptions): Promise<FakeOci> {
    const fake = new FakeOci(options);
    fake.server = createServer((req, res) => {
      fake.handle(req, res).catch((e: unknown) => fake.error(res, 500, "InternalServerError", String(e)));
    });
    await new Promise<void>((resolve) => fake.server.listen(0, "127.0.0.1", resolve));
    fake.url = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
    return fake;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The capacity is reclaimed: a preemptible instance terminates. */
  preempt(id: string): void {
    const i = this.instances.get(id);
    if (!i?.preemptible) throw new Error(`${id} is not a preemptible instance`);
    i.lifecycleState = "TERMINATED";
    i.bootVolumeDeleted = true;
    this.onInstanceTerminated?.(id);
  }
  setState(id: string, state: string): void {
    this.instances.get(id)!.lifecycleState = state;
  }

  private error(res: ServerResponse, status: number, code: string, message: string): void {
    const text = JSON.stringify({ code, message });
    res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), "opc-request-id": randomBytes(8).toString("hex") });
    res.end(text);
  }
  private json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), "opc-request-id": randomBytes(8).toString("hex"), ...headers });
    res.end(text);
  }

  /** Why the request's signature is not valid, or undefined when it is. */
  private checkSignature(req: IncomingMessage, url: URL, raw: Buffer, objectUpload: boolean): string | undefined {
    const auth = String(req.headers["authorization"] ?? "");
    if (!auth.startsWith("Signature ")) return "missing Signature authorization";
    const params = Object.fromEntries([...auth.slice("Signature ".length).matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
    if (params["version"] !== "1") return "signature version must be 1";
    if (params["keyId"] !== this.options.keyId) return `unknown keyId ${params["keyId"]}`;
    if (params["algorithm"] !== "rsa-sha256") return "algorithm must be rsa-sha256";
    const names = (params["headers"] ?? "").split(" ");
    const method = (req.method ?? "GET").toLowerCase();
    const required = ["date", "(request-target)", "host", ...(["post", "put", "patch"].includes(method) && !objectUpload ? BODY_HEADERS : [])];
    const missing = required.filter((h) => !names.includes(h));
    if (missing.length) return `the signature does not cover ${missing.join(", ")}`;
    const date = Date.parse(String(req.headers["date"] ?? ""));
    if (Number.isNaN(date) || Math.abs(Date.now() - date) > 5 * 60_000) return "the date header is missing or skewed";
    if (names.includes("x-content-sha256")) {
      if (req.headers["x-content-sha256"] !== createHash("sha256").update(raw).digest("base64")) return "x-content-sha256 does not match the body";
      if (Number(req.headers["content-length"]) !== raw.length) return "content-length does not match the body";
    }
    const lines = names.map((n) => (n === "(request-target)" ? `(request-target): ${method} ${url.pathname}${url.search}` : `${n}: ${String(req.headers[n] ?? "")}`));
    const ok = verify("sha256", Buffer.from(lines.join("\n")), this.publicKey, Buffer.from(params["signature"] ?? "", "base64"));
    return ok ? undefined : "the signature does not verify";
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", this.url);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    const method = req.method ?? "GET";
    const isObjectPut = method === "PUT" && /^\/n\/[^/]+\/b\/[^/]+\/o\//.test(url.pathname);
    let body: unknown;
    if (raw.length && String(req.headers["content-type"] ?? "").startsWith("application/json")) {
      try {
        body = JSON.parse(raw.toString("utf8"));
      } catch {
        return this.error(res, 400, "InvalidParameter", "the body is not JSON");
      }
    }
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
    const isPar = url.pathname.startsWith("/p/");
    const signed = isPar ? "" : /headers="([^"]*)"/.exec(String(req.headers["authorization"] ?? ""))?.[1] ?? "";
    this.requests.push({ method, path: url.pathname, query: Object.fromEntries(url.searchParams), signedHeaders: signed, body, headers });
    if (isPar) return this.par(method, url, raw, res);
    const why = this.checkSignature(req, url, raw, isObjectPut);
    if (why) return this.error(res, 401, "NotAuthenticated", `The required information to complete authentication was not provided or was incorrect: ${why}`);

    if (url.pathname === "/20160918/availabilityDomains" && method === "GET") {
      if (url.searchParams.get("compartmentId") !== this.options.compartmentId) return this.error(res, 404, "NotAuthorizedOrNotFound", "Authorization failed or requested resource not found");
      return this.json(res, 200, this.options.availabilityDomains.map((name) => ({ name, compartmentId: this.options.compartmentId })));
    }
    if (url.pathname.startsWith("/20160918/instances")) return this.compute(method, url, body, req, res);
    if (url.pathname.startsWith("/n/")) return this.objectStorage(method, url, raw, body, res);
    this.error(res, 404, "NotAuthorizedOrNotFound", `no route ${method} ${url.pathname}`);
  }

  private view(i: FakeOciInstance) {
    return {
      id: i.id,
      displayName: i.displayName,
      lifecycleState: i.lifecycleState,
      compartmentId: this.options.compartmentId,
      availabilityDomain: this.options.availabilityDomains[0],
      shape: i.shape,
      shapeConfig: i.shapeConfig,
      freeformTags: i.freeformTags,
      metadata: { user_data: Buffer.from(i.userData).toString("base64") },
      ...(i.preemptible ? { preemptibleInstanceConfig: { preemptionAction: { type: "TERMINATE", preserveBootVolume: false } } } : {}),
      region: "eu-frankfurt-1",
      timeCreated: i.timeCreated,
    };
  }

  private compute(method: string, url: URL, body: unknown, req: IncomingMessage, res: ServerResponse): void {
    if (url.pathname === "/20160918/instances" && method === "GET") {
      if (url.searchParams.get("compartmentId") !== this.options.compartmentId) return this.error(res, 400, "MissingParameter", "compartmentId is required");
      const name = url.searchParams.get("displayName");
      const all = [...this.instances.values()].filter((i) => !name || i.displayName === name).map((i) => this.view(i));
      const page = Number(url.searchParams.get("page") ?? 0);
      const size = 1;
      const slice = all.slice(page * size, page * size + size);
      return this.json(res, 200, slice, page * size + size < all.length ? { "opc-next-page": String(page + 1) } : {});
    }
    if (url.pathname === "/20160918/instances" && method === "POST") {
      const b = (body ?? {}) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
      const token = String(req.headers["opc-retry-token"] ?? "");
      if (token && this.retryTokens.has(token)) return this.json(res, 200, this.view(this.instances.get(this.retryTokens.get(token)!)!));
      if (b["compartmentId"] !== this.options.compartmentId) return this.error(res, 404, "NotAuthorizedOrNotFound", "Authorization failed or requested resource not found");
      if (!this.options.availabilityDomains.includes(b["availabilityDomain"])) return this.error(res, 400, "InvalidParameter", `availabilityDomain ${String(b["availabilityDomain"])} is not valid`);
      if (!this.options.shapes.includes(b["shape"])) return this.error(res, 400, "InvalidParameter", `Shape ${String(b["shape"])} is not valid`);
      if (String(b["shape"]).endsWith(".Flex") && !(typeof b["shapeConfig"]?.ocpus === "number" && typeof b["shapeConfig"]?.memoryInGBs === "number")) return this.error(res, 400, "InvalidParameter", "Flexible shapes need shapeConfig.ocpus and memoryInGBs");
      if (b["sourceDetails"]?.sourceType !== "image" || !this.options.images.includes(b["sourceDetails"]?.imageId)) return this.error(res, 404, "NotAuthorizedOrNotFound", "image not found");
      if (!this.options.subnets.includes(b["createVnicDetails"]?.subnetId)) return this.error(res, 404, "NotAuthorizedOrNotFound", "subnet not found");
      const userData = b["metadata"]?.user_data;
      if (typeof userData !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(userData) || userData.length > 32_000) return this.error(res, 400, "InvalidParameter", "metadata.user_data must be base64 of at most 32000 bytes");
      const pic = b["preemptibleInstanceConfig"];
      if (pic !== undefined && pic?.preemptionAction?.type !== "TERMINATE") return this.error(res, 400, "InvalidParameter", "preemptionAction.type must be TERMINATE");
      const id = `ocid1.instance.oc1.eu-frankfurt-1.${randomBytes(12).toString("hex")}`;
      const instance: FakeOciInstance = {
        id,
        displayName: String(b["displayName"] ?? ""),
        lifecycleState: "PROVISIONING",
        shape: b["shape"],
        shapeConfig: b["shapeConfig"],
        userData: Buffer.from(userData, "base64").toString("utf8"),
        freeformTags: b["freeformTags"] ?? {},
        preemptible: pic !== undefined,
        timeCreated: new Date(Date.now() + this.instances.size).toISOString(),
      };
      this.instances.set(id, instance);
      if (token) this.retryTokens.set(token, id);
      this.onInstanceLaunched?.(instance);
      return this.json(res, 200, this.view(instance), { etag: randomBytes(4).toString("hex") });
    }
    const m = /^\/20160918\/instances\/([^/]+)$/.exec(url.pathname);
    const instance = m ? this.instances.get(decodeURIComponent(m[1]!)) : undefined;
    if (!instance) return this.error(res, 404, "NotAuthorizedOrNotFound", "Authorization failed or requested resource not found");
    if (method === "GET") {
      if (instance.lifecycleState === "PROVISIONING" && Date.now() - Date.parse(instance.timeCreated) >= (this.options.provisionMs ?? 20)) instance.lifecycleState = "RUNNING";
      return this.json(res, 200, this.view(instance));
    }
    if (method === "DELETE") {
      if (url.searchParams.get("preserveBootVolume") !== "false") return this.error(res, 400, "InvalidParameter", "the test expects preserveBootVolume=false");
      instance.lifecycleState = "TERMINATED";
      instance.bootVolumeDeleted = true;
      this.onInstanceTerminated?.(instance.id);
      res.writeHead(204, { "opc-request-id": randomBytes(8).toString("hex") }).end();
      return;
    }
    this.error(res, 405, "MethodNotAllowed", method);
  }

  private objectStorage(method: string, url: URL, raw: Buffer, body: unknown, res: ServerResponse): void {
    if (url.pathname === "/n/" && method === "GET") return this.json(res, 200, this.options.namespace);
    const m = /^\/n\/([^/]+)\/b\/([^/]+)\/(o|p)\/?(.*)$/.exec(url.pathname) ?? /^\/n\/([^/]+)\/b\/([^/]+)\/$/.exec(url.pathname);
    if (!m || decodeURIComponent(m[1]!) !== this.options.namespace) return this.error(res, 404, "NamespaceNotFound", "namespace not found");
    const bucket = decodeURIComponent(m[2]!);
    const objects = this.objects.get(bucket);
    if (!objects) return this.error(res, 404, "BucketNotFound", `Either the bucket named '${bucket}' does not exist in the namespace '${this.options.namespace}' or you are not authorized to access it`);
    if (!m[3]) {
      if (method === "HEAD") return void res.writeHead(200, { etag: "x" }).end();
      return this.error(res, 405, "MethodNotAllowed", method);
    }
    const rest = decodeURIComponent(m[4] ?? "");
    if (m[3] === "p") {
      if (method === "POST" && rest === "") {
        const b = body as { name?: unknown; objectName?: unknown; accessType?: unknown; timeExpires?: unknown };
        if (typeof b?.objectName !== "string" || !["ObjectRead", "ObjectWrite", "ObjectReadWrite"].includes(String(b.accessType)) || typeof b.timeExpires !== "string" || typeof b.name !== "string") {
          return this.error(res, 400, "InvalidParameter", "name, objectName, accessType and timeExpires are required");
        }
        const expires = Date.parse(b.timeExpires);
        if (Number.isNaN(expires) || expires <= Date.now()) return this.error(res, 400, "InvalidParameter", "timeExpires must be in the future");
        const par: Par = { id: randomBytes(16).toString("base64url"), token: randomBytes(24).toString("base64url"), bucket, objectName: b.objectName, accessType: String(b.accessType), expires };
        this.pars.set(par.token, par);
        return this.json(res, 200, { id: par.id, name: b.name, accessUri: `/p/${par.token}/n/${this.options.namespace}/b/${bucket}/o/${encodeURIComponent(par.objectName)}`, accessType: par.accessType, objectName: par.objectName, timeExpires: b.timeExpires, timeCreated: new Date().toISOString() });
      }
      if (method === "GET" && rest === "") {
        const prefix = url.searchParams.get("objectNamePrefix") ?? "";
        return this.json(res, 200, [...this.pars.values()].filter((p) => p.bucket === bucket && p.objectName.startsWith(prefix)).map((p) => ({ id: p.id, name: p.id, objectName: p.objectName, accessType: p.accessType })));
      }
      if (method === "DELETE" && rest !== "") {
        const par = [...this.pars.values()].find((p) => p.id === rest);
        if (!par) return this.error(res, 404, "NotFound", "PAR not found");
        this.pars.delete(par.token);
        return void res.writeHead(204).end();
      }
      return this.error(res, 405, "MethodNotAllowed", method);
    }
    if (rest === "" && method === "GET") {
      const prefix = url.searchParams.get("prefix") ?? "";
      const start = url.searchParams.get("start") ?? "";
      const size = this.options.objectPageSize ?? 1000;
      const names = [...objects.keys()].filter((n) => n.startsWith(prefix) && n >= start).sort();
      return this.json(res, 200, { objects: names.slice(0, size).map((name) => ({ name })), ...(names.length > size ? { nextStartWith: names[size] } : {}) });
    }
    return this.object(method, objects, rest, raw, res, String(this.requests.at(-1)?.headers["range"] ?? ""));
  }

  private object(method: string, objects: Map<string, Buffer>, name: string, raw: Buffer, res: ServerResponse, rangeHeader: string): void {
    if (method === "PUT") {
      objects.set(name, raw);
      return void res.writeHead(200, { etag: createHash("md5").update(raw).digest("hex") }).end();
    }
    const o = objects.get(name);
    if (!o) return this.error(res, 404, "ObjectNotFound", `The object '${name}' was not found`);
    if (method === "GET") {
      const range = /^bytes=(\d+)-(\d*)$/.exec(rangeHeader);
      if (range) {
        const start = Number(range[1]);
        if (start >= o.length) return this.error(res, 416, "InvalidRange", "the range is not satisfiable");
        const end = range[2] ? Math.min(Number(range[2]), o.length - 1) : o.length - 1;
        res.writeHead(206, { "content-length": end - start + 1, "content-range": `bytes ${start}-${end}/${o.length}` });
        return void res.end(o.subarray(start, end + 1));
      }
      res.writeHead(200, { "content-length": o.length });
      return void res.end(o);
    }
    if (method === "DELETE") {
      objects.delete(name);
      return void res.writeHead(204).end();
    }
    this.error(res, 405, "MethodNotAllowed", method);
  }

  private par(method: string, url: URL, raw: Buffer, res: ServerResponse): void {
    const m = /^\/p\/([^/]+)\/n\/[^/]+\/b\/([^/]+)\/o\/(.+)$/.exec(url.pathname);
    const par = m ? this.pars.get(m[1]!) : undefined;
    const name = m ? decodeURIComponent(m[3]!) : "";
    const allowed = par?.accessType === "ObjectReadWrite" || (par?.accessType === "ObjectRead" && method === "GET") || (par?.accessType === "ObjectWrite" && method === "PUT");
    if (!par || par.expires < Date.now() || par.objectName !== name || decodeURIComponent(m![2]!) !== par.bucket || !allowed) return this.error(res, 404, "NotAuthorizedOrNotFound", "The pre-authenticated request is not valid for this object and method");
    this.object(method, this.objects.get(par.bucket)!, name, raw, res, "");
  }
}
