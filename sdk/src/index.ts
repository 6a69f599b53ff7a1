/**
 * The platform-neutral core of the Artenic SDK: typed clients of every service over any Connect
 * transport, with deadlines, retries of idempotent reads, typed errors, pagination, streaming and
 * artifact helpers. `@artenic/sdk/node` and `@artenic/sdk/web` add a default transport.
 *
 * @packageDocumentation
 */
export {
  createArtenicClient,
  apiKeyInterceptor,
  type ArtenicClient,
  type ArtenicClientOptions,
  type ServiceClients,
} from "./client.js";
export { applyCallPolicy, backoffMs, DEFAULT_TIMEOUT_MS, type CallPolicy, type RetryInfo, type RetryOptions } from "./call-policy.js";
export {
  ArtenicError,
  NotFoundError,
  ModelNotFoundError,
  AlreadyExistsError,
  InvalidArgumentError,
  FailedPreconditionError,
  AbortedError,
  PermissionDeniedError,
  UnauthenticatedError,
  ResourceExhaustedError,
  RateLimitedError,
  BudgetExceededError,
  UnimplementedError,
  UnavailableError,
  DeadlineExceededError,
  CanceledError,
  codeName,
  withArtenicErrors,
  type FieldViolation,
} from "./errors.js";
export { paginate, type PageItem, type PageRequest, type PageResponse } from "./pagination.js";
export {
  uploadArtifact,
  downloadArtifact,
  sha256Hex,
  type ArtifactSource,
  type UploadArtifactOptions,
  type UploadProgress,
  type DownloadArtifactOptions,
  type DownloadProgress,
} from "./artifacts.js";
export { waitForTrainingJob, terminalTrainingJobStates, type WaitForTrainingJobOptions } from "./training.js";
export { subscribeEvents, streamPredict, type SubscribeEventsOptions, type StreamPredictOptions, type PredictRowInit } from "./streams.js";
export {
  modelName,
  modelVersionName,
  parseModelVersionName,
  serviceName,
  abTestName,
  canaryRolloutName,
  ensembleName,
  trainingJobName,
  budgetName,
  apiKeyName,
} from "./names.js";
