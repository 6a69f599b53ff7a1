import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AppError } from "../../../platform/errors/app-error.js";
import type { LaunchSpec, ProviderHandle } from "../../compute-provider.js";
import { describeComputeProviderContract } from "../../compute-provider.contract.js";
import { commandWorkloads, testLaunchSpec } from "../remote/remote-testing.js";
import { FakeLambdaCloud } from "../../../../test/support/fake-lambda-cloud.js";
import { startTransferServer } from "../../../../test/support/transfer-server.js";
import { outputsAsText, untilTerminal } from "../../../../test/support/remote-job-polling.js";
import { createLambdaComputeProvider, type LambdaProviderConfig } from "./index.js";
import { gpuCloudJobStorage } from "../../transfer/index.js";

const API_KEY = "secret_lambda_0123456789abcdef";
const EXCHANGE = { currency: "EUR", rate: 0.9, date: "2026-11-25" };

function spec(over: Partial<LaunchSpec> = {}): LaunchSpec {
  return testLaunchSpec({
    jobName: "trainingJobs/lambda-e2e",
    args: ["--epochs", "2"],
    env: { ARTENIC_JOB_TOKEN: "artenic-job.lambda-e2e.very-secret", LEARNING_RATE: "0.1" },
    cpus: 8,
    memoryBytes: 16 * 1024 ** 3,
    gpuType: "nvidia-a10",
    gpuCount: 1,
    region: "us-east-1",
    instanceType: "gpu_1x_a10",
    ...over,
  });
}

describe("lambda-labs adapter against a fake Lambda Cloud API, with job transfers through the platform", () => {
  let dir: string;
  let fake: FakeLambdaCloud;
  let transfer: Awaited<ReturnType<typeof startTransferServer>>;
  const make = (over: Partial<LambdaProviderConfig> = {}) =>
    createLambdaComputeProvider({ apiUrl: fake.url, apiKey: API_KEY, sshKeyName: "artenic", exchange: EXCHANGE, storage: gpuCloudJobStorage(transfer.transfer), ...over });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "artenic-lambda-"));
    transfer = await startTransferServer(join(dir, "server"));
    fake = await FakeLambdaCloud.start({ apiKey: API_KEY, sandboxRoot: join(dir, "machines") });
  });
  afterAll(async () => {
    await fake?.close();
    await transfer?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("lists live offerings from the pricing API: regions with capacity, GPU models in the platform's words, converted prices with the rate's date", async () => {
    const offerings = await make().listOfferings();
    expect(offerings.map((o) => `${o.region}/${o.instanceType}`)).toEqual(["us-east-1/gpu_1x_a10", "us-west-1/gpu_1x_a10", "us-west-1/gpu_1x_a100_sxm4"]);
    expect(offerings[0]).toMatchObject({
      provider: "lambda-labs",
      cpus: 30,
      memoryBytes: 200 * 1024 ** 3,
      gpuType: "nvidia-a10",
      gpuCount: 1,
      onDemandPerHour: 0.675,
      priceSource: "live",
      sourceCurrency: "USD",
      exchangeRate: 0.9,
      exchangeRateDate: "2026-11-25",
    });
    expect(offerings[0]!.spotPerHour).toBeUndefined();
    expect(offerings[2]!.gpuType).toBe("nvidia-a100-40gb");
    expect((await make().listOfferings({ gpuType: "nvidia-a100" })).map((o) => o.instanceType)).toEqual(["gpu_1x_a100_sxm4"]);
    expect(fake.requests.at(-1)).toMatchObject({ method: "GET", path: "/instance-types", authorization: `Bearer ${API_KEY}` });
  });

  it("runs a job end to end: launch with the bootstrap as user data, code downloaded through the transfer, status and outputs uploaded, SUCCEEDED with exactly the outputs", async () => {
    const code = join(dir, "code");
    mkdirSync(code, { recursive: true });
    writeFileSync(join(code, "train.sh"), 'echo "training with lr=$LEARNING_RATE $*"\nprintf model-bytes > "$ARTENIC_OUTPUT_DIR/model.onnx"\nmkdir -p "$ARTENIC_OUTPUT_DIR/metrics"\necho \'{"loss":0.1}\' > "$ARTENIC_OUTPUT_DIR/metrics/final.json"\n');
    const provider = make();
    fake.requests.length = 0;
    const handle = await provider.submit(spec({ codePath: code }));
    expect(handle).toMatchObject({ provider: "lambda-labs", region: "us-east-1", instanceType: "gpu_1x_a10" });
    expect(handle.data).toMatchObject({ jobId: "lambda-e2e", name: "artenic-lambda-e2e" });
    expect(fake.calls()).toEqual(["GET /instances", "POST /instance-operations/launch"]);
    const launch = fake.requests[1]!.body as Record<string, unknown>;
    expect(Object.keys(launch).sort()).toEqual(["file_system_names", "instance_type_name", "name", "quantity", "region_name", "ssh_key_names", "user_data"]);
    expect(launch).toMatchObject({ region_name: "us-east-1", instance_type_name: "gpu_1x_a10", ssh_key_names: ["artenic"], quantity: 1, name: "artenic-lambda-e2e" });
    const userData = launch["user_data"] as string;
    expect(userData.startsWith("#!/bin/bash")).toBe(true);
    expect(userData).toContain(`${transfer.url}/training-transfer/v1/artenic/jobs/lambda-e2e/code.tar.gz?expires=`);
    // The job's secrets travel in env.sh through the transfer, never in the user data.
    expect(userData).not.toContain("very-secret");

    const status = await untilTerminal(provider, handle);
    expect(status).toMatchObject({ state: "succeeded", exitCode: 0 });
    expect(await outputsAsText(provider, handle)).toEqual([
      ["metrics/final.json", '{"loss":0.1}\n'],
      ["model.onnx", "model-bytes"],
    ]);
    const logs = await provider.readLogs!(handle, "");
    expect(logs.lines).toContain("training with lr=0.1 --epochs 2");
    const movedNow = () => transfer.requests.filter((r) => r.key.startsWith("artenic/jobs/lambda-e2e/")).map((r) => `${r.method} ${r.key.slice("artenic/jobs/lambda-e2e/".length)} ${r.status}`);
    // A transfer is recorded when its exchange is over, so the order of the records is the order in
    // which curl finished with them, and the environment's download may be recorded a moment late.
    for (let i = 0; i < 100 && !movedNow().includes("GET env.sh 200"); i++) await new Promise((r) => setTimeout(r, 50));
    const moved = movedNow();
    expect(moved[0]).toBe("GET code.tar.gz 200");
    expect(moved).toEqual(expect.arrayContaining(["GET env.sh 200", "PUT status.json 201"]));
    expect(moved).toContain("PUT outputs.tar.gz 201");
    // The script shut the OS down; the instance stays until cleanup terminates it. The final status
    // object is uploaded before the shutdown, so the job may read as finished a moment before it.
    await expect.poll(() => fake.instances.get(handle.id)?.stoppedItself, { timeout: 10_000 }).toBe(true);
    await provider.cleanup(handle);
    expect(fake.instances.get(handle.id)?.status).toBe("terminated");
    expect(await transfer.transfer.get("artenic/jobs/lambda-e2e/status.json")).toBeUndefined();
  });

  it("reports FAILED with the exit code of a failing command, and FAILED when the machine vanishes without a final status", async () => {
    const provider = make();
    const failing = await provider.submit(spec({ jobName: "trainingJobs/lambda-fail", command: ["bash", "-c", "echo boom >&2; exit 3"], args: [] }));
    expect(await untilTerminal(provider, failing)).toMatchObject({ state: "failed", exitCode: 3, message: "exit code 3" });
    expect((await provider.readLogs!(failing, "")).lines).toContain("boom");

    const vanishing = await provider.submit(spec({ jobName: "trainingJobs/lambda-vanish", command: ["sleep", "100000"], args: [] }));
    await expect.poll(async () => (await provider.poll(vanishing)).state, { timeout: 10_000 }).toBe("running");
    await fake.vanish(vanishing.id);
    expect(await provider.poll(vanishing)).toMatchObject({ state: "failed", message: expect.stringContaining("the machine stopped before the job reported an exit") });
    await provider.cleanup(failing);
    await provider.cleanup(vanishing);
  });

  it("resumes after a restart: a new adapter polls the persisted handle, finishes the job and cleans up, tolerating what is gone", async () => {
    const before = make();
    const handle = await before.submit(spec({ jobName: "trainingJobs/lambda-restart", command: ["bash", "-c", 'sleep 1; echo done > "$ARTENIC_OUTPUT_DIR/out.txt"'], args: [] }));
    const persisted = JSON.parse(JSON.stringify(handle)) as ProviderHandle;
    const after = make();
    expect(await untilTerminal(after, persisted)).toMatchObject({ state: "succeeded" });
    expect((await after.collectArtifacts(persisted)).files.map((f) => f.name)).toEqual(["out.txt"]);
    // The same job submitted again while its instance lives is the same instance.
    expect((await after.submit(spec({ jobName: "trainingJobs/lambda-restart" }))).id).toBe(handle.id);
    await after.cleanup(persisted);
    await after.cleanup(persisted);
    expect(fake.calls().filter((c) => c === "POST /instance-operations/terminate").length).toBeGreaterThanOrEqual(2);
  });

  it("translates Lambda's errors: refused key, no capacity (with Lambda's code), spot refused, connection test naming the SSH key", async () => {
    const wrong = await make({ apiKey: "nope" }).listOfferings().catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(AppError);
    expect(wrong).toMatchObject({ kind: "permission_denied", reason: "LAMBDA_CREDENTIALS_REFUSED" });
    expect((wrong as AppError).message).toContain("global/invalid-api-key");
    fake.noCapacity = true;
    const full = await make().submit(spec({ jobName: "trainingJobs/lambda-full" })).catch((e: unknown) => e);
    fake.noCapacity = false;
    expect(full).toMatchObject({ kind: "failed_precondition", reason: "LAMBDA_REQUEST_REFUSED" });
    expect((full as AppError).message).toContain("instance-operations/launch/insufficient-capacity");
    expect((full as AppError).message).toContain("Not enough capacity to fulfill launch request.");
    const spot = await make().submit(spec({ jobName: "trainingJobs/lambda-spot", spot: true })).catch((e: unknown) => e);
    expect(spot).toMatchObject({ reason: "SPOT_NOT_OFFERED" });
    expect(await make().testConnection()).toMatchObject({ ok: true, message: expect.stringContaining("SSH key artenic") });
    expect(await make({ sshKeyName: "missing" }).testConnection()).toEqual({ ok: false, message: "lambda-labs: the SSH key missing is not registered (known: artenic)" });
    expect((await make({ apiKey: "nope" }).testConnection()).ok).toBe(false);
  });

  describeComputeProviderContract("lambda-labs", () => make(), { ...commandWorkloads(), region: "us-east-1", instanceType: "gpu_1x_a10", pollIntervalMs: 50, timeoutMs: 15_000 });
});
