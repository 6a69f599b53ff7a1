import type { ComputeProvider } from "../../compute-provider.js";
import { VmJobProvider } from "../remote/index.js";
import type { GpuCloudJobStorage } from "../../transfer/index.js";
import { VastCompute, type VastComputeConfig } from "./vastai-compute.js";

export { VastCompute, VAST_ARGS, vastGpuType, vastLabel, type VastComputeConfig } from "./vastai-compute.js";

export const VASTAI_API_URL = "https://console.vast.ai/api/v0";
const PREFIX = "artenic";

export interface VastProviderConfig extends Omit<VastComputeConfig, "prefix" | "storage"> {
  /** Where job objects go (no object store at the provider): the platform's object store or the server's own transfers. */
  readonly storage: GpuCloudJobStorage;
  /** Overrides the bootstrap's stop command (tests). */
  readonly stopCommand?: readonly string[];
}

/**
 * The vastai adapter: an instance of the job's image per job on an accepted marketplace offer,
 * whose command fetches and runs the remote kit's bootstrap; code, environment, status, logs and
 * outputs move through signed URLs to the platform's object store or to the Artenic server (Vast.ai
 * has none of its own; see gpu-cloud-storage.ts). The script stops its own instance with the
 * instance-scoped key Vast.ai puts in every container (CONTAINER_API_KEY, CONTAINER_ID); cleanup
 * destroys it.
 */
export function createVastComputeProvider(config: VastProviderConfig): ComputeProvider {
  const api = config.apiUrl.replace(/\/+$/, "");
  return new VmJobProvider({
    id: "vastai",
    prefix: PREFIX,
    storage: config.storage.current,
    formerStorages: config.storage.former,
    compute: new VastCompute({ ...config, storage: config.storage.current, prefix: PREFIX }),
    runsInImage: true,
    bootstrap: {
      stopCommand: config.stopCommand ?? [
        "sh",
        "-c",
        `curl -fsS -X PUT -H "Authorization: Bearer $CONTAINER_API_KEY" -H 'Content-Type: application/json' -d '{"state":"stopped"}' "${api}/instances/$CONTAINER_ID/"`,
      ],
    },
  });
}
