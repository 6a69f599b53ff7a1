import { AppError } from "../../../platform/errors/app-error.js";
import type { CatalogOffering } from "../../catalog/price-catalog.js";
import { isHttpStatus } from "../http-api/http-api.js";
import type { ComputeObservation, VmCompute, VmCreateRequest, VmRef } from "../remote/index.js";
import type { HetznerApi, HetznerServer } from "./hetzner-api.js";
import type { HetznerProviderConfig } from "./hetzner-config.js";
import { mapHetznerServer } from "./hetzner-status.js";

/** The label holding the job id on a server (the kit's `artenic-job` tag). */
const JOB_LABEL = "artenic-job";

/**
 * A server name for a job: a valid RFC 1123 hostname, unique per project (Hetzner refuses a second
 * server of the same name, which is what makes concurrent submits of one job end with one server).
 */
export function hetznerServerName(jobId: string): string {
  const name = `artenic-${jobId}`;
  return name.length <= 63 ? name : `${jobId}.artenic`;
}

/**
 * The remote kit's VmCompute over the Hetzner Cloud API: one server per job, labelled with the job
 * id; the server type is the instance type and the location the region. The primary IPs Hetzner
 * creates with the server are auto-deleted with it and its disk is local, so nothing outlives it.
 */
export class HetznerCompute implements VmCompute {
  private readonly id: string;

  constructor(
    private readonly config: HetznerProviderConfig,
    private readonly api: HetznerApi,
  ) {
    this.id = config.id ?? "hetzner";
  }

  /** Every non-deprecated server type in every location it is sold in, priced from server_types (net EUR, converted). */
  async listOfferings(filter: { region?: string; gpuType?: string } = {}, signal?: AbortSignal): Promise<CatalogOffering[]> {
    // Hetzner Cloud has no GPU server types.
    if (filter.gpuType) return [];
    const today = new Date().toISOString().slice(0, 10);
    const out: CatalogOffering[] = [];
    for (const t of await this.api.serverTypes(signal)) {
      if (t.deprecated) continue;
      for (const price of t.prices) {
        if (filter.region && price.location !== filter.region) continue;
        out.push({
          provider: this.id,
          region: price.location,
          instanceType: t.name,
          cpus: t.cores,
          memoryBytes: Math.round(t.memoryGiB * 1024 ** 3),
          gpuType: "",
          gpuCount: 0,
          gpuMemoryBytes: 0,
          diskBytes: t.diskGiB * 1024 ** 3,
          architecture: t.architecture,
          onDemandPerHour: Math.round(price.hourlyNet * this.config.exchangeRate * 1e5) / 1e5,
          priceDate: today,
          priceSource: "live",
          sourceCurrency: "EUR",
          exchangeRate: this.config.exchangeRate,
          available: true,
        });
      }
    }
    return out.sort((a, b) => a.onDemandPerHour - b.onDemandPerHour || a.instanceType.localeCompare(b.instanceType) || a.region.localeCompare(b.region));
  }

  private ref(server: HetznerServer): VmRef {
    return { id: String(server.id), region: server.location, data: {} };
  }

  private async existing(jobId: string, signal?: AbortSignal): Promise<HetznerServer | undefined> {
    const servers = (await this.api.serversWithLabel(`${JOB_LABEL}=${jobId}`, signal)).filter((s) => s.status !== "deleting");
    return servers.sort((a, b) => a.id - b.id)[0];
  }

  async findInstance(jobId: string, _region: string, signal?: AbortSignal): Promise<VmRef | undefined> {
    const server = await this.existing(jobId, signal);
    return server ? this.ref(server) : undefined;
  }

  async createInstance(request: VmCreateRequest, signal?: AbortSignal): Promise<VmRef> {
    const location = request.spec.region || this.config.defaultLocation;
    try {
      const { server } = await this.api.createServer(
        {
          name: hetznerServerName(request.jobId),
          serverType: request.spec.instanceType,
          image: this.config.image,
          location,
          userData: request.userData,
          labels: { ...request.tags, [JOB_LABEL]: request.jobId },
          ...(this.config.sshKeys?.length ? { sshKeys: this.config.sshKeys } : {}),
        },
        signal,
      );
      return this.ref(server.location ? server : { ...server, location });
    } catch (e) {
      // The name is taken: a concurrent submit of the same job won; use its server.
      if (isHttpStatus(e, 409)) {
        const winner = await this.existing(request.jobId, signal);
        if (winner) return this.ref(winner);
        throw new AppError("failed_precondition", "HETZNER_NAME_TAKEN", `hetzner: a server named ${hetznerServerName(request.jobId)} exists but was not created for ${request.jobName}`, { name: hetznerServerName(request.jobId) });
      }
      throw e;
    }
  }

  async describe(ref: VmRef, signal?: AbortSignal): Promise<ComputeObservation> {
    const server = await this.api.server(Number(ref.id), signal);
    // Until the server runs, a failed create (or start) action is the only word on why it never will.
    const waiting = server && (server.status === "initializing" || server.status === "starting" || server.status === "off");
    const failed = waiting ? (await this.api.failedActions(server.id, signal)).find((a) => a.command === "create_server" || a.command === "start_server") : undefined;
    return mapHetznerServer(server, failed);
  }

  async terminate(ref: VmRef, signal?: AbortSignal): Promise<void> {
    await this.api.deleteServer(Number(ref.id), signal);
  }

  /** Nothing outlives the server: its primary IPs are auto-deleted with it and its disk is local. */
  async releaseResources(): Promise<void> {}

  async testConnection(signal?: AbortSignal): Promise<{ ok: boolean; message: string }> {
    const types = await this.api.serverTypes(signal);
    await this.api.serversWithLabel(`${JOB_LABEL}`, signal);
    return { ok: true, message: `hetzner: the API answered (${types.length} server types)` };
  }
}
