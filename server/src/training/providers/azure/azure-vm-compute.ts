import { createHash, generateKeyPairSync } from "node:crypto";
import { Agent } from "node:https";
import { ComputeManagementClient, type VirtualMachine } from "@azure/arm-compute";
import { NetworkManagementClient } from "@azure/arm-network";
import { ClientSecretCredential } from "@azure/identity";
import { AppError } from "../../../platform/errors/app-error.js";
import type { Offering } from "../../compute-provider.js";
import { gpuTypeMatches } from "../../catalog/price-catalog.js";
import { applyLivePrices, LivePriceCache } from "../../catalog/live-prices.js";
import type { ComputeObservation, VmCompute, VmCreateRequest, VmRef } from "../remote/index.js";
import { DEFAULT_AZURE_IMAGE, type AzureProviderConfig } from "./azure-config.js";
import { azureStatusOf, isAzureNotFound, translateAzureError } from "./azure-errors.js";
import { fetchRetailPrices } from "./azure-prices.js";
import { mapAzureVm } from "./azure-status.js";

/** Tag every resource of a job carries, with the job id: how a retried submit finds its VM. */
const JOB_TAG = "artenic-job";
/** Linux VM names and computer names: at most 64 characters. */
const MAX_NAME = 64;
/** Azure refuses custom data over 64 KiB (before base64). */
export const AZURE_MAX_CUSTOM_DATA = 64 * 1024;

/** `artenic-<job id>`, shortened with a hash when the id is long. */
export function azureVmName(jobId: string): string {
  const name = `artenic-${jobId}`;
  if (name.length <= MAX_NAME) return name;
  const hash = createHash("sha256").update(jobId).digest("hex").slice(0, 8);
  return `${name.slice(0, MAX_NAME - 9).replace(/-+$/, "")}-${hash}`;
}

/**
 * An `ssh-rsa` public key whose private half is dropped at once: Azure requires a credential on
 * Linux VMs, and a job VM needs none (everything it does comes from the bootstrap script).
 */
function throwawaySshKey(): string {
  const { publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const jwk = publicKey.export({ format: "jwk" });
  const mpint = (b64url: string) => {
    let bytes = Buffer.from(b64url, "base64url");
    if (bytes[0]! & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
    return bytes;
  };
  const field = (b: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(b.length);
    return Buffer.concat([length, b]);
  };
  const blob = Buffer.concat([field(Buffer.from("ssh-rsa")), field(mpint(jwk.e!)), field(mpint(jwk.n!))]);
  return `ssh-rsa ${blob.toString("base64")} artenic-job-vm`;
}

interface AzureRefData {
  readonly vm: string;
  readonly nic: string;
  readonly ip: string;
  readonly disk: string;
  readonly spot: string;
  readonly resourceGroup: string;
}

/**
 * The compute half of the azure adapter: one VM per job, with a NIC on the configured subnet, a
 * Standard public IP (for outbound access) and a managed OS disk, all named after the job and tagged
 * with its id. Spot jobs run as priority Spot with the eviction policy Delete (and no price cap: the
 * VM is evicted for capacity, never for price). The bootstrap script is the VM's custom data, which
 * cloud-init runs at first boot.
 */
export class AzureVmCompute implements VmCompute {
  private readonly compute: ComputeManagementClient;
  private readonly network: NetworkManagementClient;
  private readonly prices: LivePriceCache;
  private readonly rg: string;

  constructor(private readonly config: AzureProviderConfig) {
    const agent = config.caCertificate ? new Agent({ ca: config.caCertificate, keepAlive: true }) : undefined;
    const authorityHost = config.authorityHost ?? "https://login.microsoftonline.com";
    const credential = new ClientSecretCredential(config.tenantId, config.clientId, config.clientSecret, {
      authorityHost,
      // A custom authority (a sovereign cloud, Azure Stack, a test) is trusted as configured.
      ...(config.authorityHost ? { disableInstanceDiscovery: true } : {}),
      ...(agent ? { agent } : {}),
    });
    const endpoint = (config.armEndpoint ?? "https://management.azure.com").replace(/\/$/, "");
    const options = { endpoint, ...(agent ? { agent } : {}), credentialScopes: ["https://management.azure.com/.default"] };
    this.compute = new ComputeManagementClient(credential, config.subscriptionId, options);
    this.network = new NetworkManagementClient(credential, config.subscriptionId, options);
    this.rg = config.resourceGroup;
    const regions = [...new Set(config.offerings.map((o) => o.region))];
    const usd = config.offerings.find((o) => o.sourceCurrency === "USD");
    this.prices = new LivePriceCache(async (signal) => {
      // Retail prices are in USD: without a recorded USD rate into the platform currency they cannot be used.
      if (!usd && config.currency !== "USD") throw new Error(`azure: no USD exchange rate into ${config.currency} in the catalog`);
      return fetchRetailPrices(config.retailPricesUrl ?? "https://prices.azure.com/api/retail/prices", regions, { rate: usd?.exchangeRate ?? 1, date: usd?.priceDate ?? new Date().toISOString().slice(0, 10) }, agent, signal);
    });
  }

  private op(signal: AbortSignal | undefined) {
    return { ...(signal ? { abortSignal: signal } : {}), updateIntervalInMs: this.config.pollIntervalMs ?? 2000 };
  }

  private async call<T>(action: string, signal: AbortSignal | undefined, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (e) {
      throw translateAzureError(e, action, signal);
    }
  }

  /** Like `call`, but a 404 is `undefined`. */
  private async callAllowingNotFound<T>(action: string, signal: AbortSignal | undefined, run: () => Promise<T>): Promise<T | undefined> {
    try {
      return await run();
    } catch (e) {
      if (isAzureNotFound(e)) return undefined;
      throw translateAzureError(e, action, signal);
    }
  }

  async listOfferings(filter: { region?: string; gpuType?: string } = {}, signal?: AbortSignal): Promise<Offering[]> {
    const sheet = this.config.livePrices === false ? undefined : await this.prices.get(signal);
    const date = this.config.offerings[0]?.priceDate ?? "";
    return applyLivePrices(this.config.offerings, sheet, date).filter(
      (o) => (!filter.region || o.region === filter.region) && (!filter.gpuType || gpuTypeMatches(filter.gpuType, o.gpuType)),
    );
  }

  private refOf(vm: VirtualMachine, name: string, region: string): VmRef {
    const data: AzureRefData = {
      vm: name,
      nic: `${name}-nic`,
      ip: this.config.publicIp === false ? "" : `${name}-ip`,
      disk: vm.storageProfile?.osDisk?.name ?? `${name}-osdisk`,
      spot: vm.priority === "Spot" ? "true" : "false",
      resourceGroup: this.rg,
    };
    return { id: vm.id ?? name, region, data: { ...data } };
  }

  async findInstance(jobId: string, region: string, signal?: AbortSignal): Promise<VmRef | undefined> {
    const name = azureVmName(jobId);
    const vm = await this.callAllowingNotFound(`read VM ${name}`, signal, () => this.compute.virtualMachines.get(this.rg, name, { ...(signal ? { abortSignal: signal } : {}) }));
    if (!vm) return undefined;
    if (vm.tags?.[JOB_TAG] !== jobId) {
      throw new AppError("failed_precondition", "AZURE_NAME_TAKEN", `azure: a VM named ${name} exists in resource group ${this.rg} but was not created for job ${jobId}.`, { vm: name, resourceGroup: this.rg });
    }
    // A VM being deleted (a cancelled earlier attempt) is not this attempt's machine.
    if (vm.provisioningState === "Deleting") return undefined;
    return this.refOf(vm, name, vm.location ?? region);
  }

  async createInstance(request: VmCreateRequest, signal?: AbortSignal): Promise<VmRef> {
    const name = azureVmName(request.jobId);
    const location = request.spec.region || this.config.region;
    const tags = { ...request.tags, [JOB_TAG]: request.jobId };
    const customData = Buffer.from(request.userData, "utf8");
    if (customData.length > AZURE_MAX_CUSTOM_DATA) {
      throw new AppError("invalid_argument", "AZURE_CUSTOM_DATA_TOO_LARGE", `azure: the bootstrap script is ${customData.length} bytes; VM custom data is limited to ${AZURE_MAX_CUSTOM_DATA}.`, { bytes: String(customData.length) });
    }
    const ipName = `${name}-ip`;
    let publicIpId: string | undefined;
    if (this.config.publicIp !== false) {
      const ip = await this.call(`create public IP ${ipName}`, signal, async () =>
        this.network.publicIPAddresses.createOrUpdate(this.rg, ipName, { location, tags, sku: { name: "Standard", tier: "Regional" }, publicIPAllocationMethod: "Static", publicIPAddressVersion: "IPv4" }, this.op(signal)),
      );
      publicIpId = ip.id;
    }
    const nicName = `${name}-nic`;
    // A request Azure refuses for good leaves nothing behind: what this submit created is deleted
    // (a transient failure keeps it: the VM may exist, and a retried submit reuses everything).
    const rollback = async (e: unknown, created: ("nic" | "ip")[]) => {
      const status = azureStatusOf(e);
      if (status === undefined || status >= 500 || status === 409 || status === 412 || status === 429) return;
      if (created.includes("nic")) await this.network.networkInterfaces.delete(this.rg, nicName, this.op(undefined)).catch(() => undefined);
      if (created.includes("ip")) await this.network.publicIPAddresses.delete(this.rg, ipName, this.op(undefined)).catch(() => undefined);
    };
    const nic = await this.call(`create network interface ${nicName}`, signal, async () =>
      this.network.networkInterfaces.createOrUpdate(
        this.rg,
        nicName,
        {
          location,
          tags,
          ipConfigurations: [
            {
              name: "ipconfig1",
              primary: true,
              privateIPAllocationMethod: "Dynamic",
              subnet: { id: this.config.subnetId },
              ...(publicIpId ? { publicIPAddress: { id: publicIpId, deleteOption: "Delete" } } : {}),
            },
          ],
        },
        this.op(signal),
      ).catch(async (e: unknown) => {
        await rollback(e, publicIpId ? ["ip"] : []);
        throw e;
      }),
    );
    const [publisher, offer, sku, version] = (this.config.image ?? DEFAULT_AZURE_IMAGE).split(":");
    const vm: VirtualMachine = {
      location,
      tags,
      hardwareProfile: { vmSize: request.spec.instanceType },
      storageProfile: {
        imageReference: { publisher: publisher!, offer: offer!, sku: sku!, version: version ?? "latest" },
        osDisk: { name: `${name}-osdisk`, createOption: "FromImage", deleteOption: "Delete", diskSizeGB: this.config.osDiskGb ?? 64, managedDisk: { storageAccountType: "StandardSSD_LRS" } },
      },
      osProfile: {
        computerName: name,
        adminUsername: this.config.adminUsername ?? "artenic",
        customData: customData.toString("base64"),
        linuxConfiguration: {
          disablePasswordAuthentication: true,
          ssh: { publicKeys: [{ path: `/home/${this.config.adminUsername ?? "artenic"}/.ssh/authorized_keys`, keyData: this.config.sshPublicKey || throwawaySshKey() }] },
        },
      },
      networkProfile: { networkInterfaces: [{ id: nic.id!, primary: true, deleteOption: "Delete" }] },
      ...(request.spec.spot ? { priority: "Spot", evictionPolicy: "Delete", billingProfile: { maxPrice: -1 } } : { priority: "Regular" }),
    };
    try {
      // If-None-Match: * makes the create exactly-once: a concurrent submit of the same job gets 412
      // and uses the VM the first one created. Only the request is awaited, not the provisioning.
      const poller = this.compute.virtualMachines.createOrUpdate(this.rg, name, vm, { ...this.op(signal), ifNoneMatch: "*" });
      await poller.submitted();
    } catch (e) {
      if (azureStatusOf(e) === 412 || azureStatusOf(e) === 409) {
        const existing = await this.findInstance(request.jobId, location, signal);
        if (existing) return existing;
      }
      await rollback(e, publicIpId ? ["nic", "ip"] : ["nic"]);
      throw translateAzureError(e, `create VM ${name}`, signal);
    }
    return { id: `/subscriptions/${this.config.subscriptionId}/resourceGroups/${this.rg}/providers/Microsoft.Compute/virtualMachines/${name}`, region: location, data: { vm: name, nic: nicName, ip: publicIpId ? ipName : "", disk: `${name}-osdisk`, spot: String(request.spec.spot), resourceGroup: this.rg } };
  }

  private target(ref: VmRef): AzureRefData {
    const d = ref.data;
    const vm = d["vm"] || ref.id.split("/").pop()!;
    return { vm, nic: d["nic"] ?? `${vm}-nic`, ip: d["ip"] ?? "", disk: d["disk"] || `${vm}-osdisk`, spot: d["spot"] ?? "false", resourceGroup: d["resourceGroup"] || this.rg };
  }

  async describe(ref: VmRef, signal?: AbortSignal): Promise<ComputeObservation> {
    const t = this.target(ref);
    const vm = await this.callAllowingNotFound(`read VM ${t.vm}`, signal, () =>
      this.compute.virtualMachines.get(t.resourceGroup, t.vm, { expand: "instanceView", ...(signal ? { abortSignal: signal } : {}) }),
    );
    return mapAzureVm(vm ? { ...(vm.provisioningState ? { provisioningState: vm.provisioningState } : {}), statuses: vm.instanceView?.statuses ?? [] } : undefined, t.spot === "true");
  }

  /** Starts deleting the VM (its disk, NIC and IP go with it by their delete options). */
  async terminate(ref: VmRef, signal?: AbortSignal): Promise<void> {
    const t = this.target(ref);
    await this.callAllowingNotFound(`delete VM ${t.vm}`, signal, () => this.compute.virtualMachines.delete(t.resourceGroup, t.vm, this.op(signal)).submitted());
  }

  /**
   * Waits for the VM to be gone, then deletes the OS disk, the NIC and the public IP in that order
   * (each already gone is fine); a resource still attached is retried later (UNAVAILABLE).
   */
  async releaseResources(ref: VmRef, signal?: AbortSignal): Promise<void> {
    const t = this.target(ref);
    await this.callAllowingNotFound(`delete VM ${t.vm}`, signal, () => this.compute.virtualMachines.delete(t.resourceGroup, t.vm, this.op(signal)).then(() => undefined));
    const release = async (what: string, run: () => Promise<void>) => {
      try {
        await run();
      } catch (e) {
        if (isAzureNotFound(e)) return;
        const status = azureStatusOf(e);
        if (status === 400 || status === 409) {
          throw new AppError("unavailable", "AZURE_RESOURCE_IN_USE", `azure: ${what} is still in use and will be deleted later: ${(e as Error).message.split("\n")[0]}`, { resource: what }, { cause: e, retryDelayMs: 15_000 });
        }
        throw translateAzureError(e, `delete ${what}`, signal);
      }
    };
    await release(`disk ${t.disk}`, () => this.compute.disks.delete(t.resourceGroup, t.disk, this.op(signal)).then(() => undefined));
    await release(`network interface ${t.nic}`, () => this.network.networkInterfaces.delete(t.resourceGroup, t.nic, this.op(signal)).then(() => undefined));
    if (t.ip) await release(`public IP ${t.ip}`, () => this.network.publicIPAddresses.delete(t.resourceGroup, t.ip, this.op(signal)).then(() => undefined));
  }

  async testConnection(signal?: AbortSignal): Promise<{ ok: boolean; message: string }> {
    try {
      let count = 0;
      await this.call(`list VMs in resource group ${this.rg}`, signal, async () => {
        for await (const _vm of this.compute.virtualMachines.list(this.rg, { ...(signal ? { abortSignal: signal } : {}) })) count += 1; // eslint-disable-line @typescript-eslint/no-unused-vars
      });
      const prices = this.config.livePrices === false ? "" : (await this.prices.get(signal)) ? "; live prices from the Retail Prices API" : `; live prices unavailable (${this.prices.lastError})`;
      return { ok: true, message: `connected to Azure subscription ${this.config.subscriptionId}; resource group ${this.rg} holds ${count} VM(s)${prices}` };
    } catch (e) {
      return { ok: false, message: e instanceof Error ? e.message : String(e) };
    }
  }
}
