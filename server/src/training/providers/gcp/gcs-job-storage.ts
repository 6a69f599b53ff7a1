import { Storage, type Bucket } from "@google-cloud/storage";
import { GoogleAuth } from "google-auth-library";
import type { JobStorage, ObjectTransfer } from "../remote/index.js";
import type { ServiceAccountKey } from "./gcp-auth.js";
import { googleHttpStatus, translateGoogleError } from "./gcp-errors.js";

export interface GcsJobStorageConfig {
  readonly projectId: string;
  readonly bucket: string;
  readonly key: ServiceAccountKey;
  /** @default https://storage.googleapis.com */
  readonly endpoint?: string;
}

/**
 * Job objects in one Cloud Storage bucket, through `@google-cloud/storage`. The machine moves them
 * with V4 signed URLs (GOOG4-RSA-SHA256, signed locally with the service account's key) scoped to
 * one object and one method: GET for what it downloads, PUT for what it uploads.
 */
export class GcsJobStorage implements JobStorage {
  readonly location: string;
  private readonly bucket: Bucket;

  constructor(private readonly config: GcsJobStorageConfig) {
    const storage = new Storage({
      projectId: config.projectId,
      // Signed URLs are signed locally with this key; API calls take their token from it.
      // The storage signer reads client_email and private_key from GoogleAuth's credentials (an
      // authClient alone cannot sign); this option logs a deprecation notice once.
      authClient: new GoogleAuth({ credentials: { client_email: config.key.client_email, private_key: config.key.private_key }, scopes: ["https://www.googleapis.com/auth/devstorage.read_write"] }),
      ...(config.endpoint ? { apiEndpoint: config.endpoint.replace(/\/$/, "") } : {}),
    });
    this.bucket = storage.bucket(config.bucket);
    this.location = `gs://${config.bucket}`;
  }

  private async call<T>(action: string, signal: AbortSignal | undefined, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (e) {
      throw translateGoogleError(e, action, signal);
    }
  }

  async put(key: string, body: Uint8Array, signal?: AbortSignal): Promise<void> {
    await this.call(`upload gs://${this.config.bucket}/${key}`, signal, () => this.bucket.file(key).save(Buffer.from(body.buffer, body.byteOffset, body.byteLength), { resumable: false }));
  }

  async get(key: string, range: { readonly start?: number; readonly maxBytes?: number } = {}, signal?: AbortSignal): Promise<Uint8Array | undefined> {
    const start = range.start ?? 0;
    try {
      const [bytes] = await this.bucket.file(key).download({
        ...(start > 0 || range.maxBytes !== undefined ? { start } : {}),
        ...(range.maxBytes !== undefined ? { end: start + range.maxBytes - 1 } : {}),
        // Ranged reads cannot be checked against the whole object's hash.
        validation: start > 0 || range.maxBytes !== undefined ? false : "crc32c",
      });
      return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    } catch (e) {
      const status = googleHttpStatus(e);
      if (status === 404) return undefined;
      // A range starting at or past the end: the object exists and has nothing more.
      if (status === 416) return new Uint8Array();
      throw translateGoogleError(e, `download gs://${this.config.bucket}/${key}`, signal);
    }
  }

  async deletePrefix(prefix: string, signal?: AbortSignal): Promise<void> {
    try {
      const [files] = await this.bucket.getFiles({ prefix, autoPaginate: true });
      for (const file of files) await file.delete({ ignoreNotFound: true });
    } catch (e) {
      // No bucket, no objects: already clean.
      if (googleHttpStatus(e) === 404) return;
      throw translateGoogleError(e, `delete gs://${this.config.bucket}/${prefix}*`, signal);
    }
  }

  async transfer(key: string, access: "read" | "write", expiresAt: Date): Promise<ObjectTransfer> {
    // V4 signed URLs live at most seven days.
    const expires = Math.min(expiresAt.getTime(), Date.now() + 7 * 24 * 3600_000 - 60_000);
    const [url] = await this.bucket.file(key).getSignedUrl({ version: "v4", action: access === "read" ? "read" : "write", expires });
    return { kind: "url", url };
  }

  async check(signal?: AbortSignal): Promise<{ ok: boolean; message: string }> {
    try {
      const [exists] = await this.call(`read bucket ${this.config.bucket}`, signal, () => this.bucket.exists());
      return exists ? { ok: true, message: `Cloud Storage bucket ${this.location} is reachable` } : { ok: false, message: `gcp: bucket ${this.config.bucket} does not exist` };
    } catch (e) {
      return { ok: false, message: e instanceof Error ? e.message : String(e) };
    }
  }
}
