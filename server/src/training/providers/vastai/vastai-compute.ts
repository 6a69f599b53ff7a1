import { AppError } from "../../../platform/errors/app-error.js";
import type { Offering } from "../../compute-provider.js";
import { gpuTypeMatches } from "../../catalog/price-catalog.js";
import { type ComputeObservation, type JobStorage, type VmCompute, type VmCreateRequest, type VmRef } from "../remote/index.js";
import { ApiCallError, toAppError } from "../gpu-clouds/http-json.js";
import { CONTAINER_BOOTSTRAP_COMMAND, stageContainerBootstrap } from "../gpu-clouds/container-bootstrap.js";
import { cheapestPerGpuType, gpuInstanceTypeName, liveOffering, platformGpuType, today, type Exchange, type LiveOffering } from "../gpu-clouds/live-prices.js";
import { VastApi, type VastOffer, type VastOfferQuery } from "./vastai-api.js";

const MIB = 1024 ** 2;

export interface VastComputeConfig {
  readonly apiUrl: string;
  readonly apiKey: string;
  /** The image of jobs whose spec names none (needs bash and curl). */
  readonly defaultImage: string;
  /** Offers from hosts below this reliability are ignored. @default 0.95 */
  readonly minReliability?: number;
  /** Disk of each instance, GB. @default 50 */
  readonly diskGb?: number;
  /** How much over the minimum an interruptible bid goes (1.1 = 10 % over). @default 1.1 */
  readonly bidMarkup?: number;
  readonly exchange: Exchange;
  /** Where the machine fetches its bootstrap script from (the job storage new jobs go to), under `prefix`. */
  readonly storage: JobStorage;
  readonly prefix: string;
  readonly requestTimeoutMs?: number;
  readonly now?: () => Date;
}

export const vastLabel = (jobId: string) => `artenic-${jobId}`;

/** The container's command: fetch the bootstrap and run it (container-bootstrap.ts). */
export const VAST_ARGS = ["bash", "-c", CONTAINER_BOOTSTRAP_COMMAND] as const;

/** `A100 SXM4` with 81920 MB per GPU → `nvidia-a100-80gb`. */
export function vastGpuType(o: Pick<VastOffer, "gpu_name" | "gpu_ram">): string {
  return platformGpuType(`${o.gpu_name} ${Math.round(o.gpu_ram / 1024)}GB`);
}

/**
 * Vast.ai marketplace instances as the remote kit's VmCompute: a job accepts the cheapest verified,
 * reliable offer for its GPU model and count, on-demand, or as an interruptible bid for spot jobs,
 * running the job's image with the bootstrap as its command. An interruptible instance that stops
 * without the script's final status was outbid: preempted.
 */
export class VastCompute implements VmCompute {
  private readonly api: VastApi;

  constructor(private readonly config: VastComputeConfig) {
    this.api = new VastApi({ apiUrl: config.apiUrl, apiKey: config.apiKey, timeoutMs: config.requestTimeoutMs ?? 30_000 });
  }

  private async guard<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (e) {
      throw toAppError(e, "VASTAI");
    }
  }

  private query(type: "on-demand" | "bid", numGpus?: number, diskGb?: number): VastOfferQuery {
    return {
      verified: { eq: true },
      rentable: { eq: true },
      rented: { eq: false },
      reliability2: { gte: this.config.minReliability ?? 0.95 },
      ...(numGpus !== undefined ? { num_gpus: { eq: numGpus } } : {}),
      ...(diskGb !== undefined ? { disk_space: { gte: diskGb } } : {}),
      type,
      order: [[type === "bid" ? "min_bid" : "dph_total", "asc"]],
      limit: 100,
    };
  }

  /** One offering per GPU model (its cheapest single-GPU offer), with the on-demand and minimum bid prices. */
  async listOfferings(filter: { region?: string; gpuType?: string } = {}, signal?: AbortSignal): Promise<Offering[]> {
    if (filter.region && filter.region !== "global") return [];
    const offers = await this.guard(() => this.api.searchOffers(this.query("on-demand", 1), signal));
    const date = today(this.config.now?.());
    const offerings: LiveOffering[] = [];
    for (const o of offers) {
      const gpuType = vastGpuType(o);
      if (gpuType === "" || (filter.gpuType && !gpuTypeMatches(filter.gpuType, gpuType))) continue;
      const base = { provider: "vastai", region: "global", instanceType: gpuInstanceTypeName(1, gpuType), cpus: o.cpu_cores_effective, memoryBytes: Math.round(o.cpu_ram * MIB), gpuType, gpuCount: 1 };
      offerings.push(liveOffering(base, { onDemand: o.dph_total, spot: o.min_bid }, this.config.exchange, date));
    }
    return cheapestPerGpuType(offerings);
  }

  async findInstance(jobId: string, _region: string, signal?: AbortSignal): Promise<VmRef | undefined> {
    const label = vastLabel(jobId);
    const found = (await this.guard(() => this.api.instances(signal))).find((i) => i.label === label);
    return found ? { id: String(found.id), region: "global", data: { label, interruptible: String(found.is_bid) } } : undefined;
  }

  async createInstance(request: VmCreateRequest, signal?: AbortSignal): Promise<VmRef> {
    const { spec } = request;
    const m = /^(\d+)x-(.+)$/.exec(spec.instanceType);
    const gpuType = spec.gpuType || (m ? `nvidia-${m[2]}` : "");
    const count = Math.max(1, spec.gpuCount, m ? Number(m[1]) : 1);
    const disk = this.config.diskGb ?? 50;
    const offers = (await this.guard(() => this.api.searchOffers(this.query(spec.spot ? "bid" : "on-demand", count, disk), signal))).filter(
      (o) => (gpuType === "" || gpuTypeMatches(gpuType, vastGpuType(o))) && o.cpu_cores_effective >= spec.cpus && o.cpu_ram * MIB >= spec.memoryBytes && (!spec.spot || o.min_bid !== null),
    );
    const url = await stageContainerBootstrap(this.config.storage, this.config.prefix, request.jobId, request.userData, spec.maxRuntimeMs, signal);
    const label = vastLabel(request.jobId);
    // Offers go fast on a marketplace: one taken between the search and the accept is skipped.
    for (const offer of offers.slice(0, 3)) {
      const bid = spec.spot ? Math.round(offer.min_bid! * (this.config.bidMarkup ?? 1.1) * 10_000) / 10_000 : undefined;
      try {
        const id = await this.api.createInstance(
          offer.id,
          { client_id: "me", image: spec.image || this.config.defaultImage, disk, label, runtype: "args", args: [...VAST_ARGS], env: { ARTENIC_BOOTSTRAP_URL: url }, ...(bid !== undefined ? { price: bid } : {}) },
          signal,
        );
        return { id: String(id), region: "global", data: { label, offerId: String(offer.id), interruptible: String(spec.spot) } };
      } catch (e) {
        if (e instanceof ApiCallError && e.status >= 400 && e.status < 500 && /no_such_ask|not available|unavailable/i.test(`${e.code} ${e.detail}`)) continue;
        throw toAppError(e, "VASTAI");
      }
    }
    throw new AppError("failed_precondition", "VASTAI_NO_OFFER", `vastai: no ${spec.spot ? "interruptible " : ""}offer for ${count} × ${gpuType || "any GPU"} with ${spec.cpus} CPUs now.`, { gpuType, count: String(count) }, { retryDelayMs: 60_000 });
  }

  async describe(ref: VmRef, signal?: AbortSignal): Promise<ComputeObservation> {
    const i = await this.guard(() => this.api.instance(Number(ref.id), signal));
    if (!i) return { state: "gone", message: `instance ${ref.id} no longer exists` };
    const interruptible = ref.data["interruptible"] === "true";
    const why = i.status_msg ? ` (${i.status_msg.trim()})` : "";
    const launchedAt = i.start_date ? { launchedAt: new Date(i.start_date * 1000) } : {};
    switch (i.actual_status) {
      case null:
      case "created":
      case "loading":
        return { state: "pending", message: `instance ${i.actual_status ?? "scheduling"}${why}` };
      case "running":
        return { state: "running", message: "instance running", ...launchedAt };
      case "exited":
      case "stopped":
      case "offline":
        // An interruptible instance stopped by anyone but its own script (whose final status decides first) was outbid.
        if (interruptible && i.intended_status !== "stopped") return { state: "stopped", preempted: true, message: `interruptible instance ${i.actual_status}${why}`, ...launchedAt };
        return { state: "stopped", message: `instance ${i.actual_status}${why}`, ...launchedAt };
      default:
        return { state: "running", message: `instance ${i.actual_status}${why}`, ...launchedAt };
    }
  }

  async terminate(ref: VmRef, signal?: AbortSignal): Promise<void> {
    await this.guard(() => this.api.destroy(Number(ref.id), signal));
  }

  /** The instance's disk goes with it. */
  async releaseResources(): Promise<void> {}

  async testConnection(signal?: AbortSignal): Promise<{ ok: boolean; message: string }> {
    try {
      const user = await this.api.currentUser(signal);
      const offerings = await this.listOfferings({}, signal);
      return { ok: true, message: `connected to Vast.ai at ${this.config.apiUrl} as ${user.username}; ${offerings.length} GPU models offered` };
    } catch (e) {
      return { ok: false, message: e instanceof Error ? e.message : String(e) };
    }
  }
}
