import { execFileSync } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Azure for tests, on one HTTPS port of 127.0.0.1 (Bearer tokens are only ever sent over TLS, so the
 * fake has a self-signed certificate; `ca` is its PEM): the Microsoft Entra token endpoint
 * (`/{tenant}/v2.0/.well-known/openid-configuration`, `/{tenant}/oauth2/v2.0/token` with the
 * client-credentials grant), the Azure Resource Manager paths the azure adapter uses
 * (Microsoft.Compute virtualMachines and disks, Microsoft.Network networkInterfaces and
 * publicIPAddresses, with `api-version`, `{error:{code,message}}` errors and long-running operations
 * answered with `Azure-AsyncOperation` / `Location` headers), and the Retail Prices API
 * (`/api/retail/prices` with an OData `$filter` and `NextPageLink` pages). ARM requests without a
 * token the fake issued get 401. Every request is recorded, so tests assert verbs, paths, bodies and
 * headers. A VM "boots" by itself once created (`onBoot` receives its decoded custom data, which a
 * test executes); the test drives what happens next (power off, eviction).
 */

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface RecordedAzureRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly authorization: string;
  readonly body: unknown;
}

export interface FakeAzureOptions {
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  /** Called once a created VM is up, with its name and its custom data decoded. */
  readonly onBoot?: (vm: { name: string; customData: string; body: Obj }) => void;
  /** Called when a VM is deleted (by the API or an eviction). */
  readonly onDelete?: (name: string) => void;
  /** Retail price items served by `/api/retail/prices`. */
  readonly priceItems?: readonly Obj[];
  /** Items per Retail Prices page (the real API uses 1000). @default 2 */
  readonly pricePageSize?: number;
  /** VMs per list page. @default 1 */
  readonly vmPageSize?: number;
  /** How many times an operation answers InProgress before Succeeded. @default 1 */
  readonly operationPolls?: number;
}

interface Resource {
  kind: "virtualMachines" | "disks" | "networkInterfaces" | "publicIPAddresses";
  name: string;
  body: Obj;
}

interface Operation {
  status: "InProgress" | "Succeeded" | "Failed";
  polls: number;
  onDone?: () => void;
  error?: Obj;
}

const API_VERSION = /^\d{4}-\d{2}-\d{2}(-preview)?$/;

function armError(res: ServerResponse, status: number, code: string, message: string, target?: string): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "x-ms-failure-cause": "gateway" });
  res.end(JSON.stringify({ error: { code, message, ...(target ? { target } : {}) } }));
}

export class FakeAzureCloud {
  readonly requests: RecordedAzureRequest[] = [];
  readonly url: string;
  readonly ca: string;
  private readonly tokens = new Set<string>();
  private readonly resources = new Map<string, Resource>();
  private readonly operations = new Map<string, Operation>();
  /** Set by a test to make the next VM PUT fail with this ARM error. */
  failNextVmCreate: { status: number; code: string; message: string } | undefined;

  private constructor(
    private readonly server: Server,
    port: number,
    ca: string,
    private readonly options: FakeAzureOptions,
  ) {
    this.url = `https://127.0.0.1:${port}`;
    this.ca = ca;
  }

  static async start(options: FakeAzureOptions): Promise<FakeAzureCloud> {
    const dir = mkdtempSync(join(tmpdir(), "artenic-fake-azure-"));
    let cert: Buffer;
    let key: Buffer;
    try {
      execFileSync(
        "openssl",
        ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem")],
        { stdio: "ignore" },
      );
      cert = readFileSync(join(dir, "cert.pem"));
      key = readFileSync(join(dir, "key.pem"));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    let fake: FakeAzureCloud | undefined;
    const server = createServer({ cert, key }, (req, res) => {
      void fake!.handle(req, res).catch((e: unknown) => {
        if (!res.headersSent) armError(res, 500, "InternalServerError", String(e));
        else res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    fake = new FakeAzureCloud(server, (server.address() as AddressInfo).port, cert.toString("utf8"), options);
    return fake;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- inspection and driving ---------------------------------------------------------------

  private idOf(kind: Resource["kind"], name: string): string {
    const provider = kind === "networkInterfaces" || kind === "publicIPAddresses" ? "Microsoft.Network" : "Microsoft.Compute";
    return `/subscriptions/${this.options.subscriptionId}/resourceGroups/${this.options.resourceGroup}/providers/${provider}/${kind}/${name}`;
  }

  /** The ids of every resource that exists, sorted. */
  resourceIds(): string[] {
    return [...this.resources.keys()].sort();
  }

  get(kind: Resource["kind"], name: string): Obj | undefined {
    const r = this.resources.get(this.idOf(kind, name).toLowerCase());
    return r ? structuredClone(r.body) : undefined;
  }

  /** ARM calls (not token or price calls) as `METHOD path`. */
  armCalls(): string[] {
    return this.requests.filter((r) => r.path.startsWith("/subscriptions/")).map((r) => `${r.method} ${r.path}`);
  }

  /** The guest shut itself down: the VM stays allocated, PowerState/stopped. */
  powerOff(name: string): void {
    const vm = this.resources.get(this.idOf("virtualMachines", name).toLowerCase());
    if (vm) vm.body["_power"] = "stopped";
  }

  /**
   * A Spot eviction under the eviction policy Delete: Azure deletes the VM and, with its delete
   * options, its disk, NIC and public IP.
   */
  evict(name: string): void {
    const vm = this.resources.get(this.idOf("virtualMachines", name).toLowerCase());
    if (vm) this.removeVm(vm);
  }

  // ---- HTTP ---------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    const url = new URL(req.url ?? "/", this.url);
    const query = Object.fromEntries(url.searchParams);
    let body: unknown = raw;
    if (raw && (req.headers["content-type"] ?? "").includes("json")) body = JSON.parse(raw);
    else if (raw && (req.headers["content-type"] ?? "").includes("x-www-form-urlencoded")) body = Object.fromEntries(new URLSearchParams(raw));
    this.requests.push({ method: req.method ?? "", path: url.pathname, query, authorization: req.headers.authorization ?? "", body });
    const json = (status: number, o: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
      res.end(status === 204 ? undefined : JSON.stringify(o));
    };

    // -- Microsoft Entra ID
    const tenant = `/${this.options.tenantId}`;
    if (url.pathname === `${tenant}/v2.0/.well-known/openid-configuration`) {
      return json(200, {
        token_endpoint: `${this.url}${tenant}/oauth2/v2.0/token`,
        authorization_endpoint: `${this.url}${tenant}/oauth2/v2.0/authorize`,
        issuer: `${this.url}${tenant}/v2.0`,
        jwks_uri: `${this.url}${tenant}/discovery/v2.0/keys`,
        token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
      });
    }
    if (url.pathname === `${tenant}/oauth2/v2.0/token` && req.method === "POST") {
      const form = body as Record<string, string>;
      if (form["grant_type"] !== "client_credentials") return json(400, { error: "unsupported_grant_type", error_description: "AADSTS70003: The app requested an unsupported grant type." });
      if (form["client_id"] !== this.options.clientId || form["client_secret"] !== this.options.clientSecret) {
        return json(401, { error: "invalid_client", error_description: "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value.", error_codes: [7000215] });
      }
      if (form["scope"] !== "https://management.azure.com/.default") return json(400, { error: "invalid_scope", error_description: `AADSTS70011: The provided value for the input parameter 'scope' is not valid: ${form["scope"]}` });
      const token = `arm-${randomBytes(12).toString("hex")}`;
      this.tokens.add(token);
      return json(200, { token_type: "Bearer", expires_in: 3599, ext_expires_in: 3599, access_token: token });
    }
    if (url.pathname.startsWith(tenant)) return json(404, { error: "not_found" });

    // -- Retail Prices API (public, no authentication)
    if (url.pathname === "/api/retail/prices" && req.method === "GET") return this.retailPrices(url, json);

    // -- Azure Resource Manager
    if (!url.pathname.startsWith("/subscriptions/")) return armError(res, 404, "NotFound", `No route for ${req.method} ${url.pathname}`);
    const auth = req.headers.authorization ?? "";
    if (!auth.startsWith("Bearer ") || !this.tokens.has(auth.slice(7))) {
      res.setHeader("www-authenticate", `Bearer authorization_uri="${this.url}${tenant}", error="invalid_token"`);
      return armError(res, 401, "InvalidAuthenticationToken", "The access token is invalid.");
    }
    if (!API_VERSION.test(query["api-version"] ?? "")) return armError(res, 400, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests.");
    const sub = `/subscriptions/${this.options.subscriptionId}`;
    if (!url.pathname.startsWith(`${sub}/`)) return armError(res, 404, "SubscriptionNotFound", `The subscription '${url.pathname.split("/")[2]}' could not be found.`);

    const op = new RegExp(`^${sub}/providers/Microsoft\\.(Compute|Network)/locations/([^/]+)/operations/([^/]+)$`, "i").exec(url.pathname);
    if (op && req.method === "GET") return this.operationStatus(op[3]!, json);

    const rg = `${sub}/resourceGroups/${this.options.resourceGroup}/providers/`;
    if (!url.pathname.toLowerCase().startsWith(rg.toLowerCase())) return armError(res, 404, "ResourceGroupNotFound", `Resource group '${url.pathname.split("/")[4]}' could not be found.`);
    const rest = url.pathname.slice(rg.length).split("/");
    const [provider, kind, name, sub2] = rest as [string, Resource["kind"], string | undefined, string | undefined];
    const known: Record<string, string> = { virtualMachines: "Microsoft.Compute", disks: "Microsoft.Compute", networkInterfaces: "Microsoft.Network", publicIPAddresses: "Microsoft.Network" };
    if (known[kind]?.toLowerCase() !== provider.toLowerCase()) return armError(res, 404, "InvalidResourceType", `The resource type '${kind}' could not be found in the namespace '${provider}'.`);
    if (!name) {
      if (kind === "virtualMachines" && req.method === "GET") return this.listVms(url, json);
      return armError(res, 405, "MethodNotAllowed", "The requested resource does not support this method.");
    }
    const id = this.idOf(kind, name);
    const existing = this.resources.get(id.toLowerCase());
    if (sub2 === "instanceView" && kind === "virtualMachines" && req.method === "GET") {
      if (!existing) return armError(res, 404, "ResourceNotFound", `The Resource 'Microsoft.Compute/virtualMachines/${name}' under resource group '${this.options.resourceGroup}' was not found.`);
      return json(200, this.instanceView(existing));
    }
    if (sub2 !== undefined) return armError(res, 404, "NotFound", `No route for ${url.pathname}`);

    switch (req.method) {
      case "GET":
        if (!existing) return armError(res, 404, "ResourceNotFound", `The Resource '${known[kind]}/${kind}/${name}' under resource group '${this.options.resourceGroup}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`);
        return json(200, this.view(existing, query["$expand"] === "instanceView"));
      case "PUT":
        if (existing && req.headers["if-none-match"] === "*") return armError(res, 412, "PreconditionFailed", `The resource ${name} already exists and If-None-Match is *.`);
        return this.put(kind, name, id, body as Obj, existing, res, json);
      case "DELETE":
        return this.delete(kind, name, existing, res, json);
      default:
        return armError(res, 405, "MethodNotAllowed", "The requested resource does not support this method.");
    }
  }

  private asyncHeaders(namespace: "Compute" | "Network", location: string, op: Operation, withLocation: boolean): Record<string, string> {
    const opId = randomUUID();
    this.operations.set(opId, op);
    const u = `${this.url}/subscriptions/${this.options.subscriptionId}/providers/Microsoft.${namespace}/locations/${location}/operations/${opId}?api-version=2024-07-01`;
    return { "azure-asyncoperation": u, "retry-after": "0", ...(withLocation ? { location: `${u}&monitor=true` } : {}) };
  }

  private operationStatus(opId: string, json: (s: number, o: unknown) => void): void {
    const op = this.operations.get(opId);
    if (!op) return json(404, { error: { code: "NotFound", message: `Operation ${opId} not found.` } });
    if (op.status === "InProgress") {
      op.polls += 1;
      if (op.polls > (this.options.operationPolls ?? 1)) {
        op.status = op.error ? "Failed" : "Succeeded";
        op.onDone?.();
      }
    }
    json(200, { name: opId, status: op.status, startTime: new Date().toISOString(), ...(op.status !== "InProgress" ? { endTime: new Date().toISOString() } : {}), ...(op.error ? { error: op.error } : {}) });
  }

  private view(r: Resource, withInstanceView = false): Obj {
    const { _power, _boot, ...body } = r.body; // eslint-disable-line @typescript-eslint/no-unused-vars
    const out = structuredClone(body);
    if (withInstanceView && r.kind === "virtualMachines") out["properties"].instanceView = this.instanceView(r);
    return out;
  }

  private instanceView(r: Resource): Obj {
    const state = r.body["properties"].provisioningState as string;
    const statuses: Obj[] = [{ code: `ProvisioningState/${state.toLowerCase()}`, level: "Info", displayStatus: state === "Succeeded" ? "Provisioning succeeded" : state }];
    const power = r.body["_power"] as string | undefined;
    if (power) statuses.push({ code: `PowerState/${power}`, level: "Info", displayStatus: `VM ${power}` });
    return { computerName: r.body["properties"].osProfile?.computerName, osName: "ubuntu", statuses };
  }

  private listVms(url: URL, json: (s: number, o: unknown) => void): void {
    const all = [...this.resources.values()].filter((r) => r.kind === "virtualMachines").sort((a, b) => a.name.localeCompare(b.name));
    const size = this.options.vmPageSize ?? 1;
    const skip = Number(url.searchParams.get("$skiptoken") ?? "0");
    const page = all.slice(skip, skip + size).map((r) => this.view(r));
    const next = skip + size < all.length ? `${this.url}${url.pathname}?api-version=${url.searchParams.get("api-version")}&$skiptoken=${skip + size}` : undefined;
    json(200, { value: page, ...(next ? { nextLink: next } : {}) });
  }

  private put(kind: Resource["kind"], name: string, id: string, body: Obj, existing: Resource | undefined, res: ServerResponse, json: (s: number, o: unknown, h?: Record<string, string>) => void): void {
    if (!body || typeof body !== "object" || typeof body["location"] !== "string") return armError(res, 400, "LocationRequired", "The location property is required for this definition.");
    const location = body["location"] as string;
    const props = (body["properties"] ?? {}) as Obj;
    const bad = (code: string, message: string, target?: string) => armError(res, 400, code, message, target);
    if (kind === "publicIPAddresses") {
      if (props["publicIPAllocationMethod"] !== "Static" || body["sku"]?.name !== "Standard") return bad("InvalidRequestFormat", "A Standard SKU public IP address must be Static.");
    } else if (kind === "networkInterfaces") {
      const ipc = props["ipConfigurations"]?.[0];
      const subnet = ipc?.properties?.subnet?.id as string | undefined;
      if (!subnet || !/^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Network\/virtualNetworks\/[^/]+\/subnets\/[^/]+$/i.test(subnet)) {
        return bad("InvalidRequestFormat", "Cannot parse the request: ipConfigurations[0].properties.subnet.id must be a subnet resource id.", "properties.ipConfigurations[0].properties.subnet.id");
      }
      const ip = ipc?.properties?.publicIPAddress?.id as string | undefined;
      if (ip && !this.resources.has(ip.toLowerCase())) return bad("InvalidResourceReference", `Resource ${ip} referenced by resource ${id} was not found.`);
    } else if (kind === "virtualMachines") {
      if (this.failNextVmCreate) {
        const f = this.failNextVmCreate;
        this.failNextVmCreate = undefined;
        return armError(res, f.status, f.code, f.message);
      }
      if (typeof props["hardwareProfile"]?.vmSize !== "string") return bad("InvalidParameter", "The value of parameter vmSize is invalid.", "vmSize");
      const os = props["osProfile"] ?? {};
      if (typeof os.adminUsername !== "string" || !os.computerName) return bad("InvalidParameter", "Required parameter 'osProfile' is missing (null).", "osProfile");
      const keys = os.linuxConfiguration?.ssh?.publicKeys ?? [];
      if (os.linuxConfiguration?.disablePasswordAuthentication !== true || keys.length === 0 || !keys.every((k: Obj) => /^ssh-rsa AAAA/.test(k.keyData ?? ""))) {
        return bad("InvalidParameter", "Destination path for SSH public keys and an ssh-rsa key are required when password authentication is disabled.", "linuxConfiguration");
      }
      if (typeof os.customData !== "string" || Buffer.from(os.customData, "base64").toString("base64") !== os.customData) return bad("InvalidParameter", "Custom data must be in Base64.", "customData");
      if (os.customData.length > 87380) return bad("InvalidParameter", "Custom data is larger than the maximum allowed.", "customData");
      for (const nic of props["networkProfile"]?.networkInterfaces ?? []) {
        if (!this.resources.has(String(nic.id).toLowerCase())) return bad("InvalidResourceReference", `Resource ${nic.id} referenced by resource ${id} was not found.`);
      }
      if (props["priority"] === "Spot" && !["Delete", "Deallocate"].includes(props["evictionPolicy"])) return bad("InvalidParameter", "Eviction policy is required for Spot VMs.", "evictionPolicy");
      if (existing) return json(200, this.view(existing));
    }
    if (existing) {
      existing.body = { ...body, id, name, type: `${kind === "disks" || kind === "virtualMachines" ? "Microsoft.Compute" : "Microsoft.Network"}/${kind}`, properties: { ...props, provisioningState: "Succeeded" } };
      return json(200, this.view(existing));
    }
    const resource: Resource = {
      kind,
      name,
      body: { ...body, id, name, type: `${kind === "virtualMachines" ? "Microsoft.Compute" : "Microsoft.Network"}/${kind}`, properties: { ...structuredClone(props), provisioningState: kind === "virtualMachines" ? "Creating" : "Updating" } },
    };
    this.resources.set(id.toLowerCase(), resource);
    if (kind === "virtualMachines") {
      // The OS disk comes into existence with the VM, named as the request says.
      const diskName = props["storageProfile"]?.osDisk?.name ?? `${name}_OsDisk_1_${randomBytes(16).toString("hex")}`;
      resource.body["properties"].storageProfile.osDisk = { ...props["storageProfile"]?.osDisk, name: diskName, managedDisk: { id: this.idOf("disks", diskName) } };
      this.resources.set(this.idOf("disks", diskName).toLowerCase(), { kind: "disks", name: diskName, body: { id: this.idOf("disks", diskName), name: diskName, location, properties: { provisioningState: "Succeeded", diskState: "Attached" }, managedBy: id } });
      setTimeout(() => this.boot(resource), 10);
    }
    const op: Operation = { status: "InProgress", polls: 0, onDone: () => {
      if (kind !== "virtualMachines") resource.body["properties"].provisioningState = "Succeeded";
    } };
    json(201, this.view(resource), this.asyncHeaders(kind === "virtualMachines" ? "Compute" : "Network", location, op, false));
  }

  private boot(vm: Resource): void {
    if (!this.resources.has(vm.body["id"].toLowerCase()) || vm.body["_boot"]) return;
    vm.body["_boot"] = true;
    vm.body["properties"].provisioningState = "Succeeded";
    vm.body["_power"] = "running";
    const customData = Buffer.from(vm.body["properties"].osProfile.customData, "base64").toString("utf8");
    this.options.onBoot?.({ name: vm.name, customData, body: this.view(vm) });
  }

  private attachedTo(kind: Resource["kind"], id: string): Resource | undefined {
    const lower = id.toLowerCase();
    for (const r of this.resources.values()) {
      const p = r.body["properties"] ?? {};
      if (kind === "disks" && r.kind === "virtualMachines" && String(p.storageProfile?.osDisk?.managedDisk?.id).toLowerCase() === lower) return r;
      if (kind === "networkInterfaces" && r.kind === "virtualMachines" && (p.networkProfile?.networkInterfaces ?? []).some((n: Obj) => String(n.id).toLowerCase() === lower)) return r;
      if (kind === "publicIPAddresses" && r.kind === "networkInterfaces" && (p.ipConfigurations ?? []).some((c: Obj) => String(c.properties?.publicIPAddress?.id).toLowerCase() === lower)) return r;
    }
    return undefined;
  }

  private delete(kind: Resource["kind"], name: string, existing: Resource | undefined, res: ServerResponse, json: (s: number, o: unknown, h?: Record<string, string>) => void): void {
    if (!existing) return json(204, undefined);
    const user = this.attachedTo(kind, existing.body["id"]);
    if (user) {
      if (kind === "disks") return armError(res, 409, "OperationNotAllowed", `Disk ${name} is attached to VM ${user.body["id"]}.`);
      if (kind === "networkInterfaces") return armError(res, 400, "NicInUse", `Network Interface ${existing.body["id"]} is used by existing resource ${user.body["id"]}. In order to delete the network interface, it must be dissociated from the resource.`);
      return armError(res, 400, "PublicIPAddressCannotBeDeleted", `Public IP address ${existing.body["id"]} can not be deleted since it is still allocated to resource ${user.body["id"]}/ipConfigurations/ipconfig1.`);
    }
    const location = existing.body["location"] as string;
    if (kind === "virtualMachines") {
      existing.body["properties"].provisioningState = "Deleting";
      const op: Operation = { status: "InProgress", polls: 0, onDone: () => this.removeVm(existing) };
      // The VM goes away on its own shortly even when nobody polls the operation.
      setTimeout(() => this.removeVm(existing), 30);
      return json(202, undefined, this.asyncHeaders("Compute", location, op, true));
    }
    this.resources.delete(existing.body["id"].toLowerCase());
    const op: Operation = { status: "InProgress", polls: 0 };
    json(202, undefined, this.asyncHeaders(kind === "disks" ? "Compute" : "Network", location, op, true));
  }

  /** Deletes a VM with what its delete options say goes with it. */
  private removeVm(vm: Resource): void {
    const id = String(vm.body["id"]).toLowerCase();
    if (!this.resources.has(id)) return;
    this.resources.delete(id);
    const p = vm.body["properties"];
    const disk = p.storageProfile?.osDisk;
    if (disk?.deleteOption === "Delete") this.resources.delete(String(disk.managedDisk?.id).toLowerCase());
    else {
      const d = this.resources.get(String(disk?.managedDisk?.id).toLowerCase());
      if (d) d.body["properties"].diskState = "Unattached";
    }
    for (const n of p.networkProfile?.networkInterfaces ?? []) {
      if (n.properties?.deleteOption !== "Delete") continue;
      const nic = this.resources.get(String(n.id).toLowerCase());
      this.resources.delete(String(n.id).toLowerCase());
      for (const c of nic?.body["properties"].ipConfigurations ?? []) {
        if (c.properties?.publicIPAddress?.properties?.deleteOption === "Delete") this.resources.delete(String(c.properties.publicIPAddress.id).toLowerCase());
      }
    }
    this.options.onDelete?.(vm.name);
  }

  // ---- Retail Prices API --------------------------------------------------------------------

  private retailPrices(url: URL, json: (s: number, o: unknown) => void): void {
    const filter = url.searchParams.get("$filter") ?? "";
    const clauses = filter === "" ? [] : filter.split(/\s+and\s+/i);
    const tests: ((item: Obj) => boolean)[] = [];
    for (const c of clauses) {
      const m = /^\s*(\w+)\s+eq\s+'([^']*)'\s*$/.exec(c);
      if (!m) return json(400, { Error: { Code: "InvalidFilter", Message: `Invalid OData filter clause: ${c}` } });
      // The API filters on `priceType`, which items carry as `type`.
      const field = m[1] === "priceType" ? "type" : m[1]!;
      tests.push((item) => String(item[field]).toLowerCase() === m[2]!.toLowerCase());
    }
    const matching = (this.options.priceItems ?? []).filter((i) => tests.every((t) => t(i)));
    const size = this.options.pricePageSize ?? 2;
    const skip = Number(url.searchParams.get("$skip") ?? "0");
    const page = matching.slice(skip, skip + size);
    const next = new URL(url.toString());
    next.searchParams.set("$skip", String(skip + size));
    json(200, {
      BillingCurrency: "USD",
      CustomerEntityId: "Default",
      CustomerEntityType: "Retail",
      Items: page,
      NextPageLink: skip + size < matching.length ? next.toString() : null,
      Count: page.length,
    });
  }
}

/** A Retail Prices API item with the fields the real API returns for a VM meter. */
export function retailPriceItem(armSkuName: string, region: string, price: number, kind: "linux" | "spot" | "windows" | "low-priority" = "linux"): Obj {
  const series = armSkuName.replace(/^Standard_/, "").replaceAll("_", " ");
  const skuName = kind === "spot" ? `${series} Spot` : kind === "low-priority" ? `${series} Low Priority` : series;
  return {
    currencyCode: "USD",
    tierMinimumUnits: 0,
    retailPrice: price,
    unitPrice: price,
    armRegionName: region,
    location: region === "eastus" ? "US East" : "EU West",
    effectiveStartDate: "2025-01-01T00:00:00Z",
    meterId: randomUUID(),
    meterName: skuName,
    productId: "DZH318Z0BQ4L",
    skuId: "DZH318Z0BQ4L/00TG",
    productName: kind === "windows" ? `Virtual Machines ${series.split(" ")[0]} Series Windows` : `Virtual Machines ${series.split(" ")[0]} Series`,
    skuName,
    serviceName: "Virtual Machines",
    serviceId: "DZH313Z7MMC8",
    serviceFamily: "Compute",
    unitOfMeasure: "1 Hour",
    type: "Consumption",
    isPrimaryMeterRegion: true,
    armSkuName,
  };
}
