/**
 * The registry's public surface for other domains: resolving versions and reading their
 * artifacts. Other domains never import the registry's entities or repositories directly.
 */
export {
  setAlias,
  transitionStage,
  notifyAfterCommit,
  resolveVersion,
  getModelVersion,
  getModel,
  createModelVersion,
  type VersionInput,
  type ArtifactInput,
  modelName,
  versionName,
  type VersionSelector,
  type VersionReferenceChecker,
  type RegistryListener,
  type Stage,
} from "./model.use-cases.js";
export { parseModelName, parseVersionName, toSignatureProto } from "./model.mapper.js";
export type { ModelVersionEntity } from "./model.entity.js";
export type { ArtifactStore } from "./artifacts/artifact-store.js";
export type { ModelSignatureInfo, TensorInfo, DataTypeName } from "./onnx-signature.js";
export { readOnnxSignature } from "./onnx-signature.js";
