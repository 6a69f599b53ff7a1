import type { ComputeProvider } from "../../compute-provider.js";
import { VmJobProvider } from "../remote/index.js";
import type { GpuCloudJobStorage } from "../../transfer/index.js";
import { LambdaCompute, type LambdaComputeConfig } from "./lambda-compute.js";

export { LambdaCompute, lambdaGpuType, lambdaInstanceName, type LambdaComputeConfig } from "./lambda-compute.js";

export const LAMBDA_API_URL = "https://cloud.lambdalabs.com/api/v1";

export interface LambdaProviderConfig extends LambdaComputeConfig {
  /** Where job objects go (Lambda has no object store): the platform's object store or the server's own transfers. */
  readonly storage: GpuCloudJobStorage;
  /** Overrides the bootstrap's stop command and work root (tests run the script in a sandbox). */
  readonly stopCommand?: readonly string[];
}

/**
 * The lambda-labs adapter: a Lambda Cloud instance per job, launched with the remote kit's
 * bootstrap script as cloud-init user data. The code, status, logs and outputs move through signed
 * URLs to the platform's object store or to the Artenic server itself (gpu-cloud-storage.ts); the job's image (when it names one) runs under docker,
 * which Lambda Stack images ship. The script shuts the machine down; cleanup terminates it.
 */
export function createLambdaComputeProvider(config: LambdaProviderConfig): ComputeProvider {
  return new VmJobProvider({
    id: "lambda-labs",
    storage: config.storage.current,
    formerStorages: config.storage.former,
    compute: new LambdaCompute(config),
    bootstrap: { ...(config.stopCommand ? { stopCommand: config.stopCommand } : {}) },
  });
}
