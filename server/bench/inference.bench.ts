// npm run bench:inference — inference throughput and latency on the pinned benchmark models
// (fixtures/bench: an MLP 784→1024→1024→10 and a random forest of 200 trees of depth 12).
// Starts its own server on SQLite; needs no Python. Every case runs for a fixed time and reports
// rows/s; ratios compare cases measured in this same process.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { pino } from "pino";
import { create } from "@bufbuild/protobuf";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { RegistryService } from "@artenic/gen/artenic/registry/v1/registry_service_pb";
import { ArtifactFormat } from "@artenic/gen/artenic/registry/v1/model_version_pb";
import { InferenceService, PredictRowSchema } from "@artenic/gen/artenic/inference/v1/inference_service_pb";
import { InferTensorSchema } from "@artenic/gen/artenic/inference/v1/infer_tensor_pb";
import { DataType } from "@artenic/gen/artenic/type/v1/tensor_pb";
import { apiKeyInterceptor } from "@artenic/sdk";
import { startServer } from "../src/main.js";
import { loadConfig } from "../src/platform/config/config.js";
import { createOnnxInferenceRuntime } from "../src/inference/runtime/onnx/onnx-runtime.js";
import { createTensorBatcher } from "../src/inference/batching/micro-batcher.js";
import { readOnnxSignature } from "../src/registry/onnx-signature.js";
import type { TensorData } from "../src/inference/tensor.js";

const CASE_MS = Number(process.env["BENCH_CASE_MS"] ?? 3000);
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
        rows += await op();
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

function wire(t: TensorData) {
  return create(InferTensorSchema, { name: t.name, dataType: DataType.FLOAT32, shape: t.shape.map(BigInt), contents: { case: "rawContents", value: new Uint8Array(t.data.buffer as ArrayBuffer) } });
}

const fmt = (n: number) => (n >= 100 ? Math.round(n).toLocaleString("en-US") : n.toFixed(2));

async function main() {
  const dir = mkdtempSync(join(tmpdir(), "artenic-bench-"));
  const adminKey = `bench_${randomBytes(24).toString("hex")}`;
  const config = { ...loadConfig({ ARTENIC_PORT: "0", ARTENIC_DATA_DIR: dir, ARTENIC_API_KEY: adminKey, ARTENIC_RATE_LIMIT_RPS: "1000000", ARTENIC_RATE_LIMIT_BURST: "1000000" }) };
  const server = await startServer(config, pino({ level: "silent" }));
  const transport = createGrpcTransport({ baseUrl: server.url, interceptors: [apiKeyInterceptor(adminKey)] });
  const registry = createClient(RegistryService, transport);
  const inference = createClient(InferenceService, transport);
  const runtime = createOnnxInferenceRuntime();
  const summary: Record<string, number> = {};
  try {
    for (const m of models) {
      const bytes = readFileSync(new URL(`../../fixtures/bench/${m.file}`, import.meta.url));
      await registry.createModel({ modelId: m.id, model: {} });
      async function* upload() {
        yield { content: { case: "metadata" as const, value: { parent: `models/${m.id}`, format: ArtifactFormat.ONNX } } };
        for (let i = 0; i < bytes.length; i += 1 << 20) yield { content: { case: "chunk" as const, value: bytes.subarray(i, i + (1 << 20)) } };
      }
      await registry.uploadModelVersion(upload());
      const target = { target: { case: "modelVersion" as const, value: `models/${m.id}/versions/1` } };
      await inference.createService({ serviceId: `${m.id}-plain`, service: { target } });
      await inference.createService({ serviceId: `${m.id}-batched`, service: { target, batching: { enabled: true, maxBatchSize: 64, maxWait: { nanos: 2_000_000 } } } });

      const loaded = await runtime.load(bytes, readOnnxSignature(bytes), { intraOpThreads: 0, interOpThreads: 0 });
      const one = rowsTensor(m.features, 1, 1);
      const sixtyFour = rowsTensor(m.features, 64, 2);
      const table: [string, Result][] = [];
      const add = async (label: string, concurrency: number, op: () => Promise<number>) => {
        const r = await measure(concurrency, op);
        table.push([label, r]);
        return r;
      };

      const raw1 = await add("runtime.run, 1 row per run", 1, async () => (await loaded.run([one]), 1));
      const raw64 = await add("runtime.run, 64 rows per run", 1, async () => (await loaded.run([sixtyFour]), 64));
      const grpc1 = await add("Predict over gRPC, concurrency 1", 1, async () => (await inference.predict({ service: `services/${m.id}-plain`, inputs: [wire(one)] }), 1));
      const off64 = await add("Predict over gRPC, concurrency 64, batching off", 64, async () => (await inference.predict({ service: `services/${m.id}-plain`, inputs: [wire(one)] }), 1));
      const on64 = await add("Predict over gRPC, concurrency 64, batching on", 64, async () => (await inference.predict({ service: `services/${m.id}-batched`, inputs: [wire(one)] }), 1));
      const stream = async (rowsPerMessage: number, messages: number) => {
        const row = create(PredictRowSchema, { inputs: [wire(rowsTensor(m.features, 1, 3))] });
        row.inputs[0]!.shape = [BigInt(m.features)];
        const rows = Array.from({ length: rowsPerMessage }, (_, i) => create(PredictRowSchema, { sequence: BigInt(i), inputs: row.inputs }));
        async function* send() {
          for (let i = 0; i < messages; i++) yield { service: i === 0 ? `services/${m.id}-plain` : "", rows };
        }
        let n = 0;
        for await (const res of inference.streamPredict(send())) n += res.results.length;
        return n;
      };
      await add("StreamPredict, 1 row per message", 1, () => stream(1, 500));
      const s64 = await add("StreamPredict, 64 rows per message", 1, () => stream(64, 50));
      const direct = (inputs: TensorData[]) => loaded.run(inputs);
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
  console.log(`\nmachine: ${(await import("node:os")).cpus()[0]?.model ?? "?"} × ${(await import("node:os")).cpus().length}, Node ${process.version}`);
  console.log(
    `bench:inference stream-vs-raw rf=${r(summary["rf-stream"])} mlp=${r(summary["mlp-stream"])} batching-gain-inproc=${r(summary["mlp-inproc"])} batching-gain-e2e=${r(summary["mlp-e2e"])} added-p50-ms=${r(summary["mlp-added"])}`,
  );
}

await main();
