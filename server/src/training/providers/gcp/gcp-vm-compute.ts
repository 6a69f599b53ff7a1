import { createHash } from "node:crypto";
import { DisksClient, InstancesClient, ZoneOperationsClient, type protos } from "@google-cloud/compute";
import type { JWT } from "google-auth-library";
import { AppError } from "../../../platform/errors/app-error.js";
import type { Offering } from "../../compute-provider.js";
import { gpuTypeMatches } from "../../catalog/price-catalog.js";
import { applyLivePrices, LivePriceCache } from "../../catalog/live-prices.js";
import type { ComputeObservation, VmCompute, VmCreateRequest, VmRef } from "../remote/index.js";
import { DEFAULT_GCP_IMAGE, type GcpProviderConfig } from "./gcp-config.js";
import { googleHttpStatus, isGoogleNotFound, translateGoogleError } from "./gcp-errors.js";
import { fetchBillingPrices } from "./gcp-prices.js";
import { mapGceInstance } from "./gcp-status.js";

type Instance = protos.google.cloud.compute.v1.IInstance;

/** Label every instance carries, with the job id: how a retried submit finds its instance. */
const JOB_LABEL = "artenic-job";
const MAX_NAME = 63;

/** `artenic-<job id>`, shortened with a hash when the id is long (names are at most 63 characters). */
export function gceInstanceName(jobId: string): string {
  const name = `artenic-${jobId}`;
  if (name.length <= MAX_NAME) return name;
  const hash = createHash("sha256").update(jobId).digest("hex").slice(0, 8);
  return `${name.slice(0, MAX_NAME - 9).replace(/-+$/, "")}-${hash}`;
}

/** A UUID from a hash: Compute Engine's `requestId`, the same for a retried identical insert. */
function requestIdOf(...parts: string[]): string {
  const h = createHash("sha256").update(parts.join("\n")).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** What `google-gax` needs to address a non-default endpoint (an emulator, a private one). */
function endpointOptions(endpoint: string | undefined): { apiEndpoint?: string; port?: number; protocol?: string } {
  if (!endpoint) return {};
  const u = new URL(endpoint);
  const protocol = u.protocol.replace(":", "");
  return { apiEndpoint: u.hostname, port: Number(u.port || (protocol === "https" ? 443 : 80)), protocol };
}

/**
 * The compute half of the gcp adapter: one Compute Engine instance per job, named after it and
 * labelled with its id, booting the remote kit's bootstrap script as its `startup-script` metadata.
 * Spot jobs use the SPOT provisioning model with instanceTerminationAction STOP, so a preemption
 * leaves a TERMINATED instance and a `compute.instances.preempted` operation to detect it by. Calls
 * go through `@google-cloud/compute` on its REST transport (`fallback`), which can address any
 * endpoint; auth is the service account's JWT-bearer grant.
 */
export class GceVmCompute implements VmCompute {
  private readonly instances: InstancesClient;
  private readonly operations: ZoneOperationsClient;
  private readonly disks: DisksClient;
  private readonly prices: LivePriceCache;
  private readonly project: string;

  constructor(
    private readonly config: GcpProviderConfig,
    private readonly auth: JWT,
  ) {
    const options = { authClient: auth, fallback: true as const, projectId: config.projectId, ...endpointOptions(config.computeEndpoint) };
    this.instances = new InstancesClient(options);
    this.operations = new ZoneOperationsClient(options);
    this.disks = new DisksClient(options);
    this.project = config.projectId;
    this.prices = new LivePriceCache(async (signal) =>
      fetchBillingPrices(
        config.billingEndpoint ?? "https://cloudbilling.googleapis.com",
        config.currency,
        config.offerings,
        async () => {
          const { token } = await auth.getAccessToken();
          if (!token) throw new Error("gcp: no access token for the Cloud Billing API");
          return token;
        },
        signal,
      ),
    );
  }

  private zoneOf(region: string): string {
    return region === this.config.region || !region ? (this.config.zone ?? `${this.config.region}-a`) : `${region}-a`;
  }

  private callOptions(signal: AbortSignal | undefined) {
    // gax has no AbortSignal: a timeout bounds each call instead.
    return { timeout: signal?.aborted ? 1 : 30_000 };
  }

  private async call<T>(action: string, signal: AbortSignal | undefined, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (e) {
      throw translateGoogleError(e, action, signal);
    }
  }

  private async callAllowingNotFound<T>(action: string, signal: AbortSignal | undefined, run: () => Promise<T>): Promise<T | undefined> {
    try {
      return await run();
    } catch (e) {
      if (isGoogleNotFound(e)) return undefined;
      throw translateGoogleError(e, action, signal);
    }
  }

  async listOfferings(filter: { region?: string; gpuType?: string } = {}, signal?: AbortSignal): Promise<Offering[]> {
    const sheet = this.config.livePrices === false ? undefined : await this.prices.get(signal);
    return applyLivePrices(this.config.offerings, sheet, this.config.offerings[0]?.priceDate ?? "").filter(
      (o) => (!filter.region || o.region === filter.region) && (!filter.gpuType || gpuTypeMatches(filter.gpuType, o.gpuType)),
    );
  }

  private refFor(name: string, zone: string, region: string, spot: boolean, operation: string): VmRef {
    return { id: `projects/${this.project}/zones/${zone}/instances/${name}`, region, data: { instance: name, zone, spot: String(spot), operation, project: this.project } };
  }

  private getInstance(zone: string, name: string, signal: AbortSignal | undefined): Promise<Instance | undefined> {
    return this.callAllowingNotFound(`read instance ${name}`, signal, async () => (await this.instances.get({ project: this.project, zone, instance: name }, this.callOptions(signal)))[0]);
  }

  async findInstance(jobId: string, region: string, signal?: AbortSignal): Promise<VmRef | undefined> {
    const name = gceInstanceName(jobId);
    const zone = this.zoneOf(region);
    const instance = await this.getInstance(zone, name, signal);
    if (!instance) return undefined;
    if (instance.labels?.[JOB_LABEL] !== jobId) {
      throw new AppError("failed_precondition", "GCP_NAME_TAKEN", `gcp: an instance named ${name} exists in ${zone} but was not created for job ${jobId}.`, { instance: name, zone });
    }
    return this.refFor(name, zone, region || this.config.region, instance.scheduling?.provisioningModel === "SPOT", "");
  }

  async createInstance(request: VmCreateRequest, signal?: AbortSignal): Promise<VmRef> {
    const name = gceInstanceName(request.jobId);
    const region = request.spec.region || this.config.region;
    const zone = this.zoneOf(region);
    const spot = request.spec.spot;
    const instance: Instance = {
      name,
      machineType: `zones/${zone}/machineTypes/${request.spec.instanceType}`,
      labels: { ...request.tags, [JOB_LABEL]: request.jobId },
      disks: [
        {
          boot: true,
          autoDelete: true,
          deviceName: name,
          initializeParams: { diskName: name, sourceImage: this.config.image ?? DEFAULT_GCP_IMAGE, diskSizeGb: String(this.config.bootDiskGb ?? 50), diskType: `zones/${zone}/diskTypes/pd-balanced` },
        },
      ],
      networkInterfaces: [
        {
          ...(this.config.subnetwork ? { subnetwork: this.config.subnetwork } : { network: this.config.network ?? "global/networks/default" }),
          accessConfigs: this.config.externalIp === false ? [] : [{ type: "ONE_TO_ONE_NAT", name: "External NAT" }],
        },
      ],
      metadata: { items: [{ key: "startup-script", value: request.userData }] },
      scheduling: spot
        ? { provisioningModel: "SPOT", instanceTerminationAction: "STOP", automaticRestart: false, onHostMaintenance: "TERMINATE" }
        : { provisioningModel: "STANDARD", automaticRestart: false, onHostMaintenance: request.spec.gpuCount > 0 ? "TERMINATE" : "MIGRATE" },
    };
    try {
      const [operation] = await this.instances.insert({ project: this.project, zone, instanceResource: instance, requestId: requestIdOf(request.jobId, request.userData) }, this.callOptions(signal));
      const op = operation.latestResponse as protos.google.cloud.compute.v1.IOperation | undefined;
      return this.refFor(name, zone, region, spot, op?.name ?? "");
    } catch (e) {
      // A concurrent submit of the same job created it first: use that instance.
      if (googleHttpStatus(e) === 409) {
        const existing = await this.findInstance(request.jobId, region, signal);
        if (existing) return existing;
      }
      throw translateGoogleError(e, `insert instance ${name}`, signal);
    }
  }

  private target(ref: VmRef): { instance: string; zone: string; spot: boolean; operation: string } {
    const d = ref.data;
    const parts = ref.id.split("/");
    return { instance: d["instance"] || parts[parts.length - 1]!, zone: d["zone"] || parts[3] || this.zoneOf(ref.region), spot: d["spot"] === "true", operation: d["operation"] ?? "" };
  }

  /** Whether Compute Engine logged a preemption of the instance (since it was created, when known). */
  private async wasPreempted(zone: string, name: string, since: string | undefined, signal: AbortSignal | undefined): Promise<boolean> {
    const targetLink = `https://www.googleapis.com/compute/v1/projects/${this.project}/zones/${zone}/instances/${name}`;
    return this.call(`list preemptions of ${name}`, signal, async () => {
      const filter = `(operationType = "compute.instances.preempted") AND (targetLink = "${targetLink}")`;
      for await (const op of this.operations.listAsync({ project: this.project, zone, filter }, { ...this.callOptions(signal), autoPaginate: false })) {
        if (!since || (op.insertTime && op.insertTime >= since)) return true;
      }
      return false;
    });
  }

  async describe(ref: VmRef, signal?: AbortSignal): Promise<ComputeObservation> {
    const t = this.target(ref);
    const instance = await this.getInstance(t.zone, t.instance, signal);
    const stopped = !instance || ["STOPPING", "TERMINATED", "STOPPED", "SUSPENDED"].includes(instance.status ?? "");
    const preempted = t.spot && stopped ? await this.wasPreempted(t.zone, t.instance, instance?.creationTimestamp ?? undefined, signal) : false;
    let missing = "";
    if (!instance && !preempted && t.operation) {
      // The insert may have failed (quota, capacity): its operation says why.
      const op = await this.callAllowingNotFound(`read operation ${t.operation}`, signal, async () => (await this.operations.get({ project: this.project, zone: t.zone, operation: t.operation }, this.callOptions(signal)))[0]);
      const errors = op?.error?.errors ?? [];
      if (errors.length > 0) missing = `the instance could not be created: ${errors.map((e) => `${e.code}: ${e.message}`).join("; ")}`;
      else if (op && op.status !== "DONE") return { state: "pending", message: "instance insert in progress" };
    }
    return mapGceInstance(instance, preempted, missing);
  }

  /** Starts deleting the instance (its boot disk goes with it: autoDelete). */
  async terminate(ref: VmRef, signal?: AbortSignal): Promise<void> {
    const t = this.target(ref);
    await this.callAllowingNotFound(`delete instance ${t.instance}`, signal, () => this.instances.delete({ project: this.project, zone: t.zone, instance: t.instance }, this.callOptions(signal)));
  }

  /**
   * Waits until the instance is gone, then deletes its boot disk if it outlived it (already gone is
   * fine); an instance still being deleted after `cleanupWaitMs` is retried later (UNAVAILABLE).
   */
  async releaseResources(ref: VmRef, signal?: AbortSignal): Promise<void> {
    const t = this.target(ref);
    const deadline = Date.now() + (this.config.cleanupWaitMs ?? 60_000);
    while (await this.getInstance(t.zone, t.instance, signal)) {
      if (Date.now() > deadline || signal?.aborted) {
        throw new AppError("unavailable", "GCP_INSTANCE_DELETING", `gcp: instance ${t.instance} is still being deleted; its disk will be released later.`, { instance: t.instance }, { retryDelayMs: 15_000 });
      }
      await new Promise((r) => setTimeout(r, this.config.pollIntervalMs ?? 2000));
    }
    try {
      await this.disks.delete({ project: this.project, zone: t.zone, disk: t.instance }, this.callOptions(signal));
    } catch (e) {
      if (isGoogleNotFound(e)) return;
      if (googleHttpStatus(e) === 400) throw new AppError("unavailable", "GCP_DISK_IN_USE", `gcp: disk ${t.instance} is still in use and will be deleted later.`, { disk: t.instance }, { cause: e, retryDelayMs: 15_000 });
      throw translateGoogleError(e, `delete disk ${t.instance}`, signal);
    }
  }

  async testConnection(signal?: AbortSignal): Promise<{ ok: boolean; message: string }> {
    const zone = this.zoneOf(this.config.region);
    try {
      await this.call(`list instances in ${zone}`, signal, () => this.instances.list({ project: this.project, zone, maxResults: 1 }, { ...this.callOptions(signal), autoPaginate: false }));
      const prices = this.config.livePrices === false ? "" : (await this.prices.get(signal)) ? "; live prices from the Cloud Billing Catalog" : `; live prices unavailable (${this.prices.lastError})`;
      return { ok: true, message: `connected to Compute Engine in project ${this.project}, zone ${zone}${prices}` };
    } catch (e) {
      return { ok: false, message: e instanceof Error ? e.message : String(e) };
    }
  }
}
