// npm run bench:routing — what routing costs: Predict throughput on the pinned MLP through a plain
// service, through a service split by an A/B test (two variants, weighted), and through a service
// that targets a 3-member ensemble, all at concurrency 32 from a load generator on its own thread.
// Each is reported relative to the plain service measured in the same run.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { Worker } from "node:worker_threads";
import { pino } from "pino";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { RegistryService } from "@artenic/gen/artenic/registry/v1/registry_service_pb";
import { ArtifactFormat } from "@artenic/gen/artenic/registry/v1/model_version_pb";
import { InferenceService } from "@artenic/gen/artenic/inference/v1/inference_service_pb";
import { ABTestService } from "@artenic/gen/artenic/abtest/v1/abtest_service_pb";
import { MetricGoal, MetricKind } from "@artenic/gen/artenic/abtest/v1/ab_test_pb";
import { EnsembleService } from "@artenic/gen/artenic/ensemble/v1/ensemble_service_pb";
import { EnsembleStrategy, EnsembleTask } from "@artenic/gen/artenic/ensemble/v1/ensemble_pb";
import { apiKeyInterceptor } from "@artenic/sdk";
import { startServer } from "../src/main.js";
import { loadConfig } from "../src/platform/config/config.js";
import type { LoadResult, LoadSpec } from "./load-worker.js";

const CASE_MS = Number(process.env["BENCH_CASE_MS"] ?? 5000);
const CONCURRENCY = 32;

function load(spec: LoadSpec): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL("./load-worker.js", import.meta.url), { workerData: spec });
    worker.once("message", (m: { ok: boolean; result?: LoadResult; error?: string }) => {
      void worker.terminate();
      if (!m.ok || !m.result) return reject(new Error(m.error));
      resolve(m.result);
    });
    worker.once("error", reject);
  });
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), "artenic-bench-"));
  const key = `bench_${randomBytes(24).toString("hex")}`;
  const server = await startServer(
    loadConfig({ ARTENIC_PORT: "0", ARTENIC_DATA_DIR: dir, ARTENIC_API_KEY: key, ARTENIC_RATE_LIMIT_RPS: "1000000", ARTENIC_RATE_LIMIT_BURST: "1000000" }),
    pino({ level: "silent" }),
  );
  try {
    const transport = createGrpcTransport({ baseUrl: server.url, interceptors: [apiKeyInterceptor(key)] });
    const registry = createClient(RegistryService, transport);
    const inference = createClient(InferenceService, transport);
    const bytes = readFileSync(new URL("../../../fixtures/bench/mlp_784x1024x1024x10.onnx", import.meta.url)); // from server/dist/bench
    await registry.createModel({ modelId: "mlp", model: {} });
    for (let i = 0; i < 3; i++) {
      async function* upload() {
        yield { content: { case: "metadata" as const, value: { parent: "models/mlp", format: ArtifactFormat.ONNX } } };
        for (let o = 0; o < bytes.length; o += 1 << 20) yield { content: { case: "chunk" as const, value: bytes.subarray(o, o + (1 << 20)) } };
      }
      await registry.uploadModelVersion(upload());
    }
    const session = { intraOpThreads: 1, interOpThreads: 0 };
    const v = (n: number) => ({ case: "modelVersion" as const, value: `models/mlp/versions/${n}` });
    await inference.createService({ serviceId: "plain", service: { target: { target: v(1) }, session } });
    await inference.createService({ serviceId: "split", service: { target: { target: v(1) }, session } });
    await createClient(ABTestService, transport).createABTest({
      abTestId: "bench",
      abTest: {
        service: "services/split",
        variants: [
          { variantId: "a", target: v(1), weight: 50, control: true },
          { variantId: "b", target: v(2), weight: 50 },
        ],
        primaryMetric: { name: "latency_ms", kind: MetricKind.MEAN, goal: MetricGoal.MINIMIZE },
      },
    });
    await createClient(EnsembleService, transport).createEnsemble({
      ensembleId: "trio",
      ensemble: {
        task: EnsembleTask.REGRESSION,
        strategy: EnsembleStrategy.WEIGHTED_AVERAGE,
        members: [1, 2, 3].map((n) => ({ modelVersion: `models/mlp/versions/${n}`, weight: 1 })),
      },
    });
    await inference.createService({ serviceId: "blend", service: { target: { target: { case: "ensemble", value: "ensembles/trio" } }, session } });
    const spec = (service: string): LoadSpec => ({ url: server.url, key, service: `services/${service}`, mode: "predict", concurrency: CONCURRENCY, features: 784, rowsPerMessage: 0, messagesPerStream: 0, durationMs: CASE_MS });
    const results: [string, LoadResult][] = [];
    for (const service of ["plain", "split", "blend"]) results.push([service, await load(spec(service))]);
    const rate = (r: LoadResult) => r.rows / r.seconds;
    const plain = rate(results[0]![1]);
    console.log(`| route (MLP 784→1024→1024→10, concurrency ${CONCURRENCY}) | predictions/s | p50 ms | p99 ms | vs plain |\n|---|---:|---:|---:|---:|`);
    for (const [name, r] of results) console.log(`| ${name} | ${Math.round(rate(r))} | ${r.p50Ms.toFixed(2)} | ${r.p99Ms.toFixed(2)} | ${(rate(r) / plain).toFixed(2)} |`);
    console.log(`bench:routing ab-vs-plain=${(rate(results[1]![1]) / plain).toFixed(2)} ensemble-vs-plain=${(rate(results[2]![1]) / plain).toFixed(2)}`);
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
