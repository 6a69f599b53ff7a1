import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AppError } from "../../../platform/errors/app-error.js";
import { createS3ObjectStore } from "../../../platform/object-store/s3/index.js";
import type { LaunchSpec, ProviderHandle } from "../../compute-provider.js";
import { describeComputeProviderContract } from "../../compute-provider.contract.js";
import { FakeHetzner, type FakeServerType } from "../../../../test/support/fake-hetzner.js";
import { startMotoServer, type MotoServer } from "../../../../test/support/moto-server.js";
import { finishAcrossRestart, outputsOf, untilTerminal } from "../../../../test/support/remote-job-helpers.js";
import { S3JobStorage } from "../remote/s3-job-storage.js";
import { SandboxMachines, commandWorkloads, testLaunchSpec } from "../remote/remote-testing.js";
import { createHetznerComputeProvider, hetznerServerName, type HetznerProviderConfig } from "./index.js";

const TOKEN = "hcloud-token-0123456789abcdef";
const TYPES: FakeServerType[] = [
  { name: "cx22", cores: 2, memory: 4, disk: 40, architecture: "x86", prices: { fsn1: "0.0060000000", nbg1: "0.0060000000", hel1: "0.0060000000" } },
  { name: "cax31", cores: 8, memory: 16, disk: 160, architecture: "arm", prices: { fsn1: "0.0216000000", hel1: "0.0216000000" } },
  { name: "ccx33", cores: 8, memory: 32, disk: 240, architecture: "x86", prices: { fsn1: "0.0784000000", ash: "0.0784000000" } },
];
const RATE = 1.08;

function spec(over: Partial<LaunchSpec> = {}): LaunchSpec {
  return testLaunchSpec({
    jobName: "trainingJobs/h-1",
    command: ["bash", "-c", 'echo "seed=$SEED"; printf ok > "$ARTENIC_OUTPUT_DIR/model.txt"'],
    env: { SEED: "7", ARTENIC_JOB_TOKEN: "job-token-secret-value" },
    cpus: 1,
    memoryBytes: 1024 ** 3,
    region: "fsn1",
    instanceType: "cx22",
    ...over,
  });
}

describe("hetzner adapter against a fake Hetzner Cloud API, with job objects in moto (S3-compatible)", () => {
  let moto: MotoServer;
  let fake: FakeHetzner;
  let machines: SandboxMachines;
  let work: string;
  let storage: S3JobStorage;
  let bucketKeys: () => Promise<string[]>;
  const config = (over: Partial<HetznerProviderConfig> = {}): HetznerProviderConfig => ({ apiToken: TOKEN, apiUrl: fake.url, defaultLocation: "fsn1", image: "ubuntu-24.04", exchangeRate: RATE, ...over });
  const make = (over: Partial<HetznerProviderConfig> = {}) => createHetznerComputeProvider(config(over), storage);
  const attach = () => {
    fake.onServerCreated = (server) => {
      void machines.start(String(server.id), server.userData, { root: join(work, String(server.id)) }).then(() => {
        if (fake.servers.has(server.id)) fake.setStatus(server.id, "off");
      });
    };
    fake.onServerDeleted = (id) => void machines.kill(String(id));
  };

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), "artenic-hetzner-"));
    moto = await startMotoServer();
    await moto.createBucket("artenic-hetzner");
    const store = createS3ObjectStore({ bucket: "artenic-hetzner", prefix: "", region: moto.region, endpoint: moto.endpoint, forcePathStyle: true, credentials: moto.credentials });
    storage = new S3JobStorage(store, "url");
    bucketKeys = async () => (await moto.aws("s3api", "list-objects-v2", "--bucket", "artenic-hetzner", "--query", "Contents[].Key", "--output", "text")).split(/\s+/).filter((k) => k && k !== "None");
  }, 240_000);
  afterAll(async () => {
    await moto?.stop();
    rmSync(work, { recursive: true, force: true });
  });
  beforeEach(async () => {
    fake = await FakeHetzner.start({ token: TOKEN, serverTypes: TYPES, maxPerPage: 2 });
    machines = new SandboxMachines();
    attach();
  });
  afterEach(async () => {
    await machines.killAll();
    await fake.close();
  });

  it("prices every server type per location from server_types (net EUR, converted at the dated rate), across pages, with the Bearer token", async () => {
    const offerings = await make().listOfferings();
    const today = new Date().toISOString().slice(0, 10);
    const price = (net: number) => Math.round(net * RATE * 1e5) / 1e5;
    expect(offerings.map((o) => [o.instanceType, o.region, o.cpus, o.memoryBytes / 1024 ** 3, o.onDemandPerHour, o.spotPerHour, o.priceSource, o.priceDate])).toEqual([
      ["cx22", "fsn1", 2, 4, price(0.006), undefined, "live", today],
      ["cx22", "hel1", 2, 4, price(0.006), undefined, "live", today],
      ["cx22", "nbg1", 2, 4, price(0.006), undefined, "live", today],
      ["cax31", "fsn1", 8, 16, price(0.0216), undefined, "live", today],
      ["cax31", "hel1", 8, 16, price(0.0216), undefined, "live", today],
      ["ccx33", "ash", 8, 32, price(0.0784), undefined, "live", today],
      ["ccx33", "fsn1", 8, 32, price(0.0784), undefined, "live", today],
    ]);
    expect(fake.requests.filter((r) => r.path === "/server_types").map((r) => r.query["page"])).toEqual(["1", "2"]);
    expect(fake.requests.every((r) => r.authorization === `Bearer ${TOKEN}`)).toBe(true);
    expect((await make().listOfferings({ region: "hel1" })).map((o) => o.instanceType)).toEqual(["cx22", "cax31"]);
    expect(await make().listOfferings({ gpuType: "nvidia-l4" })).toEqual([]);

    const denied = await make({ apiToken: "wrong" }).testConnection();
    expect(denied).toEqual({ ok: false, message: "hetzner: list server types failed (HTTP 401): unauthorized: unable to authenticate" });
  });

  it("creates one labelled server with the bootstrap as user_data (no secret in it), finds it again, and keeps one when two submits race", async () => {
    fake.onServerCreated = undefined;
    const p = make();
    const handle = await p.submit(spec());
    const [server] = [...fake.servers.values()];
    expect(handle).toMatchObject({ provider: "hetzner", id: String(server!.id), region: "fsn1", instanceType: "cx22" });
    const create = fake.requests.find((r) => r.method === "POST" && r.path === "/servers")!;
    expect(create.body).toEqual({
      name: "artenic-h-1",
      server_type: "cx22",
      image: "ubuntu-24.04",
      location: "fsn1",
      user_data: server!.userData,
      labels: { "artenic-job": "h-1", "artenic-managed-by": "artenic" },
      start_after_create: true,
      public_net: { enable_ipv4: true, enable_ipv6: true },
    });
    expect(server!.userData).toMatch(/^#!\/bin\/bash\n/);
    expect(server!.userData).not.toContain("job-token-secret-value");
    expect(server!.userData).not.toContain(moto.credentials.secretAccessKey);
    expect(server!.userData).toContain(`${moto.endpoint}/artenic-hetzner/artenic/jobs/h-1/code.tar.gz`.replace("/code.tar.gz", "/env.sh"));

    expect(await p.submit(spec())).toEqual(handle);
    expect(fake.requests.filter((r) => r.method === "GET" && r.path === "/servers").at(-1)?.query).toMatchObject({ label_selector: "artenic-job=h-1" });

    const [a, b] = await Promise.all([make().submit(spec({ jobName: "trainingJobs/race" })), make().submit(spec({ jobName: "trainingJobs/race" }))]);
    expect(a.id).toBe(b.id);
    expect([...fake.servers.values()].filter((s) => s.labels["artenic-job"] === "race")).toHaveLength(1);
    expect(hetznerServerName("x".repeat(60))).toBe(`${"x".repeat(60)}.artenic`);
  });

  it("runs the bootstrap against pre-signed S3 URLs: SUCCEEDED with exactly the outputs and logs; cleanup removes the server and every object", async () => {
    const code = join(work, "code");
    mkdirSync(code, { recursive: true });
    writeFileSync(join(code, "weights.txt"), "w=3");
    const p = make();
    const handle = await p.submit(spec({ jobName: "trainingJobs/h-ok", codePath: code, command: ["bash", "-c", 'cp weights.txt "$ARTENIC_OUTPUT_DIR/"; echo "seed=$SEED"'] }));
    expect(await untilTerminal(p, handle)).toMatchObject({ state: "succeeded", exitCode: 0 });
    expect(await outputsOf(p, handle)).toEqual([["weights.txt", "w=3"]]);
    expect((await p.readLogs!(handle, "")).lines).toEqual(["seed=7"]);
    // The script stops its machine after its final status: wait for that before looking.
    await machines.exitOf(handle.id);
    await new Promise((r) => setImmediate(r));
    expect(fake.servers.get(Number(handle.id))?.status).toBe("off");
    expect((await bucketKeys()).filter((k) => k.includes("/h-ok/")).sort()).toEqual(
      ["code.tar.gz", "env.sh", "logs/stderr.log", "logs/stdout.log", "outputs.tar.gz", "status.json"].map((k) => `artenic/jobs/h-ok/${k}`),
    );
    await p.cleanup(handle);
    expect(fake.servers.has(Number(handle.id))).toBe(false);
    expect((await bucketKeys()).filter((k) => k.includes("/h-ok/"))).toEqual([]);
    await p.cleanup(handle);
  });

  it("maps a failing command to FAILED with its exit code, a failed create action and a rebuild to failed, and an unknown status to running", async () => {
    const p = make();
    const failing = await p.submit(spec({ jobName: "trainingJobs/h-fail", command: ["bash", "-c", "exit 5"] }));
    expect(await untilTerminal(p, failing)).toMatchObject({ state: "failed", exitCode: 5 });

    fake.onServerCreated = undefined;
    fake.failNextCreate = "no capacity for server type cx22 in location fsn1";
    const placement = await p.submit(spec({ jobName: "trainingJobs/h-placement" }));
    expect(await p.poll(placement)).toMatchObject({ state: "failed", message: "the machine stopped before the job reported an exit (creating the server failed: no capacity for server type cx22 in location fsn1)" });

    const rebuilt = await p.submit(spec({ jobName: "trainingJobs/h-rebuilt" }));
    fake.setStatus(Number(rebuilt.id), "rebuilding");
    expect((await p.poll(rebuilt)).state).toBe("failed");
    fake.setStatus(Number(rebuilt.id), "teleporting");
    expect((await p.poll(rebuilt)).message).toContain("unrecognised status teleporting");
  });

  it("refuses a location the type is not sold in, with Hetzner's error", async () => {
    const error = await make()
      .submit(spec({ jobName: "trainingJobs/h-where", region: "nbg1", instanceType: "cax31" }))
      .catch((e: unknown) => e);
    expect((error as AppError).message).toBe("hetzner: create server artenic-h-where failed (HTTP 412): resource_unavailable: server type cax31 is not available in location nbg1");
  });

  it("resumes after a restart from the persisted handle alone", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    fake.onServerCreated = (server) =>
      void gate.then(() =>
        machines.start(String(server.id), server.userData, { root: join(work, `r-${server.id}`) }).then(() => {
          if (fake.servers.has(server.id)) fake.setStatus(server.id, "off");
        }),
      );
    const handle = await make().submit(spec({ jobName: "trainingJobs/h-restart" }));
    const persisted = JSON.parse(JSON.stringify(handle)) as ProviderHandle;
    const second = make();
    release();
    expect(await untilTerminal(second, persisted)).toMatchObject({ state: "succeeded" });
    expect(await outputsOf(second, persisted)).toEqual([["model.txt", "ok"]]);
    await second.cleanup(persisted);
  });

  it("loses nothing across a server restart through the training service and the reconciler", async () => {
    const { handleId, exitCode } = await finishAcrossRestart({ provider: "hetzner", region: "fsn1", instanceType: "cx22", jobId: "h-reconciled", makeProvider: () => make() });
    expect(exitCode).toBe(0);
    expect(fake.servers.has(Number(handleId))).toBe(false);
    expect((await bucketKeys()).filter((k) => k.includes("/h-reconciled/"))).toEqual([]);
  }, 60_000);

  describe("the shared contract", () => {
    let contractFake: FakeHetzner;
    const contractMachines = new SandboxMachines();
    beforeAll(async () => {
      contractFake = await FakeHetzner.start({ token: TOKEN, serverTypes: TYPES, bootMs: 5 });
      contractFake.onServerCreated = (server) => {
        void contractMachines.start(String(server.id), server.userData, { root: join(work, `c-${server.id}`) }).then(() => {
          if (contractFake.servers.has(server.id)) contractFake.setStatus(server.id, "off");
        });
      };
      contractFake.onServerDeleted = (id) => void contractMachines.kill(String(id));
    });
    afterAll(async () => {
      await contractMachines.killAll();
      await contractFake?.close();
    });
    describeComputeProviderContract("hetzner", () => createHetznerComputeProvider({ ...config(), apiUrl: contractFake.url }, storage), { ...commandWorkloads(), pollIntervalMs: 50, timeoutMs: 15_000 });
  });
});
