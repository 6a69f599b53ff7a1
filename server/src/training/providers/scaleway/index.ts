import type { ComputeProvider } from "../../compute-provider.js";
import { VmJobProvider, type JobStorage } from "../remote/index.js";
import { MAX_USER_DATA_BYTES } from "./scaleway-api.js";
import { ScalewayCompute } from "./scaleway-compute.js";
import type { ScalewayProviderConfig } from "./scaleway-config.js";

export type { ScalewayProviderConfig } from "./scaleway-config.js";
export { scalewayGpuType } from "./scaleway-compute.js";

/**
 * The scaleway adapter: Scaleway Instances (plain HTTP with fetch, no SDK) running the remote kit's
 * bootstrap script as cloud-init user data; the job's objects in Scaleway Object Storage (S3
 * compatible, given as `storage`), which the machine reaches with pre-signed URLs.
 */
export function createScalewayComputeProvider(config: ScalewayProviderConfig, storage: JobStorage): ComputeProvider {
  return new VmJobProvider({
    id: config.id ?? "scaleway",
    storage,
    compute: new ScalewayCompute(config),
    maxUserDataBytes: MAX_USER_DATA_BYTES,
    ...(config.prefix ? { prefix: config.prefix } : {}),
    ...(config.bootstrap ? { bootstrap: config.bootstrap } : {}),
  });
}
