import type { CatalogOffering } from "../../catalog/price-catalog.js";
import type { VmJobProviderOptions } from "../remote/index.js";

/** What the openstack adapter needs; `ovh` and `infomaniak` are two hub definitions of it. */
export interface OpenStackProviderConfig {
  /** The provider id: "ovh" or "infomaniak". */
  readonly id: string;
  /** Keystone v3, e.g. https://auth.cloud.ovh.net/v3. */
  readonly authUrl: string;
  readonly username: string;
  readonly password: string;
  /** @default "Default" */
  readonly userDomainName?: string;
  readonly projectId: string;
  /** The region of the catalog endpoints, servers and container. */
  readonly region: string;
  /** The Glance image servers boot (it needs bash, curl, tar, sha256sum, timeout; Ubuntu and Debian do). */
  readonly imageId: string;
  /** The network to attach; Nova's default when unset. */
  readonly networkId?: string | undefined;
  /** An SSH key pair to install, for debugging; none when unset. */
  readonly keyName?: string | undefined;
  /** The Swift container of the job objects (created when missing). */
  readonly container: string;
  /** Key prefix of the job objects in the container. @default "artenic" */
  readonly prefix?: string;
  /** OVHcloud's public order catalog URL, for live prices; the snapshot catalog when unset. */
  readonly priceCatalogUrl?: string | undefined;
  /** The snapshot catalog's offerings of this provider (prices and GPU details). */
  readonly catalogOfferings?: readonly CatalogOffering[];
  /** Units of the platform currency per unit of `sourceCurrency` (the snapshot's dated rate). */
  readonly exchangeRate?: number;
  /** @default "EUR" */
  readonly sourceCurrency?: string;
  readonly requestTimeoutMs?: number;
  /** Overrides of the bootstrap script (tests point its stop command at the fake). */
  readonly bootstrap?: VmJobProviderOptions["bootstrap"];
}
