import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AppError } from "../../../platform/errors/app-error.js";
import { loadPriceCatalog } from "../../catalog/price-catalog.js";
import type { ComputeProvider, LaunchSpec, ProviderHandle, ProviderStatus } from "../../compute-provider.js";
import { describeComputeProviderContract } from "../../compute-provider.contract.js";
import { trainingTestbed, type TrainingTestbed } from "../../testing.js";
import { getTrainingJob } from "../../training-job.use-cases.js";
import { commandWorkloads, testLaunchSpec } from "../remote/remote-testing.js";
import { startMotoServer, type MotoServer } from "../../../../test/support/moto-server.js";
import { MotoEc2Host, SpotInterruptionProxy } from "../../../../test/support/moto-ec2.js";
import { FakeAwsPricing, priceListProduct } from "../../../../test/support/fake-aws-pricing.js";
import { randomBytes } from "node:crypto";
import { CreateVolumeCommand, DescribeInstanceAttributeCommand, DescribeInstancesCommand, DescribeVolumesCommand, EC2Client, type Instance } from "@aws-sdk/client-ec2";
import { createS3ObjectStore } from "../../../platform/object-store/s3/index.js";
import { initOrm, migrate } from "../../../platform/db/orm.js";
import { ProviderRegistry } from "../../provider-registry.js";
import { createProviderHub, ProviderSettingsEntity } from "../../hub/index.js";
import { AwsPriceList, createAwsComputeProvider, type AwsOffering, type AwsProviderConfig } from "./index.js";

const BUCKET = "artenic-jobs";
let moto: MotoServer;
let proxy: SpotInterruptionProxy;
let host: MotoEc2Host;
let work: string;
let imageId: string;

beforeAll(async () => {
  moto = await startMotoServer();
  await moto.createBucket(BUCKET);
  proxy = new SpotInterruptionProxy(moto.endpoint);
  await proxy.start();
  work = mkdtempSync(join(tmpdir(), "artenic-aws-"));
  host = new MotoEc2Host(moto, { root: join(work, "instances") });
  host.start();
  const images = JSON.parse(await moto.aws("ec2", "describe-images", "--owners", "amazon", "--filters", "Name=name,Values=amzn*", "--output", "json")) as { Images: { ImageId: string }[] };
  imageId = images.Images[0]!.ImageId;
  ec2 = new EC2Client({ region: moto.region, endpoint: moto.endpoint, credentials: moto.credentials });
  s3 = createS3ObjectStore({ bucket: BUCKET, prefix: "", region: moto.region, endpoint: moto.endpoint, forcePathStyle: true, credentials: moto.credentials });
  // The role the instance's AWS CLI uses on EC2 (moto checks that the profile exists).
  await moto.aws("iam", "create-instance-profile", "--instance-profile-name", "artenic-training");
}, 300_000);

afterAll(async () => {
  await host?.stop();
  await proxy?.close();
  await moto?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

function config(over: Partial<AwsProviderConfig> = {}): AwsProviderConfig {
  return {
    region: moto.region,
    credentials: moto.credentials,
    endpoint: proxy.url,
    bucket: BUCKET,
    imageId,
    instanceProfile: "artenic-training",
    offerings: loadPriceCatalog().offerings("aws"),
    exchange: { currency: "USD", rate: 1, date: "2026-11-26" },
    logUploadIntervalSeconds: 3,
    // The instances' AWS CLI with the role; the contract suite below uses pre-signed URLs.
    transfer: "cli",
    ...over,
  };
}

function spec(over: Partial<LaunchSpec> = {}): LaunchSpec {
  return testLaunchSpec({
    jobName: "trainingJobs/aws-1",
    env: { ARTENIC_JOB_TOKEN: "job-token-secret", LEARNING_RATE: "0.1" },
    cpus: 2,
    memoryBytes: 8 * 1024 ** 3,
    region: "us-east-1",
    instanceType: "m6i.large",
    ...over,
  });
}

function codeDir(name: string, script: string): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "train.sh"), script);
  return dir;
}

const terminal = new Set(["succeeded", "failed", "preempted", "gone"]);
async function untilTerminal(p: ComputeProvider, h: ProviderHandle, timeoutMs = 60_000): Promise<ProviderStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await p.poll(h);
    if (terminal.has(s.state)) return s;
    if (Date.now() > deadline) throw new Error(`still ${s.state}: ${s.message}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function until(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not reached");
    await new Promise((r) => setTimeout(r, 100));
  }
}

// Assertions read moto in process through the SDK (the AWS CLI costs a Python start per call).
let ec2: EC2Client;
let s3: ReturnType<typeof createS3ObjectStore>;
async function instancesOf(jobId: string): Promise<Instance[]> {
  const out = await ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: "tag:artenic-job", Values: [jobId] }] }));
  return (out.Reservations ?? []).flatMap((r) => r.Instances ?? []);
}
async function attribute(id: string, Attribute: "userData" | "instanceInitiatedShutdownBehavior"): Promise<string> {
  const out = await ec2.send(new DescribeInstanceAttributeCommand({ InstanceId: id, Attribute }));
  return Attribute === "userData" ? Buffer.from(out.UserData?.Value ?? "", "base64").toString("utf8") : (out.InstanceInitiatedShutdownBehavior?.Value ?? "");
}
async function objectKeys(prefix: string): Promise<string[]> {
  return (await s3.list(prefix)).objects.map((o) => o.key).sort();
}

// Concurrent: each test is its own job, instance and objects; the AWS CLI runs dominate their time.
describe.concurrent("aws adapter against moto: EC2 with the bootstrap as user data, executed for real with the AWS CLI", () => {
  it("launches a tagged, self-terminating spot instance whose user data fetches exactly the uploaded code; a second submit finds it", async () => {
    const provider = createAwsComputeProvider(config());
    const code = codeDir("code-shape", "sleep 1000");
    const handle = await provider.submit(spec({ jobName: "trainingJobs/aws-shape", codePath: code, spot: true }));
    const [instance, ...more] = await instancesOf("aws-shape");
    expect(more).toEqual([]);
    expect(instance).toMatchObject({
      InstanceId: handle.id,
      InstanceType: "m6i.large",
      ImageId: imageId,
      InstanceLifecycle: "spot",
      MetadataOptions: { HttpTokens: "required" },
      IamInstanceProfile: { Arn: expect.stringMatching(/instance-profile\/artenic-training$/) },
    });
    expect(Object.fromEntries(instance!.Tags!.map((t) => [t.Key, t.Value]))).toEqual({ "artenic-job": "aws-shape", "artenic-managed-by": "artenic", Name: "artenic-aws-shape" });
    expect(await attribute(handle.id, "instanceInitiatedShutdownBehavior")).toBe("terminate");
    const userData = await attribute(handle.id, "userData");
    expect(userData).toContain(`'aws' 's3' 'cp' '--only-show-errors' 's3://${BUCKET}/artenic/jobs/aws-shape/code.tar.gz' "$1"`);
    expect(userData).toContain(`export AWS_ENDPOINT_URL='${proxy.url}'`);
    expect(userData).not.toContain("job-token-secret");
    // A spot instance watches IMDSv2 for its interruption notice.
    expect(userData).toContain(`artenic_metadata="\${ARTENIC_BOOTSTRAP_METADATA_URL:-http://169.254.169.254}"`);
    expect(userData).toContain('"$artenic_metadata/latest/meta-data/spot/instance-action"');
    expect(await objectKeys("artenic/jobs/aws-shape/")).toEqual(expect.arrayContaining(["artenic/jobs/aws-shape/code.tar.gz", "artenic/jobs/aws-shape/env.sh"]));

    expect((await provider.submit(spec({ jobName: "trainingJobs/aws-shape", codePath: code, spot: true }))).id).toBe(handle.id);
    expect(await instancesOf("aws-shape")).toHaveLength(1);

    await provider.cancel(handle);
    const status = await untilTerminal(provider, handle);
    expect(status).toMatchObject({ state: "failed", message: expect.stringMatching(/^cancelled/) });
    await provider.cleanup(handle);
  }, 120_000);

  it("runs the uploaded code and reports SUCCEEDED with exactly its outputs and logs; the instance terminated itself", async () => {
    const provider = createAwsComputeProvider(config());
    const code = codeDir("code-ok", ['echo "lr=$LEARNING_RATE"', 'echo "to stderr" >&2', 'printf weights > "$ARTENIC_OUTPUT_DIR/model.bin"', 'printf %s "$ARTENIC_JOB_TOKEN" > "$ARTENIC_OUTPUT_DIR/token"'].join("\n"));
    const handle = await provider.submit(spec({ jobName: "trainingJobs/aws-ok", codePath: code }));
    // On demand: no preemption watcher.
    expect(await attribute(handle.id, "userData")).not.toContain("artenic_watcher");
    expect(handle).toMatchObject({ provider: "aws", region: "us-east-1", instanceType: "m6i.large", id: expect.stringMatching(/^i-[0-9a-f]+$/) });
    const status = await untilTerminal(provider, handle);
    expect(status, status.message).toMatchObject({ state: "succeeded", exitCode: 0 });
    const files = (await provider.collectArtifacts(handle)).files;
    expect(await Promise.all(files.map(async (f) => [f.name, Buffer.from(await f.read()).toString()]))).toEqual([
      ["model.bin", "weights"],
      ["token", "job-token-secret"],
    ]);
    const logs = await provider.readLogs!(handle, "");
    expect(logs).toMatchObject({ lines: ["lr=0.1", "to stderr"], streams: ["stdout", "stderr"] });
    expect((await provider.readLogs!(handle, logs.cursor)).lines).toEqual([]);
    // The script reports first, then shuts the machine down.
    await until(async () => (await instancesOf("aws-ok"))[0]!.State?.Name === "terminated");

    // A data volume the job's tag marks (as one attached by a user-data script would be) outlived the instance.
    const leftover = await ec2.send(new CreateVolumeCommand({ AvailabilityZone: "us-east-1a", Size: 10, TagSpecifications: [{ ResourceType: "volume", Tags: [{ Key: "artenic-job", Value: "aws-ok" }] }] }));
    await provider.cleanup(handle);
    expect(await objectKeys("artenic/jobs/aws-ok/")).toEqual([]);
    const volumes = await ec2.send(new DescribeVolumesCommand({ Filters: [{ Name: "tag:artenic-job", Values: ["aws-ok"] }] }));
    expect((volumes.Volumes ?? []).map((v) => v.VolumeId)).not.toContain(leftover.VolumeId);
    await provider.cleanup(handle);
    await provider.cleanup({ ...handle, id: "i-0000000000000dead" });
  }, 120_000);

  it("reports FAILED with the exit code of a failing command, its logs uploaded", async () => {
    const provider = createAwsComputeProvider(config());
    const handle = await provider.submit(spec({ jobName: "trainingJobs/aws-fail", codePath: codeDir("code-fail", 'echo "diverged" >&2; exit 3') }));
    expect(await untilTerminal(provider, handle)).toMatchObject({ state: "failed", exitCode: 3, message: "exit code 3" });
    expect((await provider.readLogs!(handle, "")).lines).toEqual(["diverged"]);
    await provider.cleanup(handle);
  }, 120_000);

  it("reports PREEMPTED when the spot instance is interrupted mid-run", async () => {
    const provider = createAwsComputeProvider(config());
    const handle = await provider.submit(spec({ jobName: "trainingJobs/aws-spot", codePath: codeDir("code-spot", "sleep 1000"), spot: true }));
    await host.waitBooted(handle.id);
    await until(async () => (await provider.poll(handle)).state === "running");
    // Moto has no spot market: the instance's machine is killed, moto terminates it, and the proxy
    // gives DescribeInstances the state reason EC2 documents for an interruption.
    await proxy.interrupt(host, handle.id);
    expect(await provider.poll(handle)).toMatchObject({ state: "preempted", message: expect.stringContaining("Server.SpotInstanceTermination") });
    await provider.cleanup(handle);
  }, 120_000);

  it("loses nothing across a server restart: a new reconciler and adapter finish the job from the persisted handle", async () => {
    let t: TrainingTestbed | undefined;
    let t2: TrainingTestbed | undefined;
    try {
      t = await trainingTestbed({ enabledProviders: ["aws"] });
      // Pre-signed URLs and curl here: the AWS CLI path is covered above, and this test is about the restart.
      t.registry.register(createAwsComputeProvider(config({ transfer: "url" })));
      const command = ["bash", "-c", 'sleep 2; printf restarted > "$ARTENIC_OUTPUT_DIR/after-restart.txt"'];
      const id = await t.create("aws-restart", { command, placement: { provider: "aws", region: "us-east-1", instanceType: "m6i.large", strategy: "cheapest", allowedProviders: [], allowedRegions: [] } });
      const r1 = t.reconciler();
      await r1.tick();
      const submitted = await getTrainingJob(t.ctx().em, id);
      expect(submitted.state).toBe("provisioning");
      await r1.stop();

      // "Restart": another process with a fresh adapter, sharing only the database.
      t2 = await trainingTestbed({ orm: t.orm, enabledProviders: ["aws"] });
      const fresh = createAwsComputeProvider(config({ transfer: "url" }));
      t2.registry.register(fresh);
      const r2 = t2.reconciler();
      const deadline = Date.now() + 60_000;
      let job = await getTrainingJob(t2.ctx().em, id);
      while (job.state !== "succeeded" && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
        t2.clock.advance(1000);
        await r2.tick();
        job = await getTrainingJob(t2.ctx().em, id);
        expect(["provisioning", "running", "succeeded"]).toContain(job.state);
      }
      expect(job.state).toBe("succeeded");
      expect(job.exitCode).toBe(0);
      expect(job.handle?.id).toBe(submitted.handle?.id);
      // The reconciler released the compute: instance gone and the job's objects deleted.
      await until(async () => (await getTrainingJob(t2!.ctx().em, id)).releaseTime !== null);
      expect((await instancesOf("aws-restart"))[0]!.State?.Name).toBe("terminated");
      expect(await objectKeys("artenic/jobs/aws-restart/")).toEqual([]);
    } finally {
      await t2?.dispose();
      await t?.dispose();
    }
  }, 120_000);

  it("tests the connection: regions, the AMI and the bucket, naming what is wrong", async () => {
    expect(await createAwsComputeProvider(config()).testConnection()).toEqual({ ok: true, message: `EC2 in us-east-1 answers; AMI ${imageId} exists; bucket s3://${BUCKET}/ is readable` });
    expect(await createAwsComputeProvider(config({ imageId: "ami-00000000000000000" })).testConnection()).toMatchObject({ ok: false, message: expect.stringContaining("ami-00000000000000000") });
    const noBucket = await createAwsComputeProvider(config({ bucket: "no-such-bucket" })).testConnection();
    expect(noBucket.ok).toBe(false);
    expect(noBucket.message).toContain("no-such-bucket");
    const unreachable = await createAwsComputeProvider(config({ endpoint: "http://127.0.0.1:1" })).testConnection();
    expect(unreachable).toMatchObject({ ok: false, message: expect.stringContaining("DescribeRegions") });
  });

  it("refuses a job whose user data EC2 would reject, before launching anything", async () => {
    const provider = createAwsComputeProvider(config());
    const error = await provider.submit(spec({ jobName: "trainingJobs/aws-huge", command: ["echo", "x".repeat(20_000)] })).catch((e: unknown) => e);
    expect((error as AppError).reason).toBe("USER_DATA_TOO_LARGE");
    expect(await instancesOf("aws-huge")).toEqual([]);
    expect(await objectKeys("artenic/jobs/aws-huge/")).toEqual([]);

    const tooLong = await createAwsComputeProvider(config({ transfer: "url" })).submit(spec({ jobName: "trainingJobs/aws-long", maxRuntimeMs: 8 * 24 * 3600_000 })).catch((e: unknown) => e);
    expect((tooLong as AppError).reason).toBe("PRESIGNED_URL_TOO_SHORT");
    expect(await instancesOf("aws-long")).toEqual([]);
    expect(await objectKeys("artenic/jobs/aws-long/")).toEqual([]);
  });
});

describe("aws prices: Price List GetProducts (local fake, SigV4 checked) and spot price history (moto)", () => {
  let pricing: FakeAwsPricing;
  beforeAll(async () => {
    pricing = new FakeAwsPricing(moto.credentials.secretAccessKey);
    await pricing.start();
    pricing.products.set("us-east-1", [
      priceListProduct({ sku: "SKU1", instanceType: "m6i.large", region: "us-east-1", usd: "0.0960000000", vcpu: "2", memory: "8 GiB" }),
      priceListProduct({ sku: "SKU2", instanceType: "g5.xlarge", region: "us-east-1", usd: "1.0060000000", vcpu: "4", memory: "16 GiB", gpu: "1" }),
      priceListProduct({ sku: "SKU3", instanceType: "x9.unknown", region: "us-east-1", usd: "9.0000000000", vcpu: "64", memory: "512 GiB" }),
    ]);
  });
  afterAll(async () => pricing?.close());

  it("lists live offerings converted at the configured rate with its date, paging through GetProducts", async () => {
    const provider = createAwsComputeProvider(config({ livePricing: true, pricingEndpoint: pricing.url, exchange: { currency: "EUR", rate: 0.92, date: "2026-11-25" }, now: () => new Date("2026-11-26T09:00:00Z") }));
    const offerings = (await provider.listOfferings({ region: "us-east-1" })) as AwsOffering[];
    expect(offerings.map((o) => o.instanceType)).toEqual(["m6i.large", "g5.xlarge"]);
    const m6i = offerings[0]!;
    expect(m6i).toMatchObject({ provider: "aws", region: "us-east-1", cpus: 2, memoryBytes: 8 * 1024 ** 3, onDemandPerHour: 0.08832, priceDate: "2026-11-26", priceSource: "live", sourceCurrency: "USD", exchangeRate: 0.92, exchangeRateDate: "2026-11-25" });
    // Moto's spot price history quotes every type at 0.00001 USD.
    expect(m6i.spotPerHour).toBe(0.000009);
    expect(offerings[1]).toMatchObject({ gpuType: "nvidia-a10g", gpuCount: 1, onDemandPerHour: 0.92552 });

    expect(pricing.requests.map((r) => r.body["NextToken"] ?? "")).toEqual(["", "page-2"]);
    for (const r of pricing.requests) {
      expect(r.signatureValid).toBe(true);
      expect(r.target).toBe("AWSPriceListService.GetProducts");
      expect(r.credentialScope).toMatch(/^\d{8}\/us-east-1\/pricing\/aws4_request$/);
      expect(r.authorization).toContain(`Credential=${moto.credentials.accessKeyId}/`);
    }
    expect(pricing.requests[0]!.body).toMatchObject({
      ServiceCode: "AmazonEC2",
      FormatVersion: "aws_v1",
      Filters: [
        { Type: "TERM_MATCH", Field: "regionCode", Value: "us-east-1" },
        { Type: "TERM_MATCH", Field: "operatingSystem", Value: "Linux" },
        { Type: "TERM_MATCH", Field: "tenancy", Value: "Shared" },
        { Type: "TERM_MATCH", Field: "preInstalledSw", Value: "NA" },
        { Type: "TERM_MATCH", Field: "capacitystatus", Value: "Used" },
        { Type: "TERM_MATCH", Field: "licenseModel", Value: "No License required" },
      ],
    });
    // Cached: a second listing asks nothing.
    await provider.listOfferings({ region: "us-east-1" });
    expect(pricing.requests).toHaveLength(2);
  });

  it("fails a wrong signature at the fake, and falls back to the dated catalog when the Price List fails", async () => {
    const prices = new AwsPriceList(config({ livePricing: true, pricingEndpoint: pricing.url, credentials: { accessKeyId: moto.credentials.accessKeyId, secretAccessKey: "wrong-secret" } }), () => {
      throw new Error("no EC2 needed");
    });
    const error = await prices.liveRegion("us-east-1").catch((e: unknown) => e);
    expect((error as AppError).message).toMatch(/GetProducts AmazonEC2 in us-east-1 failed \(InvalidSignatureException\)/);
    expect(pricing.requests.at(-1)!.signatureValid).toBe(false);

    pricing.failWith = { status: 400, type: "ThrottlingException", message: "Rate exceeded" };
    try {
      const offerings = await createAwsComputeProvider(config({ livePricing: true, pricingEndpoint: pricing.url })).listOfferings({ region: "eu-west-1" });
      expect(offerings.length).toBeGreaterThan(0);
      expect(offerings.every((o) => o.priceSource === "catalog" && o.priceDate === loadPriceCatalog().date && o.region === "eu-west-1")).toBe(true);
    } finally {
      pricing.failWith = undefined;
    }
  });
});

describe("aws adapter: the shared contract against moto (objects moved with curl and pre-signed URLs)", () => {
  describeComputeProviderContract("aws", () => createAwsComputeProvider(config({ transfer: "url" })), {
    ...commandWorkloads(),
    preempt: async (_p, handle) => {
      await host.waitBooted(handle.id);
      await proxy.interrupt(host, handle.id);
    },
    region: "us-east-1",
    instanceType: "m6i.large",
    timeoutMs: 60_000,
    pollIntervalMs: 200,
  });
});

describe("aws in the Provider Hub: built from the stored settings, the SDK imported lazily", () => {
  it("validates settings naming the field, seals the credentials, builds the adapter and connects", async () => {
    const orm = await initOrm({ kind: "sqlite", path: ":memory:" });
    await migrate(orm);
    try {
      const registry = new ProviderRegistry();
      const hub = createProviderHub({ secretsKey: randomBytes(32), catalog: loadPriceCatalog(), registry, liveJobs: { countLiveJobs: async () => 0 }, testTimeoutMs: 30_000 });
      registry.setGate(hub.gate);
      await hub.start(orm.em.fork());
      const ctx = () => ({ em: orm.em.fork(), actor: { name: "apiKeys/tester", requestId: "" }, now: () => new Date() });
      const bad = await hub.configure(ctx(), "aws", { credentials: {}, config: { image_id: "ubuntu" }, etag: "", testConnection: false }).catch((e: unknown) => e);
      expect(bad).toMatchObject({ reason: "INVALID_SETTING", fieldViolations: [{ field: "config[image_id]" }] });

      const view = await hub.configure(
        ctx(),
        "aws",
        {
          credentials: { access_key_id: moto.credentials.accessKeyId, secret_access_key: moto.credentials.secretAccessKey },
          config: { bucket: BUCKET, image_id: imageId, endpoint: proxy.url, live_pricing: "false" },
          etag: "",
          testConnection: true,
        },
      );
      expect(view).toMatchObject({ state: "DISABLED", stateMessage: `EC2 in us-east-1 answers; AMI ${imageId} exists; bucket s3://${BUCKET}/ is readable` });
      const row = (await orm.em.fork().findOne(ProviderSettingsEntity, { id: "aws" }))!;
      expect(row.sealedCredentials).not.toContain(moto.credentials.secretAccessKey);
      const adapter = registry.get("aws")!;
      expect(adapter.id).toBe("aws");
      expect((await adapter.listOfferings({ region: "eu-west-1" })).map((o) => o.instanceType)).toContain("g5.xlarge");
    } finally {
      await orm.close();
    }
  });
});
