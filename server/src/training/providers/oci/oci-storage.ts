import type { JobStorage, ObjectTransfer } from "../remote/index.js";
import type { OciApi } from "./oci-api.js";

/**
 * The remote kit's JobStorage over an OCI Object Storage bucket: the server signs its own calls; the
 * bootstrap script on the instance moves each object through a pre-authenticated request (one per
 * object and access, expiring with the job), so the instance holds no OCI credential. The job's
 * PARs are deleted with its objects.
 */
export class OciJobStorage implements JobStorage {
  readonly location: string;
  private namespace: Promise<string> | undefined;

  constructor(
    private readonly api: OciApi,
    private readonly bucket: string,
    namespace?: string,
  ) {
    this.location = `oci://${bucket}${namespace ? `@${namespace}` : ""}`;
    if (namespace) this.namespace = Promise.resolve(namespace);
  }

  private ns(signal?: AbortSignal): Promise<string> {
    this.namespace ??= this.api.namespace(signal).catch((e: unknown) => {
      this.namespace = undefined;
      throw e;
    });
    return this.namespace;
  }

  async put(key: string, body: Uint8Array, signal?: AbortSignal): Promise<void> {
    await this.api.putObject(await this.ns(signal), this.bucket, key, body, signal);
  }

  async get(key: string, range?: { readonly start?: number; readonly maxBytes?: number }, signal?: AbortSignal): Promise<Uint8Array | undefined> {
    if (range?.maxBytes === 0) return new Uint8Array();
    return this.api.getObject(await this.ns(signal), this.bucket, key, range ?? {}, signal);
  }

  /**
   * Deletes the objects under `prefix`; for a whole folder (a prefix ending in "/", the job's root at
   * cleanup) also the PARs of its objects. A single key keeps its PARs: submit clears a stale
   * status.json after creating the PAR the new attempt writes it through.
   */
  async deletePrefix(prefix: string, signal?: AbortSignal): Promise<void> {
    const ns = await this.ns(signal);
    if (prefix.endsWith("/")) for (const id of await this.api.listPars(ns, this.bucket, prefix, signal)) await this.api.deletePar(ns, this.bucket, id, signal);
    for (const name of await this.api.listObjects(ns, this.bucket, prefix, signal)) await this.api.deleteObject(ns, this.bucket, name, signal);
  }

  async transfer(key: string, access: "read" | "write", expiresAt: Date, signal?: AbortSignal): Promise<ObjectTransfer> {
    const par = await this.api.createPar(await this.ns(signal), this.bucket, key, access === "read" ? "ObjectRead" : "ObjectWrite", expiresAt, signal);
    return { kind: "url", url: par.url };
  }

  async check(signal?: AbortSignal): Promise<{ ok: boolean; message: string }> {
    const ns = await this.ns(signal);
    await this.api.headBucket(ns, this.bucket, signal);
    return { ok: true, message: `bucket ${this.bucket} in namespace ${ns} is reachable` };
  }
}
