import type { Readable } from "node:stream";
import type { Logger } from "pino";
import { createTransferRoutes } from "./transfer-routes.js";
import { TransferSigner, type TransferMethod } from "./transfer-signature.js";
import { TransferStore } from "./transfer-store.js";

export interface PlatformTransferOptions {
  /** Where objects are kept: `<data dir>/training/transfer`. */
  readonly root: string;
  /** A server key; the signing key is derived from it. */
  readonly secret: Buffer;
  /** The largest upload any URL may allow. @default 2 GiB */
  readonly maxUploadBytes?: number;
  readonly logger?: Logger;
  readonly now?: () => number;
}

/**
 * Job transfers through the Artenic server itself, for providers without an object store (Lambda,
 * RunPod, Vast.ai): the server keeps the objects (code in, status, logs and outputs back) and hands
 * the job signed URLs to its own port. The job must reach the server anyway (ARTENIC_ENDPOINT, to
 * report metrics and logs), so this adds no network path and no credential: each URL is one verb on
 * one object, expiring, with a size bound. The public base URL is the one jobs report to.
 */
export class PlatformTransfer {
  readonly store: TransferStore;
  readonly routes: ReturnType<typeof createTransferRoutes>;
  readonly maxUploadBytes: number;
  private readonly signer: TransferSigner;
  private readonly now: () => number;
  private base = "";

  constructor(options: PlatformTransferOptions) {
    this.store = new TransferStore(options.root);
    this.signer = new TransferSigner(options.secret);
    this.now = options.now ?? Date.now;
    this.maxUploadBytes = options.maxUploadBytes ?? 2 * 1024 ** 3;
    this.routes = createTransferRoutes({ signer: this.signer, store: this.store, now: this.now, ...(options.logger ? { logger: options.logger } : {}) });
  }

  /** The URL jobs reach the server at (ARTENIC_TRAINING_ENDPOINT, else the listening address). */
  setPublicUrl(url: string): void {
    this.base = url.replace(/\/+$/, "");
  }

  get publicUrl(): string {
    return this.base;
  }

  /**
   * A URL that allows `method` on `key` for `ttlMs`; PUTs accept at most `maxBytes` (capped at
   * the transfer's bound). `baseUrl` overrides the public URL (a job given another ARTENIC_ENDPOINT).
   */
  signedUrl(method: TransferMethod, key: string, ttlMs: number, maxBytes = 0, baseUrl = this.base): string {
    if (baseUrl === "") throw new Error("the platform transfer has no public URL yet: the server has not started listening");
    const expires = Math.ceil((this.now() + ttlMs) / 1000);
    return `${baseUrl.replace(/\/+$/, "")}${this.signer.sign({ method, key, expires, maxBytes: method === "PUT" ? Math.min(maxBytes, this.maxUploadBytes) : 0 })}`;
  }

  put(key: string, bytes: Uint8Array): Promise<void> {
    return this.store.put(key, bytes);
  }

  write(key: string, body: Readable | AsyncIterable<Uint8Array>, maxBytes = this.maxUploadBytes): Promise<number> {
    return this.store.write(key, body, maxBytes);
  }

  get(key: string): Promise<Uint8Array | undefined> {
    return this.store.get(key);
  }

  deletePrefix(prefix: string): Promise<void> {
    return this.store.deletePrefix(prefix);
  }
}
