import { createHmac, randomBytes } from "node:crypto";
import { MAX_OBJECT_BYTES, field, isArray, isHttpStatus, isObject, isString, type HttpApi } from "../http-api/http-api.js";
import type { KeystoneSession } from "./keystone.js";

/**
 * The Swift (object store) calls the adapter makes: container create, object PUT/GET/DELETE,
 * prefix listing (JSON, paginated with marker), and temp URLs that let the bootstrap script on the
 * VM read its code and write its status, logs and outputs without any OpenStack credential.
 *
 * Temp URL key: an account key (X-Account-Meta-Temp-URL-Key) is used when the account has one; else
 * the container's own key (X-Container-Meta-Temp-URL-Key), which the adapter sets when missing. It
 * never overwrites an account key, which other tools of the same project may rely on.
 */

export interface SwiftObjectInfo {
  readonly name: string;
  readonly bytes: number;
}

const LIST_PAGE = 1000;

/** Swift object names in a URL: each path segment percent-encoded, the slashes kept. */
export const encodeObjectPath = (name: string) => name.split("/").map(encodeURIComponent).join("/");

/**
 * A temp URL for `method` on `objectUrl` until `expires` (seconds since the epoch): HMAC-SHA256 (hex)
 * over "METHOD\nexpires\npath", the path being the URL's decoded path (/v1/AUTH_x/container/object).
 */
export function signTempUrl(objectUrl: string, method: "GET" | "PUT" | "HEAD", expires: number, key: string): string {
  const url = new URL(objectUrl);
  const path = decodeURIComponent(url.pathname);
  const sig = createHmac("sha256", key).update(`${method}\n${expires}\n${path}`).digest("hex");
  url.search = new URLSearchParams({ temp_url_sig: sig, temp_url_expires: String(expires) }).toString();
  return url.toString();
}

export class SwiftClient {
  private tempUrlKey: string | undefined;

  constructor(
    private readonly session: KeystoneSession,
    private readonly api: HttpApi,
    private readonly provider: string,
    readonly container: string,
  ) {}

  private containerUrl(account: string) {
    return `${account}/${encodeURIComponent(this.container)}`;
  }

  /** Creates the container (PUT is idempotent: 201 created, 202 already there). */
  async ensureContainer(signal?: AbortSignal): Promise<void> {
    await this.session.send((e) => ({ method: "PUT", url: this.containerUrl(e.objectStore), action: `create container ${this.container}`, signal }), this.api);
  }

  async putObject(name: string, bytes: Uint8Array, contentType: string, signal?: AbortSignal): Promise<void> {
    await this.session.send(
      (e) => ({ method: "PUT", url: `${this.containerUrl(e.objectStore)}/${encodeObjectPath(name)}`, action: `upload ${this.container}/${name}`, signal, body: bytes, headers: { "content-type": contentType } }),
      this.api,
    );
  }

  /**
   * An object's bytes (from `start`, at most `maxBytes`), or undefined when it does not exist. A start
   * at or past the end is an empty array (Swift answers 416).
   */
  async getObject(name: string, range: { readonly start?: number; readonly maxBytes?: number } = {}, signal?: AbortSignal): Promise<Uint8Array | undefined> {
    const start = range.start ?? 0;
    const ranged = start > 0 || range.maxBytes !== undefined;
    if (range.maxBytes === 0) return (await this.head(name, signal)) === undefined ? undefined : new Uint8Array();
    const rangeHeader = ranged ? { range: `bytes=${start}-${range.maxBytes !== undefined ? start + range.maxBytes - 1 : ""}` } : {};
    try {
      const response = await this.session.sendAllowingNotFound(
        (e) => ({ method: "GET", url: `${this.containerUrl(e.objectStore)}/${encodeObjectPath(name)}`, action: `download ${this.container}/${name}`, signal, headers: { accept: "*/*", ...rangeHeader }, maxResponseBytes: MAX_OBJECT_BYTES }),
        this.api,
      );
      return response?.bytes;
    } catch (e) {
      if (isHttpStatus(e, 416)) return new Uint8Array();
      throw e;
    }
  }

  /** The object's size, or undefined when it does not exist. */
  async head(name: string, signal?: AbortSignal): Promise<number | undefined> {
    const response = await this.session.sendAllowingNotFound(
      (e) => ({ method: "HEAD", url: `${this.containerUrl(e.objectStore)}/${encodeObjectPath(name)}`, action: `read ${this.container}/${name}`, signal }),
      this.api,
    );
    return response ? Number(response.headers.get("content-length") ?? 0) : undefined;
  }

  async deleteObject(name: string, signal?: AbortSignal): Promise<void> {
    await this.session.sendAllowingNotFound((e) => ({ method: "DELETE", url: `${this.containerUrl(e.objectStore)}/${encodeObjectPath(name)}`, action: `delete ${this.container}/${name}`, signal }), this.api);
  }

  /** Every object under a prefix, following the marker until a short page. A missing container lists nothing. */
  async list(prefix: string, signal?: AbortSignal): Promise<SwiftObjectInfo[]> {
    const out: SwiftObjectInfo[] = [];
    let marker = "";
    for (;;) {
      const query = new URLSearchParams({ format: "json", prefix, limit: String(LIST_PAGE), ...(marker ? { marker } : {}) });
      const response = await this.session.sendAllowingNotFound((e) => ({ method: "GET", url: `${this.containerUrl(e.objectStore)}?${query}`, action: `list ${this.container}/${prefix}`, signal }), this.api);
      if (!response) return out;
      const page = field(response.json ?? [], "objects", this.provider, isArray);
      for (const raw of page) {
        const o = field(raw, "objects[]", this.provider, isObject);
        out.push({ name: field(o["name"], "objects[].name", this.provider, isString), bytes: typeof o["bytes"] === "number" ? o["bytes"] : 0 });
      }
      if (page.length < LIST_PAGE) return out;
      marker = out[out.length - 1]!.name;
    }
  }

  async deletePrefix(prefix: string, signal?: AbortSignal): Promise<void> {
    for (const o of await this.list(prefix, signal)) await this.deleteObject(o.name, signal);
  }

  /** The key temp URLs are signed with: the account's, else the container's (set when missing). */
  private async key(signal: AbortSignal | undefined): Promise<string> {
    if (this.tempUrlKey) return this.tempUrlKey;
    const account = await this.session.send((e) => ({ method: "HEAD", url: e.objectStore, action: "read the account's temp URL key", signal }), this.api);
    const accountKey = account.headers.get("x-account-meta-temp-url-key");
    if (accountKey) return (this.tempUrlKey = accountKey);
    const container = await this.session.send((e) => ({ method: "HEAD", url: this.containerUrl(e.objectStore), action: `read the temp URL key of ${this.container}`, signal }), this.api);
    const containerKey = container.headers.get("x-container-meta-temp-url-key");
    if (containerKey) return (this.tempUrlKey = containerKey);
    const created = randomBytes(32).toString("hex");
    await this.session.send(
      (e) => ({ method: "POST", url: this.containerUrl(e.objectStore), action: `set the temp URL key of ${this.container}`, signal, headers: { "x-container-meta-temp-url-key": created } }),
      this.api,
    );
    // Another replica may have set its own key at the same moment: sign with the one that was stored.
    const stored = await this.session.send((e) => ({ method: "HEAD", url: this.containerUrl(e.objectStore), action: `read the temp URL key of ${this.container}`, signal }), this.api);
    return (this.tempUrlKey = stored.headers.get("x-container-meta-temp-url-key") ?? created);
  }

  /** A URL that allows `method` on one object for `ttlSeconds`, usable without credentials. */
  async tempUrl(name: string, method: "GET" | "PUT", ttlSeconds: number, signal?: AbortSignal): Promise<string> {
    const key = await this.key(signal);
    const { objectStore } = await this.session.endpoints(signal);
    const expires = Math.floor(Date.now() / 1000) + Math.max(1, Math.ceil(ttlSeconds));
    return signTempUrl(`${this.containerUrl(objectStore)}/${encodeObjectPath(name)}`, method, expires, key);
  }
}
