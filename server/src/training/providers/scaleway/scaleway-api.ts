import { AppError } from "../../../platform/errors/app-error.js";
import { HttpApi, field, isArray, isNumber, isObject, isString } from "../http-api/http-api.js";

/**
 * The Scaleway Instance API calls the adapter makes (api.scaleway.com/instance/v1/zones/{zone}):
 * X-Auth-Token with the API key's secret; servers created stopped with the training job as a tag
 * (the idempotency key), the bootstrap script set as cloud-init user data (PATCH, text/plain), then
 * started with the poweron action; terminate (server, local volumes and dynamic IP) or delete;
 * products/servers with each commercial type's hourly price, which is Scaleway's pricing API. Lists
 * are paginated with page/per_page and the X-Total-Count header; errors are
 * {"message", "type", "resource"?, "details"?}.
 */

export interface ScalewayProduct {
  readonly commercialType: string;
  readonly ncpus: number;
  readonly ramBytes: number;
  readonly arch: string;
  readonly gpu: number;
  readonly gpuName: string;
  readonly gpuMemoryBytes: number;
  /** EUR per hour. */
  readonly hourlyPrice: number;
  readonly endOfService: boolean;
}

export interface ScalewayServer {
  readonly id: string;
  readonly name: string;
  readonly state: string;
  readonly stateDetail: string;
  readonly tags: readonly string[];
  readonly volumeIds: readonly string[];
  readonly created?: Date;
}

export interface CreateScalewayServer {
  readonly name: string;
  readonly commercialType: string;
  readonly image: string;
  readonly project: string;
  readonly tags: readonly string[];
}

const PER_PAGE = 50;
/** Scaleway's cloud-init user data is limited to 1 MiB per key. */
export const MAX_USER_DATA_BYTES = 1024 * 1024;

export function scalewayErrorMessage(body: unknown): string | undefined {
  if (!isObject(body)) return undefined;
  const message = isString(body["message"]) ? body["message"] : "";
  const type = isString(body["type"]) ? body["type"] : "";
  const details = isArray(body["details"])
    ? body["details"]
        .filter(isObject)
        .map((d) => [d["argument_name"], d["reason"], d["help_message"]].filter(isString).join(" "))
        .filter(Boolean)
        .join("; ")
    : "";
  const text = [type, message].filter(Boolean).join(": ") + (details ? ` (${details})` : "");
  return text || undefined;
}

function parseServer(raw: unknown): ScalewayServer {
  const s = field(raw, "server", "scaleway", isObject);
  const volumes = isObject(s["volumes"]) ? Object.values(s["volumes"]).filter(isObject).map((v) => v["id"]).filter(isString) : [];
  const created = isString(s["creation_date"]) && !Number.isNaN(Date.parse(s["creation_date"])) ? { created: new Date(s["creation_date"]) } : {};
  return {
    id: field(s["id"], "server.id", "scaleway", isString),
    name: isString(s["name"]) ? s["name"] : "",
    state: field(s["state"], "server.state", "scaleway", isString),
    stateDetail: isString(s["state_detail"]) ? s["state_detail"] : "",
    tags: isArray(s["tags"]) ? s["tags"].filter(isString) : [],
    volumeIds: volumes,
    ...created,
  };
}

export class ScalewayApi {
  private readonly http: HttpApi;
  private readonly base: string;

  constructor(
    private readonly secretKey: string,
    apiUrl: string,
    readonly zone: string,
    timeoutMs?: number,
  ) {
    this.base = `${apiUrl.replace(/\/+$/, "")}/instance/v1/zones/${encodeURIComponent(zone)}`;
    this.http = new HttpApi({ provider: "scaleway", errorMessage: scalewayErrorMessage, ...(timeoutMs ? { timeoutMs } : {}) });
  }

  private headers(extra: Record<string, string> = {}) {
    return { "x-auth-token": this.secretKey, ...extra };
  }

  async products(signal?: AbortSignal): Promise<ScalewayProduct[]> {
    const out: ScalewayProduct[] = [];
    for (let page = 1; page <= 100; page++) {
      const q = new URLSearchParams({ page: String(page), per_page: String(PER_PAGE) });
      const response = await this.http.send({ method: "GET", url: `${this.base}/products/servers?${q}`, headers: this.headers(), action: "list server products", signal });
      const servers = field(field(response.json, "body", "scaleway", isObject)["servers"], "servers", "scaleway", isObject);
      for (const [commercialType, raw] of Object.entries(servers)) {
        const p = field(raw, `servers.${commercialType}`, "scaleway", isObject);
        const gpuInfo = isObject(p["gpu_info"]) ? p["gpu_info"] : {};
        out.push({
          commercialType,
          ncpus: field(p["ncpus"], `servers.${commercialType}.ncpus`, "scaleway", isNumber),
          ramBytes: field(p["ram"], `servers.${commercialType}.ram`, "scaleway", isNumber),
          arch: isString(p["arch"]) ? p["arch"] : "x86_64",
          gpu: isNumber(p["gpu"]) ? p["gpu"] : 0,
          gpuName: isString(gpuInfo["gpu_name"]) ? gpuInfo["gpu_name"] : "",
          gpuMemoryBytes: isNumber(gpuInfo["gpu_memory"]) ? gpuInfo["gpu_memory"] : 0,
          hourlyPrice: field(p["hourly_price"], `servers.${commercialType}.hourly_price`, "scaleway", isNumber),
          endOfService: p["end_of_service"] === true,
        });
      }
      const total = Number(response.headers.get("x-total-count") ?? out.length);
      if (Object.keys(servers).length === 0 || out.length >= total) return out;
    }
    throw new AppError("unavailable", "SCALEWAY_PAGINATION", "scaleway: the product list did not end after 100 pages", {});
  }

  /** Servers carrying every one of `tags`, across pages. */
  async serversTagged(tags: readonly string[], signal?: AbortSignal): Promise<ScalewayServer[]> {
    const out: ScalewayServer[] = [];
    for (let page = 1; page <= 100; page++) {
      const q = new URLSearchParams({ tags: tags.join(","), page: String(page), per_page: String(PER_PAGE) });
      const response = await this.http.send({ method: "GET", url: `${this.base}/servers?${q}`, headers: this.headers(), action: `find servers tagged ${tags.join(",")}`, signal });
      const servers = field(field(response.json, "body", "scaleway", isObject)["servers"], "servers", "scaleway", isArray);
      out.push(...servers.map(parseServer));
      const total = Number(response.headers.get("x-total-count") ?? out.length);
      if (servers.length === 0 || out.length >= total) return out;
    }
    throw new AppError("unavailable", "SCALEWAY_PAGINATION", "scaleway: the server list did not end after 100 pages", {});
  }

  /** Creates a stopped server with a dynamic public IP. */
  async createServer(input: CreateScalewayServer, signal?: AbortSignal): Promise<ScalewayServer> {
    const response = await this.http.send({
      method: "POST",
      url: `${this.base}/servers`,
      headers: this.headers(),
      action: `create server ${input.name}`,
      signal,
      json: { name: input.name, commercial_type: input.commercialType, image: input.image, project: input.project, tags: input.tags, dynamic_ip_required: true },
    });
    return parseServer(field(response.json, "body", "scaleway", isObject)["server"]);
  }

  async setCloudInit(id: string, script: string, signal?: AbortSignal): Promise<void> {
    if (Buffer.byteLength(script) > MAX_USER_DATA_BYTES) {
      throw new AppError("invalid_argument", "SCALEWAY_USER_DATA_TOO_LARGE", `scaleway: the bootstrap script is ${Buffer.byteLength(script)} bytes, over Scaleway's ${MAX_USER_DATA_BYTES}`, {});
    }
    await this.http.send({ method: "PATCH", url: `${this.base}/servers/${encodeURIComponent(id)}/user_data/cloud-init`, headers: this.headers({ "content-type": "text/plain" }), body: script, action: `set the user data of server ${id}`, signal });
  }

  async action(id: string, action: "poweron" | "poweroff" | "terminate", signal?: AbortSignal): Promise<void> {
    await this.http.send({ method: "POST", url: `${this.base}/servers/${encodeURIComponent(id)}/action`, headers: this.headers(), json: { action }, action: `${action} server ${id}`, signal });
  }

  async server(id: string, signal?: AbortSignal): Promise<ScalewayServer | undefined> {
    const response = await this.http.sendAllowingNotFound({ method: "GET", url: `${this.base}/servers/${encodeURIComponent(id)}`, headers: this.headers(), action: `read server ${id}`, signal });
    return response ? parseServer(field(response.json, "body", "scaleway", isObject)["server"]) : undefined;
  }

  /** Deletes a stopped server (its volumes stay; see deleteVolume); already gone is success. */
  async deleteServer(id: string, signal?: AbortSignal): Promise<void> {
    await this.http.sendAllowingNotFound({ method: "DELETE", url: `${this.base}/servers/${encodeURIComponent(id)}`, headers: this.headers(), action: `delete server ${id}`, signal });
  }

  async deleteVolume(id: string, signal?: AbortSignal): Promise<void> {
    await this.http.sendAllowingNotFound({ method: "DELETE", url: `${this.base}/volumes/${encodeURIComponent(id)}`, headers: this.headers(), action: `delete volume ${id}`, signal });
  }
}
