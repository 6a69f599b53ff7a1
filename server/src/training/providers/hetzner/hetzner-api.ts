import { AppError } from "../../../platform/errors/app-error.js";
import { HttpApi, field, isArray, isNumber, isObject, isString } from "../http-api/http-api.js";

/**
 * The Hetzner Cloud API calls the adapter makes (https://docs.hetzner.cloud): Bearer token; lists
 * paginated with page/per_page and `meta.pagination.next_page`; errors as
 * {"error": {"code", "message", "details"}}. Servers carry the training job as a label (the
 * idempotency key) and the bootstrap script as user_data; server types carry their hourly prices per
 * location, which is Hetzner's pricing API.
 */

export interface HetznerPrice {
  readonly location: string;
  /** EUR per hour without VAT. */
  readonly hourlyNet: number;
}

export interface HetznerServerType {
  readonly name: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly diskGiB: number;
  readonly architecture: string;
  readonly deprecated: boolean;
  readonly prices: readonly HetznerPrice[];
}

export interface HetznerServer {
  readonly id: number;
  readonly name: string;
  readonly status: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly created?: Date;
  readonly location: string;
}

export interface HetznerAction {
  readonly id: number;
  readonly command: string;
  readonly status: string;
  readonly error?: string;
}

export interface CreateHetznerServer {
  readonly name: string;
  readonly serverType: string;
  readonly image: string;
  readonly location: string;
  readonly userData: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly sshKeys?: readonly string[];
}

/** Hetzner refuses user_data over 32 KiB. */
export const MAX_USER_DATA_BYTES = 32 * 1024;
const PER_PAGE = 50;

export function hetznerErrorMessage(body: unknown): string | undefined {
  if (!isObject(body) || !isObject(body["error"])) return undefined;
  const e = body["error"];
  const code = isString(e["code"]) ? e["code"] : "";
  const message = isString(e["message"]) ? e["message"] : "";
  return code || message ? `${code}${code && message ? ": " : ""}${message}` : undefined;
}

function parseServer(raw: unknown): HetznerServer {
  const s = field(raw, "server", "hetzner", isObject);
  const labels: Record<string, string> = {};
  if (isObject(s["labels"])) for (const [k, v] of Object.entries(s["labels"])) if (isString(v)) labels[k] = v;
  const created = isString(s["created"]) && !Number.isNaN(Date.parse(s["created"])) ? { created: new Date(s["created"]) } : {};
  const datacenter = isObject(s["datacenter"]) ? s["datacenter"] : {};
  const location = isObject(datacenter["location"]) && isString(datacenter["location"]["name"]) ? datacenter["location"]["name"] : "";
  return { id: field(s["id"], "server.id", "hetzner", isNumber), name: isString(s["name"]) ? s["name"] : "", status: field(s["status"], "server.status", "hetzner", isString), labels, location, ...created };
}

function parseAction(raw: unknown): HetznerAction {
  const a = field(raw, "action", "hetzner", isObject);
  const error = isObject(a["error"]) && isString(a["error"]["message"]) ? { error: a["error"]["message"] } : {};
  return { id: field(a["id"], "action.id", "hetzner", isNumber), command: isString(a["command"]) ? a["command"] : "", status: field(a["status"], "action.status", "hetzner", isString), ...error };
}

export class HetznerApi {
  private readonly http: HttpApi;
  private readonly base: string;

  constructor(
    private readonly token: string,
    apiUrl: string,
    timeoutMs?: number,
  ) {
    this.base = apiUrl.replace(/\/+$/, "");
    this.http = new HttpApi({ provider: "hetzner", errorMessage: hetznerErrorMessage, ...(timeoutMs ? { timeoutMs } : {}) });
  }

  private headers() {
    return { authorization: `Bearer ${this.token}` };
  }

  /** Every item of a paginated list, following `meta.pagination.next_page`. */
  private async listAll(path: string, key: string, query: Record<string, string>, action: string, signal?: AbortSignal): Promise<unknown[]> {
    const items: unknown[] = [];
    let page = 1;
    for (let n = 0; n < 200; n++) {
      const q = new URLSearchParams({ ...query, page: String(page), per_page: String(PER_PAGE) });
      const response = await this.http.send({ method: "GET", url: `${this.base}${path}?${q}`, headers: this.headers(), action, signal });
      const body = field(response.json, "body", "hetzner", isObject);
      items.push(...field(body[key], key, "hetzner", isArray));
      const pagination = isObject(body["meta"]) && isObject(body["meta"]["pagination"]) ? body["meta"]["pagination"] : {};
      const next = pagination["next_page"];
      if (!isNumber(next) || next <= page) return items;
      page = next;
    }
    throw new AppError("unavailable", "HETZNER_PAGINATION", `hetzner: ${action} did not end after 200 pages`, {});
  }

  async serverTypes(signal?: AbortSignal): Promise<HetznerServerType[]> {
    const raw = await this.listAll("/server_types", "server_types", {}, "list server types", signal);
    return raw.map((r) => {
      const t = field(r, "server_types[]", "hetzner", isObject);
      const prices = field(t["prices"], "server_types[].prices", "hetzner", isArray).map((p) => {
        const price = field(p, "prices[]", "hetzner", isObject);
        const hourly = field(price["price_hourly"], "prices[].price_hourly", "hetzner", isObject);
        const net = Number(field(hourly["net"], "prices[].price_hourly.net", "hetzner", isString));
        if (!Number.isFinite(net) || net < 0) throw new AppError("unavailable", "PROVIDER_BAD_RESPONSE", `hetzner: price_hourly.net ${String(hourly["net"])} is not a price`, {});
        return { location: field(price["location"], "prices[].location", "hetzner", isString), hourlyNet: net };
      });
      return {
        name: field(t["name"], "server_types[].name", "hetzner", isString),
        cores: field(t["cores"], "server_types[].cores", "hetzner", isNumber),
        memoryGiB: field(t["memory"], "server_types[].memory", "hetzner", isNumber),
        diskGiB: isNumber(t["disk"]) ? t["disk"] : 0,
        architecture: t["architecture"] === "arm" ? "arm64" : "x86_64",
        deprecated: t["deprecated"] === true || isObject(t["deprecation"]),
        prices,
      };
    });
  }

  async serversWithLabel(selector: string, signal?: AbortSignal): Promise<HetznerServer[]> {
    return (await this.listAll("/servers", "servers", { label_selector: selector }, `find servers ${selector}`, signal)).map(parseServer);
  }

  /** Creates a server that starts at once; returns it with the create action. */
  async createServer(input: CreateHetznerServer, signal?: AbortSignal): Promise<{ server: HetznerServer; action: HetznerAction }> {
    if (Buffer.byteLength(input.userData) > MAX_USER_DATA_BYTES) {
      throw new AppError("invalid_argument", "HETZNER_USER_DATA_TOO_LARGE", `hetzner: the bootstrap script is ${Buffer.byteLength(input.userData)} bytes, over Hetzner's ${MAX_USER_DATA_BYTES}`, {});
    }
    const response = await this.http.send({
      method: "POST",
      url: `${this.base}/servers`,
      headers: this.headers(),
      action: `create server ${input.name}`,
      signal,
      json: {
        name: input.name,
        server_type: input.serverType,
        image: input.image,
        location: input.location,
        user_data: input.userData,
        labels: input.labels,
        start_after_create: true,
        public_net: { enable_ipv4: true, enable_ipv6: true },
        ...(input.sshKeys?.length ? { ssh_keys: input.sshKeys } : {}),
      },
    });
    const body = field(response.json, "body", "hetzner", isObject);
    return { server: parseServer(body["server"]), action: parseAction(body["action"]) };
  }

  async server(id: number, signal?: AbortSignal): Promise<HetznerServer | undefined> {
    const response = await this.http.sendAllowingNotFound({ method: "GET", url: `${this.base}/servers/${id}`, headers: this.headers(), action: `read server ${id}`, signal });
    return response ? parseServer(field(response.json, "body", "hetzner", isObject)["server"]) : undefined;
  }

  /** The server's actions that ended in error (a create or start that failed says why the server never ran). */
  async failedActions(serverId: number, signal?: AbortSignal): Promise<HetznerAction[]> {
    return (await this.listAll(`/servers/${serverId}/actions`, "actions", { status: "error" }, `read the failed actions of server ${serverId}`, signal)).map(parseAction);
  }

  /** Powers a server off at once (cancellation: the job must stop now, not after a graceful shutdown). */
  async powerOff(id: number, signal?: AbortSignal): Promise<void> {
    await this.http.sendAllowingNotFound({ method: "POST", url: `${this.base}/servers/${id}/actions/poweroff`, headers: this.headers(), action: `power off server ${id}`, signal });
  }

  /** Deletes a server (its auto-delete primary IPs and local disk go with it); already gone is success. */
  async deleteServer(id: number, signal?: AbortSignal): Promise<void> {
    await this.http.sendAllowingNotFound({ method: "DELETE", url: `${this.base}/servers/${id}`, headers: this.headers(), action: `delete server ${id}`, signal });
  }
}
