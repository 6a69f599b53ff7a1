import { AppError, invalidField } from "../platform/errors/app-error.js";

export const trainingJobNotFound = (name: string) =>
  new AppError("not_found", "TRAINING_JOB_NOT_FOUND", `Training job ${name} does not exist.`, { name });

export const trainingJobAlreadyExists = (name: string) =>
  new AppError("already_exists", "TRAINING_JOB_ALREADY_EXISTS", `Training job ${name} already exists.`, { name });

export const illegalJobTransition = (name: string, from: string, to: string) =>
  new AppError("failed_precondition", "ILLEGAL_STATE_TRANSITION", `Training job ${name} is ${from.toUpperCase()} and cannot become ${to.toUpperCase()}.`, {
    name,
    state: from.toUpperCase(),
    target: to.toUpperCase(),
  });

export const jobNotCancellable = (name: string, state: string) =>
  new AppError("failed_precondition", "JOB_NOT_CANCELLABLE", `Training job ${name} already ended ${state.toUpperCase()} and cannot be cancelled.`, {
    name,
    state: state.toUpperCase(),
  });

export const jobEnded = (name: string, state: string) =>
  new AppError("failed_precondition", "JOB_ENDED", `Training job ${name} is ${state.toUpperCase()}; it no longer accepts reports.`, {
    name,
    state: state.toUpperCase(),
  });

export const jobNotDeletable = (name: string, why: string) =>
  new AppError("failed_precondition", "JOB_NOT_DELETABLE", `Training job ${name} cannot be deleted yet: ${why}.`, { name, reason: why });

export const unknownProvider = (field: string, provider: string) =>
  invalidField(field, `${provider} is not a provider this server knows`, "UNKNOWN_PROVIDER");

export const providerNotUsable = (provider: string, state: string, message: string) =>
  new AppError(
    "failed_precondition",
    state === "disabled" ? "PROVIDER_DISABLED" : state === "error" ? "PROVIDER_UNAVAILABLE" : "PROVIDER_NOT_CONFIGURED",
    `Provider ${provider} cannot take jobs: ${message}.`,
    { provider, state: state.toUpperCase() },
  );

export const noPlacement = (what: string) =>
  new AppError("failed_precondition", "NO_PLACEMENT", `No enabled provider offers an instance type for this job: ${what}.`, { detail: what });

export const outputModelMissing = (model: string) =>
  new AppError("failed_precondition", "OUTPUT_MODEL_NOT_FOUND", `spec.output.model ${model} does not exist; create the model first.`, { model });

export const codeArtifactMissing = (version: string) =>
  new AppError("failed_precondition", "CODE_ARTIFACT_NOT_FOUND", `spec.code.artifact ${version} does not exist.`, { modelVersion: version });

export const codePathNotAllowed = (path: string) =>
  invalidField("training_job.spec.code.local_path", `${path} is not under one of the server's code roots (ARTENIC_TRAINING_CODE_ROOTS)`, "CODE_PATH_NOT_ALLOWED");

export const jobTokenForbidden = (job: string, target: string) =>
  new AppError("permission_denied", "PERMISSION_DENIED", `The job token of ${job} may only act on ${job}, not on ${target}.`, {
    permission: "job",
    job,
    name: target,
  });
