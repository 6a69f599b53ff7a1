import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { Code, ConnectError, createClient, createRouterTransport, type Interceptor } from "@connectrpc/connect";
import { BadRequestSchema, ErrorInfoSchema } from "@artenic/gen/google/rpc/error_details_pb";
import { TrainingService } from "@artenic/gen/artenic/training/v1/training_service_pb";
import { PriceSource, ProviderKind, ProviderState } from "@artenic/gen/artenic/training/v1/provider_pb";
import { PlacementStrategy } from "@artenic/gen/artenic/training/v1/training_job_pb";
import { initOrm, migrate, type Orm } from "../../platform/db/orm.js";
import { decryptSecret } from "../../platform/crypto/master-key.js";
import { kPrincipal } from "../../platform/interceptors/context-keys.js";
import { createErrorMappingInterceptor, createUnitOfWorkInterceptor, createValidateInterceptor } from "../../platform/interceptors/interceptors.js";
import { FakeKubeApiServer } from "../../../test/support/fake-kube-apiserver.js";
import type { ComputeProvider } from "../compute-provider.js";
import { loadPriceCatalog } from "../catalog/price-catalog.js";
import { ProviderRegistry } from "../provider-registry.js";
import { FakeComputeProvider } from "../providers/fake/index.js";
import { createProviderHub, createProviderHubHandler, ProviderSettingsEntity, type BudgetPreview, type ProviderHub } from "./index.js";

function failure(e: unknown) {
  const err = ConnectError.from(e);
  return { code: Code[err.code], reason: err.findDetails(ErrorInfoSchema)[0]?.reason, field: err.findDetails(BadRequestSchema)[0]?.fieldViolations[0]?.field, message: err.rawMessage };
}

/** A local adapter stand-in: the hub only needs its id, offerings and connection test. */
const localStub: ComputeProvider = {
  id: "local",
  listOfferings: async () => [
    { provider: "local", region: "local", instanceType: "host", cpus: 16, memoryBytes: 64 * 1024 ** 3, gpuType: "", gpuCount: 0, onDemandPerHour: 0, priceDate: "2026-11-26", priceSource: "live" },
  ],
  submit: async () => {
    throw new Error("not used");
  },
  poll: async () => ({ state: "gone", message: "" }),
  cancel: async () => undefined,
  collectArtifacts: async () => ({ files: [] }),
  cleanup: async () => undefined,
  testConnection: async () => ({ ok: true, message: "16 CPUs, 64 GiB" }),
};

const TOKEN = "kube-token-" + randomBytes(8).toString("hex");
const NS = "artenic-training";

describe("Provider Hub RPCs (in-memory transport, real interceptors, SQLite)", () => {
  let orm: Orm;
  let kube: FakeKubeApiServer;
  let hub: ProviderHub;
  let registry: ProviderRegistry;
  let client: ReturnType<typeof createClient<typeof TrainingService>>;
  const secretsKey = randomBytes(32);
  const live = new Map<string, number>();
  const blocked = new Set<string>();

  beforeAll(async () => {
    orm = await initOrm({ kind: "sqlite", path: ":memory:" });
    await migrate(orm);
    kube = await FakeKubeApiServer.start({ token: TOKEN });
    registry = new ProviderRegistry();
    registry.register(localStub);
    registry.register(new FakeComputeProvider());
    const budgets: BudgetPreview = { blockingBudgets: async (_em, r) => (blocked.has(r.provider) ? ["budgets/gpu-cap"] : []) };
    hub = createProviderHub({ secretsKey, catalog: loadPriceCatalog(), registry, liveJobs: { countLiveJobs: async (_em, id) => live.get(id) ?? 0 }, testTimeoutMs: 5000 });
    registry.setGate(hub.gate);
    await hub.start(orm.em.fork());
    const principal: Interceptor = (next) => (req) => {
      req.contextValues.set(kPrincipal, { keyName: "apiKeys/tester", keyId: "tester", scopes: new Set(["admin"] as const), rateLimit: undefined });
      return next(req);
    };
    const transport = createRouterTransport((router) => router.service(TrainingService, createProviderHubHandler({ hub, budgets })), {
      router: { interceptors: [createErrorMappingInterceptor(), principal, createValidateInterceptor(), createUnitOfWorkInterceptor(orm)] },
    });
    client = createClient(TrainingService, transport);
  });
  afterAll(async () => {
    await kube?.close();
    await orm?.close();
  });

  /** Each test arranges the cluster provider it needs: none at all, or configured, tested and enabled. */
  const resetCluster = async () => {
    live.clear();
    await client.clearProviderCredentials({ name: "providers/kubernetes" });
  };
  const connectCluster = async () => {
    await resetCluster();
    await client.configureProvider({ name: "providers/kubernetes", credentials: { token: TOKEN }, config: { api_server_url: kube.url, insecure_skip_tls_verify: "true", namespace: NS } });
    await client.enableProvider({ name: "providers/kubernetes" });
  };

  it("lists every provider of the build with its state; the clouds say their adapter ships later", async () => {
    await resetCluster();
    const { providers, totalSize } = await client.listProviders({ pageSize: 100 });
    expect(providers.map((p) => p.name)).toEqual([
      "providers/aws",
      "providers/azure",
      "providers/coreweave",
      "providers/fake",
      "providers/gcp",
      "providers/hetzner",
      "providers/infomaniak",
      "providers/kubernetes",
      "providers/lambda-labs",
      "providers/local",
      "providers/oci",
      "providers/ovh",
      "providers/runpod",
      "providers/scaleway",
      "providers/vastai",
    ]);
    expect(totalSize).toBe(15n);
    const by = new Map(providers.map((p) => [p.name, p]));
    expect(by.get("providers/local")).toMatchObject({ state: ProviderState.CONFIGURED, enabled: true, kind: ProviderKind.LOCAL });
    expect(by.get("providers/kubernetes")).toMatchObject({
      state: ProviderState.UNCONFIGURED,
      enabled: false,
      stateMessage: "missing credentials: token (or client_certificate and client_key); missing settings: api_server_url",
    });
    const aws = by.get("providers/aws")!;
    expect(aws.state).toBe(ProviderState.UNCONFIGURED);
    expect(aws.stateMessage).toBe("missing credentials: access_key_id, secret_access_key; missing settings: bucket, image_id");
    expect(aws.capabilities).toMatchObject({ spot: true, gpu: true, regions: ["us-east-1", "eu-west-1"], defaultRegion: "us-east-1" });
    expect(aws.capabilities?.gpuTypes).toEqual(["nvidia-a100-40gb", "nvidia-a10g", "nvidia-h100", "nvidia-t4"]);
    expect(aws.credentialFields.map((f) => [f.key, f.secret, f.required, f.set])).toEqual([
      ["access_key_id", false, true, false],
      ["secret_access_key", true, true, false],
      ["session_token", true, false, false],
    ]);
  });

  it("filters and pages providers (AIP-160 subset, AIP-158 tokens)", async () => {
    await resetCluster();
    const gpuClouds = await client.listProviders({ filter: "kind = GPU_CLOUD" });
    expect(gpuClouds.providers.map((p) => p.name)).toEqual(["providers/lambda-labs", "providers/runpod", "providers/vastai"]);
    const spotReady = await client.listProviders({ filter: "capabilities.spot = true AND state != UNCONFIGURED", orderBy: "display_name desc" });
    expect(spotReady.providers.map((p) => p.name)).toEqual(["providers/fake"]);
    const first = await client.listProviders({ pageSize: 6 });
    const second = await client.listProviders({ pageSize: 6, pageToken: first.nextPageToken });
    const third = await client.listProviders({ pageSize: 6, pageToken: second.nextPageToken });
    expect([...first.providers, ...second.providers, ...third.providers]).toHaveLength(15);
    expect(third.nextPageToken).toBe("");
    expect(failure(await client.listProviders({ filter: "colour = red" }).catch((e: unknown) => e))).toMatchObject({ code: "InvalidArgument", field: "filter" });
    expect(failure(await client.listProviders({ pageToken: first.nextPageToken, filter: "enabled = true" }).catch((e: unknown) => e))).toMatchObject({ code: "InvalidArgument", field: "page_token" });
  });

  it("GetProvider answers NOT_FOUND for an unknown id", async () => {
    expect(failure(await client.getProvider({ name: "providers/nimbus" }).catch((e: unknown) => e))).toMatchObject({ code: "NotFound", reason: "PROVIDER_NOT_FOUND" });
  });

  it("ConfigureProvider refuses unknown keys and bad settings, merges, seals credentials and never returns them", async () => {
    await resetCluster();
    expect(failure(await client.configureProvider({ name: "providers/kubernetes", credentials: { password: "x" } }).catch((e: unknown) => e))).toMatchObject({
      code: "InvalidArgument",
      reason: "UNKNOWN_CREDENTIAL",
      field: "credentials[password]",
    });
    expect(failure(await client.configureProvider({ name: "providers/kubernetes", config: { namespace: "Not A Label" } }).catch((e: unknown) => e))).toMatchObject({
      code: "InvalidArgument",
      reason: "INVALID_SETTING",
      field: "config[namespace]",
    });
    const configured = (
      await client.configureProvider({
        name: "providers/kubernetes",
        credentials: { token: TOKEN, client_key: "to be removed" },
        config: { api_server_url: kube.url, insecure_skip_tls_verify: "true", namespace: NS },
      })
    ).provider!;
    expect(configured.state).toBe(ProviderState.DISABLED);
    expect(configured.credentialFields.filter((f) => f.set).map((f) => f.key)).toEqual(["token", "client_key"]);
    expect(configured.config).toEqual({ api_server_url: kube.url, insecure_skip_tls_verify: "true", namespace: NS });
    expect(JSON.stringify(configured, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v))).not.toContain(TOKEN);

    // An empty value removes a key; absent keys stay; a stale etag is refused.
    const merged = (await client.configureProvider({ name: "providers/kubernetes", credentials: { client_key: "" }, etag: configured.etag })).provider!;
    expect(merged.credentialFields.filter((f) => f.set).map((f) => f.key)).toEqual(["token"]);
    expect(failure(await client.configureProvider({ name: "providers/kubernetes", config: { namespace: NS }, etag: configured.etag }).catch((e: unknown) => e))).toMatchObject({
      code: "Aborted",
      reason: "ETAG_MISMATCH",
    });

    const row = (await orm.em.fork().findOne(ProviderSettingsEntity, { id: "kubernetes" }))!;
    expect(row.sealedCredentials).not.toContain(TOKEN);
    expect(JSON.parse(decryptSecret(secretsKey, row.sealedCredentials, "providers/kubernetes"))).toEqual({ token: TOKEN });
    // Bound to the provider: the blob does not open as another provider's.
    expect(() => decryptSecret(secretsKey, row.sealedCredentials, "providers/aws")).toThrow();
  });

  it("TestProviderConnection reports a failing provider as success=false and records it; UNCONFIGURED is FAILED_PRECONDITION", async () => {
    expect(failure(await client.testProviderConnection({ name: "providers/aws" }).catch((e: unknown) => e))).toMatchObject({ code: "FailedPrecondition", reason: "PROVIDER_NOT_CONFIGURED" });
    await resetCluster();
    await client.configureProvider({ name: "providers/kubernetes", credentials: { token: "wrong" }, config: { api_server_url: kube.url, insecure_skip_tls_verify: "true", namespace: NS } });
    const bad = await client.testProviderConnection({ name: "providers/kubernetes" });
    expect(bad.success).toBe(false);
    expect(bad.message).toContain("401");
    expect(bad.checks).toEqual([expect.objectContaining({ name: "cluster API", success: false })]);
    expect(bad.provider?.lastCheckTime).toBeDefined();
    await client.configureProvider({ name: "providers/kubernetes", credentials: { token: TOKEN } });
    const good = await client.testProviderConnection({ name: "providers/kubernetes" });
    expect(good).toMatchObject({ success: true, message: expect.stringContaining("connected to Kubernetes v1.31.2") });
    expect(Number(good.latency?.seconds ?? 0n) * 1000 + (good.latency?.nanos ?? 0) / 1e6).toBeGreaterThan(0);
    expect(good.provider?.state).toBe(ProviderState.DISABLED);
  });

  it("EnableProvider tests first (refusing on failure), or skips the test when asked; DisableProvider stops new jobs", async () => {
    await resetCluster();
    await client.configureProvider({ name: "providers/kubernetes", credentials: { token: "wrong" }, config: { api_server_url: kube.url, insecure_skip_tls_verify: "true", namespace: NS } });
    expect(failure(await client.enableProvider({ name: "providers/kubernetes" }).catch((e: unknown) => e))).toMatchObject({ code: "FailedPrecondition", reason: "PROVIDER_CONNECTION_FAILED" });
    expect((await client.getProvider({ name: "providers/kubernetes" })).provider?.enabled).toBe(false);
    const skipped = (await client.enableProvider({ name: "providers/kubernetes", skipConnectionTest: true })).provider!;
    expect(skipped).toMatchObject({ enabled: true, state: ProviderState.ERROR });
    expect((await hub.usability(orm.em.fork(), "kubernetes")).usable).toBe(false);
    await client.configureProvider({ name: "providers/kubernetes", credentials: { token: TOKEN } });
    expect((await client.getProvider({ name: "providers/kubernetes" })).provider?.state).toBe(ProviderState.CONFIGURED);
    const tested = await client.testProviderConnection({ name: "providers/kubernetes" });
    expect(tested.provider?.state).toBe(ProviderState.CONNECTED);
    const again = (await client.enableProvider({ name: "providers/kubernetes" })).provider!;
    expect(again.etag).toBe(tested.provider?.etag);
    expect(await hub.usability(orm.em.fork(), "kubernetes")).toEqual({ usable: true });
    expect(registry.get("kubernetes")?.id).toBe("kubernetes");

    const disabled = (await client.disableProvider({ name: "providers/kubernetes" })).provider!;
    expect(disabled).toMatchObject({ enabled: false, state: ProviderState.DISABLED });
    expect(await hub.usability(orm.em.fork(), "kubernetes")).toMatchObject({ usable: false, state: "disabled" });
    expect(failure(await client.enableProvider({ name: "providers/aws", skipConnectionTest: true }).catch((e: unknown) => e))).toMatchObject({ code: "FailedPrecondition", reason: "PROVIDER_NOT_CONFIGURED" });
  });

  it("ListInstanceTypes: catalog prices with their date, filters, order and pages; NOT_FOUND for an unknown provider", async () => {
    const aws = await client.listInstanceTypes({ provider: "providers/aws", region: "us-east-1", filter: "gpu_count > 0" });
    expect(aws.instanceTypes.map((t) => t.name)).toEqual(["g4dn.xlarge", "g5.xlarge", "g5.12xlarge", "p4d.24xlarge", "p5.48xlarge"]);
    const g4 = aws.instanceTypes[0]!;
    expect(g4).toMatchObject({ provider: "providers/aws", region: "us-east-1", cpus: 4, memoryBytes: 16n * 1024n ** 3n, gpuType: "nvidia-t4", gpuCount: 1, gpuMemoryBytes: 16n * 1024n ** 3n, architecture: "x86_64", priceSource: PriceSource.CATALOG, sourceCurrency: "USD", exchangeRate: 1, spotAvailable: true, available: true });
    expect(g4.onDemandPrice).toMatchObject({ currencyCode: "USD", units: 0n, nanos: 526_000_000 });
    expect(g4.priceDate).toMatchObject({ year: 2025, month: 6, day: 1 });
    const hetzner = await client.listInstanceTypes({ provider: "providers/hetzner", region: "fsn1", filter: 'architecture = "arm64"' });
    expect(hetzner.instanceTypes.map((t) => [t.name, t.sourceCurrency, t.exchangeRate, t.spotAvailable])).toEqual([["cax31", "EUR", 1.08, false]]);
    const spotDesc = await client.listInstanceTypes({ filter: "spot_available = true AND cpus >= 8", orderBy: "spot_price desc", pageSize: 3 });
    expect(spotDesc.instanceTypes.map((t) => `${t.provider}/${t.name}`)).toEqual(["providers/aws/p5.48xlarge", "providers/gcp/a3-highgpu-8g", "providers/aws/p4d.24xlarge"]);
    expect(spotDesc.nextPageToken).not.toBe("");
    const local = await client.listInstanceTypes({ provider: "providers/local" });
    expect(local.instanceTypes.map((t) => [t.name, t.cpus, t.priceSource])).toEqual([["host", 16, PriceSource.LIVE]]);
    expect(failure(await client.listInstanceTypes({ provider: "providers/nimbus" }).catch((e: unknown) => e))).toMatchObject({ code: "NotFound" });
    expect(failure(await client.listInstanceTypes({ orderBy: "colour" }).catch((e: unknown) => e))).toMatchObject({ code: "InvalidArgument", field: "order_by" });
  });

  const spec = (over: Record<string, unknown> = {}) => ({
    image: "python:3.12",
    command: ["python", "train.py"],
    resources: { cpus: 2, memoryBytes: 4n * 1024n ** 3n },
    maxRuntime: { seconds: 4n * 3600n },
    ...over,
  });

  it("EstimateCost prices every candidate CreateTrainingJob would consider, cheapest first, and selects what it would pick", async () => {
    await connectCluster();
    const res = await client.estimateCost({ spec: spec(), expectedDuration: { seconds: 7200n } });
    expect(res.options.slice(0, 5).map((o) => `${o.instanceType?.provider}/${o.instanceType?.region}/${o.instanceType?.name}`)).toEqual([
      "providers/local/local/host",
      "providers/kubernetes/cluster/pod-cpu-2",
      "providers/fake/fake-a/fake-cpu-small",
      "providers/fake/fake-b/fake-cpu-small",
      "providers/kubernetes/cluster/pod-cpu-8",
    ]);
    const costs = res.options.map((o) => Number(o.estimatedCost?.units) + (o.estimatedCost?.nanos ?? 0) / 1e9);
    expect([...costs].sort((a, b) => a - b)).toEqual(costs);
    const k8s = res.options[1]!;
    expect(k8s).toMatchObject({ spot: false, withinMaxCost: true, blockingBudgets: [] });
    expect(k8s.hourlyPrice).toMatchObject({ currencyCode: "USD", units: 0n, nanos: 50_000_000 });
    expect(k8s.estimatedCost).toMatchObject({ units: 0n, nanos: 100_000_000 });
    expect(k8s.reservation).toMatchObject({ units: 0n, nanos: 200_000_000 });
    expect(k8s.expectedDuration?.seconds).toBe(7200n);
    expect(k8s.notes).toContain("price from the catalog dated 2025-06-01");
    expect(res.selected?.instanceType?.provider).toBe("providers/local");
  });

  it("EstimateCost flags max_cost and BLOCK budgets, and selects the next provider a budget does not refuse", async () => {
    await connectCluster();
    blocked.add("providers/local");
    try {
      const res = await client.estimateCost({ spec: spec({ maxCost: { currencyCode: "USD", units: 0n, nanos: 150_000_000 } }), expectedDuration: { seconds: 3600n * 4n } });
      expect(res.options[0]).toMatchObject({ blockingBudgets: ["budgets/gpu-cap"], withinMaxCost: true });
      expect(res.selected?.instanceType?.provider).toBe("providers/kubernetes");
      const k8s = res.options.find((o) => o.instanceType?.name === "pod-cpu-2")!;
      expect(k8s.withinMaxCost).toBe(false);
      expect(k8s.reservation).toMatchObject({ units: 0n, nanos: 150_000_000 });
      expect(k8s.notes.some((n) => n.includes("max_cost"))).toBe(true);
    } finally {
      blocked.clear();
    }
    expect(failure(await client.estimateCost({ spec: spec({ maxCost: { currencyCode: "EUR", units: 1n } }) }).catch((e: unknown) => e))).toMatchObject({ code: "InvalidArgument", field: "spec.max_cost.currency_code" });
  });

  it("EstimateCost honours pins and spot; an unknown pinned provider is INVALID_ARGUMENT, an unconfigured one FAILED_PRECONDITION", async () => {
    const spot = await client.estimateCost({ spec: spec({ spot: true, placement: { provider: "providers/fake", region: "fake-b" } }) });
    expect(spot.options.slice(0, 2).map((o) => [o.instanceType?.name, o.spot, o.instanceType?.region])).toEqual([
      ["fake-cpu-small", true, "fake-b"],
      ["fake-cpu-large", true, "fake-b"],
    ]);
    expect(spot.options.every((o) => o.spot && o.instanceType?.provider === "providers/fake" && o.instanceType.region === "fake-b")).toBe(true);
    expect(spot.options[0]?.notes.some((n) => n.startsWith("spot capacity"))).toBe(true);
    expect(failure(await client.estimateCost({ spec: spec({ placement: { provider: "providers/nimbus" } }) }).catch((e: unknown) => e))).toMatchObject({ code: "InvalidArgument", field: "spec.placement.provider" });
    expect(failure(await client.estimateCost({ spec: spec({ placement: { provider: "providers/aws" } }) }).catch((e: unknown) => e))).toMatchObject({ code: "FailedPrecondition" });
    const none = await client.estimateCost({ spec: spec({ resources: { cpus: 1000 } }) });
    expect(none.options).toEqual([]);
    expect(none.selected).toBeUndefined();
  });

  it("RecommendPlacements ranks across providers, spot and on-demand, cheapest and fastest, and prices disabled ones from the catalog", async () => {
    await connectCluster();
    const gpu = spec({ resources: { cpus: 4, memoryBytes: 16n * 1024n ** 3n, gpuCount: 1 }, placement: { provider: "providers/fake", strategy: PlacementStrategy.CHEAPEST } });
    const enabledOnly = await client.recommendPlacements({ spec: gpu });
    expect(new Set(enabledOnly.recommendations.map((r) => r.instanceType?.provider))).toEqual(new Set(["providers/fake", "providers/kubernetes"]));
    expect(enabledOnly.cheapest).toMatchObject({ spot: true, instanceType: { name: "pod-gpu-t4-1" } });
    const all = await client.recommendPlacements({ spec: gpu, includeDisabledProviders: true, strategy: PlacementStrategy.FASTEST, maxRecommendations: 5 });
    expect(all.recommendations).toHaveLength(5);
    // 8 × H100 with the most vCPUs (208), the cheaper of the two such types breaking the tie.
    expect(all.fastest?.instanceType?.name).toBe("gpu_8x_h100_sxm5");
    expect(all.recommendations[0]?.instanceType?.name).toBe("gpu_8x_h100_sxm5");
    expect(all.recommendations[0]?.notes).toContain("provider not configured");
    const speeds = all.recommendations.map((r) => r.speedScore);
    expect([...speeds].sort((a, b) => b - a)).toEqual(speeds);
    expect(all.cheapest?.instanceType?.name).toBe("pod-gpu-t4-1");
    const withinAllowed = await client.recommendPlacements({ spec: spec({ placement: { allowedProviders: ["providers/hetzner"], allowedRegions: ["hel1"] } }), includeDisabledProviders: true });
    expect(withinAllowed.recommendations.map((r) => `${r.instanceType?.region}/${r.instanceType?.name}`)).toEqual(["hel1/cax31", "hel1/ccx33"]);
  });

  it("ClearProviderCredentials refuses while jobs are live, then wipes settings and credentials and disables", async () => {
    await connectCluster();
    live.set("kubernetes", 2);
    expect(failure(await client.clearProviderCredentials({ name: "providers/kubernetes" }).catch((e: unknown) => e))).toMatchObject({ code: "FailedPrecondition", reason: "PROVIDER_HAS_LIVE_JOBS" });
    live.clear();
    const cleared = (await client.clearProviderCredentials({ name: "providers/kubernetes" })).provider!;
    expect(cleared).toMatchObject({ state: ProviderState.UNCONFIGURED, enabled: false, config: {} });
    expect(cleared.credentialFields.some((f) => f.set)).toBe(false);
    expect(registry.get("kubernetes")).toBeUndefined();
    expect((await orm.em.fork().findOne(ProviderSettingsEntity, { id: "kubernetes" }))!.sealedCredentials).toBe("");
  });
});
