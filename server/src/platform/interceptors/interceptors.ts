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
import { hasScope, type ApiKeyVerifier, type Principal } from "../auth/principal.js";
import type { RateLimiter } from "../auth/rate-limiter.js";
import type { RpcMetrics } from "../metrics/metrics.js";
import { kEntityManager, kPrincipal, kRequestId } from "./context-keys.js";
import { jobTokenMethods, requiredScope } from "./scopes.js";

type AnyResponse = UnaryResponse | StreamResponse;

/**
 * Wraps a streaming response's message iterable so that `onEnd` sees, once, how the stream ended:
 * completed (undefined), failed (the error, mapped by `mapError`), or abandoned by the caller before
 * its end (CANCELED). A plain iterator rather than an async generator: every message of a stream
 * passes through it, and a generator's `yield*` costs several promises per message.
 */
function observeStream(res: StreamResponse, onEnd: (error: unknown) => void, mapError?: (e: unknown) => unknown): StreamResponse {
  const source = res.message;
  const message: AsyncIterable<unknown> = {
    [Symbol.asyncIterator]() {
      const it = source[Symbol.asyncIterator]();
      let ended = false;
      const end = (error: unknown) => {
        if (ended) return;
        ended = true;
        onEnd(error);
      };
      const failure = (e: unknown): unknown => {
        const mapped = mapError ? mapError(e) : e;
        end(mapped);
        return mapped;
      };
      const fail = (e: unknown): never => {
        throw failure(e);
      };
      const settle = (r: IteratorResult<unknown>) => {
        if (r.done === true) end(undefined);
        return r;
      };
      return {
        next: () => {
          try {
            return it.next().then(settle, fail);
          } catch (e) {
            return Promise.reject(failure(e) as Error);
          }
        },
        return: (value?: unknown) => {
          end(new ConnectError("the caller stopped reading the stream before its end", Code.Canceled));
          return it.return ? it.return(value).then(settle, fail) : Promise.resolve({ done: true as const, value });
        },
        throw: (e?: unknown) => {
          if (!it.throw) return Promise.reject(failure(e) as Error);
          return it.throw(e).then(settle, fail);
        },
      };
    },
  };
  return { ...res, message: message as StreamResponse["message"] };
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Outermost: gives every call a request id (echoed in `x-request-id`), one log line with the final
 * code and latency, and the per-method metrics. Unexpected errors are logged here with their cause;
 * the client only ever sees "internal error".
 *
 * The interceptors of this chain return `next`'s promise instead of awaiting it in an async
 * function: they run on every call, and each async frame was a measurable share of a small RPC.
 */
export function createLoggingInterceptor(logger: Logger, metrics: RpcMetrics): Interceptor {
  return (next) => (req) => {
    const start = performance.now();
    const incoming = req.header.get("x-request-id");
    const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    const method = `${req.service.typeName}/${req.method.name}`;
    req.contextValues.set(kRequestId, requestId);
    const finish = (error: unknown) => {
      const ms = performance.now() - start;
      const code = error === undefined ? "ok" : codeName(error);
      metrics.observe(method, code, ms / 1000);
      const principal = req.contextValues.get(kPrincipal)?.keyName;
      if (error !== undefined && (!(error instanceof ConnectError) || error.code === Code.Internal || error.code === Code.Unknown)) {
        logger.error({ requestId, method, err: error instanceof ConnectError && error.cause !== undefined ? error.cause : error, code, ms, principal }, "rpc failed");
      } else if (logger.isLevelEnabled("info")) {
        logger.info({ requestId, method, code, ms: Math.round(ms * 1000) / 1000, principal }, "rpc");
      }
    };
    return settle(next, req, (res) => {
      res.header.set("x-request-id", requestId);
      if (res.stream) return observeStream(res, finish);
      finish(undefined);
      return res;
    }, (e) => {
      finish(e);
      return e;
    });
  };
}

/**
 * Calls `next(req)` and passes its response to `onResponse`, or its failure, synchronous or not, to
 * `onError`, which returns the error to fail the call with.
 */
function settle<Req, Res extends AnyResponse>(
  next: (req: Req) => Promise<Res>,
  req: Req,
  onResponse: (res: Res) => Res,
  onError: (e: unknown) => unknown,
): Promise<Res> {
  const fail = (e: unknown) => {
    throw onError(e);
  };
  let pending: Promise<Res>;
  try {
    pending = next(req);
  } catch (e) {
    return Promise.reject(onError(e));
  }
  return pending.then(onResponse, fail);
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
  return (next) => (req) => settle(next, req, (res) => (res.stream ? observeStream(res, () => undefined, map) : res), map);
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
): (ctx: HandlerContext) => void | Promise<void> {
  const reject = (ctx: HandlerContext, e: unknown): never => {
    const error = toConnectError(e) ?? new ConnectError("internal error", Code.Internal, undefined, undefined, e);
    onReject(`${ctx.service.typeName}/${ctx.method.name}`, Code[error.code]?.toLowerCase() ?? "unknown");
    throw error;
  };
  // Synchronous when the verifier answers from its cache, which is nearly every call: the gate then
  // adds no promise to the call (Connect awaits a gate only when it returns one).
  return (ctx) => {
    try {
      const header = ctx.requestHeader.get("authorization") ?? "";
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      const principal = match?.[1] ? verifier.verify(match[1]) : undefined;
      if (principal instanceof Promise) return principal.then((p) => authorize(ctx, p, match !== null)).catch((e: unknown) => reject(ctx, e));
      authorize(ctx, principal, match !== null);
    } catch (e) {
      reject(ctx, e);
    }
  };

  function authorize(ctx: HandlerContext, principal: Principal | undefined, presented: boolean): void {
    if (!principal) {
      throw new ConnectError(
        presented ? "The API key is not valid, or was revoked or expired." : "An API key is required: send 'Authorization: Bearer <key>'.",
        Code.Unauthenticated,
        undefined,
        [{ desc: ErrorInfoSchema, value: { reason: presented ? "API_KEY_INVALID" : "API_KEY_MISSING", domain: ERROR_DOMAIN } }],
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
  return (next) => (req) => {
    if (!req.stream) {
      try {
        check(req.method.input, req.message);
      } catch (e) {
        return Promise.reject(e as Error);
      }
      return next(req);
    }
    // A plain iterator, not an async generator: every streamed request message passes through it.
    const source = req.message;
    const input = req.method.input;
    const message: AsyncIterable<unknown> = {
      [Symbol.asyncIterator]() {
        const it = source[Symbol.asyncIterator]();
        const checked = async (r: IteratorResult<unknown>) => {
          if (r.done === true) return r;
          try {
            check(input, r.value);
          } catch (e) {
            // The stream ends here: let the source release what it holds, as a for-await would.
            await it.return?.();
            throw e;
          }
          return r;
        };
        return {
          next: () => it.next().then(checked),
          return: (value?: unknown) => (it.return ? it.return(value) : Promise.resolve({ done: true as const, value })),
          throw: (e?: unknown) => (it.throw ? it.throw(e) : Promise.reject(e as Error)),
        };
      },
    };
    return next({ ...req, message: message as typeof req.message });
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
  return (next) => (req) => {
    let em: EntityManager | undefined;
    req.contextValues.set(kEntityManager, () => (em ??= orm.em.fork() as never));
    return next(req);
  };
}
