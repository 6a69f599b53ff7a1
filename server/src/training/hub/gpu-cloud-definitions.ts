import { ProviderKind } from "@artenic/gen/artenic/training/v1/provider_pb";
import { AppError } from "../../platform/errors/app-error.js";
import type { PriceCatalog } from "../catalog/price-catalog.js";
import type { GpuCloudJobStorage } from "../transfer/index.js";
import { dnsLabel, httpUrl, image, integer, type ConfigFieldDef, type ProviderDefinition, type ProviderServices } from "./provider-definitions.js";

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

// ---------------------------------------------------------------- Lambda, RunPod, Vast.ai (the remote kit + the platform transfer)

/** USD → the platform currency: the catalog's rate for the provider (the catalog is in the platform currency). */
function exchangeFor(id: string, catalog: PriceCatalog): { currency: string; rate: number; date: string } {
  const p = catalog.provider(id);
  if (p && p.sourceCurrency === "USD") return { currency: catalog.currency, rate: p.exchangeRate, date: catalog.date };
  if (catalog.currency === "USD") return { currency: "USD", rate: 1, date: catalog.date };
  throw new AppError("failed_precondition", "EXCHANGE_RATE_MISSING", `${id}: the price catalog has no USD rate to convert its prices to ${catalog.currency}.`, { provider: id, currency: catalog.currency });
}

/** These clouds have no object store: jobs move their files through the platform's (app.ts chooses which). */
function storageOf(id: string, services: ProviderServices): GpuCloudJobStorage {
  if (!services.jobStorage) throw new AppError("failed_precondition", "PLATFORM_TRANSFER_MISSING", `${id}: the adapter needs the server's job storage, which this server was not built with.`, { provider: id });
  return services.jobStorage;
}

const apiUrl = (url: string): ConfigFieldDef => ({
  key: "api_url",
  displayName: "API URL",
  description: "The provider's API endpoint (change it only for a proxy or a test double).",
  required: false,
  defaultValue: url,
  validate: httpUrl,
});
const apiKey = (description: string) => ({ key: "api_key", displayName: "API key", description, required: true, secret: true });
const number = (min: number, max: number) => (v: string) => (/^\d+(\.\d+)?$/.test(v) && Number(v) >= min && Number(v) <= max ? undefined : `must be a number from ${min} to ${max}`);
const transferNote =
  " Code, status, logs and outputs move through short-lived signed URLs to the platform's S3 artifact store when it has one (under training-jobs/), else to the Artenic server itself (ARTENIC_TRAINING_ENDPOINT must then be reachable from the machines).";

const lambda = (): ProviderDefinition => ({
  id: "lambda-labs",
  displayName: "Lambda",
  description: `Lambda Cloud on-demand GPU instances: one instance per job, launched with the bootstrap script as cloud-init user data, terminated at cleanup; live prices and capacity from the instance-types API.${transferNote}`,
  websiteUri: "https://lambda.ai",
  kind: ProviderKind.GPU_CLOUD,
  capabilities: { spot: false, gpu: true, objectStorage: false, livePricing: true },
  regions: ["us-east-1", "us-west-1"],
  credentialFields: [apiKey("A Lambda Cloud API key.")],
  configFields: [
    { key: "ssh_key_name", displayName: "SSH key name", description: "The SSH key registered with Lambda that instances get (the launch API requires one).", required: true, defaultValue: "" },
    { key: "region", displayName: "Default region", description: "Where jobs without a region go.", required: false, defaultValue: "us-east-1" },
    apiUrl("https://cloud.lambdalabs.com/api/v1"),
  ],
  adapter: "hub",
  enabledByDefault: false,
  checkName: "Lambda Cloud API",
  async create(settings, catalog, services) {
    const { createLambdaComputeProvider } = await import("../providers/lambda-labs/index.js");
    return createLambdaComputeProvider({
      apiUrl: settings.config["api_url"]!,
      apiKey: settings.credentials["api_key"] ?? "",
      sshKeyName: settings.config["ssh_key_name"]!,
      exchange: exchangeFor("lambda-labs", catalog),
      storage: storageOf("lambda-labs", services),
    });
  },
});

const runpod = (): ProviderDefinition => ({
  id: "runpod",
  displayName: "RunPod",
  description: `RunPod GPU pods of the job's image, on-demand or interruptible (spot jobs bid the current minimum; an outbid pod is reported preempted); live prices from gpuTypes.${transferNote}`,
  websiteUri: "https://www.runpod.io",
  kind: ProviderKind.GPU_CLOUD,
  capabilities: { spot: true, gpu: true, objectStorage: false, livePricing: true },
  regions: ["any"],
  credentialFields: [apiKey("A RunPod API key (sent as a bearer token, never in the URL).")],
  configFields: [
    { key: "cloud_type", displayName: "Cloud type", description: "SECURE (data centers), COMMUNITY (hosts) or ALL.", required: false, defaultValue: "SECURE", validate: (v) => (["ALL", "SECURE", "COMMUNITY"].includes(v) ? undefined : "must be ALL, SECURE or COMMUNITY") },
    { key: "data_center_id", displayName: "Data center", description: "Pin pods to one data center (EU-RO-1); anywhere when empty.", required: false, defaultValue: "", validate: (v) => (v === "" || /^[A-Z]{2}-[A-Z]{2,4}-\d{1,2}$/.test(v) ? undefined : "must be a RunPod data center id such as EU-RO-1") },
    { key: "default_image", displayName: "Default image", description: "The image of jobs whose spec names none; it needs bash and curl.", required: false, defaultValue: "runpod/pytorch:2.4.0-py3.11-cuda12.4.1-devel-ubuntu22.04", validate: image },
    { key: "container_disk_gb", displayName: "Container disk (GB)", description: "The pod's container disk.", required: false, defaultValue: "50", validate: integer(10, 2000) },
    apiUrl("https://api.runpod.io/graphql"),
  ],
  adapter: "hub",
  enabledByDefault: false,
  checkName: "RunPod API",
  async create(settings, catalog, services) {
    const c = settings.config;
    const { createRunPodComputeProvider } = await import("../providers/runpod/index.js");
    return createRunPodComputeProvider({
      apiUrl: c["api_url"]!,
      apiKey: settings.credentials["api_key"] ?? "",
      cloudType: c["cloud_type"] as "ALL" | "SECURE" | "COMMUNITY",
      dataCenterId: c["data_center_id"] ?? "",
      defaultImage: c["default_image"]!,
      containerDiskGb: Number(c["container_disk_gb"]),
      exchange: exchangeFor("runpod", catalog),
      storage: storageOf("runpod", services),
    });
  },
});

const vastai = (): ProviderDefinition => ({
  id: "vastai",
  displayName: "Vast.ai",
  description: `GPU offers from the Vast.ai marketplace: the cheapest verified, reliable offer for the job's GPUs, on-demand or as an interruptible bid (an outbid instance is reported preempted); live prices from the offer search.${transferNote}`,
  websiteUri: "https://vast.ai",
  kind: ProviderKind.GPU_CLOUD,
  capabilities: { spot: true, gpu: true, objectStorage: false, livePricing: true },
  regions: ["global"],
  credentialFields: [apiKey("A Vast.ai API key.")],
  configFields: [
    { key: "default_image", displayName: "Default image", description: "The image of jobs whose spec names none; it needs bash and curl.", required: false, defaultValue: "pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime", validate: image },
    { key: "min_reliability", displayName: "Minimum host reliability", description: "Offers from less reliable hosts are ignored (0 to 1).", required: false, defaultValue: "0.95", validate: number(0, 1) },
    { key: "disk_gb", displayName: "Disk (GB)", description: "The instance's disk.", required: false, defaultValue: "50", validate: integer(10, 4000) },
    { key: "bid_markup", displayName: "Bid markup", description: "Interruptible bids are the minimum bid times this (1.1 = 10 % over).", required: false, defaultValue: "1.1", validate: number(1, 10) },
    apiUrl("https://console.vast.ai/api/v0"),
  ],
  adapter: "hub",
  enabledByDefault: false,
  checkName: "Vast.ai API",
  async create(settings, catalog, services) {
    const c = settings.config;
    const { createVastComputeProvider } = await import("../providers/vastai/index.js");
    return createVastComputeProvider({
      apiUrl: c["api_url"]!,
      apiKey: settings.credentials["api_key"] ?? "",
      defaultImage: c["default_image"]!,
      minReliability: Number(c["min_reliability"]),
      diskGb: Number(c["disk_gb"]),
      bidMarkup: Number(c["bid_markup"]),
      exchange: exchangeFor("vastai", catalog),
      storage: storageOf("vastai", services),
    });
  },
});

/** CoreWeave, Lambda, RunPod and Vast.ai, in listing order. */
export function gpuCloudDefinitions(): ProviderDefinition[] {
  return [coreweave(), lambda(), runpod(), vastai()];
}
