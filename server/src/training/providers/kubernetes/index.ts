import type { ComputeProvider } from "../../compute-provider.js";
import type { KubernetesProviderConfig } from "./kubernetes-config.js";
import { KubernetesComputeProvider } from "./kubernetes-provider.js";

export type { KubernetesProviderConfig, SpotToleration } from "./kubernetes-config.js";
export { kubernetesNames, JOB_LABEL, TRAIN_CONTAINER } from "./kubernetes-names.js";

/** The kubernetes adapter: training jobs as batch/v1 Jobs in one namespace of one cluster. */
export function createKubernetesComputeProvider(config: KubernetesProviderConfig): ComputeProvider {
  return new KubernetesComputeProvider(config);
}
export type { GpuClassAffinity } from "./kubernetes-config.js";
export { connectionFromKubeconfig, type KubeconfigConnection } from "./kubernetes-kubeconfig.js";
