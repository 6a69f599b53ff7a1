import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { SandboxMachines } from "../../src/training/providers/remote/remote-testing.js";
import { shellQuote } from "../../src/training/providers/remote/index.js";

/**
 * The Vast.ai REST API v0 on 127.0.0.1 for tests: offer search (`POST /bundles/` with the JSON
 * operator query, applied and ordered as Vast does), accepting an offer (`PUT /asks/{id}/`),
 * instances (list, read, stop, destroy) and the current user, with `{"success": false, "error",
 * "msg"}` errors and bearer auth. It ASSERTS what it receives: unknown query or body fields, a
 * malformed operator, a missing image or args, or a bid under the offer's minimum are refused
 * (400 `invalid_args`). An accepted offer RUNS: the image's command (`args`) is executed by bash in
 * a sandbox directory with the instance's environment, as the container would, so the bootstrap
 * really moves the job's objects through the platform transfer.
 */

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface FakeVastOffer {
  readonly id: number;
  readonly gpu_name: string;
  readonly num_gpus: number;
  readonly gpu_ram: number;
  readonly cpu_cores_effective: number;
  readonly cpu_ram: number;
  readonly disk_space: number;
  readonly dph_total: number;
  readonly min_bid: number;
  readonly reliability2: number;
  readonly verified: boolean;
  rentable: boolean;
  rented: boolean;
}

const DEFAULT_OFFERS: Omit<FakeVastOffer, "rentable" | "rented">[] = [
  { id: 1001, gpu_name: "RTX 4090", num_gpus: 1, gpu_ram: 24564, cpu_cores_effective: 16, cpu_ram: 64000, disk_space: 200, dph_total: 0.42, min_bid: 0.21, reliability2: 0.991, verified: true },
  { id: 1002, gpu_name: "RTX 4090", num_gpus: 1, gpu_ram: 24564, cpu_cores_effective: 8, cpu_ram: 32000, disk_space: 100, dph_total: 0.38, min_bid: 0.2, reliability2: 0.97, verified: true },
  { id: 1003, gpu_name: "RTX 4090", num_gpus: 1, gpu_ram: 24564, cpu_cores_effective: 32, cpu_ram: 128000, disk_space: 500, dph_total: 0.3, min_bid: 0.15, reliability2: 0.8, verified: true },
  { id: 1004, gpu_name: "A100 SXM4", num_gpus: 1, gpu_ram: 81920, cpu_cores_effective: 24, cpu_ram: 258000, disk_space: 800, dph_total: 1.05, min_bid: 0.55, reliability2: 0.995, verified: true },
  { id: 1005, gpu_name: "A100 SXM4", num_gpus: 2, gpu_ram: 81920, cpu_cores_effective: 48, cpu_ram: 516000, disk_space: 1600, dph_total: 2.1, min_bid: 1.1, reliability2: 0.995, verified: true },
  // A marketplace has many more: enough for the contract suite's concurrent jobs.
  ...Array.from({ length: 8 }, (_, k) => ({ id: 1100 + k, gpu_name: "RTX 4090", num_gpus: 1, gpu_ram: 24564, cpu_cores_effective: 12, cpu_ram: 48000, disk_space: 150, dph_total: 0.45 + k / 100, min_bid: 0.25, reliability2: 0.96, verified: true })),
  { id: 1006, gpu_name: "H100 SXM", num_gpus: 1, gpu_ram: 81559, cpu_cores_effective: 26, cpu_ram: 200000, disk_space: 1000, dph_total: 2.2, min_bid: 1.3, reliability2: 0.99, verified: false },
];

const QUERY_FIELDS = new Set(["verified", "rentable", "rented", "reliability2", "num_gpus", "disk_space", "gpu_name", "dph_total", "cpu_cores_effective", "cpu_ram", "type", "order", "limit"]);
const OPERATORS = new Set(["eq", "neq", "gt", "gte", "lt", "lte", "in"]);
const CREATE_FIELDS = new Set(["client_id", "image", "disk", "label", "runtype", "args", "args_str", "env", "onstart", "price", "image_login"]);

interface FakeInstance {
  id: number;
  label: string;
  offer: FakeVastOffer;
  actual_status: string | null;
  intended_status: string;
  status_msg: string;
  is_bid: boolean;
  start_date: number | null;
  body: Json;
  destroyed: boolean;
}

export class FakeVast {
  readonly requests: { method: string; path: string; authorization: string; body: unknown }[] = [];
  readonly machines = new SandboxMachines();
  readonly instances = new Map<number, FakeInstance>();
  readonly offers: FakeVastOffer[];
  private server!: Server;
  url = "";
  private next = 5_000_001;

  private constructor(private readonly options: { apiKey: string; sandboxRoot: string }) {
    this.offers = DEFAULT_OFFERS.map((o) => ({ ...o, rentable: true, rented: false }));
  }

  static async start(options: { apiKey: string; sandboxRoot: string }): Promise<FakeVast> {
    const fake = new FakeVast(options);
    fake.server = createServer((req, res) => void fake.handle(req, res));
    await new Promise<void>((r) => fake.server.listen(0, "127.0.0.1", r));
    fake.url = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}/api/v0`;
    return fake;
  }

  async close(): Promise<void> {
    await this.machines.killAll();
    await new Promise((r) => this.server.close(r));
  }

  calls(): string[] {
    return this.requests.map((r) => `${r.method} ${r.path}`);
  }

  /** A higher bid takes the machine: the container is killed and the instance stops, wanting to run again. */
  async outbid(id: number): Promise<void> {
    const i = this.instances.get(id)!;
    if (!i.is_bid) throw new Error("only interruptible instances are outbid");
    await this.machines.kill(String(id));
    i.actual_status = "exited";
    i.status_msg = "Outbid: the machine was given to a higher bid";
  }

  private send(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  }

  private fail(res: ServerResponse, status: number, error: string, msg: string): void {
    this.send(res, status, { success: false, error, msg });
  }

  private instanceJson(i: FakeInstance): Json {
    return {
      id: i.id,
      label: i.label,
      actual_status: i.actual_status,
      intended_status: i.intended_status,
      cur_state: i.actual_status === "running" ? "running" : "stopped",
      status_msg: i.status_msg,
      is_bid: i.is_bid,
      start_date: i.start_date,
      gpu_name: i.offer.gpu_name,
      num_gpus: i.offer.num_gpus,
      dph_total: i.is_bid ? i.body["price"] : i.offer.dph_total,
      image_uuid: i.body["image"],
      machine_id: 42,
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString();
    let body: Json | undefined;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      return this.fail(res, 400, "invalid_args", "The body is not JSON.");
    }
    const url = new URL(req.url ?? "/", "http://x");
    const path = url.pathname.replace(/^\/api\/v0/, "");
    const method = req.method ?? "";
    this.requests.push({ method, path: `${path}${url.search}`, authorization: req.headers.authorization ?? "", body });
    if (req.headers.authorization !== `Bearer ${this.options.apiKey}`) return this.fail(res, 401, "invalid_user", "Invalid user key.");

    if (method === "GET" && path === "/users/current/") return this.send(res, 200, { id: 77, username: "artenic-test", credit: 25.5 });
    if (method === "POST" && path === "/bundles/") return this.search(body, res);
    const ask = /^\/asks\/(\d+)\/$/.exec(path);
    if (method === "PUT" && ask) return this.accept(Number(ask[1]), body, res);
    if (method === "GET" && path === "/instances/") {
      if (url.searchParams.get("owner") !== "me") return this.fail(res, 400, "invalid_args", "owner=me is required.");
      return this.send(res, 200, { instances: [...this.instances.values()].filter((i) => !i.destroyed).map((i) => this.instanceJson(i)) });
    }
    const one = /^\/instances\/(\d+)\/$/.exec(path);
    if (one) {
      const i = this.instances.get(Number(one[1]));
      const live = i && !i.destroyed ? i : undefined;
      if (method === "GET") return this.send(res, 200, { instances: live ? this.instanceJson(live) : null });
      if (!live) return this.fail(res, 404, "no_such_instance", "Instance not found.");
      if (method === "DELETE") {
        live.destroyed = true;
        live.offer.rented = false;
        await this.machines.kill(String(live.id));
        return this.send(res, 200, { success: true });
      }
      if (method === "PUT") {
        if (!body || Object.keys(body).join() !== "state" || !["running", "stopped"].includes(body["state"])) return this.fail(res, 400, "invalid_args", "state must be running or stopped.");
        live.intended_status = body["state"];
        if (body["state"] === "stopped") {
          await this.machines.kill(String(live.id));
          live.actual_status = "exited";
        }
        return this.send(res, 200, { success: true });
      }
    }
    return this.fail(res, 404, "not_found", `No route for ${method} ${path}.`);
  }

  private search(q: Json | undefined, res: ServerResponse): void {
    if (!q || typeof q !== "object") return this.fail(res, 400, "invalid_args", "A JSON query is required.");
    for (const [k, v] of Object.entries(q)) {
      if (!QUERY_FIELDS.has(k)) return this.fail(res, 400, "invalid_args", `Unknown query field ${k}.`);
      if (k === "type") {
        if (v !== "on-demand" && v !== "bid" && v !== "reserved") return this.fail(res, 400, "invalid_args", "type must be on-demand, bid or reserved.");
      } else if (k === "order") {
        if (!Array.isArray(v) || !v.every((o) => Array.isArray(o) && o.length === 2 && typeof o[0] === "string" && (o[1] === "asc" || o[1] === "desc"))) return this.fail(res, 400, "invalid_args", "order must be [[field, asc|desc]].");
      } else if (k === "limit") {
        if (!Number.isInteger(v) || v < 1 || v > 1000) return this.fail(res, 400, "invalid_args", "limit must be 1 to 1000.");
      } else if (!v || typeof v !== "object" || Object.keys(v).some((op) => !OPERATORS.has(op))) {
        return this.fail(res, 400, "invalid_args", `${k} needs an operator object such as {"eq": ...}.`);
      }
    }
    let offers = this.offers.filter((o) => {
      for (const [k, v] of Object.entries(q)) {
        if (k === "type" || k === "order" || k === "limit") continue;
        const value = (o as unknown as Json)[k];
        for (const [op, want] of Object.entries(v as Json)) {
          const ok = op === "eq" ? value === want : op === "neq" ? value !== want : op === "gt" ? value > want : op === "gte" ? value >= want : op === "lt" ? value < want : op === "lte" ? value <= want : (want as unknown[]).includes(value);
          if (!ok) return false;
        }
      }
      return true;
    });
    for (const [field, dir] of [...((q["order"] as [string, string][]) ?? [])].reverse()) {
      offers = [...offers].sort((a, b) => ((a as unknown as Json)[field] - (b as unknown as Json)[field]) * (dir === "asc" ? 1 : -1));
    }
    this.send(res, 200, { offers: offers.slice(0, q["limit"] ?? 64).map(({ rented: _r, ...o }) => ({ ...o, ask_contract_id: o.id, geolocation: "Sweden, SE" })) });
  }

  private accept(offerId: number, b: Json | undefined, res: ServerResponse): void {
    if (!b || typeof b !== "object") return this.fail(res, 400, "invalid_args", "A JSON body is required.");
    const unknown = Object.keys(b).filter((k) => !CREATE_FIELDS.has(k));
    if (unknown.length > 0) return this.fail(res, 400, "invalid_args", `Unknown fields: ${unknown.join(", ")}.`);
    if (b["client_id"] !== "me") return this.fail(res, 400, "invalid_args", 'client_id must be "me".');
    if (typeof b["image"] !== "string" || b["image"] === "") return this.fail(res, 400, "invalid_args", "image is required.");
    if (typeof b["disk"] !== "number" || b["disk"] <= 0) return this.fail(res, 400, "invalid_args", "disk must be a positive number of GB.");
    if (b["runtype"] !== "args" || !Array.isArray(b["args"]) || !b["args"].every((a: unknown) => typeof a === "string")) return this.fail(res, 400, "invalid_args", "runtype args needs args, a list of strings.");
    if (b["env"] !== undefined && (typeof b["env"] !== "object" || Object.values(b["env"]).some((v) => typeof v !== "string"))) return this.fail(res, 400, "invalid_args", "env must map names to strings.");
    const offer = this.offers.find((o) => o.id === offerId);
    if (!offer || offer.rented || !offer.rentable) return this.fail(res, 400, "no_such_ask", `Instance type ${offerId} is no longer available.`);
    if (b["price"] !== undefined && (typeof b["price"] !== "number" || b["price"] < offer.min_bid)) return this.fail(res, 400, "invalid_args", `price is below the minimum bid of ${offer.min_bid}.`);
    if (b["disk"] > offer.disk_space) return this.fail(res, 400, "invalid_args", "disk is larger than the offer's.");
    const id = this.next++;
    offer.rented = true;
    const instance: FakeInstance = { id, label: b["label"] ?? "", offer, actual_status: "loading", intended_status: "running", status_msg: "Pulling image", is_bid: b["price"] !== undefined, start_date: null, body: b, destroyed: false };
    this.instances.set(id, instance);
    setTimeout(() => {
      if (instance.destroyed || instance.actual_status !== "loading") return;
      instance.actual_status = "running";
      instance.status_msg = "";
      instance.start_date = Date.now() / 1000;
      const env: Record<string, string> = { CONTAINER_ID: String(id), CONTAINER_API_KEY: "instance-scoped-key", ...(b["env"] ?? {}) };
      const script = `exec ${(b["args"] as string[]).map(shellQuote).join(" ")}\n`;
      void this.machines.start(String(id), script, { root: join(this.options.sandboxRoot, String(id)), env }).then(() => {
        if (!instance.destroyed && instance.actual_status === "running") instance.actual_status = "exited";
      });
    }, 20);
    this.send(res, 200, { success: true, new_contract: id });
  }
}
