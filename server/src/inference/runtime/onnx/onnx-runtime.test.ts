import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import ort from "onnxruntime-node";
import { afterEach, describe, expect, it, vi } from "vitest";
import { AppError } from "../../../platform/errors/app-error.js";
import type { OutputValue, TensorData } from "../../tensor.js";
import type { LoadedModel } from "../inference-runtime.js";
import { createOnnxInferenceRuntime } from "./onnx-runtime.js";
import { ElemType, identityModel, reshapeModel, zipMapModel } from "./test-models.js";

const FIXTURES = fileURLToPath(new URL("../../../../../fixtures/models/", import.meta.url));
const DEFAULT_THREADS = { intraOpThreads: 0, interOpThreads: 0 };

/** The part of a `.expected.json` written by fixtures/models/make_fixtures.py that this suite reads. */
interface Expected {
  classes?: number[];
  inputs: number[][];
  outputs: { labels?: number[]; probabilities?: number[][]; values?: number[] };
}

function fixture(name: string): { bytes: Uint8Array; expected: Expected } {
  return {
    bytes: new Uint8Array(readFileSync(`${FIXTURES}${name}.onnx`)),
    expected: JSON.parse(readFileSync(`${FIXTURES}${name}.expected.json`, "utf8")) as Expected,
  };
}

function rowsTensor(rows: number[][]): TensorData {
  const columns = rows[0]?.length ?? 0;
  return { name: "input", dataType: "float32", shape: [rows.length, columns], data: Float32Array.from(rows.flat()) };
}

function tensorOf(value: OutputValue | undefined): TensorData {
  if (value?.kind !== "tensor") throw new Error(`expected a tensor, got ${value?.kind}`);
  return value.tensor;
}

function mapsOf(value: OutputValue | undefined): readonly ReadonlyMap<string | bigint, number>[] {
  if (value?.kind !== "sequence_of_maps") throw new Error(`expected maps, got ${value?.kind}`);
  return value.maps;
}

// Python's onnxruntime may differ from ours in the last bits; near-zero probabilities (1e-16) make a
// purely relative bound meaningless, hence the absolute floor far below any probability that matters.
function expectClose(actual: number, expected: number): void {
  const error = Math.abs(actual - expected);
  expect(error <= 1e-5 * Math.max(Math.abs(actual), Math.abs(expected)) || error <= 1e-7, `${actual} vs ${expected}`).toBe(true);
}

async function rejectionOf(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

// onnxruntime-common types InferenceSession as a factory, but at run time it is a class whose
// prototype every session shares.
function spyOnSessionRuns() {
  return vi.spyOn((ort.InferenceSession as unknown as { prototype: ort.InferenceSession }).prototype, "run");
}

const runtime = createOnnxInferenceRuntime();
const loaded: LoadedModel[] = [];

async function load(bytes: Uint8Array): Promise<LoadedModel> {
  const model = await runtime.load(bytes, null, DEFAULT_THREADS);
  loaded.push(model);
  return model;
}

afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(loaded.splice(0).map((m) => m.dispose()));
});

describe("OnnxInferenceRuntime.run", () => {
  it.each(["iris_logreg", "iris_random_forest", "digits_mlp"])("matches Python's labels and per-class probabilities when %s classifies the recorded rows", async (name) => {
    const { bytes, expected } = fixture(name);
    const model = await load(bytes);

    const outputs = await model.run([rowsTensor(expected.inputs)]);

    const labels = tensorOf(outputs["output_label"]);
    expect(labels.dataType).toBe("int64");
    expect(Array.from(labels.data as BigInt64Array, Number)).toEqual(expected.outputs.labels);
    const maps = mapsOf(outputs["output_probability"]);
    expect(maps).toHaveLength(expected.inputs.length);
    maps.forEach((map, row) => {
      expect([...map.keys()]).toEqual(expected.classes?.map(BigInt));
      expected.classes?.forEach((label, column) => expectClose(map.get(BigInt(label)) ?? Number.NaN, expected.outputs.probabilities?.[row]?.[column] ?? Number.NaN));
    });
  });

  it("matches Python's values when the diabetes regressor predicts the recorded rows", async () => {
    const { bytes, expected } = fixture("diabetes_gbr");
    const model = await load(bytes);

    const values = tensorOf((await model.run([rowsTensor(expected.inputs)]))["variable"]);

    expect(values.shape).toEqual([expected.inputs.length, 1]);
    Array.from(values.data as Float32Array).forEach((v, i) => expectClose(v, expected.outputs.values?.[i] ?? Number.NaN));
  });

  it("returns only the requested outputs when output names are given", async () => {
    const { bytes, expected } = fixture("iris_logreg");
    const model = await load(bytes);

    const outputs = await model.run([rowsTensor(expected.inputs.slice(0, 2))], ["output_label"]);

    expect(Object.keys(outputs)).toEqual(["output_label"]);
  });

  it("returns string-keyed maps when a ZipMap has string class labels", async () => {
    const model = await load(zipMapModel(["cat", "dog"]));

    const outputs = await model.run([{ name: "x", dataType: "float32", shape: [2, 2], data: new Float32Array([0.25, 0.75, 1, 0]) }]);

    const maps = mapsOf(outputs["probabilities"]);
    expect(maps.map((m) => Object.fromEntries(m))).toEqual([
      { cat: 0.25, dog: 0.75 },
      { cat: 1, dog: 0 },
    ]);
  });

  it.each([
    { dataType: "string", elemType: ElemType.string, data: ["a", "", "ü", "long text"] },
    { dataType: "bool", elemType: ElemType.bool, data: new Uint8Array([1, 0, 0, 1]) },
    { dataType: "int64", elemType: ElemType.int64, data: new BigInt64Array([-(2n ** 62n), 0n, 1n, 2n ** 62n]) },
    { dataType: "int32", elemType: ElemType.int32, data: new Int32Array([-5, 0, 7, 2 ** 30]) },
    { dataType: "float64", elemType: ElemType.double, data: new Float64Array([Math.PI, -0, 1e300, 5e-324]) },
  ] as const)("returns $dataType data unchanged when an Identity model echoes it", async ({ dataType, elemType, data }) => {
    const model = await load(identityModel(elemType, 2));
    const input = { name: "x", dataType, shape: [2, 2], data } as TensorData;

    const y = tensorOf((await model.run([input]))["y"]);

    expect(y.dataType).toBe(dataType);
    expect(y.shape).toEqual([2, 2]);
    expect(Array.from(y.data as ArrayLike<unknown>)).toEqual(Array.from(data as ArrayLike<unknown>));
  });

  it("reads only its own rows when the input is a view into a larger buffer", async () => {
    const { bytes, expected } = fixture("iris_logreg");
    const model = await load(bytes);
    const all = Float32Array.from(expected.inputs.flat());

    const outputs = await model.run([{ name: "input", dataType: "float32", shape: [2, 4], data: all.subarray(8, 16) }]);

    expect(Array.from(tensorOf(outputs["output_label"]).data as BigInt64Array, Number)).toEqual(expected.outputs.labels?.slice(2, 4));
  });

  it("rejects with INFERENCE_FAILED and ONNX Runtime's reason when a dimension does not fit the graph", async () => {
    const model = await load(fixture("iris_logreg").bytes);

    const error = await rejectionOf(model.run([{ name: "input", dataType: "float32", shape: [1, 5], data: new Float32Array(5) }]));

    expect(error.kind).toBe("invalid_argument");
    expect(error.reason).toBe("INFERENCE_FAILED");
    expect(error.message).toContain("Got invalid dimensions for input");
  });

  it("keeps serving when a previous run was refused", async () => {
    const model = await load(fixture("iris_logreg").bytes);
    await rejectionOf(model.run([{ name: "input", dataType: "float64", shape: [1, 4], data: new Float64Array(4) }]));

    const outputs = await model.run([{ name: "input", dataType: "float32", shape: [1, 4], data: new Float32Array([5, 3.4, 1.5, 0.2]) }]);

    expect(tensorOf(outputs["output_label"]).data).toEqual(new BigInt64Array([0n]));
  });

  it("rejects with MODEL_UNLOADED when the model was disposed", async () => {
    const model = await runtime.load(fixture("iris_logreg").bytes, null, DEFAULT_THREADS);
    await model.dispose();

    const error = await rejectionOf(model.run([{ name: "input", dataType: "float32", shape: [1, 4], data: new Float32Array(4) }]));

    expect(error.reason).toBe("MODEL_UNLOADED");
  });
});

describe("OnnxInferenceRuntime.load", () => {
  it("runs the model once on zeros with a batch of 1 when it loads", async () => {
    const run = spyOnSessionRuns();

    await load(fixture("digits_mlp").bytes);

    expect(run).toHaveBeenCalledTimes(1);
    const feeds = run.mock.calls[0]?.[0] as Record<string, ort.Tensor>;
    expect(feeds["input"]?.dims).toEqual([1, 64]);
    expect(Array.from(feeds["input"]?.data as Float32Array).every((v) => v === 0)).toBe(true);
  });

  it("warms string inputs with empty strings when the graph takes strings", async () => {
    const run = spyOnSessionRuns();

    await load(identityModel(ElemType.string, 3));

    const feeds = run.mock.calls[0]?.[0] as Record<string, ort.Tensor>;
    expect(feeds["x"]?.data).toEqual(["", "", ""]);
  });

  it("reports the artifact size and the model's input and output names when it loads", async () => {
    const { bytes } = fixture("iris_logreg");

    const model = await load(bytes);

    expect(model.sizeBytes).toBe(bytes.byteLength);
    expect(model.inputNames).toEqual(["input"]);
    expect(model.outputNames).toEqual(["output_label", "output_probability"]);
  });

  it("rejects with MODEL_LOAD_FAILED and ONNX Runtime's reason when the bytes are a truncated model", async () => {
    const { bytes } = fixture("digits_mlp");

    const error = await rejectionOf(runtime.load(bytes.subarray(0, bytes.length / 2), null, DEFAULT_THREADS));

    expect(error.kind).toBe("failed_precondition");
    expect(error.reason).toBe("MODEL_LOAD_FAILED");
    expect(error.message).toContain("protobuf parsing failed");
  });

  it("rejects with MODEL_LOAD_FAILED when the bytes are empty", async () => {
    const error = await rejectionOf(runtime.load(new Uint8Array(0), null, DEFAULT_THREADS));

    expect(error.reason).toBe("MODEL_LOAD_FAILED");
  });

  it("rejects with MODEL_LOAD_FAILED when the warm-up run fails", async () => {
    const error = await rejectionOf(runtime.load(reshapeModel(), null, DEFAULT_THREADS));

    expect(error.reason).toBe("MODEL_LOAD_FAILED");
    expect(error.message).toContain("warm-up");
  });

  it("loads with explicit thread counts and graph settings when they are configured", async () => {
    const tuned = createOnnxInferenceRuntime({ graphOptimizationLevel: "basic", executionMode: "parallel" });
    const model = await tuned.load(fixture("iris_logreg").bytes, null, { intraOpThreads: 1, interOpThreads: 1 });
    loaded.push(model);

    const outputs = await model.run([{ name: "input", dataType: "float32", shape: [1, 4], data: new Float32Array([5, 3.4, 1.5, 0.2]) }]);

    expect(tensorOf(outputs["output_label"]).data).toEqual(new BigInt64Array([0n]));
  });
});
