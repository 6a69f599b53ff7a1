import type { ComputeProvider } from "../../compute-provider.js";
import { VmJobProvider } from "../remote/index.js";
import { PlatformJobStorage } from "../../transfer/index.js";
import { RunPodCompute, type RunPodComputeConfig } from "./runpod-compute.js";

export { RunPodCompute, RUNPOD_DOCKER_ARGS, runPodGpuType, runPodName, type RunPodComputeConfig } from "./runpod-compute.js";

export const RUNPOD_API_URL = "https://api.runpod.io/graphql";
const PREFIX = "artenic";

export interface RunPodProviderConfig extends Omit<RunPodComputeConfig, "prefix"> {
  /** Overrides the bootstrap's stop command (tests). */
  readonly stopCommand?: readonly string[];
}

/**
 * The runpod adapter: a pod of the job's image per job, whose container command fetches and runs
 * the remote kit's bootstrap script; code, environment, status, logs and outputs move through the
 * Artenic server's signed transfer URLs (RunPod has no object store). The script stops its own pod
 * with `runpodctl` (on every pod, with a pod-scoped key); cleanup terminates it.
 */
export function createRunPodComputeProvider(config: RunPodProviderConfig): ComputeProvider {
  return new VmJobProvider({
    id: "runpod",
    prefix: PREFIX,
    storage: new PlatformJobStorage(config.transfer),
    compute: new RunPodCompute({ ...config, prefix: PREFIX }),
    runsInImage: true,
    bootstrap: { stopCommand: config.stopCommand ?? ["sh", "-c", 'runpodctl stop pod "$RUNPOD_POD_ID"'] },
  });
}
