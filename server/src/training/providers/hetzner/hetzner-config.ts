import type { VmJobProviderOptions } from "../remote/index.js";

/** What the hetzner adapter needs. */
export interface HetznerProviderConfig {
  /** @default "hetzner" */
  readonly id?: string;
  /** A read-write project token. */
  readonly apiToken: string;
  /** @default "https://api.hetzner.cloud/v1" */
  readonly apiUrl?: string;
  /** The location jobs without a region run in (fsn1, nbg1, hel1, ash, hil, sin). */
  readonly defaultLocation: string;
  /** The image servers boot (it needs bash, curl, tar, sha256sum, timeout). */
  readonly image: string;
  /** SSH key names or ids to install, for debugging; none when empty. */
  readonly sshKeys?: readonly string[];
  /** Units of the platform currency per euro (the snapshot catalog's dated rate). */
  readonly exchangeRate: number;
  readonly requestTimeoutMs?: number;
  readonly bootstrap?: VmJobProviderOptions["bootstrap"];
  readonly prefix?: string;
}
