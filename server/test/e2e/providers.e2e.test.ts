import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { createClient, type Interceptor } from "@connectrpc/connect";
import { connectNodeAdapter, createGrpcTransport } from "@connectrpc/connect-node";
import { TrainingService } from "@artenic/gen/artenic/training/v1/training_service_pb";
import { ProviderState } from "@artenic/gen/artenic/training/v1/provider_pb";
import { initOrm, migrate, type Orm } from "../../src/platform/db/orm.js";
import { listen, type Listener, type RequestHandler } from "../../src/platform/http/listener.js";
import { kPrincipal } from "../../src/platform/interceptors/context-keys.js";
import { createErrorMappingInterceptor, createUnitOfWorkInterceptor, createValidateInterceptor } from "../../src/platform/interceptors/interceptors.js";
import { loadPriceCatalog } from "../../src/training/catalog/price-catalog.js";
import { ProviderRegistry } from "../../src/training/provider-registry.js";
import { createProviderHub, createProviderHubHandler, type ProviderHub } from "../../src/training/hub/index.js";
import { FakeKubeApiServer } from "../support/fake-kube-apiserver.js";
import { createScratchDatabase, databaseKinds, type ScratchDatabase } from "../support/databases.js";

const NS = "artenic-training";

/**
 * The Provider Hub over gRPC on a real listener, on SQLite and on PostgreSQL: a cluster configured,
 * tested and enabled through the RPCs, then a job run on it end to end through the adapter the hub
 * built (submit, watch it finish, collect its outputs, clean up), credentials sealed in the
 * database, and a second server process on the same database picking the configuration up.
 */
describe.each(databaseKinds)("Provider Hub end to end (%s)", (kind) => {
  let db: ScratchDatabase & { dataDir: string };
  let orm: Orm;
  let kube: FakeKubeApiServer;
  let listener: Listener;
  let hub: ProviderHub;
  let client: ReturnType<typeof createClient<typeof TrainingService>>;
  const secretsKey = randomBytes(32);
  const token = `sa-token-${randomBytes(12).toString("hex")}`;
  const catalog = loadPriceCatalog();
  const noLiveJobs = { countLiveJobs: async () => 0 };

  beforeAll(async () => {
    db = await createScratchDatabase(kind, "providers");
    orm = await initOrm(db.config);
    await migrate(orm);
    kube = await FakeKubeApiServer.start({
      token,
      // Every pod "runs" `train.py`: it logs, writes its model and exits 0.
      kubelet: (_pod, env) => ({ exitCode: 0, logs: ["epoch 1 loss=0.5", "done"], files: { "model.onnx": `onnx-for-${env["ARTENIC_TRAINING_JOB"] ?? "?"}` } }),
    });
    const registry = new ProviderRegistry();
    hub = createProviderHub({ secretsKey, catalog, registry, liveJobs: noLiveJobs });
    registry.setGate(hub.gate);
    // Two processes starting on a fresh database at once: the seeding of provider rows must not collide.
    const other = createProviderHub({ secretsKey, catalog, registry: new ProviderRegistry(), liveJobs: noLiveJobs });
    await Promise.all([hub.start(orm.em.fork()), other.start(orm.em.fork())]);
    const principal: Interceptor = (next) => (req) => {
      req.contextValues.set(kPrincipal, { keyName: "apiKeys/e2e", keyId: "e2e", scopes: new Set(["admin"] as const), rateLimit: undefined });
      return next(req);
    };
    const handler = connectNodeAdapter({
      routes: (router) => router.service(TrainingService, createProviderHubHandler({ hub }), { interceptors: [createErrorMappingInterceptor(), principal, createValidateInterceptor(), createUnitOfWorkInterceptor(orm)] }),
      grpc: true,
    }) as RequestHandler;
    listener = await listen(handler, { host: "127.0.0.1", port: 0 });
    client = createClient(TrainingService, createGrpcTransport({ baseUrl: `http://127.0.0.1:${listener.address.port}` }));
  });
  /** Tests arrange their own cluster provider: configured with the fake's token, and enabled. */
  const connectCluster = async () => {
    await client.configureProvider({ name: "providers/kubernetes", credentials: { token }, config: { api_server_url: kube.url, insecure_skip_tls_verify: "true", namespace: NS } });
    await client.enableProvider({ name: "providers/kubernetes" });
  };

  afterAll(async () => {
    await listener?.close(0);
    await kube?.close();
    await orm?.close();
    await db?.drop();
  });

  it("configures, tests and enables a cluster, then runs a job on it through the hub's adapter", async () => {
    await client.disableProvider({ name: "providers/kubernetes" });
    const configured = await client.configureProvider({
      name: "providers/kubernetes",
      credentials: { token },
      config: { api_server_url: kube.url, insecure_skip_tls_verify: "true", namespace: NS },
      testConnection: true,
    });
    expect(configured.provider).toMatchObject({ state: ProviderState.DISABLED, stateMessage: expect.stringContaining("connected to Kubernetes") });
    const enabled = await client.enableProvider({ name: "providers/kubernetes", etag: configured.provider!.etag });
    expect(enabled.provider).toMatchObject({ enabled: true, state: ProviderState.CONNECTED });

    const estimate = await client.estimateCost({ spec: { image: "python:3.12", command: ["python", "train.py"], resources: { cpus: 1 }, placement: { provider: "providers/kubernetes" } } });
    expect(estimate.selected?.instanceType).toMatchObject({ provider: "providers/kubernetes", name: "pod-cpu-1" });

    const adapter = (await hub.adapterFor(orm.em.fork(), "kubernetes"))!;
    const handle = await adapter.submit({
      jobName: "trainingJobs/e2e-job",
      image: "python:3.12",
      command: ["python", "train.py"],
      args: [],
      env: { ARTENIC_TRAINING_JOB: "trainingJobs/e2e-job", ARTENIC_JOB_TOKEN: "secret-job-token" },
      codePath: "",
      cpus: 1,
      memoryBytes: 2 * 1024 ** 3,
      gpuType: "",
      gpuCount: 0,
      region: "cluster",
      instanceType: "pod-cpu-1",
      spot: false,
      maxRuntimeMs: 600_000,
    });
    let status = await adapter.poll(handle);
    for (let i = 0; i < 200 && status.state !== "succeeded" && status.state !== "failed"; i++) {
      await new Promise((r) => setTimeout(r, 10));
      status = await adapter.poll(handle);
    }
    expect(status).toMatchObject({ state: "succeeded", exitCode: 0 });
    expect((await adapter.readLogs!(handle, "")).lines).toEqual(["epoch 1 loss=0.5", "done"]);
    const files = (await adapter.collectArtifacts(handle)).files;
    expect(files.map((f) => f.name)).toEqual(["model.onnx"]);
    expect(Buffer.from(await files[0]!.read()).toString()).toBe("onnx-for-trainingJobs/e2e-job");
    await adapter.cleanup(handle);
    expect([kube.list("jobs", NS), kube.list("configmaps", NS), kube.list("secrets", NS), kube.list("pods", NS)]).toEqual([[], [], [], []]);
  });

  it("keeps credentials sealed at rest and shows only which keys are set", async () => {
    await connectCluster();
    const rows = await orm.em.fork().getConnection().execute("select sealed_credentials, credential_keys from provider_settings where id = 'kubernetes'");
    const row = rows[0] as { sealed_credentials: string; credential_keys: unknown };
    expect(row.sealed_credentials).toMatch(/^v1\./);
    expect(row.sealed_credentials).not.toContain(token);
    const provider = (await client.getProvider({ name: "providers/kubernetes" })).provider!;
    expect(provider.credentialFields.find((f) => f.key === "token")).toMatchObject({ set: true, secret: true });
    expect(JSON.stringify(provider, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v))).not.toContain(token);
  });

  it("a second server process on the same database picks the configuration up for new jobs", async () => {
    await connectCluster();
    const registry = new ProviderRegistry();
    const second = createProviderHub({ secretsKey, catalog, registry, liveJobs: noLiveJobs });
    registry.setGate(second.gate);
    expect(await registry.usability(orm.em.fork(), "kubernetes")).toEqual({ usable: true });
    expect(registry.get("kubernetes")?.id).toBe("kubernetes");
    expect((await registry.get("kubernetes")!.testConnection()).ok).toBe(true);
    await client.disableProvider({ name: "providers/kubernetes" });
    expect(await registry.usability(orm.em.fork(), "kubernetes")).toMatchObject({ usable: false, state: "disabled" });
  });
});
