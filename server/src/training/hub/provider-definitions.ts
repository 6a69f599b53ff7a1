import { ProviderKind } from "@artenic/gen/artenic/training/v1/provider_pb";
import type { ComputeProvider } from "../compute-provider.js";
import type { PriceCatalog } from "../catalog/price-catalog.js";
import type { GpuCloudJobStorage } from "../transfer/index.js";
import { gpuCloudDefinitions } from "./gpu-cloud-definitions.js";
import { hetznerDefinition, infomaniakDefinition, ociDefinition, ovhDefinition, scalewayDefinition } from "./vm-cloud-definitions.js";
import { azureDefinition, gcpDefinition } from "./azure-gcp-definitions.js";

/**
 * The providers the server knows (provider.proto lists them), with what each accepts: credentials
 * (write-only), non-secret settings with defaults, capabilities, and how its adapter is obtained:
 * - `hub`: the hub builds it from the stored settings (kubernetes; azure and gcp, in azure-gcp-definitions.ts);
 * - `registry`: the training module registers it at start (local, fake);
 * - `later`: the adapter is not part of this build (the clouds and GPU clouds); such a provider is
 *   listed and can store credentials, but stays UNCONFIGURED with a message saying so.
 */

export interface CredentialFieldDef {
  readonly key: string;
  readonly displayName: string;
  readonly description: string;
  readonly required: boolean;
  readonly secret: boolean;
}

export interface ConfigFieldDef {
  readonly key: string;
  readonly displayName: string;
  readonly description: string;
  readonly required: boolean;
  readonly defaultValue: string;
  /** What is wrong with a value, or undefined when it is acceptable. */
  readonly validate?: (value: string) => string | undefined;
}

/** Server facilities a `hub` adapter may use, wired in app.ts. */
export interface ProviderServices {
  /** Where providers without an object store keep job objects (gpu-cloud-storage.ts). */
  readonly jobStorage?: GpuCloudJobStorage;
}

/** Decrypted credentials and the settings in effect (defaults included). */
export interface ProviderSettings {
  readonly config: Readonly<Record<string, string>>;
  readonly credentials: Readonly<Record<string, string>>;
}

export interface ProviderDefinition {
  readonly id: string;
  readonly displayName: string;
  readonly description: string;
  readonly websiteUri: string;
  readonly kind: ProviderKind;
  readonly capabilities: { readonly spot: boolean; readonly gpu: boolean; readonly objectStorage: boolean; readonly livePricing: boolean };
  /** Regions when the catalog has none for the provider. */
  readonly regions?: readonly string[];
  readonly credentialFields: readonly CredentialFieldDef[];
  readonly configFields: readonly ConfigFieldDef[];
  readonly adapter: "hub" | "registry" | "later";
  /** Whether the provider takes jobs before anyone enables or disables it. */
  readonly enabledByDefault: boolean;
  /** Credential requirements the per-field `required` flags cannot express, as "what is missing" phrases. */
  readonly missingCredentials?: (credentialKeys: readonly string[]) => string[];
  /** For `hub` adapters: builds the adapter (the SDK is imported lazily, on first use). */
  readonly create?: (settings: ProviderSettings, catalog: PriceCatalog, services: ProviderServices) => Promise<ComputeProvider>;
  /** The name of the connection test's single check. */
  readonly checkName?: string;
}

// ---------------------------------------------------------------- validators

export const bool = (v: string) => (v === "true" || v === "false" ? undefined : 'must be "true" or "false"');
export const httpUrl = (v: string) => {
  try {
    const u = new URL(v);
    return u.protocol === "https:" || u.protocol === "http:" ? undefined : "must be an http(s) URL";
  } catch {
    return "must be an http(s) URL";
  }
};
export const dnsLabel = (v: string) => (/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(v) ? undefined : "must be a DNS label (lowercase letters, digits and hyphens, at most 63)");
const LABEL_KEY = /^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;
const labelKey = (v: string) => (LABEL_KEY.test(v) ? undefined : "must be a Kubernetes label key");
const selector = (v: string) =>
  parseKeyValues(v).every(([k, val]) => LABEL_KEY.test(k) && LABEL_VALUE.test(val)) ? undefined : "must be label pairs like key=value,key2=value2";
const tolerations = (v: string) => (parseTolerations(v) ? undefined : "must be tolerations like key=value:NoSchedule,key2:NoExecute");
export const integer = (min: number, max: number) => (v: string) =>
  /^\d+$/.test(v) && Number(v) >= min && Number(v) <= max ? undefined : `must be a whole number from ${min} to ${max}`;
export const image = (v: string) => (/^\S{1,1024}$/.test(v) ? undefined : "must be a container image reference");

/** `a=b,c=d` → [["a","b"],["c","d"]]; malformed pairs come back with an empty key. */
export function parseKeyValues(v: string): [string, string][] {
  return v
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((pair) => {
      const eq = pair.indexOf("=");
      return eq > 0 ? [pair.slice(0, eq).trim(), pair.slice(eq + 1).trim()] : ["", pair];
    });
}

/** `key[=value][:Effect]` items, comma-separated; undefined when malformed. */
export function parseTolerations(v: string): { key: string; value?: string; effect?: "NoSchedule" | "PreferNoSchedule" | "NoExecute" }[] | undefined {
  const out: { key: string; value?: string; effect?: "NoSchedule" | "PreferNoSchedule" | "NoExecute" }[] = [];
  for (const item of v.split(",").map((s) => s.trim()).filter(Boolean)) {
    const m = /^([^=:]+)(?:=([^:]*))?(?::(NoSchedule|PreferNoSchedule|NoExecute))?$/.exec(item);
    if (!m || !LABEL_KEY.test(m[1]!)) return undefined;
    out.push({ key: m[1]!, ...(m[2] !== undefined ? { value: m[2] } : {}), ...(m[3] ? { effect: m[3] as "NoSchedule" } : {}) });
  }
  return out;
}

// ---------------------------------------------------------------- kubernetes

const kubernetes: ProviderDefinition = {
  id: "kubernetes",
  displayName: "Kubernetes",
  description:
    "Runs each training job as a batch/v1 Job in one namespace of a Kubernetes cluster: code through a ConfigMap or the image, environment through a Secret, CPU, memory and GPU requests, the max runtime as the Job's deadline, logs from the pod, and cleanup of everything it created.",
  websiteUri: "https://kubernetes.io",
  kind: ProviderKind.KUBERNETES,
  capabilities: { spot: true, gpu: true, objectStorage: false, livePricing: false },
  credentialFields: [
    { key: "token", displayName: "Bearer token", description: "A service account token allowed to manage jobs, configmaps and secrets and read pods and their logs in the namespace.", required: false, secret: true },
    { key: "client_certificate", displayName: "Client certificate (PEM)", description: "Instead of a token: the client certificate, with client_key.", required: false, secret: false },
    { key: "client_key", displayName: "Client key (PEM)", description: "The private key of client_certificate.", required: false, secret: true },
    { key: "certificate_authority", displayName: "Cluster CA (PEM)", description: "The CA that signed the API server's certificate; the system roots when unset.", required: false, secret: false },
  ],
  configFields: [
    { key: "api_server_url", displayName: "API server URL", description: "The cluster's API server, such as https://10.0.0.1:6443.", required: true, defaultValue: "", validate: httpUrl },
    { key: "namespace", displayName: "Namespace", description: "Where jobs, configmaps and secrets are created; it must exist.", required: false, defaultValue: "artenic-training", validate: dnsLabel },
    {
      key: "insecure_skip_tls_verify",
      displayName: "Skip TLS verification",
      description: "Do not verify the API server's certificate (tests and throwaway clusters only); also allows plain http.",
      required: false,
      defaultValue: "false",
      validate: bool,
    },
    { key: "default_image", displayName: "Default training image", description: "The image of jobs whose spec names none.", required: false, defaultValue: "python:3.12-slim", validate: image },
    {
      key: "helper_image",
      displayName: "Helper image",
      description: "The image of the helper containers that unpack code archives and hand the outputs back (needs sh, tar with gzip, unzip and base64).",
      required: false,
      defaultValue: "busybox:1.36",
      validate: image,
    },
    {
      key: "collect_outputs",
      displayName: "Collect outputs",
      description: "Hand ARTENIC_OUTPUT_DIR back through a native sidecar's log (Kubernetes 1.29 or later); \"false\" collects nothing.",
      required: false,
      defaultValue: "true",
      validate: bool,
    },
    { key: "gpu_resource", displayName: "GPU resource", description: "The extended resource GPUs are requested as.", required: false, defaultValue: "nvidia.com/gpu", validate: labelKey },
    {
      key: "gpu_type_label",
      displayName: "GPU type node label",
      description: "When set, GPU jobs select nodes whose value for this label is the GPU type in the platform's vocabulary (nvidia-a100-80gb).",
      required: false,
      defaultValue: "",
      validate: labelKey,
    },
    { key: "spot_node_selector", displayName: "Spot node selector", description: "Labels of spot nodes, as key=value,key2=value2; spot jobs run anywhere when unset.", required: false, defaultValue: "", validate: selector },
    { key: "spot_tolerations", displayName: "Spot tolerations", description: "Taints of spot nodes that spot jobs tolerate, as key=value:NoSchedule,key2:NoExecute.", required: false, defaultValue: "", validate: tolerations },
    { key: "service_account", displayName: "Service account", description: "The pods' service account; none (and no API token mounted) when unset.", required: false, defaultValue: "", validate: dnsLabel },
    { key: "image_pull_secret", displayName: "Image pull secret", description: "A docker-registry Secret in the namespace used to pull private images.", required: false, defaultValue: "", validate: dnsLabel },
    { key: "max_code_bytes", displayName: "Largest code in a ConfigMap", description: "Code larger than this must be built into the image.", required: false, defaultValue: String(900 * 1024), validate: integer(1024, 1_000_000) },
  ],
  adapter: "hub",
  enabledByDefault: false,
  checkName: "cluster API",
  missingCredentials: (keys) => (keys.includes("token") || (keys.includes("client_certificate") && keys.includes("client_key")) ? [] : ["token (or client_certificate and client_key)"]),
  async create(settings, catalog) {
    const c = settings.config;
    const { createKubernetesComputeProvider } = await import("../providers/kubernetes/index.js");
    const spotTolerations = parseTolerations(c["spot_tolerations"] ?? "") ?? [];
    return createKubernetesComputeProvider({
      apiServerUrl: c["api_server_url"]!,
      namespace: c["namespace"]!,
      token: settings.credentials["token"],
      clientCertificate: settings.credentials["client_certificate"],
      clientKey: settings.credentials["client_key"],
      certificateAuthority: settings.credentials["certificate_authority"],
      insecureSkipTlsVerify: c["insecure_skip_tls_verify"] === "true",
      defaultImage: c["default_image"]!,
      helperImage: c["helper_image"]!,
      collectOutputs: c["collect_outputs"] !== "false",
      gpuResource: c["gpu_resource"]!,
      ...(c["gpu_type_label"] ? { gpuTypeLabel: c["gpu_type_label"] } : {}),
      spotNodeSelector: Object.fromEntries(parseKeyValues(c["spot_node_selector"] ?? "")),
      spotTolerations,
      ...(c["service_account"] ? { serviceAccount: c["service_account"] } : {}),
      ...(c["image_pull_secret"] ? { imagePullSecret: c["image_pull_secret"] } : {}),
      maxCodeBytes: Number(c["max_code_bytes"]),
      region: catalog.provider("kubernetes")?.defaultRegion ?? "cluster",
      offerings: catalog.offerings("kubernetes"),
    });
  },
};

// ---------------------------------------------------------------- aws

const AWS_REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;
const awsRegion = (v: string) => (AWS_REGION.test(v) ? undefined : "must be an AWS region code such as us-east-1");
const s3Bucket = (v: string) => (/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(v) && !/\.\.|^\d+\.\d+\.\d+\.\d+$/.test(v) ? undefined : "must be an S3 bucket name (3 to 63 lowercase letters, digits, dots and hyphens)");
const amiId = (v: string) => (/^ami-[0-9a-f]{8,17}$/.test(v) ? undefined : "must be an AMI id such as ami-0123456789abcdef0");
const idList = (prefix: string) => (v: string) =>
  v.split(",").every((s) => new RegExp(`^${prefix}-[0-9a-f]{8,17}$`).test(s.trim())) ? undefined : `must be ${prefix}- ids separated by commas`;
const optional = (check: (v: string) => string | undefined) => (v: string) => (v === "" ? undefined : check(v));
const positiveNumber = (v: string) => (/^\d+(\.\d+)?$/.test(v) && Number(v) > 0 ? undefined : "must be a positive number");
const isoDate = (v: string) => (/^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v)) ? undefined : "must be a date as YYYY-MM-DD");

const aws: ProviderDefinition = {
  id: "aws",
  displayName: "Amazon Web Services",
  description:
    "Runs each training job on its own EC2 instance (on-demand or spot) booted with a bootstrap script that fetches the job's code from S3, runs the command, uploads status, logs and outputs, and terminates the instance; prices live from the AWS Price List API and the spot price history, or the shipped catalog.",
  websiteUri: "https://aws.amazon.com",
  kind: ProviderKind.CLOUD,
  capabilities: { spot: true, gpu: true, objectStorage: true, livePricing: true },
  credentialFields: [
    { key: "access_key_id", displayName: "Access key ID", description: "An IAM access key allowed to run, describe and terminate EC2 instances, pass the instance profile, use the bucket and read prices.", required: true, secret: false },
    { key: "secret_access_key", displayName: "Secret access key", description: "The secret of the access key.", required: true, secret: true },
    { key: "session_token", displayName: "Session token", description: "For temporary credentials only.", required: false, secret: true },
  ],
  configFields: [
    { key: "region", displayName: "Region", description: "The default region; the bucket lives there.", required: false, defaultValue: "us-east-1", validate: awsRegion },
    { key: "bucket", displayName: "S3 bucket", description: "Where job code, environment, status, logs and outputs are stored.", required: true, defaultValue: "", validate: s3Bucket },
    { key: "prefix", displayName: "Key prefix", description: "Job objects go under <prefix>/jobs/<job id>/.", required: false, defaultValue: "artenic", validate: (v) => (/^[A-Za-z0-9!_.*'()/-]{1,200}$/.test(v) ? undefined : "must be an S3 key prefix") },
    { key: "image_id", displayName: "AMI", description: "The image instances boot: bash, tar, sha256sum, timeout, and the AWS CLI (installed at boot when missing) or curl.", required: true, defaultValue: "", validate: amiId },
    { key: "instance_profile", displayName: "Instance profile", description: "Name or ARN of the profile whose role lets instances read and write the job's objects in the bucket.", required: false, defaultValue: "", validate: optional((v) => (/^(arn:aws[a-z-]*:iam::\d{12}:instance-profile\/)?[\w+=,.@/-]{1,128}$/.test(v) ? undefined : "must be an instance profile name or ARN")) },
    { key: "subnet_id", displayName: "Subnet", description: "The subnet instances start in; the default VPC's when unset.", required: false, defaultValue: "", validate: optional(idList("subnet")) },
    { key: "security_group_ids", displayName: "Security groups", description: "sg- ids separated by commas; the VPC's default group when unset.", required: false, defaultValue: "", validate: optional(idList("sg")) },
    { key: "key_name", displayName: "Key pair", description: "An EC2 key pair for SSH access to instances; none when unset.", required: false, defaultValue: "", validate: optional((v) => (/^[\x20-\x7e]{1,255}$/.test(v) ? undefined : "must be a key pair name")) },
    { key: "root_volume_gib", displayName: "Root volume (GiB)", description: "The root volume's size (gp3, deleted with the instance); the AMI's when unset.", required: false, defaultValue: "", validate: optional(integer(8, 16384)) },
    { key: "root_device_name", displayName: "Root device name", description: "The AMI's root device, used with root_volume_gib.", required: false, defaultValue: "/dev/xvda", validate: (v) => (/^\/dev\/[a-z0-9]+$/.test(v) ? undefined : "must be a device name such as /dev/xvda") },
    {
      key: "transfer",
      displayName: "Object transfer",
      description:
        '"url": curl with pre-signed URLs, each machine reaching only its own job\'s objects (jobs up to 7 days); "cli": the AWS CLI with the instance profile\'s role, which every job\'s code can also use (no time limit; for jobs that trust each other).',
      required: false,
      defaultValue: "url",
      validate: (v) => (v === "cli" || v === "url" ? undefined : 'must be "cli" or "url"'),
    },
    { key: "live_pricing", displayName: "Live prices", description: "List prices from the AWS Price List API and the spot price history (cached 6 h), else from the shipped catalog.", required: false, defaultValue: "true", validate: bool },
    { key: "usd_exchange_rate", displayName: "USD exchange rate", description: "Platform currency units per US dollar for live prices; the catalog's rate when unset.", required: false, defaultValue: "", validate: optional(positiveNumber) },
    { key: "exchange_rate_date", displayName: "Exchange rate date", description: "The day usd_exchange_rate was valid; the catalog's date when unset.", required: false, defaultValue: "", validate: optional(isoDate) },
    { key: "endpoint", displayName: "Endpoint", description: "An EC2- and S3-compatible endpoint instead of AWS (tests, emulators).", required: false, defaultValue: "", validate: optional(httpUrl) },
    { key: "pricing_endpoint", displayName: "Price List endpoint", description: "The Price List API endpoint instead of AWS's.", required: false, defaultValue: "", validate: optional(httpUrl) },
  ],
  adapter: "hub",
  enabledByDefault: false,
  checkName: "EC2, AMI and bucket",
  async create(settings, catalog) {
    const c = settings.config;
    const k = settings.credentials;
    const { createAwsComputeProvider } = await import("../providers/aws/index.js");
    const catalogAws = catalog.provider("aws");
    return createAwsComputeProvider({
      region: c["region"]!,
      credentials: { accessKeyId: k["access_key_id"]!, secretAccessKey: k["secret_access_key"]!, ...(k["session_token"] ? { sessionToken: k["session_token"] } : {}) },
      ...(c["endpoint"] ? { endpoint: c["endpoint"] } : {}),
      bucket: c["bucket"]!,
      prefix: c["prefix"]!,
      imageId: c["image_id"]!,
      ...(c["instance_profile"] ? { instanceProfile: c["instance_profile"] } : {}),
      ...(c["subnet_id"] ? { subnetId: c["subnet_id"] } : {}),
      securityGroupIds: (c["security_group_ids"] ?? "").split(",").map((s) => s.trim()).filter(Boolean),
      ...(c["key_name"] ? { keyName: c["key_name"] } : {}),
      ...(c["root_volume_gib"] ? { rootVolumeGiB: Number(c["root_volume_gib"]), rootDeviceName: c["root_device_name"]! } : {}),
      transfer: c["transfer"] === "cli" ? "cli" : "url",
      offerings: catalog.offerings("aws"),
      livePricing: c["live_pricing"] !== "false",
      ...(c["pricing_endpoint"] ? { pricingEndpoint: c["pricing_endpoint"] } : {}),
      exchange: {
        currency: catalog.currency,
        rate: c["usd_exchange_rate"] ? Number(c["usd_exchange_rate"]) : (catalogAws?.sourceCurrency === "USD" ? catalogAws.exchangeRate : 1),
        date: c["exchange_rate_date"] || catalog.date,
      },
    });
  },
};

// ---------------------------------------------------------------- local and fake (registered by the training module)

const local: ProviderDefinition = {
  id: "local",
  displayName: "Local host",
  description: "Runs training jobs as subprocesses on the server's own host, in a job directory, with a timeout, cancellation and a concurrency limit.",
  websiteUri: "",
  kind: ProviderKind.LOCAL,
  capabilities: { spot: false, gpu: false, objectStorage: false, livePricing: false },
  credentialFields: [],
  configFields: [],
  adapter: "registry",
  enabledByDefault: true,
  checkName: "local host",
};

const fake: ProviderDefinition = {
  id: "fake",
  displayName: "Fake (development)",
  description: "An in-memory provider for development and tests: jobs succeed, fail or get preempted as scripted, and nothing runs.",
  websiteUri: "",
  kind: ProviderKind.FAKE,
  capabilities: { spot: true, gpu: true, objectStorage: false, livePricing: false },
  credentialFields: [],
  configFields: [],
  adapter: "registry",
  enabledByDefault: true,
  checkName: "fake",
};

/** Every provider of this build, in listing order. */
export function builtinProviderDefinitions(): ProviderDefinition[] {
  return [local, kubernetes, aws, azureDefinition, gcpDefinition, ociDefinition, ovhDefinition, infomaniakDefinition, hetznerDefinition, scalewayDefinition, ...gpuCloudDefinitions(), fake];
}

/**
 * The hub's definition of a provider added by a plugin: its adapter is registered at start (like
 * `local`), it has no credentials or settings of its own here, and it is enabled by default.
 */
export function pluginProviderDefinition(
  id: string,
  info: { readonly displayName?: string; readonly description?: string; readonly websiteUri?: string; readonly regions?: readonly string[]; readonly capabilities?: { readonly spot?: boolean; readonly gpu?: boolean } },
  pluginId: string,
): ProviderDefinition {
  return {
    id,
    displayName: (info.displayName ?? id).slice(0, 256),
    description: (info.description ?? `Added by the plugin ${pluginId}.`).slice(0, 2048),
    websiteUri: info.websiteUri ?? "",
    kind: ProviderKind.PLUGIN,
    capabilities: { spot: info.capabilities?.spot === true, gpu: info.capabilities?.gpu === true, objectStorage: false, livePricing: false },
    regions: info.regions && info.regions.length > 0 ? [...info.regions] : ["default"],
    credentialFields: [],
    configFields: [],
    adapter: "registry",
    enabledByDefault: true,
    checkName: `plugin ${pluginId}`,
  };
}
