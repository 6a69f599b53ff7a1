import { AppError } from "../../../platform/errors/app-error.js";
import type { Offering } from "../../compute-provider.js";
import { gpuTypeMatches } from "../../catalog/price-catalog.js";
import type { ComputeObservation, VmCompute, VmCreateRequest, VmRef } from "../remote/index.js";
import { toAppError } from "../gpu-clouds/http-json.js";
import { liveOffering, platformGpuType, today, type Exchange, type LiveOffering } from "../gpu-clouds/live-prices.js";
import { LambdaApi, type LambdaInstance, type LambdaInstanceType } from "./lambda-api.js";

const GIB = 1024 ** 3;

export interface LambdaComputeConfig {
  readonly apiUrl: string;
  readonly apiKey: string;
  /** The SSH key registered with Lambda that instances get (the API requires one). */
  readonly sshKeyName: string;
  readonly exchange: Exchange;
  readonly requestTimeoutMs?: number;
  readonly now?: () => Date;
}

/** `A100 (80 GB SXM4)` → `nvidia-a100-80gb`; `""` for a type without GPUs. */
export function lambdaGpuType(t: LambdaInstanceType): string {
  if (t.specs.gpus === 0) return "";
  const m = /^(.*?)\s*\((\d+)\s*GB[^)]*\)/i.exec(t.gpu_description);
  return platformGpuType(m ? `${m[1]} ${m[2]}GB` : t.gpu_description);
}

/** The instance name of a job: what makes a retried submit find its instance. */
export const lambdaInstanceName = (jobId: string) => `artenic-${jobId}`;

/**
 * Lambda's instances as the remote kit's VmCompute. Lambda has no spot market and no tags: an
 * instance is found again by its name (`artenic-<job id>`), and nothing but the instance is created.
 */
export class LambdaCompute implements VmCompute {
  private readonly api: LambdaApi;

  constructor(private readonly config: LambdaComputeConfig) {
    this.api = new LambdaApi({ apiUrl: config.apiUrl, apiKey: config.apiKey, timeoutMs: config.requestTimeoutMs ?? 30_000 });
  }

  private async guard<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (e) {
      throw toAppError(e, "LAMBDA");
    }
  }

  /** One offering per instance type and region with capacity now, priced from `price_cents_per_hour`. */
  async listOfferings(filter: { region?: string; gpuType?: string } = {}, signal?: AbortSignal): Promise<Offering[]> {
    const types = await this.guard(() => this.api.instanceTypes(signal));
    const date = today(this.config.now?.());
    const out: LiveOffering[] = [];
    for (const { instance_type: t, regions_with_capacity_available: regions } of Object.values(types)) {
      const gpuType = lambdaGpuType(t);
      for (const region of regions) {
        if (filter.region && region.name !== filter.region) continue;
        if (filter.gpuType && !gpuTypeMatches(filter.gpuType, gpuType)) continue;
        const base = { provider: "lambda-labs", region: region.name, instanceType: t.name, cpus: t.specs.vcpus, memoryBytes: t.specs.memory_gib * GIB, gpuType, gpuCount: t.specs.gpus };
        out.push(liveOffering(base, { onDemand: t.price_cents_per_hour / 100 }, this.config.exchange, date));
      }
    }
    return out.sort((a, b) => a.region.localeCompare(b.region) || a.onDemandPerHour - b.onDemandPerHour || a.instanceType.localeCompare(b.instanceType));
  }

  private refOf(i: LambdaInstance): VmRef {
    return { id: i.id, region: i.region.name, data: { name: i.name ?? "" } };
  }

  async findInstance(jobId: string, region: string, signal?: AbortSignal): Promise<VmRef | undefined> {
    const name = lambdaInstanceName(jobId);
    const found = (await this.guard(() => this.api.instances(signal))).find(
      (i) => i.name === name && i.region.name === region && i.status !== "terminated" && i.status !== "terminating",
    );
    return found ? this.refOf(found) : undefined;
  }

  async createInstance(request: VmCreateRequest, signal?: AbortSignal): Promise<VmRef> {
    const { spec } = request;
    if (spec.spot) {
      throw new AppError("failed_precondition", "SPOT_NOT_OFFERED", "lambda-labs: Lambda has no spot instances; submit the job on-demand.", { provider: "lambda-labs" }, {
        fieldViolations: [{ field: "spec.placement.spot", description: "lambda-labs offers on-demand instances only" }],
      });
    }
    const name = lambdaInstanceName(request.jobId);
    const id = await this.guard(() =>
      this.api.launch(
        { region_name: spec.region, instance_type_name: spec.instanceType, ssh_key_names: [this.config.sshKeyName], file_system_names: [], quantity: 1, name, user_data: request.userData },
        signal,
      ),
    );
    return { id, region: spec.region, data: { name } };
  }

  async describe(ref: VmRef, signal?: AbortSignal): Promise<ComputeObservation> {
    const i = await this.guard(() => this.api.instance(ref.id, signal));
    if (!i) return { state: "gone", message: `instance ${ref.id} no longer exists` };
    switch (i.status) {
      case "booting":
        return { state: "pending", message: "instance booting" };
      case "active":
        return { state: "running", message: "instance active" };
      case "unhealthy":
        // Lambda's health check fails, which includes an instance whose OS shut down.
        return { state: "running", message: "instance unhealthy" };
      case "terminating":
        return { state: "stopping", message: "instance terminating" };
      case "terminated":
        return { state: "gone", message: "instance terminated" };
      case "preempted":
        return { state: "gone", preempted: true, message: "instance preempted by Lambda" };
      default:
        return { state: "running", message: `instance ${String(i.status)}` };
    }
  }

  async terminate(ref: VmRef, signal?: AbortSignal): Promise<void> {
    await this.guard(() => this.api.terminate(ref.id, signal));
  }

  /** Lambda creates nothing besides the instance. */
  async releaseResources(): Promise<void> {}

  async testConnection(signal?: AbortSignal): Promise<{ ok: boolean; message: string }> {
    try {
      const keys = await this.api.sshKeys(signal);
      if (!keys.some((k) => k.name === this.config.sshKeyName)) {
        return { ok: false, message: `lambda-labs: the SSH key ${this.config.sshKeyName} is not registered (known: ${keys.map((k) => k.name).join(", ") || "none"})` };
      }
      const types = await this.api.instanceTypes(signal);
      return { ok: true, message: `connected to Lambda Cloud at ${this.config.apiUrl}; SSH key ${this.config.sshKeyName}; ${Object.keys(types).length} instance types` };
    } catch (e) {
      return { ok: false, message: e instanceof Error ? e.message : String(e) };
    }
  }
}
