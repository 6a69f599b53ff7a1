import type { CatalogOffering } from "../../catalog/price-catalog.js";

/** Everything the gcp adapter needs, as the Provider Hub stores it (credentials decrypted). */
export interface GcpProviderConfig {
  /** @default "gcp" */
  readonly id?: string;
  readonly projectId: string;
  /** The whole service-account key JSON document (client_email, private_key, token_uri...). */
  readonly credentialsJson: string;
  /** The region of jobs that name none, and its zone. */
  readonly region: string;
  /** @default `${region}-a` */
  readonly zone?: string;
  /** The bucket holding job objects. */
  readonly bucket: string;
  /** Key prefix of job objects in the bucket. @default "artenic" */
  readonly prefix?: string;
  /** @default projects/ubuntu-os-cloud/global/images/family/ubuntu-2404-lts-amd64 */
  readonly image?: string;
  /** @default global/networks/default */
  readonly network?: string;
  /** A subnetwork (`regions/<r>/subnetworks/<s>`) instead of the network's automatic one. */
  readonly subnetwork?: string;
  /** Give each instance an ephemeral external IP (outbound access without Cloud NAT). @default true */
  readonly externalIp?: boolean;
  /** @default 50 */
  readonly bootDiskGb?: number;
  /** Compute Engine API root. @default https://compute.googleapis.com */
  readonly computeEndpoint?: string;
  /** Cloud Storage API root. @default https://storage.googleapis.com */
  readonly storageEndpoint?: string;
  /** Cloud Billing API root. @default https://cloudbilling.googleapis.com */
  readonly billingEndpoint?: string;
  /** Fetch prices from the Cloud Billing Catalog (else the shipped catalog only). @default true */
  readonly livePrices?: boolean;
  /** The instance types and regions offered, with catalog prices (live prices replace them). */
  readonly offerings: readonly CatalogOffering[];
  /** The platform currency: the Billing Catalog is asked to quote in it. */
  readonly currency: string;
  /** Delay between polls while waiting for an instance to go away. @default 2000 */
  readonly pollIntervalMs?: number;
  /** How long releaseResources waits for the instance to be deleted. @default 60000 */
  readonly cleanupWaitMs?: number;
}

export const DEFAULT_GCP_IMAGE = "projects/ubuntu-os-cloud/global/images/family/ubuntu-2404-lts-amd64";
