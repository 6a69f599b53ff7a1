import { create } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { StatusSchema, type Status } from "@artenic/gen/google/rpc/status_pb";
import { ColumnPredictionSchema, RowPredictionSchema, type ColumnPrediction, type PredictRow, type RowPrediction } from "@artenic/gen/artenic/inference/v1/inference_service_pb";
import type { InferTensor } from "@artenic/gen/artenic/inference/v1/infer_tensor_pb";
import { invalidField } from "../platform/errors/app-error.js";
import { toConnectError } from "../platform/errors/to-connect-error.js";
import type { Route } from "./model-router.js";
import { batchRows, checkInputs, stackRows } from "./signature-check.js";
import { classificationsOf, decodeTensor, encodeOutputs, sliceRow, usesRawContents } from "./tensor.mapper.js";
import { rowPredictionId } from "./prediction-id.js";
import type { OutputValue, TensorData } from "./tensor.js";

const OK: Status = create(StatusSchema, { code: 0, message: "" });

/** A google.rpc.Status for a row that failed; unexpected errors say only "internal error". */
export function statusOf(error: unknown): Status {
  const e = toConnectError(error);
  return create(StatusSchema, e ? { code: e.code, message: e.rawMessage } : { code: Code.Internal, message: "internal error" });
}

export interface RowOutcome {
  readonly result: RowPrediction;
  /** Top-class probability, for classifiers; NaN otherwise. */
  readonly confidence: number;
  readonly ok: boolean;
}

/** Largest run made of stacked rows; bigger inputs are cut into several runs. */
const MAX_STACKED_ROWS = 1024;

/**
 * Predicts rows each on its own terms: every row is decoded and checked alone (a bad row gets its
 * own status and never fails the others), valid rows are stacked into runs, and if a run fails its
 * rows are retried one by one so that only the rows at fault fail. Results come back in row order.
 */
export async function predictRows(
  route: Route,
  rows: readonly PredictRow[],
  firstIndex: number,
  callId: string,
  outputNames: readonly string[],
): Promise<RowOutcome[]> {
  const outcomes = new Array<RowOutcome>(rows.length);
  const valid: { at: number; inputs: TensorData[] }[] = [];
  rows.forEach((row, at) => {
    try {
      const inputs = row.inputs.map((t, j) => decodeTensor(t, `rows[${firstIndex + at}].inputs[${j}]`));
      checkInputs(inputs, route.signature, `rows[${firstIndex + at}].inputs`, false);
      valid.push({ at, inputs });
    } catch (e) {
      outcomes[at] = failed(firstIndex + at, row.sequence, e);
    }
  });
  for (let from = 0; from < valid.length; from += MAX_STACKED_ROWS) {
    const chunk = valid.slice(from, from + MAX_STACKED_ROWS);
    let outputs: Record<string, OutputValue> | undefined;
    try {
      outputs = await route.runDirect(stackRows(chunk.map((c) => c.inputs)));
    } catch {
      outputs = undefined;
    }
    if (outputs) {
      chunk.forEach((c, k) => (outcomes[c.at] = succeeded(route, rows[c.at]!, firstIndex + c.at, callId, outputNames, sliceRow(outputs, k, chunk.length))));
      continue;
    }
    for (const c of chunk) {
      try {
        const single = await route.runDirect(stackRows([c.inputs]));
        outcomes[c.at] = succeeded(route, rows[c.at]!, firstIndex + c.at, callId, outputNames, sliceRow(single, 0, 1));
      } catch (e) {
        outcomes[c.at] = failed(firstIndex + c.at, rows[c.at]!.sequence, e);
      }
    }
  }
  return outcomes;
}

function succeeded(route: Route, row: PredictRow, index: number, callId: string, outputNames: readonly string[], outputs: Record<string, OutputValue>): RowOutcome {
  const classification = classificationsOf(outputs, 1)[0];
  return {
    ok: true,
    confidence: classification ? classification.confidence : NaN,
    result: create(RowPredictionSchema, {
      index: BigInt(index),
      sequence: row.sequence,
      status: OK,
      predictionId: rowPredictionId(callId, index),
      modelVersion: route.modelVersion,
      outputs: encodeOutputs(outputs, outputNames, usesRawContents(row.inputs)),
      classification,
    }),
  };
}

function failed(index: number, sequence: bigint, error: unknown): RowOutcome {
  return { ok: false, confidence: NaN, result: create(RowPredictionSchema, { index: BigInt(index), sequence, status: statusOf(error) }) };
}

/** The result of a message sent as columns: one columnar answer, or per-row results. */
export interface ColumnsOutcome {
  readonly rows: number;
  readonly columns?: ColumnPrediction;
  readonly results: RowOutcome[];
}

/** Row `i` of columnar inputs, keeping a batch dimension of 1. */
function rowOf(inputs: readonly TensorData[], i: number, rows: number): TensorData[] {
  return inputs.map((t) => {
    const per = t.data.length / rows;
    const data = t.dataType === "string" ? t.data.slice(i * per, (i + 1) * per) : (t.data as Float32Array).subarray(i * per, (i + 1) * per);
    return { name: t.name, dataType: t.dataType, shape: [1, ...t.shape.slice(1)], data } as TensorData;
  });
}

/**
 * Predicts a message sent as columns in one run. When its inputs are invalid every row fails with
 * that reason; when the run fails, the rows are run one by one so that only the rows at fault fail.
 */
export async function predictColumns(
  route: Route,
  tensors: readonly InferTensor[],
  firstIndex: number,
  callId: string,
  outputNames: readonly string[],
): Promise<ColumnsOutcome> {
  let inputs: TensorData[];
  let rows: number;
  try {
    inputs = tensors.map((t, j) => decodeTensor(t, `columns.inputs[${j}]`));
    checkInputs(inputs, route.signature, "columns.inputs", true);
    rows = batchRows(inputs, "columns.inputs");
    if (rows < 1 || rows > MAX_COLUMN_ROWS) throw invalidField("columns.inputs", `must hold 1 to ${MAX_COLUMN_ROWS} rows, not ${rows}`);
  } catch (e) {
    const n = Math.max(1, Math.min(MAX_COLUMN_ROWS, Number(tensors[0]?.shape[0] ?? 1)));
    return { rows: n, results: Array.from({ length: n }, (_, i) => failed(firstIndex + i, BigInt(firstIndex + i), e)) };
  }
  const raw = usesRawContents(tensors);
  try {
    const outputs = await route.runDirect(inputs);
    return {
      rows,
      results: [],
      columns: create(ColumnPredictionSchema, {
        predictionId: callId,
        modelVersion: route.modelVersion,
        outputs: encodeOutputs(outputs, outputNames, raw),
        classifications: classificationsOf(outputs, rows),
        firstIndex: BigInt(firstIndex),
      }),
    };
  } catch {
    const results: RowOutcome[] = [];
    for (let i = 0; i < rows; i++) {
      const index = firstIndex + i;
      try {
        const single = await route.runDirect(rowOf(inputs, i, rows));
        const outputs = sliceRow(single, 0, 1);
        const classification = classificationsOf(outputs, 1)[0];
        results.push({
          ok: true,
          confidence: classification ? classification.confidence : NaN,
          result: create(RowPredictionSchema, {
            index: BigInt(index),
            sequence: BigInt(index),
            status: OK,
            predictionId: rowPredictionId(callId, index),
            modelVersion: route.modelVersion,
            outputs: encodeOutputs(outputs, outputNames, raw),
            classification,
          }),
        });
      } catch (e) {
        results.push(failed(index, BigInt(index), e));
      }
    }
    return { rows, results };
  }
}

/** Most rows in one message sent as columns. */
const MAX_COLUMN_ROWS = 4096;
