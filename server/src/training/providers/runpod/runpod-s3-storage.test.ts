import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LaunchSpec, ProviderHandle } from "../../compute-provider.js";
import { createS3ObjectStore } from "../../../platform/object-store/s3/index.js";
import { initOrm, migrate, type Orm } from "../../../platform/db/orm.js";
import { FakeRunPod } from "../../../../test/support/fake-runpod.js";
import { startMotoServer, type MotoServer } from "../../../../test/support/moto-server.js";
import { startTransferServer } from "../../../../test/support/transfer-server.js";
import { insertTrainingJobRow } from "../../../../test/support/training-job-rows.js";
import { outputsAsText, untilTerminal } from "../../../../test/support/remote-job-polling.js";
import { GPU_CLOUD_JOBS_PREFIX, gpuCloudJobStorage, objectStoreSpace, sweepJobObjects } from "../../transfer/index.js";
import { createRunPodComputeProvider } from "./index.js";
import { testLaunchSpec } from "../remote/remote-testing.js";

const API_KEY = "rpa_TESTKEY0123456789";
const EXCHANGE = { currency: "USD", rate: 1, date: "2026-11-26" };
const BUCKET = "artenic-platform";
/** The artifact store's prefix; job objects go under it, in training-jobs/ (as app.ts scopes them). */
const ROOT = `platform/${GPU_CLOUD_JOBS_PREFIX}`;
const DAY = 24 * 3600_000;

function spec(over: Partial<LaunchSpec> = {}): LaunchSpec {
  return testLaunchSpec({
    jobName: "trainingJobs/runpod-s3",
    image: "ghcr.io/acme/train:3",
    env: { ARTENIC_JOB_TOKEN: "artenic-job.runpod-s3.very-secret", BATCH: "16" },
    cpus: 4,
    memoryBytes: 24 * 1024 ** 3,
    gpuType: "nvidia-a100-80gb",
    gpuCount: 1,
    region: "any",
    instanceType: "1x-a100-80gb",
    ...over,
  });
}

/** One moto server for the file: the pods' bootstrap scripts move every object with curl and pre-signed URLs to it. */
describe("runpod with the platform's S3 store holding job objects (several replicas see them), against moto", () => {
  let dir: string;
  let moto: MotoServer;
  let fake: FakeRunPod;
  let transfer: Awaited<ReturnType<typeof startTransferServer>>;
  let objects: ReturnType<typeof createS3ObjectStore>;
  const bucketKeys = async (under: string) => [...(await moto.listObjects(BUCKET)).keys()].filter((k) => k.startsWith(under)).sort();
  const dataDirHasJobs = () => existsSync(join(dir, "server", "training", "transfer", "artenic"));
  const onS3 = () => createRunPodComputeProvider({ apiUrl: fake.url, apiKey: API_KEY, cloudType: "SECURE", dataCenterId: "", defaultImage: "runpod/base:0.6.2", exchange: EXCHANGE, storage: gpuCloudJobStorage(transfer.transfer, objects) });
  const onTransfer = () => createRunPodComputeProvider({ apiUrl: fake.url, apiKey: API_KEY, cloudType: "SECURE", dataCenterId: "", defaultImage: "runpod/base:0.6.2", exchange: EXCHANGE, storage: gpuCloudJobStorage(transfer.transfer) });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "artenic-runpod-s3-"));
    moto = await startMotoServer();
    await moto.createBucket(BUCKET);
    objects = createS3ObjectStore({ bucket: BUCKET, prefix: ROOT, region: moto.region, endpoint: moto.endpoint, forcePathStyle: true, credentials: moto.credentials });
    transfer = await startTransferServer(join(dir, "server"));
    fake = await FakeRunPod.start({ apiKey: API_KEY, sandboxRoot: join(dir, "pods") });
  }, 240_000);
  afterAll(async () => {
    await fake?.close();
    await transfer?.close();
    objects?.close();
    await moto?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("runs a job end to end with every object in the bucket under training-jobs/, none in the data dir, and cleans them up", async () => {
    const code = join(dir, "code");
    mkdirSync(code, { recursive: true });
    writeFileSync(join(code, "train.sh"), 'echo "batch=$BATCH"\nprintf weights > "$ARTENIC_OUTPUT_DIR/weights.bin"\n');
    const provider = onS3();
    const handle = await provider.submit(spec({ codePath: code }));
    expect(handle.data["storage"]).toBe(`s3://${BUCKET}/${ROOT}`);
    const deploy = fake.requests.find((r) => r.operationName === "DeployOnDemand")!;
    const bootstrapUrl = (deploy.variables["input"] as { env: { key: string; value: string }[] }).env[0]!.value;
    expect(bootstrapUrl.startsWith(`${moto.endpoint}/${BUCKET}/${ROOT}artenic/jobs/runpod-s3/bootstrap.sh?`)).toBe(true);
    expect(bootstrapUrl).toContain("X-Amz-Signature=");

    expect(await untilTerminal(provider, handle)).toMatchObject({ state: "succeeded", exitCode: 0 });
    expect(await outputsAsText(provider, handle)).toEqual([["weights.bin", "weights"]]);
    expect((await provider.readLogs!(handle, "")).lines).toEqual(["batch=16"]);
    const root = `${ROOT}artenic/jobs/runpod-s3/`;
    expect(await bucketKeys(root)).toEqual(["bootstrap.sh", "code.tar.gz", "env.sh", "logs/stderr.log", "logs/stdout.log", "outputs.tar.gz", "status.json"].map((k) => root + k));
    expect(dataDirHasJobs()).toBe(false);
    expect(transfer.requests).toEqual([]);

    await provider.cleanup(handle);
    expect(await bucketKeys(root)).toEqual([]);
  });

  it("after a restart on S3, a job whose handle was written with platform transfers finishes through them", async () => {
    const before = await onTransfer().submit(spec({ jobName: "trainingJobs/runpod-old", command: ["bash", "-c", 'sleep 1; echo ok > "$ARTENIC_OUTPUT_DIR/r.txt"'] }));
    expect(before.data["storage"]).toBe("artenic-server:training-transfer");
    const persisted = JSON.parse(JSON.stringify(before)) as ProviderHandle;

    const restarted = onS3();
    expect(await untilTerminal(restarted, persisted)).toMatchObject({ state: "succeeded" });
    expect(await outputsAsText(restarted, persisted)).toEqual([["r.txt", "ok\n"]]);
    expect(await transfer.transfer.get("artenic/jobs/runpod-old/status.json")).toBeDefined();
    expect(await bucketKeys(`${ROOT}artenic/jobs/runpod-old/`)).toEqual([]);
    await restarted.cleanup(persisted);
    expect(await transfer.transfer.get("artenic/jobs/runpod-old/status.json")).toBeUndefined();
    expect(await transfer.transfer.get("artenic/jobs/runpod-old/env.sh")).toBeUndefined();
  });

  it("sweeps the bucket's job objects like the data dir's: unknown and long-ended jobs and abandoned uploads go, live ones stay", async () => {
    const orm: Orm = await initOrm({ kind: "sqlite", path: ":memory:" });
    try {
      await migrate(orm);
      const now = new Date();
      await insertTrainingJobRow(orm.em.fork(), "s3-live", "provisioning", { createTime: new Date(now.getTime() - 20 * DAY) });
      await insertTrainingJobRow(orm.em.fork(), "s3-old", "failed", { createTime: new Date(now.getTime() - 10 * DAY), endTime: new Date(now.getTime() - 9 * DAY) });
      for (const id of ["s3-live", "s3-old", "s3-ghost"]) {
        await objects.put(`artenic/jobs/${id}/env.sh`, Buffer.from("export A='1'\n"));
        await objects.put(`artenic/jobs/${id}/logs/stdout.log`, Buffer.from("x\n"));
      }
      await moto.startUpload(BUCKET, `${ROOT}artenic/jobs/s3-live/outputs.tar.gz`);
      const sweep = (nowMs: number) => sweepJobObjects({ em: () => orm.em.fork(), spaces: [objectStoreSpace(objects)], retentionMs: 7 * DAY, now: () => new Date(nowMs) });

      // moto dates every multipart upload in 2010: the one left is abandoned (the cutoff itself is tested in s3-object-store.test.ts).
      const first = await sweep(Date.now());
      expect(first).toEqual({ removedJobs: [`s3://${BUCKET}/${ROOT}: artenic/jobs/s3-ghost/`, `s3://${BUCKET}/${ROOT}: artenic/jobs/s3-old/`], removedUploads: 1 });
      expect(await bucketKeys(`${ROOT}artenic/`)).toEqual([`${ROOT}artenic/jobs/s3-live/env.sh`, `${ROOT}artenic/jobs/s3-live/logs/stdout.log`]);
      expect(await moto.pendingUploads(BUCKET, ROOT)).toEqual([]);
      // Idempotent, as replicas sweeping the same bucket need: the next pass (a month later) removes nothing of the live job.
      expect(await sweep(Date.now() + 30 * DAY)).toEqual({ removedJobs: [], removedUploads: 0 });
      expect(await bucketKeys(`${ROOT}artenic/`)).toHaveLength(2);
    } finally {
      await orm.close();
    }
  });
});
