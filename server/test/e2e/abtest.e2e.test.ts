import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { RegistryService } from "@artenic/gen/artenic/registry/v1/registry_service_pb";
import { ArtifactFormat, ModelVersionStage } from "@artenic/gen/artenic/registry/v1/model_version_pb";
import { InferenceService, PredictRowSchema } from "@artenic/gen/artenic/inference/v1/inference_service_pb";
import { ABTestService } from "@artenic/gen/artenic/abtest/v1/abtest_service_pb";
import { ABTestState, MetricGoal, MetricKind, StatisticalTest } from "@artenic/gen/artenic/abtest/v1/ab_test_pb";
import { CanaryDecisionAction, CanaryRolloutState } from "@artenic/gen/artenic/abtest/v1/canary_rollout_pb";
import { PromotionAction } from "@artenic/gen/artenic/abtest/v1/promotion_pb";
import { apiKeyInterceptor } from "@artenic/sdk";
import { startTestServer, type TestServer } from "../support/test-server.js";
import { fixtureBytes, fixtureExpected, floatRow, floatRows } from "../support/fixtures.js";
import { failsOnLargeInputsModel } from "../../src/inference/runtime/onnx/test-models.js";

const iris = fixtureExpected("iris_logreg").inputs;

describe("A/B tests and canary rollouts end to end", () => {
  let server: TestServer;
  let registry: ReturnType<typeof createClient<typeof RegistryService>>;
  let inference: ReturnType<typeof createClient<typeof InferenceService>>;
  let ab: ReturnType<typeof createClient<typeof ABTestService>>;

  async function upload(model: string, bytes: Uint8Array) {
    async function* chunks() {
      yield { content: { case: "metadata" as const, value: { parent: `models/${model}`, format: ArtifactFormat.ONNX } } };
      yield { content: { case: "chunk" as const, value: bytes } };
    }
    return (await registry.uploadModelVersion(chunks())).modelVersion!.name;
  }

  beforeAll(async () => {
    // The canary tests drive traffic in a loop until the rollout decides; on a fast (or, with slow
    // canary ticks, a loaded) machine that outruns the default per-key rate limit, which is not what
    // these tests are about.
    server = await startTestServer("sqlite", { ARTENIC_CANARY_TICK_MS: "50", ARTENIC_RATE_LIMIT_RPS: "1000000", ARTENIC_RATE_LIMIT_BURST: "1000000" });
    const transport = createGrpcTransport({ baseUrl: server.url, interceptors: [apiKeyInterceptor(server.adminKey)] });
    registry = createClient(RegistryService, transport);
    inference = createClient(InferenceService, transport);
    ab = createClient(ABTestService, transport);
    await registry.createModel({ modelId: "flowers", model: {} });
    await upload("flowers", fixtureBytes("iris_logreg")); // v1
    await upload("flowers", fixtureBytes("iris_random_forest")); // v2
    await upload("flowers", failsOnLargeInputsModel()); // v3: loads, fails on real rows
    await registry.setModelAlias({ name: "models/flowers", alias: "champion", modelVersion: "models/flowers/versions/1" });
    await inference.createService({ serviceId: "shop", service: { target: { target: { case: "modelAlias", value: { model: "models/flowers", alias: "champion" } } } } });
    await inference.createService({ serviceId: "pinned", service: { target: { target: { case: "modelVersion", value: "models/flowers/versions/1" } } } });
  });
  afterAll(async () => server?.dispose());

  const variants = () => [
    { variantId: "control", target: { case: "modelVersion" as const, value: "models/flowers/versions/1" }, weight: 70, control: true },
    { variantId: "forest", target: { case: "modelVersion" as const, value: "models/flowers/versions/2" }, weight: 30 },
  ];

  /** PredictBatch with one routing key per row; returns the variant of each row. */
  async function variantsOf(service: string, keys: string[]): Promise<string[]> {
    const rows = keys.map((k, i) => create(PredictRowSchema, { sequence: BigInt(i), routingKey: k, inputs: [floatRow(iris[i % iris.length]!)] }));
    const res = await inference.predictBatch({ service: `services/${service}`, rows });
    return res.results.map((r) => r.variant);
  }

  it("splits traffic by weight and keeps each routing key on its variant", async () => {
    const created = await ab.createABTest({
      abTestId: "forest-vs-logreg",
      abTest: { service: "services/shop", variants: variants(), primaryMetric: { name: "accuracy", kind: MetricKind.RATE, goal: MetricGoal.MAXIMIZE }, minSamplesPerVariant: 20n },
    });
    expect(created.abTest?.state).toBe(ABTestState.AB_TEST_STATE_RUNNING);
    const keys = Array.from({ length: 2000 }, (_, i) => `user-${i}`);
    const first = await variantsOf("shop", keys);
    const forest = first.filter((v) => v === "forest").length / keys.length;
    expect(Math.abs(forest - 0.3)).toBeLessThan(0.04);
    expect(await variantsOf("shop", keys)).toEqual(first);

  });

  it("refuses a second test on the same service and illegal transitions", async () => {
    const busy = ConnectError.from(
      await ab.createABTest({ abTestId: "second", abTest: { service: "services/shop", variants: variants(), primaryMetric: { name: "accuracy", kind: MetricKind.RATE, goal: MetricGoal.MAXIMIZE } } }).catch((e: unknown) => e),
    );
    expect(busy.code).toBe(Code.FailedPrecondition);
    expect(ConnectError.from(await ab.resumeABTest({ name: "abTests/forest-vs-logreg" }).catch((e: unknown) => e)).code).toBe(Code.FailedPrecondition);
    await ab.pauseABTest({ name: "abTests/forest-vs-logreg", reason: "inspect" });
    const paused = await inference.predict({ service: "services/shop", routingKey: "user-1", inputs: [floatRows([iris[0]!])] });
    expect(paused.abTest).toBe("");
    await ab.resumeABTest({ name: "abTests/forest-vs-logreg" });
    expect(ConnectError.from(await ab.deleteABTest({ name: "abTests/forest-vs-logreg" }).catch((e: unknown) => e)).code).toBe(Code.FailedPrecondition);
  });

  it("joins label feedback to variants, reports statistics, concludes with a winner and moves the alias", async () => {
    const labels = fixtureExpected("iris_logreg").outputs.labels!;
    for (let i = 0; i < 120; i++) {
      const row = i % iris.length;
      const p = await inference.predict({ service: "services/shop", routingKey: `fb-${i}`, inputs: [floatRows([iris[row]!])] });
      // The forest variant is "always right", the control wrong a third of the time.
      const truth = p.variant === "forest" || i % 3 ? p.classifications[0]!.label : String((labels[row]! + 1) % 3);
      await inference.reportFeedback({ predictionId: p.predictionId, outcome: { case: "label", value: truth } });
    }
    const { results } = await ab.getABTestResults({ name: "abTests/forest-vs-logreg" });
    const control = results!.variants.find((v) => v.variantId === "control")!;
    const forest = results!.variants.find((v) => v.variantId === "forest")!;
    expect(control.sampleCount).toBeGreaterThan(0n);
    expect(forest.observationCount).toBeGreaterThan(0n);
    expect(forest.mean).toBe(1);
    expect(control.mean).toBeLessThan(0.8);
    expect(forest.comparison?.test).toBe(StatisticalTest.TWO_PROPORTION_Z_TEST);
    expect(forest.comparison?.difference).toBeGreaterThan(0);
    const concluded = await ab.concludeABTest({ name: "abTests/forest-vs-logreg", winnerVariantId: "forest", promoteWinner: true, reason: "forest is more accurate" });
    expect(concluded.abTest?.state).toBe(ABTestState.AB_TEST_STATE_CONCLUDED);
    expect(concluded.abTest?.promotion?.action).toBe(PromotionAction.ALIAS_MOVED);
    expect((await registry.getModel({ name: "models/flowers" })).model?.aliases["champion"]).toBe("models/flowers/versions/2");
    const after = await inference.predict({ service: "services/shop", routingKey: "user-1", inputs: [floatRows([iris[0]!])] });
    expect(after.modelVersion).toBe("models/flowers/versions/2");
    expect(after.abTest).toBe("");
    // Frozen: the results no longer change.
    await ab.deleteABTest({ name: "abTests/forest-vs-logreg" });
  });

  it("copies traffic to a shadow variant that never answers and reports its figures beside the others", async () => {
    await ab.createABTest({
      abTestId: "with-shadow",
      abTest: {
        service: "services/shop",
        variants: [
          { variantId: "live", target: { case: "modelVersion", value: "models/flowers/versions/2" }, weight: 1, control: true },
          { variantId: "shadow", target: { case: "modelVersion", value: "models/flowers/versions/1" }, shadow: true },
        ],
        primaryMetric: { name: "latency_ms", kind: MetricKind.MEAN, goal: MetricGoal.MINIMIZE },
      },
    });
    for (let i = 0; i < 30; i++) {
      const p = await inference.predict({ service: "services/shop", routingKey: `s-${i}`, inputs: [floatRows([iris[i % iris.length]!])] });
      expect(p.variant).toBe("live");
      expect(p.modelVersion).toBe("models/flowers/versions/2");
    }
    const deadline = Date.now() + 5000;
    let shadow;
    while (Date.now() < deadline) {
      const { results } = await ab.getABTestResults({ name: "abTests/with-shadow" });
      shadow = results!.variants.find((v) => v.variantId === "shadow");
      if (shadow && shadow.sampleCount >= 30n) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(shadow?.shadow).toBe(true);
    expect(shadow?.sampleCount).toBe(30n);
    expect(shadow?.trafficShare).toBe(0);
    await ab.concludeABTest({ name: "abTests/with-shadow", winnerVariantId: "live" });
  });

  it("rolls a canary back on its own when the candidate's error rate breaches the threshold", async () => {
    const { canaryRollout } = await ab.createCanaryRollout({
      canaryRolloutId: "bad-candidate",
      canaryRollout: {
        service: "services/pinned",
        candidate: { case: "candidateModelVersion", value: "models/flowers/versions/3" },
        steps: [{ trafficPercent: 50, evaluationWindow: { seconds: 1n }, minRequests: 20n }, { trafficPercent: 100, evaluationWindow: { seconds: 1n }, minRequests: 20n }],
      },
    });
    expect(canaryRollout?.state).toBe(CanaryRolloutState.PENDING);
    const deadline = Date.now() + 15_000;
    let state = canaryRollout!.state;
    while (state !== CanaryRolloutState.ROLLED_BACK && Date.now() < deadline) {
      await Promise.all(Array.from({ length: 10 }, (_, i) => inference.predict({ service: "services/pinned", routingKey: `c-${Date.now()}-${i}`, inputs: [floatRows([iris[i]!])] }).catch(() => undefined)));
      state = (await ab.getCanaryRollout({ name: "canaryRollouts/bad-candidate" })).canaryRollout!.state;
    }
    const final = (await ab.getCanaryRollout({ name: "canaryRollouts/bad-candidate" })).canaryRollout!;
    expect(final.state).toBe(CanaryRolloutState.ROLLED_BACK);
    const rollBack = final.decisions.find((d) => d.action === CanaryDecisionAction.ROLL_BACK)!;
    expect(rollBack.reason).toMatch(/error rate/);
    expect(rollBack.observation?.breachedThresholds).toContain("error_rate");
    // Traffic is back on the control only.
    for (let i = 0; i < 5; i++) expect((await inference.predict({ service: "services/pinned", routingKey: `after-${i}`, inputs: [floatRows([iris[i]!])] })).modelVersion).toBe("models/flowers/versions/1");
  });

  it("promotes a healthy canary step by step and re-points the service", async () => {
    await ab.createCanaryRollout({
      canaryRolloutId: "good-candidate",
      canaryRollout: {
        service: "services/pinned",
        candidate: { case: "candidateModelVersion", value: "models/flowers/versions/2" },
        steps: [
          { trafficPercent: 25, evaluationWindow: { seconds: 1n }, minRequests: 10n },
          { trafficPercent: 75, evaluationWindow: { seconds: 1n }, minRequests: 10n },
        ],
        thresholds: { maxP99LatencyRatio: 100, maxDriftScore: 100 },
      },
    });
    const deadline = Date.now() + 15_000;
    let r = (await ab.getCanaryRollout({ name: "canaryRollouts/good-candidate" })).canaryRollout!;
    while (r.state !== CanaryRolloutState.PROMOTED && r.state !== CanaryRolloutState.ROLLED_BACK && Date.now() < deadline) {
      await Promise.all(Array.from({ length: 20 }, (_, i) => inference.predict({ service: "services/pinned", routingKey: `g-${Date.now()}-${i}`, inputs: [floatRows([iris[i % iris.length]!])] })));
      r = (await ab.getCanaryRollout({ name: "canaryRollouts/good-candidate" })).canaryRollout!;
    }
    expect(r.state, r.decisions.map((d) => d.reason).join(" | ")).toBe(CanaryRolloutState.PROMOTED);
    expect(r.decisions.map((d) => d.action)).toEqual([CanaryDecisionAction.START, CanaryDecisionAction.ADVANCE, CanaryDecisionAction.PROMOTE]);
    expect(r.promotion?.action).toBe(PromotionAction.SERVICE_REPOINTED);
    expect((await inference.predict({ service: "services/pinned", inputs: [floatRows([iris[0]!])] })).modelVersion).toBe("models/flowers/versions/2");
    const { changes } = await inference.listServiceTargetHistory({ parent: "services/pinned" });
    expect(changes[0]?.resolvedModelVersion).toBe("models/flowers/versions/2");
  });
});

describe("sticky A/B assignment across server processes on PostgreSQL", () => {
  it("gives every routing key the same variant in a second server process", async () => {
    const server = await startTestServer("postgresql");
    const child = spawn(process.execPath, [new URL("../../dist/src/main.js", import.meta.url).pathname], {
      env: { ...process.env, ARTENIC_PORT: "0", ARTENIC_DATA_DIR: server.dataDir, ARTENIC_API_KEY: server.adminKey, ARTENIC_DATABASE_URL: server.databaseUrl, ARTENIC_LOG_LEVEL: "info" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      const transport = createGrpcTransport({ baseUrl: server.url, interceptors: [apiKeyInterceptor(server.adminKey)] });
      const registry = createClient(RegistryService, transport);
      const inference = createClient(InferenceService, transport);
      await registry.createModel({ modelId: "flowers", model: {} });
      for (const f of ["iris_logreg", "iris_random_forest"] as const) {
        async function* chunks() {
          yield { content: { case: "metadata" as const, value: { parent: "models/flowers", format: ArtifactFormat.ONNX } } };
          yield { content: { case: "chunk" as const, value: fixtureBytes(f) } };
        }
        await registry.uploadModelVersion(chunks());
      }
      await inference.createService({ serviceId: "shop", service: { target: { target: { case: "modelVersion", value: "models/flowers/versions/1" } } } });
      await createClient(ABTestService, transport).createABTest({
        abTestId: "split",
        abTest: {
          service: "services/shop",
          variants: [
            { variantId: "control", target: { case: "modelVersion", value: "models/flowers/versions/1" }, weight: 50, control: true },
            { variantId: "forest", target: { case: "modelVersion", value: "models/flowers/versions/2" }, weight: 50 },
          ],
          primaryMetric: { name: "latency_ms", kind: MetricKind.MEAN, goal: MetricGoal.MINIMIZE },
        },
      });
      let out = "";
      child.stdout.on("data", (d: Buffer) => (out += d.toString()));
      const deadline = Date.now() + 20_000;
      while (!/"url":"(http:\/\/[^"]+)"/.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const url = /"url":"(http:\/\/[^"]+)"/.exec(out)?.[1];
      expect(url, out).toBeDefined();
      const other = createClient(InferenceService, createGrpcTransport({ baseUrl: url!, interceptors: [apiKeyInterceptor(server.adminKey)] }));
      const rows = Array.from({ length: 300 }, (_, i) => create(PredictRowSchema, { sequence: BigInt(i), routingKey: `user-${i}`, inputs: [floatRow(iris[i % iris.length]!)] }));
      const here = (await inference.predictBatch({ service: "services/shop", rows })).results.map((r) => r.variant);
      const there = (await other.predictBatch({ service: "services/shop", rows })).results.map((r) => r.variant);
      expect(new Set(here)).toEqual(new Set(["control", "forest"]));
      expect(there).toEqual(here);
    } finally {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
      await server.dispose();
    }
  });
});
