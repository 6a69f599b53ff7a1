import { ApiCallError, requestJson } from "../gpu-clouds/http-json.js";

/**
 * The Vast.ai REST API v0 (`https://console.vast.ai/api/v0`) as far as training needs it: search
 * offers (`POST /bundles/` with a JSON query; `dph_total` is the on-demand price per hour and
 * `min_bid` the interruptible one), accept an offer (`PUT /asks/{id}/`), list and read instances,
 * destroy one, and the current user. Bearer API key. Errors: `{"success": false, "error", "msg"}`.
 */

export interface VastOffer {
  readonly id: number;
  readonly gpu_name: string;
  readonly num_gpus: number;
  /** Per GPU, MB. */
  readonly gpu_ram: number;
  readonly cpu_cores_effective: number;
  /** MB. */
  readonly cpu_ram: number;
  readonly disk_space: number;
  readonly dph_total: number;
  readonly min_bid: number | null;
  readonly reliability2: number;
  readonly geolocation: string | null;
  readonly verified: boolean;
  readonly rentable: boolean;
}

export interface VastInstance {
  readonly id: number;
  readonly label: string | null;
  readonly actual_status: string | null;
  readonly intended_status: string | null;
  readonly cur_state: string | null;
  readonly status_msg: string | null;
  readonly is_bid: boolean;
  readonly start_date: number | null;
}

/** The JSON query of an offer search, in Vast's operator syntax. */
export interface VastOfferQuery {
  readonly verified: { readonly eq: boolean };
  readonly rentable: { readonly eq: boolean };
  readonly rented: { readonly eq: boolean };
  readonly reliability2: { readonly gte: number };
  readonly num_gpus?: { readonly eq: number };
  readonly disk_space?: { readonly gte: number };
  readonly type: "on-demand" | "bid";
  readonly order: readonly (readonly [string, "asc" | "desc"])[];
  readonly limit: number;
}

export interface VastCreateInstance {
  readonly client_id: "me";
  readonly image: string;
  readonly disk: number;
  readonly label: string;
  readonly runtype: "args";
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** Interruptible instances only: the bid, USD per hour for the whole instance. */
  readonly price?: number;
}

const NOT_FOUND = /not.?found|no_such|does not exist/i;

export class VastApi {
  constructor(private readonly options: { readonly apiUrl: string; readonly apiKey: string; readonly timeoutMs: number }) {}

  private call<T>(action: string, method: "GET" | "POST" | "PUT" | "DELETE", path: string, body: unknown, signal: AbortSignal | undefined): Promise<T> {
    return requestJson<T>({
      provider: "vastai",
      action,
      method,
      url: `${this.options.apiUrl.replace(/\/+$/, "")}${path}`,
      headers: { authorization: `Bearer ${this.options.apiKey}` },
      body,
      timeoutMs: this.options.timeoutMs,
      signal,
      errorOf: (b) => {
        const x = b as { error?: unknown; msg?: unknown; detail?: unknown } | undefined;
        if (!x || (x.error === undefined && x.msg === undefined && x.detail === undefined)) return undefined;
        return { code: typeof x.error === "string" ? x.error : "", message: String(x.msg ?? x.detail ?? x.error) };
      },
    });
  }

  async searchOffers(query: VastOfferQuery, signal?: AbortSignal): Promise<VastOffer[]> {
    return (await this.call<{ offers: VastOffer[] }>("search offers", "POST", "/bundles/", query, signal)).offers;
  }

  /** Accepts the offer; returns the new instance's id. */
  async createInstance(offerId: number, body: VastCreateInstance, signal?: AbortSignal): Promise<number> {
    const answer = await this.call<{ success: boolean; new_contract?: number; msg?: string }>(`accept offer ${offerId}`, "PUT", `/asks/${offerId}/`, body, signal);
    if (!answer.success || typeof answer.new_contract !== "number") throw new ApiCallError("vastai", `accept offer ${offerId}`, 200, "", answer.msg ?? "no instance was created");
    return answer.new_contract;
  }

  async instances(signal?: AbortSignal): Promise<VastInstance[]> {
    return (await this.call<{ instances: VastInstance[] }>("list instances", "GET", "/instances/?owner=me", undefined, signal)).instances;
  }

  /** The instance, or undefined when Vast no longer has it. */
  async instance(id: number, signal?: AbortSignal): Promise<VastInstance | undefined> {
    try {
      const answer = await this.call<{ instances: VastInstance | null }>(`read instance ${id}`, "GET", `/instances/${id}/?owner=me`, undefined, signal);
      return answer.instances ?? undefined;
    } catch (e) {
      if (e instanceof ApiCallError && (e.status === 404 || NOT_FOUND.test(e.code))) return undefined;
      throw e;
    }
  }

  /** Destroys the instance; one that is already gone is success. */
  async destroy(id: number, signal?: AbortSignal): Promise<void> {
    try {
      await this.call(`destroy instance ${id}`, "DELETE", `/instances/${id}/`, undefined, signal);
    } catch (e) {
      if (e instanceof ApiCallError && (e.status === 404 || NOT_FOUND.test(e.code))) return;
      throw e;
    }
  }

  async currentUser(signal?: AbortSignal): Promise<{ id: number; username: string }> {
    return this.call("read the current user", "GET", "/users/current/", undefined, signal);
  }
}
