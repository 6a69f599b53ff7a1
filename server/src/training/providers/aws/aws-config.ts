import type { CatalogOffering } from "../../catalog/price-catalog.js";

/** What the aws adapter needs; built by the Provider Hub from the stored settings (provider-definitions.ts). */
export interface AwsProviderConfig {
  /** @default "aws" */
  readonly id?: string;
  /** The default region (jobs name theirs; the bucket lives in this one). */
  readonly region: string;
  /** Static credentials; the SDK's default chain (environment, instance role) when absent. */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken?: string | undefined } | undefined;
  /** One endpoint for EC2 and S3 (an S3/EC2-compatible service, moto in tests); AWS itself when unset. */
  readonly endpoint?: string | undefined;
  /** The bucket holding code, environment, status, logs and outputs of jobs. */
  readonly bucket: string;
  /** Key prefix of job objects in the bucket. @default "artenic" */
  readonly prefix?: string;
  /** The AMI instances boot (needs bash, curl or the AWS CLI, tar, sha256sum and coreutils `timeout`). */
  readonly imageId: string;
  readonly subnetId?: string | undefined;
  readonly securityGroupIds?: readonly string[];
  readonly keyName?: string | undefined;
  /**
   * The instance profile (name or ARN) whose role lets the instance read and write the job's
   * objects; the bootstrap's AWS CLI uses it. Without one the CLI has no credentials on a real
   * instance (tests give them through the environment).
   */
  readonly instanceProfile?: string | undefined;
  /** Root volume size; the AMI's when unset. Needs `rootDeviceName` to match the AMI. */
  readonly rootVolumeGiB?: number | undefined;
  /** @default "/dev/xvda" */
  readonly rootDeviceName?: string | undefined;
  /**
   * How the bootstrap moves objects: curl with pre-signed URLs, each machine reaching only its own
   * job's objects (jobs up to 7 days); or the AWS CLI with the instance profile's role, shared by
   * every job (no time limit, for jobs that trust each other). @default "url"
   */
  readonly transfer?: "cli" | "url";
  /** Offerings of the shipped catalog (instance types, specs, dated prices); also the fallback when live pricing fails. */
  readonly offerings: readonly CatalogOffering[];
  /** Live prices from the AWS Price List API and spot price history, converted with `exchange`. */
  readonly livePricing?: boolean;
  /** The Price List API endpoint (tests point it at a fake); AWS's in us-east-1 when unset. */
  readonly pricingEndpoint?: string | undefined;
  /** USD → platform currency. */
  readonly exchange: { readonly currency: string; readonly rate: number; readonly date: string };
  /** How long live prices are reused. @default 6 h */
  readonly priceCacheMs?: number;
  /** @default 30000 */
  readonly requestTimeoutMs?: number;
  /** Bootstrap overrides for tests (upload interval, attempts). */
  readonly logUploadIntervalSeconds?: number;
  readonly now?: () => Date;
}

/** The SDK's credentials shape from the config's (a session token only when there is one). */
export function sdkCredentials(config: AwsProviderConfig): { credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } } {
  const c = config.credentials;
  if (!c) return {};
  return { credentials: { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, ...(c.sessionToken ? { sessionToken: c.sessionToken } : {}) } };
}
