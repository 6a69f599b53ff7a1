import { ProviderKind } from "@artenic/gen/artenic/training/v1/provider_pb";
import { dnsLabel, image, type ProviderDefinition } from "./provider-definitions.js";

/**
 * The GPU clouds' definitions (CoreWeave, Lambda, RunPod, Vast.ai): credentials, settings with
 * defaults, and how each adapter is built from them (imported lazily, so a server that never
 * configures one never loads it).
 */

const regionCode = (v: string) => (v === "" || /^[A-Z]{2,4}[0-9]{1,2}$/.test(v) ? undefined : "must be a CoreWeave region such as ORD1, LGA1 or LAS1, or empty");

// Built on call, not at load: this module and provider-definitions.ts import each other.
const coreweave = (): ProviderDefinition => ({
  id: "coreweave",
  displayName: "CoreWeave",
  description:
    "GPU jobs on CoreWeave's Kubernetes service: each job is a batch/v1 Job in the tenant namespace (the kubernetes adapter), with GPUs requested as nvidia.com/gpu and pinned to the model through a gpu.nvidia.com/class node affinity, in the configured region.",
  websiteUri: "https://www.coreweave.com",
  kind: ProviderKind.KUBERNETES,
  capabilities: { spot: false, gpu: true, objectStorage: false, livePricing: false },
  regions: ["ORD1", "LGA1", "LAS1"],
  credentialFields: [
    {
      key: "kubeconfig",
      displayName: "Kubeconfig",
      description: "The kubeconfig document CoreWeave issues (token and cluster CA inline); exec plugins and file references are refused.",
      required: true,
      secret: true,
    },
  ],
  configFields: [
    { key: "namespace", displayName: "Namespace", description: "The tenant namespace jobs run in; the kubeconfig context's when empty.", required: false, defaultValue: "", validate: (v) => (v === "" ? undefined : dnsLabel(v)) },
    { key: "region", displayName: "Region", description: "The data center jobs are pinned to (topology.kubernetes.io/region); empty lets the scheduler choose.", required: false, defaultValue: "ORD1", validate: regionCode },
    { key: "default_image", displayName: "Default training image", description: "The image of jobs whose spec names none.", required: false, defaultValue: "python:3.12-slim", validate: image },
    { key: "helper_image", displayName: "Helper image", description: "The image of the helper containers (sh, tar with gzip, unzip, base64).", required: false, defaultValue: "busybox:1.36", validate: image },
    { key: "image_pull_secret", displayName: "Image pull secret", description: "A docker-registry Secret in the namespace used to pull private images.", required: false, defaultValue: "", validate: (v) => (v === "" ? undefined : dnsLabel(v)) },
  ],
  adapter: "hub",
  enabledByDefault: false,
  checkName: "cluster API",
  async create(settings, catalog) {
    const c = settings.config;
    const { createCoreWeaveComputeProvider } = await import("../providers/coreweave/index.js");
    const region = c["region"] ?? "";
    return createCoreWeaveComputeProvider({
      kubeconfig: settings.credentials["kubeconfig"] ?? "",
      namespace: c["namespace"] ?? "",
      region,
      defaultImage: c["default_image"]!,
      helperImage: c["helper_image"]!,
      ...(c["image_pull_secret"] ? { imagePullSecret: c["image_pull_secret"] } : {}),
      offerings: catalog.offerings("coreweave", region ? { region } : {}),
    });
  },
});

/** CoreWeave, Lambda, RunPod and Vast.ai, in listing order. */
export function gpuCloudDefinitions(): ProviderDefinition[] {
  return [coreweave()];
}
