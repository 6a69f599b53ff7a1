import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AppError } from "../../../platform/errors/app-error.js";
import type { LaunchSpec, ProviderHandle } from "../../compute-provider.js";
import { describeComputeProviderContract } from "../../compute-provider.contract.js";
import { loadPriceCatalog } from "../../catalog/price-catalog.js";
import { FakeOpenStack, type FakeFlavor, type FakeOpenStackOptions } from "../../../../test/support/fake-openstack.js";
import { SandboxMachines, commandWorkloads, testLaunchSpec } from "../remote/remote-testing.js";
import { finishAcrossRestart, outputsOf, untilTerminal } from "../../../../test/support/remote-job-helpers.js";
import { createOpenStackComputeProvider, parseOvhCatalog, signTempUrl, type OpenStackProviderConfig } from "./index.js";

const FLAVORS: FakeFlavor[] = [
  { id: "f01", name: "b3-8", vcpus: 2, ram: 8192, disk: 50 },
  { id: "f02", name: "b3-16", vcpus: 4, ram: 16384, disk: 100 },
  { id: "f03", name: "c3-8", vcpus: 4, ram: 8192, disk: 50 },
  { id: "f04", name: "r3-16", vcpus: 2, ram: 16384, disk: 50 },
  { id: "f05", name: "win-b3-8", vcpus: 2, ram: 8192, disk: 50 },
];
const OVH_HOURLY = { "b3-8": 0.0508, "b3-16": 0.1016, "c3-8": 0.0903, "r3-16": 0.0886 };
const RATE = 1.08;

function fakeOptions(over: Partial<FakeOpenStackOptions> = {}): FakeOpenStackOptions {
  return {
    username: "user-artenic",
    password: "s3cret-password",
    projectId: "0a1b2c3d4e5f",
    region: "GRA11",
    flavors: FLAVORS,
    images: ["img-ubuntu-2404"],
    networks: ["net-ext"],
    flavorPageSize: 2,
    ovhCatalog: { currency: "EUR", hourly: OVH_HOURLY },
    ...over,
  };
}

function spec(over: Partial<LaunchSpec> = {}): LaunchSpec {
  return testLaunchSpec({
    jobName: "trainingJobs/train-1",
    command: ["bash", "-c", 'echo "lr=$LEARNING_RATE" && printf ok > "$ARTENIC_OUTPUT_DIR/model.txt"'],
    env: { LEARNING_RATE: "0.1", ARTENIC_JOB_TOKEN: "job-token-secret-value" },
    cpus: 1,
    memoryBytes: 1024 ** 3,
    region: "GRA11",
    instanceType: "b3-8",
    ...over,
  });
}

/** Machines for the fake's servers: each created server runs its user data in a sandbox; it shuts off when the script ends. */
function attachMachines(fake: FakeOpenStack, machines: SandboxMachines, work: string): void {
  fake.onServerCreated = (server) => {
    void machines.start(server.id, server.userData, { root: join(work, server.id) }).then(() => {
      if (fake.servers.has(server.id)) fake.setStatus(server.id, "SHUTOFF");
    });
  };
  fake.onServerDeleted = (id) => void machines.kill(id);
}

describe("openstack adapter (ovh) against a fake Keystone, Nova and Swift", () => {
  let fake: FakeOpenStack;
  let machines: SandboxMachines;
  let work: string;
  const config = (over: Partial<OpenStackProviderConfig> = {}): OpenStackProviderConfig => ({
    id: "ovh",
    authUrl: fake.authUrl,
    username: "user-artenic",
    password: "s3cret-password",
    projectId: "0a1b2c3d4e5f",
    region: "GRA11",
    imageId: "img-ubuntu-2404",
    networkId: "net-ext",
    container: "artenic-training",
    priceCatalogUrl: `${fake.url}/1.0/order/catalog/public/cloud?ovhSubsidiary=FR`,
    exchangeRate: RATE,
    ...over,
  });

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), "artenic-openstack-"));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  beforeEach(async () => {
    fake = await FakeOpenStack.start(fakeOptions());
    machines = new SandboxMachines();
    attachMachines(fake, machines, work);
  });
  afterEach(async () => {
    await machines.killAll();
    await fake.close();
  });

  it("authenticates with Keystone v3 once, picks its region's public endpoints, and renews a revoked token", async () => {
    const p = createOpenStackComputeProvider(config());
    await p.listOfferings();
    const auth = fake.requests.filter((r) => r.path === "/identity/v3/auth/tokens");
    expect(auth).toHaveLength(1);
    expect(auth[0]!.body).toEqual({
      auth: {
        identity: { methods: ["password"], password: { user: { name: "user-artenic", domain: { name: "Default" }, password: "s3cret-password" } } },
        scope: { project: { id: "0a1b2c3d4e5f" } },
      },
    });
    // Every Nova call went to the GRA11 public endpoint with the issued token.
    const nova = fake.requests.filter((r) => r.path.startsWith("/compute/"));
    expect(nova.length).toBeGreaterThan(0);
    expect(new Set(nova.map((r) => r.token)).size).toBe(1);
    expect(nova[0]!.token).toMatch(/^gAAAA/);

    fake.revokeTokens();
    await p.testConnection();
    expect(fake.requests.filter((r) => r.path === "/identity/v3/auth/tokens")).toHaveLength(2);

    const wrong = await createOpenStackComputeProvider(config({ password: "nope" })).testConnection();
    expect(wrong).toEqual({ ok: false, message: "ovh: authenticate with Keystone failed (HTTP 401): The request you have made requires authentication." });
    const noRegion = await createOpenStackComputeProvider(config({ region: "BHS5" })).testConnection();
    expect(noRegion.message).toBe("ovh: the service catalog has no public compute (Nova) or object-store (Swift) endpoint in region BHS5");
  });

  it("lists every flavor across pages and prices it from the OVHcloud catalog, converted and dated; unpriced flavors are left out", async () => {
    const p = createOpenStackComputeProvider(config());
    const offerings = await p.listOfferings();
    const pages = fake.requests.filter((r) => r.path === "/compute/v2.1/flavors/detail");
    expect(pages.map((r) => r.query["marker"] ?? "")).toEqual(["", "f02", "f04"]);
    const today = new Date().toISOString().slice(0, 10);
    expect(offerings.map((o) => [o.instanceType, o.cpus, o.memoryBytes / 1024 ** 2, o.onDemandPerHour, o.priceSource, o.priceDate])).toEqual([
      ["b3-8", 2, 8192, Math.round(0.0508 * RATE * 1e5) / 1e5, "live", today],
      ["r3-16", 2, 16384, Math.round(0.0886 * RATE * 1e5) / 1e5, "live", today],
      ["c3-8", 4, 8192, Math.round(0.0903 * RATE * 1e5) / 1e5, "live", today],
      ["b3-16", 4, 16384, Math.round(0.1016 * RATE * 1e5) / 1e5, "live", today],
    ]);
    expect(offerings.every((o) => o.region === "GRA11" && o.provider === "ovh")).toBe(true);
    expect(fake.requests.find((r) => r.path === "/1.0/order/catalog/public/cloud")?.query).toEqual({ ovhSubsidiary: "FR" });
    expect(await p.listOfferings({ region: "SBG5" })).toEqual([]);
    expect(() => parseOvhCatalog({ addons: [] })).toThrow("locale.currencyCode");
  });

  it("submits: uploads the code and environment to Swift, creates one server with base64 user data and job metadata, and no secret in the user data", async () => {
    const code = join(work, "code-submit");
    mkdirSync(code, { recursive: true });
    writeFileSync(join(code, "train.py"), "print('hi')\n");
    const p = createOpenStackComputeProvider(config());
    const handle = await p.submit(spec({ codePath: code }));
    const [server] = [...fake.servers.values()];
    expect(handle).toMatchObject({ provider: "ovh", id: server!.id, region: "GRA11", instanceType: "b3-8" });
    expect(handle.data).toMatchObject({ jobId: "train-1", prefix: "artenic", instanceId: server!.id, storage: "swift://GRA11/artenic-training" });

    const create = fake.requests.find((r) => r.method === "POST" && r.path === "/compute/v2.1/servers")!;
    const body = (create.body as { server: Record<string, unknown> }).server;
    expect(Object.keys(body).sort()).toEqual(["flavorRef", "imageRef", "metadata", "name", "networks", "user_data"]);
    expect(body).toMatchObject({ name: "artenic-train-1", flavorRef: "f01", imageRef: "img-ubuntu-2404", networks: [{ uuid: "net-ext" }] });
    expect(body["metadata"]).toEqual({ "artenic-job": "train-1", "artenic-managed-by": "artenic", "artenic-job-name": "trainingJobs/train-1" });
    const userData = Buffer.from(body["user_data"] as string, "base64").toString("utf8");
    expect(userData).toBe(server!.userData);
    expect(userData.startsWith("#!/bin/bash\n")).toBe(true);
    expect(userData).not.toContain("job-token-secret-value");
    expect(userData).not.toContain("s3cret-password");
    // The transfers are temp URLs of this container's objects, signed with the container key the adapter set.
    expect(userData).toContain(`${fake.url}${fake.accountPath}/artenic-training/artenic/jobs/train-1/code.tar.gz?temp_url_sig=`);
    expect(fake.containerKeys.get("artenic-training")).toMatch(/^[0-9a-f]{64}$/);
    expect(fake.object("artenic-training", "artenic/jobs/train-1/code.tar.gz")?.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    expect(fake.object("artenic-training", "artenic/jobs/train-1/env.sh")?.toString()).toContain("export ARTENIC_JOB_TOKEN='job-token-secret-value'");

    // Idempotent: the same job finds its server.
    const before = fake.servers.size;
    expect(await p.submit(spec({ codePath: code }))).toEqual(handle);
    expect(fake.servers.size).toBe(before);
    expect(fake.requests.filter((r) => r.method === "GET" && r.path === "/compute/v2.1/servers/detail").at(-1)?.query).toEqual({ name: "^artenic-train-1$" });
  });

  it("runs the bootstrap script against Swift temp URLs: SUCCEEDED with exactly the outputs, logs, and the code it uploaded", async () => {
    const code = join(work, "code-e2e");
    mkdirSync(join(code, "src"), { recursive: true });
    writeFileSync(join(code, "src", "data.txt"), "payload-42");
    const p = createOpenStackComputeProvider(config());
    const handle = await p.submit(
      spec({ jobName: "trainingJobs/e2e-ok", codePath: code, workingDir: "src", command: ["bash", "-c", 'cat data.txt > "$ARTENIC_OUTPUT_DIR/copy.txt"; echo "lr=$LEARNING_RATE"; mkdir -p "$ARTENIC_OUTPUT_DIR/sub" && printf x > "$ARTENIC_OUTPUT_DIR/sub/x.bin"'] }),
    );
    const status = await untilTerminal(p, handle);
    expect(status).toMatchObject({ state: "succeeded", exitCode: 0 });
    expect(await outputsOf(p, handle)).toEqual([
      ["copy.txt", "payload-42"],
      ["sub/x.bin", "x"],
    ]);
    expect((await p.readLogs!(handle, "")).lines).toEqual(["lr=0.1"]);
    // The machine really moved its objects through temp URLs, without a token.
    const viaTempUrl = fake.requests.filter((r) => r.query["temp_url_sig"]);
    expect(viaTempUrl.map((r) => `${r.method} ${r.path.split("/jobs/e2e-ok/")[1]}`).sort()).toEqual(
      expect.arrayContaining(["GET code.tar.gz", "GET env.sh", "PUT status.json", "PUT logs/stdout.log", "PUT logs/stderr.log", "PUT outputs.tar.gz"]),
    );
    expect(viaTempUrl.every((r) => r.token === "")).toBe(true);
    // The script stops its machine after its final status: wait for that before looking.
    await machines.exitOf(handle.id);
    await new Promise((r) => setImmediate(r));
    expect(fake.servers.get(handle.id)?.status).toBe("SHUTOFF");

    await p.cleanup(handle);
    expect(fake.servers.has(handle.id)).toBe(false);
    expect([...(fake.objects.get("artenic-training")?.keys() ?? [])].filter((k) => k.includes("/e2e-ok/"))).toEqual([]);
    await p.cleanup(handle);
  });

  it("reports a failing command as FAILED with its exit code, and a server in ERROR or shut off without a final status as failed", async () => {
    const p = createOpenStackComputeProvider(config());
    const failing = await p.submit(spec({ jobName: "trainingJobs/e2e-fail", command: ["bash", "-c", "echo boom >&2; exit 7"] }));
    expect(await untilTerminal(p, failing)).toMatchObject({ state: "failed", exitCode: 7, message: "exit code 7" });
    expect((await p.readLogs!(failing, "")).lines).toEqual(["boom"]);

    fake.onServerCreated = undefined;
    const broken = await p.submit(spec({ jobName: "trainingJobs/no-host" }));
    expect((await p.poll(broken)).state).toBe("provisioning");
    fake.setStatus(broken.id, "ERROR", "No valid host was found. There are not enough hosts available.");
    expect(await p.poll(broken)).toMatchObject({ state: "failed", message: "the machine stopped before the job reported an exit (the server is in ERROR: No valid host was found. There are not enough hosts available.)" });

    const off = await p.submit(spec({ jobName: "trainingJobs/shut-off" }));
    fake.setStatus(off.id, "SHUTOFF");
    expect(await p.poll(off)).toMatchObject({ state: "failed", message: "the machine stopped before the job reported an exit (the server is SHUTOFF)" });
    fake.setStatus(off.id, "SOMETHING_NEW");
    expect((await p.poll(off)).message).toContain("unrecognised status SOMETHING_NEW");
  });

  it("resumes after a restart: a new adapter with the same settings finishes the job from the persisted handle", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    fake.onServerCreated = (server) => {
      void gate.then(() =>
        machines.start(server.id, server.userData, { root: join(work, server.id) }).then(() => {
          if (fake.servers.has(server.id)) fake.setStatus(server.id, "SHUTOFF");
        }),
      );
    };
    const first = createOpenStackComputeProvider(config());
    const handle = await first.submit(spec({ jobName: "trainingJobs/restart-1" }));
    const persisted = JSON.parse(JSON.stringify(handle)) as ProviderHandle;
    // The server process "restarts": nothing of the first adapter survives but the handle.
    const second = createOpenStackComputeProvider(config());
    release();
    expect(await untilTerminal(second, persisted)).toMatchObject({ state: "succeeded" });
    expect(await outputsOf(second, persisted)).toEqual([["model.txt", "ok"]]);
    await second.cleanup(persisted);
    expect(fake.servers.size).toBe(0);
  });

  it("loses nothing across a server restart through the training service: a new reconciler and adapter finish the job from the persisted handle", async () => {
    const { handleId, exitCode } = await finishAcrossRestart({ provider: "ovh", region: "GRA11", instanceType: "b3-8", jobId: "ovh-restart", makeProvider: () => createOpenStackComputeProvider(config()) });
    expect(exitCode).toBe(0);
    // The reconciler released the compute: the server and the job's objects are gone.
    expect(fake.servers.has(handleId)).toBe(false);
    expect([...(fake.objects.get("artenic-training")?.keys() ?? [])].filter((k) => k.includes("/ovh-restart/"))).toEqual([]);
  }, 60_000);

  it("collects outputs larger than any API answer (a 35 MB archive through Swift)", async () => {
    const p = createOpenStackComputeProvider(config());
    const handle = await p.submit(spec({ jobName: "trainingJobs/big-out", command: ["bash", "-c", 'head -c 35000000 /dev/urandom > "$ARTENIC_OUTPUT_DIR/weights.bin"'] }));
    expect(await untilTerminal(p, handle, 60_000)).toMatchObject({ state: "succeeded" });
    const { files } = await p.collectArtifacts(handle);
    expect(files.map((f) => f.name)).toEqual(["weights.bin"]);
    expect((await files[0]!.read()).byteLength).toBe(35_000_000);
    await p.cleanup(handle);
  }, 90_000);

  it("keeps one server when two submits of the same job race", async () => {
    fake.onServerCreated = undefined;
    const a = createOpenStackComputeProvider(config());
    const b = createOpenStackComputeProvider(config());
    const [ha, hb] = await Promise.all([a.submit(spec({ jobName: "trainingJobs/race" })), b.submit(spec({ jobName: "trainingJobs/race" }))]);
    expect(ha.id).toBe(hb.id);
    expect([...fake.servers.keys()]).toEqual([ha.id]);
  });

  it("refuses an unknown flavor and a foreign region before creating anything, and translates Nova's errors", async () => {
    const p = createOpenStackComputeProvider(config());
    const unknown = await p.submit(spec({ instanceType: "x9-999" })).catch((e: unknown) => e);
    expect((unknown as AppError).reason).toBe("OPENSTACK_UNKNOWN_FLAVOR");
    const region = await p.submit(spec({ region: "SBG5" })).catch((e: unknown) => e);
    expect((region as AppError).reason).toBe("OPENSTACK_WRONG_REGION");
    const badImage = await createOpenStackComputeProvider(config({ imageId: "no-such-image" }))
      .submit(spec())
      .catch((e: unknown) => e);
    expect((badImage as AppError).message).toBe("ovh: create server artenic-train-1 failed (HTTP 400): Image no-such-image could not be found.");
    expect(fake.servers.size).toBe(0);
  });

  it("temp URLs: Swift refuses a tampered signature, another method, and an expired URL", async () => {
    const p = createOpenStackComputeProvider(config());
    await p.submit(spec({ jobName: "trainingJobs/sig" }));
    const key = fake.containerKeys.get("artenic-training")!;
    const objectUrl = `${fake.url}${fake.accountPath}/artenic-training/artenic/jobs/sig/env.sh`;
    const future = Math.floor(Date.now() / 1000) + 60;
    expect((await fetch(signTempUrl(objectUrl, "GET", future, key))).status).toBe(200);
    expect((await fetch(signTempUrl(objectUrl, "GET", future, "wrong-key"))).status).toBe(401);
    expect((await fetch(signTempUrl(objectUrl, "PUT", future, key))).status).toBe(401);
    expect((await fetch(signTempUrl(objectUrl, "GET", Math.floor(Date.now() / 1000) - 1, key))).status).toBe(401);
    expect((await fetch(signTempUrl(`${objectUrl}x`, "GET", future, key).replace("env.shx", "env.sh"))).status).toBe(401);
  });
});

describe("openstack adapter (infomaniak): snapshot prices, an account temp URL key, and the shared contract", () => {
  let fake: FakeOpenStack;
  const machines = new SandboxMachines();
  let work: string;
  const catalog = loadPriceCatalog();
  const snapshot = catalog.offerings("infomaniak");
  const infomaniakFlavors: FakeFlavor[] = snapshot
    .filter((o) => o.region === "dc3-a")
    .map((o, i) => ({ id: `fl-${i}`, name: o.instanceType, vcpus: o.cpus, ram: Math.round(o.memoryBytes / 1024 ** 2), disk: 20 }));
  const config = (): OpenStackProviderConfig => ({
    id: "infomaniak",
    authUrl: fake.authUrl,
    username: "PCU-abc",
    password: "pw-infomaniak",
    userDomainName: "default",
    projectId: "prj-42",
    region: "dc3-a",
    imageId: "img-debian-12",
    container: "artenic",
    catalogOfferings: snapshot,
    exchangeRate: catalog.provider("infomaniak")!.exchangeRate,
  });

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), "artenic-infomaniak-"));
    fake = await FakeOpenStack.start({
      username: "PCU-abc",
      password: "pw-infomaniak",
      userDomain: "default",
      projectId: "prj-42",
      region: "dc3-a",
      flavors: [...infomaniakFlavors, { id: "fl-unpriced", name: "a1-ram2-disk20-perf1", vcpus: 1, ram: 2048, disk: 20 }],
      images: ["img-debian-12"],
      accountTempUrlKey: "account-level-key",
      buildMs: 10,
    });
    attachMachines(fake, machines, work);
  });
  afterAll(async () => {
    await machines.killAll();
    await fake.close();
    rmSync(work, { recursive: true, force: true });
  });

  it("prices flavors from the dated snapshot catalog and signs with the account's temp URL key without replacing it", async () => {
    expect(snapshot.length).toBeGreaterThan(0);
    const p = createOpenStackComputeProvider(config());
    const offerings = await p.listOfferings();
    expect(offerings.map((o) => o.instanceType).sort()).toEqual(snapshot.filter((o) => o.region === "dc3-a").map((o) => o.instanceType).sort());
    for (const o of offerings) {
      const snap = snapshot.find((s) => s.instanceType === o.instanceType && s.region === "dc3-a")!;
      expect(o).toMatchObject({ onDemandPerHour: snap.onDemandPerHour, priceSource: "catalog", priceDate: catalog.date, gpuType: snap.gpuType, gpuCount: snap.gpuCount });
    }
    const handle = await p.submit(spec({ jobName: "trainingJobs/account-key", region: "dc3-a", instanceType: offerings[0]!.instanceType }));
    expect(fake.containerKeys.size).toBe(0);
    expect(fake.calls()).not.toContain("POST /swift/v1/AUTH_prj-42");
    await p.cleanup(handle);
  });

  describeComputeProviderContract("infomaniak", () => createOpenStackComputeProvider(config()), {
    ...commandWorkloads(),
    region: "dc3-a",
    pollIntervalMs: 50,
    timeoutMs: 15_000,
  });
});
