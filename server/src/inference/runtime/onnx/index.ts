/** The onnxruntime-node adapter of the `InferenceRuntime` port. */
export { createOnnxInferenceRuntime, type OnnxRuntimeOptions } from "./onnx-runtime.js";
