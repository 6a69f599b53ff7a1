import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { readOnnxSignature } from "../../../registry/onnx-signature.js";
import { zipMapModel } from "./test-models.js";
import { unzipMapOutputs } from "./zipmap-rewrite.js";

const FIXTURES = fileURLToPath(new URL("../../../../../fixtures/models/", import.meta.url));

function fixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(`${FIXTURES}${name}.onnx`));
}

describe("unzipMapOutputs", () => {
  it("returns the same bytes when the model has no ZipMap", () => {
    const bytes = fixture("diabetes_gbr");

    const result = unzipMapOutputs(bytes);

    expect(result.bytes).toBe(bytes);
    expect(result.unzipped).toEqual([]);
  });

  it("returns the same bytes when they are not a protobuf message", () => {
    const bytes = new Uint8Array([0xff, 0xff, 0xff]);

    expect(unzipMapOutputs(bytes).bytes).toBe(bytes);
  });

  it("retypes the ZipMap output as a float matrix and keeps everything else when skl2onnx zipped the probabilities", () => {
    const bytes = fixture("iris_logreg");
    const before = readOnnxSignature(bytes);

    const result = unzipMapOutputs(bytes);

    const after = readOnnxSignature(result.bytes);
    expect(result.unzipped).toEqual([{ name: "output_probability", keys: [0n, 1n, 2n] }]);
    expect(after.outputs.find((o) => o.name === "output_probability")).toMatchObject({ kind: "tensor", dataType: "float32", shape: [-1, 3] });
    expect(after.outputs.find((o) => o.name === "output_label")).toEqual(before.outputs.find((o) => o.name === "output_label"));
    expect(after.inputs).toEqual(before.inputs);
    expect(after.opsetVersions).toEqual(before.opsetVersions);
    expect(after.producerName).toBe(before.producerName);
  });

  it("reads the class labels when they are written packed", () => {
    expect(unzipMapOutputs(zipMapModel([7n, -1n, 2n ** 40n])).unzipped[0]?.keys).toEqual([7n, -1n, 2n ** 40n]);
  });

  it("reads the class labels when they are strings", () => {
    expect(unzipMapOutputs(zipMapModel(["setosa", "versicolor"])).unzipped[0]?.keys).toEqual(["setosa", "versicolor"]);
  });
});
