import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { create, toBinary, type MessageInitShape } from "@bufbuild/protobuf";
import { ModelProtoSchema, TensorProto_DataType } from "@artenic/gen/onnx/onnx_pb";
import { describe, expect, it } from "vitest";
import { AppError } from "../platform/errors/app-error.js";
import { looksLikeOnnx, readOnnxSignature, type TensorInfo } from "./onnx-signature.js";

const FIXTURES = fileURLToPath(new URL("../../../fixtures/models/", import.meta.url));
const MODELS = ["iris_logreg", "iris_random_forest", "diabetes_gbr", "digits_mlp"] as const;

/** The part of a `.expected.json` written by fixtures/models/make_fixtures.py that this suite reads. */
interface ExpectedSignature {
  irVersion: number;
  opsetVersions: Record<string, number>;
  producerName: string;
  producerVersion: string;
  inputs: (Omit<TensorInfo, "unknownRank"> & { elemType: string })[];
  outputs: (Omit<TensorInfo, "unknownRank"> & { elemType: string })[];
}

function fixture(name: string): { bytes: Uint8Array; signature: ExpectedSignature } {
  const bytes = new Uint8Array(readFileSync(`${FIXTURES}${name}.onnx`));
  const expected = JSON.parse(readFileSync(`${FIXTURES}${name}.expected.json`, "utf8")) as {
    signature: ExpectedSignature;
  };
  return { bytes, signature: expected.signature };
}

// The Python side also records ONNX's own enum name, which the reader does not report.
function withoutElemType({ elemType: _, ...info }: ExpectedSignature["inputs"][number]): TensorInfo {
  return info;
}

function rejection(bytes: Uint8Array): AppError {
  try {
    readOnnxSignature(bytes);
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error("readOnnxSignature accepted the bytes");
}

function encode(init: MessageInitShape<typeof ModelProtoSchema>): Uint8Array {
  return toBinary(ModelProtoSchema, create(ModelProtoSchema, init));
}

const floatInput = (name: string) => ({
  name,
  type: {
    value: {
      case: "tensorType" as const,
      value: {
        elemType: TensorProto_DataType.FLOAT,
        shape: { dim: [{ value: { case: "dimParam" as const, value: "batch" } }, { value: { case: "dimValue" as const, value: 3n } }] },
      },
    },
  },
});

describe("readOnnxSignature", () => {
  it.each(MODELS)("matches what the onnx Python package reads when given the %s fixture", (name) => {
    const { bytes, signature } = fixture(name);

    const info = readOnnxSignature(bytes);

    expect(info).toEqual({
      irVersion: signature.irVersion,
      opsetVersions: signature.opsetVersions,
      producerName: signature.producerName,
      producerVersion: signature.producerVersion,
      inputs: signature.inputs.map(withoutElemType),
      outputs: signature.outputs.map(withoutElemType),
    });
  });

  it("reports a float32 input with a dynamic batch when the model comes from skl2onnx", () => {
    const info = readOnnxSignature(fixture("digits_mlp").bytes);

    expect(info.inputs).toEqual([{ name: "input", kind: "tensor", dataType: "float32", shape: [-1, 64], dimNames: ["", ""] }]);
  });

  it("reports an int64 label and a sequence of int64→float32 maps when a classifier keeps ZipMap", () => {
    const info = readOnnxSignature(fixture("iris_logreg").bytes);

    expect(info.outputs).toEqual([
      { name: "output_label", kind: "tensor", dataType: "int64", shape: [-1], dimNames: [""] },
      { name: "output_probability", kind: "sequence_of_maps", dataType: "float32", keyType: "int64", shape: [], dimNames: [] },
    ]);
  });

  it("leaves initializers out of the inputs when an old IR version lists them as graph inputs", () => {
    const bytes = encode({
      irVersion: 3n,
      opsetImport: [{ domain: "", version: 8n }],
      graph: {
        name: "old",
        initializer: [{ name: "weights", dataType: TensorProto_DataType.FLOAT, dims: [3n] }],
        input: [floatInput("x"), floatInput("weights")],
        output: [floatInput("y")],
      },
    });

    const info = readOnnxSignature(bytes);

    expect(info.inputs.map((i) => i.name)).toEqual(["x"]);
    expect(info.inputs[0]).toEqual({ name: "x", kind: "tensor", dataType: "float32", shape: [-1, 3], dimNames: ["batch", ""] });
  });

  it("reads the wrapped type and names the default domain \"\" when a model uses optional, map, sequence and ai.onnx", () => {
    const bytes = encode({
      irVersion: 9n,
      opsetImport: [{ domain: "ai.onnx", version: 21n }],
      graph: {
        input: [
          {
            name: "maybe",
            type: { value: { case: "optionalType", value: { elemType: floatInput("").type } } },
          },
          {
            name: "rank_free",
            type: { value: { case: "tensorType", value: { elemType: TensorProto_DataType.BFLOAT16 } } },
          },
        ],
        output: [
          {
            name: "dict",
            type: {
              value: {
                case: "mapType",
                value: {
                  keyType: TensorProto_DataType.STRING,
                  valueType: { value: { case: "tensorType", value: { elemType: TensorProto_DataType.DOUBLE } } },
                },
              },
            },
          },
          {
            name: "list",
            type: {
              value: {
                case: "sequenceType",
                value: { elemType: { value: { case: "tensorType", value: { elemType: TensorProto_DataType.INT32, shape: {} } } } },
              },
            },
          },
        ],
      },
    });

    const info = readOnnxSignature(bytes);

    expect(info.opsetVersions).toEqual({ "": 21 });
    expect(info.inputs).toEqual([
      { name: "maybe", kind: "tensor", dataType: "float32", shape: [-1, 3], dimNames: ["batch", ""] },
      { name: "rank_free", kind: "tensor", dataType: "unspecified", shape: [], dimNames: [], unknownRank: true },
    ]);
    expect(info.outputs).toEqual([
      { name: "dict", kind: "map", dataType: "float64", keyType: "string", shape: [], dimNames: [] },
      { name: "list", kind: "sequence", dataType: "int32", shape: [], dimNames: [] },
    ]);
  });

  it("throws INVALID_ONNX_MODEL on the artifact field when the buffer is empty", () => {
    const error = rejection(new Uint8Array());

    expect(error.kind).toBe("invalid_argument");
    expect(error.reason).toBe("INVALID_ONNX_MODEL");
    expect(error.fieldViolations).toEqual([{ field: "artifact", description: "the file is empty" }]);
  });

  it.each([
    ["text", new TextEncoder().encode("this is certainly not a model, just some text\n")],
    ["a zip header", Uint8Array.of(0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00, 0x08, 0x00)],
    ["bytes with an invalid wire type", Uint8Array.of(0x0f, 0xff, 0xff, 0xff)],
    ["pseudo-random bytes", Uint8Array.from({ length: 4096 }, (_, i) => (i * 2654435761) >>> 24)],
  ])("throws INVALID_ONNX_MODEL when the bytes are %s", (_, bytes) => {
    const error = rejection(bytes);

    expect(error.reason).toBe("INVALID_ONNX_MODEL");
    expect(error.metadata).toEqual({ field: "artifact" });
  });

  it.each(MODELS)("throws INVALID_ONNX_MODEL when the %s fixture is truncated", (name) => {
    const { bytes } = fixture(name);

    const error = rejection(bytes.subarray(0, Math.floor(bytes.length / 2)));

    expect(error.reason).toBe("INVALID_ONNX_MODEL");
    expect(error.message).toMatch(/truncated/);
  });

  it("throws INVALID_ONNX_MODEL naming the problem when a decodable model has no graph", () => {
    const error = rejection(encode({ irVersion: 8n, opsetImport: [{ domain: "", version: 18n }] }));

    expect(error.reason).toBe("INVALID_ONNX_MODEL");
    expect(error.message).toBe("artifact: the model has no graph");
  });

  it("throws INVALID_ONNX_MODEL when every graph input is an initializer", () => {
    const bytes = encode({
      irVersion: 3n,
      opsetImport: [{ domain: "", version: 8n }],
      graph: { initializer: [{ name: "w" }], input: [floatInput("w")], output: [floatInput("y")] },
    });

    expect(rejection(bytes).message).toBe("artifact: the model's graph has no inputs");
  });

  it("throws INVALID_ONNX_MODEL when an input is a sparse tensor", () => {
    const bytes = encode({
      irVersion: 8n,
      opsetImport: [{ domain: "", version: 18n }],
      graph: {
        input: [{ name: "s", type: { value: { case: "sparseTensorType", value: { elemType: TensorProto_DataType.FLOAT } } } }],
        output: [floatInput("y")],
      },
    });

    expect(rejection(bytes).message).toMatch(/sparse tensor/);
  });
});

describe("looksLikeOnnx", () => {
  it("is true when given a fixture and false when given text or an empty buffer", () => {
    for (const name of MODELS) {
      expect(looksLikeOnnx(fixture(name).bytes)).toBe(true);
    }
    expect(looksLikeOnnx(new TextEncoder().encode("PK not onnx"))).toBe(false);
    expect(looksLikeOnnx(new Uint8Array())).toBe(false);
  });
});
