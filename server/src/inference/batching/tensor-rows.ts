import { elementCount, type OutputValue, type TensorData } from "../tensor.js";

/**
 * Stacks same-named, same-typed tensors along dimension 0. Every part must have the first part's
 * data type and non-batch dimensions (the batcher only groups such requests).
 */
export function concatRows(parts: readonly TensorData[]): TensorData {
  const first = parts[0];
  if (first === undefined) {
    throw new RangeError("concatRows needs at least one tensor");
  }
  let rows = 0;
  for (const p of parts) rows += p.shape[0] ?? 0;
  const shape = [rows, ...first.shape.slice(1)];
  const { name } = first;
  switch (first.dataType) {
    case "string": {
      const data: string[] = [];
      for (const p of parts) for (const s of p.data as readonly string[]) data.push(s);
      return { name, dataType: "string", shape, data };
    }
    case "float32":
      return { name, dataType: "float32", shape, data: stack(new Float32Array(elementCount(shape)), parts) };
    case "float64":
      return { name, dataType: "float64", shape, data: stack(new Float64Array(elementCount(shape)), parts) };
    case "int32":
      return { name, dataType: "int32", shape, data: stack(new Int32Array(elementCount(shape)), parts) };
    case "int64":
      return { name, dataType: "int64", shape, data: stack(new BigInt64Array(elementCount(shape)), parts) };
    case "bool":
      return { name, dataType: "bool", shape, data: stack(new Uint8Array(elementCount(shape)), parts) };
  }
}

function stack<A extends Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array>(target: A, parts: readonly TensorData[]): A {
  let offset = 0;
  for (const p of parts) {
    const data = p.data as A;
    // Typed-array `set` of the same element type is a memcpy.
    (target as { set(source: A, offset: number): void }).set(data, offset);
    offset += data.length;
  }
  return target;
}

/** Thrown when an output cannot be cut back into per-request rows. */
export class RowSplitError extends Error {
  override name = "RowSplitError";
}

/**
 * Cuts a batched run's outputs back into one result per request, `rowCounts[i]` rows each, along
 * dimension 0. Throws `RowSplitError` when an output is not row-aligned with the batch (a scalar,
 * or a first dimension other than the total row count), as for models that aggregate over rows.
 */
export function splitRows(outputs: Record<string, OutputValue>, rowCounts: readonly number[]): Record<string, OutputValue>[] {
  let total = 0;
  for (const r of rowCounts) total += r;
  const results = rowCounts.map(() => ({}) as Record<string, OutputValue>);
  for (const [key, value] of Object.entries(outputs)) {
    if (value.kind === "sequence_of_maps") {
      if (value.maps.length !== total) {
        throw new RowSplitError(`output ${key} has ${value.maps.length} maps for ${total} rows`);
      }
      let start = 0;
      rowCounts.forEach((rows, i) => {
        (results[i] as Record<string, OutputValue>)[key] = { kind: "sequence_of_maps", name: value.name, maps: value.maps.slice(start, start + rows) };
        start += rows;
      });
      continue;
    }
    const t = value.tensor;
    if (t.shape.length === 0 || t.shape[0] !== total) {
      throw new RowSplitError(`output ${key} has shape [${t.shape.join(", ")}], not ${total} rows`);
    }
    const rowSize = elementCount(t.shape.slice(1));
    let start = 0;
    rowCounts.forEach((rows, i) => {
      (results[i] as Record<string, OutputValue>)[key] = { kind: "tensor", tensor: sliceRows(t, start, rows, rowSize) };
      start += rows;
    });
  }
  return results;
}

function sliceRows(t: TensorData, startRow: number, rows: number, rowSize: number): TensorData {
  const from = startRow * rowSize;
  const to = from + rows * rowSize;
  const shape = [rows, ...t.shape.slice(1)];
  // Copies rather than views: each caller then owns a compact buffer it can hand to serializers that
  // read `.buffer` directly, and one caller's result does not pin the whole batch in memory.
  switch (t.dataType) {
    case "string":
      return { name: t.name, dataType: "string", shape, data: t.data.slice(from, to) };
    case "float32":
      return { name: t.name, dataType: "float32", shape, data: t.data.slice(from, to) };
    case "float64":
      return { name: t.name, dataType: "float64", shape, data: t.data.slice(from, to) };
    case "int32":
      return { name: t.name, dataType: "int32", shape, data: t.data.slice(from, to) };
    case "int64":
      return { name: t.name, dataType: "int64", shape, data: t.data.slice(from, to) };
    case "bool":
      return { name: t.name, dataType: "bool", shape, data: t.data.slice(from, to) };
  }
}
