import { AppError } from "../../../platform/errors/app-error.js";
import type { Offering } from "../../compute-provider.js";
import { gpuTypeMatches } from "../../catalog/price-catalog.js";
import { type ComputeObservation, type JobStorage, type VmCompute, type VmCreateRequest, type VmRef } from "../remote/index.js";
import { toAppError } from "../gpu-clouds/http-json.js";
import { CONTAINER_BOOTSTRAP_COMMAND, stageContainerBootstrap } from "../gpu-clouds/container-bootstrap.js";
import { cheapestPerGpuType, gpuInstanceTypeName, liveOffering, platformGpuType, today, type Exchange, type LiveOffering } from "../gpu-clouds/live-prices.js";
import { RunPodApi, type RunPodCloudType, type RunPodGpuType, type RunPodPod } from "./runpod-api.js";

const GIB = 1024 ** 3;

export interface RunPodComputeConfig {
  readonly apiUrl: string;
  readonly apiKey: string;
  readonly cloudType: RunPodCloudType;
  /** Pods are placed in this data center (`EU-RO-1`); anywhere when empty. Also the offerings' region. */
  readonly dataCenterId: string;
  /** The image of jobs whose spec names none (needs bash and curl). */
  readonly defaultImage: string;
  /** @default 50 */
  readonly containerDiskGb?: number;
  readonly exchange: Exchange;
  /** Where the machine fetches its bootstrap script from (the job storage new jobs go to), under `prefix`. */
  readonly storage: JobStorage;
  readonly prefix: string;
  readonly requestTimeoutMs?: number;
  readonly now?: () => Date;
}

/** The pod name of a job: what makes a retried submit find its pod. */
export const runPodName = (jobId: string) => `artenic-${jobId}`;

/** The container's command (RunPod splits it into words like a shell): fetch the bootstrap and run it. */
export const RUNPOD_DOCKER_ARGS = `bash -c '${CONTAINER_BOOTSTRAP_COMMAND}'`;

/** The platform GPU type of a RunPod GPU type (`NVIDIA GeForce RTX 4090` → `nvidia-rtx-4090`). */
export function runPodGpuType(t: Pick<RunPodGpuType, "id" | "displayName" | "memoryInGb">): string {
  const name = /\d+\s*GB/i.test(t.id) ? t.id : `${t.id} ${t.memoryInGb}GB`;
  return platformGpuType(name);
}

/**
 * RunPod pods as the remote kit's VmCompute: each job is one pod of the job's image running the
 * bootstrap script; on-demand pods through `podFindAndDeployOnDemand`, spot jobs as interruptible
 * pods (`podRentInterruptable`) bidding the current minimum. An interruptible pod that exits without
 * the script's final status was outbid: preempted.
 */
export class RunPodCompute implements VmCompute {
  private readonly api: RunPodApi;
  private readonly region: string;

  constructor(private readonly config: RunPodComputeConfig) {
    this.api = new RunPodApi({ apiUrl: config.apiUrl, apiKey: config.apiKey, timeoutMs: config.requestTimeoutMs ?? 30_000 });
    this.region = config.dataCenterId || "any";
  }

  private async guard<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (e) {
      throw toAppError(e, "RUNPOD");
    }
  }

  /** One offering per platform GPU model (the cheapest RunPod type of it), one GPU, priced live. */
  async listOfferings(filter: { region?: string; gpuType?: string } = {}, signal?: AbortSignal): Promise<Offering[]> {
    if (filter.region && filter.region !== this.region) return [];
    const types = await this.guard(() => this.api.gpuTypes(1, signal));
    const date = today(this.config.now?.());
    const offerings: LiveOffering[] = [];
    for (const t of types) {
      const price = t.lowestPrice;
      if (!price || price.uninterruptablePrice === null || (this.config.cloudType === "SECURE" && !t.secureCloud) || (this.config.cloudType === "COMMUNITY" && !t.communityCloud)) continue;
      const gpuType = runPodGpuType(t);
      if (gpuType === "" || (filter.gpuType && !gpuTypeMatches(filter.gpuType, gpuType))) continue;
      const base = { provider: "runpod", region: this.region, instanceType: gpuInstanceTypeName(1, gpuType), cpus: price.minVcpu ?? 1, memoryBytes: (price.minMemory ?? 1) * GIB, gpuType, gpuCount: 1 };
      offerings.push(liveOffering(base, { onDemand: price.uninterruptablePrice, spot: price.minimumBidPrice }, this.config.exchange, date));
    }
    return cheapestPerGpuType(offerings);
  }

  async findInstance(jobId: string, _region: string, signal?: AbortSignal): Promise<VmRef | undefined> {
    const name = runPodName(jobId);
    const pod = (await this.guard(() => this.api.myPods(signal))).pods.find((p) => p.name === name && p.desiredStatus !== "TERMINATED");
    // Whether it is interruptible is not in the pod's fields: it was recorded in the handle at submit.
    return pod ? { id: pod.id, region: this.region, data: { name } } : undefined;
  }

  /** The GPU model and count a spec asks for: its GPU fields, else its instance type (`2x-rtx-4090`). */
  private wanted(request: VmCreateRequest): { gpuType: string; count: number } {
    const { spec } = request;
    const m = /^(\d+)x-(.+)$/.exec(spec.instanceType);
    const gpuType = spec.gpuType || (m ? `nvidia-${m[2]}` : "");
    const count = Math.max(1, spec.gpuCount, m ? Number(m[1]) : 1);
    return { gpuType, count };
  }

  async createInstance(request: VmCreateRequest, signal?: AbortSignal): Promise<VmRef> {
    const { spec } = request;
    const { gpuType, count } = this.wanted(request);
    const types = await this.guard(() => this.api.gpuTypes(count, signal));
    const candidates = types
      .filter((t) => t.lowestPrice?.uninterruptablePrice != null && (gpuType === "" || gpuTypeMatches(gpuType, runPodGpuType(t))))
      .filter((t) => !spec.spot || t.lowestPrice?.minimumBidPrice != null)
      .sort((a, b) => (spec.spot ? a.lowestPrice!.minimumBidPrice! - b.lowestPrice!.minimumBidPrice! : a.lowestPrice!.uninterruptablePrice! - b.lowestPrice!.uninterruptablePrice!));
    const chosen = candidates[0];
    if (!chosen) {
      throw new AppError("failed_precondition", "RUNPOD_GPU_UNAVAILABLE", `runpod: no ${spec.spot ? "interruptible " : ""}capacity for ${count} × ${gpuType || "any GPU"} now.`, { gpuType, count: String(count) }, { retryDelayMs: 60_000 });
    }
    const bootstrapUrl = await stageContainerBootstrap(this.config.storage, this.config.prefix, request.jobId, request.userData, spec.maxRuntimeMs, signal);
    const name = runPodName(request.jobId);
    const pod: RunPodPod = await this.guard(() =>
      this.api.deploy(
        {
          name,
          imageName: spec.image || this.config.defaultImage,
          gpuTypeId: chosen.id,
          gpuCount: count,
          cloudType: this.config.cloudType,
          containerDiskInGb: this.config.containerDiskGb ?? 50,
          volumeInGb: 0,
          minVcpuCount: Math.max(1, Math.ceil(spec.cpus)),
          minMemoryInGb: Math.max(1, Math.ceil(spec.memoryBytes / GIB)),
          dockerArgs: RUNPOD_DOCKER_ARGS,
          env: [{ key: "ARTENIC_BOOTSTRAP_URL", value: bootstrapUrl }],
          ...(this.config.dataCenterId ? { dataCenterId: this.config.dataCenterId } : {}),
          ...(spec.spot ? { bidPerGpu: chosen.lowestPrice!.minimumBidPrice! } : {}),
        },
        signal,
      ),
    );
    return { id: pod.id, region: this.region, data: { name, gpuTypeId: chosen.id, interruptible: String(spec.spot) } };
  }

  async describe(ref: VmRef, signal?: AbortSignal): Promise<ComputeObservation> {
    const pod = await this.guard(() => this.api.pod(ref.id, signal));
    const interruptible = ref.data["interruptible"] === "true";
    if (!pod) return { state: "gone", message: `pod ${ref.id} no longer exists` };
    const why = pod.lastStatusChange ? ` (${pod.lastStatusChange})` : "";
    switch (pod.desiredStatus) {
      case "CREATED":
        return { state: "pending", message: "pod created" };
      case "RUNNING":
        return pod.runtime ? { state: "running", message: "pod running" } : { state: "pending", message: "pod starting: pulling the image" };
      case "RESTARTING":
        return { state: "pending", message: "pod restarting" };
      case "EXITED":
      case "PAUSED":
        // An interruptible pod stopped by anyone but its own script (whose final status decides first) was outbid.
        return interruptible ? { state: "stopped", preempted: true, message: `interruptible pod stopped by RunPod${why}` } : { state: "stopped", message: `pod exited${why}` };
      case "DEAD":
        return { state: "gone", preempted: interruptible, message: `pod dead${why}` };
      case "TERMINATED":
        return { state: "gone", preempted: interruptible, message: `pod terminated${why}` };
      default:
        return { state: "running", message: `pod ${String(pod.desiredStatus)}` };
    }
  }

  async terminate(ref: VmRef, signal?: AbortSignal): Promise<void> {
    await this.guard(() => this.api.terminate(ref.id, signal));
  }

  /** The pod's disks go with it. */
  async releaseResources(): Promise<void> {}

  async testConnection(signal?: AbortSignal): Promise<{ ok: boolean; message: string }> {
    try {
      const me = await this.api.myPods(signal);
      const offerings = await this.listOfferings({}, signal);
      return { ok: true, message: `connected to RunPod at ${this.config.apiUrl} as ${me.userId}; ${me.pods.length} pods; ${offerings.length} GPU models priced` };
    } catch (e) {
      return { ok: false, message: e instanceof Error ? e.message : String(e) };
    }
  }
}
