import { AppError } from "../../../platform/errors/app-error.js";
import type { ComputeProvider, Offering } from "../../compute-provider.js";
import { connectionFromKubeconfig, createKubernetesComputeProvider } from "../kubernetes/index.js";
import { COREWEAVE_GPU_CLASSES, COREWEAVE_GPU_CLASS_LABEL, COREWEAVE_REGION_LABEL } from "./coreweave-gpu-classes.js";

export { COREWEAVE_GPU_CLASSES, COREWEAVE_GPU_CLASS_LABEL, COREWEAVE_REGION_LABEL } from "./coreweave-gpu-classes.js";

/** What the CoreWeave adapter needs; built by the provider hub from stored settings. */
export interface CoreWeaveProviderConfig {
  /** The kubeconfig CoreWeave issues (token and CA inline). */
  readonly kubeconfig: string;
  /** Where jobs run; the kubeconfig context's namespace when empty. */
  readonly namespace: string;
  /**
   * The data center jobs are pinned to (`ORD1`), through the region node label; empty lets the
   * scheduler choose (a single-region CKS cluster).
   */
  readonly region: string;
  readonly defaultImage: string;
  readonly helperImage: string;
  /** The GPU class table; CoreWeave's documented classes by default. */
  readonly gpuClasses?: Readonly<Record<string, readonly string[]>>;
  readonly imagePullSecret?: string;
  /** What listOfferings returns (the price catalog's CoreWeave entries). */
  readonly offerings: readonly Offering[];
  readonly cleanupWaitMs?: number;
  readonly requestTimeoutMs?: number;
}

/**
 * CoreWeave is Kubernetes: training jobs are the kubernetes adapter's batch/v1 Jobs, with the
 * cluster reached through CoreWeave's kubeconfig, GPUs requested as `nvidia.com/gpu` and pinned to
 * the requested model with a required node affinity on `gpu.nvidia.com/class`, and the region (when
 * set) through `topology.kubernetes.io/region`. CoreWeave has no spot market for pods.
 */
export function createCoreWeaveComputeProvider(config: CoreWeaveProviderConfig): ComputeProvider {
  const connection = connectionFromKubeconfig(config.kubeconfig);
  const namespace = config.namespace || connection.namespace;
  if (!namespace) {
    throw new AppError("invalid_argument", "COREWEAVE_NAMESPACE_MISSING", "config.namespace: set it, or use a kubeconfig whose context names the namespace", {}, {
      fieldViolations: [{ field: "config.namespace", description: "required when the kubeconfig's context names no namespace" }],
    });
  }
  return createKubernetesComputeProvider({
    id: "coreweave",
    apiServerUrl: connection.apiServerUrl,
    namespace,
    token: connection.token,
    clientCertificate: connection.clientCertificate,
    clientKey: connection.clientKey,
    certificateAuthority: connection.certificateAuthority,
    insecureSkipTlsVerify: connection.insecureSkipTlsVerify,
    defaultImage: config.defaultImage,
    helperImage: config.helperImage,
    gpuResource: "nvidia.com/gpu",
    gpuClassAffinity: { label: COREWEAVE_GPU_CLASS_LABEL, classes: config.gpuClasses ?? COREWEAVE_GPU_CLASSES },
    ...(config.region ? { nodeSelector: { [COREWEAVE_REGION_LABEL]: config.region } } : {}),
    ...(config.imagePullSecret ? { imagePullSecret: config.imagePullSecret } : {}),
    region: config.region || "cluster",
    offerings: config.offerings,
    ...(config.cleanupWaitMs !== undefined ? { cleanupWaitMs: config.cleanupWaitMs } : {}),
    ...(config.requestTimeoutMs !== undefined ? { requestTimeoutMs: config.requestTimeoutMs } : {}),
  });
}
