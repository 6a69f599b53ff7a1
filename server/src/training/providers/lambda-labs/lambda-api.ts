import { ApiCallError, requestJson } from "../gpu-clouds/http-json.js";

/**
 * The Lambda Cloud API v1 (`https://cloud.lambdalabs.com/api/v1`) as far as training needs it:
 * instance types with prices and the regions that have capacity, launch, read, list and terminate
 * instances, and SSH keys. Authenticated with the API key as a bearer token. Errors have the shape
 * `{"error": {"code", "message", "suggestion"}}`.
 */

export interface LambdaInstanceType {
  readonly name: string;
  readonly description: string;
  readonly gpu_description: string;
  readonly price_cents_per_hour: number;
  readonly specs: { readonly vcpus: number; readonly memory_gib: number; readonly storage_gib: number; readonly gpus: number };
}

export interface LambdaRegion {
  readonly name: string;
  readonly description: string;
}

export type LambdaInstanceStatus = "booting" | "active" | "unhealthy" | "terminating" | "terminated" | "preempted";

export interface LambdaInstance {
  readonly id: string;
  readonly name?: string;
  readonly ip?: string;
  readonly status: LambdaInstanceStatus;
  readonly region: LambdaRegion;
  readonly instance_type: LambdaInstanceType;
  readonly ssh_key_names: readonly string[];
}

export interface LaunchRequest {
  readonly region_name: string;
  readonly instance_type_name: string;
  readonly ssh_key_names: readonly string[];
  readonly file_system_names: readonly string[];
  readonly quantity: 1;
  readonly name: string;
  readonly user_data: string;
}

export const LAMBDA_NOT_FOUND = "global/object-does-not-exist";

export class LambdaApi {
  constructor(
    private readonly options: { readonly apiUrl: string; readonly apiKey: string; readonly timeoutMs: number },
  ) {}

  private call<T>(action: string, method: "GET" | "POST", path: string, body: unknown, signal: AbortSignal | undefined): Promise<T> {
    return requestJson<T>({
      provider: "lambda-labs",
      action,
      method,
      url: `${this.options.apiUrl.replace(/\/+$/, "")}${path}`,
      headers: { authorization: `Bearer ${this.options.apiKey}` },
      body,
      timeoutMs: this.options.timeoutMs,
      signal,
      errorOf: (b) => {
        const e = (b as { error?: { code?: unknown; message?: unknown; suggestion?: unknown } } | undefined)?.error;
        if (!e || typeof e.code !== "string") return undefined;
        return { code: e.code, message: `${String(e.message ?? "")}${typeof e.suggestion === "string" && e.suggestion ? ` (${e.suggestion})` : ""}` };
      },
    });
  }

  async instanceTypes(signal?: AbortSignal): Promise<Record<string, { instance_type: LambdaInstanceType; regions_with_capacity_available: LambdaRegion[] }>> {
    return (await this.call<{ data: Record<string, { instance_type: LambdaInstanceType; regions_with_capacity_available: LambdaRegion[] }> }>("list instance types", "GET", "/instance-types", undefined, signal)).data;
  }

  async launch(request: LaunchRequest, signal?: AbortSignal): Promise<string> {
    const ids = (await this.call<{ data: { instance_ids: string[] } }>("launch an instance", "POST", "/instance-operations/launch", request, signal)).data.instance_ids;
    if (ids.length !== 1) throw new ApiCallError("lambda-labs", "launch an instance", 200, "", `expected one instance id, got ${ids.length}`);
    return ids[0]!;
  }

  async instances(signal?: AbortSignal): Promise<LambdaInstance[]> {
    return (await this.call<{ data: LambdaInstance[] }>("list instances", "GET", "/instances", undefined, signal)).data;
  }

  /** The instance, or undefined when Lambda says it does not exist. */
  async instance(id: string, signal?: AbortSignal): Promise<LambdaInstance | undefined> {
    try {
      return (await this.call<{ data: LambdaInstance }>(`read instance ${id}`, "GET", `/instances/${encodeURIComponent(id)}`, undefined, signal)).data;
    } catch (e) {
      if (e instanceof ApiCallError && (e.status === 404 || e.code === LAMBDA_NOT_FOUND)) return undefined;
      throw e;
    }
  }

  /** Terminates the instance; one that does not exist (any more) is success. */
  async terminate(id: string, signal?: AbortSignal): Promise<void> {
    try {
      await this.call("terminate an instance", "POST", "/instance-operations/terminate", { instance_ids: [id] }, signal);
    } catch (e) {
      if (e instanceof ApiCallError && (e.status === 404 || e.code === LAMBDA_NOT_FOUND)) return;
      throw e;
    }
  }

  async sshKeys(signal?: AbortSignal): Promise<{ id: string; name: string }[]> {
    return (await this.call<{ data: { id: string; name: string }[] }>("list SSH keys", "GET", "/ssh-keys", undefined, signal)).data;
  }
}
