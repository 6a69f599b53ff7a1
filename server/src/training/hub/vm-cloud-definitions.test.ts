import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHash, createPublicKey, generateKeyPairSync, randomBytes } from "node:crypto";
import { createClient, createRouterTransport, type Interceptor } from "@connectrpc/connect";
import { TrainingService } from "@artenic/gen/artenic/training/v1/training_service_pb";
import { PriceSource, ProviderState } from "@artenic/gen/artenic/training/v1/provider_pb";
import { initOrm, migrate, type Orm } from "../../platform/db/orm.js";
import { kPrincipal } from "../../platform/interceptors/context-keys.js";
import { createErrorMappingInterceptor, createUnitOfWorkInterceptor, createValidateInterceptor } from "../../platform/interceptors/interceptors.js";
import { FakeHetzner } from "../../../test/support/fake-hetzner.js";
import { FakeOci } from "../../../test/support/fake-oci.js";
import { FakeOpenStack } from "../../../test/support/fake-openstack.js";
import { FakeScaleway } from "../../../test/support/fake-scaleway.js";
import { startMotoServer, type MotoServer } from "../../../test/support/moto-server.js";
import { loadPriceCatalog } from "../catalog/price-catalog.js";
import { ProviderRegistry } from "../provider-registry.js";
import { createProviderHub, createProviderHubHandler, type BudgetPreview, type ProviderHub } from "./index.js";

/**
 * The Provider Hub builds the ovh, infomaniak, hetzner and scaleway adapters from stored settings:
 * configured over the RPCs with every endpoint pointed at a local fake (and moto for the S3 buckets),
 * their connection tests run against those fakes, and their instance types come live from them.
 */
describe("Provider Hub: the OpenStack, Hetzner and Scaleway definitions build working adapters", () => {
  let orm: Orm;
  let hub: ProviderHub;
  let moto: MotoServer;
  let openstack: FakeOpenStack;
  let hetzner: FakeHetzner;
  let scaleway: FakeScaleway;
  let oci: FakeOci;
  const ociKey = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs8", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });
  const ociFingerprint = createHash("md5").update(createPublicKey(ociKey.publicKey).export({ type: "spki", format: "der" })).digest("hex").match(/../g)!.join(":");
  let client: ReturnType<typeof createClient<typeof TrainingService>>;
  const catalog = loadPriceCatalog();

  beforeAll(async () => {
    moto = await startMotoServer();
    await moto.createBucket("artenic-jobs");
    openstack = await FakeOpenStack.start({
      username: "os-user",
      password: "os-password",
      projectId: "proj-1",
      region: "GRA11",
      flavors: [{ id: "f1", name: "b3-8", vcpus: 2, ram: 8192, disk: 50 }],
      images: ["img-1"],
      ovhCatalog: { currency: "EUR", hourly: { "b3-8": 0.05 } },
    });
    hetzner = await FakeHetzner.start({ token: "hz-token", serverTypes: [{ name: "cx22", cores: 2, memory: 4, disk: 40, architecture: "x86", prices: { fsn1: "0.0060000000" } }] });
    scaleway = await FakeScaleway.start({ secretKey: "scw-secret", projectId: "scw-project", products: { "fr-par-2": { "DEV1-S": { ncpus: 2, ramGiB: 2, hourly: 0.0088 } } }, images: ["ubuntu_noble"] });

    oci = await FakeOci.start({
      keyId: `ocid1.tenancy.oc1..t/ocid1.user.oc1..u/${ociFingerprint}`,
      publicKey: ociKey.publicKey,
      compartmentId: "ocid1.compartment.oc1..c",
      namespace: "ns1",
      buckets: ["artenic-oci"],
      availabilityDomains: ["AD-1"],
      images: [],
      subnets: [],
      shapes: [],
    });
    orm = await initOrm({ kind: "sqlite", path: ":memory:" });
    await migrate(orm);
    const registry = new ProviderRegistry();
    const budgets: BudgetPreview = { blockingBudgets: async () => [] };
    hub = createProviderHub({ secretsKey: randomBytes(32), catalog, registry, liveJobs: { countLiveJobs: async () => 0 }, testTimeoutMs: 10_000 });
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
  }, 240_000);
  afterAll(async () => {
    await Promise.all([openstack?.close(), hetzner?.close(), scaleway?.close(), oci?.close(), moto?.stop()]);
    await orm?.close();
  });

  it("ovh: configured with an identity URL and image, tested against Keystone, Nova and Swift, with live catalog prices", async () => {
    const before = (await client.getProvider({ name: "providers/ovh" })).provider!;
    expect(before.state).toBe(ProviderState.UNCONFIGURED);
    expect(before.stateMessage).toBe("missing credentials: username, password, project_id; missing settings: image_id");
    await client.configureProvider({
      name: "providers/ovh",
      credentials: { username: "os-user", password: "os-password", project_id: "proj-1" },
      config: { auth_url: openstack.authUrl, image_id: "img-1", price_catalog_url: `${openstack.url}/1.0/order/catalog/public/cloud?ovhSubsidiary=FR` },
    });
    const tested = await client.testProviderConnection({ name: "providers/ovh" });
    expect(tested).toMatchObject({ success: true, message: expect.stringContaining("ovh: Keystone and Nova answered in region GRA11 (1 flavors, 1 with a price)") });
    expect(tested.checks).toEqual([expect.objectContaining({ name: "Keystone, Nova and Swift", success: true })]);
    expect(tested.provider?.state).toBe(ProviderState.DISABLED);
    // The password was sent to Keystone and is never returned.
    expect(JSON.stringify(tested.provider, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v))).not.toContain("os-password");
    const types = await client.listInstanceTypes({ provider: "providers/ovh" });
    expect(types.instanceTypes.map((t) => [t.name, t.region, t.priceSource, t.sourceCurrency, t.exchangeRate])).toEqual([["b3-8", "GRA11", PriceSource.LIVE, "EUR", catalog.provider("ovh")!.exchangeRate]]);

    await client.configureProvider({ name: "providers/ovh", credentials: { password: "wrong" } });
    const bad = await client.testProviderConnection({ name: "providers/ovh" });
    expect(bad).toMatchObject({ success: false, message: "ovh: authenticate with Keystone failed (HTTP 401): The request you have made requires authentication." });
  });

  it("infomaniak: the same adapter under its own id, priced from the dated snapshot", async () => {
    await client.configureProvider({
      name: "providers/infomaniak",
      credentials: { username: "os-user", password: "os-password", project_id: "proj-1" },
      config: { auth_url: openstack.authUrl, region: "GRA11", image_id: "img-1" },
    });
    const tested = await client.testProviderConnection({ name: "providers/infomaniak" });
    expect(tested).toMatchObject({ success: true, message: expect.stringContaining("infomaniak: Keystone and Nova answered in region GRA11 (1 flavors, 0 with a price)") });
    expect((await client.getProvider({ name: "providers/infomaniak" })).provider?.configFields.map((f) => f.key)).not.toContain("price_catalog_url");
  });

  it("hetzner: API token and bucket keys as credentials, endpoints as settings; the test reaches the API and the bucket", async () => {
    expect((await client.getProvider({ name: "providers/hetzner" })).provider?.stateMessage).toBe("missing credentials: api_token, s3_access_key, s3_secret_key; missing settings: s3_bucket");
    await client.configureProvider({
      name: "providers/hetzner",
      credentials: { api_token: "hz-token", s3_access_key: moto.credentials.accessKeyId, s3_secret_key: moto.credentials.secretAccessKey },
      config: { api_url: hetzner.url, s3_endpoint: moto.endpoint, s3_region: moto.region, s3_bucket: "artenic-jobs" },
    });
    const tested = await client.testProviderConnection({ name: "providers/hetzner" });
    expect(tested).toMatchObject({ success: true, message: "hetzner: the API answered (1 server types); bucket s3://artenic-jobs/ is readable" });
    expect(hetzner.requests.every((r) => r.authorization === "Bearer hz-token")).toBe(true);
    const types = await client.listInstanceTypes({ provider: "providers/hetzner", region: "fsn1" });
    expect(types.instanceTypes.map((t) => [t.name, t.priceSource])).toEqual([["cx22", PriceSource.LIVE]]);

    await client.configureProvider({ name: "providers/hetzner", config: { s3_bucket: "no-such-bucket" } });
    const noBucket = await client.testProviderConnection({ name: "providers/hetzner" });
    expect(noBucket.success).toBe(false);
  });

  it("scaleway: the API key serves the Instance API and the bucket; the test reaches both", async () => {
    await client.configureProvider({
      name: "providers/scaleway",
      credentials: { access_key: moto.credentials.accessKeyId, secret_key: "scw-secret", project_id: "scw-project" },
      config: { api_url: scaleway.url, s3_endpoint: moto.endpoint, s3_region: moto.region, s3_bucket: "artenic-jobs" },
    });
    // moto accepts any secret for the access key, so the API key's secret signs the bucket requests too.
    const tested = await client.testProviderConnection({ name: "providers/scaleway" });
    expect(tested).toMatchObject({ success: true, message: "scaleway: the Instance API answered in fr-par-2 (1 server types); bucket s3://artenic-jobs/ is readable" });
    expect(scaleway.requests.every((r) => r.token === "scw-secret")).toBe(true);

    const invalid = await client.configureProvider({ name: "providers/scaleway", config: { api_url: "ftp://x" } }).catch((e: unknown) => e);
    expect(String(invalid)).toContain("api_url");
  });

  it("oci: the API key signs every call; endpoints are settings; the test reaches Compute, Identity and the bucket", async () => {
    await client.configureProvider({
      name: "providers/oci",
      credentials: { tenancy_ocid: "ocid1.tenancy.oc1..t", user_ocid: "ocid1.user.oc1..u", fingerprint: ociFingerprint, private_key: ociKey.privateKey },
      config: {
        compartment_ocid: "ocid1.compartment.oc1..c",
        subnet_ocid: "ocid1.subnet.oc1..s",
        image_ocid: "ocid1.image.oc1..i",
        bucket: "artenic-oci",
        compute_url: oci.url,
        identity_url: oci.url,
        object_storage_url: oci.url,
      },
    });
    const tested = await client.testProviderConnection({ name: "providers/oci" });
    expect(tested).toMatchObject({ success: true, message: "oci: the Compute and Identity APIs answered in eu-frankfurt-1 (AD-1); bucket artenic-oci in namespace ns1 is reachable" });
    expect(oci.requests.every((r) => r.signedHeaders.startsWith("date (request-target) host"))).toBe(true);
    const types = await client.listInstanceTypes({ provider: "providers/oci", region: "eu-frankfurt-1" });
    expect(types.instanceTypes.map((t) => t.name).sort()).toEqual(catalog.offerings("oci", { region: "eu-frankfurt-1" }).map((o) => o.instanceType).sort());

    await client.configureProvider({ name: "providers/oci", credentials: { fingerprint: "nope" } });
    expect(await client.testProviderConnection({ name: "providers/oci" })).toMatchObject({ success: false, message: "oci: credentials.fingerprint must be the key's MD5 fingerprint (16 colon-separated hex pairs)" });
  });
});
