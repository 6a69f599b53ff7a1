import { AppError } from "../../../platform/errors/app-error.js";

/**
 * What the Azure SDKs throw (a RestError: `statusCode`, `code`, and the ARM `{error:{code,message}}`
 * message; or an Entra AuthenticationError) as the platform's errors, keeping Azure's own words so
 * that job messages and connection tests say what Azure said.
 */

interface AzureLikeError {
  readonly name?: string;
  readonly statusCode?: number;
  readonly code?: string;
  readonly message?: string;
}

export const azureStatusOf = (e: unknown): number | undefined => (e as AzureLikeError | undefined)?.statusCode;
export const isAzureNotFound = (e: unknown): boolean => azureStatusOf(e) === 404;

export function translateAzureError(error: unknown, action: string, signal?: AbortSignal): Error {
  if (signal?.aborted) return signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason));
  if (error instanceof AppError) return error;
  const e = (error ?? {}) as AzureLikeError;
  const status = e.statusCode;
  const text = (e.message ?? String(error)).split("\n")[0]!.slice(0, 500);
  if (e.name === "AuthenticationError" || e.name === "CredentialUnavailableError") {
    return new AppError("failed_precondition", "AZURE_UNAUTHORIZED", `azure: ${action} failed: Microsoft Entra ID refused the service principal: ${text}`, { action }, { cause: error });
  }
  if (status === undefined) {
    return new AppError("unavailable", "AZURE_UNREACHABLE", `azure: ${action} failed: ${text}`, { action }, { cause: error, retryDelayMs: 5000 });
  }
  const meta = { action, status: String(status), code: e.code ?? "" };
  const message = `azure: ${action} failed (${status}${e.code ? ` ${e.code}` : ""}): ${text}`;
  if (status === 401 || status === 403) return new AppError("failed_precondition", "AZURE_FORBIDDEN", message, meta, { cause: error });
  if (status === 404) return new AppError("failed_precondition", "AZURE_NOT_FOUND", message, meta, { cause: error });
  if (status === 409 || status === 412) return new AppError("aborted", "AZURE_CONFLICT", message, meta, { cause: error, retryDelayMs: 5000 });
  if (status === 400) return new AppError("invalid_argument", "AZURE_INVALID", message, meta, { cause: error });
  if (status === 429) return new AppError("unavailable", "AZURE_THROTTLED", message, meta, { cause: error, retryDelayMs: 30_000 });
  return new AppError("unavailable", "AZURE_UNAVAILABLE", message, meta, { cause: error, retryDelayMs: 5000 });
}
