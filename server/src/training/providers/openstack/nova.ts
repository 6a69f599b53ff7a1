import { AppError } from "../../../platform/errors/app-error.js";
import { field, isArray, isNumber, isObject, isString, type HttpApi } from "../http-api/http-api.js";
import type { KeystoneSession } from "./keystone.js";

/**
 * The Nova (compute v2.1) calls the adapter makes: flavors (paginated with limit/marker through the
 * `flavors_links` next link), servers created with base64 user data and metadata naming the training
 * job (the idempotency key, since Nova has no client token), server reads and deletes.
 */

export interface NovaFlavor {
  readonly id: string;
  readonly name: string;
  readonly vcpus: number;
  readonly ramMiB: number;
  readonly diskGiB: number;
}

export interface NovaServer {
  readonly id: string;
  readonly name: string;
  readonly status: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly created?: Date;
  readonly updated?: Date;
  /** The fault Nova recorded for a server in ERROR. */
  readonly fault?: string;
}

export interface CreateServerInput {
  readonly name: string;
  readonly flavorRef: string;
  readonly imageRef: string;
  /** The cloud-init user data, as text (encoded in base64 here). */
  readonly userData: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly networkId?: string | undefined;
  readonly keyName?: string | undefined;
}

/** Flavors per page: Nova's default page size is the operator's `max_limit` (1000); smaller pages exercise the marker. */
const FLAVOR_PAGE = 200;
/** Nova refuses user data over 65535 bytes once base64-encoded. */
export const MAX_USER_DATA_BASE64 = 65_535;
/** The most script bytes whose base64 fits MAX_USER_DATA_BASE64. */
export const MAX_USER_DATA_BYTES = Math.floor(MAX_USER_DATA_BASE64 / 4) * 3;

function parseServer(raw: unknown, provider: string): NovaServer {
  const s = field(raw, "server", provider, isObject);
  const metadata: Record<string, string> = {};
  if (isObject(s["metadata"])) for (const [k, v] of Object.entries(s["metadata"])) if (isString(v)) metadata[k] = v;
  const date = (v: unknown) => (isString(v) && !Number.isNaN(Date.parse(v)) ? { created: new Date(v) } : {});
  const fault = isObject(s["fault"]) && isString(s["fault"]["message"]) ? s["fault"]["message"] : undefined;
  const updated = isString(s["updated"]) && !Number.isNaN(Date.parse(s["updated"])) ? { updated: new Date(s["updated"]) } : {};
  return {
    id: field(s["id"], "server.id", provider, isString),
    name: isString(s["name"]) ? s["name"] : "",
    status: field(s["status"], "server.status", provider, isString),
    metadata,
    ...date(s["created"]),
    ...updated,
    ...(fault ? { fault } : {}),
  };
}

export class NovaClient {
  constructor(
    private readonly session: KeystoneSession,
    private readonly api: HttpApi,
    private readonly provider: string,
  ) {}

  async listFlavors(signal?: AbortSignal): Promise<NovaFlavor[]> {
    const flavors: NovaFlavor[] = [];
    let marker: string | undefined;
    for (let page = 0; page < 100; page++) {
      const query = new URLSearchParams({ limit: String(FLAVOR_PAGE), ...(marker ? { marker } : {}) });
      const response = await this.session.send((e) => ({ method: "GET", url: `${e.compute}/flavors/detail?${query}`, action: "list flavors", signal }), this.api);
      const body = field(response.json, "body", this.provider, isObject);
      for (const raw of field(body["flavors"], "flavors", this.provider, isArray)) {
        const f = field(raw, "flavors[]", this.provider, isObject);
        flavors.push({
          id: field(f["id"], "flavors[].id", this.provider, isString),
          name: field(f["name"], "flavors[].name", this.provider, isString),
          vcpus: field(f["vcpus"], "flavors[].vcpus", this.provider, isNumber),
          ramMiB: field(f["ram"], "flavors[].ram", this.provider, isNumber),
          diskGiB: isNumber(f["disk"]) ? f["disk"] : 0,
        });
      }
      const next = isArray(body["flavors_links"]) ? body["flavors_links"].find((l) => isObject(l) && l["rel"] === "next") : undefined;
      // The next link's host is the operator's public name; only its marker is taken, against the catalog endpoint.
      const nextMarker = isObject(next) && isString(next["href"]) ? new URL(next["href"]).searchParams.get("marker") : null;
      if (!nextMarker || nextMarker === marker) return flavors;
      marker = nextMarker;
    }
    throw new AppError("unavailable", "OPENSTACK_PAGINATION", `${this.provider}: the flavor list did not end after 100 pages`, {});
  }

  /** The live servers named `name` that carry `metadataKey=value` (the name filter is a regular expression). */
  async listServers(name: string, metadataKey: string, value: string, signal?: AbortSignal): Promise<NovaServer[]> {
    const query = new URLSearchParams({ name: `^${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$` });
    const response = await this.session.send((e) => ({ method: "GET", url: `${e.compute}/servers/detail?${query}`, action: `find server ${name}`, signal }), this.api);
    const body = field(response.json, "body", this.provider, isObject);
    const servers = field(body["servers"], "servers", this.provider, isArray).map((s) => parseServer(s, this.provider));
    // A deleted server can linger in the list for a moment; it is not the job's server any more.
    return servers.filter((s) => s.metadata[metadataKey] === value && s.status !== "DELETED" && s.status !== "SOFT_DELETED");
  }

  /** The oldest live server of `listServers`, if any. */
  async findServer(name: string, metadataKey: string, value: string, signal?: AbortSignal): Promise<NovaServer | undefined> {
    const servers = await this.listServers(name, metadataKey, value, signal);
    return servers.sort((a, b) => (a.created?.getTime() ?? 0) - (b.created?.getTime() ?? 0) || a.id.localeCompare(b.id))[0];
  }

  async createServer(input: CreateServerInput, signal?: AbortSignal): Promise<string> {
    const userData = Buffer.from(input.userData, "utf8").toString("base64");
    if (userData.length > MAX_USER_DATA_BASE64) {
      throw new AppError("invalid_argument", "OPENSTACK_USER_DATA_TOO_LARGE", `${this.provider}: the bootstrap script is ${userData.length} bytes in base64, over Nova's ${MAX_USER_DATA_BASE64}`, {});
    }
    const server = {
      name: input.name,
      flavorRef: input.flavorRef,
      imageRef: input.imageRef,
      user_data: userData,
      metadata: input.metadata,
      ...(input.networkId ? { networks: [{ uuid: input.networkId }] } : {}),
      ...(input.keyName ? { key_name: input.keyName } : {}),
    };
    const response = await this.session.send((e) => ({ method: "POST", url: `${e.compute}/servers`, action: `create server ${input.name}`, signal, json: { server } }), this.api);
    const body = field(response.json, "body", this.provider, isObject);
    return field(field(body["server"], "server", this.provider, isObject)["id"], "server.id", this.provider, isString);
  }

  async getServer(id: string, signal?: AbortSignal): Promise<NovaServer | undefined> {
    const response = await this.session.sendAllowingNotFound((e) => ({ method: "GET", url: `${e.compute}/servers/${encodeURIComponent(id)}`, action: `read server ${id}`, signal }), this.api);
    if (!response) return undefined;
    return parseServer(field(response.json, "body", this.provider, isObject)["server"], this.provider);
  }

  /** Deletes a server; one that is already gone is success. */
  async deleteServer(id: string, signal?: AbortSignal): Promise<void> {
    await this.session.sendAllowingNotFound((e) => ({ method: "DELETE", url: `${e.compute}/servers/${encodeURIComponent(id)}`, action: `delete server ${id}`, signal }), this.api);
  }
}
