import { AppError, invalidField } from "../../platform/errors/app-error.js";

export const providerNotFound = (name: string) => new AppError("not_found", "PROVIDER_NOT_FOUND", `Provider ${name} does not exist on this server.`, { name });

export const unknownCredentialKey = (provider: string, key: string, accepted: readonly string[]) =>
  invalidField(`credentials[${key}]`, `${provider} accepts no credential "${key}"; accepted: ${accepted.join(", ") || "none"}`, "UNKNOWN_CREDENTIAL");

export const unknownConfigKey = (provider: string, key: string, accepted: readonly string[]) =>
  invalidField(`config[${key}]`, `${provider} has no setting "${key}"; accepted: ${accepted.join(", ") || "none"}`, "UNKNOWN_SETTING");

export const invalidConfigValue = (key: string, problem: string) => invalidField(`config[${key}]`, problem, "INVALID_SETTING");

export const providerUnconfigured = (name: string, message: string) =>
  new AppError("failed_precondition", "PROVIDER_NOT_CONFIGURED", `Provider ${name} is not configured: ${message}.`, { name, state: "UNCONFIGURED" });

export const connectionTestFailed = (name: string, message: string) =>
  new AppError("failed_precondition", "PROVIDER_CONNECTION_FAILED", `The connection test of ${name} failed: ${message}`, { name });

export const providerHasLiveJobs = (name: string, count: number) =>
  new AppError(
    "failed_precondition",
    "PROVIDER_HAS_LIVE_JOBS",
    `${count} training job(s) on ${name} are not finished or their compute is not released yet; their credentials are needed until then.`,
    { name, jobs: String(count) },
  );
