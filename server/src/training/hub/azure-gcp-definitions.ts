import { ProviderKind } from "@artenic/gen/artenic/training/v1/provider_pb";
import type { ConfigFieldDef, CredentialFieldDef, ProviderDefinition } from "./provider-definitions.js";

/**
 * The Provider Hub definitions of the azure and gcp adapters: what they accept (credentials are
 * write-only and encrypted at rest by the hub) and how the hub builds them from the stored settings,
 * importing each vendor's SDK lazily, on first use. Every endpoint is a setting, so a private cloud,
 * an emulator or a test fake can stand in for the public one.
 */

// ---------------------------------------------------------------- validators

const url = (v: string) => {
  try {
    const u = new URL(v);
    return u.protocol === "https:" || u.protocol === "http:" ? undefined : "must be an http(s) URL";
  } catch {
    return "must be an http(s) URL";
  }
};
const optional = (check: (v: string) => string | undefined) => (v: string) => (v === "" ? undefined : check(v));
const trueFalse = (v: string) => (v === "true" || v === "false" ? undefined : 'must be "true" or "false"');
const wholeNumber = (min: number, max: number) => (v: string) => (/^\d+$/.test(v) && Number(v) >= min && Number(v) <= max ? undefined : `must be a whole number from ${min} to ${max}`);
const matching = (pattern: RegExp, what: string) => (v: string) => (pattern.test(v) ? undefined : `must be ${what}`);
const pem = (v: string) => (/-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----/.test(v) ? undefined : "must be PEM certificates");

const field = (key: string, displayName: string, description: string, defaultValue: string, validate?: (v: string) => string | undefined, required = false): ConfigFieldDef => ({
  key,
  displayName,
  description,
  required,
  defaultValue,
  ...(validate ? { validate } : {}),
});
const credential = (key: string, displayName: string, description: string, secret: boolean): CredentialFieldDef => ({ key, displayName, description, required: true, secret });

// ---------------------------------------------------------------- azure

export const azureDefinition: ProviderDefinition = {
  id: "azure",
  displayName: "Microsoft Azure",
  description:
    "Runs each training job on its own Azure VM (pay-as-you-go or Spot with eviction policy Delete) whose custom data fetches the job's code from Blob Storage by SAS URL, runs the command, uploads status, logs and outputs, and powers the VM off; prices live from the Azure Retail Prices API, or the shipped catalog.",
  websiteUri: "https://azure.microsoft.com",
  kind: ProviderKind.CLOUD,
  capabilities: { spot: true, gpu: true, objectStorage: true, livePricing: true },
  regions: ["eastus", "westeurope"],
  credentialFields: [
    credential("subscription_id", "Subscription ID", "The Azure subscription VMs are billed to.", false),
    credential("tenant_id", "Tenant ID", "The Microsoft Entra tenant of the service principal.", false),
    credential("client_id", "Client ID", "The service principal's application (client) id.", false),
    credential("client_secret", "Client secret", "The service principal's secret; it needs Virtual Machine Contributor and Network Contributor on the resource group.", true),
    credential("storage_account_key", "Storage account key", "A key of the storage account, used to upload job objects and sign SAS URLs.", true),
  ],
  configFields: [
    field("region", "Region", "The default region (Azure region name such as eastus).", "eastus", matching(/^[a-z0-9]+$/, "an Azure region name such as eastus")),
    field("resource_group", "Resource group", "Where VMs, NICs, public IPs and disks are created; it must exist.", "", matching(/^[-\w.()]{1,90}$/, "a resource group name"), true),
    field(
      "subnet_id",
      "Subnet",
      "The resource id of the subnet VM NICs join (/subscriptions/.../virtualNetworks/<vnet>/subnets/<subnet>), in the job's region.",
      "",
      matching(/^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Network\/virtualNetworks\/[^/]+\/subnets\/[^/]+$/i, "a subnet resource id"),
      true,
    ),
    field("storage_account", "Storage account", "The storage account holding job objects.", "", matching(/^[a-z0-9]{3,24}$/, "a storage account name (3 to 24 lowercase letters and digits)"), true),
    field("container", "Blob container", "The container of job objects; created when missing.", "artenic-jobs", matching(/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/, "a container name")),
    field("prefix", "Blob prefix", "Job objects go under <prefix>/jobs/<job id>/.", "artenic", matching(/^[A-Za-z0-9._-]{1,100}(\/[A-Za-z0-9._-]{1,100})*$/, "a blob name prefix")),
    field("image", "Image", "The VM image as publisher:offer:sku:version; it needs bash, curl, tar, sha256sum and timeout.", "Canonical:ubuntu-24_04-lts:server:latest", matching(/^[^:\s]+:[^:\s]+:[^:\s]+:[^:\s]+$/, "publisher:offer:sku:version")),
    field("admin_username", "Admin user", "The VM's administrator account.", "artenic", matching(/^[a-z_][a-z0-9_-]{0,31}$/, "a Linux user name")),
    field("ssh_public_key", "SSH public key", "An ssh-rsa key allowed to log in to job VMs; a throwaway key when unset (nobody can log in).", "", optional(matching(/^ssh-rsa AAAA[0-9A-Za-z+/=]+( .*)?$/, "an ssh-rsa public key"))),
    field("os_disk_gb", "OS disk (GB)", "The size of each VM's OS disk, deleted with the VM.", "64", wholeNumber(30, 4095)),
    field("public_ip", "Public IP", "Give each VM a Standard public IP for outbound access; \"false\" when the subnet has a NAT gateway.", "true", trueFalse),
    field("live_pricing", "Live prices", "List prices from the Azure Retail Prices API (cached 6 h, converted with the catalog's USD rate), else the shipped catalog.", "true", trueFalse),
    field("arm_endpoint", "Resource Manager endpoint", "Azure Resource Manager, for sovereign clouds, Azure Stack or tests.", "https://management.azure.com", url),
    field("authority_host", "Entra ID authority", "The Microsoft Entra ID authority host.", "https://login.microsoftonline.com", url),
    field("blob_endpoint", "Blob endpoint", "The storage account's blob endpoint; https://<account>.blob.core.windows.net when unset.", "", optional(url)),
    field("retail_prices_url", "Retail Prices API", "The Retail Prices API URL.", "https://prices.azure.com/api/retail/prices", url),
    field("ca_certificate", "Extra CA (PEM)", "Certificates trusted for the Resource Manager and Entra endpoints besides the system roots.", "", optional(pem)),
  ],
  adapter: "hub",
  enabledByDefault: false,
  checkName: "Azure Resource Manager and Blob Storage",
  async create(settings, catalog) {
    const c = settings.config;
    const k = settings.credentials;
    const { createAzureComputeProvider } = await import("../providers/azure/index.js");
    return createAzureComputeProvider({
      tenantId: k["tenant_id"]!,
      clientId: k["client_id"]!,
      clientSecret: k["client_secret"]!,
      subscriptionId: k["subscription_id"]!,
      storageAccountKey: k["storage_account_key"]!,
      resourceGroup: c["resource_group"]!,
      region: c["region"]!,
      subnetId: c["subnet_id"]!,
      storageAccount: c["storage_account"]!,
      container: c["container"]!,
      prefix: c["prefix"]!,
      image: c["image"]!,
      adminUsername: c["admin_username"]!,
      ...(c["ssh_public_key"] ? { sshPublicKey: c["ssh_public_key"] } : {}),
      osDiskGb: Number(c["os_disk_gb"]),
      publicIp: c["public_ip"] !== "false",
      livePrices: c["live_pricing"] !== "false",
      armEndpoint: c["arm_endpoint"]!,
      ...(c["authority_host"] !== "https://login.microsoftonline.com" ? { authorityHost: c["authority_host"] } : {}),
      ...(c["blob_endpoint"] ? { blobEndpoint: c["blob_endpoint"] } : {}),
      retailPricesUrl: c["retail_prices_url"]!,
      ...(c["ca_certificate"] ? { caCertificate: c["ca_certificate"] } : {}),
      offerings: catalog.offerings("azure"),
      currency: catalog.currency,
    });
  },
};

// ---------------------------------------------------------------- gcp

export const gcpDefinition: ProviderDefinition = {
  id: "gcp",
  displayName: "Google Cloud",
  description:
    "Runs each training job on its own Compute Engine instance (standard or Spot, stopped on preemption) whose startup script fetches the job's code from Cloud Storage by V4 signed URL, runs the command, uploads status, logs and outputs, and shuts the instance down; prices live from the Cloud Billing Catalog, or the shipped catalog.",
  websiteUri: "https://cloud.google.com",
  kind: ProviderKind.CLOUD,
  capabilities: { spot: true, gpu: true, objectStorage: true, livePricing: true },
  regions: ["us-central1", "europe-west4"],
  credentialFields: [
    credential("project_id", "Project ID", "The Google Cloud project instances run in.", false),
    credential(
      "credentials_json",
      "Service account key",
      "The whole service-account key JSON document; the account needs Compute Instance Admin, Storage Object Admin on the bucket, and (for live prices) access to the Cloud Billing API.",
      true,
    ),
  ],
  configFields: [
    field("region", "Region", "The default region.", "us-central1", matching(/^[a-z]+-[a-z]+\d+$/, "a Compute Engine region such as us-central1")),
    field("zone", "Zone", "The zone of the default region jobs run in; <region>-a when unset.", "", optional(matching(/^[a-z]+-[a-z]+\d+-[a-z]$/, "a zone such as us-central1-a"))),
    field("bucket", "Cloud Storage bucket", "Where job code, environment, status, logs and outputs are stored; it must exist.", "", matching(/^[a-z0-9][a-z0-9_.-]{1,61}[a-z0-9]$/, "a bucket name"), true),
    field("prefix", "Object prefix", "Job objects go under <prefix>/jobs/<job id>/.", "artenic", matching(/^[A-Za-z0-9._-]{1,100}(\/[A-Za-z0-9._-]{1,100})*$/, "an object name prefix")),
    field("image", "Image", "The boot image (a family or image URL); it needs bash, curl, tar, sha256sum and timeout.", "projects/ubuntu-os-cloud/global/images/family/ubuntu-2404-lts-amd64", matching(/^\S{1,1024}$/, "an image path")),
    field("network", "Network", "The VPC network instances join.", "global/networks/default", matching(/^\S{1,1024}$/, "a network path")),
    field("subnetwork", "Subnetwork", "A subnetwork (regions/<region>/subnetworks/<name>) instead of the network's automatic one.", "", optional(matching(/^\S{1,1024}$/, "a subnetwork path"))),
    field("external_ip", "External IP", "Give each instance an ephemeral external IP for outbound access; \"false\" with Cloud NAT.", "true", trueFalse),
    field("boot_disk_gb", "Boot disk (GB)", "The size of each instance's boot disk, deleted with it.", "50", wholeNumber(10, 65536)),
    field("live_pricing", "Live prices", "List prices from the Cloud Billing Catalog (cached 6 h, quoted in the platform currency), else the shipped catalog.", "true", trueFalse),
    field("compute_endpoint", "Compute Engine endpoint", "The Compute Engine API root, for private endpoints or tests.", "https://compute.googleapis.com", url),
    field("storage_endpoint", "Cloud Storage endpoint", "The Cloud Storage API root, for private endpoints or emulators.", "https://storage.googleapis.com", url),
    field("billing_endpoint", "Cloud Billing endpoint", "The Cloud Billing API root.", "https://cloudbilling.googleapis.com", url),
  ],
  adapter: "hub",
  enabledByDefault: false,
  checkName: "Compute Engine and Cloud Storage",
  async create(settings, catalog) {
    const c = settings.config;
    const { createGcpComputeProvider } = await import("../providers/gcp/index.js");
    return createGcpComputeProvider({
      projectId: settings.credentials["project_id"]!,
      credentialsJson: settings.credentials["credentials_json"]!,
      region: c["region"]!,
      ...(c["zone"] ? { zone: c["zone"] } : {}),
      bucket: c["bucket"]!,
      prefix: c["prefix"]!,
      image: c["image"]!,
      network: c["network"]!,
      ...(c["subnetwork"] ? { subnetwork: c["subnetwork"] } : {}),
      externalIp: c["external_ip"] !== "false",
      bootDiskGb: Number(c["boot_disk_gb"]),
      livePrices: c["live_pricing"] !== "false",
      ...(c["compute_endpoint"] !== "https://compute.googleapis.com" ? { computeEndpoint: c["compute_endpoint"] } : {}),
      ...(c["storage_endpoint"] !== "https://storage.googleapis.com" ? { storageEndpoint: c["storage_endpoint"] } : {}),
      billingEndpoint: c["billing_endpoint"]!,
      offerings: catalog.offerings("gcp"),
      currency: catalog.currency,
    });
  },
};
