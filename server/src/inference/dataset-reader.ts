import { create } from "@bufbuild/protobuf";
import type { EntityManager } from "@mikro-orm/core";
import { InferTensorSchema, type InferTensor } from "@artenic/gen/artenic/inference/v1/infer_tensor_pb";
import { PredictRowSchema, type PredictRow } from "@artenic/gen/artenic/inference/v1/inference_service_pb";
import { DataType } from "@artenic/gen/artenic/type/v1/tensor_pb";
import { getModelVersion, parseVersionName, type ArtifactStore, type ModelSignatureInfo, type TensorInfo } from "../registry/index.js";
import { AppError, invalidField } from "../platform/errors/app-error.js";

/** Longest accepted dataset line; longer ones fail their row instead of growing memory. */
const MAX_LINE_BYTES = 4 * 1024 * 1024;

/** A row that could not be parsed: it travels as a row whose input cannot be decoded. */
function brokenRow(sequence: number, message: string): PredictRow {
  return create(PredictRowSchema, {
    sequence: BigInt(sequence),
    inputs: [create(InferTensorSchema, { name: `line ${sequence + 1}: ${message}`.slice(0, 250), contents: { case: undefined } })],
  });
}

function flatten(value: unknown, shape: number[], depth: number, out: unknown[]): void {
  if (Array.isArray(value)) {
    if (shape.length <= depth) shape.push(value.length);
    else if (shape[depth] !== value.length) throw new Error("ragged array");
    for (const v of value) flatten(v, shape, depth + 1, out);
  } else {
    if (shape.length !== depth) throw new Error("ragged array");
    out.push(value);
  }
}

function tensorOf(spec: TensorInfo, value: unknown, shapeHint?: number[]): InferTensor {
  const shape: number[] = [];
  const flat: unknown[] = [];
  flatten(value, shape, 0, flat);
  const dims = (shapeHint ?? shape).map(BigInt);
  const nums = () => flat.map((v) => {
    if (typeof v !== "number" && typeof v !== "boolean") throw new Error(`"${String(v)}" is not a number`);
    return Number(v);
  });
  switch (spec.dataType) {
    case "float32":
      return create(InferTensorSchema, { name: spec.name, dataType: DataType.FLOAT32, shape: dims, contents: { case: "floatValues", value: { values: nums() } } });
    case "float64":
      return create(InferTensorSchema, { name: spec.name, dataType: DataType.FLOAT64, shape: dims, contents: { case: "doubleValues", value: { values: nums() } } });
    case "int32":
      return create(InferTensorSchema, { name: spec.name, dataType: DataType.INT32, shape: dims, contents: { case: "int32Values", value: { values: nums().map(Math.trunc) } } });
    case "int64":
      return create(InferTensorSchema, { name: spec.name, dataType: DataType.INT64, shape: dims, contents: { case: "int64Values", value: { values: nums().map((n) => BigInt(Math.trunc(n))) } } });
    case "bool":
      return create(InferTensorSchema, { name: spec.name, dataType: DataType.BOOL, shape: dims, contents: { case: "boolValues", value: { values: flat.map(Boolean) } } });
    case "string":
      return create(InferTensorSchema, { name: spec.name, dataType: DataType.STRING, shape: dims, contents: { case: "stringValues", value: { values: flat.map(String) } } });
    default:
      throw new Error(`input ${spec.name} has element type ${spec.dataType}, which datasets cannot feed`);
  }
}

/**
 * Reads a dataset stored as a registry artifact (`artifacts://models/{model}/versions/{version}`)
 * line by line, streaming, and yields rows in groups of `perMessage`. JSONL lines map input names
 * to (nested) arrays or scalars; CSV lines (optional header) feed a model with one input, the
 * columns forming the row. A line that cannot be read becomes a row that fails with its reason.
 */
export async function* datasetRows(
  em: EntityManager,
  store: ArtifactStore,
  uri: string,
  format: "jsonl" | "csv",
  signature: ModelSignatureInfo,
  perMessage: number,
  signal: AbortSignal,
): AsyncGenerator<PredictRow[]> {
  const m = /^artifacts:\/\/(models\/.+)$/.exec(uri);
  if (!m) throw invalidField("dataset.uri", "must name a registry artifact: artifacts://models/{model}/versions/{version}");
  const { modelId, number } = parseVersionName(m[1]!, "dataset.uri");
  const version = await getModelVersion(em, modelId, number);
  if (version.artifactUri === "" || version.artifactExternal || !store.owns(version.artifactUri)) {
    throw new AppError("failed_precondition", "DATASET_NOT_STORED", `${m[1]} has no artifact stored in the platform.`, { name: m[1]! });
  }
  if (format === "csv" && signature.inputs.length !== 1) {
    throw invalidField("dataset.format", `CSV feeds models with one input; this model has ${signature.inputs.length}`);
  }
  const decoder = new TextDecoder();
  let pending = "";
  let sequence = 0;
  let batch: PredictRow[] = [];
  let header: boolean | undefined;

  const parseLine = (line: string): PredictRow | undefined => {
    if (line.trim() === "") return undefined;
    const seq = sequence++;
    try {
      if (format === "jsonl") {
        const obj = JSON.parse(line) as Record<string, unknown>;
        if (obj === null || typeof obj !== "object" || Array.isArray(obj)) throw new Error("a line must be a JSON object of input name to values");
        const inputs = signature.inputs.filter((s) => s.name in obj).map((s) => tensorOf(s, obj[s.name]));
        return create(PredictRowSchema, { sequence: BigInt(seq), inputs });
      }
      const cells = line.split(",").map((c) => c.trim());
      const spec = signature.inputs[0]!;
      if (header === undefined) {
        header = spec.dataType !== "string" && cells.some((c) => c !== "" && Number.isNaN(Number(c)));
        if (header) {
          sequence--;
          return undefined;
        }
      }
      const values = spec.dataType === "string" ? cells : cells.map((c) => (c === "" ? NaN : Number(c)));
      const rowShape = spec.shape.slice(1);
      return create(PredictRowSchema, { sequence: BigInt(seq), inputs: [tensorOf(spec, values, rowShape.length === 0 ? [] : [values.length])] });
    } catch (e) {
      return brokenRow(seq, e instanceof Error ? e.message : "unreadable line");
    }
  };

  for await (const chunk of store.read(version.artifactUri, 1024 * 1024, signal)) {
    pending += decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = pending.indexOf("\n")) >= 0) {
      const row = parseLine(pending.slice(0, nl));
      pending = pending.slice(nl + 1);
      if (row) batch.push(row);
      if (batch.length >= perMessage) {
        yield batch;
        batch = [];
      }
    }
    if (pending.length > MAX_LINE_BYTES) {
      batch.push(brokenRow(sequence++, `longer than ${MAX_LINE_BYTES} bytes`));
      pending = "";
    }
  }
  const last = parseLine(pending + decoder.decode());
  if (last) batch.push(last);
  if (batch.length > 0) yield batch;
}
