import { create } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { StatusSchema, type Status } from "@artenic/gen/google/rpc/status_pb";
import { RowPredictionSchema, type PredictRow, type RowPrediction } from "@artenic/gen/artenic/inference/v1/inference_service_pb";
import { toConnectError } from "../platform/errors/to-connect-error.js";
import type { Route } from "./model-router.js";
import { checkInputs, stackRows } from "./signature-check.js";
import { classificationsOf, decodeTensor, encodeOutputs, sliceRow } from "./tensor.mapper.js";
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
      outputs: encodeOutputs(outputs, outputNames),
      classification,
    }),
  };
}

function failed(index: number, sequence: bigint, error: unknown): RowOutcome {
  return { ok: false, confidence: NaN, result: create(RowPredictionSchema, { index: BigInt(index), sequence, status: statusOf(error) }) };
}
