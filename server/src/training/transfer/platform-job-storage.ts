import type { JobStorage, ObjectTransfer } from "../providers/remote/index.js";
import type { PlatformTransfer } from "./platform-transfer.js";

/** Bounds of what a job may upload, by object: small status, logs up to 256 MiB, outputs up to the transfer's bound. */
const STATUS_BYTES = 64 * 1024;
const LOG_BYTES = 256 * 1024 * 1024;

function uploadBound(key: string, max: number): number {
  if (key.endsWith("/status.json")) return STATUS_BYTES;
  if (key.endsWith(".log")) return Math.min(LOG_BYTES, max);
  return max;
}

/**
 * The remote kit's JobStorage over the platform transfer: the server keeps the objects in its data
 * dir, and the bootstrap script moves them with curl through signed URLs to the server's own port
 * (`<base>/training-transfer/v1/<key>`). `baseUrl` is where the machine reaches the server: the
 * transfer's public URL unless the adapter knows better (a tunnel, a public hostname).
 */
export class PlatformJobStorage implements JobStorage {
  readonly location: string;

  constructor(
    private readonly platform: PlatformTransfer,
    private readonly baseUrl?: string,
  ) {
    this.location = "artenic-server:training-transfer";
  }

  put(key: string, body: Uint8Array): Promise<void> {
    return this.platform.put(key, body);
  }

  async get(key: string, range?: { readonly start?: number; readonly maxBytes?: number }): Promise<Uint8Array | undefined> {
    if (!range) return this.platform.get(key);
    return this.platform.store.read(key, range.start ?? 0, range.maxBytes ?? Number.MAX_SAFE_INTEGER);
  }

  deletePrefix(prefix: string): Promise<void> {
    // The kit deletes single objects by their full key as well as whole job roots.
    return this.platform.deletePrefix(prefix);
  }

  async transfer(key: string, access: "read" | "write", expiresAt: Date): Promise<ObjectTransfer> {
    const ttl = Math.max(1000, expiresAt.getTime() - Date.now());
    const base = this.baseUrl ?? this.platform.publicUrl;
    if (access === "read") return { kind: "url", url: this.platform.signedUrl("GET", key, ttl, 0, base) };
    return { kind: "url", url: this.platform.signedUrl("PUT", key, ttl, uploadBound(key, this.platform.maxUploadBytes), base) };
  }

  async check(): Promise<{ ok: boolean; message: string }> {
    const base = this.baseUrl ?? this.platform.publicUrl;
    // Known once the server listens (or from ARTENIC_TRAINING_ENDPOINT); jobs are only submitted after that.
    if (base === "") return { ok: true, message: "job transfers through the server's own port" };
    return { ok: true, message: `job transfers through ${base}` };
  }
}
