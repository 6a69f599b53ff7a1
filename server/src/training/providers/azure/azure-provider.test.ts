import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BlobServiceClient, StorageSharedKeyCredential } from "@azure/storage-blob";
import type { ComputeProvider, LaunchSpec, ProviderHandle, ProviderStatus } from "../../compute-provider.js";
import { describeComputeProviderContract } from "../../compute-provider.contract.js";
import { loadPriceCatalog } from "../../catalog/price-catalog.js";
import type { PricedOffering } from "../../catalog/live-prices.js";
import { commandWorkloads, SandboxMachines } from "../remote/remote-testing.js";
import { runAcrossRestart } from "../../../../test/support/reconciler-restart.js";
import { azureDefinition } from "../../hub/azure-gcp-definitions.js";
import { FakeAzureCloud, retailPriceItem } from "../../../../test/support/fake-azure-cloud.js";
import { AZURITE_ACCOUNT, AZURITE_KEY, startAzurite, type Azurite } from "../../../../test/support/storage-emulators.js";
import { AzureBlobJobStorage, createAzureComputeProvider, mapAzureVm, parseRetailItems, type AzureProviderConfig } from "./index.js";

const SUB = "00000000-0000-0000-0000-0000000000aa";
const RG = "artenic-rg";
const TENANT = "11111111-2222-3333-4444-555555555555";
const CLIENT = "66666666-7777-8888-9999-000000000000";
const SECRET = "client-secret-value~0123";
const SUBNET = `/subscriptions/${SUB}/resourceGroups/net-rg/providers/Microsoft.Network/virtualNetworks/vnet1/subnets/jobs`;
const CONTAINER = "artenic-jobs";

describe("azure adapter: ARM fake + Azurite, bootstrap executed in a sandbox", () => {
  let azurite: Azurite;
  let fake: FakeAzureCloud;
  let work: string;
  const machines = new SandboxMachines();
  const catalog = loadPriceCatalog();

  const config = (over: Partial<AzureProviderConfig> = {}): AzureProviderConfig => ({
    tenantId: TENANT,
    clientId: CLIENT,
    clientSecret: SECRET,
    subscriptionId: SUB,
    resourceGroup: RG,
    region: "eastus",
    subnetId: SUBNET,
    storageAccount: AZURITE_ACCOUNT,
    storageAccountKey: AZURITE_KEY,
    container: CONTAINER,
    armEndpoint: fake.url,
    authorityHost: fake.url,
    blobEndpoint: azurite.blobEndpoint,
    retailPricesUrl: `${fake.url}/api/retail/prices`,
    caCertificate: fake.ca,
    offerings: catalog.offerings("azure"),
    currency: catalog.currency,
    pollIntervalMs: 5,
    ...over,
  });
  let provider: ComputeProvider;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), "artenic-azure-"));
    azurite = await startAzurite();
    fake = await FakeAzureCloud.start({
      tenantId: TENANT,
      clientId: CLIENT,
      clientSecret: SECRET,
      subscriptionId: SUB,
      resourceGroup: RG,
      priceItems: [
        retailPriceItem("Standard_D2s_v5", "eastus", 0.1),
        retailPriceItem("Standard_D2s_v5", "eastus", 0.021, "spot"),
        retailPriceItem("Standard_D2s_v5", "eastus", 0.188, "windows"),
        retailPriceItem("Standard_D2s_v5", "eastus", 0.015, "low-priority"),
        retailPriceItem("Standard_NC6s_v3", "eastus", 3.1),
        retailPriceItem("Standard_D2s_v5", "westeurope", 0.115),
      ],
      // The cloud "boots" a VM by running its custom data, the rendered bootstrap script, in a
      // sandbox; the script stopping its machine is the guest powering off.
      onBoot: ({ name, customData }) => {
        void machines.start(name, customData, { root: join(work, "machines", name) }).then(() => fake.powerOff(name));
      },
      onDelete: (name) => void machines.kill(name),
    });
    provider = createAzureComputeProvider(config());
  }, 120_000);

  afterAll(async () => {
    await machines.killAll();
    await fake?.close();
    await azurite?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  const blobs = async () => {
    const container = new BlobServiceClient(azurite.blobEndpoint, new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY)).getContainerClient(CONTAINER);
    const names: string[] = [];
    if (!(await container.exists())) return names;
    for await (const b of container.listBlobsFlat()) names.push(b.name);
    return names.sort();
  };

  const spec = (over: Partial<LaunchSpec> = {}): LaunchSpec => ({
    jobName: "trainingJobs/az-train-1",
    image: "",
    command: ["bash", "train.sh"],
    args: ["--epochs", "2"],
    env: { ARTENIC_JOB_TOKEN: "job-token-secret", LEARNING_RATE: "0.5" },
    codePath: "",
    cpus: 2,
    memoryBytes: 8 * 1024 ** 3,
    gpuType: "",
    gpuCount: 0,
    region: "eastus",
    instanceType: "Standard_D2s_v5",
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

  describeComputeProviderContract("azure", () => provider, commandWorkloads({ timeoutMs: 30_000, pollIntervalMs: 50 }));

  it("runs a job end to end: the VM's custom data fetches the uploaded code by SAS, trains, uploads status and outputs", async () => {
    const code = join(work, "code");
    mkdirSync(code, { recursive: true });
    writeFileSync(join(code, "data.csv"), "x,y\n1,2\n3,4\n");
    writeFileSync(join(code, "train.sh"), 'rows=$(($(wc -l < data.csv) - 1))\necho "training on $rows rows with lr=$LEARNING_RATE $*"\nprintf "rows=%s\\n" "$rows" > "$ARTENIC_OUTPUT_DIR/model.txt"\nmkdir -p "$ARTENIC_OUTPUT_DIR/metrics" && echo \'{"loss":0.1}\' > "$ARTENIC_OUTPUT_DIR/metrics/final.json"\n');
    const before = fake.requests.length;
    const handle = await provider.submit(spec({ codePath: code }));

    expect(handle).toMatchObject({ provider: "azure", region: "eastus", instanceType: "Standard_D2s_v5" });
    expect(handle.id).toBe(`/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Compute/virtualMachines/artenic-az-train-1`);
    expect(handle.data).toMatchObject({ vm: "artenic-az-train-1", nic: "artenic-az-train-1-nic", ip: "artenic-az-train-1-ip", disk: "artenic-az-train-1-osdisk", spot: "false", resourceGroup: RG, jobId: "az-train-1" });

    const mine = fake.requests.slice(before);
    const arm = mine.filter((r) => r.path.startsWith("/subscriptions/"));
    const base = `/subscriptions/${SUB}/resourceGroups/${RG}/providers`;
    expect(arm.map((r) => `${r.method} ${r.path}`).filter((c) => !c.includes("/operations/"))).toEqual([
      `GET ${base}/Microsoft.Compute/virtualMachines/artenic-az-train-1`,
      `PUT ${base}/Microsoft.Network/publicIPAddresses/artenic-az-train-1-ip`,
      // The final GET of a PUT once its Azure-AsyncOperation reports Succeeded.
      `GET ${base}/Microsoft.Network/publicIPAddresses/artenic-az-train-1-ip`,
      `PUT ${base}/Microsoft.Network/networkInterfaces/artenic-az-train-1-nic`,
      `GET ${base}/Microsoft.Network/networkInterfaces/artenic-az-train-1-nic`,
      `PUT ${base}/Microsoft.Compute/virtualMachines/artenic-az-train-1`,
    ]);
    // Long-running operations were followed through their Azure-AsyncOperation URLs.
    expect(arm.filter((r) => r.path.includes("/providers/Microsoft.Network/locations/eastus/operations/")).length).toBeGreaterThanOrEqual(2);
    expect(arm.every((r) => /^Bearer arm-[0-9a-f]{24}$/.test(r.authorization) && /^\d{4}-\d{2}-\d{2}/.test(r.query["api-version"] ?? ""))).toBe(true);

    const vm = arm.find((r) => r.method === "PUT" && r.path.endsWith("/virtualMachines/artenic-az-train-1"))!.body as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(vm["location"]).toBe("eastus");
    expect(vm["tags"]).toEqual({ "artenic-job": "az-train-1", "artenic-managed-by": "artenic" });
    const p = vm["properties"];
    expect(p.hardwareProfile).toEqual({ vmSize: "Standard_D2s_v5" });
    expect(p.priority).toBe("Regular");
    expect(p.storageProfile.imageReference).toEqual({ publisher: "Canonical", offer: "ubuntu-24_04-lts", sku: "server", version: "latest" });
    expect(p.storageProfile.osDisk).toMatchObject({ name: "artenic-az-train-1-osdisk", createOption: "FromImage", deleteOption: "Delete" });
    expect(p.networkProfile.networkInterfaces).toEqual([{ id: `${base}/Microsoft.Network/networkInterfaces/artenic-az-train-1-nic`, properties: { primary: true, deleteOption: "Delete" } }]);
    expect(p.osProfile.linuxConfiguration.disablePasswordAuthentication).toBe(true);
    const script = Buffer.from(p.osProfile.customData, "base64").toString("utf8");
    expect(script.startsWith("#!/bin/bash")).toBe(true);
    // The key the server uploaded is the key the script downloads, through a read-only SAS.
    expect(script).toContain(`${azurite.blobEndpoint}/${CONTAINER}/artenic/jobs/az-train-1/code.tar.gz?`);
    expect(script).toMatch(/code\.tar\.gz\?[^']*sp=r&[^']*sig=/);
    expect(script).toContain("x-ms-blob-type: BlockBlob");
    // A regular VM is never preempted: no watcher.
    expect(script).not.toContain("artenic_watcher");
    // No secret is in the custom data: the environment travels as a blob.
    expect(script).not.toContain("job-token-secret");
    const nic = arm.find((r) => r.method === "PUT" && r.path.endsWith("/networkInterfaces/artenic-az-train-1-nic"))!.body as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(nic["properties"].ipConfigurations[0].properties.subnet).toEqual({ id: SUBNET });

    const token = mine.find((r) => r.path === `/${TENANT}/oauth2/v2.0/token`);
    if (token) expect(token.body).toMatchObject({ grant_type: "client_credentials", client_id: CLIENT, client_secret: SECRET, scope: "https://management.azure.com/.default" });
    expect(fake.requests.some((r) => r.path === `/${TENANT}/oauth2/v2.0/token`)).toBe(true);

    const status = await until(provider, handle, ["succeeded", "failed", "preempted", "gone"]);
    expect(status).toMatchObject({ state: "succeeded", exitCode: 0 });
    const { files } = await provider.collectArtifacts(handle);
    expect(files.map((f) => f.name).sort()).toEqual(["metrics/final.json", "model.txt"]);
    const byName = new Map(files.map((f) => [f.name, f]));
    expect(new TextDecoder().decode(await byName.get("model.txt")!.read())).toBe("rows=2\n");
    const logs = await provider.readLogs!(handle, "");
    expect(logs.lines).toContain("training on 2 rows with lr=0.5 --epochs 2");

    await provider.cleanup(handle);
    expect(fake.resourceIds().filter((id) => id.includes("az-train-1"))).toEqual([]);
    expect((await blobs()).filter((b) => b.includes("az-train-1"))).toEqual([]);
    await provider.cleanup(handle);
  });

  it("refuses a bootstrap script larger than Azure's 64 KiB of custom data before creating or uploading anything", async () => {
    const before = fake.requests.length;
    const error = await provider.submit(spec({ jobName: "trainingJobs/az-huge", command: ["echo", "x".repeat(70_000)], args: [] })).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: "invalid_argument", reason: "USER_DATA_TOO_LARGE" });
    expect(fake.requests.slice(before).filter((r) => r.method === "PUT")).toEqual([]);
    expect((await blobs()).filter((b) => b.includes("az-huge"))).toEqual([]);
  });

  it("treats a container that does not exist as holding nothing: reads miss, cleanup succeeds", async () => {
    const storage = new AzureBlobJobStorage({ account: AZURITE_ACCOUNT, accountKey: AZURITE_KEY, container: "never-created", endpoint: azurite.blobEndpoint });
    expect(await storage.get("artenic/jobs/x/status.json")).toBeUndefined();
    await storage.deletePrefix("artenic/jobs/x/");
    // The first upload creates it.
    await storage.put("artenic/jobs/x/env.sh", new TextEncoder().encode("export A=1\n"));
    expect(new TextDecoder().decode(await storage.get("artenic/jobs/x/env.sh", { start: 7 }))).toBe("A=1\n");
    expect(await storage.get("artenic/jobs/x/env.sh", { start: 100 })).toEqual(new Uint8Array());
  });

  it("leaves nothing behind when Azure refuses the VM for good: the NIC, the IP and the job's blobs are deleted", async () => {
    fake.failNextVmCreate = { status: 400, code: "InvalidParameter", message: "The requested VM size Standard_Nope is not available in location eastus." };
    const error = await provider.submit(spec({ jobName: "trainingJobs/az-refused", command: ["true"], args: [] })).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: "invalid_argument", reason: "AZURE_INVALID" });
    expect((error as Error).message).toContain("Standard_Nope is not available");
    expect(fake.resourceIds().filter((r) => r.includes("az-refused"))).toEqual([]);
    expect((await blobs()).filter((b) => b.includes("az-refused"))).toEqual([]);
  });

  it("reports a failing command as FAILED with its exit code", async () => {
    const handle = await provider.submit(spec({ jobName: "trainingJobs/az-fail", command: ["bash", "-c", "echo boom >&2; exit 7"], args: [] }));
    const status = await until(provider, handle, ["succeeded", "failed", "preempted", "gone"]);
    expect(status).toMatchObject({ state: "failed", exitCode: 7, message: "exit code 7" });
    const logs = await provider.readLogs!(handle, "");
    expect(logs.lines).toContain("boom");
    expect(logs.streams?.[logs.lines.indexOf("boom")]).toBe("stderr");
    await provider.cleanup(handle);
  });

  it("creates Spot VMs with the eviction policy Delete and reports an eviction as PREEMPTED", async () => {
    const handle = await provider.submit(spec({ jobName: "trainingJobs/az-spot", command: ["sleep", "1000"], args: [], spot: true }));
    const put = fake.requests.find((r) => r.method === "PUT" && r.path.endsWith("/virtualMachines/artenic-az-spot"))!.body as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(put["properties"]).toMatchObject({ priority: "Spot", evictionPolicy: "Delete", billingProfile: { maxPrice: -1 } });
    expect(handle.data["spot"]).toBe("true");
    // A Spot VM watches Scheduled Events for its Preempt event.
    const script = Buffer.from(put["properties"].osProfile.customData, "base64").toString("utf8");
    expect(script).toContain(`artenic_metadata="\${ARTENIC_BOOTSTRAP_METADATA_URL:-http://169.254.169.254}"`);
    expect(script).toContain('"$artenic_metadata/metadata/scheduledevents?api-version=2020-07-01"');
    await until(provider, handle, ["running"]);
    fake.evict("artenic-az-spot");
    const status = await until(provider, handle, ["preempted", "failed", "succeeded", "gone"]);
    expect(status.state).toBe("preempted");
    expect(status.message).toContain("evicted");
    // The eviction took the disk, NIC and IP with the VM; cleanup finds them gone and succeeds.
    await provider.cleanup(handle);
    expect(fake.resourceIds().filter((id) => id.includes("az-spot"))).toEqual([]);
  });

  it("resumes a running job from its persisted handle in a new adapter instance and finishes it", async () => {
    const gate = join(work, "gate-az");
    const handle = await provider.submit(
      spec({ jobName: "trainingJobs/az-restart", command: ["bash", "-c", `while [ ! -e ${gate} ]; do sleep 0.05; done; echo resumed > "$ARTENIC_OUTPUT_DIR/out.txt"`], args: [] }),
    );
    await until(provider, handle, ["running"]);
    const persisted = JSON.parse(JSON.stringify(handle)) as ProviderHandle;
    const restarted = createAzureComputeProvider(config());
    expect((await restarted.poll(persisted)).state).toBe("running");
    writeFileSync(gate, "");
    const status = await until(restarted, persisted, ["succeeded", "failed", "preempted", "gone"]);
    expect(status.state).toBe("succeeded");
    const { files } = await restarted.collectArtifacts(persisted);
    expect(files.map((f) => f.name)).toEqual(["out.txt"]);
    await restarted.cleanup(persisted);
    expect(fake.resourceIds().filter((id) => id.includes("az-restart"))).toEqual([]);
  });

  it("loses nothing across a server restart: a new reconciler and adapter finish the job from the persisted handle", async () => {
    const { submitted, finished } = await runAcrossRestart({
      provider: "azure",
      region: "eastus",
      instanceType: "Standard_D2s_v5",
      jobId: "az-reconcile",
      command: ["bash", "-c", 'sleep 1; printf restarted > "$ARTENIC_OUTPUT_DIR/after-restart.txt"'],
      makeProvider: () => createAzureComputeProvider(config()),
    });
    expect(finished).toMatchObject({ state: "succeeded", exitCode: 0 });
    expect(finished.handle?.id).toBe(submitted.handle?.id);
    // The reconciler released the compute and the job's objects.
    expect(finished.releaseTime).not.toBeNull();
    expect(submitted.handle?.id).toContain("/virtualMachines/artenic-az-reconcile");
    expect(fake.resourceIds().filter((r) => r.includes("az-reconcile"))).toEqual([]);
    expect((await blobs()).filter((b) => b.includes("az-reconcile"))).toEqual([]);
  }, 60_000);

  it("prices offerings from the Retail Prices API, following NextPageLink, with the conversion recorded", async () => {
    const before = fake.requests.length;
    const fresh = createAzureComputeProvider(config());
    const offerings = (await fresh.listOfferings({ region: "eastus" })) as PricedOffering[];
    const d2 = offerings.find((o) => o.instanceType === "Standard_D2s_v5")!;
    expect(d2).toMatchObject({ onDemandPerHour: 0.1, spotPerHour: 0.021, priceSource: "live", sourceCurrency: "USD", exchangeRate: 1, exchangeRateDate: catalog.date });
    expect(d2.priceDate).toBe(new Date().toISOString().slice(0, 10));
    expect(offerings.find((o) => o.instanceType === "Standard_NC6s_v3")).toMatchObject({ onDemandPerHour: 3.1, priceSource: "live" });
    expect(offerings.find((o) => o.instanceType === "Standard_NC6s_v3")!.spotPerHour).toBeUndefined();
    // A size the API did not price keeps the catalog's dated price.
    expect(offerings.find((o) => o.instanceType === "Standard_D8s_v5")).toMatchObject({ priceSource: "catalog", priceDate: catalog.date });
    const priceCalls = fake.requests.slice(before).filter((r) => r.path === "/api/retail/prices");
    expect(priceCalls[0]!.query).toEqual({ "api-version": "2023-01-01-preview", $filter: "serviceName eq 'Virtual Machines' and armRegionName eq 'eastus' and priceType eq 'Consumption'" });
    // Five eastus items at two per page: three pages, the later ones through NextPageLink.
    expect(priceCalls.filter((r) => r.query["$filter"]?.includes("'eastus'")).map((r) => r.query["$skip"] ?? "0")).toEqual(["0", "2", "4"]);
    expect(priceCalls.every((r) => r.authorization === "")).toBe(true);
  });

  it("keeps the cheapest Linux meter per size and ignores Windows and Low Priority meters", () => {
    const prices = parseRetailItems([
      retailPriceItem("Standard_D2s_v5", "eastus", 0.2),
      retailPriceItem("Standard_D2s_v5", "eastus", 0.1),
      retailPriceItem("Standard_D2s_v5", "eastus", 0.01, "windows"),
      retailPriceItem("Standard_D2s_v5", "eastus", 0.001, "low-priority"),
      { ...retailPriceItem("Standard_D2s_v5", "eastus", 0.0001), unitOfMeasure: "1/Month" },
    ]);
    expect(Object.fromEntries(prices)).toEqual({ "eastus|Standard_D2s_v5": { onDemand: 0.1 } });
  });

  it("maps every power and provisioning state explicitly, never deciding success", () => {
    const vm = (...codes: string[]) => ({ statuses: codes.map((code) => ({ code })) });
    expect(mapAzureVm(vm("ProvisioningState/creating"), false).state).toBe("pending");
    expect(mapAzureVm(vm("ProvisioningState/succeeded", "PowerState/starting"), false).state).toBe("pending");
    expect(mapAzureVm(vm("ProvisioningState/succeeded", "PowerState/running"), false).state).toBe("running");
    expect(mapAzureVm(vm("ProvisioningState/succeeded", "PowerState/stopping"), false).state).toBe("stopping");
    expect(mapAzureVm(vm("ProvisioningState/succeeded", "PowerState/stopped"), false).state).toBe("stopped");
    expect(mapAzureVm(vm("ProvisioningState/succeeded", "PowerState/deallocated"), false)).toMatchObject({ state: "stopped" });
    expect(mapAzureVm(vm("ProvisioningState/succeeded", "PowerState/deallocated"), true)).toMatchObject({ state: "stopped", preempted: true });
    expect(mapAzureVm(vm("ProvisioningState/failed/AllocationFailed"), false)).toMatchObject({ state: "stopped" });
    expect(mapAzureVm(vm("ProvisioningState/deleting"), true)).toMatchObject({ preempted: true });
    expect(mapAzureVm(undefined, false)).toMatchObject({ state: "gone" });
    expect(mapAzureVm(undefined, false).preempted).toBeUndefined();
    expect(mapAzureVm(undefined, true)).toMatchObject({ state: "gone", preempted: true });
  });

  it("is built by the Provider Hub from stored settings (defaults filled in, endpoints pointed at the fakes) and passes its connection test", async () => {
    const defaults = Object.fromEntries(azureDefinition.configFields.map((f) => [f.key, f.defaultValue]));
    const stored: Record<string, string> = {
      ...defaults,
      resource_group: RG,
      subnet_id: SUBNET,
      storage_account: AZURITE_ACCOUNT,
      container: "hub-built",
      arm_endpoint: fake.url,
      authority_host: fake.url,
      blob_endpoint: azurite.blobEndpoint,
      retail_prices_url: `${fake.url}/api/retail/prices`,
      ca_certificate: fake.ca,
    };
    for (const f of azureDefinition.configFields) expect(f.validate?.(stored[f.key]!), f.key).toBeUndefined();
    expect(azureDefinition.configFields.find((f) => f.key === "subnet_id")!.validate!("subnet-1")).toBe("must be a subnet resource id");
    expect(azureDefinition.credentialFields.filter((f) => f.secret).map((f) => f.key)).toEqual(["client_secret", "storage_account_key"]);
    const built = await azureDefinition.create!(
      { config: stored, credentials: { subscription_id: SUB, tenant_id: TENANT, client_id: CLIENT, client_secret: SECRET, storage_account_key: AZURITE_KEY } },
      catalog,
      {},
    );
    expect(built.id).toBe("azure");
    const result = await built.testConnection();
    expect(result, result.message).toMatchObject({ ok: true });
    expect(result.message).toContain(`resource group ${RG}`);
    // The connection test created the container the jobs will use.
    const created = new BlobServiceClient(azurite.blobEndpoint, new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY)).getContainerClient("hub-built");
    expect(await created.exists()).toBe(true);
  });

  it("fails its connection test with Entra ID's own words when the client secret is wrong", async () => {
    const bad = createAzureComputeProvider(config({ clientSecret: "wrong-secret" }));
    const result = await bad.testConnection();
    expect(result.ok).toBe(false);
    expect(result.message).toContain("AADSTS7000215");
  });
});
