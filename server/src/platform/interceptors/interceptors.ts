import { Code, ConnectError, type HandlerContext, type Interceptor, type StreamResponse, type UnaryResponse } from "@connectrpc/connect";
import type { DescMessage } from "@bufbuild/protobuf";
import type { EntityManager } from "@mikro-orm/core";
import { createValidator, type Validator, type Violation } from "@bufbuild/protovalidate";
import { create } from "@bufbuild/protobuf";
import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { RetryInfoSchema, ErrorInfoSchema } from "@artenic/gen/google/rpc/error_details_pb";
import { durationFromMs } from "@bufbuild/protobuf/wkt";
import type { Orm } from "../db/orm.js";
import { AppError } from "../errors/app-error.js";
import { toConnectError, ERROR_DOMAIN } from "../errors/to-connect-error.js";
import { hasScope, type ApiKeyVerifier } from "../auth/principal.js";
import type { RateLimiter } from "../auth/rate-limiter.js";
import type { RpcMetrics } from "../metrics/metrics.js";
import { kEntityManager, kLogger, kPrincipal, kRequestId } from "./context-keys.js";
import { jobTokenMethods, requiredScope } from "./scopes.js";

type AnyResponse = UnaryResponse | StreamResponse;

/** Wraps a streaming response's message iterable so that `onEnd` sees how the stream ended. */
function observeStream(res: StreamResponse, onEnd: (error: unknown) => void, mapError?: (e: unknown) => unknown): StreamResponse {
  const source = res.message;
  return {
    ...res,
    message: (async function* () {
      try {
        yield* source;
        onEnd(undefined);
      } catch (e) {
        const mapped = mapError ? mapError(e) : e;
        onEnd(mapped);
        throw mapped;
      }
    })(),
  };
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Outermost: gives every call a request id (echoed in `x-request-id`), a child logger, one log line
 * with the final code and latency, and the per-method metrics. Unexpected errors are logged here
 * with their cause; the client only ever sees "internal error".
 */
export function createLoggingInterceptor(logger: Logger, metrics: RpcMetrics): Interceptor {
  return (next) => async (req) => {
    const start = performance.now();
    const incoming = req.header.get("x-request-id");
    const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    const method = `${req.service.typeName}/${req.method.name}`;
    const log = logger.child({ requestId, method });
    req.contextValues.set(kRequestId, requestId);
    req.contextValues.set(kLogger, log);
    const finish = (error: unknown) => {
      const ms = performance.now() - start;
      const code = error === undefined ? "ok" : codeName(error);
      metrics.observe(method, code, ms / 1000);
      const principal = req.contextValues.get(kPrincipal)?.keyName;
      if (error !== undefined && (!(error instanceof ConnectError) || error.code === Code.Internal || error.code === Code.Unknown)) {
        log.error({ err: error instanceof ConnectError && error.cause !== undefined ? error.cause : error, code, ms, principal }, "rpc failed");
      } else {
        log.info({ code, ms: Math.round(ms * 1000) / 1000, principal }, "rpc");
      }
    };
    let res: AnyResponse;
    try {
      res = await next(req);
    } catch (e) {
      finish(e);
      throw e;
    }
    res.header.set("x-request-id", requestId);
    if (res.stream) return observeStream(res, finish);
    finish(undefined);
    return res;
  };
}

function codeName(error: unknown): string {
  if (error instanceof ConnectError) return Code[error.code]?.toLowerCase() ?? "unknown";
  return "internal";
}

/** Maps domain and database errors to Connect errors (see to-connect-error.ts); hides the rest. */
export function createErrorMappingInterceptor(): Interceptor {
  const map = (e: unknown): unknown => {
    const mapped = toConnectError(e);
    if (mapped) return mapped;
    // Unknown failures: the message may hold internals (SQL, paths), so only the code goes out.
    return new ConnectError("internal error", Code.Internal, undefined, undefined, e);
  };
  return (next) => async (req) => {
    try {
      const res = await next(req);
      return res.stream ? observeStream(res, () => undefined, map) : res;
    } catch (e) {
      throw map(e);
    }
  };
}

/**
 * Authenticates with `Authorization: Bearer <key>`, checks the method's scope, then charges the key's
 * token bucket. It runs as Connect's request gate: after the headers arrive and before the body is
 * read or parsed, so a caller without a key learns nothing about its request and costs nothing.
 */
export function createAuthGate(
  verifier: ApiKeyVerifier,
  limiter: RateLimiter,
  /** Read on every call: the default follows the `auth` runtime settings without a restart. */
  defaultLimit: () => { readonly requestsPerSecond: number; readonly burst: number },
  onReject: (method: string, code: string) => void,
): (ctx: HandlerContext) => Promise<void> {
  return async (ctx) => {
    try {
      await authenticate(ctx);
    } catch (e) {
      const error = toConnectError(e) ?? new ConnectError("internal error", Code.Internal, undefined, undefined, e);
      onReject(`${ctx.service.typeName}/${ctx.method.name}`, Code[error.code]?.toLowerCase() ?? "unknown");
      throw error;
    }
  };

  async function authenticate(ctx: HandlerContext): Promise<void> {
    const header = ctx.requestHeader.get("authorization") ?? "";
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const principal = match?.[1] ? await verifier.verify(match[1]) : undefined;
    if (!principal) {
      throw new ConnectError(
        match ? "The API key is not valid, or was revoked or expired." : "An API key is required: send 'Authorization: Bearer <key>'.",
        Code.Unauthenticated,
        undefined,
        [{ desc: ErrorInfoSchema, value: { reason: match ? "API_KEY_INVALID" : "API_KEY_MISSING", domain: ERROR_DOMAIN } }],
      );
    }
    if (principal.job !== undefined && !jobTokenMethods.has(`${ctx.service.typeName}/${ctx.method.name}`)) {
      throw new AppError("permission_denied", "PERMISSION_DENIED", `A training job's token may not call ${ctx.method.name}; it may only report on its own job.`, {
        permission: "job",
        method: ctx.method.name,
      });
    }
    const scope = requiredScope(ctx.method);
    if (!hasScope(principal, scope)) {
      throw new AppError("permission_denied", "PERMISSION_DENIED", `This API key lacks the ${scope.toUpperCase()} scope that ${ctx.method.name} requires.`, {
        permission: scope,
        method: ctx.method.name,
      });
    }
    const wait = limiter.take(principal.keyId, principal.rateLimit ?? defaultLimit());
    if (wait > 0) {
      throw new ConnectError(`Rate limit exceeded for ${principal.keyName}; retry in ${wait} ms.`, Code.ResourceExhausted, undefined, [
        { desc: ErrorInfoSchema, value: { reason: "RATE_LIMITED", domain: ERROR_DOMAIN, metadata: { key: principal.keyName } } },
        { desc: RetryInfoSchema, value: create(RetryInfoSchema, { retryDelay: durationFromMs(wait) }) },
      ]);
    }
    ctx.values.set(kPrincipal, principal);
  }
}

/**
 * Enforces the protovalidate constraints declared in the contracts on every request message,
 * streamed ones included. A violation becomes INVALID_ARGUMENT with a `BadRequest` naming each field.
 */
export function createValidateInterceptor(validator: Validator = createValidator()): Interceptor {
  const check = (schema: DescMessage, message: unknown) => {
    const result = validator.validate(schema, message as never);
    if (result.kind === "valid") return;
    if (result.kind === "error") throw result.error;
    const violations = result.violations.map((v) => ({
      field: fieldPath(v) || v.ruleId,
      description: v.message,
    }));
    const first = violations[0]!;
    throw new AppError("invalid_argument", "INVALID_ARGUMENT", `${first.field || "request"}: ${first.description}`, { field: first.field }, {
      fieldViolations: violations,
    });
  };
  return (next) => async (req) => {
    if (!req.stream) {
      check(req.method.input, req.message);
      return next(req);
    }
    const source = req.message;
    const input = req.method.input;
    return next({
      ...req,
      message: (async function* () {
        for await (const m of source) {
          check(input, m);
          yield m;
        }
      })(),
    });
  };
}

/** Renders a violation's path as snake_case with dots and [index] / [key], e.g. `model.labels[team]`. */
function fieldPath(v: Violation): string {
  let path = "";
  for (const f of v.field) {
    if (f.kind === "list_sub") path += `[${f.index}]`;
    else if (f.kind === "map_sub") path += `[${String(f.key)}]`;
    else path += `${path ? "." : ""}${f.name}`;
  }
  return path;
}

/**
 * The interceptor chain every platform service is registered with, outermost first: logging and
 * metrics, error mapping, request validation, then the unit of work. The auth gate is not part of it:
 * it is a request gate given per service, so that open services (health, reflection) can go without.
 */
export function createPlatformInterceptors(deps: { readonly logger: Logger; readonly metrics: RpcMetrics; readonly orm: Orm }): Interceptor[] {
  return [createLoggingInterceptor(deps.logger, deps.metrics), createErrorMappingInterceptor(), createValidateInterceptor(), createUnitOfWorkInterceptor(deps.orm)];
}

/** Innermost: one EntityManager fork per call, streams included, passed through the context (forked on first use). */
export function createUnitOfWorkInterceptor(orm: Orm): Interceptor {
  return (next) => async (req) => {
    let em: EntityManager | undefined;
    req.contextValues.set(kEntityManager, () => (em ??= orm.em.fork() as never));
    return next(req);
  };
}
