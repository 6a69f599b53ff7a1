import type { ComputeProvider } from "../../compute-provider.js";
import { VmJobProvider, type JobStorage } from "../remote/index.js";
import { HetznerApi, MAX_USER_DATA_BYTES } from "./hetzner-api.js";
import { HetznerCompute } from "./hetzner-compute.js";
import type { HetznerProviderConfig } from "./hetzner-config.js";

export type { HetznerProviderConfig } from "./hetzner-config.js";
export { hetznerServerName } from "./hetzner-compute.js";

/**
 * The hetzner adapter: Hetzner Cloud servers (plain HTTP with fetch, no SDK) running the remote
 * kit's bootstrap script as user data. The Hetzner Cloud API has no object store, so the job's
 * objects live in an S3-compatible bucket (Hetzner Object Storage) given as `storage`, which the
 * machine reaches with pre-signed URLs: no credential is ever on the server.
 */
export function createHetznerComputeProvider(config: HetznerProviderConfig, storage: JobStorage): ComputeProvider {
  const api = new HetznerApi(config.apiToken, config.apiUrl ?? "https://api.hetzner.cloud/v1", config.requestTimeoutMs);
  return new VmJobProvider({
    id: config.id ?? "hetzner",
    storage,
    compute: new HetznerCompute(config, api),
    maxUserDataBytes: MAX_USER_DATA_BYTES,
    ...(config.prefix ? { prefix: config.prefix } : {}),
    ...(config.bootstrap ? { bootstrap: config.bootstrap } : {}),
  });
}
