import type { DataTypeName } from "../registry/onnx-signature.js";

/**
 * A dense tensor in the inference domain, independent of any wire format or runtime. Data is
 * row-major. Booleans are one byte each (0 or 1). Shapes are concrete: no -1.
 */
export type TensorData =
  | { readonly name: string; readonly dataType: "float32"; readonly shape: readonly number[]; readonly data: Float32Array }
  | { readonly name: string; readonly dataType: "float64"; readonly shape: readonly number[]; readonly data: Float64Array }
  | { readonly name: string; readonly dataType: "int32"; readonly shape: readonly number[]; readonly data: Int32Array }
  | { readonly name: string; readonly dataType: "int64"; readonly shape: readonly number[]; readonly data: BigInt64Array }
  | { readonly name: string; readonly dataType: "bool"; readonly shape: readonly number[]; readonly data: Uint8Array }
  | { readonly name: string; readonly dataType: "string"; readonly shape: readonly number[]; readonly data: readonly string[] };

/** The element types a prediction request may carry. */
export type ServableDataType = TensorData["dataType"];

export const SERVABLE_DATA_TYPES: readonly ServableDataType[] = ["float32", "float64", "int32", "int64", "bool", "string"];

export function isServable(t: DataTypeName): t is ServableDataType {
  return (SERVABLE_DATA_TYPES as readonly string[]).includes(t);
}

/**
 * One output of a model run: a dense tensor, or the per-row maps that classifier converters such as
 * skl2onnx emit for class probabilities (one map of class → probability per row).
 */
export type OutputValue =
  | { readonly kind: "tensor"; readonly tensor: TensorData }
  | { readonly kind: "sequence_of_maps"; readonly name: string; readonly maps: readonly ReadonlyMap<string | bigint, number>[] };

/** Number of elements of a shape. */
export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}
