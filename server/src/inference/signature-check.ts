import type { ModelSignatureInfo, TensorInfo } from "../registry/index.js";
import { invalidInput } from "./inference.errors.js";
import { elementCount, isServable, type TensorData } from "./tensor.js";
import { concatRows } from "./batching/tensor-rows.js";

/** Renders a shape for messages: [-1, 4] shows the dynamic dimension as "N". */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.map((d) => (d < 0 ? "N" : String(d))).join(", ")}]`;
}

/**
 * Checks named inputs against a model's signature before the runtime sees them: every input known
 * and present once, the element type as declared, the rank and every fixed dimension as declared,
 * and the data length equal to the shape's element count. `batchDim` says whether the tensors carry
 * the batch dimension (columnar requests) or are single rows (then the signature's first dimension
 * is dropped). Throws INVALID_ARGUMENT naming the input with the expected and given type or shape.
 */
export function checkInputs(
  inputs: readonly TensorData[],
  signature: ModelSignatureInfo,
  field: string,
  batchDim: boolean,
): void {
  const expected = new Map(signature.inputs.map((i) => [i.name, i]));
  const seen = new Set<string>();
  inputs.forEach((t, k) => {
    const at = `${field}[${k}]`;
    const spec = expected.get(t.name);
    if (!spec) {
      throw invalidInput(at, t.name, `the model has no such input; its inputs are ${[...expected.keys()].join(", ")}`);
    }
    if (seen.has(t.name)) throw invalidInput(at, t.name, "is given more than once");
    seen.add(t.name);
    checkOne(t, spec, at, batchDim);
  });
  for (const name of expected.keys()) {
    if (!seen.has(name)) throw invalidInput(field, name, "is required by the model but missing");
  }
}

function checkOne(t: TensorData, spec: TensorInfo, at: string, batchDim: boolean): void {
  if (spec.kind !== "tensor") throw invalidInput(at, t.name, `is a ${spec.kind} input, which the platform cannot feed`);
  if (!isServable(spec.dataType)) throw invalidInput(at, t.name, `has element type ${spec.dataType}, which the platform cannot feed`);
  if (t.dataType !== spec.dataType) throw invalidInput(`${at}.data_type`, t.name, `expected ${spec.dataType}, given ${t.dataType}`);
  const declared = batchDim ? spec.shape : spec.shape.slice(1);
  const shapeOk = t.shape.length === declared.length && declared.every((d, i) => d < 0 || d === t.shape[i]);
  if (!shapeOk) {
    throw invalidInput(`${at}.shape`, t.name, `expected shape ${formatShape(declared)}${batchDim ? "" : " per row"}, given ${formatShape(t.shape)}`);
  }
  const n = elementCount(t.shape);
  if (t.data.length !== n) throw invalidInput(at, t.name, `shape ${formatShape(t.shape)} holds ${n} elements but ${t.data.length} were given`);
}

/** Rows in a columnar request: the first dimension shared by all inputs. */
export function batchRows(inputs: readonly TensorData[], field: string): number {
  const rows = inputs[0]?.shape[0];
  if (rows === undefined) throw invalidInput(field, inputs[0]?.name ?? "", "must have a batch dimension");
  for (const t of inputs) {
    if (t.shape[0] !== rows) throw invalidInput(field, t.name, `has ${t.shape[0]} rows where ${inputs[0]!.name} has ${rows}`);
  }
  return rows;
}

/** Stacks single-row tensors of each input into one batch: shape [n, ...row shape]. */
export function stackRows(rows: readonly (readonly TensorData[])[]): TensorData[] {
  const first = rows[0];
  if (!first) return [];
  return first.map((t0) =>
    concatRows(rows.map((r) => {
      const t = r.find((x) => x.name === t0.name)!;
      return { ...t, shape: [1, ...t.shape] } as TensorData;
    })),
  );
}
