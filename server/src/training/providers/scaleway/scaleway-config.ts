import type { VmJobProviderOptions } from "../remote/index.js";

/** What the scaleway adapter needs. */
export interface ScalewayProviderConfig {
  /** @default "scaleway" */
  readonly id?: string;
  /** The API key's secret (X-Auth-Token). */
  readonly secretKey: string;
  readonly projectId: string;
  /** @default "https://api.scaleway.com" */
  readonly apiUrl?: string;
  /** The zone jobs without a region run in. */
  readonly defaultZone: string;
  /** Zones whose products are offered. @default [defaultZone] */
  readonly zones?: readonly string[];
  /** The image servers boot, by id or label (it needs bash, curl, tar, sha256sum, timeout). */
  readonly image: string;
  /** Units of the platform currency per euro (the snapshot catalog's dated rate). */
  readonly exchangeRate: number;
  readonly requestTimeoutMs?: number;
  readonly bootstrap?: VmJobProviderOptions["bootstrap"];
  readonly prefix?: string;
}
