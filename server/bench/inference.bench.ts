// npm run bench:inference — inference throughput and latency on the pinned benchmark models
// (fixtures/bench: an MLP 784→1024→1024→10 and a random forest of 200 trees of depth 12).
// Starts its own server on SQLite; needs no Python. Every case runs for a fixed time and reports
// rows/s; ratios compare cases measured in this same process.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { pino } from "pino";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { RegistryService } from "@artenic/gen/artenic/registry/v1/registry_service_pb";
import { InferenceService } from "@artenic/gen/artenic/inference/v1/inference_service_pb";
import { ArtifactFormat } from "@artenic/gen/artenic/registry/v1/model_version_pb";
import { apiKeyInterceptor } from "@artenic/sdk";
import { startServer } from "../src/main.js";
import { loadConfig } from "../src/platform/config/config.js";
import { createOnnxInferenceRuntime } from "../src/inference/runtime/onnx/onnx-runtime.js";
import { createTensorBatcher } from "../src/inference/batching/micro-batcher.js";
import { readOnnxSignature } from "../src/registry/onnx-signature.js";
import type { TensorData } from "../src/inference/tensor.js";
import { Worker } from "node:worker_threads";
import type { LoadResult, LoadSpec } from "./load-worker.js";

/** Runs a load generator on its own thread against the server. */
function load(spec: LoadSpec): Promise<Result> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL("./load-worker.js", import.meta.url), { workerData: spec });
    worker.once("message", (m: { ok: boolean; result?: LoadResult; error?: string }) => {
      void worker.terminate();
      if (!m.ok || !m.result) return reject(new Error(m.error));
      resolve({ rowsPerSec: m.result.rows / m.result.seconds, p50Ms: m.result.p50Ms, p99Ms: m.result.p99Ms });
    });
    worker.once("error", reject);
  });
}

const CASE_MS = Number(process.env["BENCH_CASE_MS"] ?? 3000);
// ONNX Runtime threads per run, the same for the raw baseline and the services. One by default: on
// the 2-core machines this runs on, the load generator needs the other core, and a second ORT thread
// would be measured fighting it (set BENCH_INTRA_OP_THREADS=0 for ORT's default, one per core).
const INTRA_OP = Number(process.env["BENCH_INTRA_OP_THREADS"] ?? 1);
const models = [
  { id: "mlp", file: "mlp_784x1024x1024x10.onnx", features: 784 },
  { id: "rf", file: "rf_200x12.onnx", features: 20 },
] as const;

interface Result {
  rowsPerSec: number;
  p50Ms: number;
  p99Ms: number;
}

/** Runs `op` from `concurrency` loops for CASE_MS; each op returns the rows it answered. */
async function measure(concurrency: number, op: () => Promise<number>): Promise<Result> {
  for (let i = 0; i < 20; i++) await op(); // warm-up
  const latencies: number[] = [];
  let rows = 0;
  const deadline = performance.now() + CASE_MS;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const t = performance.now();
        // Not `rows += await op()`: that reads `rows` before the await and loses concurrent updates.
        const answered = await op();
        rows += answered;
        latencies.push(performance.now() - t);
      }
    }),
  );
  const elapsed = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  return { rowsPerSec: rows / elapsed, p50Ms: latencies[Math.floor(latencies.length / 2)] ?? NaN, p99Ms: latencies[Math.floor(latencies.length * 0.99)] ?? NaN };
}

function rowsTensor(features: number, rows: number, seed: number): TensorData {
  const data = new Float32Array(rows * features);
  for (let i = 0; i < data.length; i++) data[i] = ((i * 7919 + seed * 104729) % 1000) / 1000;
  return { name: "input", dataType: "float32", shape: [rows, features], data };
}


const fmt = (n: number) => (n >= 100 ? Math.round(n).toLocaleString("en-US") : n.toFixed(2));

async function main() {
  const dir = mkdtempSync(join(tmpdir(), "artenic-bench-"));
  const adminKey = `bench_${randomBytes(24).toString("hex")}`;
  const config = { ...loadConfig({ ARTENIC_PORT: "0", ARTENIC_DATA_DIR: dir, ARTENIC_API_KEY: adminKey, ARTENIC_RATE_LIMIT_RPS: "1000000", ARTENIC_RATE_LIMIT_BURST: "1000000", ARTENIC_GRPC_FAST_PATH: process.env["ARTENIC_GRPC_FAST_PATH"] ?? "true" }) };
  const server = await startServer(config, pino({ level: "silent" }));
  const transport = createGrpcTransport({ baseUrl: server.url, interceptors: [apiKeyInterceptor(adminKey)] });
  const registry = createClient(RegistryService, transport);
  const inference = createClient(InferenceService, transport);
  const runtime = createOnnxInferenceRuntime();
  const summary: Record<string, number> = {};
  try {
    for (const m of models) {
      const bytes = readFileSync(new URL(`../../../fixtures/bench/${m.file}`, import.meta.url) /* from server/dist/bench */);
      await registry.createModel({ modelId: m.id, model: {} });
      async function* upload() {
        yield { content: { case: "metadata" as const, value: { parent: `models/${m.id}`, format: ArtifactFormat.ONNX } } };
        for (let i = 0; i < bytes.length; i += 1 << 20) yield { content: { case: "chunk" as const, value: bytes.subarray(i, i + (1 << 20)) } };
      }
      await registry.uploadModelVersion(upload());
      const target = { target: { case: "modelVersion" as const, value: `models/${m.id}/versions/1` } };
      const session = { intraOpThreads: INTRA_OP, interOpThreads: 0 };
      await inference.createService({ serviceId: `${m.id}-plain`, service: { target, session } });
      await inference.createService({ serviceId: `${m.id}-batched`, service: { target, session, batching: { enabled: true, maxBatchSize: 64, maxWait: { nanos: 2_000_000 } } } });

      const loaded = await runtime.load(bytes, readOnnxSignature(bytes), { intraOpThreads: INTRA_OP, interOpThreads: 0 });
      const one = rowsTensor(m.features, 1, 1);
      const sixtyFour = rowsTensor(m.features, 64, 2);
      const table: [string, Result][] = [];
      const add = async (label: string, concurrency: number, op: () => Promise<number>) => {
        const r = await measure(concurrency, op);
        table.push([label, r]);
        return r;
      };

      const raw1 = await add("runtime.run, 1 row per run", 1, async () => (await loaded.run([one]), 1));
      // The raw baseline the server is held to: the same runtime on the same rows, no RPC.
      const raw64 = await add("runtime.run, 64 rows per run", 1, async () => (await loaded.run([sixtyFour]), 64));
      const remote = async (label: string, spec: Omit<LoadSpec, "url" | "key" | "features" | "durationMs">) => {
        const r = await load({ ...spec, url: server.url, key: adminKey, features: m.features, durationMs: CASE_MS });
        table.push([label, r]);
        return r;
      };
      const predict = { mode: "predict" as const, rowsPerMessage: 0, messagesPerStream: 0 };
      const grpc1 = await remote("Predict over gRPC, concurrency 1", { ...predict, service: `services/${m.id}-plain`, concurrency: 1 });
      const off64 = await remote("Predict over gRPC, concurrency 64, batching off", { ...predict, service: `services/${m.id}-plain`, concurrency: 64 });
      const on64 = await remote("Predict over gRPC, concurrency 64, batching on", { ...predict, service: `services/${m.id}-batched`, concurrency: 64 });
      await remote("StreamPredict, 1 row per message (columns)", { mode: "stream-columns", service: `services/${m.id}-plain`, concurrency: 1, rowsPerMessage: 1, messagesPerStream: 500 });
      const s64 = await remote("StreamPredict, 64 rows per message (columns)", { mode: "stream-columns", service: `services/${m.id}-plain`, concurrency: 1, rowsPerMessage: 64, messagesPerStream: 100 });
      await remote("StreamPredict, 64 rows per message (row messages)", { mode: "stream-rows", service: `services/${m.id}-plain`, concurrency: 1, rowsPerMessage: 64, messagesPerStream: 100 });
      const direct = (inputs: readonly TensorData[]) => loaded.run(inputs);
      const unbatched = await add("batcher in-process, 64 callers, off", 64, async () => (await direct([one]), 1));
      const batcher = createTensorBatcher({ maxBatchSize: 64, maxWaitMs: 2, run: direct });
      const batched = await add("batcher in-process, 64 callers, on", 64, async () => (await batcher.submit([one], 1), 1));

      console.log(`\n${m.id} (${m.file})`);
      console.log(`| case | rows/s | p50 ms | p99 ms |\n|---|---:|---:|---:|`);
      for (const [label, r] of table) console.log(`| ${label} | ${fmt(r.rowsPerSec)} | ${r.p50Ms.toFixed(3)} | ${r.p99Ms.toFixed(3)} |`);
      summary[`${m.id}-stream`] = s64.rowsPerSec / raw64.rowsPerSec;
      summary[`${m.id}-inproc`] = batched.rowsPerSec / unbatched.rowsPerSec;
      summary[`${m.id}-e2e`] = on64.rowsPerSec / off64.rowsPerSec;
      summary[`${m.id}-added`] = grpc1.p50Ms - raw1.p50Ms;
      await loaded.dispose();
    }
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const r = (x: number | undefined) => (x ?? NaN).toFixed(2);
  console.log(`\nmachine: ${(await import("node:os")).cpus()[0]?.model ?? "?"} × ${(await import("node:os")).cpus().length}, Node ${process.version}, ONNX Runtime intra-op threads ${INTRA_OP || "default"}, ${CASE_MS} ms per case`);
  console.log(
    `bench:inference stream-vs-raw rf=${r(summary["rf-stream"])} mlp=${r(summary["mlp-stream"])} batching-gain-inproc=${r(summary["mlp-inproc"])} batching-gain-e2e=${r(summary["mlp-e2e"])} added-p50-ms=${r(summary["mlp-added"])}`,
  );
}

await main();
