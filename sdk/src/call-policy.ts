import { Code, ConnectError, type Transport } from "@connectrpc/connect";
import { MethodOptions_IdempotencyLevel } from "@bufbuild/protobuf/wkt";
import type { DescMethod } from "@bufbuild/protobuf";
import { ArtenicError } from "./errors.js";

/** How idempotent reads are retried. Every field is optional; see the defaults on each. */
export interface RetryOptions {
  /** Attempts in all, the first included. Default 4. */
  readonly maxAttempts?: number;
  /** The cap of the first backoff. Default 100 ms. */
  readonly initialBackoffMs?: number;
  /** The largest cap a backoff grows to. Default 5,000 ms. */
  readonly maxBackoffMs?: number;
  /** How much the cap grows per attempt. Default 2. */
  readonly multiplier?: number;
  /** The codes worth retrying. Default UNAVAILABLE and RESOURCE_EXHAUSTED. */
  readonly retryableCodes?: readonly Code[];
  /** Called before each wait, for logging. */
  readonly onRetry?: (info: RetryInfo) => void;
  /** The source of jitter, in [0, 1). Default `Math.random`; tests pin it. */
  readonly random?: () => number;
}

/** What `RetryOptions.onRetry` is told. */
export interface RetryInfo {
  /** `package.Service/Method`. */
  readonly method: string;
  /** The attempt that failed, from 1. */
  readonly attempt: number;
  /** How long the SDK waits before the next attempt. */
  readonly delayMs: number;
  /** Why the attempt failed. */
  readonly error: ArtenicError;
}

/** Defaults every call gets unless its own call options say otherwise. */
export interface CallPolicy {
  /** Sent as `Authorization: Bearer <apiKey>` unless a call sets its own authorization header. */
  readonly apiKey?: string | undefined;
  /**
   * The deadline of unary calls, retries included, in milliseconds. Default 30,000; 0 or less means
   * none. A call overrides it with its own `timeoutMs` (0 disables it for that call).
   */
  readonly timeoutMs?: number | undefined;
  /**
   * The deadline of streaming calls (uploads, downloads, watches, subscriptions, streaming predict).
   * Default: none, since subscriptions and watches run until cancelled.
   */
  readonly streamTimeoutMs?: number | undefined;
  /** Retries of idempotent reads (methods marked NO_SIDE_EFFECTS); `false` turns them off. */
  readonly retry?: RetryOptions | false | undefined;
}

export const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * Wraps a transport so that every call carries the API key and its default deadline, and so that
 * unary reads marked `NO_SIDE_EFFECTS` are retried with exponential backoff and full jitter on
 * UNAVAILABLE or RESOURCE_EXHAUSTED, waiting at least what a `google.rpc.RetryInfo` asks. The
 * deadline covers all attempts: a wait that would pass it is not started.
 */
export function applyCallPolicy(inner: Transport, policy: CallPolicy): Transport {
  const retry = policy.retry === false ? undefined : policy.retry ?? {};
  const unaryTimeout = policy.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const withKey = (header: HeadersInit | undefined): HeadersInit | undefined => {
    if (!policy.apiKey) return header;
    const h = new Headers(header);
    if (!h.has("authorization")) h.set("authorization", `Bearer ${policy.apiKey}`);
    return h;
  };
  return {
    async unary(method, signal, timeoutMs, header, input, contextValues) {
      const budget = timeoutMs ?? unaryTimeout;
      const headers = withKey(header);
      if (!retry || !isRetryable(method)) {
        return inner.unary(method, signal, budget, headers, input, contextValues);
      }
      const deadline = budget > 0 ? Date.now() + budget : Number.POSITIVE_INFINITY;
      const maxAttempts = Math.max(1, retry.maxAttempts ?? 4);
      for (let attempt = 1; ; attempt++) {
        const remaining = deadline - Date.now();
        try {
          return await inner.unary(method, signal, budget > 0 ? Math.max(1, remaining) : budget, headers, input, contextValues);
        } catch (e) {
          const error = ArtenicError.from(e);
          const codes = retry.retryableCodes ?? [Code.Unavailable, Code.ResourceExhausted];
          if (attempt >= maxAttempts || !codes.includes(error.code) || error.reason === "BUDGET_EXCEEDED" || signal?.aborted) throw e;
          const delayMs = backoffMs(attempt, error.retryDelayMs, retry);
          if (Date.now() + delayMs >= deadline) throw e;
          retry.onRetry?.({ method: `${method.parent.typeName}/${method.name}`, attempt, delayMs, error });
          await sleep(delayMs, signal);
        }
      }
    },
    stream(method, signal, timeoutMs, header, input, contextValues) {
      return inner.stream(method, signal, timeoutMs ?? policy.streamTimeoutMs, withKey(header), input, contextValues);
    },
  };
}

function isRetryable(method: DescMethod): boolean {
  return method.methodKind === "unary" && method.idempotency === MethodOptions_IdempotencyLevel.NO_SIDE_EFFECTS;
}

/**
 * The wait before retry number `attempt` (1 after the first failure): a uniformly random delay
 * below `min(maxBackoff, initial × multiplier^(attempt-1))` ("full jitter"), and never less than
 * what the server asked for in RetryInfo.
 */
export function backoffMs(attempt: number, serverDelayMs: number | undefined, options: RetryOptions = {}): number {
  const cap = Math.min(options.maxBackoffMs ?? 5_000, (options.initialBackoffMs ?? 100) * (options.multiplier ?? 2) ** (attempt - 1));
  const jittered = Math.floor((options.random ?? Math.random)() * cap);
  return serverDelayMs === undefined ? jittered : Math.max(serverDelayMs, jittered);
}

/** Resolves after `ms`, or rejects with CANCELED when `signal` aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new ConnectError("the operation was aborted", Code.Canceled));
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new ConnectError("the operation was aborted", Code.Canceled));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
