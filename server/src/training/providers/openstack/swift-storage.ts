import { isHttpStatus } from "../http-api/http-api.js";
import type { JobStorage, ObjectTransfer } from "../remote/index.js";
import type { SwiftClient } from "./swift.js";

/**
 * The remote kit's JobStorage over one Swift container: the server reads and writes with its
 * Keystone token; the bootstrap script on the VM moves its objects through temp URLs (one per object
 * and method, expiring with the job), so the VM holds no OpenStack credential.
 */
export class SwiftJobStorage implements JobStorage {
  readonly location: string;
  private ready: Promise<void> | undefined;

  constructor(
    private readonly swift: SwiftClient,
    region: string,
  ) {
    this.location = `swift://${region}/${swift.container}`;
  }

  /** Creates the container once per process (PUT is idempotent), retried after a failure. */
  private ensureContainer(signal?: AbortSignal): Promise<void> {
    this.ready ??= this.swift.ensureContainer(signal).catch((e: unknown) => {
      this.ready = undefined;
      throw e;
    });
    return this.ready;
  }

  async put(key: string, body: Uint8Array, signal?: AbortSignal): Promise<void> {
    await this.ensureContainer(signal);
    try {
      await this.swift.putObject(key, body, "application/octet-stream", signal);
    } catch (e) {
      // The container was deleted behind our back since it was created: create it again, once.
      if (!isHttpStatus(e, 404)) throw e;
      this.ready = undefined;
      await this.ensureContainer(signal);
      await this.swift.putObject(key, body, "application/octet-stream", signal);
    }
  }

  get(key: string, range?: { readonly start?: number; readonly maxBytes?: number }, signal?: AbortSignal): Promise<Uint8Array | undefined> {
    return this.swift.getObject(key, range, signal);
  }

  deletePrefix(prefix: string, signal?: AbortSignal): Promise<void> {
    return this.swift.deletePrefix(prefix, signal);
  }

  async transfer(key: string, access: "read" | "write", expiresAt: Date, signal?: AbortSignal): Promise<ObjectTransfer> {
    // The container key may have to be set on the container, which must exist first.
    await this.ensureContainer(signal);
    const ttlSeconds = (expiresAt.getTime() - Date.now()) / 1000;
    return { kind: "url", url: await this.swift.tempUrl(key, access === "read" ? "GET" : "PUT", ttlSeconds, signal) };
  }

  async check(signal?: AbortSignal): Promise<{ ok: boolean; message: string }> {
    await this.ensureContainer(signal);
    // Signing needs the temp URL key: reading (or setting) it proves the account allows temp URLs.
    await this.swift.tempUrl(".artenic-check", "GET", 60, signal);
    return { ok: true, message: `Swift container ${this.swift.container} is ready, with temp URLs` };
  }
}
