import { createS3ObjectStore } from "../../../platform/object-store/s3/index.js";
import type { ComputeProvider } from "../../compute-provider.js";
import { VmJobProvider } from "../remote/index.js";
import type { AwsProviderConfig } from "./aws-config.js";
import { AwsPriceList } from "./aws-pricing.js";
import { Ec2Compute, ec2Clients } from "./ec2-compute.js";
import { S3JobStorage } from "../remote/s3-job-storage.js";

export type { AwsProviderConfig } from "./aws-config.js";
export { AwsPriceList, parsePriceListProduct, onDemandFilters, type AwsOffering } from "./aws-pricing.js";
export { mapEc2Instance } from "./ec2-status.js";
export { Ec2Compute, ec2Clients, JOB_TAG } from "./ec2-compute.js";

/**
 * Installs the AWS CLI when the AMI lacks it (Amazon Linux has it; Ubuntu and Debian do not), from
 * the distribution's packages, else from PyPI.
 */
const INSTALL_AWS_CLI = [
  "if ! command -v aws >/dev/null 2>&1; then",
  "  { command -v dnf >/dev/null 2>&1 && dnf install -y -q awscli; } || { command -v apt-get >/dev/null 2>&1 && apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q awscli; } || pip3 install -q awscli",
  "fi >/dev/null 2>&1",
];

/**
 * The aws adapter: jobs on EC2 instances booted with the bootstrap script, their objects in an S3
 * bucket (through the platform's S3 object store), prices live from the Price List API and the spot
 * price history or from the shipped catalog. This folder is the only one importing the EC2 and
 * Pricing SDKs.
 */
export function createAwsComputeProvider(config: AwsProviderConfig): ComputeProvider {
  const store = createS3ObjectStore({
    bucket: config.bucket,
    prefix: "",
    region: config.region,
    endpoint: config.endpoint,
    forcePathStyle: config.endpoint !== undefined,
    credentials: config.credentials,
  });
  const transfer = config.transfer ?? "url";
  const clients = ec2Clients(config);
  const compute = new Ec2Compute(config, clients, new AwsPriceList(config, clients));
  return new VmJobProvider({
    id: config.id ?? "aws",
    storage: new S3JobStorage(store, transfer),
    compute,
    prefix: config.prefix ?? "artenic",
    // EC2 refuses user data above 16 KB.
    maxUserDataBytes: 16 * 1024,
    // A spot instance hears of its interruption two minutes ahead (IMDSv2 spot/instance-action).
    spotPreemptionNotice: "aws",
    ...(config.now ? { now: config.now } : {}),
    bootstrap: {
      ...(transfer === "cli"
        ? {
            toolEnv: { AWS_DEFAULT_REGION: config.region, ...(config.endpoint ? { AWS_ENDPOINT_URL: config.endpoint } : {}) },
            prepare: INSTALL_AWS_CLI,
          }
        : {}),
      ...(config.logUploadIntervalSeconds ? { logUploadIntervalSeconds: config.logUploadIntervalSeconds } : {}),
    },
  });
}
