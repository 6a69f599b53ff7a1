import { describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { InferTensorSchema } from "@artenic/gen/artenic/inference/v1/infer_tensor_pb";
import { DataType } from "@artenic/gen/artenic/type/v1/tensor_pb";
import { AppError } from "../platform/errors/app-error.js";
import type { ModelSignatureInfo } from "../registry/index.js";
import { newPredictionId, parsePredictionId, rowPredictionId } from "./prediction-id.js";
import { checkInputs, stackRows } from "./signature-check.js";
import { classificationsOf, decodeTensor, encodeTensor, sliceRow } from "./tensor.mapper.js";
import type { TensorData } from "./tensor.js";
import { PredictionRecorder } from "./prediction-recorder.js";

const signature: ModelSignatureInfo = {
  inputs: [{ name: "x", dataType: "float32", shape: [-1, 3], dimNames: ["N", ""], kind: "tensor" }],
  outputs: [{ name: "y", dataType: "float32", shape: [-1, 1], dimNames: ["N", ""], kind: "tensor" }],
  irVersion: 8,
  opsetVersions: { "": 13 },
  producerName: "test",
  producerVersion: "1",
};

function reasonOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return e instanceof AppError ? `${e.reason} ${e.message}` : String(e);
  }
  return "no error";
}

describe("prediction ids", () => {
  it("round-trip service, model, version, time and row", () => {
    const id = newPredictionId("fraud", "models/xgb/versions/7", Date.UTC(2026, 10, 26));
    expect(parsePredictionId(id)).toMatchObject({ serviceId: "fraud", answeredBy: "models/xgb/versions/7", time: new Date(Date.UTC(2026, 10, 26)), row: undefined });
    expect(parsePredictionId(rowPredictionId(id, 41))?.row).toBe(41);
    expect(parsePredictionId(newPredictionId("s", "ensembles/blend/snapshots/3", 0))?.answeredBy).toBe("ensembles/blend/snapshots/3");
    expect(newPredictionId("a", "models/b/versions/1", 0)).not.toBe(newPredictionId("a", "models/b/versions/1", 0));
  });

  it.each(["", "made-up", "a~m.b.0~zz000000000000", "A~m.b.1~1a000000000000", "a~m.b.1~1a00000000000g", "a~m.b.1~1a000000000000~x", "a~x.b.1~1a000000000000"])("rejects %j", (id) => {
    expect(parsePredictionId(id)).toBeUndefined();
  });
});

describe("checkInputs", () => {
  const t = (shape: number[], data: Float32Array = new Float32Array(shape.reduce((a, b) => a * b, 1))): TensorData => ({ name: "x", dataType: "float32", shape, data });

  it("accepts any batch size for a dynamic dimension", () => {
    expect(() => checkInputs([t([5, 3])], signature, "inputs", true)).not.toThrow();
    expect(() => checkInputs([t([3])], signature, "rows[0].inputs", false)).not.toThrow();
  });

  it("names the input with the expected and given shape, per row when rows are checked", () => {
    expect(reasonOf(() => checkInputs([t([2, 4])], signature, "inputs", true))).toMatch(/INVALID_INPUT.*input "x": expected shape \[N, 3\], given \[2, 4\]/);
    expect(reasonOf(() => checkInputs([t([4])], signature, "rows[3].inputs", false))).toMatch(/rows\[3\]\.inputs\[0\]\.shape.*expected shape \[3\] per row/);
  });

  it("refuses a wrong element type, a duplicate and a missing input", () => {
    expect(reasonOf(() => checkInputs([{ name: "x", dataType: "int32", shape: [1, 3], data: new Int32Array(3) }], signature, "inputs", true))).toMatch(/expected float32, given int32/);
    expect(reasonOf(() => checkInputs([t([1, 3]), t([1, 3])], signature, "inputs", true))).toMatch(/more than once/);
    expect(reasonOf(() => checkInputs([], signature, "inputs", true))).toMatch(/"x": is required by the model but missing/);
  });
});

describe("tensor mapping", () => {
  it("views aligned raw bytes and copies misaligned ones, with the same values", () => {
    const values = Float32Array.from([1.5, -2, 3.25, 4, 5, 6]);
    const backing = new Uint8Array(values.byteLength + 1);
    backing.set(new Uint8Array(values.buffer), 1);
    for (const bytes of [new Uint8Array(values.buffer), backing.subarray(1)]) {
      const d = decodeTensor(create(InferTensorSchema, { name: "x", dataType: DataType.FLOAT32, shape: [2n, 3n], contents: { case: "rawContents", value: bytes } }), "inputs[0]");
      expect(Array.from(d.data as Float32Array)).toEqual(Array.from(values));
    }
  });

  it("refuses raw bytes without a type, strings as raw bytes, and a length that is not a whole element", () => {
    expect(reasonOf(() => decodeTensor(create(InferTensorSchema, { name: "x", shape: [1n], contents: { case: "rawContents", value: new Uint8Array(4) } }), "f"))).toMatch(/data_type.*required with raw_contents/);
    expect(reasonOf(() => decodeTensor(create(InferTensorSchema, { name: "x", dataType: DataType.STRING, shape: [1n], contents: { case: "rawContents", value: new Uint8Array(4) } }), "f"))).toMatch(/cannot carry strings/);
    expect(reasonOf(() => decodeTensor(create(InferTensorSchema, { name: "x", dataType: DataType.FLOAT64, shape: [1n], contents: { case: "rawContents", value: new Uint8Array(12) } }), "f"))).toMatch(/not a multiple of 8/);
  });

  it("round-trips every element type through typed lists and raw bytes", () => {
    const tensors: TensorData[] = [
      { name: "f", dataType: "float32", shape: [2], data: Float32Array.from([1, 2]) },
      { name: "d", dataType: "float64", shape: [2], data: Float64Array.from([1.25, -2]) },
      { name: "i", dataType: "int32", shape: [2], data: Int32Array.from([-1, 7]) },
      { name: "l", dataType: "int64", shape: [2], data: BigInt64Array.from([-1n, 2n ** 40n]) },
      { name: "b", dataType: "bool", shape: [2], data: Uint8Array.from([1, 0]) },
      { name: "s", dataType: "string", shape: [2], data: ["a", "é"] },
    ];
    for (const t of tensors) {
      for (const raw of [false, true]) {
        const back = decodeTensor(encodeTensor(t, raw), "x");
        expect(back.dataType).toBe(t.dataType);
        expect(Array.from(back.data as ArrayLike<unknown>)).toEqual(Array.from(t.data as ArrayLike<unknown>));
      }
    }
  });

  it("stacks rows and slices them back", () => {
    const rows = [0, 1, 2].map((r) => [{ name: "x", dataType: "float32", shape: [3], data: Float32Array.from([r, r + 0.5, r + 0.25]) } as TensorData]);
    const [stacked] = stackRows(rows);
    expect(stacked?.shape).toEqual([3, 3]);
    const row = sliceRow({ x: { kind: "tensor", tensor: stacked! } }, 2, 3)["x"];
    expect(row?.kind === "tensor" && Array.from(row.tensor.data as Float32Array)).toEqual([2, 2.5, 2.25]);
  });

  it("reads classifier outputs into labels, probabilities and confidence", () => {
    const [c0, c1] = classificationsOf(
      {
        label: { kind: "tensor", tensor: { name: "label", dataType: "int64", shape: [2], data: BigInt64Array.from([2n, 0n]) } },
        probabilities: { kind: "sequence_of_maps", name: "probabilities", maps: [new Map([[0n, 0.1], [1n, 0.2], [2n, 0.7]]), new Map([[0n, 0.6], [1n, 0.3], [2n, 0.1]])] },
      },
      2,
    );
    expect(c0).toMatchObject({ label: "2", probabilities: { "0": 0.1, "1": 0.2, "2": 0.7 }, confidence: 0.7 });
    expect(c1?.label).toBe("0");
  });
});

describe("PredictionRecorder", () => {
  it("keeps the newest records up to its capacity, oldest first", () => {
    const r = new PredictionRecorder(3);
    for (let i = 0; i < 5; i++) r.record({ time: i, serviceId: i % 2 ? "a" : "b", modelVersion: "", predictionId: String(i), rows: 1, latencyMs: 1, error: "", confidence: NaN, features: [], outputs: [] });
    expect(r.since(0).map((x) => x.predictionId)).toEqual(["2", "3", "4"]);
    expect(r.since(3, "a").map((x) => x.predictionId)).toEqual(["3"]);
    expect(r.count).toBe(5);
  });
});
