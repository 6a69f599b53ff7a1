import { AppError } from "../../../platform/errors/app-error.js";
import type { CatalogOffering } from "../../catalog/price-catalog.js";
import { gpuTypeMatches } from "../../catalog/price-catalog.js";
import { isHttpStatus } from "../http-api/http-api.js";
import type { ComputeObservation, VmCompute, VmCreateRequest, VmRef } from "../remote/index.js";
import { ScalewayApi, type ScalewayProduct, type ScalewayServer } from "./scaleway-api.js";
import type { ScalewayProviderConfig } from "./scaleway-config.js";
import { mapScalewayServer } from "./scaleway-status.js";

/** Scaleway tags are free strings: the job is the tag `artenic-job=<id>`. */
const jobTag = (jobId: string) => `artenic-job=${jobId}`;

/** `NVIDIA` + `L4` → `nvidia-l4`: the platform's GPU vocabulary. */
export function scalewayGpuType(p: Pick<ScalewayProduct, "gpu" | "gpuName">, manufacturer = "nvidia"): string {
  if (p.gpu === 0 || !p.gpuName) return "";
  return `${manufacturer}-${p.gpuName}`.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
}

/**
 * The remote kit's VmCompute over the Scaleway Instance API: one server per job, tagged with its id,
 * created stopped, given the bootstrap as cloud-init user data, then powered on. Terminate removes a
 * running server with its local volumes and dynamic IP; a stopped one is deleted and its volumes
 * (recorded in the handle) are released afterwards.
 */
export class ScalewayCompute implements VmCompute {
  private readonly id: string;
  private readonly apis = new Map<string, ScalewayApi>();

  constructor(private readonly config: ScalewayProviderConfig) {
    this.id = config.id ?? "scaleway";
  }

  private api(zone: string): ScalewayApi {
    let api = this.apis.get(zone);
    if (!api) {
      api = new ScalewayApi(this.config.secretKey, this.config.apiUrl ?? "https://api.scaleway.com", zone, this.config.requestTimeoutMs);
      this.apis.set(zone, api);
    }
    return api;
  }

  private zones(): readonly string[] {
    return [...new Set([this.config.defaultZone, ...(this.config.zones ?? [])])];
  }

  async listOfferings(filter: { region?: string; gpuType?: string } = {}, signal?: AbortSignal): Promise<CatalogOffering[]> {
    const today = new Date().toISOString().slice(0, 10);
    const out: CatalogOffering[] = [];
    for (const zone of this.zones()) {
      if (filter.region && filter.region !== zone) continue;
      for (const p of await this.api(zone).products(signal)) {
        if (p.endOfService) continue;
        const gpuType = scalewayGpuType(p);
        if (filter.gpuType && !gpuTypeMatches(filter.gpuType, gpuType)) continue;
        out.push({
          provider: this.id,
          region: zone,
          instanceType: p.commercialType,
          cpus: p.ncpus,
          memoryBytes: p.ramBytes,
          gpuType,
          gpuCount: p.gpu,
          gpuMemoryBytes: p.gpuMemoryBytes,
          diskBytes: 0,
          architecture: p.arch === "arm64" || p.arch === "arm" ? "arm64" : "x86_64",
          onDemandPerHour: Math.round(p.hourlyPrice * this.config.exchangeRate * 1e5) / 1e5,
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

  private ref(server: ScalewayServer, zone: string): VmRef {
    return { id: server.id, region: zone, data: { volumes: server.volumeIds.join(",") } };
  }

  private async servers(jobId: string, zone: string, signal?: AbortSignal): Promise<ScalewayServer[]> {
    const list = await this.api(zone).serversTagged([jobTag(jobId)], signal);
    // The oldest server of the job wins (ties by id), so concurrent submits agree on one.
    return list.sort((a, b) => (a.created?.getTime() ?? 0) - (b.created?.getTime() ?? 0) || a.id.localeCompare(b.id));
  }

  async findInstance(jobId: string, region: string, signal?: AbortSignal): Promise<VmRef | undefined> {
    const zone = region || this.config.defaultZone;
    const server = (await this.servers(jobId, zone, signal))[0];
    return server ? this.ref(server, zone) : undefined;
  }

  async createInstance(request: VmCreateRequest, signal?: AbortSignal): Promise<VmRef> {
    const zone = request.spec.region || this.config.defaultZone;
    const api = this.api(zone);
    const tags = [jobTag(request.jobId), ...Object.entries(request.tags).filter(([k]) => k !== "artenic-job").map(([k, v]) => `${k}=${v}`)];
    const server = await api.createServer({ name: `artenic-${request.jobId}`, commercialType: request.spec.instanceType, image: this.config.image, project: this.config.projectId, tags }, signal);
    try {
      // No client token: a concurrent submit may have created its own server. The oldest wins; ours goes.
      const winner = (await this.servers(request.jobId, zone, signal))[0];
      if (winner && winner.id !== server.id) {
        await this.discard(server, zone, signal);
        return this.ref(winner, zone);
      }
      await api.setCloudInit(server.id, request.userData, signal);
      await api.action(server.id, "poweron", signal);
      return this.ref(server, zone);
    } catch (e) {
      // A server that never got its script or never started would be found by the next submit and
      // never run: remove it, so the retry starts clean.
      await this.discard(server, zone).catch(() => undefined);
      throw e;
    }
  }

  private async discard(server: ScalewayServer, zone: string, signal?: AbortSignal): Promise<void> {
    await this.api(zone).deleteServer(server.id, signal);
    for (const volume of server.volumeIds) await this.api(zone).deleteVolume(volume, signal);
  }

  async describe(ref: VmRef, signal?: AbortSignal): Promise<ComputeObservation> {
    return mapScalewayServer(await this.api(ref.region).server(ref.id, signal));
  }

  async terminate(ref: VmRef, signal?: AbortSignal): Promise<void> {
    const api = this.api(ref.region);
    // A running server is terminated (with its volumes); a stopped one is deleted. The bootstrap
    // stops its own machine when the job ends, so a server seen running may be stopped by the time
    // the terminate arrives (refused with 400): it is looked at once more before giving up.
    for (let attempt = 0; ; attempt++) {
      const server = await api.server(ref.id, signal);
      if (!server) return;
      if (server.state === "stopped" || server.state === "stopped in place") return api.deleteServer(ref.id, signal);
      try {
        await api.action(ref.id, "terminate", signal);
        return;
      } catch (e) {
        if (isHttpStatus(e, 404)) return;
        if (isHttpStatus(e, 400) && attempt === 0) continue;
        if (isHttpStatus(e, 400)) {
          // Between states (starting, stopping): the caller retries later.
          throw new AppError("unavailable", "SCALEWAY_SERVER_BUSY", `scaleway: server ${ref.id} is ${server.state} and cannot be terminated yet`, { server: ref.id }, { retryDelayMs: 10_000 });
        }
        throw e;
      }
    }
  }

  /** The volumes of a server deleted while stopped (terminate takes them with a running server). */
  async releaseResources(ref: VmRef, signal?: AbortSignal): Promise<void> {
    const api = this.api(ref.region);
    for (const volume of (ref.data["volumes"] ?? "").split(",").filter(Boolean)) {
      try {
        await api.deleteVolume(volume, signal);
      } catch (e) {
        if (isHttpStatus(e, 400, 409, 412)) {
          throw new AppError("unavailable", "SCALEWAY_VOLUME_IN_USE", `scaleway: volume ${volume} is still attached; it is released once its server is gone`, { volume }, { retryDelayMs: 10_000 });
        }
        throw e;
      }
    }
  }

  async testConnection(signal?: AbortSignal): Promise<{ ok: boolean; message: string }> {
    const api = this.api(this.config.defaultZone);
    const products = await api.products(signal);
    await api.serversTagged(["artenic-managed-by=artenic"], signal);
    return { ok: true, message: `scaleway: the Instance API answered in ${this.config.defaultZone} (${products.length} server types)` };
  }
}
