import type { ComputeProvider } from "../../compute-provider.js";
import { VmJobProvider } from "../remote/index.js";
import { parseServiceAccountKey, serviceAccountClient } from "./gcp-auth.js";
import type { GcpProviderConfig } from "./gcp-config.js";
import { GceVmCompute } from "./gcp-vm-compute.js";
import { GcsJobStorage } from "./gcs-job-storage.js";

export type { GcpProviderConfig } from "./gcp-config.js";
export { parseServiceAccountKey } from "./gcp-auth.js";
export { GceVmCompute, gceInstanceName } from "./gcp-vm-compute.js";
export { GcsJobStorage } from "./gcs-job-storage.js";
export { mapGceInstance } from "./gcp-status.js";
export { indexSkus, priceOfferings } from "./gcp-prices.js";

/**
 * The gcp adapter: each job on its own Compute Engine instance (Spot or standard) running the remote
 * kit's bootstrap script as its startup script, its code, environment, logs, status and outputs as
 * objects in one Cloud Storage bucket. The Google Cloud clients are imported in this folder only.
 */
export function createGcpComputeProvider(config: GcpProviderConfig): ComputeProvider {
  const key = parseServiceAccountKey(config.credentialsJson);
  const storage = new GcsJobStorage({ projectId: config.projectId, bucket: config.bucket, key, ...(config.storageEndpoint ? { endpoint: config.storageEndpoint } : {}) });
  return new VmJobProvider({
    id: config.id ?? "gcp",
    storage,
    compute: new GceVmCompute(config, serviceAccountClient(key)),
    prefix: config.prefix ?? "artenic",
    // A metadata value holds at most 256 KiB: refused before anything is uploaded.
    maxUserDataBytes: 256 * 1024,
    // A Spot instance hears of its preemption 30 s ahead (metadata instance/preempted).
    spotPreemptionNotice: "gcp",
  });
}
