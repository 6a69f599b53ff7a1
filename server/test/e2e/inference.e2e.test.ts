import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import { ErrorInfoSchema, BadRequestSchema } from "@artenic/gen/google/rpc/error_details_pb";
import { RegistryService } from "@artenic/gen/artenic/registry/v1/registry_service_pb";
import { ArtifactFormat } from "@artenic/gen/artenic/registry/v1/model_version_pb";
import { InferenceService, PredictRowSchema, DatasetFormat, type PredictResponse, type RowPrediction } from "@artenic/gen/artenic/inference/v1/inference_service_pb";
import { ServiceState, ServiceTargetChangeCause } from "@artenic/gen/artenic/inference/v1/service_pb";
import { InferTensorSchema } from "@artenic/gen/artenic/inference/v1/infer_tensor_pb";
import { DataType } from "@artenic/gen/artenic/type/v1/tensor_pb";
import { apiKeyInterceptor } from "@artenic/sdk";
import { Health, HealthCheckResponse_ServingStatus } from "@artenic/gen/grpc/health/v1/health_pb";
import { startTestServer, type TestServer } from "../support/test-server.js";
import { fixtureBytes, fixtureExpected, fixtureNames, floatRow, floatRows, type FixtureName } from "../support/fixtures.js";

async function* upload(parent: string, bytes: Uint8Array, format = ArtifactFormat.ONNX) {
  yield { content: { case: "metadata" as const, value: { parent, format } } };
  for (let i = 0; i < bytes.length; i += 64 * 1024) yield { content: { case: "chunk" as const, value: bytes.subarray(i, i + 64 * 1024) } };
}

function codeOf(e: unknown): string {
  return Code[ConnectError.from(e).code]!;
}

/** Asserts a Predict response matches Python onnxruntime's outputs for the fixture. */
function expectMatches(name: FixtureName, res: PredictResponse | { outputs: RowPrediction[] }, rows: number) {
  const exp = fixtureExpected(name);
  if (exp.task === "classification") {
    const classifications = "classifications" in res ? res.classifications : res.outputs.map((r) => r.classification!);
    expect(classifications).toHaveLength(rows);
    classifications.forEach((c, i) => {
      expect(c.label, `${name} row ${i}`).toBe(String(exp.outputs.labels![i]));
      exp.classes!.forEach((cls, k) => expect(c.probabilities[String(cls)]!, `${name} row ${i} class ${cls}`).toBeCloseTo(exp.outputs.probabilities![i]![k]!, 5));
    });
  } else {
    const values =
      "classifications" in res
        ? (res.outputs[0]!.contents.value as { values: number[] }).values
        : res.outputs.map((r) => (r.outputs[0]!.contents.value as { values: number[] }).values[0]!);
    values.forEach((v, i) => expect(v, `${name} row ${i}`).toBeCloseTo(exp.outputs.values![i]!, 3));
  }
}

describe("InferenceService end to end", () => {
  let server: TestServer;
  let transports: Record<string, Transport>;
  let grpc: ReturnType<typeof createClient<typeof InferenceService>>;
  let registry: ReturnType<typeof createClient<typeof RegistryService>>;

  beforeAll(async () => {
    server = await startTestServer("sqlite");
    const auth = [apiKeyInterceptor(server.adminKey)];
    transports = {
      grpc: createGrpcTransport({ baseUrl: server.url, interceptors: auth }),
      grpcWeb: createGrpcWebTransport({ baseUrl: server.url, httpVersion: "1.1", interceptors: auth }),
      connect: createConnectTransport({ baseUrl: server.url, httpVersion: "1.1", interceptors: auth }),
    };
    grpc = createClient(InferenceService, transports["grpc"]!);
    registry = createClient(RegistryService, transports["grpc"]!);
    for (const name of fixtureNames) {
      const id = name.replace(/_/g, "-");
      await registry.createModel({ modelId: id, model: {} });
      await registry.uploadModelVersion(upload(`models/${id}`, fixtureBytes(name)));
      await grpc.createService({ serviceId: id, service: { target: { target: { case: "modelVersion", value: `models/${id}/versions/1` } } } });
    }
  });
  afterAll(async () => server?.dispose());

  it.each(fixtureNames.flatMap((f) => ["grpc", "grpcWeb", "connect"].map((p) => [f, p] as const)))("predicts %s over %s like Python's onnxruntime", async (name, protocol) => {
    const client = createClient(InferenceService, transports[protocol]!);
    const exp = fixtureExpected(name);
    const res = await client.predict({ service: `services/${name.replace(/_/g, "-")}`, inputs: [floatRows(exp.inputs)] });
    expect(res.modelVersion).toBe(`models/${name.replace(/_/g, "-")}/versions/1`);
    expect(res.predictionId).not.toBe("");
    expectMatches(name, res, exp.inputs.length);
  });

  it("reports the service as SERVING with its signature once loaded", async () => {
    await grpc.predict({ service: "services/iris-logreg", inputs: [floatRows([fixtureExpected("iris_logreg").inputs[0]!])] });
    const { service } = await grpc.getService({ name: "services/iris-logreg" });
    expect(service?.state).toBe(ServiceState.SERVING);
    expect(service?.resolvedModelVersion).toBe("models/iris-logreg/versions/1");
    expect(service?.signature?.inputs[0]?.name).toBe("input");
  });

  it.each([
    ["a wrong element type", [create(InferTensorSchema, { name: "input", dataType: DataType.FLOAT64, shape: [1n, 4n], contents: { case: "doubleValues", value: { values: [1, 2, 3, 4] } } })], /expected float32, given float64/],
    ["a wrong shape", [floatRows([[1, 2, 3]])], /expected shape \[N, 4\], given \[1, 3\]/],
    ["an unknown input", [floatRows([[1, 2, 3, 4]]), floatRows([[1]], "extra")], /"extra".*no such input/],
    ["no input at all", [], /inputs/],
    ["data that does not fill the shape", [create(InferTensorSchema, { name: "input", shape: [2n, 4n], contents: { case: "floatValues", value: { values: [1, 2, 3, 4] } } })], /holds 8 elements but 4/],
  ])("refuses %s with INVALID_ARGUMENT naming the input", async (_, inputs, message) => {
    const e = ConnectError.from(await grpc.predict({ service: "services/iris-logreg", inputs }).catch((x: unknown) => x));
    expect(Code[e.code]).toBe("InvalidArgument");
    expect(e.rawMessage).toMatch(message);
    expect(e.findDetails(BadRequestSchema)[0]?.fieldViolations[0]?.field).toMatch(/^inputs/);
  });

  it("answers NOT_FOUND for an unknown service", async () => {
    const e = ConnectError.from(await grpc.predict({ service: "services/nope", inputs: [floatRows([[1, 2, 3, 4]])] }).catch((x: unknown) => x));
    expect(Code[e.code]).toBe("NotFound");
    expect(e.findDetails(ErrorInfoSchema)[0]?.reason).toBe("SERVICE_NOT_FOUND");
  });

  it("accepts raw little-endian tensor bytes like typed lists", async () => {
    const rows = fixtureExpected("digits_mlp").inputs.slice(0, 5);
    const raw = new Uint8Array(Float32Array.from(rows.flat()).buffer);
    const a = await grpc.predict({ service: "services/digits-mlp", inputs: [create(InferTensorSchema, { name: "input", dataType: DataType.FLOAT32, shape: [5n, 64n], contents: { case: "rawContents", value: raw } })] });
    expectMatches("digits_mlp", a, 5);
  });

  it("streams 10,000 rows in order with per-row errors for the bad rows, over bidi gRPC", async () => {
    const exp = fixtureExpected("iris_logreg");
    const bad = new Set([4000, 4001, 4002, 7777]);
    async function* messages() {
      for (let m = 0; m < 100; m++) {
        const rows = Array.from({ length: 100 }, (_, k) => {
          const i = m * 100 + k;
          const input = exp.inputs[i % exp.inputs.length]!;
          const tensor = bad.has(i) ? (i % 2 ? floatRow(input.slice(0, 3)) : floatRow(input, "wrong")) : floatRow(input);
          return create(PredictRowSchema, { sequence: BigInt(i), inputs: [tensor] });
        });
        yield { service: m === 0 ? "services/iris-logreg" : "", rows };
      }
    }
    const results: RowPrediction[] = [];
    for await (const res of grpc.streamPredict(messages())) results.push(...res.results);
    expect(results).toHaveLength(10_000);
    results.forEach((r, i) => {
      expect(r.index).toBe(BigInt(i));
      expect(r.sequence).toBe(BigInt(i));
      if (bad.has(i)) {
        expect(r.status?.code, `row ${i}`).toBe(Code.InvalidArgument);
      } else {
        expect(r.status?.code, `row ${i}: ${r.status?.message}`).toBe(0);
        expect(r.classification?.label).toBe(String(exp.outputs.labels![i % exp.inputs.length]));
      }
    });
    expect(results[4001]?.status?.message).toMatch(/expected shape \[4\] per row, given \[3\]/);
  });

  it("predicts a batch of rows with a status per row", async () => {
    const exp = fixtureExpected("iris_random_forest");
    const rows = exp.inputs.map((r, i) => create(PredictRowSchema, { sequence: BigInt(100 + i), inputs: [i === 2 ? floatRow(r.slice(1)) : floatRow(r)] }));
    const res = await grpc.predictBatch({ service: "services/iris-random-forest", rows });
    expect(res.failedRowCount).toBe(1n);
    expect(res.results[2]?.status?.code).toBe(Code.InvalidArgument);
    expect(res.results.map((r) => r.sequence)).toEqual(rows.map((r) => r.sequence));
    const good = res.results.filter((r) => r.status?.code === 0);
    expect(good).toHaveLength(exp.inputs.length - 1);
    good.forEach((r) => expect(r.predictionId).toMatch(/^iris-random-forest~m\.iris-random-forest\.1~[0-9a-z]+~\d+$/));
    const labels = res.results.map((r) => r.classification?.label);
    labels.forEach((l, i) => i !== 2 && expect(l).toBe(String(exp.outputs.labels![i])));
  });

  it("answers columnar StreamPredict messages in one piece, and a bad columnar message row by row without ending the stream", async () => {
    const exp = fixtureExpected("digits_mlp");
    const good = { inputs: [floatRows(exp.inputs.slice(0, 8))] };
    const bad = { inputs: [floatRows(exp.inputs.slice(0, 3).map((r) => r.slice(0, 10)))] };
    async function* messages() {
      yield { service: "services/digits-mlp", columns: good };
      yield { columns: bad };
      yield { columns: good };
    }
    const answers = [];
    for await (const m of grpc.streamPredict(messages())) answers.push(m);
    expect(answers).toHaveLength(3);
    expect(answers[0]?.columns?.classifications.map((c) => c.label)).toEqual(exp.outputs.labels!.slice(0, 8).map(String));
    expect(answers[0]?.columns?.firstIndex).toBe(0n);
    expect(answers[1]?.columns).toBeUndefined();
    expect(answers[1]?.results.map((r) => r.status?.code)).toEqual([Code.InvalidArgument, Code.InvalidArgument, Code.InvalidArgument]);
    expect(answers[1]?.results[0]?.status?.message).toMatch(/expected shape \[N, 64\], given \[3, 10\]/);
    expect(answers[2]?.columns?.firstIndex).toBe(11n);
  });

  it("serves the server-streaming batch variant over Connect HTTP/1.1", async () => {
    const client = createClient(InferenceService, transports["connect"]!);
    const exp = fixtureExpected("diabetes_gbr");
    const rows = exp.inputs.map((r, i) => create(PredictRowSchema, { sequence: BigInt(i), inputs: [floatRow(r)] }));
    const results: RowPrediction[] = [];
    let summary;
    for await (const m of client.streamPredictBatch({ service: "services/diabetes-gbr", source: { case: "inlineRows", value: { rows } }, rowsPerMessage: 7 })) {
      results.push(...m.results);
      if (m.summary) summary = m.summary;
    }
    expectMatches("diabetes_gbr", { outputs: results }, rows.length);
    expect(summary).toMatchObject({ rowCount: BigInt(rows.length), failedRowCount: 0n, modelVersions: ["models/diabetes-gbr/versions/1"] });
  });

  it("predicts a dataset stored in the registry, with unreadable lines failing alone", async () => {
    const exp = fixtureExpected("iris_logreg");
    const lines = exp.inputs.map((r) => JSON.stringify({ input: r }));
    lines.splice(3, 0, "{not json");
    await registry.createModel({ modelId: "iris-data", model: {} });
    const { modelVersion } = await registry.uploadModelVersion(upload("models/iris-data", new TextEncoder().encode(lines.join("\n") + "\n"), ArtifactFormat.OTHER));
    const results: RowPrediction[] = [];
    for await (const m of grpc.streamPredictBatch({ service: "services/iris-logreg", source: { case: "dataset", value: { uri: `artifacts://${modelVersion!.name}`, format: DatasetFormat.JSONL } } })) {
      results.push(...m.results);
    }
    expect(results).toHaveLength(exp.inputs.length + 1);
    expect(results[3]?.status?.code).toBe(Code.InvalidArgument);
    const good = results.filter((r) => r.status?.code === 0);
    expectMatches("iris_logreg", { outputs: good }, exp.inputs.length);
  });

  it("merges concurrent calls into batches and answers each caller exactly as without batching", async () => {
    await grpc.createService({
      serviceId: "digits-batched",
      service: { target: { target: { case: "modelVersion", value: "models/digits-mlp/versions/1" } }, batching: { enabled: true, maxBatchSize: 32, maxWait: { seconds: 0n, nanos: 20_000_000 } } },
    });
    const inputs = fixtureExpected("digits_mlp").inputs;
    const before = await batchHistogram(server.url);
    const calls = Array.from({ length: 64 }, (_, i) => [inputs[i % inputs.length]!] as const);
    const [batched, plain] = await Promise.all([
      Promise.all(calls.map((rows) => grpc.predict({ service: "services/digits-batched", inputs: [floatRows(rows)] }))),
      Promise.all(calls.map((rows) => grpc.predict({ service: "services/digits-mlp", inputs: [floatRows(rows)] }))),
    ]);
    batched.forEach((b, i) => {
      expect(b.classifications[0]?.label).toBe(plain[i]!.classifications[0]?.label);
      for (const [k, p] of Object.entries(plain[i]!.classifications[0]!.probabilities)) expect(b.classifications[0]!.probabilities[k]).toBeCloseTo(p, 6);
    });
    const after = await batchHistogram(server.url);
    const runs = after.count - before.count;
    const rows = after.sum - before.sum;
    expect(rows).toBe(64);
    expect(runs).toBeLessThan(64);
    expect(after.maxBucketAbove32).toBe(before.maxBucketAbove32);
  });

  it("re-points a service atomically and records which version served when", async () => {
    await registry.createModel({ modelId: "flowers", model: {} });
    await registry.uploadModelVersion(upload("models/flowers", fixtureBytes("iris_logreg")));
    await registry.uploadModelVersion(upload("models/flowers", fixtureBytes("iris_random_forest")));
    await grpc.createService({ serviceId: "flowers", service: { target: { target: { case: "modelAlias", value: { model: "models/flowers", alias: "champion" } } } } }).catch((e: unknown) => {
      expect(codeOf(e)).toBe("NotFound");
    });
    await registry.setModelAlias({ name: "models/flowers", alias: "champion", modelVersion: "models/flowers/versions/1" });
    await grpc.createService({ serviceId: "flowers", service: { target: { target: { case: "modelAlias", value: { model: "models/flowers", alias: "champion" } } } } });
    const row = [floatRows([fixtureExpected("iris_logreg").inputs[0]!])];
    expect((await grpc.predict({ service: "services/flowers", inputs: row })).modelVersion).toBe("models/flowers/versions/1");
    await registry.setModelAlias({ name: "models/flowers", alias: "champion", modelVersion: "models/flowers/versions/2", reason: "forest wins" });
    expect((await grpc.predict({ service: "services/flowers", inputs: row })).modelVersion).toBe("models/flowers/versions/2");
    const pinned = await grpc.setServiceTarget({ name: "services/flowers", target: { target: { case: "modelVersion", value: "models/flowers/versions/1" } }, reason: "roll back" });
    expect(pinned.service?.resolvedModelVersion).toBe("models/flowers/versions/1");
    expect((await grpc.predict({ service: "services/flowers", inputs: row })).modelVersion).toBe("models/flowers/versions/1");
    const { changes } = await grpc.listServiceTargetHistory({ parent: "services/flowers" });
    expect(changes.map((c) => [c.cause, c.resolvedModelVersion, c.reason])).toEqual([
      [ServiceTargetChangeCause.TARGET_SET, "models/flowers/versions/1", "roll back"],
      [ServiceTargetChangeCause.ALIAS_MOVED, "models/flowers/versions/2", "forest wins"],
      [ServiceTargetChangeCause.CREATED, "models/flowers/versions/1", ""],
    ]);
  });

  it("refuses to switch to a version that cannot load, and keeps serving the old one", async () => {
    await registry.createModel({ modelId: "broken", model: {} });
    const bytes = new Uint8Array(fixtureBytes("iris_logreg"));
    // A valid signature but an operator that does not exist: the file parses, the runtime refuses it.
    const patched = Buffer.from(bytes).toString("latin1").replaceAll("LinearClassifier", "LinearClassifiez");
    await registry.uploadModelVersion(upload("models/broken", Buffer.from(patched, "latin1")));
    const e = ConnectError.from(
      await grpc.setServiceTarget({ name: "services/flowers", target: { target: { case: "modelVersion", value: "models/broken/versions/1" } } }).catch((x: unknown) => x),
    );
    expect(Code[e.code], e.message).toBe("FailedPrecondition");
    expect(e.findDetails(ErrorInfoSchema)[0]?.reason).toBe("MODEL_LOAD_FAILED");
    const row = [floatRows([fixtureExpected("iris_logreg").inputs[0]!])];
    expect((await grpc.predict({ service: "services/flowers", inputs: row })).modelVersion).toBe("models/flowers/versions/1");
  });

  it("reports a service whose model cannot load as FAILED and NOT_SERVING in grpc.health.v1", async () => {
    await grpc.createService({ serviceId: "broken-svc", service: { target: { target: { case: "modelVersion", value: "models/broken/versions/1" } } } });
    const health = createClient(Health, createGrpcTransport({ baseUrl: server.url }));
    const deadline = Date.now() + 10_000;
    let status: HealthCheckResponse_ServingStatus | undefined;
    while (Date.now() < deadline) {
      status = await health.check({ service: "services/broken-svc" }).then((r) => r.status, () => undefined);
      if (status === HealthCheckResponse_ServingStatus.NOT_SERVING && (await grpc.getService({ name: "services/broken-svc" })).service?.state === ServiceState.FAILED) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(status).toBe(HealthCheckResponse_ServingStatus.NOT_SERVING);
    const { service } = await grpc.getService({ name: "services/broken-svc" });
    expect(service?.state).toBe(ServiceState.FAILED);
    expect(service?.stateMessage).toMatch(/ONNX Runtime/);
    expect((await health.check({ service: "services/iris-logreg" })).status).toBe(HealthCheckResponse_ServingStatus.SERVING);
  });

  it("joins feedback to the prediction it names", async () => {
    const p = await grpc.predict({ service: "services/iris-logreg", inputs: [floatRows([fixtureExpected("iris_logreg").inputs[0]!])] });
    const fb = await grpc.reportFeedback({ predictionId: p.predictionId, outcome: { case: "label", value: "0" }, requestId: randomUUID() });
    expect(fb).toMatchObject({ service: "services/iris-logreg", modelVersion: "models/iris-logreg/versions/1" });
    expect(codeOf(await grpc.reportFeedback({ predictionId: "made-up", outcome: { case: "label", value: "0" } }).catch((x: unknown) => x))).toBe("NotFound");
  });

  it("refuses to delete a version a service pins", async () => {
    const e = ConnectError.from(await registry.deleteModelVersion({ name: "models/digits-mlp/versions/1" }).catch((x: unknown) => x));
    expect(e.findDetails(ErrorInfoSchema)[0]?.reason).toBe("MODEL_VERSION_REFERENCED");
  });
});

/** The batch-size histogram from /metrics: number of runs, rows in them, and the count above 32. */
async function batchHistogram(url: string) {
  const text = await (await fetch(`${url}/metrics`)).text();
  const num = (re: RegExp) => Number(re.exec(text)?.[1] ?? 0);
  return {
    count: num(/^artenic_inference_batch_size_count (\d+)/m),
    sum: num(/^artenic_inference_batch_size_sum (\d+)/m),
    maxBucketAbove32: num(/^artenic_inference_batch_size_bucket\{le="\+Inf"\} (\d+)/m) - num(/^artenic_inference_batch_size_bucket\{le="32"\} (\d+)/m),
  };
}
