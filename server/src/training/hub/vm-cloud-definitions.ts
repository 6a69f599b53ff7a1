import { ProviderKind } from "@artenic/gen/artenic/training/v1/provider_pb";
import { AppError } from "../../platform/errors/app-error.js";
import type { PriceCatalog } from "../catalog/price-catalog.js";
import type { JobStorage } from "../providers/remote/index.js";
import type { ConfigFieldDef, CredentialFieldDef, ProviderDefinition, ProviderSettings } from "./provider-definitions.js";

/**
 * Hub definitions of the VM clouds reached over their public HTTP APIs with fetch: OVHcloud and
 * Infomaniak (one OpenStack adapter), Hetzner, Scaleway and Oracle Cloud Infrastructure. Each builds its adapter from the stored
 * credentials and settings; every endpoint is a setting, so tests point them at local fakes.
 */

const httpUrl = (v: string) => {
  try {
    const u = new URL(v);
    return u.protocol === "https:" || u.protocol === "http:" ? undefined : "must be an http(s) URL";
  } catch {
    return "must be an http(s) URL";
  }
};
const optionalHttpUrl = (v: string) => (v === "" ? undefined : httpUrl(v));
const token = (v: string) => (/^[A-Za-z0-9._:/-]{1,255}$/.test(v) ? undefined : "must be letters, digits and . _ : / - (at most 255)");
const optionalToken = (v: string) => (v === "" ? undefined : token(v));
const list = (v: string) => v.split(",").map((s) => s.trim()).filter(Boolean);
const tokenList = (v: string) => (list(v).every((s) => token(s) === undefined) ? undefined : "must be a comma-separated list of names");
const bucket = (v: string) => (/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(v) ? undefined : "must be a bucket name (3 to 63 lowercase letters, digits, dots and hyphens)");
const container = (v: string) => (/^[^/]{1,256}$/.test(v) ? undefined : "must be a container name without slashes (at most 256)");

const secret = (key: string, displayName: string, description: string): CredentialFieldDef => ({ key, displayName, description, required: true, secret: true });
const plain = (key: string, displayName: string, description: string): CredentialFieldDef => ({ key, displayName, description, required: true, secret: false });
const setting = (key: string, displayName: string, description: string, defaultValue: string, validate?: (v: string) => string | undefined, required = false): ConfigFieldDef => ({
  key,
  displayName,
  description,
  required,
  defaultValue,
  ...(validate ? { validate } : {}),
});
const prefixSetting = setting("prefix", "Object key prefix", "Where the job objects go in the bucket or container: <prefix>/jobs/<job id>/.", "artenic", token);

/** The snapshot's dated exchange rate of a provider (units of the platform currency per unit of its own). */
const rateOf = (catalog: PriceCatalog, id: string) => catalog.provider(id)?.exchangeRate ?? 1;

/** An S3-compatible bucket (Hetzner or Scaleway Object Storage) reached by the machine through pre-signed URLs. */
async function s3JobStorage(settings: ProviderSettings, credentials: { accessKey: string; secretKey: string }): Promise<JobStorage> {
  const c = settings.config;
  const { createS3ObjectStore } = await import("../../platform/object-store/s3/index.js");
  const { S3JobStorage } = await import("../providers/remote/s3-job-storage.js");
  const store = createS3ObjectStore({
    bucket: c["s3_bucket"]!,
    prefix: "",
    region: c["s3_region"]!,
    endpoint: c["s3_endpoint"]!,
    forcePathStyle: true,
    credentials: { accessKeyId: credentials.accessKey, secretAccessKey: credentials.secretKey },
  });
  return new S3JobStorage(store, "url");
}

// ---------------------------------------------------------------- OpenStack: ovh, infomaniak

function openstack(
  id: string,
  displayName: string,
  websiteUri: string,
  description: string,
  defaults: { authUrl: string; region: string; regions: string[]; priceCatalogUrl?: string },
): ProviderDefinition {
  return {
    id,
    displayName,
    description,
    websiteUri,
    kind: ProviderKind.CLOUD,
    capabilities: { spot: false, gpu: true, objectStorage: true, livePricing: defaults.priceCatalogUrl !== undefined },
    regions: defaults.regions,
    credentialFields: [
      plain("username", "OpenStack user", "The OpenStack user (Keystone password authentication)."),
      secret("password", "Password", "The OpenStack user's password."),
      plain("project_id", "Project ID", "The OpenStack project (tenant) id the token is scoped to."),
    ],
    configFields: [
      setting("auth_url", "Identity URL", "The Keystone v3 endpoint.", defaults.authUrl, httpUrl),
      setting("region", "Region", "The region whose Nova and Swift endpoints are used.", defaults.region, token),
      setting("user_domain_name", "User domain", "The Keystone domain of the user.", "Default", token),
      setting("image_id", "Image ID", "The Glance image servers boot; it needs bash, curl, tar, sha256sum and timeout (Ubuntu, Debian).", "", token, true),
      setting("network_id", "Network ID", "The network servers attach to; Nova's default when empty.", "", optionalToken),
      setting("key_name", "SSH key pair", "A Nova key pair installed on servers, for debugging; none when empty.", "", optionalToken),
      setting("container", "Swift container", "Where code, status, logs and outputs are stored (created when missing).", "artenic-training", container),
      prefixSetting,
      ...(defaults.priceCatalogUrl !== undefined
        ? [setting("price_catalog_url", "Price catalog URL", `OVHcloud's public order catalog for live hourly prices, e.g. ${defaults.priceCatalogUrl}; the shipped dated snapshot when empty.`, "", optionalHttpUrl)]
        : []),
    ],
    adapter: "hub",
    enabledByDefault: false,
    checkName: "Keystone, Nova and Swift",
    async create(settings, catalog) {
      const c = settings.config;
      const { createOpenStackComputeProvider } = await import("../providers/openstack/index.js");
      return createOpenStackComputeProvider({
        id,
        authUrl: c["auth_url"]!,
        username: settings.credentials["username"]!,
        password: settings.credentials["password"]!,
        userDomainName: c["user_domain_name"]!,
        projectId: settings.credentials["project_id"]!,
        region: c["region"]!,
        imageId: c["image_id"]!,
        networkId: c["network_id"] || undefined,
        keyName: c["key_name"] || undefined,
        container: c["container"]!,
        prefix: c["prefix"]!,
        priceCatalogUrl: c["price_catalog_url"] || undefined,
        catalogOfferings: catalog.offerings(id),
        exchangeRate: rateOf(catalog, id),
        sourceCurrency: catalog.provider(id)?.sourceCurrency ?? "EUR",
      });
    },
  };
}

export const ovhDefinition = openstack(
  "ovh",
  "OVHcloud",
  "https://www.ovhcloud.com",
  "OVHcloud Public Cloud instances (OpenStack Nova) for jobs, Object Storage (Swift) for code, status, logs and outputs through temp URLs.",
  { authUrl: "https://auth.cloud.ovh.net/v3", region: "GRA11", regions: ["GRA11", "SBG5", "BHS5"], priceCatalogUrl: "https://api.ovh.com/1.0/order/catalog/public/cloud?ovhSubsidiary=FR" },
);

export const infomaniakDefinition = openstack(
  "infomaniak",
  "Infomaniak",
  "https://www.infomaniak.com",
  "Infomaniak Public Cloud instances (OpenStack Nova) for jobs, Object Storage (Swift) for code, status, logs and outputs through temp URLs.",
  { authUrl: "https://api.pub1.infomaniak.cloud/identity/v3", region: "dc3-a", regions: ["dc3-a", "dc4-a"] },
);

// ---------------------------------------------------------------- hetzner

const s3Settings = (endpoint: string, region: string, what: string): ConfigFieldDef[] => [
  setting("s3_endpoint", "Object storage endpoint", `The S3-compatible endpoint of ${what}.`, endpoint, httpUrl),
  setting("s3_region", "Object storage region", "The region requests are signed for.", region, token),
  setting("s3_bucket", "Bucket", "Where code, status, logs and outputs are stored; it must exist.", "", bucket, true),
];

export const hetznerDefinition: ProviderDefinition = {
  id: "hetzner",
  displayName: "Hetzner Cloud",
  description:
    "Hetzner Cloud servers for CPU jobs, priced live from the API's server types; code, status, logs and outputs in a Hetzner Object Storage (S3-compatible) bucket through pre-signed URLs.",
  websiteUri: "https://www.hetzner.com/cloud",
  kind: ProviderKind.CLOUD,
  capabilities: { spot: false, gpu: false, objectStorage: true, livePricing: true },
  regions: ["fsn1", "nbg1", "hel1"],
  credentialFields: [
    secret("api_token", "API token", "A read-write Hetzner Cloud project token."),
    plain("s3_access_key", "Object storage access key", "The S3 access key of the bucket."),
    secret("s3_secret_key", "Object storage secret key", "The S3 secret key of the bucket."),
  ],
  configFields: [
    setting("api_url", "API URL", "The Hetzner Cloud API.", "https://api.hetzner.cloud/v1", httpUrl),
    setting("location", "Location", "Where jobs without a region run.", "fsn1", token),
    setting("image", "Image", "The image servers boot; it needs bash, curl, tar, sha256sum and timeout.", "ubuntu-24.04", token),
    setting("ssh_keys", "SSH keys", "SSH key names installed on servers, comma-separated, for debugging; none when empty.", "", tokenList),
    ...s3Settings("https://fsn1.your-objectstorage.com", "fsn1", "Hetzner Object Storage"),
    prefixSetting,
  ],
  adapter: "hub",
  enabledByDefault: false,
  checkName: "Hetzner Cloud API and bucket",
  async create(settings, catalog) {
    const c = settings.config;
    const { createHetznerComputeProvider } = await import("../providers/hetzner/index.js");
    const storage = await s3JobStorage(settings, { accessKey: settings.credentials["s3_access_key"]!, secretKey: settings.credentials["s3_secret_key"]! });
    return createHetznerComputeProvider(
      { apiToken: settings.credentials["api_token"]!, apiUrl: c["api_url"]!, defaultLocation: c["location"]!, image: c["image"]!, sshKeys: list(c["ssh_keys"] ?? ""), exchangeRate: rateOf(catalog, "hetzner"), prefix: c["prefix"]! },
      storage,
    );
  },
};

// ---------------------------------------------------------------- scaleway

export const scalewayDefinition: ProviderDefinition = {
  id: "scaleway",
  displayName: "Scaleway",
  description:
    "Scaleway Instances (including GPU instances) for jobs, priced live from the Instance API's products; code, status, logs and outputs in Scaleway Object Storage (S3-compatible) through pre-signed URLs.",
  websiteUri: "https://www.scaleway.com",
  kind: ProviderKind.CLOUD,
  capabilities: { spot: false, gpu: true, objectStorage: true, livePricing: true },
  regions: ["fr-par-1", "fr-par-2", "nl-ams-1"],
  credentialFields: [
    plain("access_key", "Access key", "The API key's access key (also the Object Storage access key)."),
    secret("secret_key", "Secret key", "The API key's secret."),
    plain("project_id", "Project ID", "The Scaleway project servers are created in."),
  ],
  configFields: [
    setting("api_url", "API URL", "The Scaleway API.", "https://api.scaleway.com", httpUrl),
    setting("zone", "Zone", "Where jobs without a region run.", "fr-par-2", token),
    setting("zones", "Zones offered", "Zones whose server types are offered, comma-separated; the default zone when empty.", "", tokenList),
    setting("image", "Image", "The image servers boot (id or label); it needs bash, curl, tar, sha256sum and timeout.", "ubuntu_noble", token),
    ...s3Settings("https://s3.fr-par.scw.cloud", "fr-par", "Scaleway Object Storage"),
    prefixSetting,
  ],
  adapter: "hub",
  enabledByDefault: false,
  checkName: "Instance API and bucket",
  async create(settings, catalog) {
    const c = settings.config;
    const { createScalewayComputeProvider } = await import("../providers/scaleway/index.js");
    const storage = await s3JobStorage(settings, { accessKey: settings.credentials["access_key"]!, secretKey: settings.credentials["secret_key"]! });
    return createScalewayComputeProvider(
      {
        secretKey: settings.credentials["secret_key"]!,
        projectId: settings.credentials["project_id"]!,
        apiUrl: c["api_url"]!,
        defaultZone: c["zone"]!,
        zones: list(c["zones"] ?? ""),
        image: c["image"]!,
        exchangeRate: rateOf(catalog, "scaleway"),
        prefix: c["prefix"]!,
      },
      storage,
    );
  },
};

// ---------------------------------------------------------------- oci

const ocid = (v: string) => (/^ocid1\.[a-z0-9]+\.[a-z0-9-]*\.[a-z0-9-]*\.[A-Za-z0-9._-]+$/.test(v) ? undefined : "must be an OCID (ocid1.<type>.<realm>.[region].<id>)");
const fingerprint = (v: string) => (/^([0-9a-f]{2}:){15}[0-9a-f]{2}$/.test(v) ? undefined : "must be the key's MD5 fingerprint (16 colon-separated hex pairs)");

export const ociDefinition: ProviderDefinition = {
  id: "oci",
  displayName: "Oracle Cloud Infrastructure",
  description:
    "OCI compute instances for jobs (preemptible for spot, reported PREEMPTED when reclaimed), Object Storage for code, status, logs and outputs through pre-authenticated requests; every API call signed with the user's API key.",
  websiteUri: "https://www.oracle.com/cloud",
  kind: ProviderKind.CLOUD,
  capabilities: { spot: true, gpu: true, objectStorage: true, livePricing: false },
  regions: ["eu-frankfurt-1", "us-ashburn-1"],
  credentialFields: [
    plain("tenancy_ocid", "Tenancy OCID", "The tenancy."),
    plain("user_ocid", "User OCID", "The API user."),
    plain("fingerprint", "Key fingerprint", "The fingerprint of the API signing key."),
    secret("private_key", "Private key (PEM)", "The API signing key."),
  ],
  configFields: [
    setting("region", "Region", "The region of the instances and the bucket.", "eu-frankfurt-1", token),
    setting("compartment_ocid", "Compartment OCID", "Where instances are created.", "", ocid, true),
    setting("subnet_ocid", "Subnet OCID", "The subnet instances attach to (with a public IP); it must reach Object Storage.", "", ocid, true),
    setting("image_ocid", "Image OCID", "The image instances boot; it needs bash, curl, tar, sha256sum and timeout (Oracle Linux, Ubuntu).", "", ocid, true),
    setting("availability_domain", "Availability domain", "Where instances are created; the compartment's first when empty.", "", optionalToken),
    setting("bucket", "Bucket", "The Object Storage bucket of code, status, logs and outputs; it must exist.", "", bucket, true),
    setting("namespace", "Namespace", "The tenancy's Object Storage namespace; read from the API when empty.", "", optionalToken),
    setting("compute_url", "Compute endpoint", "The Compute API; https://iaas.<region>.oraclecloud.com when empty.", "", optionalHttpUrl),
    setting("identity_url", "Identity endpoint", "The Identity API; https://identity.<region>.oraclecloud.com when empty.", "", optionalHttpUrl),
    setting("object_storage_url", "Object Storage endpoint", "The Object Storage API; https://objectstorage.<region>.oraclecloud.com when empty.", "", optionalHttpUrl),
    prefixSetting,
  ],
  adapter: "hub",
  enabledByDefault: false,
  checkName: "Compute, Identity and Object Storage",
  async create(settings, catalog) {
    const c = settings.config;
    const k = settings.credentials;
    const problem = fingerprint(k["fingerprint"] ?? "");
    if (problem) throw new AppError("invalid_argument", "OCI_INVALID_FINGERPRINT", `oci: credentials.fingerprint ${problem}`, { field: "credentials.fingerprint" });
    const { createOciComputeProvider } = await import("../providers/oci/index.js");
    return createOciComputeProvider({
      tenancy: k["tenancy_ocid"]!,
      user: k["user_ocid"]!,
      fingerprint: k["fingerprint"]!,
      privateKey: k["private_key"]!,
      region: c["region"]!,
      compartmentId: c["compartment_ocid"]!,
      subnetId: c["subnet_ocid"]!,
      imageId: c["image_ocid"]!,
      availabilityDomain: c["availability_domain"] || undefined,
      bucket: c["bucket"]!,
      namespace: c["namespace"] || undefined,
      endpoints: {
        ...(c["compute_url"] ? { compute: c["compute_url"] } : {}),
        ...(c["identity_url"] ? { identity: c["identity_url"] } : {}),
        ...(c["object_storage_url"] ? { objectStorage: c["object_storage_url"] } : {}),
      },
      catalogOfferings: catalog.offerings("oci"),
      prefix: c["prefix"]!,
    });
  },
};
