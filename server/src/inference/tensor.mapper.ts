import { create } from "@bufbuild/protobuf";
import { DataType } from "@artenic/gen/artenic/type/v1/tensor_pb";
import { ClassificationSchema, InferTensorSchema, type Classification, type InferTensor } from "@artenic/gen/artenic/inference/v1/infer_tensor_pb";
import { invalidInput } from "./inference.errors.js";
import type { OutputValue, ServableDataType, TensorData } from "./tensor.js";

const fromProtoType: Partial<Record<DataType, ServableDataType>> = {
  [DataType.FLOAT32]: "float32",
  [DataType.FLOAT64]: "float64",
  [DataType.INT32]: "int32",
  [DataType.INT64]: "int64",
  [DataType.BOOL]: "bool",
  [DataType.STRING]: "string",
};

const toProtoType: Record<ServableDataType, DataType> = {
  float32: DataType.FLOAT32,
  float64: DataType.FLOAT64,
  int32: DataType.INT32,
  int64: DataType.INT64,
  bool: DataType.BOOL,
  string: DataType.STRING,
};

const listTypes: Record<string, ServableDataType> = {
  floatValues: "float32",
  doubleValues: "float64",
  int32Values: "int32",
  int64Values: "int64",
  boolValues: "bool",
  stringValues: "string",
};

const BYTES: Record<Exclude<ServableDataType, "string">, number> = { float32: 4, float64: 8, int32: 4, int64: 8, bool: 1 };

/**
 * Decodes a wire tensor into the domain form. Typed lists map to their element type; raw
 * little-endian bytes are reinterpreted according to `data_type`. Checks that the data fills the
 * shape. Throws INVALID_ARGUMENT naming `field` and the input.
 */
export function decodeTensor(t: InferTensor, field: string): TensorData {
  const shape = t.shape.map(Number);
  const c = t.contents;
  let dataType: ServableDataType | undefined = t.dataType === DataType.UNSPECIFIED ? undefined : fromProtoType[t.dataType];
  if (t.dataType !== DataType.UNSPECIFIED && dataType === undefined) {
    throw invalidInput(`${field}.data_type`, t.name, `element type ${DataType[t.dataType]} cannot be sent; use float32, float64, int32, int64, bool or string`);
  }
  if (c.case === undefined) throw invalidInput(field, t.name, "has no contents");
  if (c.case === "rawContents") {
    if (!dataType) throw invalidInput(`${field}.data_type`, t.name, "is required with raw_contents");
    if (dataType === "string") throw invalidInput(`${field}.raw_contents`, t.name, "cannot carry strings; use string_values");
    const width = BYTES[dataType];
    if (c.value.byteLength % width !== 0) {
      throw invalidInput(`${field}.raw_contents`, t.name, `holds ${c.value.byteLength} bytes, not a multiple of ${width} for ${dataType}`);
    }
    // Typed arrays need their offset aligned to the element size; the wire bytes sit at any offset
    // of the request buffer, so they are viewed in place when aligned and copied only when not.
    let bytes = c.value;
    if (bytes.byteOffset % width !== 0) {
      bytes = new Uint8Array(c.value.byteLength);
      bytes.set(c.value);
    }
    const n = bytes.byteLength / width;
    const data =
      dataType === "float32" ? new Float32Array(bytes.buffer, bytes.byteOffset, n)
      : dataType === "float64" ? new Float64Array(bytes.buffer, bytes.byteOffset, n)
      : dataType === "int32" ? new Int32Array(bytes.buffer, bytes.byteOffset, n)
      : dataType === "int64" ? new BigInt64Array(bytes.buffer, bytes.byteOffset, n)
      : bytes;
    return checkCount({ name: t.name, dataType, shape, data } as TensorData, field);
  }
  const listType = listTypes[c.case]!;
  if (dataType && dataType !== listType) {
    throw invalidInput(`${field}.data_type`, t.name, `says ${dataType} but the values are ${c.case.replace("Values", "_values")}`);
  }
  dataType = listType;
  const values = c.value.values as readonly unknown[];
  const tensor = {
    name: t.name,
    dataType,
    shape,
    data:
      dataType === "float32" ? Float32Array.from(values as number[])
      : dataType === "float64" ? Float64Array.from(values as number[])
      : dataType === "int32" ? Int32Array.from(values as number[])
      : dataType === "int64" ? BigInt64Array.from(values as bigint[])
      : dataType === "bool" ? Uint8Array.from(values as boolean[], (b) => (b ? 1 : 0))
      : (values as string[]),
  } as TensorData;
  return checkCount(tensor, field);
}

function checkCount(t: TensorData, field: string): TensorData {
  let n = 1;
  for (const d of t.shape) n *= d;
  if (t.data.length !== n) throw invalidInput(`${field}.shape`, t.name, `shape [${t.shape.join(", ")}] holds ${n} elements but ${t.data.length} were given`);
  return t;
}

/**
 * Encodes a domain tensor for the wire: as typed lists, or, with `raw`, as little-endian bytes
 * (answers mirror the encoding of the request's inputs, so fast clients get fast answers).
 */
export function encodeTensor(t: TensorData, raw = false): InferTensor {
  const shape = t.shape.map((d) => BigInt(d));
  const base = { name: t.name, dataType: toProtoType[t.dataType], shape };
  if (raw && t.dataType !== "string") {
    return create(InferTensorSchema, { ...base, contents: { case: "rawContents", value: new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength) } });
  }
  switch (t.dataType) {
    case "float32":
      return create(InferTensorSchema, { ...base, contents: { case: "floatValues", value: { values: Array.from(t.data) } } });
    case "float64":
      return create(InferTensorSchema, { ...base, contents: { case: "doubleValues", value: { values: Array.from(t.data) } } });
    case "int32":
      return create(InferTensorSchema, { ...base, contents: { case: "int32Values", value: { values: Array.from(t.data) } } });
    case "int64":
      return create(InferTensorSchema, { ...base, contents: { case: "int64Values", value: { values: Array.from(t.data) } } });
    case "bool":
      return create(InferTensorSchema, { ...base, contents: { case: "boolValues", value: { values: Array.from(t.data, (b) => b !== 0) } } });
    case "string":
      return create(InferTensorSchema, { ...base, contents: { case: "stringValues", value: { values: [...t.data] } } });
  }
}

/** The value of row `i` of a tensor, as a label string (integers in decimal). */
function labelAt(t: TensorData, i: number): string {
  const v = t.data[i];
  return typeof v === "string" ? v : String(v);
}

/**
 * Per-row classifications from a classifier's outputs: the label tensor (first integer or string
 * tensor output named like a label) and the per-row probability maps. Returns [] for non-classifiers.
 */
export function classificationsOf(outputs: Record<string, OutputValue>, rows: number): Classification[] {
  const values = Object.values(outputs);
  const maps = values.find((o) => o.kind === "sequence_of_maps");
  if (!maps || maps.kind !== "sequence_of_maps") return [];
  const labelTensor = values.find((o) => o.kind === "tensor" && (o.tensor.dataType === "int64" || o.tensor.dataType === "string" || o.tensor.dataType === "int32"));
  const result: Classification[] = [];
  for (let i = 0; i < rows; i++) {
    const probabilities: Record<string, number> = {};
    let best = -Infinity;
    let bestKey = "";
    for (const [k, p] of maps.maps[i] ?? new Map()) {
      probabilities[String(k)] = p;
      if (p > best) {
        best = p;
        bestKey = String(k);
      }
    }
    const label = labelTensor?.kind === "tensor" ? labelAt(labelTensor.tensor, i) : bestKey;
    result.push(create(ClassificationSchema, { label, probabilities, confidence: probabilities[label] ?? (best === -Infinity ? 0 : best) }));
  }
  return result;
}

/** The tensor outputs only (sequence-of-maps outputs travel as classifications), filtered by name. */
export function encodeOutputs(outputs: Record<string, OutputValue>, names: readonly string[], raw = false): InferTensor[] {
  const out: InferTensor[] = [];
  for (const [name, o] of Object.entries(outputs)) {
    if (o.kind !== "tensor" || (names.length > 0 && !names.includes(name))) continue;
    out.push(encodeTensor(o.tensor, raw));
  }
  return out;
}

/** Whether a request sent its tensors as raw bytes (then its answer does too). */
export function usesRawContents(tensors: readonly InferTensor[]): boolean {
  return tensors.length > 0 && tensors.every((t) => t.contents.case === "rawContents");
}

/** Row `i` of every tensor output (the batch dimension removed). */
export function sliceRow(outputs: Record<string, OutputValue>, i: number, rows: number): Record<string, OutputValue> {
  const result: Record<string, OutputValue> = {};
  for (const [name, o] of Object.entries(outputs)) {
    if (o.kind === "sequence_of_maps") {
      result[name] = { kind: "sequence_of_maps", name: o.name, maps: [o.maps[i]!] };
      continue;
    }
    const t = o.tensor;
    const per = rows === 0 ? 0 : t.data.length / rows;
    const data = t.dataType === "string" ? t.data.slice(i * per, (i + 1) * per) : (t.data as Float32Array).subarray(i * per, (i + 1) * per);
    result[name] = { kind: "tensor", tensor: { name: t.name, dataType: t.dataType, shape: t.shape.slice(1), data } as TensorData };
  }
  return result;
}
