// A load generator that runs on its own thread (worker_threads), so the client's encoding and
// decoding does not share the server's event loop. It drives Predict or StreamPredict for a fixed
// time and reports rows answered and latencies.
import { parentPort, workerData } from "node:worker_threads";
import { create } from "@bufbuild/protobuf";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { InferenceService, PredictRowSchema } from "@artenic/gen/artenic/inference/v1/inference_service_pb";
import { InferTensorSchema } from "@artenic/gen/artenic/inference/v1/infer_tensor_pb";
import { DataType } from "@artenic/gen/artenic/type/v1/tensor_pb";
import { apiKeyInterceptor } from "@artenic/sdk";

export interface LoadSpec {
  readonly url: string;
  readonly key: string;
  readonly service: string;
  readonly mode: "predict" | "stream-rows" | "stream-columns";
  readonly concurrency: number;
  readonly features: number;
  /** For stream: rows per message and messages per stream. */
  readonly rowsPerMessage: number;
  readonly messagesPerStream: number;
  readonly durationMs: number;
}

export interface LoadResult {
  readonly rows: number;
  readonly seconds: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

async function run(spec: LoadSpec): Promise<LoadResult> {
  const client = createClient(InferenceService, createGrpcTransport({ baseUrl: spec.url, interceptors: [apiKeyInterceptor(spec.key)] }));
  const values = new Float32Array(spec.features);
  for (let i = 0; i < values.length; i++) values[i] = ((i * 7919) % 1000) / 1000;
  const raw = new Uint8Array(values.buffer);
  const batchInput = create(InferTensorSchema, { name: "input", dataType: DataType.FLOAT32, shape: [1n, BigInt(spec.features)], contents: { case: "rawContents", value: raw } });
  const rowInput = create(InferTensorSchema, { name: "input", dataType: DataType.FLOAT32, shape: [BigInt(spec.features)], contents: { case: "rawContents", value: raw } });
  const rows = Array.from({ length: spec.rowsPerMessage }, (_, i) => create(PredictRowSchema, { sequence: BigInt(i), inputs: [rowInput] }));
  const block = new Float32Array(spec.features * Math.max(1, spec.rowsPerMessage));
  for (let r = 0; r < Math.max(1, spec.rowsPerMessage); r++) block.set(values, r * spec.features);
  const columns = {
    inputs: [create(InferTensorSchema, { name: "input", dataType: DataType.FLOAT32, shape: [BigInt(spec.rowsPerMessage), BigInt(spec.features)], contents: { case: "rawContents", value: new Uint8Array(block.buffer) } })],
  };
  const op =
    spec.mode === "predict"
      ? async () => (await client.predict({ service: spec.service, inputs: [batchInput] }), 1)
      : async () => {
          async function* send() {
            for (let i = 0; i < spec.messagesPerStream; i++) {
              yield spec.mode === "stream-rows" ? { service: i === 0 ? spec.service : "", rows } : { service: i === 0 ? spec.service : "", columns };
            }
          }
          let n = 0;
          for await (const res of client.streamPredict(send())) n += res.results.length + (res.columns ? spec.rowsPerMessage : 0);
          return n;
        };
  for (let i = 0; i < 10; i++) await op();
  const latencies: number[] = [];
  let answered = 0;
  const start = performance.now();
  const deadline = start + spec.durationMs;
  await Promise.all(
    Array.from({ length: spec.concurrency }, async () => {
      while (performance.now() < deadline) {
        const t = performance.now();
        const n = await op();
        answered += n;
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  return { rows: answered, seconds, p50Ms: latencies[Math.floor(latencies.length / 2)] ?? NaN, p99Ms: latencies[Math.floor(latencies.length * 0.99)] ?? NaN };
}

if (parentPort) {
  const port = parentPort;
  run(workerData as LoadSpec).then(
    (r) => port.postMessage({ ok: true, result: r }),
    (e: unknown) => port.postMessage({ ok: false, error: String(e) }),
  );
}
