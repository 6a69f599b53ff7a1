import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LaunchSpec, ProviderHandle } from "../../compute-provider.js";
import { describeComputeProviderContract } from "../../compute-provider.contract.js";
import { commandWorkloads, testLaunchSpec } from "../remote/remote-testing.js";
import { FakeVast } from "../../../../test/support/fake-vastai.js";
import { startTransferServer } from "../../../../test/support/transfer-server.js";
import { outputsAsText, untilTerminal } from "../../../../test/support/remote-job-polling.js";
import { createVastComputeProvider, VAST_ARGS, type VastProviderConfig } from "./index.js";
import { gpuCloudJobStorage } from "../../transfer/index.js";

const API_KEY = "vast_TESTKEY_abcdef0123";
const EXCHANGE = { currency: "USD", rate: 1, date: "2026-11-26" };

function spec(over: Partial<LaunchSpec> = {}): LaunchSpec {
  return testLaunchSpec({
    jobName: "trainingJobs/vast-e2e",
    image: "pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime",
    env: { ARTENIC_JOB_TOKEN: "artenic-job.vast-e2e.very-secret", SEED: "7" },
    cpus: 4,
    memoryBytes: 16 * 1024 ** 3,
    gpuType: "nvidia-rtx-4090",
    gpuCount: 1,
    region: "global",
    instanceType: "1x-rtx-4090",
    ...over,
  });
}

describe("vastai adapter against a fake Vast.ai API, with job transfers through the platform", () => {
  let dir: string;
  let fake: FakeVast;
  let transfer: Awaited<ReturnType<typeof startTransferServer>>;
  const make = (over: Partial<VastProviderConfig> = {}) =>
    createVastComputeProvider({ apiUrl: fake.url, apiKey: API_KEY, defaultImage: "ubuntu:24.04", exchange: EXCHANGE, storage: gpuCloudJobStorage(transfer.transfer), ...over });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "artenic-vast-"));
    transfer = await startTransferServer(join(dir, "server"));
    fake = await FakeVast.start({ apiKey: API_KEY, sandboxRoot: join(dir, "instances") });
  });
  afterAll(async () => {
    await fake?.close();
    await transfer?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("prices GPU models from the offer search (dph_total, min_bid): verified, reliable hosts only, the cheapest offer per model", async () => {
    const offerings = await make({ exchange: { currency: "EUR", rate: 0.92, date: "2026-11-24" } }).listOfferings();
    expect(offerings.map((o) => [o.instanceType, o.gpuType, o.onDemandPerHour, o.spotPerHour, o.cpus])).toEqual([
      ["1x-rtx-4090", "nvidia-rtx-4090", 0.3496, 0.184, 8],
      ["1x-a100-80gb", "nvidia-a100-80gb", 0.966, 0.506, 24],
    ]);
    expect(offerings[0]).toMatchObject({ provider: "vastai", region: "global", memoryBytes: 32000 * 1024 ** 2, priceSource: "live", exchangeRate: 0.92, exchangeRateDate: "2026-11-24" });
    expect(fake.requests.at(-1)).toMatchObject({
      method: "POST",
      path: "/bundles/",
      authorization: `Bearer ${API_KEY}`,
      body: { verified: { eq: true }, rentable: { eq: true }, rented: { eq: false }, reliability2: { gte: 0.95 }, num_gpus: { eq: 1 }, type: "on-demand", order: [["dph_total", "asc"]], limit: 100 },
    });
    expect(await make().listOfferings({ region: "eu" })).toEqual([]);
  });

  it("runs a job end to end on an accepted offer: the image's command fetches the bootstrap, code and env through the transfer; SUCCEEDED with exactly the outputs", async () => {
    const code = join(dir, "code");
    mkdirSync(join(code, "src"), { recursive: true });
    writeFileSync(join(code, "src", "train.sh"), 'echo "seed=$SEED in $(basename "$PWD")"\nprintf 1 > "$ARTENIC_OUTPUT_DIR/a.txt"\nprintf 2 > "$ARTENIC_OUTPUT_DIR/b.txt"\n');
    const provider = make();
    fake.requests.length = 0;
    const handle = await provider.submit(spec({ codePath: code, workingDir: "src" }));
    expect(fake.calls()).toEqual(["GET /instances/?owner=me", "POST /bundles/", "PUT /asks/1002/"]);
    expect(fake.requests[1]!.body).toMatchObject({ num_gpus: { eq: 1 }, disk_space: { gte: 50 }, type: "on-demand" });
    expect(fake.requests[2]!.body).toEqual({
      client_id: "me",
      image: "pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime",
      disk: 50,
      label: "artenic-vast-e2e",
      runtype: "args",
      args: [...VAST_ARGS],
      env: { ARTENIC_BOOTSTRAP_URL: expect.stringContaining(`${transfer.url}/training-transfer/v1/artenic/jobs/vast-e2e/bootstrap.sh?expires=`) },
    });
    expect(JSON.stringify(fake.requests)).not.toContain("very-secret");
    expect(handle.data).toMatchObject({ label: "artenic-vast-e2e", offerId: "1002", interruptible: "false" });
    expect(await untilTerminal(provider, handle)).toMatchObject({ state: "succeeded", exitCode: 0 });
    expect(await outputsAsText(provider, handle)).toEqual([
      ["a.txt", "1"],
      ["b.txt", "2"],
    ]);
    expect((await provider.readLogs!(handle, "")).lines).toEqual(["seed=7 in src"]);
    await provider.cleanup(handle);
    expect(fake.instances.get(Number(handle.id))!.destroyed).toBe(true);
    expect(fake.calls().at(-1)).toBe(`DELETE /instances/${handle.id}/`);
  });

  it("bids over the minimum for a spot job, and reports PREEMPTED when the interruptible instance is outbid", async () => {
    const provider = make();
    const handle = await provider.submit(spec({ jobName: "trainingJobs/vast-spot", spot: true, gpuType: "nvidia-a100-80gb", command: ["sleep", "100000"] }));
    const search = fake.requests.filter((r) => r.path === "/bundles/").at(-1)!;
    expect(search.body).toMatchObject({ type: "bid", order: [["min_bid", "asc"]] });
    expect(fake.requests.at(-1)).toMatchObject({ method: "PUT", path: "/asks/1004/", body: { price: 0.605 } });
    await expect.poll(async () => (await provider.poll(handle)).state, { timeout: 10_000 }).toBe("running");
    await fake.outbid(Number(handle.id));
    expect(await provider.poll(handle)).toMatchObject({ state: "preempted", message: expect.stringContaining("Outbid") });
    await provider.cleanup(handle);
  });

  it("skips an offer taken meanwhile, reports FAILED with the exit code, resumes after a restart and cleans up tolerating what is gone", async () => {
    fake.offers.find((o) => o.id === 1002)!.rentable = false;
    const provider = make();
    const failing = await provider.submit(spec({ jobName: "trainingJobs/vast-fail", command: ["bash", "-c", "exit 4"] }));
    expect(fake.requests.filter((r) => r.path.startsWith("/asks/")).at(-1)?.path).toBe("/asks/1001/");
    fake.offers.find((o) => o.id === 1002)!.rentable = true;
    expect(await untilTerminal(provider, failing)).toMatchObject({ state: "failed", exitCode: 4 });

    const handle = await make().submit(spec({ jobName: "trainingJobs/vast-restart", gpuType: "nvidia-a100-80gb", command: ["bash", "-c", 'sleep 1; echo ok > "$ARTENIC_OUTPUT_DIR/r.txt"'] }));
    const persisted = JSON.parse(JSON.stringify(handle)) as ProviderHandle;
    const restarted = make();
    expect(await untilTerminal(restarted, persisted)).toMatchObject({ state: "succeeded" });
    expect((await restarted.collectArtifacts(persisted)).files.map((f) => f.name)).toEqual(["r.txt"]);
    await restarted.cleanup(persisted);
    await restarted.cleanup(persisted);
    await restarted.cleanup(failing);
    expect((await restarted.poll(persisted)).state).toBe("failed");
  });

  it("translates errors and tests the connection", async () => {
    expect(await make({ apiKey: "nope" }).listOfferings().catch((e: unknown) => e)).toMatchObject({ kind: "permission_denied", reason: "VASTAI_CREDENTIALS_REFUSED", message: expect.stringContaining("invalid_user") });
    expect(await make().submit(spec({ jobName: "trainingJobs/vast-none", gpuType: "nvidia-h100" })).catch((e: unknown) => e)).toMatchObject({ reason: "VASTAI_NO_OFFER" });
    expect(await make().testConnection()).toMatchObject({ ok: true, message: expect.stringContaining("as artenic-test") });
    expect((await make({ apiKey: "nope" }).testConnection()).ok).toBe(false);
  });

  describeComputeProviderContract("vastai", () => make({ minReliability: 0.5 }), { ...commandWorkloads(), instanceType: "1x-rtx-4090", pollIntervalMs: 50, timeoutMs: 15_000 });
});
