import { createHash } from "node:crypto";
import { AppError } from "../../../platform/errors/app-error.js";
import { gpuTypeMatches, type CatalogOffering } from "../../catalog/price-catalog.js";
import type { ComputeObservation, VmCompute, VmCreateRequest, VmRef } from "../remote/index.js";
import type { OciApi, OciInstance } from "./oci-api.js";
import type { OciProviderConfig } from "./oci-config.js";
import { mapOciInstance } from "./oci-status.js";

/** Flexible shapes are offered at fixed sizes named `<shape>.<ocpus>.<memory GB>`. */
export function parseOciInstanceType(name: string): { shape: string; shapeConfig?: { ocpus: number; memoryInGBs: number } } {
  const m = /^(.+\.Flex)\.(\d+)\.(\d+)$/.exec(name);
  return m ? { shape: m[1]!, shapeConfig: { ocpus: Number(m[2]), memoryInGBs: Number(m[3]) } } : { shape: name };
}

const displayName = (jobId: string) => `artenic-${jobId}`;

/**
 * The remote kit's VmCompute over the OCI Compute API: one instance per job, named after it and
 * tagged with its id, launched with an opc-retry-token derived from the job (a retried or concurrent
 * launch returns the same instance); spot jobs are preemptible instances (terminated on
 * preemption, reported PREEMPTED). Terminate deletes the boot volume with the instance; the VNIC
 * and its public IP are the instance's and go with it, so nothing is left to release.
 */
export class OciCompute implements VmCompute {
  private domain: Promise<string> | undefined;

  constructor(
    private readonly config: OciProviderConfig,
    private readonly api: OciApi,
  ) {}

  /** Instance types and prices from the dated snapshot catalog (OCI's price list is per OCPU and GB, not per shape). */
  async listOfferings(filter: { region?: string; gpuType?: string } = {}): Promise<CatalogOffering[]> {
    return this.config.catalogOfferings.filter(
      (o) => o.region === this.config.region && (!filter.region || o.region === filter.region) && (!filter.gpuType || gpuTypeMatches(filter.gpuType, o.gpuType)),
    );
  }

  private availabilityDomain(signal?: AbortSignal): Promise<string> {
    if (this.config.availabilityDomain) return Promise.resolve(this.config.availabilityDomain);
    this.domain ??= this.api.availabilityDomains(this.config.compartmentId, signal).then(
      (ads) => {
        if (!ads[0]) throw new AppError("failed_precondition", "OCI_NO_AVAILABILITY_DOMAIN", `oci: the compartment has no availability domain in ${this.config.region}`, {});
        return ads[0];
      },
      (e: unknown) => {
        this.domain = undefined;
        throw e;
      },
    );
    return this.domain;
  }

  private ref(instance: OciInstance): VmRef {
    return { id: instance.id, region: this.config.region, data: {} };
  }

  async findInstance(jobId: string, _region: string, signal?: AbortSignal): Promise<VmRef | undefined> {
    const live = (await this.api.instancesNamed(this.config.compartmentId, displayName(jobId), signal)).filter(
      (i) => i.freeformTags["artenic-job"] === jobId && i.lifecycleState !== "TERMINATED" && i.lifecycleState !== "TERMINATING",
    );
    const oldest = live.sort((a, b) => (a.timeCreated?.getTime() ?? 0) - (b.timeCreated?.getTime() ?? 0) || a.id.localeCompare(b.id))[0];
    return oldest ? this.ref(oldest) : undefined;
  }

  async createInstance(request: VmCreateRequest, signal?: AbortSignal): Promise<VmRef> {
    const { spec } = request;
    if (spec.region && spec.region !== this.config.region) {
      throw new AppError("invalid_argument", "OCI_WRONG_REGION", `oci: this provider is configured for region ${this.config.region}, not ${spec.region}`, { region: spec.region });
    }
    const type = parseOciInstanceType(spec.instanceType);
    const launch = async (retryToken: string) =>
      this.api.launchInstance(
        {
          availabilityDomain: await this.availabilityDomain(signal),
          compartmentId: this.config.compartmentId,
          displayName: displayName(request.jobId),
          shape: type.shape,
          shapeConfig: type.shapeConfig,
          imageId: this.config.imageId,
          subnetId: this.config.subnetId,
          userData: request.userData,
          freeformTags: { ...request.tags, "artenic-job": request.jobId },
          preemptible: spec.spot,
          retryToken,
        },
        signal,
      );
    // The same job gives the same token, so a launch retried after a lost answer (or raced by a
    // concurrent submit) returns the first one's instance: OCI keeps tokens for 24 hours.
    const token = (salt: string) => createHash("sha256").update(`${request.jobName}\n${salt}`).digest("hex").slice(0, 64);
    let instance = await launch(token(""));
    // Within those 24 hours the token also returns an earlier attempt's instance, since terminated
    // (a cancelled job dispatched again): launch anew with a token of its own.
    for (let attempt = 0; attempt < 10 && (instance.lifecycleState === "TERMINATED" || instance.lifecycleState === "TERMINATING"); attempt++) instance = await launch(token(instance.id));
    return this.ref(instance);
  }

  async describe(ref: VmRef, signal?: AbortSignal): Promise<ComputeObservation> {
    return mapOciInstance(await this.api.instance(ref.id, signal));
  }

  async terminate(ref: VmRef, signal?: AbortSignal): Promise<void> {
    const instance = await this.api.instance(ref.id, signal);
    if (!instance || instance.lifecycleState === "TERMINATED" || instance.lifecycleState === "TERMINATING") return;
    await this.api.terminateInstance(ref.id, signal);
  }

  /** The boot volume goes with the instance (preserveBootVolume=false), the VNIC and public IP too. */
  async releaseResources(): Promise<void> {}

  async testConnection(signal?: AbortSignal): Promise<{ ok: boolean; message: string }> {
    const domain = await this.availabilityDomain(signal);
    await this.api.instancesNamed(this.config.compartmentId, "artenic-connection-test", signal);
    return { ok: true, message: `oci: the Compute and Identity APIs answered in ${this.config.region} (${domain})` };
  }
}
