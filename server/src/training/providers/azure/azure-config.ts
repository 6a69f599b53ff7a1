import type { CatalogOffering } from "../../catalog/price-catalog.js";

/** Everything the azure adapter needs, as the Provider Hub stores it (credentials decrypted). */
export interface AzureProviderConfig {
  /** @default "azure" */
  readonly id?: string;
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly subscriptionId: string;
  /** Where VMs, disks, NICs and public IPs are created. */
  readonly resourceGroup: string;
  /** The region of jobs that name none. */
  readonly region: string;
  /**
   * The subnet NICs are attached to: `/subscriptions/<s>/resourceGroups/<rg>/providers/
   * Microsoft.Network/virtualNetworks/<vnet>/subnets/<subnet>`. Its VNet must be in the job's region.
   */
  readonly subnetId: string;
  /** Give each VM a Standard public IP (outbound access to the storage and the platform). @default true */
  readonly publicIp?: boolean;
  /** `publisher:offer:sku:version`. @default Canonical:ubuntu-24_04-lts:server:latest */
  readonly image?: string;
  /** @default "artenic" */
  readonly adminUsername?: string;
  /** An `ssh-rsa ...` key allowed to log in; a throwaway key (nobody holds its private half) when unset. */
  readonly sshPublicKey?: string;
  /** @default 64 */
  readonly osDiskGb?: number;
  /** The storage account's name, its key, and the container holding job objects. */
  readonly storageAccount: string;
  readonly storageAccountKey: string;
  readonly container: string;
  /** Key prefix of job objects in the container. @default "artenic" */
  readonly prefix?: string;
  /** @default https://management.azure.com */
  readonly armEndpoint?: string;
  /** @default https://login.microsoftonline.com */
  readonly authorityHost?: string;
  /** @default https://<storageAccount>.blob.core.windows.net */
  readonly blobEndpoint?: string;
  /** @default https://prices.azure.com/api/retail/prices */
  readonly retailPricesUrl?: string;
  /** Fetch prices from the Retail Prices API (else the shipped catalog only). @default true */
  readonly livePrices?: boolean;
  /** A PEM CA trusted for the ARM and Entra endpoints besides the system roots (private clouds, tests). */
  readonly caCertificate?: string;
  /** The instance types and regions offered, with catalog prices (live prices replace them). */
  readonly offerings: readonly CatalogOffering[];
  /** The platform currency and the catalog's USD rate, for converting live USD prices. */
  readonly currency: string;
  /** Delay between polls of long-running operations. @default 2000 */
  readonly pollIntervalMs?: number;
}

export const DEFAULT_AZURE_IMAGE = "Canonical:ubuntu-24_04-lts:server:latest";
