import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createHash, createPublicKey, generateKeyPairSync, verify } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AppError } from "../../../platform/errors/app-error.js";
import type { LaunchSpec, ProviderHandle } from "../../compute-provider.js";
import { describeComputeProviderContract } from "../../compute-provider.contract.js";
import { loadPriceCatalog } from "../../catalog/price-catalog.js";
import { FakeOci, type FakeOciOptions } from "../../../../test/support/fake-oci.js";
import { finishAcrossRestart, outputsOf, untilTerminal } from "../../../../test/support/remote-job-helpers.js";
import { SandboxMachines, commandWorkloads, testLaunchSpec } from "../remote/remote-testing.js";
import { OciSigner, createOciComputeProvider, parseOciInstanceType, signingString, type OciProviderConfig } from "./index.js";

const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs8", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });
/** OCI's key fingerprint: the MD5 of the DER public key, as colon-separated hex pairs. */
const FINGERPRINT = createHash("md5").update(createPublicKey(publicKey).export({ type: "spki", format: "der" })).digest("hex").match(/../g)!.join(":");
const TENANCY = "ocid1.tenancy.oc1..aaaatenancy";
const USER = "ocid1.user.oc1..aaaauser";
const COMPARTMENT = "ocid1.compartment.oc1..aaaacompartment";
const SUBNET = "ocid1.subnet.oc1.eu-frankfurt-1.aaaasubnet";
const IMAGE = "ocid1.image.oc1.eu-frankfurt-1.aaaaubuntu";
const catalog = loadPriceCatalog();

function spec(over: Partial<LaunchSpec> = {}): LaunchSpec {
  return testLaunchSpec({
    jobName: "trainingJobs/o-1",
    command: ["bash", "-c", 'echo "epochs=$EPOCHS"; printf ok > "$ARTENIC_OUTPUT_DIR/model.txt"'],
    env: { EPOCHS: "2", ARTENIC_JOB_TOKEN: "job-token-secret-value" },
    cpus: 1,
    memoryBytes: 1024 ** 3,
    region: "eu-frankfurt-1",
    instanceType: "VM.Standard.E4.Flex.2.16",
    ...over,
  });
}

const fakeOptions = (over: Partial<FakeOciOptions> = {}): FakeOciOptions => ({
  keyId: `${TENANCY}/${USER}/${FINGERPRINT}`,
  publicKey,
  compartmentId: COMPARTMENT,
  namespace: "frtenancyns",
  buckets: ["artenic-oci"],
  availabilityDomains: ["Uocm:EU-FRANKFURT-1-AD-1", "Uocm:EU-FRANKFURT-1-AD-2"],
  images: [IMAGE],
  subnets: [SUBNET],
  shapes: ["VM.Standard.E4.Flex", "VM.Standard.A1.Flex", "VM.GPU.A10.1"],
  objectPageSize: 2,
  ...over,
});

describe("OCI request signing (draft-cavage HTTP Signatures, rsa-sha256)", () => {
  it("signs date, (request-target) and host for reads; adds the body's sha256, type and length for writes; leaves object upload bodies out", () => {
    const now = new Date("2026-11-26T12:00:00Z");
    const signer = new OciSigner({ tenancy: TENANCY, user: USER, fingerprint: FINGERPRINT, privateKey }, () => now);
    const get = signer.sign({ method: "GET", url: "https://iaas.eu-frankfurt-1.oraclecloud.com/20160918/instances?compartmentId=c1&displayName=a%20b" });
    expect(get["date"]).toBe("Thu, 26 Nov 2026 12:00:00 GMT");
    expect(get["host"]).toBe("iaas.eu-frankfurt-1.oraclecloud.com");
    const params = Object.fromEntries([...get["authorization"]!.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    expect(params).toMatchObject({ version: "1", keyId: `${TENANCY}/${USER}/${FINGERPRINT}`, algorithm: "rsa-sha256", headers: "date (request-target) host" });
    const expected = [
      "date: Thu, 26 Nov 2026 12:00:00 GMT",
      "(request-target): get /20160918/instances?compartmentId=c1&displayName=a%20b",
      "host: iaas.eu-frankfurt-1.oraclecloud.com",
    ].join("\n");
    expect(signingString(["date", "(request-target)", "host"], "GET", new URL("https://iaas.eu-frankfurt-1.oraclecloud.com/20160918/instances?compartmentId=c1&displayName=a%20b"), get)).toBe(expected);
    expect(verify("sha256", Buffer.from(expected), publicKey, Buffer.from(params["signature"]!, "base64"))).toBe(true);

    const body = '{"compartmentId":"c1"}';
    const post = signer.sign({ method: "POST", url: "https://iaas.eu-frankfurt-1.oraclecloud.com/20160918/instances", body, headers: { "content-type": "application/json" } });
    expect(post["authorization"]).toContain('headers="date (request-target) host x-content-sha256 content-type content-length"');
    expect(post["x-content-sha256"]).toBe(createHash("sha256").update(body).digest("base64"));
    expect(post["content-length"]).toBe(String(Buffer.byteLength(body)));

    const upload = signer.sign({ method: "PUT", url: "https://objectstorage.eu-frankfurt-1.oraclecloud.com/n/ns/b/b/o/x", body: new Uint8Array([1, 2]), unsignedBody: true });
    expect(upload["authorization"]).toContain('headers="date (request-target) host"');
    expect(upload["x-content-sha256"]).toBeUndefined();
  });

  it("maps flexible instance types to a shape and its size", () => {
    expect(parseOciInstanceType("VM.Standard.E4.Flex.2.16")).toEqual({ shape: "VM.Standard.E4.Flex", shapeConfig: { ocpus: 2, memoryInGBs: 16 } });
    expect(parseOciInstanceType("VM.GPU.A10.1")).toEqual({ shape: "VM.GPU.A10.1" });
  });
});

describe("oci adapter against a fake OCI (Compute, Identity, Object Storage) that verifies every signature", () => {
  let fake: FakeOci;
  let machines: SandboxMachines;
  let work: string;
  const config = (over: Partial<OciProviderConfig> = {}): OciProviderConfig => ({
    tenancy: TENANCY,
    user: USER,
    fingerprint: FINGERPRINT,
    privateKey,
    region: "eu-frankfurt-1",
    compartmentId: COMPARTMENT,
    subnetId: SUBNET,
    imageId: IMAGE,
    bucket: "artenic-oci",
    endpoints: { compute: fake.url, identity: fake.url, objectStorage: fake.url },
    catalogOfferings: catalog.offerings("oci"),
    ...over,
  });
  const attach = (f: FakeOci, m: SandboxMachines) => {
    f.onInstanceLaunched = (instance) => {
      void m.start(instance.id, instance.userData, { root: join(work, instance.id.slice(-12)) }).then(() => {
        const i = f.instances.get(instance.id);
        if (i && i.lifecycleState !== "TERMINATED") f.setState(instance.id, "STOPPED");
      });
    };
    f.onInstanceTerminated = (id) => void m.kill(id);
  };

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), "artenic-oci-"));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  beforeEach(async () => {
    fake = await FakeOci.start(fakeOptions());
    machines = new SandboxMachines();
    attach(fake, machines);
  });
  afterEach(async () => {
    await machines.killAll();
    await fake.close();
  });

  it("launches one instance with the bootstrap as base64 user data, a retry token, tags and no secret; the same job finds it", async () => {
    fake.onInstanceLaunched = undefined;
    const p = createOciComputeProvider(config());
    const handle = await p.submit(spec());
    const [instance] = [...fake.instances.values()];
    expect(handle).toMatchObject({ provider: "oci", id: instance!.id, region: "eu-frankfurt-1", instanceType: "VM.Standard.E4.Flex.2.16" });
    const launch = fake.requests.find((r) => r.method === "POST" && r.path === "/20160918/instances")!;
    expect(launch.signedHeaders).toBe("date (request-target) host x-content-sha256 content-type content-length");
    expect(launch.headers["opc-retry-token"]).toMatch(/^[0-9a-f]{64}$/);
    const body = launch.body as Record<string, unknown>;
    expect(body).toEqual({
      availabilityDomain: "Uocm:EU-FRANKFURT-1-AD-1",
      compartmentId: COMPARTMENT,
      displayName: "artenic-o-1",
      shape: "VM.Standard.E4.Flex",
      shapeConfig: { ocpus: 2, memoryInGBs: 16 },
      sourceDetails: { sourceType: "image", imageId: IMAGE },
      createVnicDetails: { subnetId: SUBNET, assignPublicIp: true },
      metadata: { user_data: Buffer.from(instance!.userData).toString("base64") },
      freeformTags: { "artenic-job": "o-1", "artenic-managed-by": "artenic" },
    });
    expect(instance!.userData).not.toContain("job-token-secret-value");
    expect(instance!.userData).toMatch(new RegExp(`${fake.url}/p/[^/]+/n/frtenancyns/b/artenic-oci/o/`));
    // Every signed API call verified; object uploads were signed without their body.
    const uploads = fake.requests.filter((r) => r.method === "PUT" && r.path.startsWith("/n/"));
    expect(uploads.length).toBeGreaterThan(0);
    expect(uploads.every((r) => r.signedHeaders === "date (request-target) host")).toBe(true);
    expect(await p.submit(spec())).toEqual(handle);
    expect(fake.instances.size).toBe(1);
  });

  it("runs the bootstrap through pre-authenticated requests: SUCCEEDED with exactly the outputs; cleanup terminates with the boot volume and deletes objects and PARs", async () => {
    const p = createOciComputeProvider(config());
    const handle = await p.submit(spec({ jobName: "trainingJobs/o-ok" }));
    expect(await untilTerminal(p, handle)).toMatchObject({ state: "succeeded", exitCode: 0 });
    expect(await outputsOf(p, handle)).toEqual([["model.txt", "ok"]]);
    expect((await p.readLogs!(handle, "")).lines).toEqual(["epochs=2"]);
    const viaPar = fake.requests.filter((r) => r.path.startsWith("/p/")).map((r) => `${r.method} ${decodeURIComponent(r.path).split("/jobs/o-ok/")[1]}`);
    expect(viaPar).toEqual(expect.arrayContaining(["GET env.sh", "PUT status.json", "PUT logs/stdout.log", "PUT outputs.tar.gz"]));
    expect(fake.pars.size).toBeGreaterThan(0);
    await p.cleanup(handle);
    expect(fake.instances.get(handle.id)).toMatchObject({ lifecycleState: "TERMINATED", bootVolumeDeleted: true });
    expect([...fake.objects.get("artenic-oci")!.keys()].filter((k) => k.includes("/o-ok/"))).toEqual([]);
    expect([...fake.pars.values()].filter((par) => par.objectName.includes("/o-ok/"))).toEqual([]);
    await p.cleanup(handle);
  });

  it("reports a preemptible instance reclaimed by OCI as PREEMPTED, and a failing command as FAILED", async () => {
    const p = createOciComputeProvider(config());
    const spot = await p.submit(spec({ jobName: "trainingJobs/o-spot", spot: true, command: ["sleep", "100000"] }));
    const launch = fake.requests.filter((r) => r.method === "POST" && r.path === "/20160918/instances").at(-1)!;
    expect((launch.body as Record<string, unknown>)["preemptibleInstanceConfig"]).toEqual({ preemptionAction: { type: "TERMINATE", preserveBootVolume: false } });
    await untilRunning(p, spot);
    fake.preempt(spot.id);
    expect(await p.poll(spot)).toMatchObject({ state: "preempted", message: "preempted: the preemptible instance was reclaimed (TERMINATED)" });

    const failing = await p.submit(spec({ jobName: "trainingJobs/o-fail", command: ["bash", "-c", "exit 4"] }));
    expect(await untilTerminal(p, failing)).toMatchObject({ state: "failed", exitCode: 4 });
  });

  it("refuses an unsigned or wrongly signed request, naming why", async () => {
    const other = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs8", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });
    const result = await createOciComputeProvider(config({ privateKey: other.privateKey })).testConnection();
    expect(result).toEqual({ ok: false, message: "oci: list availability domains failed (HTTP 401): NotAuthenticated: The required information to complete authentication was not provided or was incorrect: the signature does not verify" });
    const unsigned = await fetch(`${fake.url}/20160918/availabilityDomains?compartmentId=${COMPARTMENT}`);
    expect(unsigned.status).toBe(401);
    expect(await createOciComputeProvider(config()).testConnection()).toMatchObject({ ok: true });
  });

  it("resumes after a restart from the persisted handle alone, and relaunches a job whose earlier instance was terminated", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    fake.onInstanceLaunched = (instance) =>
      void gate.then(() =>
        machines.start(instance.id, instance.userData, { root: join(work, `r-${instance.id.slice(-12)}`) }).then(() => {
          if (fake.instances.get(instance.id)?.lifecycleState !== "TERMINATED") fake.setState(instance.id, "STOPPED");
        }),
      );
    const handle = await createOciComputeProvider(config()).submit(spec({ jobName: "trainingJobs/o-restart" }));
    const persisted = JSON.parse(JSON.stringify(handle)) as ProviderHandle;
    const second = createOciComputeProvider(config());
    release();
    expect(await untilTerminal(second, persisted)).toMatchObject({ state: "succeeded" });
    expect(await outputsOf(second, persisted)).toEqual([["model.txt", "ok"]]);
    await second.cleanup(persisted);

    // Dispatched again within the retry token's 24 hours: a new instance, not the terminated one.
    const again = await second.submit(spec({ jobName: "trainingJobs/o-restart" }));
    expect(again.id).not.toBe(handle.id);
    expect(fake.instances.get(again.id)?.lifecycleState).not.toBe("TERMINATED");
  });

  it("refuses a foreign region and reports OCI's errors", async () => {
    const p = createOciComputeProvider(config());
    expect(((await p.submit(spec({ region: "us-ashburn-1" })).catch((e: unknown) => e)) as AppError).reason).toBe("OCI_WRONG_REGION");
    const error = (await createOciComputeProvider(config({ subnetId: "ocid1.subnet.nope" }))
      .submit(spec({ jobName: "trainingJobs/o-subnet" }))
      .catch((e: unknown) => e)) as AppError;
    expect(error.message).toBe("oci: launch instance artenic-o-subnet failed (HTTP 404): NotAuthorizedOrNotFound: subnet not found");
  });

  it("loses nothing across a server restart through the training service and the reconciler", async () => {
    const { handleId, exitCode } = await finishAcrossRestart({ provider: "oci", region: "eu-frankfurt-1", instanceType: "VM.Standard.E4.Flex.2.16", jobId: "o-reconciled", makeProvider: () => createOciComputeProvider(config()) });
    expect(exitCode).toBe(0);
    expect(fake.instances.get(handleId)).toMatchObject({ lifecycleState: "TERMINATED", bootVolumeDeleted: true });
    expect([...fake.objects.get("artenic-oci")!.keys()].filter((k) => k.includes("/o-reconciled/"))).toEqual([]);
  }, 60_000);

  describe("the shared contract", () => {
    let contractFake: FakeOci;
    const contractMachines = new SandboxMachines();
    beforeAll(async () => {
      contractFake = await FakeOci.start(fakeOptions({ objectPageSize: 1000 }));
      attach(contractFake, contractMachines);
    });
    afterAll(async () => {
      await contractMachines.killAll();
      await contractFake?.close();
    });
    describeComputeProviderContract(
      "oci",
      () => createOciComputeProvider({ ...config(), endpoints: { compute: contractFake.url, identity: contractFake.url, objectStorage: contractFake.url } }),
      { ...commandWorkloads(), region: "eu-frankfurt-1", pollIntervalMs: 50, timeoutMs: 15_000 },
    );
  });
});

async function untilRunning(p: ReturnType<typeof createOciComputeProvider>, handle: ProviderHandle): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if ((await p.poll(handle)).state === "running") return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error("never running");
}
