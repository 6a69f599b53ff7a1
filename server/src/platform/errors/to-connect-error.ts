import { Code, ConnectError } from "@connectrpc/connect";
import { create } from "@bufbuild/protobuf";
import { durationFromMs } from "@bufbuild/protobuf/wkt";
import {
  BadRequestSchema,
  BadRequest_FieldViolationSchema,
  ErrorInfoSchema,
  PreconditionFailureSchema,
  PreconditionFailure_ViolationSchema,
  QuotaFailureSchema,
  QuotaFailure_ViolationSchema,
  RetryInfoSchema,
} from "@artenic/gen/google/rpc/error_details_pb";
import { AppError, type ErrorKind } from "./app-error.js";

/** The `ErrorInfo.domain` of every error this server produces (AIP-193). */
export const ERROR_DOMAIN = "artenic.ai";

const codeByKind: Record<ErrorKind, Code> = {
  invalid_argument: Code.InvalidArgument,
  not_found: Code.NotFound,
  already_exists: Code.AlreadyExists,
  failed_precondition: Code.FailedPrecondition,
  aborted: Code.Aborted,
  out_of_range: Code.OutOfRange,
  resource_exhausted: Code.ResourceExhausted,
  permission_denied: Code.PermissionDenied,
  unavailable: Code.Unavailable,
};

/**
 * Database exceptions that reach the edge untranslated. Repositories translate the ones they expect
 * with resource context; these rows are the fallback, matched by MikroORM's exception class names
 * so this file does not depend on the driver packages.
 */
const ormFallback: Record<string, () => AppError> = {
  UniqueConstraintViolationException: () =>
    new AppError("already_exists", "ALREADY_EXISTS", "The resource already exists."),
  ForeignKeyConstraintViolationException: () =>
    new AppError("failed_precondition", "REFERENCED", "The resource is referenced by another resource."),
  OptimisticLockError: () =>
    new AppError("aborted", "CONCURRENT_MODIFICATION", "The resource changed concurrently; read it again and retry."),
  DeadlockException: () =>
    new AppError("aborted", "CONCURRENT_MODIFICATION", "A concurrent transaction conflicted; retry."),
  LockWaitTimeoutException: () =>
    new AppError("aborted", "CONCURRENT_MODIFICATION", "A concurrent transaction held a lock too long; retry.", {}, { retryDelayMs: 100 }),
  ConnectionException: () =>
    new AppError("unavailable", "DATABASE_UNAVAILABLE", "The database is unavailable; retry later.", {}, { retryDelayMs: 1000 }),
};

/**
 * The one place where errors become wire errors. `AppError` maps by kind with `ErrorInfo` and the
 * details its kind calls for; a `ConnectError` passes unchanged; known database exceptions map to
 * their table row; anything else returns `undefined` so the caller reports INTERNAL without text.
 */
export function toConnectError(error: unknown): ConnectError | undefined {
  if (error instanceof ConnectError) return error;
  let appError: AppError | undefined;
  if (error instanceof AppError) appError = error;
  else if (error instanceof Error) {
    for (let c: object | null = Object.getPrototypeOf(error); c && c !== Error.prototype; c = Object.getPrototypeOf(c)) {
      const fallback = ormFallback[(c as { constructor: { name: string } }).constructor.name];
      if (fallback) {
        appError = fallback();
        break;
      }
    }
  }
  if (!appError) return undefined;
  return appErrorToConnect(appError, error);
}

function appErrorToConnect(e: AppError, cause: unknown): ConnectError {
  const details: ConstructorParameters<typeof ConnectError>[3] = [
    { desc: ErrorInfoSchema, value: { reason: e.reason, domain: ERROR_DOMAIN, metadata: { ...e.metadata } } },
  ];
  if (e.fieldViolations.length > 0) {
    details.push({
      desc: BadRequestSchema,
      value: create(BadRequestSchema, {
        fieldViolations: e.fieldViolations.map((v) =>
          create(BadRequest_FieldViolationSchema, { field: v.field, description: v.description, reason: e.reason }),
        ),
      }),
    });
  }
  if (e.kind === "failed_precondition") {
    details.push({
      desc: PreconditionFailureSchema,
      value: create(PreconditionFailureSchema, {
        violations: [
          create(PreconditionFailure_ViolationSchema, {
            type: e.reason,
            subject: e.metadata["name"] ?? e.metadata["resource"] ?? "",
            description: e.message,
          }),
        ],
      }),
    });
  }
  if (e.quotaViolations.length > 0) {
    details.push({
      desc: QuotaFailureSchema,
      value: create(QuotaFailureSchema, {
        violations: e.quotaViolations.map((v) => create(QuotaFailure_ViolationSchema, { subject: v.subject, description: v.description })),
      }),
    });
  }
  if (e.retryDelayMs !== undefined) {
    details.push({ desc: RetryInfoSchema, value: create(RetryInfoSchema, { retryDelay: durationFromMs(e.retryDelayMs) }) });
  }
  return new ConnectError(e.message, codeByKind[e.kind], undefined, details, cause);
}
