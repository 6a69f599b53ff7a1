import { AppError } from "../platform/errors/app-error.js";

export const abTestNotFound = (name: string) => new AppError("not_found", "AB_TEST_NOT_FOUND", `A/B test ${name} does not exist.`, { name });
export const abTestAlreadyExists = (name: string) => new AppError("already_exists", "AB_TEST_ALREADY_EXISTS", `A/B test ${name} already exists.`, { name });
export const illegalAbTransition = (name: string, from: string, action: string) =>
  new AppError("failed_precondition", "ILLEGAL_STATE_TRANSITION", `A/B test ${name} is ${from.toUpperCase()} and cannot be ${action}.`, { name, state: from, action });
export const serviceBusy = (service: string, by: string) =>
  new AppError("failed_precondition", "SERVICE_ALREADY_SPLIT", `Service ${service} already has ${by} in progress; conclude or abort it first.`, { service, by });
export const canaryNotFound = (name: string) => new AppError("not_found", "CANARY_ROLLOUT_NOT_FOUND", `Canary rollout ${name} does not exist.`, { name });
export const canaryAlreadyExists = (name: string) => new AppError("already_exists", "CANARY_ROLLOUT_ALREADY_EXISTS", `Canary rollout ${name} already exists.`, { name });
export const illegalCanaryTransition = (name: string, from: string, action: string) =>
  new AppError("failed_precondition", "ILLEGAL_STATE_TRANSITION", `Canary rollout ${name} is ${from.toUpperCase()} and cannot be ${action}.`, { name, state: from, action });
export const notEnoughSamples = (name: string, message: string) =>
  new AppError("failed_precondition", "NOT_ENOUGH_SAMPLES", `A/B test ${name} cannot name a winner yet: ${message}`, { name });
