import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AppError } from "../../../platform/errors/app-error.js";
import { createS3ObjectStore } from "../../../platform/object-store/s3/index.js";
import type { LaunchSpec, ProviderHandle } from "../../compute-provider.js";
import { describeComputeProviderContract } from "../../compute-provider.contract.js";
import { FakeScaleway, type FakeProduct } from "../../../../test/support/fake-scaleway.js";
import { startMotoServer, type MotoServer } from "../../../../test/support/moto-server.js";
import { finishAcrossRestart, outputsOf, untilTerminal } from "../../../../test/support/remote-job-helpers.js";
import { S3JobStorage } from "../remote/s3-job-storage.js";
import { SandboxMachines, commandWorkloads, testLaunchSpec } from "../remote/remote-testing.js";
import { createScalewayComputeProvider, scalewayGpuType, type ScalewayProviderConfig } from "./index.js";

const SECRET = "scw-secret-4f1c0ad0-0000-4000-8000-000000000000";
const PROJECT = "9a7c1c51-2f1c-4e5b-9a0f-2f0c2c8b1d00";
const IMAGE = "ubuntu_noble";
const PRODUCTS: Record<string, Record<string, FakeProduct>> = {
  "fr-par-1": { "DEV1-S": { ncpus: 2, ramGiB: 2, hourly: 0.0088 }, "POP2-2C-8G": { ncpus: 2, ramGiB: 8, hourly: 0.092 } },
  "fr-par-2": { "DEV1-S": { ncpus: 2, ramGiB: 2, hourly: 0.0088 }, "L4-1-24G": { ncpus: 8, ramGiB: 48, hourly: 0.75, gpu: { count: 1, name: "L4", memoryGiB: 24 } } },
};
const RATE = 1.08;

function spec(over: Partial<LaunchSpec> = {}): LaunchSpec {
  return testLaunchSpec({
    jobName: "trainingJobs/s-1",
    command: ["bash", "-c", 'echo "batch=$BATCH"; printf ok > "$ARTENIC_OUTPUT_DIR/model.txt"'],
    env: { BATCH: "32", ARTENIC_JOB_TOKEN: "job-token-secret-value" },
    cpus: 1,
    memoryBytes: 1024 ** 3,
    region: "fr-par-1",
    instanceType: "DEV1-S",
    ...over,
  });
}

describe("scaleway adapter against a fake Instance API, with job objects in moto (S3-compatible)", () => {
  let moto: MotoServer;
  let fake: FakeScaleway;
  let machines: SandboxMachines;
  let work: string;
  let storage: S3JobStorage;
  const config = (over: Partial<ScalewayProviderConfig> = {}): ScalewayProviderConfig => ({
    secretKey: SECRET,
    projectId: PROJECT,
    apiUrl: fake.url,
    defaultZone: "fr-par-1",
    zones: ["fr-par-1", "fr-par-2"],
    image: IMAGE,
    exchangeRate: RATE,
    ...over,
  });
  const make = (over: Partial<ScalewayProviderConfig> = {}) => createScalewayComputeProvider(config(over), storage);
  const attach = (f: FakeScaleway, m: SandboxMachines) => {
    f.onServerStarted = (server) => {
      void m.start(server.id, server.userData ?? "exit 1", { root: join(work, server.id) }).then(() => {
        if (f.servers.has(server.id)) f.setState(server.id, "stopped in place");
      });
    };
    f.onServerDeleted = (id) => void m.kill(id);
  };

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), "artenic-scaleway-"));
    moto = await startMotoServer();
    await moto.createBucket("artenic-scaleway");
    storage = new S3JobStorage(createS3ObjectStore({ bucket: "artenic-scaleway", prefix: "", region: moto.region, endpoint: moto.endpoint, forcePathStyle: true, credentials: moto.credentials }), "url");
  }, 240_000);
  afterAll(async () => {
    await moto?.stop();
    rmSync(work, { recursive: true, force: true });
  });
  beforeEach(async () => {
    fake = await FakeScaleway.start({ secretKey: SECRET, projectId: PROJECT, products: PRODUCTS, images: [IMAGE], maxPerPage: 1 });
    machines = new SandboxMachines();
    attach(fake, machines);
  });
  afterEach(async () => {
    await machines.killAll();
    await fake.close();
  });

  it("prices every commercial type of each zone from products/servers (EUR, converted), across pages, with GPUs in the platform's vocabulary", async () => {
    const offerings = await make().listOfferings();
    const today = new Date().toISOString().slice(0, 10);
    const price = (eur: number) => Math.round(eur * RATE * 1e5) / 1e5;
    expect(offerings.map((o) => [o.instanceType, o.region, o.cpus, o.memoryBytes / 1024 ** 3, o.gpuType, o.gpuCount, o.onDemandPerHour, o.priceSource, o.priceDate])).toEqual([
      ["DEV1-S", "fr-par-1", 2, 2, "", 0, price(0.0088), "live", today],
      ["DEV1-S", "fr-par-2", 2, 2, "", 0, price(0.0088), "live", today],
      ["POP2-2C-8G", "fr-par-1", 2, 8, "", 0, price(0.092), "live", today],
      ["L4-1-24G", "fr-par-2", 8, 48, "nvidia-l4", 1, price(0.75), "live", today],
    ]);
    const pages = fake.requests.filter((r) => r.path === "/instance/v1/zones/fr-par-1/products/servers").map((r) => r.query["page"]);
    expect(pages).toEqual(["1", "2"]);
    expect(fake.requests.every((r) => r.token === SECRET)).toBe(true);
    expect((await make().listOfferings({ gpuType: "nvidia-l4" })).map((o) => o.instanceType)).toEqual(["L4-1-24G"]);
    expect(scalewayGpuType({ gpu: 2, gpuName: "H100-SXM" })).toBe("nvidia-h100-sxm");
    expect(await make({ secretKey: "nope" }).testConnection()).toEqual({ ok: false, message: "scaleway: list server products failed (HTTP 401): denied_authentication: authentication is denied" });
  });

  it("creates a tagged server stopped, sets its cloud-init user data (text/plain, no secret in it), then powers it on; the same job finds it", async () => {
    fake.onServerStarted = undefined;
    const p = make();
    const handle = await p.submit(spec());
    const [server] = [...fake.servers.values()];
    expect(handle).toMatchObject({ provider: "scaleway", id: server!.id, region: "fr-par-1", instanceType: "DEV1-S", data: { volumes: server!.volumeIds.join(",") } });
    const writes = fake.requests.filter((r) => r.method !== "GET").map((r) => `${r.method} ${r.path.replace(server!.id, "{id}")}`);
    expect(writes).toEqual(["POST /instance/v1/zones/fr-par-1/servers", "PATCH /instance/v1/zones/fr-par-1/servers/{id}/user_data/cloud-init", "POST /instance/v1/zones/fr-par-1/servers/{id}/action"]);
    expect(fake.requests.find((r) => r.method === "POST" && r.path.endsWith("/servers"))!.body).toEqual({
      name: "artenic-s-1",
      commercial_type: "DEV1-S",
      image: IMAGE,
      project: PROJECT,
      tags: ["artenic-job=s-1", "artenic-managed-by=artenic"],
      dynamic_ip_required: true,
    });
    const patch = fake.requests.find((r) => r.method === "PATCH")!;
    expect(patch.contentType).toBe("text/plain");
    expect(server!.userData).toMatch(/^#!\/bin\/bash\n/);
    expect(server!.userData).not.toContain("job-token-secret-value");
    expect(fake.requests.find((r) => r.path.endsWith("/action"))!.body).toEqual({ action: "poweron" });
    expect(server!.state).toBe("starting");
    expect(await p.submit(spec())).toEqual(handle);
    expect(fake.servers.size).toBe(1);

    const [a, b] = await Promise.all([make().submit(spec({ jobName: "trainingJobs/s-race" })), make().submit(spec({ jobName: "trainingJobs/s-race" }))]);
    expect(a.id).toBe(b.id);
    expect([...fake.servers.values()].filter((s) => s.tags.includes("artenic-job=s-race")).map((s) => s.id)).toEqual([a.id]);
    expect([...fake.volumes.values()].filter((attached) => attached === "")).toEqual([]);
  });

  it("runs the bootstrap against pre-signed S3 URLs: SUCCEEDED with exactly the outputs; cleanup deletes the stopped server and releases its volume", async () => {
    const p = make();
    const handle = await p.submit(spec({ jobName: "trainingJobs/s-ok" }));
    expect(await untilTerminal(p, handle)).toMatchObject({ state: "succeeded", exitCode: 0 });
    expect(await outputsOf(p, handle)).toEqual([["model.txt", "ok"]]);
    expect((await p.readLogs!(handle, "")).lines).toEqual(["batch=32"]);
    // The script stops its machine after its final status: wait for that before looking.
    await machines.exitOf(handle.id);
    await new Promise((r) => setImmediate(r));
    expect(fake.servers.get(handle.id)?.state).toBe("stopped in place");
    const volume = handle.data["volumes"]!;
    fake.requests.length = 0;
    await p.cleanup(handle);
    expect(fake.calls().filter((c) => !c.startsWith("GET"))).toEqual([`DELETE /instance/v1/zones/fr-par-1/servers/${handle.id}`, `DELETE /instance/v1/zones/fr-par-1/volumes/${volume}`]);
    expect(fake.servers.has(handle.id)).toBe(false);
    expect(fake.volumes.has(volume)).toBe(false);
    await p.cleanup(handle);
  });

  it("terminates a running server with its volumes, maps a failing command to FAILED and a locked server to failed", async () => {
    const p = make();
    const failing = await p.submit(spec({ jobName: "trainingJobs/s-fail", command: ["bash", "-c", "exit 9"] }));
    expect(await untilTerminal(p, failing)).toMatchObject({ state: "failed", exitCode: 9 });

    const running = await p.submit(spec({ jobName: "trainingJobs/s-forever", command: ["sleep", "100000"] }));
    await p.cancel(running);
    expect(fake.requests.filter((r) => r.path.endsWith("/action")).at(-1)?.body).toEqual({ action: "terminate" });
    expect(fake.servers.has(running.id)).toBe(false);
    expect(fake.volumes.has(running.data["volumes"]!)).toBe(false);
    expect(await p.poll(running)).toMatchObject({ state: "failed" });

    fake.onServerStarted = undefined;
    const locked = await p.submit(spec({ jobName: "trainingJobs/s-locked" }));
    fake.setState(locked.id, "locked");
    expect(await p.poll(locked)).toMatchObject({ state: "failed", message: "the machine stopped before the job reported an exit (the server is locked by Scaleway)" });
  });

  it("deletes a server that stopped itself between the look and the terminate (the job's own shutdown racing the cleanup)", async () => {
    const p = make();
    fake.onServerStarted = undefined;
    const handle = await p.submit(spec({ jobName: "trainingJobs/s-stop-race" }));
    fake.setState(handle.id, "running");
    fake.beforeAction = (server, action) => {
      if (action === "terminate") server.state = "stopped";
    };
    try {
      await p.cleanup(handle);
    } finally {
      fake.beforeAction = undefined;
    }
    expect(fake.servers.has(handle.id)).toBe(false);
    const calls = fake.calls().filter((c) => c.includes(handle.id));
    expect(calls.slice(-4)).toEqual([`GET /instance/v1/zones/fr-par-1/servers/${handle.id}`, `POST /instance/v1/zones/fr-par-1/servers/${handle.id}/action`, `GET /instance/v1/zones/fr-par-1/servers/${handle.id}`, `DELETE /instance/v1/zones/fr-par-1/servers/${handle.id}`]);
  });

  it("removes a server that never got its script when the submit fails midway, so the retry starts clean", async () => {
    fake.onServerStarted = undefined;
    fake.failNextUserData = true;
    const p = make();
    const error = (await p.submit(spec({ jobName: "trainingJobs/s-midway" })).catch((e: unknown) => e)) as AppError;
    expect(error.message).toMatch(/^scaleway: set the user data of server [0-9a-f-]{36} failed \(HTTP 500\): internal_error: internal error$/);
    expect(fake.servers.size).toBe(0);
    expect(fake.volumes.size).toBe(0);
    const retried = await p.submit(spec({ jobName: "trainingJobs/s-midway" }));
    expect(fake.servers.get(retried.id)?.state).toBe("starting");
  });

  it("refuses a type the zone does not sell with Scaleway's error, leaving nothing behind", async () => {
    const error = await make()
      .submit(spec({ jobName: "trainingJobs/s-where", instanceType: "L4-1-24G" }))
      .catch((e: unknown) => e);
    expect((error as AppError).message).toBe("scaleway: create server artenic-s-where failed (HTTP 400): invalid_arguments: invalid argument(s) (commercial_type constraint L4-1-24G is not available in fr-par-1)");
    expect(fake.servers.size).toBe(0);
  });

  it("resumes after a restart from the persisted handle alone", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    fake.onServerStarted = (server) =>
      void gate.then(() =>
        machines.start(server.id, server.userData!, { root: join(work, `r-${server.id}`) }).then(() => {
          if (fake.servers.has(server.id)) fake.setState(server.id, "stopped in place");
        }),
      );
    const handle = await make().submit(spec({ jobName: "trainingJobs/s-restart" }));
    const persisted = JSON.parse(JSON.stringify(handle)) as ProviderHandle;
    const second = make();
    release();
    expect(await untilTerminal(second, persisted)).toMatchObject({ state: "succeeded" });
    expect(await outputsOf(second, persisted)).toEqual([["model.txt", "ok"]]);
    await second.cleanup(persisted);
    expect(fake.volumes.size).toBe(0);
  });

  it("loses nothing across a server restart through the training service and the reconciler", async () => {
    const { handleId, exitCode } = await finishAcrossRestart({ provider: "scaleway", region: "fr-par-1", instanceType: "POP2-2C-8G", jobId: "s-reconciled", makeProvider: () => make() });
    expect(exitCode).toBe(0);
    expect(fake.servers.has(handleId)).toBe(false);
    expect(fake.volumes.size).toBe(0);
  }, 60_000);

  describe("the shared contract", () => {
    let contractFake: FakeScaleway;
    const contractMachines = new SandboxMachines();
    beforeAll(async () => {
      contractFake = await FakeScaleway.start({ secretKey: SECRET, projectId: PROJECT, products: PRODUCTS, images: [IMAGE] });
      attach(contractFake, contractMachines);
    });
    afterAll(async () => {
      await contractMachines.killAll();
      await contractFake?.close();
    });
    describeComputeProviderContract("scaleway", () => createScalewayComputeProvider({ ...config(), apiUrl: contractFake.url }, storage), { ...commandWorkloads(), region: "fr-par-1", pollIntervalMs: 50, timeoutMs: 15_000 });
  });
});
