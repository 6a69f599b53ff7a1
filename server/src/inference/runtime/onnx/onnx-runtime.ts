import ort from "onnxruntime-node";
import { AppError } from "../../../platform/errors/app-error.js";
import type { ModelSignatureInfo } from "../../../registry/onnx-signature.js";
import type { OutputValue, TensorData } from "../../tensor.js";
import type { InferenceRuntime, LoadedModel, SessionOptions } from "../inference-runtime.js";
import { fromOrtTensor, toOrtTensor, UnsupportedOutputTypeError, zeroOrtTensor } from "./ort-tensors.js";
import { unzipMapOutputs, type UnzippedOutput } from "./zipmap-rewrite.js";

/** Settings that apply to every session the runtime creates. */
export interface OnnxRuntimeOptions {
  /**
   * How much ONNX Runtime rewrites each graph when it creates a session.
   * @default "all"
   */
  readonly graphOptimizationLevel?: "disabled" | "basic" | "extended" | "all";
  /**
   * Whether independent nodes of a graph may run in parallel (on the inter-op thread pool).
   * @default "sequential"
   */
  readonly executionMode?: "sequential" | "parallel";
  /**
   * Whether ORT's worker threads spin while waiting for work. Off by default: on a server the event
   * loop and the network threads share the cores, and spinning workers took CPU from them (the
   * same 64-row MLP run measured 1.8 ms inside the server with spinning against 0.9 ms alone).
   * @default false
   */
  readonly allowSpinning?: boolean;
  /**
   * The least severe ONNX Runtime log message written to stderr (0 verbose … 4 fatal). Failures
   * already reach callers as errors carrying ORT's reason, so by default only fatal messages are
   * printed: otherwise every refused request would also print an unstructured line.
   * @default 4
   */
  readonly logSeverityLevel?: 0 | 1 | 2 | 3 | 4;
}

/**
 * The `InferenceRuntime` backed by onnxruntime-node's CPU execution provider; the only code that
 * imports onnxruntime-node.
 *
 * Loading rewrites skl2onnx's ZipMap outputs into plain tensors first, because onnxruntime-node
 * cannot return sequences of maps; the loaded model zips them back into per-row maps, so callers
 * still get `{ kind: "sequence_of_maps" }` for those outputs. Outputs of other non-tensor types
 * cannot be fetched and are left out of `outputNames`.
 *
 * Failure modes: `load` throws `AppError("failed_precondition", "MODEL_LOAD_FAILED")` carrying
 * ONNX Runtime's reason when the session cannot be created or its warm-up run fails; `run` throws
 * `AppError("invalid_argument", "INFERENCE_FAILED")` carrying ONNX Runtime's reason when a run is
 * refused (for example a shape the graph cannot take). Neither crashes the process.
 *
 * @example
 * ```ts
 * const runtime = createOnnxInferenceRuntime();
 * const model = await runtime.load(bytes, signature, { intraOpThreads: 0, interOpThreads: 0 });
 * const outputs = await model.run([{ name: "input", dataType: "float32", shape: [1, 4], data }]);
 * ```
 */
export function createOnnxInferenceRuntime(options: OnnxRuntimeOptions = {}): InferenceRuntime {
  return {
    async load(bytes: Uint8Array, signature: ModelSignatureInfo | null, sessionOptions: SessionOptions): Promise<LoadedModel> {
      const { bytes: servable, unzipped } = unzipMapOutputs(bytes);
      let session: ort.InferenceSession;
      try {
        session = await ort.InferenceSession.create(servable, ortSessionOptions(options, sessionOptions));
      } catch (error) {
        throw loadFailed("ONNX Runtime could not create a session for the model", error);
      }
      const model = createLoadedModel(session, bytes.byteLength, unzipped);
      try {
        await warmUp(session, signature, model.outputNames);
      } catch (error) {
        await session.release().catch(() => undefined);
        throw loadFailed("The model loaded but its warm-up run on zero inputs failed", error);
      }
      return model;
    },
  };
}

function ortSessionOptions(options: OnnxRuntimeOptions, session: SessionOptions): ort.InferenceSession.SessionOptions {
  const result: ort.InferenceSession.SessionOptions = {
    executionProviders: ["cpu"],
    graphOptimizationLevel: options.graphOptimizationLevel ?? "all",
    executionMode: options.executionMode ?? "sequential",
    logSeverityLevel: options.logSeverityLevel ?? 4,
    extra: { session: { intra_op: { allow_spinning: options.allowSpinning ? "1" : "0" }, inter_op: { allow_spinning: options.allowSpinning ? "1" : "0" } } },
  };
  // ORT reads an absent thread count as "pick for me" (one per physical core); our 0 means the same.
  if (session.intraOpThreads > 0) result.intraOpNumThreads = session.intraOpThreads;
  if (session.interOpThreads > 0) result.interOpNumThreads = session.interOpThreads;
  return result;
}

function createLoadedModel(session: ort.InferenceSession, sizeBytes: number, unzipped: readonly UnzippedOutput[]): LoadedModel {
  const unzippedByName = new Map(unzipped.map((u) => [u.name, u]));
  const tensorOutputs = new Set(session.outputMetadata.filter((m) => m.isTensor).map((m) => m.name));
  const outputNames = session.outputNames.filter((name) => tensorOutputs.has(name));
  let disposed = false;
  return {
    sizeBytes,
    inputNames: session.inputNames,
    outputNames,
    async run(inputs: readonly TensorData[], requested?: readonly string[]): Promise<Record<string, OutputValue>> {
      if (disposed) {
        // The session cache never runs a disposed model; reaching this means a caller kept a model past its lease.
        throw new AppError("unavailable", "MODEL_UNLOADED", "The model was unloaded while the request was in flight; retry it.");
      }
      const fetches = requested !== undefined && requested.length > 0 ? requested : outputNames;
      let results: ort.InferenceSession.ReturnType;
      try {
        const feeds: Record<string, ort.Tensor> = {};
        for (const t of inputs) feeds[t.name] = toOrtTensor(t);
        results = await session.run(feeds, fetches);
      } catch (error) {
        const reason = reasonOf(error);
        throw new AppError("invalid_argument", "INFERENCE_FAILED", `ONNX Runtime refused to run the model: ${reason}`, { reason }, { cause: error });
      }
      const outputs: Record<string, OutputValue> = {};
      for (const name of fetches) {
        const value = results[name];
        if (value === undefined) continue;
        try {
          outputs[name] = fromOrtTensor(name, value, unzippedByName.get(name));
        } catch (error) {
          if (error instanceof UnsupportedOutputTypeError) {
            throw new AppError("failed_precondition", "OUTPUT_TYPE_UNSUPPORTED", `The model's ${error.message}.`, {
              output: error.output,
              dataType: error.dataType,
            });
          }
          throw error;
        }
      }
      return outputs;
    },
    async dispose(): Promise<void> {
      if (disposed) return;
      disposed = true;
      await session.release();
    },
  };
}

/**
 * Runs the model once on zeros (empty strings for string inputs) with every dynamic dimension set to
 * 1, so the first real request does not pay for ORT's lazy allocations and kernel selection.
 */
async function warmUp(session: ort.InferenceSession, signature: ModelSignatureInfo | null, outputNames: readonly string[]): Promise<void> {
  if (outputNames.length === 0) {
    throw new Error("none of the model's outputs is a tensor, so nothing it computes can be returned");
  }
  const feeds: Record<string, ort.Tensor> = {};
  for (const input of session.inputMetadata) {
    if (!input.isTensor) {
      throw new Error(`input ${input.name} is not a tensor; only tensor inputs can be served`);
    }
    let shape = input.shape.map((d) => (typeof d === "number" && d >= 0 ? d : 1));
    // ORT reports an open rank as an empty shape, like a scalar's; the signature tells them apart.
    if (shape.length === 0 && signature?.inputs.find((i) => i.name === input.name)?.unknownRank === true) {
      shape = [1];
    }
    feeds[input.name] = zeroOrtTensor(input.type, shape);
  }
  await session.run(feeds, outputNames);
}

function loadFailed(what: string, error: unknown): AppError {
  const reason = reasonOf(error);
  return new AppError("failed_precondition", "MODEL_LOAD_FAILED", `${what}: ${reason}`, { reason }, { cause: error });
}

function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.trim() === "" ? "no reason given" : message.trim();
}
