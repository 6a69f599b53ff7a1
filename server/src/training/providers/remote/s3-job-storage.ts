import { listAll, readObject, type ObjectStore } from "../../../platform/object-store/index.js";
import { AppError } from "../../../platform/errors/app-error.js";
import type { JobStorage, ObjectTransfer } from "./index.js";

const MAX_PRESIGN_SECONDS = 7 * 24 * 3600;

/**
 * Job objects in an S3 bucket through the platform's ObjectStore (the one place that speaks S3).
 * The bootstrap moves them with curl and pre-signed URLs (`url`, the default: a machine can reach
 * its own job's objects and nothing else, but a URL lasts at most 7 days, the SigV4 limit), or with
 * the AWS CLI and the instance's role (`cli`: no time limit, but every job's code can use the role,
 * so it suits jobs that trust each other).
 */
export class S3JobStorage implements JobStorage {
  readonly location: string;

  constructor(
    private readonly store: ObjectStore,
    private readonly mode: "cli" | "url" = "url",
  ) {
    this.location = store.location;
  }

  async put(key: string, body: Uint8Array, signal?: AbortSignal): Promise<void> {
    await this.store.put(key, body, signal ? { signal } : {});
  }

  /**
   * Whole objects through the store; a byte range (log tails) through a pre-signed GET with a Range
   * header, so a poll downloads only the new bytes.
   */
  async get(key: string, range?: { start?: number; maxBytes?: number }, signal?: AbortSignal): Promise<Uint8Array | undefined> {
    const start = range?.start ?? 0;
    if (start === 0 && range?.maxBytes === undefined) {
      try {
        return await readObject(this.store, key, signal);
      } catch (e) {
        if (e instanceof AppError && e.kind === "not_found") return undefined;
        throw e;
      }
    }
    const url = await this.store.presignGet(key, { expiresInSeconds: 300 });
    const end = range?.maxBytes === undefined ? "" : String(start + range.maxBytes - 1);
    const response = await fetch(url, { headers: { range: `bytes=${start}-${end}` }, ...(signal ? { signal } : {}) }).catch((e: unknown) => {
      throw new AppError("unavailable", "OBJECT_STORE_UNREACHABLE", `Reading ${this.store.uriOf(key)} failed: ${(e as Error).message}`, { uri: this.store.uriOf(key) });
    });
    if (response.status === 404) {
      await response.body?.cancel();
      return undefined;
    }
    // 416: the start is at or past the end; nothing new.
    if (response.status === 416) {
      await response.body?.cancel();
      return new Uint8Array();
    }
    if (response.status !== 206 && response.status !== 200) {
      const text = (await response.text()).slice(0, 300);
      throw new AppError("unavailable", "OBJECT_STORE_READ_FAILED", `Reading ${this.store.uriOf(key)} answered HTTP ${response.status}: ${text}`, { uri: this.store.uriOf(key) });
    }
    const bytes = new Uint8Array(await response.arrayBuffer());
    // A store that ignores Range answers 200 with everything: cut it here.
    if (response.status === 200) return bytes.subarray(Math.min(start, bytes.length), range?.maxBytes === undefined ? undefined : start + range.maxBytes);
    return bytes;
  }

  async deletePrefix(prefix: string): Promise<void> {
    const keys: string[] = [];
    for await (const o of listAll(this.store, prefix)) keys.push(o.key);
    for (const key of keys) await this.store.delete(key);
  }

  async transfer(key: string, access: "read" | "write", expiresAt: Date): Promise<ObjectTransfer> {
    if (this.mode === "cli") {
      const uri = this.store.uriOf(key);
      return { kind: "cli", argv: access === "read" ? ["aws", "s3", "cp", "--only-show-errors", uri, "{file}"] : ["aws", "s3", "cp", "--only-show-errors", "{file}", uri] };
    }
    const needed = Math.ceil((expiresAt.getTime() - Date.now()) / 1000);
    if (needed > MAX_PRESIGN_SECONDS) {
      throw new AppError(
        "failed_precondition",
        "PRESIGNED_URL_TOO_SHORT",
        `aws: a pre-signed URL lasts at most 7 days, and this job may run until ${expiresAt.toISOString()}; lower its max runtime or use transfer=cli.`,
        { expiresAt: expiresAt.toISOString() },
      );
    }
    const expiresInSeconds = Math.max(60, needed);
    const url = access === "read" ? await this.store.presignGet(key, { expiresInSeconds }) : await this.store.presignPut(key, { expiresInSeconds });
    return { kind: "url", url };
  }

  async check(): Promise<{ ok: boolean; message: string }> {
    try {
      await this.store.list("", { pageSize: 1 });
      return { ok: true, message: `bucket ${this.location} is readable` };
    } catch (e) {
      return { ok: false, message: e instanceof Error ? e.message : String(e) };
    }
  }
}
