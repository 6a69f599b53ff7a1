/**
 * Between the inference domain's outputs (named tensors and per-row probability maps, as ONNX
 * Runtime returns them) and the strategies' member answers (probability matrices or values), both
 * ways.
 */
import type { EnsembleRunner, EnsembleRunResult } from "../inference/index.js";
import type { ModelSignatureInfo, TensorInfo } from "../registry/index.js";
import type { CombinedAnswer, EnsembleTask, MemberOutput } from "./strategies/index.js";

/** One output of a model run, as the inference domain gives it. */
export type OutputValue = EnsembleRunResult["outputs"][string];
/** One input tensor, as the inference domain gives it. */
export type TensorData = Parameters<EnsembleRunner["run"]>[0][number];

const isFloat = (t: TensorData) => t.dataType === "float32" || t.dataType === "float64";
const isLabel = (t: TensorData) => t.dataType === "int64" || t.dataType === "int32" || t.dataType === "string";

/**
 * A member's answer for a batch of `rows`:
 * - classification: the per-row probability maps (skl2onnx's ZipMap) aligned by label; without
 *   maps, a float [rows, classes] tensor with labels "0".."classes-1"; without either, the label
 *   tensor as one-hot probabilities;
 * - regression: the first real-valued tensor, one value per row (its first column).
 * @throws Error naming what is missing when the outputs do not fit the task.
 */
export function memberOutputOf(outputs: Record<string, OutputValue>, rows: number, task: EnsembleTask): MemberOutput {
  const values = Object.values(outputs);
  if (task === "regression") {
    const t = values.find((o) => o.kind === "tensor" && isFloat(o.tensor));
    if (!t || t.kind !== "tensor") throw new Error("no real-valued output");
    const data = t.tensor.data as Float32Array | Float64Array;
    const per = rows === 0 ? 0 : data.length / rows;
    if (!Number.isInteger(per) || per < 1) throw new Error(`output ${t.tensor.name} holds ${data.length} values for ${rows} rows`);
    const out = new Float64Array(rows);
    for (let r = 0; r < rows; r++) out[r] = data[r * per]!;
    return { kind: "regression", values: out };
  }
  const maps = values.find((o) => o.kind === "sequence_of_maps");
  if (maps && maps.kind === "sequence_of_maps") {
    if (maps.maps.length !== rows) throw new Error(`probabilities hold ${maps.maps.length} rows, not ${rows}`);
    const classes: string[] = [];
    const index = new Map<string, number>();
    for (const row of maps.maps) {
      for (const k of row.keys()) {
        const label = String(k);
        if (!index.has(label)) {
          index.set(label, classes.length);
          classes.push(label);
        }
      }
    }
    const c = classes.length;
    const probabilities = new Float64Array(rows * c);
    maps.maps.forEach((row, r) => {
      for (const [k, p] of row) probabilities[r * c + index.get(String(k))!] = p;
    });
    return { kind: "classification", classes, probabilities };
  }
  const matrix = values.find((o) => o.kind === "tensor" && isFloat(o.tensor) && o.tensor.shape.length === 2 && o.tensor.shape[0] === rows);
  if (matrix && matrix.kind === "tensor") {
    const c = matrix.tensor.shape[1]!;
    return { kind: "classification", classes: Array.from({ length: c }, (_, j) => String(j)), probabilities: Float64Array.from(matrix.tensor.data as Float32Array) };
  }
  const labels = values.find((o) => o.kind === "tensor" && isLabel(o.tensor));
  if (labels && labels.kind === "tensor") {
    const data = labels.tensor.data as ArrayLike<unknown>;
    if (data.length !== rows) throw new Error(`labels hold ${data.length} values for ${rows} rows`);
    const per = Array.from({ length: rows }, (_, r) => String(data[r]));
    const classes = [...new Set(per)];
    const probabilities = new Float64Array(rows * classes.length);
    per.forEach((l, r) => (probabilities[r * classes.length + classes.indexOf(l)] = 1));
    return { kind: "classification", classes, probabilities };
  }
  throw new Error("no class probabilities or labels in the outputs");
}

/**
 * The ensemble's answer in the form a single model's outputs take, so every predict path encodes
 * it unchanged: classification → `label` (string tensor [rows]) and `probabilities` (one map of
 * class → probability per row); regression → a float32 tensor [rows, 1] named `valueName`.
 */
export function outputsOf(answer: CombinedAnswer, valueName: string): Record<string, OutputValue> {
  if (answer.kind === "regression") {
    return { [valueName]: { kind: "tensor", tensor: { name: valueName, dataType: "float32", shape: [answer.rows, 1], data: Float32Array.from(answer.values) } } };
  }
  const c = answer.classes.length;
  const maps = Array.from({ length: answer.rows }, (_, r) => {
    const m = new Map<string, number>();
    answer.classes.forEach((label, j) => m.set(label, answer.probabilities[r * c + j]!));
    return m;
  });
  return {
    label: { kind: "tensor", tensor: { name: "label", dataType: "string", shape: [answer.rows], data: [...answer.labels] } },
    probabilities: { kind: "sequence_of_maps", name: "probabilities", maps },
  };
}

/** The name of the regression output: the first member's first real-valued tensor output. */
export function valueOutputName(signature: ModelSignatureInfo): string {
  return signature.outputs.find((o) => o.kind === "tensor" && (o.dataType === "float32" || o.dataType === "float64"))?.name ?? "value";
}

/** The signature an ensemble serves: the members' inputs, and the outputs of {@link outputsOf}. */
export function ensembleSignature(first: ModelSignatureInfo, task: EnsembleTask): ModelSignatureInfo {
  const outputs: TensorInfo[] =
    task === "classification"
      ? [
          { name: "label", dataType: "string", shape: [-1], dimNames: ["batch"], kind: "tensor" },
          { name: "probabilities", dataType: "float32", shape: [], dimNames: [], kind: "sequence_of_maps", keyType: "string" },
        ]
      : [{ name: valueOutputName(first), dataType: "float32", shape: [-1, 1], dimNames: ["batch", ""], kind: "tensor" }];
  return { ...first, outputs };
}
