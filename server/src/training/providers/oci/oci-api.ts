import { AppError } from "../../../platform/errors/app-error.js";
import { HttpApi, MAX_OBJECT_BYTES, field, isArray, isHttpStatus, isObject, isString, type HttpResponse } from "../http-api/http-api.js";
import type { OciSigner } from "./oci-signer.js";

/**
 * The OCI REST calls the adapter makes, each signed (oci-signer.ts): Compute (LaunchInstance with
 * an opc-retry-token, GetInstance, ListInstances by display name, TerminateInstance with the boot
 * volume), Identity (ListAvailabilityDomains) and Object Storage (namespace, objects, listing,
 * pre-authenticated requests). Errors are {"code", "message"}; lists page with the opc-next-page
 * header (compute) or `nextStartWith` (objects).
 */

export interface OciEndpoints {
  /** https://iaas.<region>.oraclecloud.com */
  readonly compute: string;
  /** https://identity.<region>.oraclecloud.com */
  readonly identity: string;
  /** https://objectstorage.<region>.oraclecloud.com */
  readonly objectStorage: string;
}

export const ociEndpoints = (region: string): OciEndpoints => ({
  compute: `https://iaas.${region}.oraclecloud.com`,
  identity: `https://identity.${region}.oraclecloud.com`,
  objectStorage: `https://objectstorage.${region}.oraclecloud.com`,
});

export interface OciInstance {
  readonly id: string;
  readonly displayName: string;
  readonly lifecycleState: string;
  readonly freeformTags: Readonly<Record<string, string>>;
  readonly preemptible: boolean;
  readonly timeCreated?: Date;
}

export interface LaunchInstanceInput {
  readonly availabilityDomain: string;
  readonly compartmentId: string;
  readonly displayName: string;
  readonly shape: string;
  readonly shapeConfig?: { readonly ocpus: number; readonly memoryInGBs: number } | undefined;
  readonly imageId: string;
  readonly subnetId: string;
  readonly userData: string;
  readonly freeformTags: Readonly<Record<string, string>>;
  readonly preemptible: boolean;
  /** Makes a retried launch return the first one's instance (OCI keeps it 24 hours). */
  readonly retryToken: string;
}

const API = "/20160918";
/** OCI limits instance metadata to 32000 bytes; the user data goes there in base64, with room for the key. */
export const MAX_USER_DATA_BYTES = Math.floor(31_900 / 4) * 3;

export function ociErrorMessage(body: unknown): string | undefined {
  if (!isObject(body)) return undefined;
  const code = isString(body["code"]) ? body["code"] : "";
  const message = isString(body["message"]) ? body["message"] : "";
  return code || message ? `${code}${code && message ? ": " : ""}${message}` : undefined;
}

function parseInstance(raw: unknown): OciInstance {
  const i = field(raw, "instance", "oci", isObject);
  const tags: Record<string, string> = {};
  if (isObject(i["freeformTags"])) for (const [k, v] of Object.entries(i["freeformTags"])) if (isString(v)) tags[k] = v;
  const created = isString(i["timeCreated"]) && !Number.isNaN(Date.parse(i["timeCreated"])) ? { timeCreated: new Date(i["timeCreated"]) } : {};
  return {
    id: field(i["id"], "instance.id", "oci", isString),
    displayName: isString(i["displayName"]) ? i["displayName"] : "",
    lifecycleState: field(i["lifecycleState"], "instance.lifecycleState", "oci", isString),
    freeformTags: tags,
    preemptible: isObject(i["preemptibleInstanceConfig"]),
    ...created,
  };
}

export class OciApi {
  private readonly http: HttpApi;

  constructor(
    private readonly signer: OciSigner,
    readonly endpoints: OciEndpoints,
    timeoutMs?: number,
  ) {
    this.http = new HttpApi({ provider: "oci", errorMessage: ociErrorMessage, ...(timeoutMs ? { timeoutMs } : {}) });
  }

  /** A signed request; `host` and `content-length` are signed but left for fetch to send (it sets the same values). */
  private async send(
    method: "GET" | "HEAD" | "POST" | "PUT" | "DELETE",
    url: string,
    action: string,
    options: { json?: unknown; body?: Uint8Array; headers?: Record<string, string>; unsignedBody?: boolean; signal?: AbortSignal | undefined; maxResponseBytes?: number } = {},
  ): Promise<HttpResponse> {
    const body = options.json !== undefined ? JSON.stringify(options.json) : options.body;
    const signed = this.signer.sign({ method, url, body, headers: { ...(options.json !== undefined ? { "content-type": "application/json" } : {}), ...options.headers }, ...(options.unsignedBody ? { unsignedBody: true } : {}) });
    delete signed["host"];
    delete signed["content-length"];
    return this.http.send({ method, url, action, headers: signed, ...(body !== undefined ? { body } : {}), signal: options.signal, ...(options.maxResponseBytes ? { maxResponseBytes: options.maxResponseBytes } : {}) });
  }

  private async allowingNotFound(run: () => Promise<HttpResponse>): Promise<HttpResponse | undefined> {
    try {
      return await run();
    } catch (e) {
      if (isHttpStatus(e, 404)) return undefined;
      throw e;
    }
  }

  // ---------------------------------------------------------------- identity

  async availabilityDomains(compartmentId: string, signal?: AbortSignal): Promise<string[]> {
    const q = new URLSearchParams({ compartmentId });
    const response = await this.send("GET", `${this.endpoints.identity}${API}/availabilityDomains?${q}`, "list availability domains", { signal });
    return field(response.json, "availabilityDomains", "oci", isArray).map((d) => field(field(d, "availabilityDomains[]", "oci", isObject)["name"], "availabilityDomains[].name", "oci", isString));
  }

  // ---------------------------------------------------------------- compute

  async launchInstance(input: LaunchInstanceInput, signal?: AbortSignal): Promise<OciInstance> {
    const body = {
      availabilityDomain: input.availabilityDomain,
      compartmentId: input.compartmentId,
      displayName: input.displayName,
      shape: input.shape,
      ...(input.shapeConfig ? { shapeConfig: input.shapeConfig } : {}),
      sourceDetails: { sourceType: "image", imageId: input.imageId },
      createVnicDetails: { subnetId: input.subnetId, assignPublicIp: true },
      metadata: { user_data: Buffer.from(input.userData, "utf8").toString("base64") },
      freeformTags: input.freeformTags,
      ...(input.preemptible ? { preemptibleInstanceConfig: { preemptionAction: { type: "TERMINATE", preserveBootVolume: false } } } : {}),
    };
    const response = await this.send("POST", `${this.endpoints.compute}${API}/instances`, `launch instance ${input.displayName}`, { json: body, headers: { "opc-retry-token": input.retryToken }, signal });
    return parseInstance(response.json);
  }

  async instance(id: string, signal?: AbortSignal): Promise<OciInstance | undefined> {
    const response = await this.allowingNotFound(() => this.send("GET", `${this.endpoints.compute}${API}/instances/${encodeURIComponent(id)}`, `read instance ${id}`, { signal }));
    return response ? parseInstance(response.json) : undefined;
  }

  /** Instances of a compartment with a display name, across pages (opc-next-page). */
  async instancesNamed(compartmentId: string, displayName: string, signal?: AbortSignal): Promise<OciInstance[]> {
    const out: OciInstance[] = [];
    let page: string | null = null;
    for (let n = 0; n < 100; n++) {
      const q = new URLSearchParams({ compartmentId, displayName, ...(page ? { page } : {}) });
      const response = await this.send("GET", `${this.endpoints.compute}${API}/instances?${q}`, `find instances ${displayName}`, { signal });
      out.push(...field(response.json, "instances", "oci", isArray).map(parseInstance));
      page = response.headers.get("opc-next-page");
      if (!page) return out;
    }
    throw new AppError("unavailable", "OCI_PAGINATION", "oci: the instance list did not end after 100 pages", {});
  }

  /** Terminates an instance and deletes its boot volume; already gone is success. */
  async terminateInstance(id: string, signal?: AbortSignal): Promise<void> {
    await this.allowingNotFound(() => this.send("DELETE", `${this.endpoints.compute}${API}/instances/${encodeURIComponent(id)}?preserveBootVolume=false`, `terminate instance ${id}`, { signal }));
  }

  // ---------------------------------------------------------------- object storage

  async namespace(signal?: AbortSignal): Promise<string> {
    const response = await this.send("GET", `${this.endpoints.objectStorage}/n/`, "read the Object Storage namespace", { signal });
    return field(response.json, "namespace", "oci", isString);
  }

  private objectUrl(namespace: string, bucket: string, name: string): string {
    return `${this.endpoints.objectStorage}/n/${encodeURIComponent(namespace)}/b/${encodeURIComponent(bucket)}/o/${encodeURIComponent(name)}`;
  }

  async putObject(namespace: string, bucket: string, name: string, bytes: Uint8Array, signal?: AbortSignal): Promise<void> {
    await this.send("PUT", this.objectUrl(namespace, bucket, name), `upload ${bucket}/${name}`, { body: bytes, headers: { "content-type": "application/octet-stream" }, unsignedBody: true, signal });
  }

  async getObject(namespace: string, bucket: string, name: string, range: { start?: number; maxBytes?: number } = {}, signal?: AbortSignal): Promise<Uint8Array | undefined> {
    const start = range.start ?? 0;
    const ranged = start > 0 || range.maxBytes !== undefined;
    const headers = ranged ? { range: `bytes=${start}-${range.maxBytes !== undefined ? start + Math.max(1, range.maxBytes) - 1 : ""}` } : undefined;
    try {
      const response = await this.allowingNotFound(() => this.send("GET", this.objectUrl(namespace, bucket, name), `download ${bucket}/${name}`, { ...(headers ? { headers } : {}), signal, maxResponseBytes: MAX_OBJECT_BYTES }));
      return response?.bytes;
    } catch (e) {
      if (isHttpStatus(e, 416)) return new Uint8Array();
      throw e;
    }
  }

  async deleteObject(namespace: string, bucket: string, name: string, signal?: AbortSignal): Promise<void> {
    await this.allowingNotFound(() => this.send("DELETE", this.objectUrl(namespace, bucket, name), `delete ${bucket}/${name}`, { signal }));
  }

  async listObjects(namespace: string, bucket: string, prefix: string, signal?: AbortSignal): Promise<string[]> {
    const names: string[] = [];
    let start: string | undefined;
    for (let n = 0; n < 1000; n++) {
      const q = new URLSearchParams({ prefix, ...(start ? { start } : {}) });
      const response = await this.send("GET", `${this.endpoints.objectStorage}/n/${encodeURIComponent(namespace)}/b/${encodeURIComponent(bucket)}/o?${q}`, `list ${bucket}/${prefix}`, { signal });
      const body = field(response.json, "body", "oci", isObject);
      names.push(...field(body["objects"], "objects", "oci", isArray).map((o) => field(field(o, "objects[]", "oci", isObject)["name"], "objects[].name", "oci", isString)));
      start = isString(body["nextStartWith"]) ? body["nextStartWith"] : undefined;
      if (!start) return names;
    }
    throw new AppError("unavailable", "OCI_PAGINATION", "oci: the object list did not end after 1000 pages", {});
  }

  /** Creates a pre-authenticated request for one object; returns its id and full URL. */
  async createPar(namespace: string, bucket: string, objectName: string, access: "ObjectRead" | "ObjectWrite", expires: Date, signal?: AbortSignal): Promise<{ id: string; url: string }> {
    const response = await this.send("POST", `${this.endpoints.objectStorage}/n/${encodeURIComponent(namespace)}/b/${encodeURIComponent(bucket)}/p/`, `create a pre-authenticated request for ${bucket}/${objectName}`, {
      json: { name: `artenic-${access === "ObjectRead" ? "read" : "write"}-${objectName}`.slice(0, 512), objectName, accessType: access, timeExpires: expires.toISOString() },
      signal,
    });
    const body = field(response.json, "body", "oci", isObject);
    return { id: field(body["id"], "par.id", "oci", isString), url: `${this.endpoints.objectStorage}${field(body["accessUri"], "par.accessUri", "oci", isString)}` };
  }

  /** The pre-authenticated requests of objects under a prefix, across pages. */
  async listPars(namespace: string, bucket: string, objectNamePrefix: string, signal?: AbortSignal): Promise<string[]> {
    const ids: string[] = [];
    let page: string | null = null;
    for (let n = 0; n < 1000; n++) {
      const q = new URLSearchParams({ objectNamePrefix, ...(page ? { page } : {}) });
      const response = await this.send("GET", `${this.endpoints.objectStorage}/n/${encodeURIComponent(namespace)}/b/${encodeURIComponent(bucket)}/p/?${q}`, `list pre-authenticated requests of ${bucket}/${objectNamePrefix}`, { signal });
      ids.push(...field(response.json, "pars", "oci", isArray).map((p) => field(field(p, "pars[]", "oci", isObject)["id"], "pars[].id", "oci", isString)));
      page = response.headers.get("opc-next-page");
      if (!page) return ids;
    }
    throw new AppError("unavailable", "OCI_PAGINATION", "oci: the pre-authenticated request list did not end after 1000 pages", {});
  }

  async deletePar(namespace: string, bucket: string, id: string, signal?: AbortSignal): Promise<void> {
    await this.allowingNotFound(() => this.send("DELETE", `${this.endpoints.objectStorage}/n/${encodeURIComponent(namespace)}/b/${encodeURIComponent(bucket)}/p/${encodeURIComponent(id)}`, `delete pre-authenticated request ${id}`, { signal }));
  }

  async headBucket(namespace: string, bucket: string, signal?: AbortSignal): Promise<void> {
    await this.send("HEAD", `${this.endpoints.objectStorage}/n/${encodeURIComponent(namespace)}/b/${encodeURIComponent(bucket)}/`, `read bucket ${bucket}`, { signal });
  }
}
