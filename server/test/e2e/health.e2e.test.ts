import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { RegistryService } from "@artenic/gen/artenic/registry/v1/registry_service_pb";
import { ArtifactFormat } from "@artenic/gen/artenic/registry/v1/model_version_pb";
import { InferenceService } from "@artenic/gen/artenic/inference/v1/inference_service_pb";
import { HealthService } from "@artenic/gen/artenic/health/v1/health_service_pb";
import { HealthReasonCode, HealthStatus, HealthBaselineSource } from "@artenic/gen/artenic/health/v1/health_pb";
import { apiKeyInterceptor } from "@artenic/sdk";
import { startTestServer, type TestServer } from "../support/test-server.js";
import { fixtureBytes, fixtureExpected, floatRows } from "../support/fixtures.js";

/** Iris-like rows from the fixture's rows with a deterministic jitter; `shift` moves petal length. */
function irisRows(n: number, shift = 0): number[][] {
  const base = fixtureExpected("iris_logreg").inputs;
  return Array.from({ length: n }, (_, i) => {
    const r = base[i % base.length]!;
    const jitter = ((i * 7919) % 101) / 1000;
    return [r[0]! + jitter, r[1]! - jitter, r[2]! + jitter + shift, r[3]!];
  });
}

describe("HealthService end to end", () => {
  let server: TestServer;
  let health: ReturnType<typeof createClient<typeof HealthService>>;
  let inference: ReturnType<typeof createClient<typeof InferenceService>>;

  beforeAll(async () => {
    server = await startTestServer("sqlite", { ARTENIC_HEALTH_SNAPSHOT_SECONDS: "0.2" });
    const transport = createGrpcTransport({ baseUrl: server.url, interceptors: [apiKeyInterceptor(server.adminKey)] });
    health = createClient(HealthService, transport);
    inference = createClient(InferenceService, transport);
    const registry = createClient(RegistryService, transport);
    await registry.createModel({ modelId: "iris", model: {} });
    async function* upload() {
      yield { content: { case: "metadata" as const, value: { parent: "models/iris", format: ArtifactFormat.ONNX } } };
      yield { content: { case: "chunk" as const, value: fixtureBytes("iris_logreg") } };
    }
    await registry.uploadModelVersion(upload());
    for (const id of ["steady", "shifted", "flaky"]) {
      await inference.createService({ serviceId: id, service: { target: { target: { case: "modelVersion", value: "models/iris/versions/1" } } } });
      await health.updateHealthThresholds({ thresholds: { name: `services/${id}/health/thresholds`, minSamples: 50n, autoCaptureBaseline: false }, updateMask: { paths: ["min_samples", "auto_capture_baseline"] } });
    }
  });
  afterAll(async () => server?.dispose());

  const predict = (service: string, rows: number[][]) => Promise.all(rows.map((r) => inference.predict({ service: `services/${service}`, inputs: [floatRows([r])] })));

  it("reports NO_DATA before enough predictions, then traffic figures", async () => {
    expect((await health.getHealth({ name: "services/steady/health" })).health?.status).toBe(HealthStatus.NO_DATA);
    await predict("steady", irisRows(120));
    const h = (await health.getHealth({ name: "services/steady/health" })).health!;
    expect(h.requestCount).toBe(120n);
    expect(h.errorCount).toBe(0n);
    expect(h.latencyP99Ms).toBeGreaterThan(0);
    expect(h.modelVersions).toEqual(["models/iris/versions/1"]);
    expect(h.status).toBe(HealthStatus.HEALTHY);
    expect(h.reasons.map((r) => r.code)).toEqual([HealthReasonCode.NO_BASELINE]);
  });

  it("detects an input shift against a captured baseline, and none without a shift", async () => {
    const captured = (await health.createHealthBaseline({ parent: "services/steady/health", source: { case: "capture", value: {} } })).baseline!;
    expect(captured.source).toBe(HealthBaselineSource.CAPTURED);
    expect(captured.inputs.map((d) => d.feature)).toEqual(["input[0]", "input[1]", "input[2]", "input[3]"]);
    // The same reference for the second service, uploaded as histograms.
    await health.createHealthBaseline({ parent: "services/shifted/health", source: { case: "upload", value: { inputs: captured.inputs, outputs: captured.outputs } } });
    await predict("steady", irisRows(120));
    await predict("shifted", irisRows(150, 2.5));
    const steady = (await health.getHealth({ name: "services/steady/health" })).health!;
    expect(steady.inputDrift.every((d) => !d.drifted), steady.inputDrift.map((d) => `${d.feature}=${d.score}`).join(" ")).toBe(true);
    const shifted = (await health.getHealth({ name: "services/shifted/health" })).health!;
    const petal = shifted.inputDrift.find((d) => d.feature === "input[2]")!;
    expect(petal.drifted).toBe(true);
    expect(petal.score).toBeGreaterThan(0.25);
    expect(shifted.inputDrift.find((d) => d.feature === "input[0]")?.drifted).toBe(false);
    expect(shifted.status).toBe(HealthStatus.UNHEALTHY);
    expect(shifted.reasons.some((r) => r.code === HealthReasonCode.INPUT_DRIFT && r.metric === "input_drift.input[2]")).toBe(true);
  });

  it("persists snapshots on a schedule and pages through them with a status filter", async () => {
    const deadline = Date.now() + 10_000;
    let total = 0n;
    while (Date.now() < deadline && total < 2n) {
      total = (await health.listHealthSnapshots({ parent: "services/shifted/health", filter: "status = UNHEALTHY" })).totalSize;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(total).toBeGreaterThanOrEqual(2n);
    const page = await health.listHealthSnapshots({ parent: "services/shifted/health", pageSize: 1 });
    expect(page.healthSnapshots).toHaveLength(1);
    expect(page.healthSnapshots[0]?.health?.status).toBe(HealthStatus.UNHEALTHY);
  });

  it("streams health with WatchHealth and flags a status change", async () => {
    const abort = new AbortController();
    const seen: { status: HealthStatus; changed: boolean }[] = [];
    const watching = (async () => {
      for await (const m of health.watchHealth({ name: "services/flaky/health", interval: { seconds: 1n } }, { signal: abort.signal })) {
        seen.push({ status: m.health!.status, changed: m.statusChanged });
        if (m.statusChanged) break;
      }
    })().catch(() => undefined);
    await new Promise((r) => setTimeout(r, 100));
    await predict("flaky", irisRows(60));
    const bad = inference.predict({ service: "services/flaky", inputs: [floatRows([[1, 2, 3]])] }).catch(() => undefined);
    await Promise.all(Array.from({ length: 10 }, () => bad));
    await Promise.all(Array.from({ length: 10 }, () => inference.predict({ service: "services/flaky", inputs: [floatRows([[1, 2, 3]])] }).catch(() => undefined)));
    const deadline = Date.now() + 8000;
    while (!seen.some((s) => s.changed) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    abort.abort();
    await watching;
    expect(seen[0]?.status).toBe(HealthStatus.NO_DATA);
    const change = seen.find((s) => s.changed);
    expect(change?.status).toBe(HealthStatus.UNHEALTHY);
  });

  it("validates thresholds and answers NOT_FOUND for unknown targets", async () => {
    const e = ConnectError.from(
      await health.updateHealthThresholds({ thresholds: { name: "services/steady/health/thresholds", errorRate: { degraded: 0.5, unhealthy: 0.1 } }, updateMask: { paths: ["error_rate"] } }).catch((x: unknown) => x),
    );
    expect(e.code).toBe(Code.InvalidArgument);
    const t = (await health.getHealthThresholds({ name: "services/steady/health/thresholds" })).thresholds!;
    expect(t.minSamples).toBe(50n);
    expect(t.errorRate?.degraded).toBe(0.01);
    expect(ConnectError.from(await health.getHealth({ name: "services/nope/health" }).catch((x: unknown) => x)).code).toBe(Code.NotFound);
    expect(ConnectError.from(await health.getHealthBaseline({ name: "services/flaky/health/baseline" }).catch((x: unknown) => x)).code).toBe(Code.NotFound);
  });
});
