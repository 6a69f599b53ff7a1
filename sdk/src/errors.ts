import { Code, ConnectError } from "@connectrpc/connect";
import { durationMs } from "@bufbuild/protobuf/wkt";
import { BadRequestSchema, ErrorInfoSchema, RetryInfoSchema } from "@artenic/gen/google/rpc/error_details_pb";

/** Where each instance lists the brands of its class chain; `Symbol.for` makes it global. */
const brandsKey = Symbol.for("artenic.error.brands");
/** The brand older copies of this package test with `brand in value`; kept on every instance. */
const legacyBrand = Symbol.for("artenic.ArtenicError");

/** One offending field of a request, from `google.rpc.BadRequest`. */
export interface FieldViolation {
  /** The field path, such as `model_id` or `rows[3].inputs`. */
  readonly field: string;
  /** What is wrong with it. */
  readonly description: string;
}

/**
 * An error answered by the platform (or raised by the transport), with the stable `reason` from
 * `google.rpc.ErrorInfo`, its metadata, the offending fields of a `google.rpc.BadRequest`, and the
 * delay of a `google.rpc.RetryInfo`.
 *
 * Branch on the subclasses (`NotFoundError`, `BudgetExceededError`, …) or on `reason`. `instanceof`
 * works across duplicated copies of this package: each class carries a `Symbol.for` brand.
 */
export class ArtenicError extends Error {
  /** The brand of this class; every subclass declares its own. */
  static readonly brand: symbol = legacyBrand;
  override name = "ArtenicError";
  /** The message without the `[code]` prefix that ConnectError adds. */
  readonly rawMessage: string;

  constructor(
    message: string,
    /** The gRPC status code. */
    readonly code: Code,
    /** The stable reason, such as `MODEL_NOT_FOUND`; empty when the server sent none. */
    readonly reason: string,
    /** Facts about the error, such as `{ name: "models/x" }`. */
    readonly metadata: Readonly<Record<string, string>>,
    /** The offending request fields, for INVALID_ARGUMENT. */
    readonly fieldViolations: readonly FieldViolation[],
    options?: ErrorOptions & { retryDelayMs?: number | undefined },
  ) {
    super(message, options);
    this.rawMessage = message;
    this.retryDelayMs = options?.retryDelayMs;
    const brands: symbol[] = [];
    for (let c: unknown = new.target; typeof c === "function" && Object.hasOwn(c, "brand"); c = Object.getPrototypeOf(c)) {
      brands.push((c as typeof ArtenicError).brand);
    }
    Object.defineProperty(this, brandsKey, { value: brands, enumerable: false });
    Object.defineProperty(this, legacyBrand, { value: true, enumerable: false });
  }

  /** How long the server asked to wait before retrying (`google.rpc.RetryInfo`), if it said. */
  readonly retryDelayMs: number | undefined;

  /** The code's canonical name, such as `NOT_FOUND`. */
  get codeName(): string {
    return codeName(this.code);
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    if (typeof value !== "object" || value === null) return false;
    const brands = (value as { [brandsKey]?: unknown })[brandsKey];
    if (Array.isArray(brands)) return brands.includes(this.brand);
    // An instance made by an older copy, which only had the base brand.
    return this.brand === legacyBrand && legacyBrand in value;
  }

  /**
   * Converts any thrown value into the most specific subclass: ArtenicErrors pass through,
   * ConnectErrors are read once for their details, anything else becomes code UNKNOWN.
   */
  static from(error: unknown): ArtenicError {
    if (error instanceof ArtenicError) return error;
    const ce = ConnectError.from(error);
    const info = ce.findDetails(ErrorInfoSchema)[0];
    const bad = ce.findDetails(BadRequestSchema)[0];
    const retry = ce.findDetails(RetryInfoSchema)[0];
    const reason = info?.reason ?? "";
    const Class = classFor(ce.code, reason);
    return new Class(
      ce.rawMessage,
      ce.code,
      reason,
      info?.metadata ?? {},
      bad?.fieldViolations.map((v) => ({ field: v.field, description: v.description })) ?? [],
      { cause: error, retryDelayMs: retry?.retryDelay ? durationMs(retry.retryDelay) : undefined },
    );
  }
}

/** NOT_FOUND: the named resource does not exist. */
export class NotFoundError extends ArtenicError {
  static override readonly brand: symbol = Symbol.for("artenic.NotFoundError");
  override name = "NotFoundError";
}

/** NOT_FOUND with reason `MODEL_NOT_FOUND`. */
export class ModelNotFoundError extends NotFoundError {
  static override readonly brand: symbol = Symbol.for("artenic.ModelNotFoundError");
  override name = "ModelNotFoundError";
}

/** ALREADY_EXISTS: the id is taken. */
export class AlreadyExistsError extends ArtenicError {
  static override readonly brand: symbol = Symbol.for("artenic.AlreadyExistsError");
  override name = "AlreadyExistsError";
}

/** INVALID_ARGUMENT: the request is malformed; `fieldViolations` names the fields. */
export class InvalidArgumentError extends ArtenicError {
  static override readonly brand: symbol = Symbol.for("artenic.InvalidArgumentError");
  override name = "InvalidArgumentError";
}

/** FAILED_PRECONDITION: the system is not in a state that allows the call. */
export class FailedPreconditionError extends ArtenicError {
  static override readonly brand: symbol = Symbol.for("artenic.FailedPreconditionError");
  override name = "FailedPreconditionError";
}

/** ABORTED: a concurrent change or a stale etag; read again and retry. */
export class AbortedError extends ArtenicError {
  static override readonly brand: symbol = Symbol.for("artenic.AbortedError");
  override name = "AbortedError";
}

/** PERMISSION_DENIED: the API key lacks the scope the method needs (metadata `permission`). */
export class PermissionDeniedError extends ArtenicError {
  static override readonly brand: symbol = Symbol.for("artenic.PermissionDeniedError");
  override name = "PermissionDeniedError";
}

/** UNAUTHENTICATED: no API key, or one that is unknown, revoked or expired. */
export class UnauthenticatedError extends ArtenicError {
  static override readonly brand: symbol = Symbol.for("artenic.UnauthenticatedError");
  override name = "UnauthenticatedError";
}

/** RESOURCE_EXHAUSTED: a limit was hit (a rate, a size, a queue, a budget). */
export class ResourceExhaustedError extends ArtenicError {
  static override readonly brand: symbol = Symbol.for("artenic.ResourceExhaustedError");
  override name = "ResourceExhaustedError";
}

/** RESOURCE_EXHAUSTED with reason `RATE_LIMITED`; `retryDelayMs` says when to try again. */
export class RateLimitedError extends ResourceExhaustedError {
  static override readonly brand: symbol = Symbol.for("artenic.RateLimitedError");
  override name = "RateLimitedError";
}

/**
 * RESOURCE_EXHAUSTED with reason `BUDGET_EXCEEDED`: a BLOCK budget refused a training job's
 * estimate. The amounts are strings as the server sent them.
 */
export class BudgetExceededError extends ResourceExhaustedError {
  static override readonly brand: symbol = Symbol.for("artenic.BudgetExceededError");
  override name = "BudgetExceededError";
  /** The budget that refused. Format: budgets/{budget} */
  get budget(): string {
    return this.metadata["budget"] ?? "";
  }
  /** The estimate that did not fit. */
  get estimate(): string {
    return this.metadata["estimate"] ?? "";
  }
}

/** UNIMPLEMENTED: this server does not offer the method (yet). */
export class UnimplementedError extends ArtenicError {
  static override readonly brand: symbol = Symbol.for("artenic.UnimplementedError");
  override name = "UnimplementedError";
}

/** UNAVAILABLE: the server is unreachable or shutting down; retry later. */
export class UnavailableError extends ArtenicError {
  static override readonly brand: symbol = Symbol.for("artenic.UnavailableError");
  override name = "UnavailableError";
}

/** DEADLINE_EXCEEDED: the call's deadline passed before it completed. */
export class DeadlineExceededError extends ArtenicError {
  static override readonly brand: symbol = Symbol.for("artenic.DeadlineExceededError");
  override name = "DeadlineExceededError";
}

/** CANCELED: the caller aborted the call. */
export class CanceledError extends ArtenicError {
  static override readonly brand: symbol = Symbol.for("artenic.CanceledError");
  override name = "CanceledError";
}

type ErrorClass = new (...args: ConstructorParameters<typeof ArtenicError>) => ArtenicError;

const byReason: Readonly<Record<string, ErrorClass>> = {
  MODEL_NOT_FOUND: ModelNotFoundError,
  RATE_LIMITED: RateLimitedError,
  BUDGET_EXCEEDED: BudgetExceededError,
};

const byCode: Partial<Record<Code, ErrorClass>> = {
  [Code.NotFound]: NotFoundError,
  [Code.AlreadyExists]: AlreadyExistsError,
  [Code.InvalidArgument]: InvalidArgumentError,
  [Code.FailedPrecondition]: FailedPreconditionError,
  [Code.Aborted]: AbortedError,
  [Code.PermissionDenied]: PermissionDeniedError,
  [Code.Unauthenticated]: UnauthenticatedError,
  [Code.ResourceExhausted]: ResourceExhaustedError,
  [Code.Unimplemented]: UnimplementedError,
  [Code.Unavailable]: UnavailableError,
  [Code.DeadlineExceeded]: DeadlineExceededError,
  [Code.Canceled]: CanceledError,
};

function classFor(code: Code, reason: string): ErrorClass {
  const specific = byReason[reason];
  const general = byCode[code] ?? ArtenicError;
  // A reason class applies only under its own code's class (a reason reused under another code
  // falls back to the code's class).
  return specific && Object.prototype.isPrototypeOf.call(general.prototype, specific.prototype) ? specific : general;
}

/** The canonical upper-case name of a code, such as `INVALID_ARGUMENT`. */
export function codeName(code: Code): string {
  return (Code[code] ?? "UNKNOWN").replace(/([a-z])([A-Z])/g, "$1_$2").toUpperCase();
}

/** Runs `call` and rethrows failures as `ArtenicError`. */
export async function withArtenicErrors<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    throw ArtenicError.from(e);
  }
}
