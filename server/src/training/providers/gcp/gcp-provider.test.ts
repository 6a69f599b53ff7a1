import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHash, createVerify, generateKeyPairSync } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ComputeProvider, LaunchSpec, ProviderHandle, ProviderStatus } from "../../compute-provider.js";
import { describeComputeProviderContract } from "../../compute-provider.contract.js";
import { loadPriceCatalog } from "../../catalog/price-catalog.js";
import type { PricedOffering } from "../../catalog/live-prices.js";
import { commandWorkloads, SandboxMachines } from "../remote/remote-testing.js";
import { runAcrossRestart } from "../../../../test/support/reconciler-restart.js";
import { gcpDefinition } from "../../hub/azure-gcp-definitions.js";
import { billingSku, FakeGce } from "../../../../test/support/fake-gce.js";
import { startFakeGcs, type FakeGcs } from "../../../../test/support/storage-emulators.js";
import { createGcpComputeProvider, gceInstanceName, GcsJobStorage, mapGceInstance, parseServiceAccountKey, type GcpProviderConfig } from "./index.js";

const PROJECT = "artenic-test-project";
const EMAIL = "trainer@artenic-test-project.iam.gserviceaccount.com";
const BUCKET = "artenic-jobs-test";
const ZONE = "us-central1-a";

describe("gcp adapter: Compute Engine fake + fake-gcs-server, bootstrap executed in a sandbox", () => {
  let gcs: FakeGcs;
  let fake: FakeGce;
  let work: string;
  const machines = new SandboxMachines();
  const catalog = loadPriceCatalog();
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs8", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });
  const keyJson = (tokenUri: string) =>
    JSON.stringify({ type: "service_account", project_id: PROJECT, private_key_id: "k1", private_key: privateKey, client_email: EMAIL, client_id: "1", token_uri: tokenUri });

  const config = (over: Partial<GcpProviderConfig> = {}): GcpProviderConfig => ({
    projectId: PROJECT,
    credentialsJson: keyJson(`${fake.url}/token`),
    region: "us-central1",
    zone: ZONE,
    bucket: BUCKET,
    computeEndpoint: fake.url,
    billingEndpoint: fake.url,
    storageEndpoint: gcs.endpoint,
    offerings: catalog.offerings("gcp"),
    currency: catalog.currency,
    pollIntervalMs: 10,
    cleanupWaitMs: 5000,
    ...over,
  });
  let provider: ComputeProvider;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), "artenic-gcp-"));
    gcs = await startFakeGcs();
    await gcs.createBucket(BUCKET);
    const americas = ["us-central1", "us-east1"];
    fake = await FakeGce.start({
      project: PROJECT,
      clientEmail: EMAIL,
      publicKey,
      skus: [
        billingSku("N2 Instance Core running in Americas", americas, "OnDemand", "h", 0.031611),
        billingSku("N2 Instance Ram running in Americas", americas, "OnDemand", "GiBy.h", 0.004237, "RAM"),
        billingSku("Spot Preemptible N2 Instance Core running in Americas", americas, "Preemptible", "h", 0.00765),
        billingSku("Spot Preemptible N2 Instance Ram running in Americas", americas, "Preemptible", "GiBy.h", 0.001026, "RAM"),
        billingSku("Commitment v1: N2 Cpu in Americas for 1 Year", americas, "Commit1Yr", "h", 0.019915),
        billingSku("G2 Instance Core running in Americas", americas, "OnDemand", "h", 0.024988),
        billingSku("G2 Instance Ram running in Americas", americas, "OnDemand", "GiBy.h", 0.002928, "RAM"),
        billingSku("Nvidia L4 GPU running in Americas", americas, "OnDemand", "h", 0.56, "GPU"),
        billingSku("N2 Instance Core running in Netherlands", ["europe-west4"], "OnDemand", "h", 0.0348),
      ],
      onBoot: ({ name, startupScript }) => {
        void machines.start(name, startupScript, { root: join(work, "machines", name) }).then(() => fake.powerOff(ZONE, name));
      },
      onDelete: (name) => void machines.kill(name),
    });
    provider = createGcpComputeProvider(config());
  }, 600_000);

  afterAll(async () => {
    await machines.killAll();
    await fake?.close();
    await gcs?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  const spec = (over: Partial<LaunchSpec> = {}): LaunchSpec => ({
    jobName: "trainingJobs/gcp-train-1",
    image: "",
    command: ["bash", "train.sh"],
    args: ["--epochs", "2"],
    env: { ARTENIC_JOB_TOKEN: "job-token-secret", LEARNING_RATE: "0.5" },
    codePath: "",
    cpus: 2,
    memoryBytes: 8 * 1024 ** 3,
    gpuType: "",
    gpuCount: 0,
    region: "us-central1",
    instanceType: "n2-standard-2",
    spot: false,
    maxRuntimeMs: 600_000,
    ...over,
  });

  async function until(p: ComputeProvider, handle: ProviderHandle, states: ProviderStatus["state"][], ms = 20_000): Promise<ProviderStatus> {
    const deadline = Date.now() + ms;
    for (;;) {
      const s = await p.poll(handle);
      if (states.includes(s.state)) return s;
      if (Date.now() > deadline) throw new Error(`still ${s.state} (${s.message})`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  describeComputeProviderContract(
    "gcp",
    () => provider,
    commandWorkloads({
      timeoutMs: 30_000,
      pollIntervalMs: 50,
    }),
  );

  it("runs a job end to end: the startup script fetches the uploaded code by V4 signed URL, trains, uploads status and outputs", async () => {
    const code = join(work, "code");
    mkdirSync(code, { recursive: true });
    writeFileSync(join(code, "data.csv"), "x,y\n1,2\n3,4\n5,6\n");
    writeFileSync(join(code, "train.sh"), 'rows=$(($(wc -l < data.csv) - 1))\necho "training on $rows rows with lr=$LEARNING_RATE $*"\nprintf "rows=%s\\n" "$rows" > "$ARTENIC_OUTPUT_DIR/model.txt"\n');
    const before = fake.requests.length;
    const handle = await provider.submit(spec({ codePath: code }));
    expect(handle).toMatchObject({ provider: "gcp", id: `projects/${PROJECT}/zones/${ZONE}/instances/artenic-gcp-train-1`, region: "us-central1" });
    expect(handle.data).toMatchObject({ instance: "artenic-gcp-train-1", zone: ZONE, spot: "false", project: PROJECT, jobId: "gcp-train-1" });
    expect(handle.data["operation"]).toMatch(/^operation-/);

    const mine = fake.requests.slice(before);
    const base = `/compute/v1/projects/${PROJECT}/zones/${ZONE}`;
    expect(mine.filter((r) => r.path.startsWith("/compute/")).map((r) => `${r.method} ${r.path}`)).toEqual([`GET ${base}/instances/artenic-gcp-train-1`, `POST ${base}/instances`]);
    expect(fake.requests.filter((r) => r.path.startsWith("/compute/")).every((r) => /^Bearer ya29\.[0-9a-f]{32}$/.test(r.authorization))).toBe(true);
    const insert = mine.find((r) => r.method === "POST")!;
    expect(insert.query["requestId"]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
    const body = insert.body as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(body["name"]).toBe("artenic-gcp-train-1");
    expect(body["machineType"]).toBe(`zones/${ZONE}/machineTypes/n2-standard-2`);
    expect(body["labels"]).toEqual({ "artenic-job": "gcp-train-1", "artenic-managed-by": "artenic" });
    expect(body["scheduling"]).toEqual({ provisioningModel: "STANDARD", automaticRestart: false, onHostMaintenance: "MIGRATE" });
    expect(body["disks"]).toMatchObject([
      { boot: true, autoDelete: true, deviceName: "artenic-gcp-train-1", initializeParams: { diskName: "artenic-gcp-train-1", sourceImage: "projects/ubuntu-os-cloud/global/images/family/ubuntu-2404-lts-amd64", diskSizeGb: "50", diskType: `zones/${ZONE}/diskTypes/pd-balanced` } },
    ]);
    expect(body["networkInterfaces"]).toEqual([{ network: "global/networks/default", accessConfigs: [{ type: "ONE_TO_ONE_NAT", name: "External NAT" }] }]);
    const script = (body["metadata"].items as { key: string; value: string }[]).find((i) => i.key === "startup-script")!.value;
    expect(script).toContain(`${gcs.endpoint}/${BUCKET}/artenic/jobs/gcp-train-1/code.tar.gz?X-Goog-Algorithm=GOOG4-RSA-SHA256&X-Goog-Credential=`);
    expect(script).not.toContain("job-token-secret");
    // A standard instance is never preempted: no watcher.
    expect(script).not.toContain("artenic_watcher");
    // The token came from the key's own token_uri through the JWT-bearer grant (the fake verified its signature).
    const token = fake.requests.find((r) => r.path === "/token")!;
    expect((token.body as Record<string, string>)["grant_type"]).toBe("urn:ietf:params:oauth:grant-type:jwt-bearer");

    const status = await until(provider, handle, ["succeeded", "failed", "preempted", "gone"]);
    expect(status).toMatchObject({ state: "succeeded", exitCode: 0 });
    const { files } = await provider.collectArtifacts(handle);
    expect(files.map((f) => f.name)).toEqual(["model.txt"]);
    expect(new TextDecoder().decode(await files[0]!.read())).toBe("rows=3\n");
    expect((await provider.readLogs!(handle, "")).lines).toContain("training on 3 rows with lr=0.5 --epochs 2");

    await provider.cleanup(handle);
    expect(fake.resources().filter((r) => r.includes("gcp-train-1"))).toEqual([]);
    expect((await gcs.objects(BUCKET)).filter((o) => o.includes("gcp-train-1"))).toEqual([]);
    expect(fake.requests.some((r) => r.method === "DELETE" && r.path === `${base}/instances/artenic-gcp-train-1`)).toBe(true);
    await provider.cleanup(handle);
  });

  it("signs transfer URLs with the service account's key (GOOG4-RSA-SHA256, checked here: the emulator does not verify signatures)", async () => {
    const handle = await provider.submit(spec({ jobName: "trainingJobs/gcp-signed", command: ["true"], args: [] }));
    const insert = fake.requests.find((r) => r.method === "POST" && (r.body as Record<string, unknown>)["name"] === "artenic-gcp-signed")!.body as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    const script = (insert["metadata"].items as { key: string; value: string }[]).find((i) => i.key === "startup-script")!.value;
    const urls = [...script.matchAll(/'(http:\/\/[^']+X-Goog-Signature=[0-9a-f]+)'/g)].map((m) => m[1]!);
    // env.sh (read) and status, stdout, stderr, outputs (write).
    expect(urls.length).toBe(5);
    for (const raw of urls) {
      const url = new URL(raw);
      const method = /\/(env\.sh)\?/.test(raw) ? "GET" : "PUT";
      // The library signs the host without its port (443 in production).
      const pairs = url.search.slice(1).split("&").filter((p) => !p.startsWith("X-Goog-Signature=")).sort();
      const canonical = [method, url.pathname, pairs.join("&"), `host:${url.hostname}`, "", "host", "UNSIGNED-PAYLOAD"].join("\n");
      const date = url.searchParams.get("X-Goog-Date")!;
      const scope = url.searchParams.get("X-Goog-Credential")!.split("/").slice(1).join("/");
      expect(url.searchParams.get("X-Goog-Credential")!.startsWith(`${EMAIL}/`)).toBe(true);
      const toSign = ["GOOG4-RSA-SHA256", date, scope, createHash("sha256").update(canonical).digest("hex")].join("\n");
      const verifier = createVerify("RSA-SHA256");
      verifier.update(toSign);
      expect(verifier.verify(publicKey, Buffer.from(url.searchParams.get("X-Goog-Signature")!, "hex")), raw).toBe(true);
    }
    await until(provider, handle, ["succeeded", "failed"]);
    await provider.cleanup(handle);
  });

  it("reads ranges of objects and treats a missing bucket as holding nothing for reads and cleanup", async () => {
    const key = parseServiceAccountKey(keyJson(`${fake.url}/token`));
    const storage = new GcsJobStorage({ projectId: PROJECT, bucket: BUCKET, key, endpoint: gcs.endpoint });
    await storage.put("artenic/jobs/ranges/env.sh", new TextEncoder().encode("export A=1\n"));
    expect(new TextDecoder().decode(await storage.get("artenic/jobs/ranges/env.sh", { start: 7, maxBytes: 3 }))).toBe("A=1");
    expect(await storage.get("artenic/jobs/ranges/env.sh", { start: 100 })).toEqual(new Uint8Array());
    await storage.deletePrefix("artenic/jobs/ranges/");
    expect(await storage.get("artenic/jobs/ranges/env.sh")).toBeUndefined();
    const missing = new GcsJobStorage({ projectId: PROJECT, bucket: "never-created", key, endpoint: gcs.endpoint });
    expect(await missing.get("artenic/jobs/x/status.json")).toBeUndefined();
    await missing.deletePrefix("artenic/jobs/x/");
  });

  it("reports a failing command as FAILED with its exit code", async () => {
    const handle = await provider.submit(spec({ jobName: "trainingJobs/gcp-fail", command: ["bash", "-c", "echo boom >&2; exit 9"], args: [] }));
    const status = await until(provider, handle, ["succeeded", "failed", "preempted", "gone"]);
    expect(status).toMatchObject({ state: "failed", exitCode: 9 });
    await provider.cleanup(handle);
  });

  it("creates SPOT instances that stop on preemption, and reports a preemption as PREEMPTED from the preempted operation", async () => {
    const handle = await provider.submit(spec({ jobName: "trainingJobs/gcp-spot", command: ["sleep", "1000"], args: [], spot: true }));
    const insert = fake.requests.find((r) => r.method === "POST" && (r.body as Record<string, unknown>)["name"] === "artenic-gcp-spot")!.body as Record<string, unknown>;
    expect(insert["scheduling"]).toEqual({ provisioningModel: "SPOT", instanceTerminationAction: "STOP", automaticRestart: false, onHostMaintenance: "TERMINATE" });
    // A Spot instance watches its metadata for the preemption notice.
    const script = ((insert["metadata"] as { items: { key: string; value: string }[] }).items.find((i) => i.key === "startup-script")!).value;
    expect(script).toContain(`artenic_metadata="\${ARTENIC_BOOTSTRAP_METADATA_URL:-http://metadata.google.internal}"`);
    expect(script).toContain('"$artenic_metadata/computeMetadata/v1/instance/preempted"');
    await until(provider, handle, ["running"]);
    fake.preempt(ZONE, "artenic-gcp-spot");
    await machines.kill("artenic-gcp-spot");
    const status = await until(provider, handle, ["preempted", "failed", "succeeded", "gone"]);
    expect(status.state).toBe("preempted");
    const list = fake.requests.filter((r) => r.method === "GET" && r.path === `/compute/v1/projects/${PROJECT}/zones/${ZONE}/operations`).pop()!;
    expect(list.query["filter"]).toBe(`(operationType = "compute.instances.preempted") AND (targetLink = "https://www.googleapis.com/compute/v1/projects/${PROJECT}/zones/${ZONE}/instances/artenic-gcp-spot")`);
    await provider.cleanup(handle);
    expect(fake.resources().filter((r) => r.includes("gcp-spot"))).toEqual([]);
  });

  it("resumes a running job from its persisted handle in a new adapter instance and finishes it", async () => {
    const gate = join(work, "gate-gcp");
    const handle = await provider.submit(spec({ jobName: "trainingJobs/gcp-restart", command: ["bash", "-c", `while [ ! -e ${gate} ]; do sleep 0.05; done; echo resumed > "$ARTENIC_OUTPUT_DIR/out.txt"`], args: [] }));
    await until(provider, handle, ["running"]);
    const persisted = JSON.parse(JSON.stringify(handle)) as ProviderHandle;
    const restarted = createGcpComputeProvider(config());
    expect((await restarted.poll(persisted)).state).toBe("running");
    writeFileSync(gate, "");
    expect((await until(restarted, persisted, ["succeeded", "failed", "preempted", "gone"])).state).toBe("succeeded");
    expect((await restarted.collectArtifacts(persisted)).files.map((f) => f.name)).toEqual(["out.txt"]);
    await restarted.cleanup(persisted);
    expect(fake.resources().filter((r) => r.includes("gcp-restart"))).toEqual([]);
  });

  it("loses nothing across a server restart: a new reconciler and adapter finish the job from the persisted handle", async () => {
    const { submitted, finished } = await runAcrossRestart({
      provider: "gcp",
      region: "us-central1",
      instanceType: "n2-standard-2",
      jobId: "gcp-reconcile",
      command: ["bash", "-c", 'sleep 1; printf restarted > "$ARTENIC_OUTPUT_DIR/after-restart.txt"'],
      makeProvider: () => createGcpComputeProvider(config()),
    });
    expect(finished).toMatchObject({ state: "succeeded", exitCode: 0 });
    expect(finished.handle?.id).toBe(submitted.handle?.id);
    // The reconciler released the compute and the job's objects.
    expect(finished.releaseTime).not.toBeNull();
    expect(submitted.handle?.id).toBe(`projects/${PROJECT}/zones/${ZONE}/instances/artenic-gcp-reconcile`);
    expect(fake.resources().filter((r) => r.includes("gcp-reconcile"))).toEqual([]);
    expect((await gcs.objects(BUCKET)).filter((o) => o.includes("gcp-reconcile"))).toEqual([]);
  }, 60_000);

  it("prices machine types from the Cloud Billing Catalog parts, following pageToken, with Google's conversion rate recorded", async () => {
    const before = fake.requests.length;
    const fresh = createGcpComputeProvider(config());
    const offerings = (await fresh.listOfferings({ region: "us-central1" })) as PricedOffering[];
    const n2 = offerings.find((o) => o.instanceType === "n2-standard-2")!;
    // 2 vCPU × 0.031611 + 8 GiB × 0.004237; Spot: 2 × 0.00765 + 8 × 0.001026.
    expect(n2).toMatchObject({ onDemandPerHour: 0.0971, spotPerHour: 0.0235, priceSource: "live", sourceCurrency: "USD", exchangeRate: 1 });
    expect(n2.exchangeRateDate).toBe(new Date().toISOString().slice(0, 10));
    // 4 × 0.024988 + 16 × 0.002928 + 1 × 0.56 (no Spot SKUs for G2 here).
    const g2 = offerings.find((o) => o.instanceType === "g2-standard-4")!;
    expect(g2).toMatchObject({ onDemandPerHour: 0.7068, priceSource: "live" });
    expect(g2.spotPerHour).toBeUndefined();
    // A2 has no SKUs in the fake: the catalog's dated price stands.
    expect(offerings.find((o) => o.instanceType === "a2-highgpu-1g")).toMatchObject({ priceSource: "catalog", priceDate: catalog.date });
    const calls = fake.requests.slice(before).filter((r) => r.path === "/v1/services/6F81-5844-456A/skus");
    expect(calls.map((r) => r.query["pageToken"] ?? "")).toEqual(["", "2", "4", "6", "8"].slice(0, calls.length));
    expect(calls.length).toBe(5);
    expect(calls.every((r) => r.query["currencyCode"] === catalog.currency && /^Bearer ya29\./.test(r.authorization))).toBe(true);
  });

  it("maps every instance status explicitly, never deciding success", () => {
    expect(mapGceInstance({ status: "PROVISIONING" }, false).state).toBe("pending");
    expect(mapGceInstance({ status: "STAGING" }, false).state).toBe("pending");
    expect(mapGceInstance({ status: "RUNNING" }, false).state).toBe("running");
    expect(mapGceInstance({ status: "STOPPING" }, false).state).toBe("stopping");
    expect(mapGceInstance({ status: "SUSPENDED" }, false).state).toBe("stopped");
    expect(mapGceInstance({ status: "TERMINATED" }, false)).toMatchObject({ state: "stopped" });
    expect(mapGceInstance({ status: "TERMINATED" }, false).preempted).toBeUndefined();
    expect(mapGceInstance({ status: "TERMINATED" }, true)).toMatchObject({ state: "stopped", preempted: true });
    expect(mapGceInstance(undefined, false, "quota exceeded")).toMatchObject({ state: "gone", message: "quota exceeded" });
  });

  it("names instances within Compute Engine's 63 characters", () => {
    const long = `a${"b".repeat(62)}`;
    expect(gceInstanceName(long)).toMatch(/^[a-z]([-a-z0-9]{0,61}[a-z0-9])$/);
    expect(gceInstanceName(long)).not.toBe(gceInstanceName(`${long.slice(0, 62)}c`));
  });

  it("is built by the Provider Hub from stored settings (defaults filled in, endpoints pointed at the fakes) and passes its connection test", async () => {
    const defaults = Object.fromEntries(gcpDefinition.configFields.map((f) => [f.key, f.defaultValue]));
    const stored: Record<string, string> = { ...defaults, bucket: BUCKET, zone: ZONE, compute_endpoint: fake.url, storage_endpoint: gcs.endpoint, billing_endpoint: fake.url };
    for (const f of gcpDefinition.configFields) expect(f.validate?.(stored[f.key]!), f.key).toBeUndefined();
    expect(gcpDefinition.configFields.find((f) => f.key === "zone")!.validate!("central")).toBe("must be a zone such as us-central1-a");
    expect(gcpDefinition.credentialFields.filter((f) => f.secret).map((f) => f.key)).toEqual(["credentials_json"]);
    const built = await gcpDefinition.create!({ config: stored, credentials: { project_id: PROJECT, credentials_json: keyJson(`${fake.url}/token`) } }, catalog, {});
    expect(built.id).toBe("gcp");
    const result = await built.testConnection();
    expect(result, result.message).toMatchObject({ ok: true });
    expect(result.message).toContain(`project ${PROJECT}, zone ${ZONE}; live prices from the Cloud Billing Catalog; Cloud Storage bucket gs://${BUCKET} is reachable`);
    const missing = await gcpDefinition.create!({ config: { ...stored, bucket: "no-such-bucket" }, credentials: { project_id: PROJECT, credentials_json: keyJson(`${fake.url}/token`) } }, catalog, {});
    expect(await missing.testConnection()).toEqual({ ok: false, message: "gcp: bucket no-such-bucket does not exist" });
  });

  it("fails its connection test with the token endpoint's words when the key is not the account's", async () => {
    const other = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs8", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });
    const bad = createGcpComputeProvider(config({ credentialsJson: JSON.stringify({ type: "service_account", private_key: other.privateKey, client_email: EMAIL, token_uri: `${fake.url}/token` }) }));
    const result = await bad.testConnection();
    expect(result.ok).toBe(false);
    expect(result.message).toContain("Invalid JWT Signature");
  });
});
