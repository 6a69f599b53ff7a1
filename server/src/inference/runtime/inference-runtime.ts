import type { ModelSignatureInfo } from "../../registry/onnx-signature.js";
import type { OutputValue, TensorData } from "../tensor.js";

/** Threading of one loaded model; 0 means the runtime's default. */
export interface SessionOptions {
  readonly intraOpThreads: number;
  readonly interOpThreads: number;
}

/**
 * A model loaded in a runtime, ready to run. Runs may be concurrent. `dispose` releases native
 * memory; the session cache calls it only when no run is in flight.
 */
export interface LoadedModel {
  /** Bytes of the artifact the model was loaded from; the cache's memory bound counts these. */
  readonly sizeBytes: number;
  /** Names of the inputs and outputs as the runtime sees them. */
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /**
   * Runs the model. Inputs are keyed by name and must already be checked against the signature.
   * `outputNames` restricts the outputs computed (all when omitted).
   */
  run(inputs: readonly TensorData[], outputNames?: readonly string[]): Promise<Record<string, OutputValue>>;
  dispose(): Promise<void>;
}

/** Loads model artifacts into executable sessions. `onnx/` is the only adapter that imports a vendor runtime. */
export interface InferenceRuntime {
  /**
   * Creates a session from the artifact bytes and warms it (one run on zero inputs of batch 1) so
   * the first real request does not pay for lazy initialisation. Throws
   * `AppError("failed_precondition", "MODEL_LOAD_FAILED")` with the runtime's reason when the
   * model cannot be loaded.
   */
  load(bytes: Uint8Array, signature: ModelSignatureInfo | null, options: SessionOptions): Promise<LoadedModel>;
}
