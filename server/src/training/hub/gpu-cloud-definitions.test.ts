import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Code, ConnectError, createClient, createRouterTransport, type Interceptor } from "@connectrpc/connect";
import { BadRequestSchema } from "@artenic/gen/google/rpc/error_details_pb";
import { TrainingService } from "@artenic/gen/artenic/training/v1/training_service_pb";
import { PriceSource, ProviderState } from "@artenic/gen/artenic/training/v1/provider_pb";
import { initOrm, migrate, type Orm } from "../../platform/db/orm.js";
import { kPrincipal } from "../../platform/interceptors/context-keys.js";
import { createErrorMappingInterceptor, createUnitOfWorkInterceptor, createValidateInterceptor } from "../../platform/interceptors/interceptors.js";
import { FakeKubeApiServer } from "../../../test/support/fake-kube-apiserver.js";
import { FakeLambdaCloud } from "../../../test/support/fake-lambda-cloud.js";
import { FakeRunPod } from "../../../test/support/fake-runpod.js";
import { FakeVast } from "../../../test/support/fake-vastai.js";
import { startTransferServer } from "../../../test/support/transfer-server.js";
import { loadPriceCatalog } from "../catalog/price-catalog.js";
import { ProviderRegistry } from "../provider-registry.js";
import { createProviderHub, createProviderHubHandler } from "./index.js";
import { gpuCloudJobStorage } from "../transfer/index.js";

const KEY = `key-${randomBytes(8).toString("hex")}`;
const NS = "tenant-acme";

const failure = (e: unknown) => {
  const err = ConnectError.from(e);
  return { code: Code[err.code], field: err.findDetails(BadRequestSchema)[0]?.fieldViolations[0]?.field };
};

/**
 * CoreWeave, Lambda, RunPod and Vast.ai through the Provider Hub RPCs: each is configured with its
 * credential and its API URL pointed at the wire-level fake, built by the hub (with the platform
 * transfer handed in), connection-tested and enabled; live prices come back through
 * ListInstanceTypes; bad settings are refused naming the field.
 */
describe("GPU-cloud provider definitions through the Provider Hub", () => {
  let dir: string;
  let orm: Orm;
  let client: ReturnType<typeof createClient<typeof TrainingService>>;
  let kube: FakeKubeApiServer;
  let lambda: FakeLambdaCloud;
  let runpod: FakeRunPod;
  let vast: FakeVast;
  let transfer: Awaited<ReturnType<typeof startTransferServer>>;
  const registry = new ProviderRegistry();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "artenic-gpu-hub-"));
    orm = await initOrm({ kind: "sqlite", path: ":memory:" });
    await migrate(orm);
    kube = await FakeKubeApiServer.start({ token: KEY, namespaces: [NS] });
    lambda = await FakeLambdaCloud.start({ apiKey: KEY, sandboxRoot: join(dir, "lambda") });
    runpod = await FakeRunPod.start({ apiKey: KEY, sandboxRoot: join(dir, "runpod") });
    vast = await FakeVast.start({ apiKey: KEY, sandboxRoot: join(dir, "vast") });
    transfer = await startTransferServer(join(dir, "server"));
    const hub = createProviderHub({ secretsKey: randomBytes(32), catalog: loadPriceCatalog(), registry, liveJobs: { countLiveJobs: async () => 0 }, services: { jobStorage: gpuCloudJobStorage(transfer.transfer) }, testTimeoutMs: 5000 });
    registry.setGate(hub.gate);
    await hub.start(orm.em.fork());
    const principal: Interceptor = (next) => (req) => {
      req.contextValues.set(kPrincipal, { keyName: "apiKeys/tester", keyId: "tester", scopes: new Set(["admin"] as const), rateLimit: undefined });
      return next(req);
    };
    client = createClient(
      TrainingService,
      createRouterTransport((router) => router.service(TrainingService, createProviderHubHandler({ hub })), {
        router: { interceptors: [createErrorMappingInterceptor(), principal, createValidateInterceptor(), createUnitOfWorkInterceptor(orm)] },
      }),
    );
  });
  afterAll(async () => {
    await Promise.all([kube?.close(), lambda?.close(), runpod?.close(), vast?.close(), transfer?.close()]);
    await orm?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const kubeconfig = () =>
    `apiVersion: v1\nkind: Config\nclusters:\n- name: cw\n  cluster:\n    server: ${kube.url}\n    insecure-skip-tls-verify: true\ncontexts:\n- name: cw\n  context:\n    cluster: cw\n    user: u\n    namespace: ${NS}\ncurrent-context: cw\nusers:\n- name: u\n  user:\n    token: ${KEY}\n`;

  it.each([
    ["coreweave", () => ({ credentials: { kubeconfig: kubeconfig() }, config: {} }), "connected to Kubernetes"],
    ["lambda-labs", () => ({ credentials: { api_key: KEY }, config: { api_url: lambda.url, ssh_key_name: "artenic" } }), "connected to Lambda Cloud"],
    ["runpod", () => ({ credentials: { api_key: KEY }, config: { api_url: runpod.url } }), "connected to RunPod"],
    ["vastai", () => ({ credentials: { api_key: KEY }, config: { api_url: vast.url } }), "connected to Vast.ai"],
  ])("%s: configured against its fake, built by the hub, connection-tested and enabled, credentials never returned", async (id, settings, connected) => {
    const name = `providers/${id}`;
    const before = (await client.getProvider({ name })).provider!;
    expect(before.state).toBe(ProviderState.UNCONFIGURED);
    expect(before.stateMessage).not.toContain("later release");
    const configured = (await client.configureProvider({ name, ...settings(), testConnection: true })).provider!;
    expect(configured).toMatchObject({ state: ProviderState.DISABLED, stateMessage: expect.stringContaining(connected) });
    expect(JSON.stringify(configured, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v))).not.toContain(KEY);
    expect((await client.enableProvider({ name })).provider).toMatchObject({ enabled: true, state: ProviderState.CONNECTED });
    expect(registry.get(id)?.id).toBe(id);
  });

  it("lists live prices from the providers' pricing APIs, in the platform currency", async () => {
    const listed = await client.listInstanceTypes({ provider: "providers/runpod" });
    expect(listed.instanceTypes.map((t) => t.name)).toEqual(["1x-rtx-4090", "1x-a100-80gb"]);
    expect(listed.instanceTypes[0]).toMatchObject({ priceSource: PriceSource.LIVE, gpuType: "nvidia-rtx-4090", spotAvailable: true });
    const offers = await client.listInstanceTypes({ provider: "providers/vastai" });
    expect(offers.instanceTypes.map((t) => t.name)).toEqual(["1x-rtx-4090", "1x-a100-80gb"]);
    const lambdaTypes = await client.listInstanceTypes({ provider: "providers/lambda-labs", region: "us-west-1" });
    expect(lambdaTypes.instanceTypes.map((t) => t.name).sort()).toEqual(["gpu_1x_a10", "gpu_1x_a100_sxm4"]);
    expect(lambdaTypes.instanceTypes.every((t) => t.priceSource === PriceSource.LIVE)).toBe(true);
  });

  it("refuses bad settings naming the field, and reports a refused key in the connection test", async () => {
    expect(failure(await client.configureProvider({ name: "providers/runpod", config: { cloud_type: "CHEAP" } }).catch((e: unknown) => e))).toMatchObject({ code: "InvalidArgument", field: "config[cloud_type]" });
    expect(failure(await client.configureProvider({ name: "providers/vastai", config: { min_reliability: "2" } }).catch((e: unknown) => e))).toMatchObject({ code: "InvalidArgument", field: "config[min_reliability]" });
    expect(failure(await client.configureProvider({ name: "providers/lambda-labs", config: { api_url: "ftp://example" } }).catch((e: unknown) => e))).toMatchObject({ code: "InvalidArgument", field: "config[api_url]" });
    expect(failure(await client.configureProvider({ name: "providers/coreweave", config: { region: "moon" } }).catch((e: unknown) => e))).toMatchObject({ code: "InvalidArgument", field: "config[region]" });
    await client.configureProvider({ name: "providers/vastai", credentials: { api_key: "revoked" } });
    const tested = await client.testProviderConnection({ name: "providers/vastai" });
    expect(tested).toMatchObject({ success: false, message: expect.stringContaining("invalid_user") });
  });
});
