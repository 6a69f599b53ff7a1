import { AppError } from "../../../platform/errors/app-error.js";

/**
 * What the Google clients throw (google-gax GoogleError with a gRPC `code` mapped from the HTTP
 * status, the API's message, and `reason` from `errors[0].reason`; or a gaxios/ApiError with an
 * HTTP `code`) as the platform's errors, keeping Google's own words.
 */

interface GoogleLikeError {
  readonly code?: number | string;
  readonly status?: number;
  readonly message?: string;
  readonly reason?: string;
}

/** gRPC status codes of the REST answers the adapter handles. */
const GRPC = { NOT_FOUND: 5, ALREADY_EXISTS: 6, PERMISSION_DENIED: 7, RESOURCE_EXHAUSTED: 8, FAILED_PRECONDITION: 9, INVALID_ARGUMENT: 3, UNAUTHENTICATED: 16 } as const;

/** The HTTP status the error stands for, from either its gRPC code or its HTTP code. */
export function googleHttpStatus(e: unknown): number | undefined {
  const err = (e ?? {}) as GoogleLikeError;
  const code = typeof err.code === "string" ? Number(err.code) : err.code;
  if (typeof code === "number" && code >= 100) return code;
  if (typeof err.status === "number" && err.status >= 100) return err.status;
  switch (code) {
    case GRPC.NOT_FOUND:
      return 404;
    case GRPC.ALREADY_EXISTS:
      return 409;
    case GRPC.PERMISSION_DENIED:
      return 403;
    case GRPC.UNAUTHENTICATED:
      return 401;
    case GRPC.INVALID_ARGUMENT:
    case GRPC.FAILED_PRECONDITION:
      return 400;
    case GRPC.RESOURCE_EXHAUSTED:
      return 429;
    default:
      return undefined;
  }
}

export const isGoogleNotFound = (e: unknown): boolean => googleHttpStatus(e) === 404;

export function translateGoogleError(error: unknown, action: string, signal?: AbortSignal): Error {
  if (signal?.aborted) return signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason));
  if (error instanceof AppError) return error;
  const status = googleHttpStatus(error);
  const text = ((error as GoogleLikeError | undefined)?.message ?? String(error)).split("\n")[0]!.slice(0, 500);
  if (status === undefined) return new AppError("unavailable", "GCP_UNREACHABLE", `gcp: ${action} failed: ${text}`, { action }, { cause: error, retryDelayMs: 5000 });
  const meta = { action, status: String(status) };
  const message = `gcp: ${action} failed (${status}): ${text}`;
  if (status === 401 || status === 403) return new AppError("failed_precondition", "GCP_FORBIDDEN", message, meta, { cause: error });
  if (status === 404) return new AppError("failed_precondition", "GCP_NOT_FOUND", message, meta, { cause: error });
  if (status === 409) return new AppError("aborted", "GCP_CONFLICT", message, meta, { cause: error, retryDelayMs: 5000 });
  if (status === 400) return new AppError("invalid_argument", "GCP_INVALID", message, meta, { cause: error });
  if (status === 429) return new AppError("unavailable", "GCP_QUOTA", message, meta, { cause: error, retryDelayMs: 30_000 });
  return new AppError("unavailable", "GCP_UNAVAILABLE", message, meta, { cause: error, retryDelayMs: 5000 });
}
