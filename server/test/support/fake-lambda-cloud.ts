import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { SandboxMachines, type SandboxRunOptions } from "../../src/training/providers/remote/remote-testing.js";

/**
 * Lambda Cloud API v1 on 127.0.0.1 for tests, speaking its documented wire shapes: `{data: ...}`
 * answers, `{error: {code, message, suggestion}}` errors with their codes, bearer or basic API-key
 * auth. It ASSERTS what it receives: a launch body with an unknown or missing field, a wrong type, an
 * unknown region or instance type, or not exactly one registered SSH key is refused as Lambda does
 * (400 `global/invalid-parameters`), and every request is recorded. A launched instance RUNS its
 * user data: the bootstrap script is executed by bash in a sandbox directory (see SandboxMachines),
 * so the job really downloads its code, runs and uploads its status and outputs.
 */

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface FakeLambdaType {
  readonly name: string;
  readonly gpuDescription: string;
  readonly priceCents: number;
  readonly vcpus: number;
  readonly memoryGib: number;
  readonly storageGib: number;
  readonly gpus: number;
  /** Regions with capacity now. */
  readonly regions: readonly string[];
}

export interface FakeLambdaOptions {
  readonly apiKey: string;
  readonly sandboxRoot: string;
  readonly sshKeys?: readonly string[];
  readonly types?: readonly FakeLambdaType[];
  /** Variables the sandboxed machines get (e.g. PATH). */
  readonly machineEnv?: SandboxRunOptions["env"];
}

export interface LambdaRecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly authorization: string;
  readonly body: unknown;
}

const REGIONS: Record<string, string> = { "us-east-1": "Virginia, USA", "us-west-1": "California, USA", "europe-central-1": "Germany" };

const DEFAULT_TYPES: FakeLambdaType[] = [
  { name: "gpu_1x_a10", gpuDescription: "A10 (24 GB PCIe)", priceCents: 75, vcpus: 30, memoryGib: 200, storageGib: 1400, gpus: 1, regions: ["us-east-1", "us-west-1"] },
  { name: "gpu_1x_a100_sxm4", gpuDescription: "A100 (40 GB SXM4)", priceCents: 129, vcpus: 30, memoryGib: 200, storageGib: 512, gpus: 1, regions: ["us-west-1"] },
  { name: "gpu_8x_h100_sxm5", gpuDescription: "H100 (80 GB SXM5)", priceCents: 2392, vcpus: 208, memoryGib: 1800, storageGib: 24000, gpus: 8, regions: [] },
];

interface Instance {
  id: string;
  name: string;
  status: "booting" | "active" | "unhealthy" | "terminating" | "terminated";
  region: string;
  type: FakeLambdaType;
  sshKeyNames: string[];
  userData: string;
  stoppedItself: boolean;
}

export class FakeLambdaCloud {
  readonly requests: LambdaRecordedRequest[] = [];
  readonly machines = new SandboxMachines();
  readonly instances = new Map<string, Instance>();
  /** When set, launches answer 400 insufficient capacity. */
  noCapacity = false;
  private server!: Server;
  url = "";
  private readonly types: readonly FakeLambdaType[];
  private readonly sshKeys: readonly string[];

  private constructor(private readonly options: FakeLambdaOptions) {
    this.types = options.types ?? DEFAULT_TYPES;
    this.sshKeys = options.sshKeys ?? ["artenic"];
  }

  static async start(options: FakeLambdaOptions): Promise<FakeLambdaCloud> {
    const fake = new FakeLambdaCloud(options);
    fake.server = createServer((req, res) => void fake.handle(req, res));
    await new Promise<void>((r) => fake.server.listen(0, "127.0.0.1", r));
    fake.url = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}/api/v1`;
    return fake;
  }

  async close(): Promise<void> {
    await this.machines.killAll();
    await new Promise((r) => this.server.close(r));
  }

  /** `METHOD /path` of every request, in order. */
  calls(): string[] {
    return this.requests.map((r) => `${r.method} ${r.path}`);
  }

  /** The machine vanishes under the job (hardware failure, a terminate from the console). */
  async vanish(id: string): Promise<void> {
    await this.machines.kill(id);
    this.instances.delete(id);
  }

  private typeJson(t: FakeLambdaType): Json {
    return {
      name: t.name,
      description: `${t.gpus}x ${t.gpuDescription.split(" (")[0]}`,
      gpu_description: t.gpuDescription,
      price_cents_per_hour: t.priceCents,
      specs: { vcpus: t.vcpus, memory_gib: t.memoryGib, storage_gib: t.storageGib, gpus: t.gpus },
    };
  }

  private instanceJson(i: Instance): Json {
    return {
      id: i.id,
      name: i.name,
      ip: "198.51.100.7",
      private_ip: "10.19.0.7",
      status: i.status,
      ssh_key_names: i.sshKeyNames,
      file_system_names: [],
      region: { name: i.region, description: REGIONS[i.region] },
      instance_type: this.typeJson(i.type),
      hostname: `${i.id.slice(0, 8)}.cloud.lambdalabs.com`,
      jupyter_token: "",
      jupyter_url: "",
      is_reserved: false,
    };
  }

  private send(res: ServerResponse, status: number, body: Json): void {
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  }

  private error(res: ServerResponse, status: number, code: string, message: string, suggestion?: string): void {
    this.send(res, status, { error: { code, message, ...(suggestion ? { suggestion } : {}) } });
  }

  private authorized(header: string): boolean {
    if (header === `Bearer ${this.options.apiKey}`) return true;
    if (header.startsWith("Basic ")) return Buffer.from(header.slice(6), "base64").toString() === `${this.options.apiKey}:`;
    return false;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString();
    let body: unknown;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      return this.error(res, 400, "global/invalid-parameters", "Request body is not valid JSON.");
    }
    const path = (req.url ?? "").split("?")[0]!.replace(/^\/api\/v1/, "");
    const method = req.method ?? "";
    this.requests.push({ method, path, authorization: req.headers.authorization ?? "", body });
    if (!this.authorized(req.headers.authorization ?? "")) {
      return this.error(res, 401, "global/invalid-api-key", "API key was invalid, expired, or deleted.", "Check your API key or create a new one, then try again.");
    }
    if (raw && req.headers["content-type"] !== "application/json") return this.error(res, 400, "global/invalid-parameters", "Content-Type must be application/json.");

    if (method === "GET" && path === "/instance-types") {
      const data: Json = {};
      for (const t of this.types) data[t.name] = { instance_type: this.typeJson(t), regions_with_capacity_available: t.regions.map((r) => ({ name: r, description: REGIONS[r] })) };
      return this.send(res, 200, { data });
    }
    if (method === "GET" && path === "/ssh-keys") {
      return this.send(res, 200, { data: this.sshKeys.map((name, i) => ({ id: `key-${i}`, name, public_key: "ssh-ed25519 AAAA test" })) });
    }
    if (method === "GET" && path === "/instances") {
      return this.send(res, 200, { data: [...this.instances.values()].filter((i) => i.status !== "terminated").map((i) => this.instanceJson(i)) });
    }
    const one = /^\/instances\/([0-9a-f]+)$/.exec(path);
    if (method === "GET" && one) {
      const i = this.instances.get(one[1]!);
      if (!i || i.status === "terminated") return this.error(res, 404, "global/object-does-not-exist", "Specified instance does not exist.");
      return this.send(res, 200, { data: this.instanceJson(i) });
    }
    if (method === "POST" && path === "/instance-operations/launch") return this.launch(body as Json, res);
    if (method === "POST" && path === "/instance-operations/terminate") {
      const b = body as Json;
      if (!b || Object.keys(b).join() !== "instance_ids" || !Array.isArray(b["instance_ids"]) || b["instance_ids"].some((x: unknown) => typeof x !== "string")) {
        return this.error(res, 400, "global/invalid-parameters", "instance_ids must be a list of instance ids.");
      }
      const found = (b["instance_ids"] as string[]).map((id) => this.instances.get(id));
      if (found.some((i) => !i || i.status === "terminated")) return this.error(res, 404, "global/object-does-not-exist", "Specified instance does not exist.");
      for (const i of found as Instance[]) {
        i.status = "terminated";
        await this.machines.kill(i.id);
      }
      return this.send(res, 200, { data: { terminated_instances: (found as Instance[]).map((i) => this.instanceJson(i)) } });
    }
    return this.error(res, 404, "global/object-does-not-exist", `No route for ${method} ${path}.`);
  }

  private launch(b: Json | undefined, res: ServerResponse): void {
    const allowed = ["region_name", "instance_type_name", "ssh_key_names", "file_system_names", "quantity", "name", "user_data", "tags", "hostname", "image", "firewall_rulesets"];
    const invalid = (message: string) => this.error(res, 400, "global/invalid-parameters", message);
    if (!b || typeof b !== "object") return invalid("A JSON body is required.");
    const unknown = Object.keys(b).filter((k) => !allowed.includes(k));
    if (unknown.length > 0) return invalid(`Unknown fields: ${unknown.join(", ")}.`);
    if (typeof b["region_name"] !== "string" || !(b["region_name"] in REGIONS)) return invalid("region_name must be a valid region name.");
    const type = this.types.find((t) => t.name === b["instance_type_name"]);
    if (!type) return invalid("instance_type_name must be a valid instance type name.");
    const keys = b["ssh_key_names"];
    if (!Array.isArray(keys) || keys.length !== 1 || !this.sshKeys.includes(keys[0])) return invalid("ssh_key_names must name exactly one registered SSH key.");
    if (b["file_system_names"] !== undefined && (!Array.isArray(b["file_system_names"]) || b["file_system_names"].length > 1)) return invalid("file_system_names must be a list of at most one name.");
    if (b["quantity"] !== undefined && b["quantity"] !== 1) return invalid("quantity must be 1.");
    if (b["name"] !== undefined && (typeof b["name"] !== "string" || b["name"].length > 64)) return invalid("name must be a string of at most 64 characters.");
    if (typeof b["user_data"] !== "string" || Buffer.byteLength(b["user_data"]) > 1024 * 1024) return invalid("user_data must be a string of at most 1 MiB.");
    if (this.noCapacity || !type.regions.includes(b["region_name"])) {
      return this.error(res, 400, "instance-operations/launch/insufficient-capacity", "Not enough capacity to fulfill launch request.", "Choose an instance type with more availability, or try again later.");
    }
    const id = randomBytes(16).toString("hex");
    const instance: Instance = { id, name: (b["name"] as string) ?? "", status: "booting", region: b["region_name"], type, sshKeyNames: keys, userData: b["user_data"], stoppedItself: false };
    this.instances.set(id, instance);
    // Boots, then cloud-init runs the user data; the script's `shutdown` powers the OS off, which
    // Lambda reports as unhealthy (the instance stays billed until terminated).
    setTimeout(() => {
      if (instance.status !== "booting") return;
      instance.status = "active";
      const stopMarker = join(this.options.sandboxRoot, id, ".stopped");
      void this.machines
        .start(id, instance.userData, { root: join(this.options.sandboxRoot, id), ...(this.options.machineEnv ? { env: this.options.machineEnv } : {}), stop: `touch '${stopMarker}'` })
        .then(async () => {
          const { existsSync } = await import("node:fs");
          if (existsSync(stopMarker) && instance.status === "active") {
            instance.stoppedItself = true;
            instance.status = "unhealthy";
          }
        });
    }, 20);
    this.send(res, 200, { data: { instance_ids: [id] } });
  }
}
