import type { Offering } from "../../compute-provider.js";

/** A toleration added to spot jobs, e.g. `cloud.google.com/gke-spot=true:NoSchedule`. */
export interface SpotToleration {
  readonly key: string;
  readonly value?: string;
  readonly effect?: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
}

/** Platform GPU types (`nvidia-a100-80gb`) to the node label values a cluster uses for them. */
export interface GpuClassAffinity {
  readonly label: string;
  readonly classes: Readonly<Record<string, readonly string[]>>;
}

/** Everything the kubernetes adapter needs; built by the provider hub from stored settings. */
export interface KubernetesProviderConfig {
  /** The provider id reported in handles and offerings. @default "kubernetes" */
  readonly id?: string;
  /** The API server, `https://host:6443` (or `http://` for tests, with `insecureSkipTlsVerify`). */
  readonly apiServerUrl: string;
  /** Where Jobs, ConfigMaps and Secrets are created. */
  readonly namespace: string;
  /** A bearer token (service account), or a client certificate and key (PEM). */
  readonly token?: string | undefined;
  readonly clientCertificate?: string | undefined;
  readonly clientKey?: string | undefined;
  /** PEM of the CA that signed the API server's certificate; the system roots when unset. */
  readonly certificateAuthority?: string | undefined;
  /** Skip TLS verification (tests and throwaway clusters only). */
  readonly insecureSkipTlsVerify?: boolean;
  /** The image of jobs whose spec names none. */
  readonly defaultImage: string;
  /**
   * The image of the helper containers: the init container that unpacks code archives and the
   * sidecar that hands the outputs back. Needs `sh`, `tar` (with gzip), `unzip` and `base64`.
   */
  readonly helperImage: string;
  /** Collect ARTENIC_OUTPUT_DIR through the collect-outputs sidecar (Kubernetes 1.29+). @default true */
  readonly collectOutputs?: boolean;
  /** Largest outputs read back, as a base64 tar.gz in the sidecar's log. @default 8 MiB */
  readonly maxOutputBytes?: number;
  /** The extended resource GPUs are requested as. @default "nvidia.com/gpu" */
  readonly gpuResource?: string;
  /** When set, GPU jobs get `nodeSelector: {<label>: <gpu type>}` (the platform's GPU vocabulary). */
  readonly gpuTypeLabel?: string;
  /**
   * For clusters that label GPU nodes in their own vocabulary (CoreWeave's `gpu.nvidia.com/class`):
   * GPU jobs get a required node affinity `<label> In [classes of the requested type]`, and a GPU
   * type with no class is refused before anything is created. Takes precedence over `gpuTypeLabel`.
   */
  readonly gpuClassAffinity?: GpuClassAffinity;
  /** Labels every job's nodes must carry, such as the region of a multi-region cluster. */
  readonly nodeSelector?: Readonly<Record<string, string>>;
  /** Node selector and tolerations that put spot jobs on spot nodes; spot jobs run anywhere without. */
  readonly spotNodeSelector?: Readonly<Record<string, string>>;
  readonly spotTolerations?: readonly SpotToleration[];
  readonly serviceAccount?: string;
  readonly imagePullSecret?: string;
  /** Largest code shipped through a ConfigMap. */
  readonly maxCodeBytes?: number;
  /** The "region" offerings and handles carry. @default "cluster" */
  readonly region?: string;
  /** What listOfferings returns (from the price catalog): pod shapes with nominal prices. */
  readonly offerings?: readonly Offering[];
  /** How long cleanup waits for the Job's pods to be gone before reporting them still terminating. @default 30000 */
  readonly cleanupWaitMs?: number;
  /** Per API call. @default 30000 */
  readonly requestTimeoutMs?: number;
}
