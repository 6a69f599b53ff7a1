import type { ComputeProvider } from "../../compute-provider.js";
import { VmJobProvider } from "../remote/index.js";
import type { GpuCloudJobStorage } from "../../transfer/index.js";
import { RunPodCompute, type RunPodComputeConfig } from "./runpod-compute.js";

export { RunPodCompute, RUNPOD_DOCKER_ARGS, runPodGpuType, runPodName, type RunPodComputeConfig } from "./runpod-compute.js";

export const RUNPOD_API_URL = "https://api.runpod.io/graphql";
const PREFIX = "artenic";

export interface RunPodProviderConfig extends Omit<RunPodComputeConfig, "prefix" | "storage"> {
  /** Where job objects go (no object store at the provider): the platform's object store or the server's own transfers. */
  readonly storage: GpuCloudJobStorage;
  /** Overrides the bootstrap's stop command (tests). */
  readonly stopCommand?: readonly string[];
}

/**
 * The runpod adapter: a pod of the job's image per job, whose container command fetches and runs
 * the remote kit's bootstrap script; code, environment, status, logs and outputs move through
 * signed URLs to the platform's object store or to the Artenic server (RunPod has none of its own;
 * see gpu-cloud-storage.ts). The script stops its own pod with `runpodctl` (on every pod, with a
 * pod-scoped key); cleanup terminates it.
 */
export function createRunPodComputeProvider(config: RunPodProviderConfig): ComputeProvider {
  return new VmJobProvider({
    id: "runpod",
    prefix: PREFIX,
    storage: config.storage.current,
    formerStorages: config.storage.former,
    compute: new RunPodCompute({ ...config, storage: config.storage.current, prefix: PREFIX }),
    runsInImage: true,
    bootstrap: { stopCommand: config.stopCommand ?? ["sh", "-c", 'runpodctl stop pod "$RUNPOD_POD_ID"'] },
  });
}
