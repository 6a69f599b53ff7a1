import { AppError, type ErrorKind } from "../../../platform/errors/app-error.js";

/** The error code and HTTP status of an AWS SDK v3 service exception, if it is one. */
export function awsErrorCode(e: unknown): { code: string; status: number | undefined } | undefined {
  if (!e || typeof e !== "object") return undefined;
  const err = e as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number }; $fault?: string };
  if (!err.$metadata && !err.$fault) return undefined;
  return { code: err.Code ?? err.name ?? "Unknown", status: err.$metadata?.httpStatusCode };
}

const KINDS: [RegExp, ErrorKind][] = [
  [/^(AuthFailure|UnauthorizedOperation|InvalidClientTokenId|SignatureDoesNotMatch|InvalidSignatureException|ExpiredToken|AccessDenied.*|UnrecognizedClientException|OptInRequired|Blocked)$/, "permission_denied"],
  [/^(InsufficientInstanceCapacity|InsufficientCapacity|SpotMaxPriceTooLow|MaxSpotInstanceCountExceeded|InstanceLimitExceeded|VcpuLimitExceeded|RequestLimitExceeded|Throttling.*|ServiceUnavailable|Unavailable|InternalError|InternalFailure|ServerInternal)$/, "unavailable"],
  [/^(InvalidAMIID\..*|InvalidSubnetID\..*|InvalidGroup\..*|InvalidKeyPair\..*|InvalidParameterValue|InvalidParameterCombination|InvalidParameter|Unsupported.*|InvalidInstanceType|InvalidIamInstanceProfile\..*|IdempotentParameterMismatch|NoSuchBucket|NoSuchEntity)$/, "failed_precondition"],
];

/** An AWS failure as an AppError naming the call and the region, never the credentials. */
export function translateAwsError(e: unknown, action: string, region: string, signal?: AbortSignal): AppError {
  if (e instanceof AppError) return e;
  if (signal?.aborted) return new AppError("unavailable", "AWS_CALL_ABORTED", `aws: ${action} in ${region} was cancelled.`, { action, region }, { cause: e });
  const info = awsErrorCode(e);
  const message = e instanceof Error ? e.message : String(e);
  if (!info) return new AppError("unavailable", "AWS_UNREACHABLE", `aws: ${action} in ${region} failed: ${message}`, { action, region }, { cause: e, retryDelayMs: 5000 });
  const kind = KINDS.find(([re]) => re.test(info.code))?.[1] ?? (info.status !== undefined && info.status >= 500 ? "unavailable" : "failed_precondition");
  return new AppError(kind, "AWS_REQUEST_FAILED", `aws: ${action} in ${region} failed (${info.code}): ${message}`, { action, region, code: info.code }, {
    cause: e,
    ...(kind === "unavailable" ? { retryDelayMs: 10_000 } : {}),
  });
}
