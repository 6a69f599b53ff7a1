import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AppError } from "../../../platform/errors/app-error.js";
import type { LaunchSpec, ProviderHandle } from "../../compute-provider.js";
import { describeComputeProviderContract } from "../../compute-provider.contract.js";
import { commandWorkloads, testLaunchSpec } from "../remote/remote-testing.js";
import { FakeRunPod } from "../../../../test/support/fake-runpod.js";
import { startTransferServer } from "../../../../test/support/transfer-server.js";
import { outputsAsText, untilTerminal } from "../../../../test/support/remote-job-polling.js";
import { createRunPodComputeProvider, RUNPOD_DOCKER_ARGS, type RunPodProviderConfig } from "./index.js";
import { gpuCloudJobStorage } from "../../transfer/index.js";

const API_KEY = "rpa_TESTKEY0123456789";
const EXCHANGE = { currency: "USD", rate: 1, date: "2026-11-26" };

function spec(over: Partial<LaunchSpec> = {}): LaunchSpec {
  return testLaunchSpec({
    jobName: "trainingJobs/runpod-e2e",
    image: "ghcr.io/acme/train:3",
    env: { ARTENIC_JOB_TOKEN: "artenic-job.runpod-e2e.very-secret", BATCH: "32" },
    cpus: 4,
    memoryBytes: 24 * 1024 ** 3,
    gpuType: "nvidia-a100-80gb",
    gpuCount: 2,
    region: "any",
    instanceType: "1x-a100-80gb",
    ...over,
  });
}

describe("runpod adapter against a schema-validating fake RunPod GraphQL API, with job transfers through the platform", () => {
  let dir: string;
  let fake: FakeRunPod;
  let transfer: Awaited<ReturnType<typeof startTransferServer>>;
  const make = (over: Partial<RunPodProviderConfig> = {}) =>
    createRunPodComputeProvider({ apiUrl: fake.url, apiKey: API_KEY, cloudType: "SECURE", dataCenterId: "", defaultImage: "runpod/base:0.6.2", exchange: EXCHANGE, storage: gpuCloudJobStorage(transfer.transfer), ...over });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "artenic-runpod-"));
    transfer = await startTransferServer(join(dir, "server"));
    fake = await FakeRunPod.start({ apiKey: API_KEY, sandboxRoot: join(dir, "pods") });
  });
  afterAll(async () => {
    await fake?.close();
    await transfer?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("prices GPU models live from gpuTypes.lowestPrice: the cheapest RunPod type per model, on-demand and bid, in the platform currency", async () => {
    const offerings = await make({ exchange: { currency: "EUR", rate: 0.5, date: "2026-11-20" } }).listOfferings();
    expect(offerings.map((o) => [o.instanceType, o.gpuType, o.onDemandPerHour, o.spotPerHour])).toEqual([
      ["1x-rtx-4090", "nvidia-rtx-4090", 0.345, 0.175],
      ["1x-a100-80gb", "nvidia-a100-80gb", 0.82, 0.41],
    ]);
    expect(offerings[1]).toMatchObject({ provider: "runpod", region: "any", cpus: 8, memoryBytes: 117 * 1024 ** 3, priceSource: "live", exchangeRate: 0.5, exchangeRateDate: "2026-11-20" });
    const request = fake.requests.at(-1)!;
    expect(request).toMatchObject({ operationName: "GpuTypes", variables: { lowestPriceInput: { gpuCount: 1 } }, authorization: `Bearer ${API_KEY}` });
    expect(await make().listOfferings({ region: "EU-RO-1" })).toEqual([]);
  });

  it("runs a job end to end in a pod of its image: the container command fetches the bootstrap, code and env through the transfer; SUCCEEDED with exactly the outputs", async () => {
    const code = join(dir, "code");
    mkdirSync(code, { recursive: true });
    writeFileSync(join(code, "train.sh"), 'echo "batch=$BATCH token=${#ARTENIC_JOB_TOKEN}"\nprintf weights > "$ARTENIC_OUTPUT_DIR/weights.bin"\n');
    const provider = make();
    fake.requests.length = 0;
    const handle = await provider.submit(spec({ codePath: code }));
    expect(fake.operations()).toEqual(["MyPods", "GpuTypes", "DeployOnDemand"]);
    expect(fake.requests[1]!.variables).toEqual({ lowestPriceInput: { gpuCount: 2 } });
    const input = fake.requests[2]!.variables["input"];
    expect(input).toEqual({
      name: "artenic-runpod-e2e",
      imageName: "ghcr.io/acme/train:3",
      gpuTypeId: "NVIDIA A100 80GB PCIe",
      gpuCount: 2,
      cloudType: "SECURE",
      containerDiskInGb: 50,
      volumeInGb: 0,
      minVcpuCount: 4,
      minMemoryInGb: 24,
      dockerArgs: RUNPOD_DOCKER_ARGS,
      env: [{ key: "ARTENIC_BOOTSTRAP_URL", value: expect.stringMatching(new RegExp(`^${transfer.url}/training-transfer/v1/artenic/jobs/runpod-e2e/bootstrap\\.sh\\?expires=\\d+&max=0&sig=`)) }],
    });
    expect(JSON.stringify(fake.requests)).not.toContain("very-secret");
    expect(handle.data).toMatchObject({ name: "artenic-runpod-e2e", gpuTypeId: "NVIDIA A100 80GB PCIe", interruptible: "false", jobId: "runpod-e2e" });

    expect(await untilTerminal(provider, handle)).toMatchObject({ state: "succeeded", exitCode: 0 });
    expect(await outputsAsText(provider, handle)).toEqual([["weights.bin", "weights"]]);
    expect((await provider.readLogs!(handle, "")).lines).toEqual(["batch=32 token=34"]);
    // The image ran the command itself (runsInImage): no docker in the script.
    expect(Buffer.from((await transfer.transfer.get("artenic/jobs/runpod-e2e/bootstrap.sh"))!).toString()).not.toContain("docker run");
    await provider.cleanup(handle);
    expect(fake.pods.get(handle.id)!.desiredStatus).toBe("TERMINATED");
    expect(await transfer.transfer.get("artenic/jobs/runpod-e2e/bootstrap.sh")).toBeUndefined();
  });

  it("rents an interruptible pod at the minimum bid for a spot job, and reports PREEMPTED when it is outbid", async () => {
    const provider = make();
    const handle = await provider.submit(spec({ jobName: "trainingJobs/runpod-spot", spot: true, gpuCount: 1, command: ["sleep", "100000"] }));
    const rent = fake.requests.at(-1)!;
    expect(rent.operationName).toBe("RentInterruptable");
    expect(rent.variables["input"]).toMatchObject({ bidPerGpu: 0.82, gpuTypeId: "NVIDIA A100 80GB PCIe", gpuCount: 1 });
    await expect.poll(async () => (await provider.poll(handle)).state, { timeout: 10_000 }).toBe("running");
    await fake.outbid(handle.id);
    expect(await provider.poll(handle)).toMatchObject({ state: "preempted", message: expect.stringContaining("Outbid: stopped by RunPod") });
    await provider.cleanup(handle);
  });

  it("reports FAILED with the exit code, resumes after a restart from the persisted handle, and cleans up tolerating what is gone", async () => {
    const provider = make();
    const failing = await provider.submit(spec({ jobName: "trainingJobs/runpod-fail", command: ["bash", "-c", "exit 7"] }));
    expect(await untilTerminal(provider, failing)).toMatchObject({ state: "failed", exitCode: 7 });

    const handle = await make().submit(spec({ jobName: "trainingJobs/runpod-restart", command: ["bash", "-c", 'sleep 1; echo ok > "$ARTENIC_OUTPUT_DIR/r.txt"'] }));
    const restarted = make();
    const persisted = JSON.parse(JSON.stringify(handle)) as ProviderHandle;
    expect(await untilTerminal(restarted, persisted)).toMatchObject({ state: "succeeded" });
    expect((await restarted.collectArtifacts(persisted)).files.map((f) => f.name)).toEqual(["r.txt"]);
    await restarted.cleanup(persisted);
    await restarted.cleanup(persisted);
    await restarted.cleanup(failing);
    expect((await restarted.poll(persisted)).state).toBe("failed");
  });

  it("translates errors: a refused key, no capacity for the GPU model, and its connection test", async () => {
    const wrong = await make({ apiKey: "nope" }).listOfferings().catch((e: unknown) => e);
    expect(wrong).toMatchObject({ kind: "permission_denied", reason: "RUNPOD_CREDENTIALS_REFUSED" });
    expect((wrong as AppError).message).toContain("Unauthorized");
    const none = await make().submit(spec({ jobName: "trainingJobs/runpod-h100", gpuType: "nvidia-h100", gpuCount: 1 })).catch((e: unknown) => e);
    expect(none).toMatchObject({ reason: "RUNPOD_GPU_UNAVAILABLE", message: "runpod: no capacity for 1 × nvidia-h100 now." });
    expect(await make().testConnection()).toMatchObject({ ok: true, message: expect.stringContaining("as user_fake") });
    expect((await make({ apiKey: "nope" }).testConnection()).ok).toBe(false);
  });

  describeComputeProviderContract("runpod", () => make(), { ...commandWorkloads(), pollIntervalMs: 50, timeoutMs: 15_000 });
});
