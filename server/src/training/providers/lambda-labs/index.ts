import type { ComputeProvider } from "../../compute-provider.js";
import { VmJobProvider } from "../remote/index.js";
import { PlatformJobStorage, type PlatformTransfer } from "../../transfer/index.js";
import { LambdaCompute, type LambdaComputeConfig } from "./lambda-compute.js";

export { LambdaCompute, lambdaGpuType, lambdaInstanceName, type LambdaComputeConfig } from "./lambda-compute.js";

export const LAMBDA_API_URL = "https://cloud.lambdalabs.com/api/v1";

export interface LambdaProviderConfig extends LambdaComputeConfig {
  /** Job transfers through the Artenic server (Lambda has no object store). */
  readonly transfer: PlatformTransfer;
  /** Overrides the bootstrap's stop command and work root (tests run the script in a sandbox). */
  readonly stopCommand?: readonly string[];
}

/**
 * The lambda-labs adapter: a Lambda Cloud instance per job, launched with the remote kit's
 * bootstrap script as cloud-init user data. The code, status, logs and outputs move through the
 * Artenic server's own signed transfer URLs; the job's image (when it names one) runs under docker,
 * which Lambda Stack images ship. The script shuts the machine down; cleanup terminates it.
 */
export function createLambdaComputeProvider(config: LambdaProviderConfig): ComputeProvider {
  return new VmJobProvider({
    id: "lambda-labs",
    storage: new PlatformJobStorage(config.transfer),
    compute: new LambdaCompute(config),
    bootstrap: { ...(config.stopCommand ? { stopCommand: config.stopCommand } : {}) },
  });
}
