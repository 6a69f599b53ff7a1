/**
 * The one error class of the server's domain code. It says what went wrong in transport-neutral
 * terms (`kind`) with a stable, machine-readable `reason` (AIP-193); the error-mapping interceptor
 * turns it into a Connect error with `google.rpc.ErrorInfo` and friends. Nothing below the handlers
 * imports `@connectrpc/*`.
 */
export type ErrorKind =
  | "invalid_argument"
  | "not_found"
  | "already_exists"
  | "failed_precondition"
  | "aborted"
  | "out_of_range"
  | "resource_exhausted"
  | "permission_denied"
  | "unavailable";

/** One offending request field, reported as a `google.rpc.BadRequest.FieldViolation`. */
export interface FieldViolation {
  /** The field path in the request, snake_case with dots, e.g. `model.display_name`. */
  readonly field: string;
  /** What is wrong with it, in English. */
  readonly description: string;
}

/** One exhausted quota or budget, reported as a `google.rpc.QuotaFailure.Violation`. */
export interface QuotaViolation {
  /** What ran out, e.g. `budgets/gpu-monthly`. */
  readonly subject: string;
  /** Why, in English. */
  readonly description: string;
}

export interface AppErrorOptions extends ErrorOptions {
  /** Fields to report as `google.rpc.BadRequest` (invalid_argument only). */
  readonly fieldViolations?: readonly FieldViolation[];
  /** A delay after which a retry may succeed, reported as `google.rpc.RetryInfo`. */
  readonly retryDelayMs?: number;
  /** Quotas or budgets that refused the call, reported as `google.rpc.QuotaFailure` (resource_exhausted). */
  readonly quotaViolations?: readonly QuotaViolation[];
}

export class AppError extends Error {
  override name = "AppError";
  readonly fieldViolations: readonly FieldViolation[];
  readonly retryDelayMs: number | undefined;
  readonly quotaViolations: readonly QuotaViolation[];

  constructor(
    readonly kind: ErrorKind,
    /** UPPER_SNAKE_CASE, at most 63 characters; its meaning never changes once shipped. */
    readonly reason: string,
    /** English and actionable; never internals such as SQL or stack traces. */
    message: string,
    /** Every dynamic value that appears in `message`, for machines. */
    readonly metadata: Readonly<Record<string, string>> = {},
    options: AppErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.fieldViolations = options.fieldViolations ?? [];
    this.retryDelayMs = options.retryDelayMs;
    this.quotaViolations = options.quotaViolations ?? [];
  }
}

/** An INVALID_ARGUMENT error that names the offending field. */
export function invalidField(field: string, description: string, reason = "INVALID_ARGUMENT"): AppError {
  return new AppError("invalid_argument", reason, `${field}: ${description}`, { field }, {
    fieldViolations: [{ field, description }],
  });
}
