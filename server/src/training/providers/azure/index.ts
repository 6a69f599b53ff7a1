import type { ComputeProvider } from "../../compute-provider.js";
import { VmJobProvider } from "../remote/index.js";
import { AzureBlobJobStorage } from "./azure-blob-storage.js";
import type { AzureProviderConfig } from "./azure-config.js";
import { AZURE_MAX_CUSTOM_DATA, AzureVmCompute } from "./azure-vm-compute.js";

export type { AzureProviderConfig } from "./azure-config.js";
export { AzureBlobJobStorage } from "./azure-blob-storage.js";
export { AzureVmCompute, azureVmName } from "./azure-vm-compute.js";
export { mapAzureVm } from "./azure-status.js";
export { parseRetailItems, retailPricesFilter } from "./azure-prices.js";

/**
 * The azure adapter: each job on its own VM (Spot or regular) running the remote kit's bootstrap
 * script as custom data, its code, environment, logs, status and outputs as blobs in one container.
 * The Azure SDKs are imported in this folder only.
 */
export function createAzureComputeProvider(config: AzureProviderConfig): ComputeProvider {
  const storage = new AzureBlobJobStorage({
    account: config.storageAccount,
    accountKey: config.storageAccountKey,
    container: config.container,
    ...(config.blobEndpoint ? { endpoint: config.blobEndpoint } : {}),
  });
  return new VmJobProvider({
    id: config.id ?? "azure",
    storage,
    compute: new AzureVmCompute(config),
    prefix: config.prefix ?? "artenic",
    // Azure takes at most 64 KiB of custom data: refused before anything is uploaded.
    maxUserDataBytes: AZURE_MAX_CUSTOM_DATA,
    // A Spot VM hears of its eviction at least 30 s ahead (Scheduled Events, Preempt).
    spotPreemptionNotice: "azure",
  });
}
