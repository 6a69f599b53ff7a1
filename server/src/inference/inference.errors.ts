import { AppError, invalidField } from "../platform/errors/app-error.js";

export const serviceNotFound = (name: string) => new AppError("not_found", "SERVICE_NOT_FOUND", `Service ${name} does not exist.`, { name });

export const serviceAlreadyExists = (name: string) =>
  new AppError("already_exists", "SERVICE_ALREADY_EXISTS", `Service ${name} already exists.`, { name });

export const targetNotServable = (name: string, why: string) =>
  new AppError("failed_precondition", "TARGET_NOT_SERVABLE", `${name} cannot be served: ${why}`, { name });

export const ensembleNotAvailable = (name: string) =>
  new AppError("failed_precondition", "ENSEMBLE_NOT_SERVABLE", `Ensemble targets are not served by this server yet (${name}).`, { name });

export const invalidInput = (field: string, input: string, problem: string) =>
  invalidField(field, `input "${input}": ${problem}`, "INVALID_INPUT");

export const predictionNotFound = (id: string) =>
  new AppError("not_found", "PREDICTION_NOT_FOUND", `Prediction ${id} is not known to this platform.`, { predictionId: id });
