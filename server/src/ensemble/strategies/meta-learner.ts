/**
 * Meta-learner (MetaLearnerConfig): the input tensor of the ONNX meta model, and the decoding of
 * its output into an ensemble answer. Running the model is the runtime's job (onnxruntime lives in
 * the inference folder); these functions only lay out and read plain arrays.
 *
 * Input: float32 `[rows, members × width]`, the members' outputs concatenated in member order
 * (width = number of classes in the ensemble's class order, or 1 for regression). A member that did
 * not answer gets, in each row, the mean of the outputs of the members that did (per class).
 */
import {
  EnsembleStrategyError,
  alignProbabilities,
  answeredBatch,
  classificationAnswer,
  participation,
  regressionAnswer,
  type CombinedAnswer,
  type MemberAnswer,
} from "./common.js";

/** The meta model's input tensor: row-major data and its dims. */
export interface MetaLearnerInput {
  /** Row-major `rows × (members × width)` values. */
  readonly data: Float32Array;
  /** `[rows, members × width]`. */
  readonly dims: readonly [number, number];
  /** Columns per member: the number of classes, or 1. */
  readonly width: number;
}

/**
 * Builds the meta model's input from a batch (see the module comment). Members are the entries of
 * `answers`, in order, failures included (their slots hold the mean of the answering members).
 *
 * @param classes the ensemble's class order for classification (a member's missing label = 0);
 *   null for regression.
 * @throws EnsembleStrategyError `NO_ANSWERS` when no member answered, `UNSUPPORTED_TASK` when the
 *   members' task does not match `classes`, `SHAPE_MISMATCH` when a member reports a label outside
 *   `classes` (the meta model has no slot for it), plus those of `answeredBatch`.
 */
export function metaLearnerInput(answers: readonly MemberAnswer[], classes: readonly string[] | null): MetaLearnerInput {
  const batch = answeredBatch(answers);
  const rows = batch.rows;
  const m = answers.length;
  let width: number;
  // Per member, its row-major rows × width block, or null when it did not answer.
  const blocks: (Float64Array | null)[] = new Array<Float64Array | null>(m).fill(null);
  if (batch.task === "classification") {
    if (classes === null || classes.length === 0) {
      throw new EnsembleStrategyError("UNSUPPORTED_TASK", "classifier members need the ensemble's class list");
    }
    width = classes.length;
    for (const e of batch.entries) blocks[e.index] = alignProbabilities(e.output, classes, e.member);
  } else {
    if (classes !== null) throw new EnsembleStrategyError("UNSUPPORTED_TASK", "regression members take no class list");
    width = 1;
    for (const e of batch.entries) blocks[e.index] = e.output.values;
  }
  const cols = m * width;
  const data = new Float32Array(rows * cols);
  const present = batch.entries.length;
  const mean = new Float64Array(width);
  for (let r = 0; r < rows; r++) {
    mean.fill(0);
    for (const b of blocks) if (b !== null) for (let k = 0; k < width; k++) mean[k]! += b[r * width + k]!;
    for (let k = 0; k < width; k++) mean[k]! /= present;
    for (let j = 0; j < m; j++) {
      const b = blocks[j];
      const at = r * cols + j * width;
      for (let k = 0; k < width; k++) data[at + k] = b != null ? b[r * width + k]! : mean[k]!;
    }
  }
  return { data, dims: [rows, cols], width };
}

/**
 * Reads the meta model's output as the ensemble's answer: `rows × classes.length` probabilities
 * in the ensemble's class order (label = argmax, confidence = its probability; taken as the model
 * gives them, not renormalised) or `rows` values for regression. Who answered/failed comes from
 * `answers`.
 *
 * @param output the meta model's output, row-major (any numeric array).
 * @param classes the ensemble's class order; null for regression.
 * @throws EnsembleStrategyError `SHAPE_MISMATCH` when the output length is not rows × width.
 */
export function metaLearnerOutput(
  answers: readonly MemberAnswer[],
  output: ArrayLike<number>,
  classes: readonly string[] | null,
): CombinedAnswer {
  const batch = answeredBatch(answers);
  const rows = batch.rows;
  const width = classes === null ? 1 : classes.length;
  if (output.length !== rows * width) {
    throw new EnsembleStrategyError("SHAPE_MISMATCH", `meta model returned ${output.length} values, expected ${rows} × ${width}`);
  }
  const values = Float64Array.from(output);
  const part = participation(answers);
  return classes === null ? regressionAnswer(part, values) : classificationAnswer(part, rows, classes, values);
}
