import ort from "onnxruntime-node";
import { elementCount, type OutputValue, type TensorData } from "../../tensor.js";
import type { UnzippedOutput } from "./zipmap-rewrite.js";

/**
 * Wraps a domain tensor as an ONNX Runtime tensor without copying: ORT reads the typed array
 * (offset included) in place, and booleans already have ORT's one-byte layout.
 */
export function toOrtTensor(t: TensorData): ort.Tensor {
  switch (t.dataType) {
    case "string":
      return new ort.Tensor("string", t.data, t.shape);
    case "bool":
      return new ort.Tensor("bool", t.data, t.shape);
    case "int64":
      return new ort.Tensor("int64", t.data, t.shape);
    case "float32":
      return new ort.Tensor("float32", t.data, t.shape);
    case "float64":
      return new ort.Tensor("float64", t.data, t.shape);
    case "int32":
      return new ort.Tensor("int32", t.data, t.shape);
  }
}

/** Thrown for an output whose element type the platform's tensors cannot carry. */
export class UnsupportedOutputTypeError extends Error {
  override name = "UnsupportedOutputTypeError";
  constructor(
    readonly output: string,
    readonly dataType: string,
  ) {
    super(`output ${output} has element type ${dataType}, which the platform cannot return`);
  }
}

/**
 * Converts one output of `session.run` into the domain's value. ORT hands back freshly allocated
 * typed arrays that nothing else references, so they are kept as they are. Narrow integer types are
 * widened losslessly to int32/int64; float16 and uint64 have no exact domain type and are refused.
 */
export function fromOrtTensor(name: string, t: ort.Tensor, unzipped: UnzippedOutput | undefined): OutputValue {
  const shape = t.dims;
  if (unzipped !== undefined && t.type === "float32" && shape.length === 2 && shape[1] === unzipped.keys.length) {
    return { kind: "sequence_of_maps", name, maps: zip(t.data as Float32Array, unzipped.keys) };
  }
  return { kind: "tensor", tensor: tensorData(name, t) };
}

function tensorData(name: string, t: ort.Tensor): TensorData {
  const shape = t.dims;
  const data = t.data;
  switch (t.type) {
    case "float32":
      return { name, dataType: "float32", shape, data: data as Float32Array };
    case "float64":
      return { name, dataType: "float64", shape, data: data as Float64Array };
    case "int32":
      return { name, dataType: "int32", shape, data: data as Int32Array };
    case "int64":
      return { name, dataType: "int64", shape, data: data as BigInt64Array };
    case "bool":
      return { name, dataType: "bool", shape, data: data as Uint8Array };
    case "string":
      return { name, dataType: "string", shape, data: data as string[] };
    case "int8":
    case "uint8":
    case "int16":
    case "uint16":
      return { name, dataType: "int32", shape, data: Int32Array.from(data as Int8Array | Uint8Array | Int16Array | Uint16Array) };
    case "uint32": {
      const source = data as Uint32Array;
      const widened = new BigInt64Array(elementCount(shape));
      for (let i = 0; i < widened.length; i++) widened[i] = BigInt(source[i] ?? 0);
      return { name, dataType: "int64", shape, data: widened };
    }
    default:
      throw new UnsupportedOutputTypeError(name, t.type);
  }
}

function zip(probabilities: Float32Array, keys: readonly bigint[] | readonly string[]): ReadonlyMap<string | bigint, number>[] {
  const columns = keys.length;
  const rows = columns === 0 ? 0 : probabilities.length / columns;
  const maps = new Array<ReadonlyMap<string | bigint, number>>(rows);
  for (let r = 0; r < rows; r++) {
    const map = new Map<string | bigint, number>();
    const base = r * columns;
    for (let c = 0; c < columns; c++) map.set(keys[c] as string | bigint, probabilities[base + c] as number);
    maps[r] = map;
  }
  return maps;
}

/** A tensor of zeros (empty strings for strings) of an ORT element type, for the warm-up run. */
export function zeroOrtTensor(type: string, shape: readonly number[]): ort.Tensor {
  const n = elementCount(shape);
  switch (type) {
    case "string":
      return new ort.Tensor("string", new Array<string>(n).fill(""), shape);
    case "bool":
      return new ort.Tensor("bool", new Uint8Array(n), shape);
    case "int64":
      return new ort.Tensor("int64", new BigInt64Array(n), shape);
    case "uint64":
      return new ort.Tensor("uint64", new BigUint64Array(n), shape);
    case "float32":
      return new ort.Tensor("float32", new Float32Array(n), shape);
    case "float64":
      return new ort.Tensor("float64", new Float64Array(n), shape);
    case "int32":
      return new ort.Tensor("int32", new Int32Array(n), shape);
    case "uint32":
      return new ort.Tensor("uint32", new Uint32Array(n), shape);
    case "int16":
      return new ort.Tensor("int16", new Int16Array(n), shape);
    case "uint16":
      return new ort.Tensor("uint16", new Uint16Array(n), shape);
    case "float16":
      // Zero is all-zero bits in IEEE half precision too, so raw 16-bit words need no conversion.
      return new ort.Tensor("float16", new Uint16Array(n), shape);
    case "int8":
      return new ort.Tensor("int8", new Int8Array(n), shape);
    case "uint8":
      return new ort.Tensor("uint8", new Uint8Array(n), shape);
    default:
      throw new Error(`there is no zero value for element type ${type}`);
  }
}
