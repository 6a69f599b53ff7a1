import type { CatalogOffering } from "../../catalog/price-catalog.js";
import type { VmJobProviderOptions } from "../remote/index.js";
import type { OciEndpoints } from "./oci-api.js";

/** What the oci adapter needs. */
export interface OciProviderConfig {
  readonly tenancy: string;
  readonly user: string;
  readonly fingerprint: string;
  readonly privateKey: string;
  readonly region: string;
  readonly compartmentId: string;
  readonly subnetId: string;
  /** The image instances boot (it needs bash, curl, tar, sha256sum, timeout: Oracle Linux and Ubuntu do). */
  readonly imageId: string;
  /** The first of the compartment's availability domains when unset. */
  readonly availabilityDomain?: string | undefined;
  readonly bucket: string;
  /** The tenancy's Object Storage namespace; read from the API when unset. */
  readonly namespace?: string | undefined;
  /** Service endpoints; the region's public ones when unset. */
  readonly endpoints?: Partial<OciEndpoints>;
  /** The snapshot catalog's offerings of OCI (the instance types and their prices). */
  readonly catalogOfferings: readonly CatalogOffering[];
  readonly requestTimeoutMs?: number;
  readonly bootstrap?: VmJobProviderOptions["bootstrap"];
  readonly prefix?: string;
}
