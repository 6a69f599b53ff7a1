import { AppError } from "../../../platform/errors/app-error.js";
import type { Offering } from "../../compute-provider.js";
import { gpuTypeMatches, type CatalogOffering } from "../../catalog/price-catalog.js";
import type { ComputeObservation, VmCompute, VmCreateRequest, VmRef } from "../remote/index.js";
import type { NovaClient, NovaFlavor } from "./nova.js";
import { mapNovaServer } from "./openstack-status.js";
import { fetchOvhCatalog, priceFlavors, type LivePrices } from "./openstack-prices.js";
import type { OpenStackProviderConfig } from "./openstack-config.js";

/** The metadata key holding the job id on a server (Nova's idempotency key for Artenic). */
export const JOB_METADATA_KEY = "artenic-job";
/** Live prices are re-read at most this often. */
const PRICE_TTL_MS = 6 * 3_600_000;

export const serverName = (jobId: string) => `artenic-${jobId}`;

/**
 * The remote kit's VmCompute over Nova: one server per job, named after it and carrying its id in
 * metadata; the flavor is the instance type. Nothing else is created (the root disk and the port
 * Nova allocates go with the server), so there is nothing to release after a delete.
 */
export class NovaCompute implements VmCompute {
  private flavors: { at: number; list: NovaFlavor[] } | undefined;
  private live: { at: number; prices: LivePrices } | undefined;

  constructor(
    private readonly config: OpenStackProviderConfig,
    private readonly nova: NovaClient,
  ) {}

  private async flavorList(signal?: AbortSignal): Promise<NovaFlavor[]> {
    if (this.flavors && Date.now() - this.flavors.at < PRICE_TTL_MS) return this.flavors.list;
    const list = await this.nova.listFlavors(signal);
    this.flavors = { at: Date.now(), list };
    return list;
  }

  private async livePrices(signal?: AbortSignal): Promise<LivePrices | undefined> {
    const url = this.config.priceCatalogUrl;
    if (!url) return undefined;
    if (this.live && Date.now() - this.live.at < PRICE_TTL_MS) return this.live.prices;
    const prices = await fetchOvhCatalog(url, signal);
    this.live = { at: Date.now(), prices };
    return prices;
  }

  async listOfferings(filter: { region?: string; gpuType?: string } = {}, signal?: AbortSignal): Promise<CatalogOffering[]> {
    if (filter.region && filter.region !== this.config.region) return [];
    const offerings = priceFlavors(await this.flavorList(signal), {
      provider: this.config.id,
      region: this.config.region,
      snapshot: this.config.catalogOfferings ?? [],
      exchangeRate: this.config.exchangeRate ?? 1,
      sourceCurrency: this.config.sourceCurrency ?? "EUR",
      live: await this.livePrices(signal),
      today: new Date().toISOString().slice(0, 10),
    });
    return offerings.filter((o: Offering) => !filter.gpuType || gpuTypeMatches(filter.gpuType, o.gpuType));
  }

  private ref(id: string): VmRef {
    return { id, region: this.config.region, data: {} };
  }

  async findInstance(jobId: string, region: string, signal?: AbortSignal): Promise<VmRef | undefined> {
    if (region && region !== this.config.region) return undefined;
    const server = await this.nova.findServer(serverName(jobId), JOB_METADATA_KEY, jobId, signal);
    return server ? this.ref(server.id) : undefined;
  }

  async createInstance(request: VmCreateRequest, signal?: AbortSignal): Promise<VmRef> {
    const { spec, jobId } = request;
    if (spec.region && spec.region !== this.config.region) {
      throw new AppError("invalid_argument", "OPENSTACK_WRONG_REGION", `${this.config.id}: this provider is configured for region ${this.config.region}, not ${spec.region}`, { region: spec.region });
    }
    const flavor = (await this.flavorList(signal)).find((f) => f.name === spec.instanceType || f.id === spec.instanceType);
    if (!flavor) {
      throw new AppError("invalid_argument", "OPENSTACK_UNKNOWN_FLAVOR", `${this.config.id}: no flavor ${spec.instanceType} in region ${this.config.region}`, { instanceType: spec.instanceType });
    }
    const name = serverName(jobId);
    // Metadata values are limited to 255 characters; every tag is short, the job name is trainingJobs/<63 max>.
    const metadata = { ...request.tags, [JOB_METADATA_KEY]: jobId, "artenic-job-name": request.jobName };
    const id = await this.nova.createServer(
      { name, flavorRef: flavor.id, imageRef: this.config.imageId, userData: request.userData, metadata, networkId: this.config.networkId, keyName: this.config.keyName },
      signal,
    );
    return this.ref(await this.settleDuplicates(jobId, id, signal));
  }

  /**
   * Nova has no client token: two concurrent submits of one job can both create a server. The
   * oldest server of the job wins (ties by id, so every racer picks the same); the others are deleted.
   */
  private async settleDuplicates(jobId: string, created: string, signal?: AbortSignal): Promise<string> {
    const all = await this.nova.listServers(serverName(jobId), JOB_METADATA_KEY, jobId, signal);
    if (all.length <= 1) return created;
    const sorted = [...all].sort((a, b) => (a.created?.getTime() ?? 0) - (b.created?.getTime() ?? 0) || a.id.localeCompare(b.id));
    const keeper = sorted[0]!.id;
    if (keeper !== created) await this.nova.deleteServer(created, signal);
    return keeper;
  }

  async describe(ref: VmRef, signal?: AbortSignal): Promise<ComputeObservation> {
    return mapNovaServer(await this.nova.getServer(ref.id, signal));
  }

  async terminate(ref: VmRef, signal?: AbortSignal): Promise<void> {
    await this.nova.deleteServer(ref.id, signal);
  }

  /** Nothing outlives the server: its root disk and port are Nova's and go with it. */
  async releaseResources(): Promise<void> {}

  async testConnection(signal?: AbortSignal): Promise<{ ok: boolean; message: string }> {
    const flavors = await this.nova.listFlavors(signal);
    const priced = await this.listOfferings({}, signal);
    return { ok: true, message: `${this.config.id}: Keystone and Nova answered in region ${this.config.region} (${flavors.length} flavors, ${priced.length} with a price)` };
  }
}
