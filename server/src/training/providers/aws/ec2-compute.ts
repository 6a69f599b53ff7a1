import { createHash } from "node:crypto";
import {
  CancelSpotInstanceRequestsCommand,
  DeleteVolumeCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeRegionsCommand,
  DescribeSpotInstanceRequestsCommand,
  DescribeVolumesCommand,
  EC2Client,
  RunInstancesCommand,
  TerminateInstancesCommand,
  type Instance,
  type RunInstancesCommandInput,
} from "@aws-sdk/client-ec2";
import { AppError } from "../../../platform/errors/app-error.js";
import type { Offering } from "../../compute-provider.js";
import type { ComputeObservation, VmCompute, VmCreateRequest, VmRef } from "../remote/index.js";
import { sdkCredentials, type AwsProviderConfig } from "./aws-config.js";
import { awsErrorCode, translateAwsError } from "./aws-errors.js";
import type { AwsPrices } from "./aws-pricing.js";
import { mapEc2Instance } from "./ec2-status.js";

/** One EC2 client per region, made on first use. */
export function ec2Clients(config: AwsProviderConfig): (region: string) => EC2Client {
  const clients = new Map<string, EC2Client>();
  return (region) => {
    let c = clients.get(region);
    if (!c) {
      c = new EC2Client({
        region,
        ...(config.endpoint ? { endpoint: config.endpoint } : {}),
        ...sdkCredentials(config),
        requestHandler: { connectionTimeout: 10_000, requestTimeout: config.requestTimeoutMs ?? 30_000 },
        maxAttempts: 3,
      });
      clients.set(region, c);
    }
    return c;
  };
}

/** The tag carrying the job id on every instance and volume the adapter creates. */
export const JOB_TAG = "artenic-job";

/** EC2 refuses user data above 16 KB (before base64). */
const MAX_USER_DATA_BYTES = 16 * 1024;

const GONE_CODES = new Set(["InvalidInstanceID.NotFound", "InvalidInstanceID.Malformed", "InvalidVolume.NotFound", "InvalidSpotInstanceRequestID.NotFound", "InvalidSpotInstanceRequestID.Malformed"]);
const isGone = (e: unknown) => GONE_CODES.has(awsErrorCode(e)?.code ?? "");

/**
 * The EC2 half of the aws adapter: one instance per job, booted with the bootstrap script as user
 * data, found again by its `artenic-job` tag (and RunInstances' client token) so a retried submit
 * never starts a second one, shut down by itself into termination
 * (InstanceInitiatedShutdownBehavior=terminate), spot through InstanceMarketOptions (one-time,
 * terminate on interruption), IMDSv2 only.
 */
export class Ec2Compute implements VmCompute {
  constructor(
    private readonly config: AwsProviderConfig,
    private readonly client: (region: string) => EC2Client,
    private readonly prices: AwsPrices,
  ) {}

  private async call<T>(action: string, region: string, signal: AbortSignal | undefined, run: (client: EC2Client, options: { abortSignal?: AbortSignal }) => Promise<T>): Promise<T> {
    try {
      return await run(this.client(region), signal ? { abortSignal: signal } : {});
    } catch (e) {
      throw translateAwsError(e, action, region, signal);
    }
  }

  listOfferings(filter?: { region?: string; gpuType?: string }, signal?: AbortSignal): Promise<Offering[]> {
    return this.prices.offerings(filter, signal);
  }

  async findInstance(jobId: string, region: string, signal?: AbortSignal): Promise<VmRef | undefined> {
    const instances = await this.instancesTagged(jobId, region, signal);
    // The newest, when a terminated one from an earlier attempt is still listed.
    const live = instances.filter((i) => i.State?.Name !== "terminated" && i.State?.Name !== "shutting-down");
    const pick = (live.length > 0 ? live : instances).sort((a, b) => (b.LaunchTime?.getTime() ?? 0) - (a.LaunchTime?.getTime() ?? 0))[0];
    return pick ? this.refOf(pick, region) : undefined;
  }

  private async instancesTagged(jobId: string, region: string, signal: AbortSignal | undefined): Promise<Instance[]> {
    const out: Instance[] = [];
    let NextToken: string | undefined;
    do {
      const page = await this.call(`DescribeInstances tag ${JOB_TAG}=${jobId}`, region, signal, (c, o) =>
        c.send(new DescribeInstancesCommand({ Filters: [{ Name: `tag:${JOB_TAG}`, Values: [jobId] }], MaxResults: 100, ...(NextToken ? { NextToken } : {}) }), o),
      );
      for (const r of page.Reservations ?? []) out.push(...(r.Instances ?? []));
      NextToken = page.NextToken;
    } while (NextToken);
    return out;
  }

  private refOf(instance: Instance, region: string): VmRef {
    return {
      id: instance.InstanceId!,
      region,
      data: {
        jobTag: instance.Tags?.find((t) => t.Key === JOB_TAG)?.Value ?? "",
        ...(instance.SpotInstanceRequestId ? { spotRequestId: instance.SpotInstanceRequestId } : {}),
      },
    };
  }

  /** RunInstances' parameters for a job. */
  runInstancesInput(request: VmCreateRequest): RunInstancesCommandInput {
    const { spec } = request;
    const userData = Buffer.from(request.userData, "utf8");
    if (userData.length > MAX_USER_DATA_BYTES) {
      throw new AppError("invalid_argument", "USER_DATA_TOO_LARGE", `aws: the bootstrap script of ${request.jobName} is ${userData.length} bytes; EC2 accepts 16384.`, { name: request.jobName });
    }
    const tags = [...Object.entries(request.tags).map(([Key, Value]) => ({ Key, Value })), { Key: "Name", Value: `artenic-${request.jobId}` }];
    const profile = this.config.instanceProfile;
    return {
      ImageId: this.config.imageId,
      InstanceType: spec.instanceType as RunInstancesCommandInput["InstanceType"],
      MinCount: 1,
      MaxCount: 1,
      UserData: userData.toString("base64"),
      // Idempotency on EC2's side too: the same token within its window returns the same instance.
      ClientToken: `artenic-${createHash("sha256").update(request.jobName).digest("hex").slice(0, 40)}`,
      InstanceInitiatedShutdownBehavior: "terminate",
      MetadataOptions: { HttpTokens: "required", HttpEndpoint: "enabled" },
      TagSpecifications: [
        { ResourceType: "instance", Tags: tags },
        { ResourceType: "volume", Tags: tags },
      ],
      ...(spec.spot ? { InstanceMarketOptions: { MarketType: "spot", SpotOptions: { SpotInstanceType: "one-time", InstanceInterruptionBehavior: "terminate" } } } : {}),
      ...(this.config.subnetId ? { SubnetId: this.config.subnetId } : {}),
      ...(this.config.securityGroupIds?.length ? { SecurityGroupIds: [...this.config.securityGroupIds] } : {}),
      ...(this.config.keyName ? { KeyName: this.config.keyName } : {}),
      ...(profile ? { IamInstanceProfile: profile.startsWith("arn:") ? { Arn: profile } : { Name: profile } } : {}),
      ...(this.config.rootVolumeGiB
        ? { BlockDeviceMappings: [{ DeviceName: this.config.rootDeviceName ?? "/dev/xvda", Ebs: { VolumeSize: this.config.rootVolumeGiB, VolumeType: "gp3", DeleteOnTermination: true } }] }
        : {}),
    };
  }

  async createInstance(request: VmCreateRequest, signal?: AbortSignal): Promise<VmRef> {
    const region = request.spec.region;
    const input = this.runInstancesInput(request);
    try {
      const out = await this.client(region).send(new RunInstancesCommand(input), signal ? { abortSignal: signal } : {});
      const instance = out.Instances?.[0];
      if (!instance?.InstanceId) throw new AppError("unavailable", "AWS_NO_INSTANCE", `aws: RunInstances in ${region} returned no instance for ${request.jobName}.`, { region });
      return this.refOf(instance, region);
    } catch (e) {
      // The same client token with other parameters (a re-rendered script): the instance exists.
      if (awsErrorCode(e)?.code === "IdempotentParameterMismatch") {
        const existing = await this.findInstance(request.jobId, region, signal);
        if (existing) return existing;
      }
      throw translateAwsError(e, `RunInstances ${request.spec.instanceType}${request.spec.spot ? " (spot)" : ""}`, region, signal);
    }
  }

  async describe(ref: VmRef, signal?: AbortSignal): Promise<ComputeObservation> {
    let instance: Instance | undefined;
    try {
      const out = await this.client(ref.region).send(new DescribeInstancesCommand({ InstanceIds: [ref.id] }), signal ? { abortSignal: signal } : {});
      instance = out.Reservations?.[0]?.Instances?.[0];
    } catch (e) {
      if (!isGone(e)) throw translateAwsError(e, `DescribeInstances ${ref.id}`, ref.region, signal);
    }
    const spotRequestId = instance?.SpotInstanceRequestId ?? ref.data["spotRequestId"];
    let spotRequest;
    if (spotRequestId && instance && instance.State?.Name !== "running" && instance.State?.Name !== "pending") {
      try {
        const out = await this.client(ref.region).send(new DescribeSpotInstanceRequestsCommand({ SpotInstanceRequestIds: [spotRequestId] }), signal ? { abortSignal: signal } : {});
        spotRequest = out.SpotInstanceRequests?.[0];
      } catch (e) {
        if (!isGone(e)) throw translateAwsError(e, `DescribeSpotInstanceRequests ${spotRequestId}`, ref.region, signal);
      }
    }
    return mapEc2Instance(instance, spotRequest);
  }

  async terminate(ref: VmRef, signal?: AbortSignal): Promise<void> {
    try {
      await this.client(ref.region).send(new TerminateInstancesCommand({ InstanceIds: [ref.id] }), signal ? { abortSignal: signal } : {});
    } catch (e) {
      if (!isGone(e)) throw translateAwsError(e, `TerminateInstances ${ref.id}`, ref.region, signal);
    }
    const spotRequestId = ref.data["spotRequestId"];
    if (spotRequestId) {
      try {
        await this.client(ref.region).send(new CancelSpotInstanceRequestsCommand({ SpotInstanceRequestIds: [spotRequestId] }), signal ? { abortSignal: signal } : {});
      } catch (e) {
        if (!isGone(e)) throw translateAwsError(e, `CancelSpotInstanceRequests ${spotRequestId}`, ref.region, signal);
      }
    }
  }

  /**
   * Deletes the job's volumes that outlived the instance (the root volume goes with it,
   * DeleteOnTermination); a volume still attached makes the call UNAVAILABLE, and the reconcile
   * loop comes back later.
   */
  async releaseResources(ref: VmRef, signal?: AbortSignal): Promise<void> {
    const jobId = ref.data["jobTag"];
    const filters = jobId ? [{ Name: `tag:${JOB_TAG}`, Values: [jobId] }] : [{ Name: "attachment.instance-id", Values: [ref.id] }];
    const volumes = await this.call("DescribeVolumes", ref.region, signal, (c, o) => c.send(new DescribeVolumesCommand({ Filters: filters }), o));
    const attached: string[] = [];
    for (const v of volumes.Volumes ?? []) {
      if (v.State === "available") {
        try {
          await this.client(ref.region).send(new DeleteVolumeCommand({ VolumeId: v.VolumeId! }), signal ? { abortSignal: signal } : {});
        } catch (e) {
          if (!isGone(e)) throw translateAwsError(e, `DeleteVolume ${v.VolumeId}`, ref.region, signal);
        }
      } else if (v.State !== "deleting" && v.State !== "deleted" && !(v.Attachments ?? []).every((a) => a.DeleteOnTermination)) {
        attached.push(v.VolumeId!);
      }
    }
    if (attached.length > 0) {
      throw new AppError("unavailable", "AWS_VOLUMES_ATTACHED", `aws: volumes ${attached.join(", ")} of instance ${ref.id} are still attached; cleanup will be retried.`, { instance: ref.id }, { retryDelayMs: 15_000 });
    }
  }

  async testConnection(signal?: AbortSignal): Promise<{ ok: boolean; message: string }> {
    const region = this.config.region;
    const regions = await this.call("DescribeRegions", region, signal, (c, o) => c.send(new DescribeRegionsCommand({}), o));
    const names = (regions.Regions ?? []).map((r) => r.RegionName);
    if (!names.includes(region)) return { ok: false, message: `aws: region ${region} is not enabled for the account (${names.length} regions are)` };
    const images = await this.call(`DescribeImages ${this.config.imageId}`, region, signal, (c, o) => c.send(new DescribeImagesCommand({ ImageIds: [this.config.imageId] }), o)).catch((e: AppError) => e);
    if (images instanceof AppError) return { ok: false, message: images.message };
    if ((images.Images ?? []).length === 0) return { ok: false, message: `aws: the AMI ${this.config.imageId} does not exist in ${region}` };
    return { ok: true, message: `EC2 in ${region} answers; AMI ${this.config.imageId} exists` };
  }
}
